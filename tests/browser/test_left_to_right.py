"""#15 part 5: a left-to-right model beside the reader's names model, through the page.
Its figures must be CPython's for the same recipe and random seed (parity)."""
import re

from conftest import wait_until

from diffusion_core import autoregressive, elbo
from diffusion_core.dataset import builtin
from diffusion_core.recipe import get_recipe
from diffusion_core.train import Trainer

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
ENDED = ("!document.querySelector('#ar-train').disabled"
         " && document.querySelector('#ar-train').textContent === 'Train left to right'")


def train_left_to_right(page):
    """Press Train left to right and wait for the run's end; it must end with the table
    (the message says why if not)."""
    page.click("#ar-train")
    assert page.is_disabled("#ar-train")  # running
    wait_until(page, ENDED, timeout=120_000)
    assert page.is_visible("#ar-table"), page.text_content("#ar-message")


def table(page):
    return page.evaluate("""[...document.querySelectorAll('#ar-table tbody tr')].map(
        tr => [...tr.children].map(c => c.textContent))""")


def test_train_left_to_right_reports_exact_likelihoods_as_cpython_does(ready):
    page = ready.page
    assert page.is_disabled("#ar-train")  # no names model yet
    assert "Train a names model first" in page.text_content("#ar-message")
    page.fill("#seed", "4")
    page.dispatch_event("#seed", "change")
    page.select_option("#recipe", "default")
    page.select_option("#epochs", "100")
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    assert page.is_disabled("#ar-train")  # not while the names model trains
    wait_until(page, TRAIN_DONE, timeout=120_000)
    wait_until(page, "!document.querySelector('#ar-train').disabled")
    page.evaluate("""window.__arSeen = []; new MutationObserver(() => __arSeen.push(
        document.querySelector('#ar-message').textContent)).observe(
        document.querySelector('#ar-message'), {childList: true, characterData: true, subtree: true})""")
    train_left_to_right(page)
    seen = page.evaluate("window.__arSeen")
    assert any(re.match(r"Training left to right: epoch \d+ of 100", m) for m in seen), seen
    message = page.text_content("#ar-message")
    m = re.fullmatch(r"Trained left to right: 100 epochs in \d+\.\d s, random seed 4, 27,466 weights, "
                     r"as many as your model's\. (\d+) of the 12 names below are training names; "
                     r"each took 7 network calls\.", message)
    assert m, message
    rows = table(page)
    assert [r[0] for r in rows] == ["Left to right, trained just now (100 epochs)",
                                    "Your diffusion model (100 epochs), read left to right",
                                    "Your diffusion model (100 epochs)", "The data itself"]
    assert [r[3] for r in rows] == ["7", "7", "7, one per position (Generate's default takes 10 steps)", "–"]
    assert rows[1][2] == "exact negative log-likelihood, before the word rules"
    # CPython, same data, recipe and seed: the same figures to the shown decimals
    d = builtin("names")
    r = get_recipe("names", "default", epochs=100)
    ar = Trainer(d, r, seed=4, objective="left_to_right")
    ar.run(100)
    dm = Trainer(d, r, seed=4)
    dm.run(100)
    bound = elbo.precise(dm.params, d)
    assert rows[0][1] == f"{autoregressive.nll(ar.params, d).bits_per_char:.3f}"
    assert rows[1][1] == f"{autoregressive.nll(dm.params, d).bits_per_char:.3f}"
    assert rows[2][1].startswith(f"{bound.bits_per_char:.3f} ± ")
    assert rows[3][1] == "0.760"
    assert float(rows[3][1]) <= float(rows[0][1]) and float(rows[3][1]) <= float(rows[1][1])
    # twelve names, a new one in italics
    names = page.evaluate("""[...document.querySelectorAll('#ar-names li')].map(li => [li.textContent,
        li.classList.contains('is-new'), getComputedStyle(li).fontStyle])""")
    training = set(d.entries)
    assert len(names) == 12
    assert all(new == (text not in training) and (style == "italic") == new for text, new, style in names)
    spoken = page.get_attribute("#ar-names", "aria-label")  # new names are said to be new
    assert spoken.count("(new)") == sum(new for _, new, _ in names), spoken
    assert sum(not new for _, new, _ in names) == int(m.group(1))
    # a new run of the names model makes the comparison stale: it goes
    page.click("#more")
    wait_until(page, "document.querySelector('#ar-table').hidden"
                     " && document.querySelectorAll('#ar-names li').length === 0")
    wait_until(page, TRAIN_DONE, timeout=120_000)
    assert page.text_content("#ar-message").startswith("Press Train left to right")
    ready.check_clean()


def test_a_run_stopped_by_reset_says_so_and_leaves_no_table(ready):
    page = ready.page
    page.select_option("#recipe", "default")
    page.select_option("#epochs", "100")
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    wait_until(page, TRAIN_DONE, timeout=120_000)
    wait_until(page, "!document.querySelector('#ar-train').disabled")
    train_left_to_right(page)
    # a second run, then Reset while it trains: its progress must not overwrite "Stopped"
    page.click("#ar-train")
    assert page.is_hidden("#ar-table") and page.locator("#ar-names li").count() == 0
    wait_until(page, "document.querySelector('#ar-message').textContent.startsWith('Training left to right: epoch')")
    page.click("#reset")
    wait_until(page, "document.querySelector('#ar-message').textContent"
                     " === 'Stopped: the names model was replaced.'")
    page.wait_for_timeout(600)  # chunks still in flight when Reset came
    assert page.text_content("#ar-message") == "Stopped: the names model was replaced."
    assert page.is_hidden("#ar-table") and page.is_disabled("#ar-train")
    ready.check_clean()
