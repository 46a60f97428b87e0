"""What a record's page is found by besides its text: written aliases plus terms derived
from the data, so a contributor never has to type them by hand.

A study is found by "Author year" of the papers that report it, by their DOI and PMID,
and by the registry numbers of its trials; a trial by its identifier as printed and as
corrected. The search engine weighs these above body text (they are the page's tags).
"""
from __future__ import annotations

from .corpus import Corpus, Record


def author_year(ref: Record) -> str | None:
    authors = ref.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict) and ref.get("year"):
        return f"{authors[0].get('family')} {ref['year']}"
    return None


def search_terms(record: Record, corpus: Corpus) -> list[str]:
    terms: list = list(record.get("aliases") or [])
    if record.kind.name == "study":
        for cite in record.get("citations") or []:
            ref = corpus.get("reference", cite.get("ref") if isinstance(cite, dict) else cite)
            if ref is not None:
                terms += [author_year(ref), ref.get("doi"), ref.get("pmid") and f"PMID {ref['pmid']}", ref.get("pmcid")]
        for tid in record.get("trials") or []:
            trial = corpus.get("trial", tid)
            if trial is not None:
                terms += [trial.get("identifier"), trial.get("identifier_as_printed")]
    elif record.kind.name == "trial":
        terms += [record.get("identifier"), record.get("identifier_as_printed")]
    seen, out = set(), []
    for t in terms:
        if isinstance(t, str) and t.strip() and t.strip().lower() not in seen:
            seen.add(t.strip().lower())
            out.append(t.strip())
    return out
