"""Every page on a phone, in real Chromium: nothing wider than the screen, no console
error, charts legible, citation previews by tap, keyboard and Escape. Screenshots of each
page kind at 390 and 1280 px, light and dark, go to test-artifacts/layout/."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from test_browser import browser, site_url  # noqa: F401  (fixtures: one browser, one server)

from atlas import charts

SHOTS = ROOT / "test-artifacts" / "layout"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
KINDS = {
    "home": "", "classes": "classes/", "class": "classes/msc-derived-ipcs/", "study": "studies/hu-2013/",
    "trial": "trials/nct04786262/", "limitation": "limitations/teratoma-risk/", "evidence": "evidence/",
    "bibliography": "bibliography/", "glossary": "glossary/", "cell-sources": "cell-sources/",
    "data": "data/", "site": "sites/omentum/", "product": "products/vc-02/", "about": "about/",
}
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
    return sorted("" if p.parent == site else p.parent.relative_to(site).as_posix() + "/"
                  for p in site.rglob("index.html") if "search" not in p.parts)


def test_every_page_fits_a_phone_and_logs_no_error(browser, site_url, built_site):  # noqa: F811
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
def test_charts_text_is_at_least_11px_on_a_phone(browser, site_url, width):  # noqa: F811
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
    page.evaluate(f"() => {shown}.forEach(i => i.scrollIntoView())")
    page.wait_for_function(f"() => {shown}.every(i => i.complete && i.naturalWidth > 0)")


def test_dark_mode_shows_the_dark_charts(browser, site_url):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + "evidence/", wait_until="load")
    show_charts(page)
    shown = page.evaluate("() => [...document.querySelectorAll('img.atlas-chart')].filter(i => i.offsetWidth > 0)"
                          ".map(i => i.getAttribute('src'))")
    context.close()
    assert len(shown) == 2 and all("-dark.svg#only-dark" in s and "-narrow" not in s for s in shown), shown


def test_citation_preview_opens_on_tap_and_focus_and_closes_with_escape(browser, site_url):  # noqa: F811
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


def test_screenshots_of_each_page_kind(browser, site_url):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            for kind, path in KINDS.items():
                page.goto(site_url + path, wait_until="load")
                target = SHOTS / f"{kind}-{name}-{scheme}.png"
                page.screenshot(path=str(target))
                assert target.stat().st_size > 5_000
            context.close()
