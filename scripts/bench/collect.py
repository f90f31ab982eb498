"""The browser half of the bench: every page measurement, interleaved run by run."""

from __future__ import annotations

from . import browser as br
from .lab import lab_browser
from .util import summary

# Candidate recipes timed through the engine (the default is chosen by time to quality).
SWEEP = [("default", {"epochs": 140}), ("default", {"epochs": 200}),
         ("default", {"epochs": 160, "lr": 0.1})]
# Cold boots are the noisiest figure (a ready time moves by 10-20 % from one to the next):
# two pairs of boots (ours and the bare runtime, in alternating order) per run.
BOOT_PAIRS_PER_RUN = 2


def _ratio(a, b):
    return a / b if a is not None and b else None


def warm_summary(warm: dict[str, list[float]]) -> dict:
    """Our warm reloads ("ours") and the bare runtime loaded again ("bare"), in seconds:
    the summary of each and the ratio of their medians (None where a side has no run)."""
    ours, bare = summary(warm["ours"]), summary(warm["bare"])
    ratio = summary([ours["median"] / bare["median"]]) if ours and bare else None
    return {"ready_warm_s": ours, "bare_warm_s": bare, "ready_warm_x_bare": ratio}


def browser_all(runs: int, quick: bool) -> dict:
    b = br.Browser()
    out = {"chromium": b.version, "reference_found": b.reference is not None}
    acc: dict[str, list] = {}

    def add(key, value):
        acc.setdefault(key, []).append(value)

    try:
        for i in range(runs):
            for k in range(BOOT_PAIRS_PER_RUN):
                boot = br.boot_pair(b, first="bare" if (i + k) % 2 == 0 else "ours")
                add("bare_ready_s", boot["bare"])
                add("ready_cold_s", boot["ours"])
                add("ready_x_bare", boot["ours"] / boot["bare"])
                add("visible_ms", boot["visible"])
                add("names_seed_us_per_step", boot["step_names"])
                add("translate_seed_us_per_step", boot["step_translate"])
                acc.setdefault("stop_ms", []).extend(boot["stop"])
            for label, hash_ in (("default", "#seed=0"), ("seed", "#recipe=seed&seed=0")):
                ui = br.ui_train(b, hash_)
                ref = ui["reference"]["ms"] / 1000 if ui["reference"] else None
                add("reference_s", ref)
                add(f"ui_{label}_train_s", ui["train_s"])
                add(f"ui_{label}_x_reference", _ratio(ui["train_s"], ref))
                add(f"ui_{label}_x_floor", ui["x_floor"])
                if label == "default":
                    for k in ("generate_ms", "generate_idle_ms", "translate_s",
                              "translate_correct", "longest"):
                        add(k, ui[k])
                    add("observer_ok", ui["observer_ok"])
            for r in br.engine_runs(b, [("default", {}), ("seed", {})]):
                add(f"engine_{r['recipe']}_train_s", r["seconds"])
                add(f"engine_{r['recipe']}_x_floor", r["x_floor"])
                add(f"engine_{r['recipe']}_epochs", r["epochs"])
        ref = summary(acc.get("reference_s", []))
        for label in ("default", "seed"):
            med = summary(acc[f"engine_{label}_train_s"])
            out[f"engine_{label}_x_reference"] = (
                summary([med["median"] / ref["median"]]) if ref and med else None)
        out["observer_verified"] = all(acc.pop("observer_ok", [False]))
        out.update({k: summary(v) for k, v in acc.items()})
        out["recipe_sweep"] = br.engine_runs(b, SWEEP)
        out.update(warm_summary(br.warm_ready(b, runs)))
        out["memory_growth_mb"] = br.memory_growth(b, 5 if quick else 20)
        out["lab"] = lab_browser(b, runs)
    finally:
        b.close()
    return out
