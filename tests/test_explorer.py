"""The evidence explorer in a real browser (issue 29): typed at with the keyboard as a reader
does, a filter changes the rows and the address, the address restores it, and the downloads
parse (csv with a header per column, bibtexparser, rispy, CSL-JSON). Expected counts are
worked out from the JSON the built site publishes, never pinned."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from conftest import need

bibtexparser = pytest.importorskip("bibtexparser")
rispy = pytest.importorskip("rispy")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)  # a phone
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def _words(value: str) -> str:  # as explorer.js labels a value
    text = value.replace("-", " ")
    return text[:1].upper() + text[1:]


def _loaded(pg, url: str) -> None:
    pg.goto(url)
    pg.wait_for_selector("#atlas-explorer[data-loaded]", timeout=20000)


def _rows(pg) -> int:
    return pg.locator(".atlas-explorer__rows tbody tr").count()


def _download(pg, button: str) -> str:
    pg.focus(f"button[data-download={button}]")
    with pg.expect_download() as info:
        pg.keyboard.press("Enter")
    return open(info.value.path(), encoding="utf-8").read()


def test_a_filter_changes_rows_and_address_which_restores_it_and_downloads_parse(page, site_url, built_site):
    studies = json.loads((built_site / "data" / "studies.json").read_text(encoding="utf-8"))
    outcomes = json.loads((built_site / "data" / "outcomes.json").read_text(encoding="utf-8"))
    # the stage with fewest studies (but some): a filter that must leave fewer rows than all
    stage, expected = min(Counter(s["stage"] for s in studies).items(), key=lambda kv: (kv[1], kv[0]))
    assert expected < len(studies)
    stage_of = {s["id"]: s["stage"] for s in studies}
    url = site_url + "explorer/"
    _loaded(page, url)
    assert _rows(page) == len(studies)

    page.focus("#explorer-stage")
    page.keyboard.type(_words(stage))  # a closed <select> takes the typed label, as for a reader
    page.wait_for_function(f"document.querySelectorAll('.atlas-explorer__rows tbody tr').length === {expected}")
    assert f"stage={stage}" in page.url
    assert page.inner_text("[data-explorer-status]").startswith(f"{expected} of {len(studies)} studies")

    page.focus("#explorer-view-studies")
    page.keyboard.press("ArrowRight")  # the radio group: to 'Outcomes'
    in_stage = [o for o in outcomes if stage_of[o["study"]] == stage]
    page.wait_for_function(f"document.querySelectorAll('.atlas-explorer__rows tbody tr').length === {len(in_stage)}")
    assert "view=outcomes" in page.url and f"stage={stage}" in page.url
    shared = page.url

    restored = page.context.new_page()
    restored.errors = []
    restored.on("pageerror", lambda e: restored.errors.append(str(e)))
    _loaded(restored, shared)
    assert restored.locator("#explorer-stage").input_value() == stage
    assert restored.locator("#explorer-view-outcomes").is_checked()
    assert _rows(restored) == len(in_stage)

    rows = list(csv.DictReader(io.StringIO(_download(restored, "csv"))))
    assert len(rows) == len(in_stage)
    header = list(rows[0])
    assert all(h.strip() for h in header) and len(set(header)) == len(header)  # a header per column
    assert {r["study"] for r in rows} == {o["study"] for o in in_stage}

    cited = []
    for o in in_stage:
        cited.extend(k for k in o["references"].split("; ") if k and k not in cited)
    library = bibtexparser.parse_string(_download(restored, "bib"))
    assert not library.failed_blocks
    assert sorted(e.key for e in library.entries) == sorted(cited)
    assert sorted(e["id"] for e in rispy.loads(_download(restored, "ris"))) == sorted(cited)
    assert sorted(item["id"] for item in json.loads(_download(restored, "csl"))) == sorted(cited)
    assert not page.errors and not restored.errors


def test_the_year_and_a_second_filter_narrow_the_rows_and_clearing_shows_all(page, site_url, built_site):
    studies = json.loads((built_site / "data" / "studies.json").read_text(encoding="utf-8"))
    years = sorted({s["year"] for s in studies})
    since = years[len(years) // 2]
    _loaded(page, site_url + "explorer/")
    page.focus("#explorer-year_from")
    page.keyboard.type(str(since))
    expected = sum(1 for s in studies if s["year"] >= since)
    page.wait_for_function(f"document.querySelectorAll('.atlas-explorer__rows tbody tr').length === {expected}")
    assert f"year_from={since}" in page.url
    page.focus("button:has-text('Clear the filters')")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.atlas-explorer__rows tbody tr').length === {len(studies)}")
    assert "year_from" not in page.url


def test_a_forged_address_shows_everything_and_runs_nothing(page, site_url, built_site):
    studies = json.loads((built_site / "data" / "studies.json").read_text(encoding="utf-8"))
    _loaded(page, site_url + "explorer/?stage=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&year_from=abc")
    assert _rows(page) == len(studies)  # an unknown value is no filter
    assert page.locator("#atlas-explorer img").count() == 0 and not page.errors


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_explorer_has_no_serious_accessibility_violations(browser, site_url, scheme):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        need(False, "axe-playwright-python is not installed")
    context = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
    pg = context.new_page()
    _loaded(pg, site_url + "explorer/?view=outcomes")  # filters, buttons and a filled table
    result = Axe().run(pg)
    context.close()
    problems = [f"{v['id']} [{v['impact']}] {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not problems, "\n".join(problems)
