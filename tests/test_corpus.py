"""The real corpus: valid, complete against the review, and faithful to what it printed."""
from __future__ import annotations

import re

import pytest

from atlas.corpus import load_corpus
from atlas.validate import validate
from conftest import ROOT, SHARED, need, run_atlas

REVIEW = SHARED / "source" / "review-stem-cell-therapy-t1d-2024.txt"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT)


def test_corpus_validates_cleanly():
    result = run_atlas(ROOT, "validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_validation_is_fast():
    import time
    start = time.perf_counter()
    _, problems = validate(ROOT)
    took = time.perf_counter() - start
    assert not problems
    # a generous bound for slow CI machines; the benchmark records the real figure
    assert took < 5, took


def test_every_reference_of_the_review_is_numbered_once(corpus):
    # the review's list length is declared once, in the schema (number's maximum)
    import json
    schema = json.loads((ROOT / "schemas" / "reference.schema.json").read_text(encoding="utf-8"))
    last = schema["properties"]["number"]["maximum"]
    numbers = sorted(r["number"] for r in corpus.all("reference") if r.get("number"))
    assert numbers == list(range(1, last + 1))


def review_dois() -> dict[int, str]:
    need(REVIEW.exists(), f"the source review is not at {REVIEW}")
    refs = REVIEW.read_text(encoding="utf-8").split("\nReferences\n", 1)[1]
    out = {}
    for line in refs.splitlines():
        m = re.match(r"\s+(\d+)\. .*?https://doi\.org/(\S+)\.$", line)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out


def test_dois_match_the_review(corpus):
    printed = review_dois()
    assert len(printed) == 116  # 62 (a web page) and 101 have no DOI in the review
    by_number = {r["number"]: r for r in corpus.all("reference") if r.get("number")}
    for n, doi in printed.items():
        ref = by_number[n]
        if ref.get("doi") == doi:
            continue
        # the only difference allowed is a recorded correction of what was printed
        fixes = [c for c in ref.get("corrections", []) if c["field"] == "doi"]
        assert fixes and fixes[0]["printed"] == doi and fixes[0]["corrected"] == ref["doi"], (n, doi, ref.get("doi"))
    assert by_number[101].get("doi") is None and by_number[62].get("doi") is None


def test_bracketed_doi_is_corrected_with_a_note(corpus):
    trams = next(r for r in corpus.all("reference") if r.get("number") == 80)
    assert trams["doi"] == "10.1016/0005-2736(81)90512-5"
    (fix,) = [c for c in trams["corrections"] if c["field"] == "doi"]
    assert fix["printed"] == "10.1016/0005-2736[81]90512-5" and fix["note"]


def test_every_trial_identifier_of_the_review(corpus):
    need(REVIEW.exists(), "the source review is missing")
    body = REVIEW.read_text(encoding="utf-8").split("\nReferences\n", 1)[0]
    printed = set(re.findall(r"NCT\d+", body))
    assert printed == {t["identifier_as_printed"] for t in corpus.all("trial")}
    malformed = corpus.get("trial", "nct0213833")
    assert "identifier" not in malformed.data and malformed.get("notes")


def test_every_outcome_is_cited_with_its_source_type(corpus):
    for s in corpus.all("study"):
        for o in s.get("outcomes", []):
            assert o["citations"] and o["source_type"], s.id


def test_announced_results_are_marked(corpus):
    vertex = corpus.get("study", "vertex-nct04786262-announced")
    assert {o["source_type"] for o in vertex["outcomes"]} == {"company-announcement"}
    values = {(o["measure"], o.get("value")) for o in vertex["outcomes"]}
    assert ("hba1c", 5.2) in values and ("hba1c", 7.1) in values


def test_glossary_covers_the_review_abbreviation_list(corpus):
    need(REVIEW.exists(), "the source review is missing")
    text = REVIEW.read_text(encoding="utf-8")
    section = text.split("\nAbbreviations\n", 1)[1].split("\nReferences\n", 1)[0]
    listed = set(re.findall(r"^([A-Za-z0-9\-]+):$", section, re.M))
    terms = {t["term"] for t in corpus.all("glossary-term")}
    printed = {c["printed"] for t in corpus.all("glossary-term") for c in t.get("corrections", [])}
    missing = {a for a in listed if a not in terms and not any(a in p for p in printed)}
    assert not missing, missing
