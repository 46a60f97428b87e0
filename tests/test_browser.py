"""What a reader sees, decided in a real browser: Playwright driving Debian's Chromium
against the built site served on localhost by the test itself."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from search_harness import Server  # one Chromium and one set of flags for every browser test

PAGE_KINDS = {
    "home": "",
    "class": "classes/undifferentiated-msc-therapy/",
    "study": "studies/hu-2013/",
    "trial": "trials/nct04786262/",
    "trials": "trials/",
    "living-with": "living-with-type-1-diabetes/",
    "limitation": "limitations/teratoma-risk/",
    "bibliography": "bibliography/",
    "evidence": "evidence/",
    "glossary": "glossary/",
}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


# Search: tests/test_search.py types the reader queries of tests/search/relevance.yaml.


# --- accessibility --------------------------------------------------------------------------

# Accessibility (axe-core, every impact, phone and desktop, both schemes) and screenshots of
# every page kind: tests/test_layout.py.


# --- offline, console ----------------------------------------------------------------------

def test_pages_request_nothing_from_other_hosts_and_log_no_errors(page, site_url):
    host = urlsplit(site_url).netloc
    foreign, errors = [], []
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (host, "") and not r.url.startswith(("data:", "blob:")) else None)
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    for path in list(PAGE_KINDS.values()) + ["data/", "cell-sources/", "models/", "sites/omentum/", "products/vc-02/"]:
        page.goto(site_url + path, wait_until="networkidle")
    assert not foreign, foreign[:10]
    assert not errors, errors[:10]


# --- safety: hostile data never runs ------------------------------------------------------

def test_hostile_fixture_runs_nothing_in_the_browser(browser, hostile_site):
    server = Server(hostile_site)
    url = server.url
    try:
        context = browser.new_context()
        pg = context.new_page()
        dialogs, ran = [], []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.on("console", lambda m: ran.append(m.text) if "alert" in m.text else None)
        pages = ["", "classes/cell-class/", "studies/alpha-2020/", "trials/nct01234567/", "limitations/some-limit/",
                 "bibliography/", "evidence/", "glossary/"]
        for path in pages:
            pg.goto(url + path, wait_until="networkidle")
            pg.mouse.move(200, 300)
            for link in pg.locator("article a").all()[:40]:
                href = link.get_attribute("href") or ""
                assert not href.strip().lower().startswith("javascript:"), href
            handlers = pg.evaluate("() => [...document.querySelectorAll('article *')].filter(e => "
                                   "[...e.attributes].some(a => a.name.startsWith('on'))).length")
            assert handlers == 0, path
            assert pg.evaluate("() => document.querySelectorAll('article script').length") == 0
            assert "<script>" in pg.locator("article").inner_text() or path in ("", "evidence/"), path
        context.close()
    finally:
        server.stop()
    assert not dialogs, dialogs
    assert not ran


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    import yaml
    from test_site import FIXTURES, copy_project, mkdocs_build, poison
    root = copy_project(tmp_path_factory.mktemp("hostile-browser") / "proj", FIXTURES / "mini")
    for path in (root / "data").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        poison(data, path.parent.name)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = root / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr[-2000:]
    return out


# --- without JavaScript, and on a phone ------------------------------------------------------

def test_content_is_readable_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_url + "evidence/")
    matrix = pg.locator("#class-by-limitation ~ div.atlas-matrix table, #class-by-limitation ~ * table").first
    assert matrix.is_visible()
    assert pg.locator("table").count() >= 5
    text = pg.locator("article").inner_text()
    for words in ("Participants per clinical study", "Randomised", "Teratoma"):
        assert words.lower() in text.lower(), words
    for path, words in (("classes/undifferentiated-msc-therapy/", "Hu 2013"), ("studies/hu-2013/", "n = 15"),
                        ("bibliography/", "Cited by")):
        pg.goto(site_url + path)
        assert words in pg.locator("article").inner_text(), path
    context.close()


@pytest.mark.parametrize("path", ["evidence/", "classes/undifferentiated-msc-therapy/", "studies/hu-2013/", "bibliography/"])
def test_phone_viewport_keeps_the_layout(browser, site_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(site_url + path, wait_until="networkidle")
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    # wide tables scroll inside their own box rather than widening the page
    widths = pg.evaluate("() => [...document.querySelectorAll('article table')].map(t => "
                         "t.closest('.md-typeset__scrollwrap, .atlas-matrix') ? 0 : t.getBoundingClientRect().right - window.innerWidth)")
    assert all(w <= 1 for w in widths), widths
    context.close()


# --- screenshots, kept as test artefacts ---------------------------------------------------------

# --- registered trials: filters in the address, and "Could I take part?" (issue 24) --------------

@pytest.fixture(scope="module")
def trials_site(tmp_path_factory):
    """The small fixture corpus with three trials imported from hand-made API v2 files: one
    recruiting (United Kingdom, France), one not yet recruiting (Japan), one completed (Canada)."""
    from conftest import run_atlas
    from test_site import FIXTURES, copy_project, mkdocs_build
    root = copy_project(tmp_path_factory.mktemp("trials-browser") / "proj", FIXTURES / "mini")
    for name in ("search-result.json", "nct01234567-recruiting.json"):
        assert run_atlas(root, "import", "trials", str(FIXTURES / "ctgov" / name)).returncode == 0
    (root / "docs" / "living.md").write_text(
        "# Living with it\n\n## Could I take part? {#could-i-take-part}\n\n<!-- atlas:could-i-take-part -->\n",
        encoding="utf-8")
    out = root / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr[-2000:]
    server = Server(out)
    yield server.url
    server.stop()


def _phone(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)


def _shown(pg) -> list[str]:
    return pg.evaluate("() => [...document.querySelectorAll('.atlas-trials tbody tr')].filter(r => !r.hidden)"
                       ".map(r => r.cells[0].innerText.trim())")


def _choose(pg, name: str, label: str) -> None:
    """Pick an option as a person does with the keyboard: focus the list, arrow down to it."""
    select = pg.locator(f"form.atlas-trial-filters select[name={name}]")
    select.focus()
    labels = select.locator("option").all_inner_texts()
    target = next(i for i, text in enumerate(labels) if text.startswith(label))
    current = select.evaluate("s => s.selectedIndex")
    for _ in range(abs(target - current)):
        pg.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert select.evaluate("s => s.selectedIndex") == target


def test_trial_filters_change_the_rows_and_the_address_on_a_phone(browser, trials_site):
    context = _phone(browser)
    pg = context.new_page()
    pg.goto(trials_site + "trials/", wait_until="networkidle")
    assert pg.locator("form.atlas-trial-filters").is_visible()
    assert _shown(pg) == ["NCT01234567", "NCT07000001", "NCT07654321"]  # open trials first
    _choose(pg, "status", "Recruiting")
    assert _shown(pg) == ["NCT01234567"]
    assert "status=recruiting" in pg.url
    _choose(pg, "status", "Any")
    _choose(pg, "country", "Japan")
    assert _shown(pg) == ["NCT07000001"]
    assert "country=japan" in pg.url and "status=" not in pg.url
    _choose(pg, "country", "Any")
    _choose(pg, "phase", "Phase 1/2")
    assert _shown(pg) == ["NCT07654321"]
    _choose(pg, "phase", "Any")
    _choose(pg, "sort", "Last update")
    assert _shown(pg) == ["NCT07654321", "NCT01234567", "NCT07000001"]  # newest update first
    assert "sort=updated" in pg.url
    assert "3 of 3 trials shown" in pg.locator(".atlas-trial-count").inner_text()
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    context.close()


def test_trial_filters_are_restored_from_the_address(browser, trials_site):
    context = _phone(browser)
    pg = context.new_page()
    pg.goto(trials_site + "trials/?class=test-cell-class&country=united-kingdom", wait_until="networkidle")
    assert pg.locator("select[name=country]").input_value() == "united-kingdom"
    assert _shown(pg) == ["NCT01234567"]
    assert "1 of 3 trials shown" in pg.locator(".atlas-trial-count").inner_text()
    context.close()


def test_trials_list_works_without_javascript(browser, trials_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.goto(trials_site + "trials/")
    assert not pg.locator("form.atlas-trial-filters").is_visible()
    assert pg.locator(".atlas-trials tbody tr").count() == 3
    context.close()


def test_could_i_take_part_is_visible_on_a_phone(browser, trials_site):
    context = _phone(browser)
    pg = context.new_page()
    pg.goto(trials_site + "living/", wait_until="networkidle")
    section = pg.locator("#could-i-take-part")
    assert section.is_visible()
    text = pg.locator("article").inner_text()
    assert "NCT01234567" in text and "NCT07000001" in text and "NCT07654321" not in text
    assert "ask your diabetes team" in text
    pg.locator(".atlas-take-part li").first.scroll_into_view_if_needed()
    assert pg.locator(".atlas-take-part li").first.is_visible()
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    context.close()


def test_living_with_page_shows_could_i_take_part(browser, site_url):
    """The real page, whatever the trials of the day: the section and its reminder are there."""
    context = _phone(browser)
    pg = context.new_page()
    pg.goto(site_url + "living-with-type-1-diabetes/", wait_until="networkidle")
    heading = pg.locator("#could-i-take-part")
    heading.scroll_into_view_if_needed()
    assert heading.is_visible()
    assert "ask your diabetes team" in pg.locator("article").inner_text()
    context.close()
