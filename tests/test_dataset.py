import numpy as np
import pytest

from diffusion_core import dataset
from diffusion_core.dataset import DatasetError, builtin, names_dataset, pairs_dataset


def test_names_vocabulary_and_padding_match_the_seed():
    d = builtin("names")
    assert len(d.entries) == 40
    assert d.seq_len == 7
    assert d.vocab_size == 22
    assert d.vocab[:2] == "_?"
    assert list(d.vocab[2:]) == sorted(set("".join(d.entries)))
    assert d.decode(d.tokens[d.entries.index("dev")]) == "dev____"
    assert d.maskable.all()


def test_translate_layout_keeps_question_fixed():
    d = builtin("translate")
    assert len(d.entries) == 30
    assert d.seq_len == 13
    assert d.vocab[:3] == "_?>"
    i = d.entries.index("no>nahi")
    assert d.decode(d.tokens[i]) == "no>nahi______"
    assert d.maskable[i].tolist() == [False] * 3 + [True] * 10
    assert d.max_question_len == 6  # "friend"


def test_encode_decode_round_trip():
    d = builtin("names")
    for name in d.entries:
        assert d.decode(d.encode(name)).rstrip("_") == name


def test_user_names_are_lowercased_and_blank_lines_dropped():
    d = names_dataset("  Dev\n\nSIA \n")
    assert d.entries == ("dev", "sia")
    assert d.seq_len == 3
    assert d.vocab == "_?adeisv"


@pytest.mark.parametrize("text, fragment", [
    ("dev\nsi4", "line 2: '4' is not allowed"),
    ("dev\nan na", "line 2: a space is not allowed"),
    ("dev\nabcdefghijklm", "the limit is 12"),
    ("dev", "at least 2"),
    ("\n".join(["ab"] * 2001), "at most 2000"),
])
def test_bad_names_get_a_message_naming_line_and_limit(text, fragment):
    with pytest.raises(DatasetError, match=fragment):
        names_dataset(text)


@pytest.mark.parametrize("text, fragment", [
    ("hi>namaste\nbye", "line 2: write each pair as question>answer"),
    ("hi>namaste\nbye>>x", "exactly one '>'"),
    ("hi>namaste\n>x", "line 2: the question is empty"),
    ("hi>namaste\nbye>abcdefghijk", "answer 'abcdefghijk' has 11 letters; the limit is 10"),
    ("hi>namaste\nbye>al vida", "a space is not allowed in the answer"),
])
def test_bad_pairs_get_a_message(text, fragment):
    with pytest.raises(DatasetError, match=fragment):
        pairs_dataset(text)


def test_pairs_accept_tuples_and_spaces_around_separator():
    d = pairs_dataset([("Hi", "Namaste"), "bye > alvida"])
    assert d.entries == ("hi>namaste", "bye>alvida")
    assert d.seq_len == len("hi>namaste")


def test_length_and_vocabulary_follow_user_data():
    d = pairs_dataset(["abcdefghij>abcdefghij", "a>b"])
    assert d.seq_len == 21
    assert d.vocab_size == 3 + 10
    assert np.array_equal(d.maskable.sum(axis=1), [10, 19])


def test_unknown_task_is_refused():
    with pytest.raises(DatasetError, match="unknown task"):
        dataset.builtin("poems")
