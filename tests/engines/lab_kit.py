"""What the lab's engine tests share: one trained page per engine, the training names,
and a pattern check (tests/engines/test_lab_engines.py, test_lab_samplers_engines.py)."""
from __future__ import annotations

import re

SETUP = "#seed=7&epochs=200"
READY_S = 240  # WebKitGTK: 24-36 s on a loaded 2-core machine, over 150 s under very heavy load
TRAIN_DONE = ("document.querySelector('#epoch-readout').textContent.trim().startsWith('200')"
              " && document.querySelector('#stop').disabled"
              " && !document.querySelector('#train').disabled"
              # the page has settled: the bound measured after training is in
              " && document.querySelector('#elbo-readout').textContent"
              ".startsWith('Negative ELBO after training')")
L = 7  # a name's length in the built-in task
RULES = ["random", "confident", "confident_cosine", "llada", "remdm", "threshold", "left_to_right"]
NUM = r"(\d+\.\d+)"


def trained(pool, server, engine):
    """The engine's session with a names model trained on this page (trained on first use)."""
    page = pool.get(engine)
    done = pool.__dict__.setdefault("lab_trained", set())
    if engine not in done:
        page.open(server.url + SETUP)
        page.wait("document.querySelector('#status').dataset.state === 'ready'", READY_S)
        page.click("train")
        try:
            page.wait(TRAIN_DONE, 240)
        except TimeoutError as exc:  # say how far the run got: started, finished, measured
            state = page.js("['#epoch-readout', '#elbo-readout', '#train-message']"
                            ".map(s => (document.querySelector(s) || {}).textContent)"
                            ".concat([document.querySelector('#train').disabled,"
                            " document.querySelector('#stop').disabled])")
            raise TimeoutError(f"{exc}; epoch, bound, message, Train/Stop disabled: {state}") \
                from exc
        done.add(engine)
    return page


def training_names(page):
    names = page.texts("#names-list .entry")
    assert len(names) == 40 and all(re.fullmatch("[a-z]{1,7}", n) for n in names), names
    return names


def fits(name, pattern):
    """Does ``name``, padded with ``_``, agree with every visible character of ``pattern``?"""
    padded = name.ljust(len(pattern), "_")
    return len(padded) == len(pattern) and all(p in ("?", c) for p, c in zip(pattern, padded))
