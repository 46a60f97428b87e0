"""What readers see, checked over the built HTML: values in readers' words, citation
groups compressed, and the display slips of issue 12 kept fixed."""
from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from conftest import ROOT, html

from atlas.corpus import load_corpus
from atlas.text import quantity

PROSE_WORDS = {"meta-analysis", "gene-editing", "in-vitro", "intra-arterial", "non-randomised",
               "single-group", "expanded-access"}  # enum values that are also ordinary English


def schema_enums() -> set[str]:
    def walk(node, out):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "enum":
                    out.update(x for x in v if isinstance(x, str))
                else:
                    walk(v, out)
        elif isinstance(node, list):
            for v in node:
                walk(v, out)
        return out
    return set().union(*(walk(json.loads(p.read_text(encoding="utf-8")), set()) for p in (ROOT / "schemas").glob("*.json")))


def visible(site: Path):
    """(page, element tree without scripts, styles, code and head) for every built page."""
    for f in sorted(site.rglob("*.html")):
        doc = lxml.html.parse(str(f)).getroot()
        for el in doc.xpath("//script|//style|//code|//pre|//head"):
            el.drop_tree()
        yield f.relative_to(site).as_posix(), doc


def test_no_schema_enum_value_is_shown_raw(built_site):
    enums = schema_enums()
    assert {"rat-cells-in-vitro", "human", "not-applicable"} <= enums
    multi = sorted((v for v in enums if "-" in v or "." in v), key=len, reverse=True)
    anywhere = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, multi)) + r")(?![\w/-])")
    single = {v for v in enums if v not in multi}
    found = []
    for page, doc in visible(built_site):
        for m in anywhere.finditer(doc.text_content()):
            if m.group(1) not in PROSE_WORDS:
                found.append(f"{page}: {m.group(1)!r}")
        for cell in doc.xpath("//td|//th"):  # a cell that is nothing but a value or a list of values
            parts = re.split(r"[,;]\s*", cell.text_content().strip())
            if all(p in enums for p in parts) and any(p in single or p in PROSE_WORDS for p in parts):
                found.append(f"{page}: {cell.text_content().strip()!r} as a table cell")
    assert not found, "\n".join(sorted(set(found))[:30])


def test_citation_groups_are_sorted_and_compressed(built_site):
    problems = []
    for page in ("classes/msc-derived-ipcs.md", "cell-sources.md", "limitations/small-heterogeneous-trials.md"):
        doc = lxml.html.fromstring(html(built_site, page))
        for group in doc.xpath("//span[@class='cite']"):
            numbers = [int(a.text_content()) for a in group.xpath(".//a") if a.text_content().isdigit()]
            if numbers != sorted(numbers):
                problems.append(f"{page}: not sorted {numbers}")
            loose = [a for a in group.xpath("./a") if a.text_content().isdigit()]
            vals = [int(a.text_content()) for a in loose]
            if any(b == a + 1 and c == b + 1 for a, b, c in zip(vals, vals[1:], vals[2:])):
                problems.append(f"{page}: a run of three not shown as a range {vals}")
    assert not problems, problems
    doc = lxml.html.fromstring(html(built_site, "classes/msc-derived-ipcs.md"))
    assert doc.xpath("//span[@class='cite-range']"), "a long group shows ranges"


def test_one_is_singular():
    assert quantity({"value": 1, "unit": "years"}) == "1 year"
    assert quantity({"value": 2, "unit": "years"}) == "2 years"
    assert quantity({"low": 1, "high": 1, "unit": "years"}) == "1–1 years"


def test_no_page_says_1_years(built_site):
    bad = [p for p, doc in visible(built_site) if re.search(r"\b1 (years|months|weeks|days)\b", doc.text_content())]
    assert not bad, bad


def test_home_page_nests_subclasses(built_site):
    corpus = load_corpus(ROOT)
    doc = lxml.html.fromstring(html(built_site, "index.md"))
    nested = doc.xpath("//h2[@id='therapy-classes']/following-sibling::ul[1]/li/ul/li")
    children = sum(len(v) for v in corpus.class_children.values())
    assert len(nested) == children


def test_trial_summary_cites_each_reference_once(built_site):
    corpus = load_corpus(ROOT)
    for t in corpus.all("trial"):
        doc = lxml.html.fromstring(html(built_site, f"trials/{t.id}.md"))
        para = doc.xpath("//article//h1/following-sibling::p[not(strong)]")[1 if t.get("aliases") else 0]
        links = [a.get("href") for a in para.xpath(".//span[@class='cite']//a")]
        assert len(links) == len(set(links)), (t.id, links)


def test_data_page_shows_file_patterns_as_text(built_site):
    page = html(built_site, "data.md")
    assert "<id>" not in page.replace("&lt;id&gt;", "")
    assert page.count("&lt;id&gt;.yaml") >= 2 * 5


def test_author_initials_take_no_glossary_tooltip(built_site):
    doc = lxml.html.fromstring(html(built_site, "bibliography.md"))
    inside = doc.xpath("//p[contains(@class, 'atlas-ref')]//abbr")
    authors_part = [a for a in inside if re.match(r"^[A-Z]{1,3}$", a.text_content())
                    and (a.tail or "").startswith((",", "."))]
    assert not authors_part, [a.text_content() + (a.tail or "")[:5] for a in authors_part[:5]]


def test_notes_show_no_record_ids_or_field_names(built_site):
    corpus = load_corpus(ROOT)
    ids = {r.id for recs in corpus.records.values() for r in recs.values() if "-" in r.id
           and r.id != str(r.get("identifier", "")).lower()}  # a registry number (EudraCT) is no slug
    found = []
    for page, doc in visible(built_site):
        for h in doc.xpath("//h2[@id='notes']"):
            block = h.getnext()
            text = block.text_content() if block is not None else ""
            found += [f"{page}: {w}" for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", text) if w in ids]
            found += [f"{page}: {w}" for w in re.findall(r"\b[a-z]+_[a-z_]+\b", text)]
    assert not found, found


@pytest.mark.parametrize("cls", ["msc-derived-ipcs", "undifferentiated-msc-therapy"])
def test_class_limitations_speak_of_this_class(built_site, cls):
    corpus = load_corpus(ROOT)
    doc = lxml.html.fromstring(html(built_site, f"classes/{cls}.md"))
    items = doc.xpath("//h2[@id='limitations']/following-sibling::div[1]//li")
    assert items
    for li, lim in zip(items, corpus.class_limitations[cls]):
        assert lim["summary"][:60] not in li.text_content(), "the limitation's generic summary"
        assert "this class" in li.text_content()


def test_evidence_gap_map_bubbles_link_to_the_class_and_match_the_data(built_site):
    corpus = load_corpus(ROOT)
    doc = lxml.html.fromstring(html(built_site, "evidence.md"))
    bubbles = doc.xpath("//a[contains(concat(' ', @class, ' '), ' gap ')]")
    assert bubbles
    for a in bubbles:
        cls = re.fullmatch(r"\.\./classes/([a-z0-9-]+)/#limitations", a.get("href")).group(1)
        assert (built_site / "classes" / cls / "index.html").exists()
        lim_title = a.get("title").split(": ", 1)[1]
        lim = next(x for x in corpus.all("limitation") if x.title == lim_title)
        studies = {s.id for s in corpus.studies_by_class[cls]} & {s.id for s in corpus.limitation_studies[lim.id]}
        assert int(a.text_content()) <= len(studies), a.get("title")
