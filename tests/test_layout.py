"""Every page on a phone, in real Chromium: nothing wider than the screen, no console
error, charts legible, citation previews by tap, keyboard and Escape. Screenshots of each
page kind at 390 and 1280 px, light and dark, go to test-artifacts/layout/."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, need

from atlas import charts

SHOTS = ROOT / "test-artifacts" / "layout"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
KINDS = {
    "home": "", "classes": "classes/", "class": "classes/msc-derived-ipcs/", "study": "studies/hu-2013/",
    "trial": "trials/nct04786262/", "limitation": "limitations/teratoma-risk/", "evidence": "evidence/",
    "bibliography": "bibliography/", "glossary": "glossary/", "cell-sources": "cell-sources/",
    "data": "data/", "site": "sites/omentum/", "product": "products/vc-02/", "about": "about/",
    "living-with": "living-with-type-1-diabetes/", "studies": "studies/", "trials": "trials/",
    "limitations": "limitations/",
}
SHOT_HEIGHT = 5000  # px of a page kept in its screenshot: the first screens, where most defects show
WIDER_THAN_SCREEN = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 1 && !e.closest('.md-typeset__scrollwrap, .atlas-matrix, table, .md-sidebar, .md-search'))
      out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 50));
  }
  return {overflow: document.documentElement.scrollWidth - window.innerWidth, culprits: out.slice(0, 3)};
}"""


def all_pages(site: Path) -> list[str]:
    """Every page a reader stays on: not those at records' former addresses, which send the
    browser on to a page of this list (tests/test_moved_pages.py)."""
    return sorted("" if p.parent == site else p.parent.relative_to(site).as_posix() + "/"
                  for p in site.rglob("index.html")
                  if "search" not in p.parts and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8"))


def test_every_page_fits_a_phone_and_logs_no_error(browser, site_url, built_site):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    errors, wide = [], []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    pages = all_pages(built_site)
    assert len(pages) > 20
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        found = page.evaluate(WIDER_THAN_SCREEN)
        if found["overflow"] > 0:
            wide.append(f"{path or 'home'}: {found['overflow']}px too wide; {found['culprits']}")
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones, one page of each kind
    for path in KINDS.values():
        page.goto(site_url + path, wait_until="load")
        found = page.evaluate(WIDER_THAN_SCREEN)
        if found["overflow"] > 0:
            wide.append(f"{path or 'home'} at 320px: {found['overflow']}px too wide; {found['culprits']}")
    context.close()
    assert not wide, "\n".join(wide)
    assert not errors, "\n".join(errors[:10])


@pytest.mark.parametrize("width", [320, 390])
def test_charts_text_is_at_least_11px_on_a_phone(browser, site_url, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site_url + "evidence/", wait_until="load")
    show_charts(page)
    shown = page.evaluate("""() => [...document.querySelectorAll('img.atlas-chart')]
        .filter(i => i.offsetWidth > 0).map(i => ({src: i.getAttribute('src'), w: i.clientWidth, natural: i.naturalWidth,
          right: i.getBoundingClientRect().right}))""")
    context.close()
    assert len(shown) == 2, shown  # one drawing per chart: the narrow, light one
    for img in shown:
        assert "-narrow" in img["src"] and "#only-light" in img["src"], img
        text_px = charts.FONT_PX["narrow"] * img["w"] / img["natural"]
        assert text_px >= 11, f"{img['src']}: text {text_px:.1f}px at {width}px"
        assert img["right"] <= width, img


def show_charts(page) -> None:
    """Scroll the (lazily loaded) charts into view and wait until they have loaded."""
    shown = "[...document.querySelectorAll('img.atlas-chart')].filter(i => getComputedStyle(i).display !== 'none')"
    for i in range(page.evaluate(f"() => {shown}.length")):  # one at a time: a phone's cards set them far apart
        page.evaluate(f"() => {shown}[{i}].scrollIntoView()")
        page.wait_for_function(f"() => {shown}[{i}].complete && {shown}[{i}].naturalWidth > 0")


def test_dark_mode_shows_the_dark_charts(browser, site_url):
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + "evidence/", wait_until="load")
    show_charts(page)
    shown = page.evaluate("() => [...document.querySelectorAll('img.atlas-chart')].filter(i => i.offsetWidth > 0)"
                          ".map(i => i.getAttribute('src'))")
    context.close()
    assert len(shown) == 2 and all("-dark.svg#only-dark" in s and "-narrow" not in s for s in shown), shown


