"""Patterns, the oracle restricted to a pattern, and quality against steps."""
import math
import re

import pytest
from helpers import trained

from diffusion_core import lab, patterns, sampler
from diffusion_core.dataset import DatasetError, builtin


def test_a_pattern_fixes_letters_and_length_and_lists_the_names_that_fit():
    d = builtin("names")
    p = patterns.name_pattern(d, " R???L ")
    assert (p.text, p.row, p.fitting, p.note) == ("r???l", "r???l", ["rahul"], None)
    five = patterns.name_pattern(d, "?????").fitting
    assert five == [e for e in d.entries if len(e) == 5] and len(five) > 5


@pytest.mark.parametrize("text, message", [
    ("", r"the pattern is empty; type letters the model knows \(abdehijklmnoprstuvyz\) and \?"),
    ("r1", "'1' is not allowed in the pattern 'r1'; use only the letters a-z and ?"),
    ("a b", "a space is not allowed"),
    ("aaaaaaaa", "has 8 characters; at most 7 fit"),
    (7, "the pattern must be text"),
])
def test_bad_patterns_name_what_is_wrong_and_what_is_allowed(text, message):
    with pytest.raises(DatasetError, match=message):
        patterns.name_pattern(builtin("names"), text)


def test_an_empty_pattern_gets_an_example_that_fits_the_data_in_use():
    from diffusion_core.dataset import names_dataset, pairs_dataset
    def ends(example):
        return re.escape(f"e.g. {example}") + "$"
    with pytest.raises(DatasetError, match=ends("a???v")):  # the first built-in name, aarav
        patterns.name_pattern(builtin("names"), "")
    with pytest.raises(DatasetError, match=ends("a???????r")):
        patterns.name_pattern(names_dataset("alexander\nbob"), "")
    with pytest.raises(DatasetError, match=ends("n?????e")):  # an answer, not a question
        patterns.answer_pattern(pairs_dataset("hello>namaste\nbye>alvida"), "hello", "")


def test_no_fitting_name_is_a_note_for_the_reader_not_an_error():
    p = patterns.name_pattern(builtin("names"), "kk???")
    assert p.fitting == [] and "no training name fits kk???" in p.note
    assert patterns.restricted_oracle(builtin("names"), builtin("names").encode(p.row),
                                      True) is None


def test_the_translator_pins_letters_of_the_answer():
    d = builtin("translate")
    p = patterns.answer_pattern(d, "Water", "p????")
    assert (p.word, p.text, p.row, p.fitting) == ("water", "p????", "water>p????", ["paani"])
    assert patterns.answer_pattern(d, "water", "j???").fitting == []
    with pytest.raises(DatasetError, match="answer pattern"):
        patterns.answer_pattern(d, "water", "p?????????")


def test_the_restricted_oracle_one_position_per_step_writes_only_fitting_names():
    d = builtin("names")
    p = patterns.name_pattern(d, "?????")
    oracle = patterns.restricted_oracle(d, d.encode(p.row), True)
    out = sampler.infill(oracle, d, p.text, n=100, temperature=1.0, strategy="left_to_right")
    texts = [r["text"] for r in out]
    assert set(texts) <= set(p.fitting) and len(set(texts)) > len(p.fitting) // 2


def test_cell_metrics_worked_example():
    d = builtin("names")
    m = lab.cell_metrics(["aarav", "aarav", "zzz"], [0.0, 0.1, None], [7, 7, 7], [7, 7, 7], d)
    assert m["training_share"] == pytest.approx(2 / 3) and m["novelty"] == pytest.approx(1 / 3)
    assert (m["distinct"], m["new_distinct"]) == (2, 1)
    assert m["tv"] == pytest.approx(0.5 * ((2 / 3 - 1 / 40) + 39 / 40 + 1 / 3))
    assert m["chi2_per_df"] == pytest.approx(((2 - 0.05) ** 2 / 0.05 + 39 * 0.05) / 39)
    assert m["kl_bits"] == pytest.approx(math.log2(40))
    assert m["removed_mass"] == pytest.approx(0.05) and m["nfe"] == 7


def test_an_exact_sampler_matches_the_training_distribution():
    d = builtin("names")
    chi2 = []
    for seed in range(3):
        job = lab.QualityJob(trained("names")[0], d, n=400, strategies=("left_to_right",),
                             steps=(7,), seed=seed)
        job.advance(math.inf)
        o = {r["denoiser"]: r for r in job.table()}["oracle"]
        assert o["training_share"] == 1.0 and o["outside_share"] == 0.0 and o["n"] == 400
        chi2.append(o["chi2_per_df"])
    assert 0.65 < sum(chi2) / 3 < 1.35  # chi2/df of an exact sampler: 1 +- 0.13 over 3 runs


def test_the_oracle_with_one_random_step_rarely_writes_a_training_name():
    d = builtin("names")
    rows = lab.quality(trained("names")[0], d, n=64, strategies=("random",), steps=(1, 40))
    by = {(r["denoiser"], r["steps"]): r for r in rows}
    assert by[("oracle", 1)]["training_share"] < 0.2
    assert by[("oracle", 40)]["training_share"] > 0.75
    assert by[("oracle", 40)]["nfe"] < by[("oracle", 40)]["nfe_uncached"]  # the cache


