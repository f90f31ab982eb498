"""One address holds the section anchor and the shared settings (#12, point 1).

Navigation (a contents link, the skip link, an anchor typed into the address)
never resets the reader's settings, the anchor stays in the address, and a page
opened at an anchor scrolls there, with or without settings beside it.
"""
import pytest
from conftest import open_page, wait_until


def settings(page):
    return {
        "lr": page.inner_text("#lr-value").strip().split(" ")[0].rstrip(","),  # "0.1 → 0, cosine"
        "temperature": page.input_value("#temperature"),
        "order": page.input_value("#order"),
    }


def set_three(page):
    page.fill("#lr", "6")  # the slider steps through 0.0001, 0.0003, ..., 1: index 6 is 0.1
    page.fill("#temperature", "1.5")
    page.select_option("#order", "confident")
    wait_until(page, "location.hash.includes('order=confident')")
    assert settings(page) == {"lr": "0.1", "temperature": "1.5", "order": "confident"}


def top_of(page, element_id):
    return page.evaluate(f"document.getElementById('{element_id}').getBoundingClientRect().top")


@pytest.fixture
def fresh(watched):
    """A page opened at the site's bare address, checked clean afterwards (conftest)."""
    return watched


def test_contents_links_keep_the_settings_and_the_anchor(fresh):
    page = fresh.page
    set_three(page)
    for link, anchor in [("The model", "model"), ("Train in your browser", "train-section"),
                         ("Denoise step by step", "denoise")]:
        page.locator(".toc").get_by_role("link", name=link, exact=True).click()
        wait_until(page, f"location.hash.startsWith('#{anchor}&')")
        assert settings(page) == {"lr": "0.1", "temperature": "1.5", "order": "confident"}
        h = page.evaluate("location.hash")
        for part in ["lr=0.1", "temperature=1.5", "order=confident"]:
            assert part in h, (link, h)
        assert page.is_hidden("#hash-note"), page.inner_text("#hash-note")
        assert abs(top_of(page, anchor)) < 5, (anchor, top_of(page, anchor))


