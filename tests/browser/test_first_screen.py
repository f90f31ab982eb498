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
