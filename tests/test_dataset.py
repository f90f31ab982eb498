import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    ("dev", "found 1 entry; at least 2"),
    ("", "found 0 entries; at least 2"),
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


@pytest.mark.parametrize("text, fragment", [
    ("aarav\fdev\nbad1\nsia", "line 1: a form feed (U+000C) is not allowed"),
    ("aarav\nbad\fx\nsia", "line 2: a form feed"),
    ("dev\vsia\nbo", "line 1: a vertical tab (U+000B)"),
    ("dev\nsia\x1cbo\nx", "line 2: a file separator (U+001C)"),
    ("dev\nsia\x1dbo", "line 2: a group separator (U+001D)"),
    ("dev\nsia\x1ebo", "line 2: a record separator (U+001E)"),
    ("dev\nsia\x85bo", "line 2: a next-line character (U+0085)"),
    ("dev\u2028sia\nbo", "line 1: a line separator (U+2028)"),
    ("dev\nsia\u2029bo", "line 2: a paragraph separator (U+2029)"),
    ("dev\nsia\x07", "line 2: the control character U+0007"),
    ("dev\nsia\u200b", "line 2: the invisible character U+200B"),
    ("dev\r\nsia\rbo\r\nb1", "line 4: '1'"),
    ("dev\r\rb1", "line 3: '1'"),
])
def test_line_numbers_are_those_the_text_box_shows(text, fragment):
    with pytest.raises(DatasetError, match=re.escape(fragment)):
        names_dataset(text)


def test_only_newline_carriage_return_and_crlf_end_a_line():
    assert dataset.split_lines("a\fb\r\nc\rd\ne\x85f\u2028g") == ["a\fb", "c", "d",
                                                                 "e\x85f\u2028g"]
    assert names_dataset("dev\r\nsia\rbo\n").entries == ("dev", "sia", "bo")


def test_a_long_bad_line_is_not_echoed_whole():
    with pytest.raises(DatasetError) as e:
        names_dataset("dev\n" + "x" * 5000 + "1")
    assert len(str(e.value)) < 200


def test_pairs_name_a_control_character_with_its_line():
    with pytest.raises(DatasetError, match=r"line 2: a form feed \(U\+000C\) is not allowed in "
                                           r"the answer"):
        pairs_dataset("hi>namaste\r\nbye>al\fvida\r\nno>nahi")


_BREAKS = ["\n", "\r\n", "\r"]
_ODD = "\f\v\x1c\x1d\x1e\x85\u2028\u2029\x07\u200b\u00a0"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz" + _ODD + "1 ", min_size=0, max_size=8),
                min_size=1, max_size=10),
       st.lists(st.sampled_from(_BREAKS), min_size=10, max_size=10))
@example(lines=["a", "", "1"], breaks=["\r", "\n"] + ["\n"] * 8)  # "\r" + "" + "\n" is one break
def test_the_line_in_a_message_is_the_line_the_reader_sees(lines, breaks):
    """Join lines with any of the three line ends; a message naming "line k" points at the
    k-th line as a text box shows it, and that line holds the character it names."""
    text = "".join(s + b for s, b in zip(lines, breaks))
    try:
        d = names_dataset(text)
    except DatasetError as e:
        m = re.match(r"line (\d+): (.*)", str(e))
        if m is None:
            assert re.match(r"found \d+ entr(y|ies);", str(e)), str(e)
            return
        # a text box breaks lines at \r\n, \r and \n: an empty line between "\r" and "\n"
        # is no line at all (the two make one \r\n), so count the lines it shows
        shown = re.split(r"\r\n|\r|\n", text)[int(m.group(1)) - 1]
        bad = [c for c in shown.strip(" \t").lower() if c not in "abcxyz"]
        assert bad or len(shown.strip()) > 12
        if bad:
            assert dataset.describe_char(bad[0]) in m.group(2)
    else:
        assert d.entries == tuple(s.strip(" \t") for s in lines if s.strip(" \t"))


@pytest.mark.parametrize("text, fragment", [
    ("a\n" * 150_000, "characters; at most 200,000"),
    ("\n" * 30_000 + "ab\ncd", "found 30,002 lines; at most 20,000"),
])
def test_huge_pastes_are_refused_before_any_work(text, fragment):
    with pytest.raises(DatasetError, match=fragment):
        names_dataset(text)


def test_no_message_echoes_a_pasted_paragraph_whole():
    """A 150,000-letter line, pattern or word is named by its first letters, not repeated
    (the message once made a phone's page 25,000 px wide)."""
    from helpers import trained

    from diffusion_core.checks import check_word
    from diffusion_core.patterns import name_pattern
    from diffusion_core.sampler import parse_row
    long = "a" * 150_000
    p, pairs = trained("translate")
    attempts = [lambda: names_dataset("aarav\n" + long),
                lambda: names_dataset("aarav\n" + long + "1"),
                lambda: name_pattern(builtin("names"), long),
                lambda: check_word(pairs, long),
                lambda: check_word(pairs, long + "1"),
                lambda: parse_row(builtin("names"), long)]
    for attempt in attempts:
        with pytest.raises(DatasetError) as e:
            attempt()
        assert len(str(e.value)) < 200 and "aaaa…'" in str(e.value), str(e.value)[:300]


def test_a_combining_mark_is_named_not_shown_alone():
    with pytest.raises(DatasetError, match=r"line 2: the combining acute accent \(U\+0301\) "
                                           r"is not allowed in the name 'jose\u0301'"):
        names_dataset("aarav\njose\u0301")
