"""The first screen as the HTML writes it is what the scripts leave there (#12: no layout shift).

Whatever the page's modules fill into the hero (the reading time, the data's counts)
must already be written in index.html: a change after the first paint moves the text.
"""
from conftest import page_without_scripts, wait_until

HERO = "[...document.querySelectorAll('header.hero [data-fill], #reading-time')].map(e => e.textContent)"


def test_the_hero_text_does_not_change_once_the_scripts_run(browser, server):
    with page_without_scripts(browser, server) as page:
        written = page.evaluate(HERO)
    live = browser.new_context(service_workers="block")
    try:
        page = live.new_page()
        page.goto(server.url)
        wait_until(page, "performance.getEntriesByName('widgets-ready').length > 0")
        page.wait_for_load_state("load")
        assert len(written) >= 3 and page.evaluate(HERO) == written
    finally:
        live.close()


def drawn_with(page, selector):
    """The fonts Chromium actually drew `selector`'s text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


def test_the_page_draws_its_text_in_the_fonts_it_ships(watched):
    # The first screen's faces are preloaded and optional: used for the first layout. The
    # faces used only further down swap in when they arrive (an optional face that misses
    # the first layout is never used, not even from the cache).
    page = watched.page
    wait_until(page, "document.fonts.status === 'loaded'")
    assert drawn_with(page, ".hero .abstract") == ["Source Serif 4"]
    assert drawn_with(page, ".hero h1") == ["Source Serif 4 SemiBold"]
    assert drawn_with(page, ".hero .meta") == ["Inter"]
    page.locator("#one-token .mono").first.scroll_into_view_if_needed()
    wait_until(page, "document.fonts.status === 'loaded'")
    assert drawn_with(page, "#one-token .mono") == ["JetBrains Mono"]
    watched.check_clean()
