"""What a reader sees on every built page, as text: no Markdown table that failed to render, no
unresolved citation key, no attribute list, no HTML shown as text, no None/nan/undefined
(atlas/readertext.py). Run over the real site and over a synthetic atlas 100 times larger,
whose pages split by year and block and so go through templates the small site does not."""
from __future__ import annotations

import os
import sys

import pytest

from atlas import readertext
from conftest import ROOT, mkdocs_build


def test_each_kind_of_leak_is_found_and_hidden_parts_are_not_read():
    page = """<html><head><title>[@x]</title></head><body><article>
    <p>First.</p>
    <p>| Naive-MSC EVs | 1 | 6 |</p>
    <p>As shown [@hu-2013].</p>
    <p>Text {: .atlas-note } and {  .wide }</p>
    <p>&lt;span class="x"&gt;shown&lt;/span&gt;</p>
    <table><tr><td>None</td><td>nan</td></tr></table><p>undefined</p>
    <a title="see [@hu-2013]">x</a>
    <div class="atlas-search-card" hidden>| a | b | [@y] None</div>
    <p hidden>None</p><code>| a | b |</code><pre>[@z]</pre><script>var x = null;</script>
    <p>None of them; None recorded; data/&lt;kind&gt;/&lt;id&gt;.yaml; a | b</p>
    </article></body></html>"""
    found = readertext.problems_in(page)
    kinds = [p.split(":")[0] for p in found]
    assert kinds.count("raw Markdown table row") == 1
    assert kinds.count("citation key") == 1
    assert kinds.count("attribute list") == 2
    assert kinds.count("HTML tag shown as text") == 2  # <span ...> and </span>
    assert kinds.count("placeholder of a missing value") == 3
    assert any(p.startswith("citation key in a title") for p in found)
    assert len(found) == 10, found


def test_every_page_of_the_site_shows_readers_only_text(built_site):
    found = readertext.check_site(built_site)
    assert not found, "\n".join(f"{page}: {p}" for page, ps in found.items() for p in ps[:3])


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """The real corpus 100 times over (bench/synth.py), built as the site is. ATLAS_LARGE_SCALE
    sets another factor (10 builds in a fraction of the time)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    scale = int(os.environ.get("ATLAS_LARGE_SCALE", "100"))
    root = synth.make(scale, tmp_path_factory.mktemp("large") / "proj")
    out = root / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.mark.large
def test_every_page_of_a_100x_atlas_shows_readers_only_text(large_site):
    assert len(list(readertext.pages(large_site))) > 1000 or os.environ.get("ATLAS_LARGE_SCALE")
    found = readertext.check_site(large_site)
    assert not found, "\n".join(f"{page}: {p}" for page, ps in list(found.items())[:20] for p in ps[:3])


def test_the_class_by_stage_table_has_a_row_per_class(built_site):
    """Every row of the overview's first table is a table row (a blank line between rows once
    left all but the first as raw text)."""
    import lxml.html
    from atlas import charts
    from atlas.corpus import load_corpus
    from conftest import html
    leaves = charts.class_rows(load_corpus(ROOT))[0]
    doc = lxml.html.fromstring(html(built_site, "evidence.md"))
    rows = doc.xpath("//h2[@id='class-by-stage']/following::table[1]/tbody/tr")
    assert len(rows) == len(leaves) > 1
