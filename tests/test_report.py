"""The report in a real headless browser (the system's Chromium, driven by Playwright).

The browser is installed by tools/install-browser (CI runs it); without it these tests fail with
that instruction rather than skip, since the report's promises can only be checked in a browser.
A screenshot of the seeds report is kept in test-artifacts/.
"""

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run `bash tools/install-browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


class Page:
    """A page opened from disk, recording console messages, errors, dialogs and requests."""

    def __init__(self, browser, path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console, self.errors, self.dialogs, self.requests = [], [], [], []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.as_uri()
        self.page.goto(self.url)

    def visible_rows(self):
        return self.page.locator("#statements-table tbody tr:not([hidden])")


@pytest.fixture(scope="module")
def seeds_page(browser, seeds_out):
    page = Page(browser, seeds_out / "summary.html")
    yield page
    page.page.close()


def test_page_renders_without_errors_or_requests_and_is_screenshotted(seeds_page):
    ARTIFACTS.mkdir(exist_ok=True)
    seeds_page.page.screenshot(path=str(ARTIFACTS / "summary.png"), full_page=True)
    assert seeds_page.errors == []
    assert [m for m in seeds_page.console if m.startswith(("error", "warning"))] == []
    assert seeds_page.requests == [seeds_page.url]  # the page itself, nothing else
    assert (ARTIFACTS / "summary.png").stat().st_size > 10_000


def test_every_roster_speaker_with_statements_is_shown(seeds_page, seeds_out, params):
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    with_statements = {str(s) for s in statements.loc[statements["in_roster"], "speaker"]}
    assert len(with_statements) >= 4
    for speaker_id in with_statements:
        section = seeds_page.page.locator(f"#speaker-{speaker_id}")
        assert section.is_visible()
        assert params.roster[speaker_id].name in section.inner_text()
    charts = seeds_page.page.locator("div.chart svg")
    assert charts.count() == 4  # stance (one target), sentiment, over time, statements per document


def test_the_filter_shows_only_the_chosen_speaker_and_stance(seeds_page, seeds_out):
    page = seeds_page.page
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    stances = pd.read_parquet(seeds_out / "stances.parquet")
    total = len(statements)
    assert seeds_page.visible_rows().count() == total

    page.select_option("select[data-filter=speaker]", "trump")
    trump = int((statements["speaker"] == "trump").sum())
    assert 0 < trump < total
    assert seeds_page.visible_rows().count() == trump
    assert set(seeds_page.visible_rows().evaluate_all("rows => rows.map(r => r.dataset.speaker)")) == {"trump"}
    assert page.inner_text("#statements-count") == f"{trump} of {total} statements shown"
    assert "speaker=trump" in page.url  # the filtered view is linkable

    against = stances[(stances["speaker"] == "trump") & (stances["stance"] == "against")]
    page.select_option("select[data-filter=stance_tomahawk_transfer]", "against")
    assert seeds_page.visible_rows().count() == len(against)

    page.click("#statements-reset")
    assert seeds_page.visible_rows().count() == total


def test_figures_link_to_the_statements_behind_them(seeds_page, seeds_out):
    page = seeds_page.page
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    putin = int((statements["speaker"] == "putin").sum())
    page.click("#speaker-putin + p a")  # "N statements" in Putin's section
    page.wait_for_function("document.querySelector('select[data-filter=speaker]').value === 'putin'")
    assert seeds_page.visible_rows().count() == putin
    # a bar of the stance chart: an SVG link into the same filter
    bar = page.locator("div.chart svg a").first
    href = bar.get_attribute("href") or bar.get_attribute("xlink:href")
    assert href.startswith("#statements?speaker=")
    page.evaluate("h => { location.hash = h; }", href)
    speaker = href.split("speaker=")[1].split("&")[0]
    page.wait_for_function(f"document.querySelector('select[data-filter=speaker]').value === '{speaker}'")
    assert set(seeds_page.visible_rows().evaluate_all("rows => rows.map(r => r.dataset.speaker)")) == {speaker}


def test_a_stance_with_no_statements_draws_no_bar_and_no_link():
    from newsstance.analysis.charts import stance_chart

    row = {
        "speaker": "peskov",
        "speaker_name": "Dmitry Peskov",
        "target": "t",
        "n_statements": 4,
        "uncertain": True,
        "share_favor": 0.0,
        "share_favor_low": 0.0,
        "share_favor_high": 0.49,
        "share_against": 0.75,
        "share_against_low": 0.3,
        "share_against_high": 0.95,
    }
    svg = stance_chart(pd.DataFrame([row]), "t")
    assert "stance_t=against" in svg and "stance_t=favor" not in svg


def test_a_name_with_characters_xml_cannot_hold_draws_a_chart_instead_of_aborting():
    """A form feed in a non-roster speaker's name (found by benchmarks/fuzz.py) made vl-convert panic
    and abort the process; in a child process here, so an abort fails this test, not the suite."""
    script = (
        "import pandas as pd\n"
        "from newsstance.analysis.charts import statements_chart\n"
        "rows = pd.DataFrame({'doc_id': ['d\\x0b1', 'd2'], 'speaker': ['x', 'y'], 'speaker_name': ['Anna\\x0cSmith', 'B\\x01']})\n"
        "svg, _ = statements_chart(rows, 10)\n"
        "print('Anna\\ufffdSmith' in svg and '\\x0c' not in svg)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"


def test_sorting_by_sentiment_orders_the_rows(seeds_page):
    page = seeds_page.page
    page.click("#statements-reset")
    page.click("#statements-table th:nth-child(4) button")
    scores = page.locator("#statements-table tbody tr td:nth-child(4)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.sort))"
    )
    assert scores == sorted(scores) and len(set(scores)) > 1
    page.click("#statements-table th:nth-child(4) button")
    scores = page.locator("#statements-table tbody tr td:nth-child(4)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.sort))"
    )
    assert scores == sorted(scores, reverse=True)


def test_hostile_article_and_file_name_run_nothing(browser, hostile_out):
    page = Page(browser, hostile_out / "summary.html")
    try:
        assert page.dialogs == [] and page.errors == []
        assert page.requests == [page.url]  # <img src=x> was never fetched
        table = page.page.inner_text("#statements-table")
        assert "<script>alert(1)</script>" in table and "<img src=x onerror=alert(2)>" in table
        assert page.page.locator("#rejected").inner_text().count("empty.txt") == 1
        assert "latin.txt" in page.page.locator("#noted").inner_text()
        assert "decoded as cp1252" in page.page.locator("#noted").inner_text()
    finally:
        page.page.close()


@pytest.mark.parametrize(
    "svg, ok",
    [
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><text aria-label="&lt;img onerror=1&gt;">&lt;img onerror=1&gt;</text>'
            '<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="#statements?speaker=putin"/></svg>',
            True,
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"><a href="https://example.org/"/></svg>', False),
        ('<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"/></svg>', False),
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', False),
        ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', False),
    ],
)
def test_chart_svg_is_checked_before_it_is_embedded(svg, ok):
    from newsstance.analysis.page import safe_svg

    if ok:
        assert safe_svg(svg) == svg
    else:
        with pytest.raises(ValueError, match="could run or leave the page"):
            safe_svg(svg)


def test_the_table_keeps_linked_quotes_then_roster_statements_when_capped():
    from newsstance.analysis.page import table_positions

    in_roster = np.array([i % 2 == 0 for i in range(10)])
    quoted = {7, 9}  # the page links to these two
    assert table_positions(in_roster, quoted, 10).tolist() == list(range(10))
    # both quoted rows, then the first roster rows, back in document order
    assert table_positions(in_roster, quoted, 5).tolist() == [0, 2, 4, 7, 9]
    assert table_positions(in_roster, quoted, 1).tolist() == [7, 9]  # links never break


def test_a_capped_page_says_what_it_left_out_and_keeps_every_linked_quote(seeds_out, params, tmp_path):
    import re

    from stages.report import run

    capped = params.model_copy(update={"report": params.report.model_copy(update={"max_table_statements": 3})})
    run(seeds_out / "interim", seeds_out, tmp_path / "page.html", capped)
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    total = len(pd.read_parquet(seeds_out / "statements.parquet"))
    rows = re.findall(r'<tr id="(st-\d+)"', html)
    linked = set(re.findall(r'<a href="#(st-\d+)">evidence</a>', html))
    assert linked and linked <= set(rows)  # no quote links to a row the page left out
    assert len(rows) == max(3, len(linked)) < total
    assert f"The table holds {len(rows)} of {total} statements" in html


def test_each_row_shows_its_own_sentence_with_mention_cue_and_content_marked(seeds_out, params, tmp_path):
    """The evidence is cut only for the rows the page shows, so check a capped page: each row's
    cell is its statement's sentence, with the statement's own spans highlighted."""
    import html as html_lib
    import re

    from stages.report import run

    capped = params.model_copy(update={"report": params.report.model_copy(update={"max_table_statements": 4})})
    run(seeds_out / "interim", seeds_out, tmp_path / "page.html", capped)
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    texts = dict(pd.read_parquet(seeds_out / "interim" / "documents.parquet", columns=["doc_id", "text"]).values)
    rows = dict(re.findall(r'<tr id="st-(\d+)"(.*?)</tr>', page, flags=re.S))
    assert 4 <= len(rows) < len(statements)
    for i, row in rows.items():
        st = statements.iloc[int(i)]
        text = texts[st["doc_id"]]
        cell = re.findall(r"<td>(.*?)</td>", row, flags=re.S)[-1]  # the evidence, the row's last cell
        marks = dict((role, html_lib.unescape(t)) for role, t in re.findall(r'<mark class="(\w+)">(.*?)</mark>', cell))
        assert html_lib.unescape(re.sub(r"</?mark[^>]*>", "", cell)) == text[st["start"] : st["end"]]
        assert marks["content"] == text[st["content_start"] : st["content_end"]]
        if "cue" in marks:
            assert marks["cue"] == text[st["cue_start"] : st["cue_end"]]
