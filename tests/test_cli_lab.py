"""The lab's commands: elbo, lab, sample --pattern (one-line errors, exit code 2)."""
import json
import math
import subprocess
import sys

import pytest
from helpers import ROOT

from diffusion_core.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "diffusion_core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def names_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "n.json"
    assert main(["train", "--task", "names", "--epochs", "60", "--out", str(path),
                 "--json"]) == 0
    return str(path)


def test_elbo_of_the_oracle_is_the_entropy_of_the_names():
    r = run("elbo", "--oracle", "--task", "names", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert abs(out["bits_per_char"] - math.log2(40) / 7) < 1e-9 and out["stderr"] == 0.0
    assert out["entropy_bits_per_char"] == pytest.approx(math.log2(40) / 7, abs=1e-12)


def test_elbo_of_a_model_has_a_standard_error(names_model):
    r = run("elbo", "--model", names_model, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"bits_per_char", "stderr", "entropy_bits_per_char"}
    assert 0 < out["stderr"] < 0.01 and out["bits_per_char"] > out["entropy_bits_per_char"]
    text = run("elbo", "--model", names_model, "--live")
    assert text.returncode == 0 and "bits per character" in text.stdout


def test_sample_with_a_pattern_fills_it_beside_the_oracle(names_model):
    r = run("sample", "--model", names_model, "--pattern", "r???l", "--n", "5", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["model"]) == 5 and out["fitting"] == ["rahul"]
    assert all(len(a["text"]) == 5 and a["text"][0] == "r" for a in out["model"])
    assert all(a == {"text": "rahul", "training": True} for a in out["oracle"])


@pytest.mark.parametrize("pattern, message", [("a?9", "'9' is not allowed"),
                                              ("????????", "at most 7 fit"),
                                              ("", "the pattern is empty")])
def test_a_bad_pattern_is_one_line_and_exit_code_2(names_model, pattern, message):
    r = run("sample", "--model", names_model, "--pattern", pattern)
    assert r.returncode == 2 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_no_fitting_name_is_said_not_failed(names_model):
    r = run("sample", "--model", names_model, "--pattern", "kk???", "--n", "2")
    assert r.returncode == 0 and "no training name fits kk???" in r.stdout


def test_lab_prints_the_quality_table(names_model):
    r = run("lab", "--model", names_model, "--n", "16", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert len(rows) == 2 * 7 * 7 and {r["steps"] for r in rows} == {1, 2, 4, 7, 10, 20, 40}
    o = {(r["denoiser"], r["strategy"], r["steps"]): r for r in rows}
    assert o[("oracle", "left_to_right", 7)]["training_share"] == 1.0


def test_left_to_right_trains_the_same_network_and_reports_exact_likelihoods(names_model):
    r = run("left-to-right", "--model", names_model, "--n", "6", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    entropy = out["left_to_right"]["entropy_bits_per_char"]
    assert entropy == pytest.approx(math.log2(40) / 7, abs=1e-12)
    assert entropy <= out["left_to_right"]["bits_per_char"]
    assert entropy <= out["diffusion_left_to_right"]
    assert out["diffusion_nelbo"]["bits_per_char"] > entropy and out["epochs"] == 60
    assert len(out["samples"]) == 6 and out["left_to_right"]["nfe_per_sample"] == 7
    text = run("left-to-right", "--model", names_model)
    assert text.returncode == 0 and "left to right, exact NLL" in text.stdout
    bad = run("left-to-right", "--model", names_model, "--n", "0")
    assert bad.returncode == 2 and "--n" in bad.stderr
