"""The first screen as the HTML writes it is what the scripts leave there (#12: no layout shift).

Whatever the page's modules fill into the hero (the reading time, the data's counts)
must already be written in index.html: a change after the first paint moves the text.
"""
from conftest import open_page, page_without_scripts, wait_ready, wait_until

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


def test_the_page_draws_its_text_in_the_fonts_it_ships(browser, server):
    """The faces used only below the first screen are `swap`: drawn whenever they arrive.
    The first screen's faces are preloaded and `optional`: drawn when they are there for
    the first layout, as on every visit the service worker answers. (On a slow first
    visit the fallback stays for that visit, and no text moves; an optional face that is
    not preloaded misses the first layout on every visit and is never drawn.)"""
    w = open_page(browser, server, service_workers="allow")
    try:
        page = w.page
        page.locator("#one-token .mono").first.scroll_into_view_if_needed()
        wait_until(page, "document.fonts.status === 'loaded'")
        assert drawn_with(page, "#one-token .mono") == ["JetBrains Mono"]
        wait_ready(page)  # the page registers its service worker once Python is ready
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # the second visit: the service worker answers from its cache
        wait_until(page, "navigator.serviceWorker.controller !== null"
                         " && performance.getEntriesByName('page-built').length > 0")
        wait_until(page, "document.fonts.status === 'loaded'")
        assert drawn_with(page, ".hero .abstract") == ["Source Serif 4"]
        assert drawn_with(page, ".hero h1") == ["Source Serif 4 SemiBold"]
        assert drawn_with(page, ".hero .meta") == ["Inter"]
        w.check_clean()
    finally:
        w.context.close()
