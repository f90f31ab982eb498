"""The hero's reading time is counted when the site is built (scripts/sitebuild/reading_time.py).

The figure is written into the HTML, so no script changes the first screen after it is
drawn, and no edit of the article leaves a stale hand-written figure.
"""
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from sitebuild.config import BuildError  # noqa: E402
from sitebuild.reading_time import (  # noqa: E402
    WORDS_PER_MINUTE,
    article_words,
    minutes,
    write_reading_time,
)

HERO = '<header><p><span id="reading-time">About 99 minutes</span> to read.</p></header>'


def page(body, hero=HERO):
    return f"<!doctype html><body>{hero}<main id=\"article\">{body}</main><footer>x y</footer>"


def test_only_the_articles_read_text_is_counted():
    body = ("<h2>One two</h2><p>three <em>four</em> five<br>six</p>"
            '<div class="math display" data-tex="a+b">a + b <span>c d</span></div>'
            "<script>let not = counted;</script><style>p { x: y }</style>"
            "<p>seven &amp; eight</p>")
    # the hero and the footer are outside the article; "&" is a word as a reader sees it
    assert article_words(page(body)) == 9


def test_an_end_tag_left_out_does_not_end_the_count():
    assert article_words(page("<ul><li>one two<li>three</ul><p>four<p>five")) == 5


def test_minutes_round_at_the_reading_rate_with_a_floor_of_five():
    assert minutes(28 * WORDS_PER_MINUTE) == 28
    assert minutes(28 * WORDS_PER_MINUTE + WORDS_PER_MINUTE // 2 + 1) == 29
    assert minutes(10) == 5


def test_the_build_writes_the_counted_minutes_into_the_hero(tmp_path):
    words = " ".join(["word"] * (12 * WORDS_PER_MINUTE))
    (tmp_path / "index.html").write_text(page(f"<p>{words}</p>"), encoding="utf-8")
    assert write_reading_time(tmp_path) == 12
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<span id="reading-time">About 12 minutes</span> to read.' in html
    assert "99 minutes" not in html


@pytest.mark.parametrize("hero", ["", HERO + HERO], ids=["missing", "twice"])
def test_the_build_fails_without_exactly_one_reading_time(tmp_path, hero):
    (tmp_path / "index.html").write_text(page("<p>text</p>", hero), encoding="utf-8")
    with pytest.raises(BuildError, match="reading-time"):
        write_reading_time(tmp_path)


def test_the_built_page_states_the_articles_own_reading_time():
    source = (ROOT / "site" / "index.html").read_text(encoding="utf-8")
    built = ROOT / "dist" / "index.html"
    if not built.exists():
        pytest.skip("dist/ is not built (make test builds it first)")
    expected = f'<span id="reading-time">About {minutes(article_words(source))} minutes</span>'
    assert expected in built.read_text(encoding="utf-8")