def test_the_table_is_the_same_however_it_is_chunked():
    p, d = trained("names")
    kw = {"n": 80, "strategies": ("random", "left_to_right"), "steps": (2, 40)}
    whole = lab.QualityJob(p, d, **kw)
    whole.advance(math.inf)
    chunked = lab.QualityJob(p, d, **kw)
    streamed = []
    while not chunked.finished:
        streamed += chunked.advance(0.0)  # one piece per call
    assert chunked.table() == whole.table()
    assert sorted(map(str, streamed)) == sorted(map(str, whole.table()))
    l2r = [r for r in whole.table() if r["strategy"] == "left_to_right"]
    assert [r["steps"] for r in l2r] == [2, 40, 2, 40]  # drawn once, shown at each budget
    assert len(whole.pieces) == 2 * (2 + 2 + 2)  # every cell in pieces of 64 and 16
    assert all(r["n"] == 80 for r in whole.table())
    assert "denoiser" in lab.format_table(whole.table()).splitlines()[0]


def test_quality_refuses_the_translator_and_bad_sizes():
    p, d = trained("translate")
    with pytest.raises(ValueError, match="names model"):
        lab.QualityJob(p, d)
    with pytest.raises(ValueError, match="between 1 and"):
        lab.QualityJob(*trained("names"), n=0)


DETERMINISTIC = ["confident", "confident_cosine", "llada", "threshold", "left_to_right"]


@pytest.mark.parametrize("pattern", [None, "r???l"])
def test_side_by_side_at_temperature_0_equals_each_rule_run_alone(pattern):
    """All rules in one batched run: a rule with no random choice of its own writes, at
    temperature 0, exactly what it writes alone (timeline, NFE), with fewer batched calls."""
    p, d = trained("names")
    together = lab.side_by_side(p, d, DETERMINISTIC, n=2, steps=10, temperature=0.0,
                                seed=5, pattern=pattern)
    calls = 0
    for st, got in zip(DETERMINISTIC, together):
        alone = (sampler.sample(p, d, n=2, steps=10, temperature=0.0, strategy=st, seed=5)
                 if pattern is None else
                 sampler.infill(p, d, pattern, n=2, steps=10, temperature=0.0, strategy=st,
                                seed=5))
        calls += alone[0]["batch_nfe"]
        for a, b in zip(got, alone):
            assert (a["text"], a["nfe"], a["nfe_uncached"]) == (b["text"], b["nfe"],
                                                                b["nfe_uncached"])
            assert [s["revealed"] for s in a["steps"]] == [s["revealed"] for s in b["steps"]]
            assert [s["t_from"] for s in a["steps"]] == [s["t_from"] for s in b["steps"]]
            assert all(tp is None for s in a["steps"] for tp in s["top"])  # no beliefs kept
            assert any(tp for s in b["steps"] for tp in s["top"])
            if pattern:
                assert a["text"][0] == "r" and a["text"][4] == "l" and len(a["text"]) == 5
    assert together[0][0]["batch_nfe"] == 10 < calls  # one call per step for all the rules


def test_side_by_side_keeps_each_rules_schedule_with_random_choices():
    p, d = trained("names")
    rules = ["random", "remdm", "left_to_right", "threshold"]
    out = dict(zip(rules, lab.side_by_side(p, d, rules, n=3, steps=20, temperature=1.0,
                                           seed=1)))
    for r in out["left_to_right"]:
        assert len(r["steps"]) == 8 and all(len(s["revealed"]) == 1 for s in r["steps"][1:])
    for r in out["random"] + out["remdm"]:  # grid rules walk t = 1, 19/20, ..., 0
        assert len(r["steps"]) == 21 and r["steps"][-1]["t_to"] == 0.0
        assert r["nfe_uncached"] == 20 and r["text"].isalpha()  # no mask or pad left inside
    assert all(1 <= len(r["steps"]) - 1 <= 20 for r in out["threshold"])
    assert lab.side_by_side(p, d, rules, n=3, steps=20, seed=1) == lab.side_by_side(
        p, d, rules, n=3, steps=20, seed=1)


def test_section_x_figures_on_the_confidence_rules_are_recomputed():
    """Section X's paragraph on what a high training share hides, from the article's text."""
    from helpers import ROOT

    html = (ROOT / "site" / "index.html").read_text(encoding="utf-8")
    m = re.search(r"wrote (\d+)–(\d+) % training names at budgets of 7 to 40 steps, but only "
                  r"(\d+)–(\d+) different names, at a "
                  r"total variation of (0\.\d\d)–(0\.\d\d); random order at 40 steps wrote (\d+) % "
                  r"training names and (\d+) different names, at (0\.\d\d)\. Even driven by the "
                  r"exact posterior those rules stayed at (0\.\d\d)–(0\.\d\d), against (0\.\d\d) "
                  r"for left to right", html)
    assert m, "section X's figures on the confidence rules are gone"
    p, d = trained("names", 160)  # the default recipe, random seed 0
    rows = lab.quality(p, d, n=400, temperature=1.0, seed=0)
    conf = ("confident", "confident_cosine", "llada", "threshold")
    confident = [r for r in rows if r["strategy"] in conf and r["steps"] >= 7]
    model = [r for r in confident if r["denoiser"] == "model"]
    oracle = [r for r in confident if r["denoiser"] == "oracle"]
    rand = next(r for r in rows if r["denoiser"] == "model" and r["strategy"] == "random"
                and r["steps"] == 40)
    l2r = next(r for r in rows if r["denoiser"] == "oracle" and r["strategy"] == "left_to_right")

    def span(rs, key, fmt):
        return fmt(min(r[key] for r in rs)), fmt(max(r[key] for r in rs))
    pct, two = (lambda x: f"{100 * x:.0f}"), (lambda x: f"{x:.2f}")
    got = (span(model, "training_share", pct) + span(model, "distinct", str)
           + span(model, "tv", two)
           + (pct(rand["training_share"]), str(rand["distinct"]), two(rand["tv"]))
           + span(oracle, "tv", two) + (two(l2r["tv"]),))
    assert got == m.groups(), " ".join(got)