def test_citation_preview_opens_on_tap_and_focus_and_closes_with_escape(browser, site_url):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    url = site_url + "classes/msc-derived-ipcs/"
    page.goto(url, wait_until="load")
    preview = page.locator("#atlas-cite-preview")
    # a range previews every reference in it
    rng = page.locator("article .cite-range a").first
    ends = [int(t) for t in page.locator("article .cite-range").first.locator("a").all_inner_texts()]
    rng.scroll_into_view_if_needed()
    rng.tap()
    assert page.url == url, "a tap on a citation must not leave the page"
    assert preview.is_visible()
    assert preview.locator("li").count() == ends[-1] - ends[0] + 1
    assert "Open in the bibliography" in preview.inner_text()
    page.keyboard.press("Escape")
    assert not preview.is_visible()
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(url, wait_until="load")
    link = page.locator("article .cite a").first
    page.keyboard.press("Tab")  # keyboard use, so focus is :focus-visible as a Tab would make it
    link.focus()
    assert page.locator("#atlas-cite-preview").is_visible()
    assert page.locator("#atlas-cite-preview li").first.inner_text().strip()
    page.keyboard.press("Escape")
    assert not page.locator("#atlas-cite-preview").is_visible()
    assert page.evaluate("() => document.activeElement.closest('.cite') !== null")
    link.hover()
    assert page.locator("#atlas-cite-preview").is_visible()
    context.close()