def test_the_skip_link_keeps_the_settings(fresh):
    page = fresh.page
    set_three(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.click(".kicker")  # focus navigation starts here, just after the skip link
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the article"
    page.keyboard.press("Enter")
    wait_until(page, "location.hash.startsWith('#article&')")
    assert settings(page) == {"lr": "0.1", "temperature": "1.5", "order": "confident"}
    assert page.is_hidden("#hash-note")


def test_an_anchor_typed_into_the_address_keeps_the_settings(fresh):
    page = fresh.page
    set_three(page)
    page.evaluate("location.hash = '#denoise'")
    wait_until(page, "location.hash.startsWith('#denoise&')")
    assert settings(page) == {"lr": "0.1", "temperature": "1.5", "order": "confident"}
    # a hash that names a setting sets only that one
    page.evaluate("location.hash = '#steps=6'")
    wait_until(page, "document.querySelector('#steps').value === '6'")
    assert settings(page) == {"lr": "0.1", "temperature": "1.5", "order": "confident"}


@pytest.mark.parametrize("hash_, temperature", [("#train-section", "0.8"),
                                                ("#train-section&temperature=1.5", "1.5")])
def test_opening_the_page_at_an_anchor_scrolls_there(browser, server, hash_, temperature):
    w = open_page(browser, server, hash_, viewport={"width": 1000, "height": 700})
    try:
        page = w.page
        page.wait_for_selector(".katex", timeout=10_000)  # the layout above has settled
        page.evaluate("document.fonts.ready")
        wait_until(page, "Math.abs(document.getElementById('train-section')"
                         ".getBoundingClientRect().top) < 5", timeout=5_000)
        assert page.input_value("#temperature") == temperature
        assert page.evaluate("location.hash") == hash_
        assert page.is_hidden("#hash-note")
        w.check_clean()
    finally:
        w.context.close()


def test_a_setting_change_keeps_the_anchor(browser, server):
    w = open_page(browser, server, "#answers")
    try:
        page = w.page
        page.fill("#tr-steps", "7")
        wait_until(page, "location.hash === '#answers&tr_steps=7'")
        w.check_clean()
    finally:
        w.context.close()


# How the article names each setting the address keeps (site/js/state.js PROPS).
SHARED_IN_WORDS = {"recipe": "recipe", "lr": "learning rate", "epochs": "epochs",
                   "seed": "random seed", "weighting": "loss weighting", "steps": "steps",
                   "temperature": "temperature", "order": "reveal order",
                   "tr_steps": "translator's steps", "tr_temperature": "temperature",
                   "sampler": "lab's sampler", "budget": "step budget", "denoiser": "denoiser"}


def test_the_article_names_every_setting_the_address_keeps(browser, server):
    w = open_page(browser, server)
    try:
        page = w.page
        names = page.evaluate("import('./js/state.js').then(m => m.PROPS.map(p => p.name))")
        assert sorted(names) == sorted(SHARED_IN_WORDS), names
        text = page.inner_text("#share-setup")
        assert [n for n, words in SHARED_IN_WORDS.items() if words not in text] == [], text
        w.check_clean()
    finally:
        w.context.close()


def test_the_labs_choices_live_in_the_address_and_survive_a_reload(browser, server):
    w = open_page(browser, server)
    try:
        page = w.page
        page.select_option("#lab-sampler", "llada")
        page.select_option("#compare-steps", "20")
        page.select_option("#compare-denoiser", "oracle")
        wait_until(page, "location.hash.includes('denoiser=oracle')")
        assert "sampler=llada" in page.url and "budget=20" in page.url, page.url
        page.click(".toc a[href='#samplers']")  # a contents link keeps them
        wait_until(page, "location.hash.startsWith('#samplers&')")
        assert "denoiser=oracle" in page.url, page.url
        page.reload()
        wait_until(page, "performance.getEntriesByName('page-built').length > 0")
        assert [page.input_value(s) for s in ("#lab-sampler", "#compare-steps",
                                              "#compare-denoiser")] == ["llada", "20", "oracle"]
        # a link that names a rule outlines it in the quality plot's legend too
        page.evaluate("location.hash = 'sampler=remdm'")
        wait_until(page, "document.querySelector('#lab-sampler').value === 'remdm'")
        wait_until(page, "document.querySelector('#quality-rule').textContent"
                         " === 'Remasking committed characters'")
        assert page.input_value("#quality-highlight") == "remdm"
        # the quality plot's own menu is the same choice: it moves section IX's and the address
        page.select_option("#quality-highlight", "threshold")
        wait_until(page, "location.hash.includes('sampler=threshold')")
        assert page.input_value("#lab-sampler") == "threshold"
        assert page.text_content("#quality-rule") == "Confidence threshold, early stop"
        page.select_option("#lab-sampler", "left_to_right")
        wait_until(page, "document.querySelector('#quality-highlight').value === 'left_to_right'")
        assert "sampler=left_to_right" in page.url, page.url
        assert page.text_content("#quality-rule") == "Left to right"
        w.check_clean()
    finally:
        w.context.close()


def test_what_was_typed_in_the_lab_comes_back_after_a_reload(browser, server):
    """The boxes the address does not keep: this tab gets them back (sessionStorage); a new
    tab starts from the page's own values. Text goes back as text, never as markup."""
    w = open_page(browser, server)
    try:
        page = w.page
        bold = "document.querySelectorAll('b').length"
        bold_before = page.evaluate(bold)
        typed = {"#pattern": "??vya", "#answer-word": "food", "#word": "<b>x</b>"}
        for sel, text in typed.items():
            page.fill(sel, text)
        page.select_option("#quality-n", "64")
        page.select_option("#fill-n", "10")
        page.reload()
        wait_until(page, "performance.getEntriesByName('page-built').length > 0")
        assert {sel: page.input_value(sel) for sel in typed} == typed
        assert page.input_value("#quality-n") == "64" and page.input_value("#fill-n") == "10"
        assert page.evaluate(bold) == bold_before  # no element was made from the text
        other = w.context.new_page()  # a new tab: its own session
        other.goto(server.url)
        wait_until(other, "performance.getEntriesByName('page-built').length > 0")
        assert other.input_value("#pattern") == "r???l" and other.input_value("#word") == "hello"
        other.close()
        w.check_clean()
    finally:
        w.context.close()
