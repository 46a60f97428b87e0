"""Exports readers take into Zotero, EndNote or a notebook: parsed with the tools they use."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import ROOT, html

from atlas.citations.cite import strip
from atlas.corpus import load_corpus

bibtexparser = pytest.importorskip("bibtexparser")
rispy = pytest.importorskip("rispy")
citeproc = pytest.importorskip("citeproc")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT)


def family_names(ref) -> list[str]:
    return [a["family"] for a in ref["authors"]]


def test_bibtex_round_trip(built_site, corpus):
    text = (built_site / "references" / "bibliography.bib").read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert len(entries) == len(corpus.all("reference"))
    for ref in corpus.all("reference"):
        e = entries[ref.id]
        authors = [a.strip() for a in e["author"].split(" and ") if a.strip() != "others"]
        assert [a.split(",")[0] for a in authors] == family_names(ref)
        assert e["title"].strip("{}").replace("\\&", "&").replace("\\%", "%").replace("\\_", "_") == ref["title"].replace("{", "(").replace("}", ")")
        assert e["year"] == str(ref["year"])
        if ref.get("journal"):
            key = "journal" if ref["type"] == "journal-article" else next(k for k in ("booktitle", "howpublished", "journal") if k in e)
            assert e[key].replace("\\&", "&") == ref["journal"]
        for field in ("volume", "doi"):
            if ref.get(field):
                assert e[field] == str(ref[field]), (ref.id, field)
        if ref.get("pages"):
            assert e["pages"].replace("--", "-") == ref["pages"]


def test_ris_round_trip(built_site, corpus):
    entries = {e["id"]: e for e in rispy.loads((built_site / "references" / "bibliography.ris").read_text(encoding="utf-8"))}
    assert len(entries) == len(corpus.all("reference"))
    for ref in corpus.all("reference"):
        e = entries[ref.id]
        assert [a.split(",")[0] for a in e["authors"]] == family_names(ref)
        assert e["title"] == ref["title"]
        assert e["year"] == str(ref["year"])
        assert e.get("secondary_title") == ref.get("journal")
        assert e.get("volume") == ref.get("volume")
        assert e.get("doi") == ref.get("doi")
        if ref.get("pages"):
            start, _, end = ref["pages"].partition("-")
            assert (e["start_page"], e.get("end_page")) == (start, end or None)


def test_csl_json_renders_with_citeproc(built_site, corpus):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads((built_site / "references" / "bibliography.json").read_text(encoding="utf-8"))
    assert len(items) == len(corpus.all("reference"))
    by_id = {i["id"]: i for i in items}
    for ref in corpus.all("reference"):
        item = by_id[ref.id]
        assert [a["family"] for a in item["author"]] == family_names(ref)
        assert item["title"] == ref["title"] and item["issued"]["date-parts"][0][0] == ref["year"]
        assert item.get("container-title") == ref.get("journal") and item.get("DOI") == ref.get("doi")
        assert item.get("volume") == ref.get("volume") and item.get("page") == ref.get("pages")
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)  # the style citeproc-py ships
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(corpus.all("reference"))
    hu = next(r for r in rendered if "Long term effects of the implantation" in r)
    assert "Hu" in hu and "2013" in hu and "Endocr J" in hu


def test_each_citing_page_offers_its_own_references(built_site, corpus):
    page = html(built_site, "studies/hu-2013.md")
    for ext in ("bib", "ris", "json"):
        assert f'href="../../references/studies/hu-2013.{ext}"' in page
    cited = set(re.findall(r'href="../../bibliography/#ref-(\d+)"', page))
    items = json.loads((built_site / "references" / "studies" / "hu-2013.json").read_text(encoding="utf-8"))
    assert {str(i["citation-number"]) for i in items if "citation-number" in i} == cited
    # hand-written pages too
    assert (built_site / "references" / "background.ris").exists()


def test_tables_match_the_corpus_record_for_record(built_site, corpus):
    data = built_site / "data"
    studies = list(csv.DictReader(io.StringIO((data / "studies.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in studies] == [s.id for s in corpus.studies_sorted]
    studies_json = json.loads((data / "studies.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in studies_json] == [r["id"] for r in studies]
    # the summary without its citation markers; the ids it cites in a column of their own
    assert all(r["summary"] == strip(corpus.get("study", r["id"])["summary"])[0] for r in studies_json)
    assert all("[@" not in r["summary"] for r in studies_json)
    hu = next(r for r in studies if r["id"] == "hu-2013")
    assert (hu["enrolled"], hu["arms"], hu["design"]) == ("29", "wj-msc=15; control=14", "randomised-controlled-trial")

    outcomes = json.loads((data / "outcomes.json").read_text(encoding="utf-8"))
    assert len(outcomes) == sum(len(s.get("outcomes", [])) for s in corpus.all("study"))
    vertex = [o for o in outcomes if o["study"] == "vertex-nct04786262-announced" and o["measure"] == "hba1c"]
    assert {o["value"] for o in vertex} == {5.2, 7.1} and {o["source_type"] for o in vertex} == {"company-announcement"}
    assert list(csv.DictReader(io.StringIO((data / "outcomes.csv").read_text(encoding="utf-8"))))[0].keys() == outcomes[0].keys()

    trials = json.loads((data / "trials.json").read_text(encoding="utf-8"))
    valid = {t["id"]: t["identifier_valid"] for t in trials}
    assert valid == {t.id: str(bool(t.get("identifier"))).lower() for t in corpus.all("trial")}
    assert valid["nct04786262"] == "true"  # printed and valid; the malformed case is derived above
    limitations = list(csv.DictReader(io.StringIO((data / "limitations.csv").read_text(encoding="utf-8"))))
    assert {r["id"] for r in limitations} == set(corpus.records["limitation"])


def test_schemas_are_published_and_described(built_site):
    for schema in (ROOT / "schemas").glob("*.json"):
        assert (built_site / "schemas" / schema.name).read_text(encoding="utf-8") == schema.read_text(encoding="utf-8")
    page = html(built_site, "data.md")
    assert "outcomes[].source_type" in page and "company-announcement" in page
    assert 'href="../schemas/study.schema.json"' in page


JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def expected_type(rel: str) -> str:
    if rel.startswith("studies/") and rel != "studies/index.html":
        return "MedicalStudy"
    if rel.startswith("trials/") and rel != "trials/index.html":
        return "MedicalTrial"
    if rel.startswith("classes/") and rel != "classes/index.html":
        return "MedicalTherapy"
    return {"bibliography/index.html": "ItemList", "data/index.html": "Dataset", "index.html": "WebSite"}.get(rel, "WebPage")


def test_every_page_has_json_ld_of_the_right_type(built_site):
    pages = [p for p in built_site.rglob("index.html")]
    assert len(pages) > 100
    for page in pages:
        rel = page.relative_to(built_site).as_posix()
        text = page.read_text(encoding="utf-8")
        blocks = JSONLD.findall(text)
        assert len(blocks) == 1, rel
        data = json.loads(blocks[0])
        # a record's former address (`formerly`) is a plain page that sends readers to the record's page
        expected = "WebPage" if 'http-equiv="refresh"' in text else expected_type(rel)
        assert data["@context"] == "https://schema.org" and data["@type"] == expected, (rel, data["@type"])
    bib = json.loads(JSONLD.findall(html(built_site, "bibliography.md"))[0])
    assert {i["item"]["@type"] for i in bib["itemListElement"]} == {"ScholarlyArticle"}
    dataset = json.loads(JSONLD.findall(html(built_site, "data.md"))[0])
    assert {d["encodingFormat"] for d in dataset["distribution"]} >= {"text/csv", "application/json", "application/x-bibtex"}


def test_cite_this_page_names_version_and_date(built_site):
    page = html(built_site, "studies/hu-2013.md")
    m = re.search(r"Cite this page</p>\s*<p>(.*?)</p>", page, re.S)
    assert m
    text = re.sub(r"<[^>]+>", "", m.group(1))
    assert re.search(r"release \d+\.\d+\.\d+( \(commit \w+\))?, \d{1,2} [A-Z][a-z]+ \d{4}\. https://\S+/studies/hu-2013/", text), text