def test_screenshots_of_each_page_kind(browser, site_url, mounted_url):
    """Each page kind at 390 and 1280 px, light and dark: the whole page up to SHOT_HEIGHT px,
    so tables shown as cards on a phone and the charts are in the picture."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {**{kind: site_url + path for kind, path in KINDS.items()}, "not-found": mounted_url + "404.html"}
    for scheme in ("light", "dark"):
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            for kind, url in pages.items():
                page.goto(url, wait_until="load")
                page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
                # every image drawn (networkidle would wait half a second more on every page)
                page.wait_for_function("() => [...document.images].every(i => i.complete)")
                height = min(page.evaluate("() => document.documentElement.scrollHeight"), SHOT_HEIGHT)
                target = SHOTS / f"{kind}-{name}-{scheme}.png"
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
                assert target.stat().st_size > 5_000
            context.close()


@pytest.fixture(scope="module")
def mounted_url(built_site, tmp_path_factory):
    """The site served under its published path (/atlas/, site_url's), where the page-not-found
    page's absolute links, styles and scripts resolve."""
    from urllib.parse import urlsplit

    import yaml
    from search_harness import Server
    prefix = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path.strip("/")
    root = tmp_path_factory.mktemp("mounted")
    (root / prefix).symlink_to(built_site, target_is_directory=True)
    server = Server(root)
    yield server.url + prefix + "/"
    server.stop()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violation_of_any_impact(browser, site_url, mounted_url, scheme):
    """axe-core on every page kind, phone and desktop: no violation at all, minor ones included."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        need(False, "axe-playwright-python is not installed")
    problems = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        for kind, url in {**{k: site_url + p for k, p in KINDS.items()}, "not-found": mounted_url + "404.html"}.items():
            page.goto(url, wait_until="load")
            for v in Axe().run(page).response["violations"]:
                problems.append(f"{kind} at {viewport['width']}px ({scheme}): {v['id']} [{v['impact']}] {v['help']} "
                                f"at {[n['target'] for n in v['nodes'][:3]]}")
        context.close()
    assert not problems, "\n".join(problems)


def test_citation_markers_are_big_enough_to_tap_and_previews_fit_the_screen(browser, site_url):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + "classes/msc-derived-ipcs/", wait_until="load")
    sizes = page.evaluate("() => [...document.querySelectorAll('article .cite a')].filter(a => a.offsetWidth)"
                          ".map(a => { const r = a.getBoundingClientRect(); return [a.textContent, r.width, r.height]; })")
    assert sizes
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert not small, small[:5]
    preview = page.locator("#atlas-cite-preview")
    rng = page.locator("article .cite-range a").first
    for where in ("end", "start", "center"):  # the link at the foot, the top and the middle of the screen
        page.evaluate("([el, where]) => el.scrollIntoView({block: where})", [rng.element_handle(), where])
        rng.tap()
        assert preview.is_visible()
        box = page.evaluate("() => { const r = document.getElementById('atlas-cite-preview').getBoundingClientRect();"
                            " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")
        assert box["top"] >= 0 and box["bottom"] <= PHONE["height"], (where, box)
        assert box["left"] >= 0 and box["right"] <= PHONE["width"], (where, box)
        # a long range scrolls inside the box
        assert page.evaluate("() => { const b = document.getElementById('atlas-cite-preview');"
                             " return b.scrollHeight <= b.clientHeight + 1 || getComputedStyle(b).overflowY === 'auto'; }")
        page.keyboard.press("Escape")
    context.close()


def test_tables_become_cards_on_a_phone_with_every_cell_on_screen(browser, site_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = []
    for path in [*KINDS.values(), "living-with-type-1-diabetes/", "studies/", "trials/", "limitations/"]:
        page.goto(site_url + path, wait_until="load")
        found = page.evaluate("""() => [...document.querySelectorAll('article table[data-cards]')].flatMap(t => {
            const box = t.closest('.md-typeset__scrollwrap') || t;
            const out = box.scrollWidth > box.clientWidth + 1 ? ['scrolls sideways: ' + t.rows[0].textContent.slice(0, 40)] : [];
            for (const td of t.querySelectorAll('td')) {
              const r = td.getBoundingClientRect();
              if (r.width && (r.right > window.innerWidth + 1 || r.left < -1)) out.push('off screen: ' + td.dataset.label);
              if (r.width && td.cellIndex > 0 && !td.dataset.label) out.push('no label: ' + td.textContent.slice(0, 30));
            }
            return out.slice(0, 3);
        })""")
        problems += [f"{path or 'home'}: {p}" for p in found]
    # the reader's certainty stands in each card of the living-with table
    page.goto(site_url + "living-with-type-1-diabetes/", wait_until="load")
    labels = page.evaluate("() => [...document.querySelectorAll('article table[data-cards] td')].map(td => "
                           "getComputedStyle(td, '::before').content)")
    assert any("How sure we are" in x for x in labels), labels[:8]
    context.close()
    assert not problems, "\n".join(problems[:20])


def test_desktop_home_has_navigation_and_the_404_page_offers_search_and_the_main_pages(browser, site_url, built_site,
                                                                                      mounted_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(site_url, wait_until="load")
    nav = page.locator(".md-sidebar--primary .md-nav__link", has_text="Glossary").first
    assert nav.is_visible(), "the home page shows the site's navigation at 1280 px"
    for name in ("Glossary", "Data and downloads"):
        assert page.locator("article a", has_text=name).first.is_visible(), name
    # the page-not-found page links absolutely under the published path: served there
    page.goto(mounted_url + "404.html", wait_until="load")
    assert page.locator("article h1").inner_text() == "Page not found"
    links = page.locator("article li a")
    assert links.count() >= 8
    # absolute under the published path (site_url's), so they work at any depth
    from urllib.parse import urlsplit
    for href in links.evaluate_all("els => els.map(a => a.getAttribute('href'))"):
        rest = urlsplit(href).path.split("/", 2)[2] if href.count("/") >= 2 else ""
        assert (built_site / rest / "index.html").exists(), href
    page.keyboard.press("Tab")
    page.locator("[data-atlas-open-search]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.md-search__input')")
    page.keyboard.type("teratoma")
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")
    context.close()
