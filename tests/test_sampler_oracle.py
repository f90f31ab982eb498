"""The sampler driven by the exact posterior (the oracle): the sampler's own error."""
import re
from collections import Counter

import numpy as np
import pytest

from diffusion_core.checks import parse_pattern
from diffusion_core.dataset import DatasetError, builtin
from diffusion_core.oracle import OracleDenoiser
from diffusion_core.sampler import (
    beliefs,
    infill,
    parse_row,
    reveal,
    sample,
    translate,
)

NAMES = builtin("names")
ORACLE = OracleDenoiser(NAMES)
CHI2_999_39 = 72.05  # the 99.9 % quantile of chi-squared with 39 degrees of freedom


def _draw(strategy, steps, n, seed0=0):
    texts = []
    for k in range(n // 200):
        texts += [r["text"] for r in sample(ORACLE, NAMES, n=200, steps=steps, temperature=1.0,
                                            strategy=strategy, seed=seed0 + k)]
    return texts


def _chi2(texts):
    counts = Counter(texts)
    expected = len(texts) / len(NAMES.entries)  # 50 of each of the 40 names
    return sum((counts[e] - expected) ** 2 / expected for e in NAMES.entries)


def test_one_position_per_step_left_to_right_is_exact():
    texts = _draw("left_to_right", 7, 2000)
    assert set(texts) <= set(NAMES.entries)
    assert _chi2(texts) < CHI2_999_39


def test_confident_one_per_step_gives_training_names_but_not_uniformly():
    """Choosing the position by the drawn character's probability biases the draw:
    with the exact posterior, one reveal per step still gives only training names,
    but short names whose letters are predictable come out far more often."""
    texts = _draw("confident", 7, 2000)
    assert set(texts) <= set(NAMES.entries)
    assert _chi2(texts) > 10 * CHI2_999_39


def test_random_order_in_seven_steps_writes_names_outside_the_data():
    texts = _draw("random", 7, 2000, seed0=100)
    share = np.mean([t in set(NAMES.entries) for t in texts])
    se = np.sqrt(share * (1 - share) / len(texts))  # about 0.011
    assert abs(share - 0.63) < 4 * se + 0.005, share


def test_the_oracle_is_called_only_on_changed_rows():
    out = sample(ORACLE, NAMES, n=50, steps=40, temperature=1.0, strategy="random", seed=3)
    assert all(r["nfe"] <= 7 < r["nfe_uncached"] == 40 for r in out)


@pytest.mark.parametrize("pattern", ["r???l", "??vya", "a?i", "?????", "?"])
def test_infill_keeps_the_pattern_and_its_length(pattern):
    for strategy in ("random", "confident", "llada", "threshold", "left_to_right"):
        for r in infill(ORACLE, NAMES, pattern, n=20, steps=4, strategy=strategy, seed=1):
            assert len(r["text"]) == len(pattern) and r["pattern"] == pattern
            assert all(p in ("?", c) for p, c in zip(pattern, r["text"]))
            assert r["steps"][0]["tokens"] == pattern + "_" * (7 - len(pattern))


def test_infill_with_the_oracle_gives_the_fitting_names():
    fit = {e for e in NAMES.entries if len(e) == 5 and e.endswith("vya")}
    texts = {r["text"] for r in infill(ORACLE, NAMES, "??vya", n=60, steps=3,
                                       strategy="left_to_right", seed=0)}
    assert texts == fit and len(fit) >= 2


@pytest.mark.parametrize("pattern, fragment", [("", "empty"), ("ab1", "'1' is not allowed"),
                                               ("????????", "at most 7"),
                                               ("abcdefghij", "has 10 characters; at most 7"),
                                               ("x??", r"never seen the letter 'x' of the "
                                                       r"pattern 'x\?\?'; it knows only: a")])
def test_bad_patterns_are_refused(pattern, fragment):
    with pytest.raises(DatasetError, match=fragment):
        infill(ORACLE, NAMES, pattern)


def test_reveal_by_hand_commits_one_position_and_updates_the_others():
    before = beliefs(ORACLE, NAMES, "???????")
    assert before["nfe"] == 1 and all(t is not None for t in before["top"])
    got = reveal(ORACLE, NAMES, "???????", 4, temperature=0.0)
    assert got["row"][4] == got["char"] and got["row"].count("?") == 6
    assert got["char"] == before["top"][4][0][0]  # argmax of the same posterior
    assert got["top"][4] is None and all(got["top"][i] for i in (0, 1, 2, 3, 5, 6))
    assert got["nfe"] == 2 and got["prob"] > 0 and not got["fallback"]
    assert ORACLE.fit_counts(NAMES.encode(got["row"])[None])[0] > 0


def test_reveal_follows_the_right_end_of_a_name():
    got = reveal(ORACLE, NAMES, "????a__", 0, temperature=0.0)
    ends = [e for e in NAMES.entries if len(e) == 5 and e[4] == "a"]
    firsts = Counter(e[0] for e in ends)
    assert got["char"] == max(firsts, key=lambda c: (firsts[c], -ord(c)))
    top1 = got["top"][1]
    rest = [e for e in ends if e[0] == got["char"]]
    assert top1[0][1] == pytest.approx(Counter(e[1] for e in rest).most_common(1)[0][1]
                                       / len(rest), abs=1e-4)


def test_reveal_refuses_a_position_that_is_not_masked():
    with pytest.raises(ValueError, match="position 0 is not masked"):
        reveal(ORACLE, NAMES, "a??????", 0)
    with pytest.raises(ValueError, match="masked: 1, 2"):
        reveal(ORACLE, NAMES, "a??____", 5)


def test_translate_with_pinned_answer_letters():
    pairs = builtin("translate")
    oracle = OracleDenoiser(pairs)
    q, a = pairs.entries[0].split(">")
    pat = a[0] + "?" * (len(a) - 1)
    (r,) = translate(oracle, pairs, [q], steps=3, temperature=0.0, answers=[pat])
    assert r["answer"] == a and r["steps"][0]["tokens"].startswith(q + ">" + pat)
    with pytest.raises(DatasetError, match="at most"):
        translate(oracle, pairs, [q], answers=["?" * 20])


def test_parse_pattern_and_parse_row_are_public_and_check_length_first():
    assert parse_pattern(NAMES, " R???L ") == "r???l"
    with pytest.raises(DatasetError, match=re.escape("pattern 'ab?' has 3 characters; at most 2")):
        parse_pattern(NAMES, "ab?", start=5, what="answer pattern")
    with pytest.raises(DatasetError, match="at most 7 fit"):  # too long, though 'c' is unseen
        parse_pattern(NAMES, "abcdefghij")
    x, ctx, region = parse_row(NAMES, "a??")
    assert NAMES.decode(x) == "a??____" and region.all() and not ctx.letters_only.any()
    assert parse_row(NAMES, "a??", letters_only=True)[1].letters_only[0].tolist() == \
        [False, True, True] + [False] * 4


def test_beliefs_with_letters_only_leave_out_the_pad():
    free = beliefs(ORACLE, NAMES, "???????")["top"]
    fixed = beliefs(ORACLE, NAMES, "???????", letters_only=True)["top"]
    assert any(c == "_" for c, _ in free[6])  # most names are shorter than 7
    assert all(c != "_" for top in fixed for c, _ in top)
    assert sum(p for _, p in fixed[6]) == pytest.approx(1.0, abs=1e-3)  # renormalised
