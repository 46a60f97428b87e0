"""What a reader sees on every built page, as text: no Markdown table that failed to render, no
unresolved citation key, no attribute list, no HTML shown as text, no None/nan/undefined
(atlas/readertext.py). Run over the real site and over a synthetic atlas 10 times larger,
whose pages split by year and block and so go through templates the small site does not."""
from __future__ import annotations

import os
import sys

import pytest
from conftest import ROOT, mkdocs_build

from atlas import readertext


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
    <p>Read on 2026-12-03; approved in 2023-06.</p>
    <p>EudraCT 2005-004523-19, CTIS 2023-503456-12-00, doi:10.1182/blood-2004-10-3932, 3 December 2026</p>
    </article></body></html>"""
    found = readertext.problems_in(page)
    kinds = [p.split(":")[0] for p in found]
    assert kinds.count("raw Markdown table row") == 1
    assert kinds.count("citation key") == 1
    assert kinds.count("attribute list") == 2
    assert kinds.count("HTML tag shown as text") == 2  # <span ...> and </span>
    assert kinds.count("placeholder of a missing value") == 3
    assert kinds.count("date written the machine's way") == 2  # not the identifiers' digits
    assert any(p.startswith("citation key in a title") for p in found)
    assert len(found) == 12, found


def test_every_page_of_the_site_shows_readers_only_text(built_site):
    found = readertext.check_site(built_site)
    assert not found, "\n".join(f"{page}: {p}" for page, ps in found.items() for p in ps[:3])


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """The real corpus 10 times over (bench/synth.py), built as the site is: past every size at
    which pages split or page (300 studies a year, 200 references a block, 200 news items), in
    a tenth of the 100x atlas's time (bench/ builds that one). ATLAS_LARGE_SCALE sets another factor."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    scale = int(os.environ.get("ATLAS_LARGE_SCALE", "10"))
    root = synth.make(scale, tmp_path_factory.mktemp("large") / "proj")
    out = root / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.mark.slow
def test_every_page_of_a_10x_atlas_shows_readers_only_text(large_site):
    assert len(list(readertext.pages(large_site))) > 1000 or os.environ.get("ATLAS_LARGE_SCALE")
    found = readertext.check_site(large_site)
    assert not found, "\n".join(f"{page}: {p}" for page, ps in list(found.items())[:20] for p in ps[:3])


def test_the_class_by_stage_table_has_a_row_per_class(built_site):
    """Every row of the overview's first table is a table row (a blank line between rows once
    left all but the first as raw text)."""
    import lxml.html
    from conftest import html

    from atlas import charts
    from atlas.corpus import load_corpus
    leaves = charts.class_rows(load_corpus(ROOT))[0]
    doc = lxml.html.fromstring(html(built_site, "evidence.md"))
    rows = doc.xpath("//h2[@id='class-by-stage']/following::table[1]/tbody/tr")
    assert len(rows) == len(leaves) > 1


# --- text slips (issue 25), each checked over every built page --------------------------------

def _visible(built_site):
    import lxml.html
    for rel, f in readertext.pages(built_site):
        doc = lxml.html.fromstring(f.read_bytes())
        yield rel, doc, readertext.visible_text(lxml.html.fromstring(f.read_bytes()))


def test_no_note_stands_after_a_full_stop(built_site):
    import re
    found = [f"{rel}: {m.group(0)}" for rel, _, text in _visible(built_site)
             for m in re.finditer(r"\S+\.[ \t]+\((?:at |[^)\n]{0,40}; at )[^)\n]*\)", text)]
    assert not found, found[:10]


def test_facts_boxes_give_a_count_and_sentence_case_and_one_word_for_missing(built_site):
    found = []
    for rel, doc, _ in _visible(built_site):
        for cell in doc.xpath("//td"):
            value = cell.text_content().strip()
            if value in ("People", "—", "-", "not stated", "none"):
                found.append(f"{rel}: a cell reads {value!r}")
        for row in doc.xpath("//table[thead/tr/th[1][normalize-space()='Fact']]/tbody/tr"):
            cells = row.xpath("./td")
            value = cells[1].text_content().strip() if len(cells) > 1 else ""
            first = value.split(" ", 1)[0]
            if first[:1].islower() and first == first.lower() and not value.startswith("n = "):
                found.append(f"{rel}: {cells[0].text_content().strip()}: {value[:40]!r} in lower case")
    assert not found, "\n".join(found[:20])


def test_dates_are_written_one_way(built_site):
    import re
    iso = re.compile(r"(?<![\w/.:-])(?:19|20)\d\d-\d\d-\d\d(?![\w/-])")
    found = [f"{rel}: {m.group(0)}" for rel, _, text in _visible(built_site) for m in iso.finditer(text)]
    assert not found, found[:10]


def test_no_glossary_underline_in_headings_titles_or_links(built_site):
    found = []
    for rel, doc, _ in _visible(built_site):
        for a in doc.xpath("//abbr[ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4 or ancestor::a"
                           " or ancestor::summary]"):
            found.append(f"{rel}: {a.text_content()!r} in <{a.getparent().tag}>")
    assert not found, found[:10]


def test_headings_never_skip_a_level(built_site):
    found = []
    for rel, doc, _ in _visible(built_site):
        levels = [int(h.tag[1]) for h in doc.xpath("//article//*[self::h1 or self::h2 or self::h3 or self::h4"
                                                   " or self::h5 or self::h6]")]
        for a, b in zip(levels, levels[1:]):
            if b > a + 1:
                found.append(f"{rel}: h{a} then h{b}")
                break
    assert not found, found[:10]


def test_a_class_page_says_what_it_is_before_its_other_names(built_site):
    import lxml.html
    from conftest import html

    from atlas.corpus import load_corpus
    corpus = load_corpus(ROOT)
    classes = [k for k in corpus.all("therapy-class") if k.get("aliases") and k.get("plain_language")]
    assert classes
    for k in classes:
        doc = lxml.html.fromstring(html(built_site, f"classes/{k.id}.md"))
        aka = doc.xpath("//details[contains(@class, 'atlas-aka')]")
        assert len(aka) == 1 and aka[0].get("open") is None, k.id  # collapsed
        assert f"({len(k['aliases'])} name" in aka[0].xpath("./summary")[0].text_content()
        body = doc.xpath("//article")[0]
        order = [e for e in body.iter() if e is aka[0] or e.get("id") == "plain-language"]
        assert order and order[0] is not aka[0], f"{k.id}: other names come before the summary"


def test_announced_results_say_who_announced_them(built_site):
    import lxml.html
    from conftest import html

    from atlas.citations.formats import ref_label
    from atlas.corpus import load_corpus
    corpus = load_corpus(ROOT)
    announced = [s for s in corpus.all("study") if s.get("design") == "announced-trial-results"]
    assert announced
    for s in announced:
        for k in s["classes"]:
            doc = lxml.html.fromstring(html(built_site, f"classes/{k}.md"))
            labels = {a.text_content() for a in doc.xpath(f"//a[contains(@href, 'studies/{s.id}/')]")}
            refs = {ref_label(corpus.get("reference", c["ref"])) for c in s["citations"]}
            assert labels and not labels & refs, (s.id, labels)
            short = [t for t in labels if "announcement" in t or "abstract" in t or "posting" in t]
            assert short or all(t.startswith(s.title[:20]) for t in labels), (s.id, labels)
