import json
import subprocess
import sys

import pytest
from helpers import ROOT

from diffusion_core.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "diffusion_core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_train_json_reports_honest_numbers(tmp_path):
    out = tmp_path / "n.json"
    r = run("train", "--task", "names", "--epochs", "30", "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert set(obj) >= {"task", "recipe", "epochs", "final_loss", "eval_loss", "loss_floor",
                        "seconds", "steps_per_second"}
    assert obj["epochs"] == 30 and obj["eval_loss"] > obj["loss_floor"] > 0.35
    assert "epoch" in r.stderr  # progress goes to stderr
    s = run("sample", "--model", str(out), "--n", "5", "--json")
    assert s.returncode == 0, s.stderr
    assert len(json.loads(s.stdout)["samples"]) == 5


def test_floor_prints_the_exact_floor():
    r = run("floor", "--task", "names", "--json")
    assert r.returncode == 0
    assert 0.38 < json.loads(r.stdout)["mean"] < 0.41


@pytest.fixture(scope="module")
def translate_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "t.json"
    assert main(["train", "--task", "translate", "--epochs", "120", "--out", str(path),
                 "--json"]) == 0
    return str(path)


def test_translate_prints_answers(translate_model, capsys):
    assert main(["translate", "--model", translate_model, "hello", "water"]) == 0
    assert capsys.readouterr().out.splitlines() == ["hello > namaste", "water > paani"]


@pytest.mark.parametrize("args, fragment", [
    (["sample", "--model", "/nonexistent.json"], "cannot read"),
    (["train", "--lr", "100"], "--lr must be between"),
    (["train", "--epochs", "zero"], "--epochs must be a whole number"),
    (["sample", "--model", "x.json", "--steps", "0"], "--steps must be between"),
    (["sample", "--model", "x.json", "--temperature", "9"], "--temperature must be between"),
    (["train", "--task", "poems"], "invalid choice"),
])
def test_user_errors_exit_2_with_one_line(args, fragment, capsys):
    with pytest.raises(SystemExit) as e:
        raise SystemExit(main(args))  # argparse errors raise, the rest return 2
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_corrupt_model_file_and_bad_word_exit_2(tmp_path, translate_model, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert main(["sample", "--model", str(bad)]) == 2
    assert main(["translate", "--model", translate_model, "xylophone"]) == 2
    assert main(["translate", "--model", translate_model, "abcdefghijk"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(e.startswith("error: ") for e in err)
    assert "malformed JSON" in err[0] and "never seen" in err[1] and "at most" in err[2]


def test_a_names_model_is_not_a_translator(tmp_path, capsys):
    path = tmp_path / "n.json"
    assert main(["train", "--epochs", "2", "--out", str(path), "--json"]) == 0
    assert main(["translate", "--model", str(path), "hello"]) == 2
    assert "names, not on question>answer" in capsys.readouterr().err


@pytest.mark.parametrize("task", ["names", "translate"])
def test_train_in_text_mode_prints_every_line(task, capsys):
    assert main(["train", "--task", task, "--epochs", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{task}: 3 epochs in ") and "steps/s" in out[0]
    assert out[1].startswith("last epoch mean loss ")
    assert out[2].startswith("evaluated loss ") and "(floor " in out[2]
    assert ("x)" in out[2]) == (task == "names")  # no ratio to a floor of 0
    assert out[3:] == (["exact translations: " + out[3].split(": ")[1]]
                       if task == "translate" else [])
