"""References and what names them: every cross-reference and [@key] resolves, one record per
DOI and per review number, every reference cited, and no record citing evidence newer than
its 'reviewed' date."""
from __future__ import annotations

import re

from ..corpus import Corpus, Record
from ..diagnostics import Problem
from ..kinds import BY_NAME
from ..schema import POST_REVIEW_FIELDS, Schemas
from ..yamlsafe import _dotted
from .base import at, named_in_unreadable_files, references_in, rule, suggest


@rule("ref-unresolved")
def cross_references_resolve(corpus: Corpus, schemas: Schemas):
    refs = corpus.records["reference"]
    for r in corpus:
        xrefs, cites = references_in(r, schemas)
        for path, value, target in xrefs:
            if target == "arm":
                arms = [a.get("id") for a in r.get("arms", []) if isinstance(a, dict)]
                if value not in arms:
                    yield at(r, path, "ref-unresolved",
                              f"{_dotted(path)}: this study has no arm '{value}'; {suggest(value, arms)}"
                              f"arms defined: {', '.join(map(str, arms)) or 'none'}")
            elif not corpus.exists(target, value):
                folder = BY_NAME[target].folder
                yield at(r, path, "ref-unresolved",
                          f"{_dotted(path)}: no {target} with id '{value}'; {suggest(value, corpus.records[target])}"
                          f"ids are the file names in data/{folder}/")
        for path, keys in cites:
            for key in keys:
                if not corpus.exists("reference", key):
                    yield at(r, path, "ref-unresolved",
                              f"{_dotted(path)}: cites [@{key}], but there is no reference with that id; "
                              f"{suggest(key, refs)}ids are the file names in data/references/")
    for c in corpus.doc_citations:
        for key in c.keys:
            if not corpus.exists("reference", key):
                yield Problem(c.relpath, c.line, c.col, "ref-unresolved",
                              f"cites [@{key}], but there is no reference with that id; {suggest(key, refs)}"
                              "ids are the file names in data/references/")


@rule("doi-duplicate")
def one_reference_per_doi(corpus: Corpus, schemas: Schemas):
    seen: dict[str, Record] = {}
    for r in corpus.references_by_number:
        doi = r.get("doi")
        if not isinstance(doi, str):
            continue
        if doi.lower() in seen:
            yield at(r, ("doi",), "doi-duplicate",
                      f"doi {doi} is also the DOI of {seen[doi.lower()].relpath}; one work is one reference: "
                      "cite that record instead and delete this one")
        else:
            seen[doi.lower()] = r


@rule("reference-number-duplicate")
def reference_numbers_unique(corpus: Corpus, schemas: Schemas):
    seen: dict[int, Record] = {}
    for r in corpus.references_by_number:
        n = r.get("number")
        if isinstance(n, int):
            if n in seen:
                yield at(r, ("number",), "reference-number-duplicate",
                          f"number {n} is also the number of {seen[n].relpath}; each reference keeps its number "
                          "from the review")
            seen[n] = r


def cited_reference_ids(corpus: Corpus, schemas: Schemas) -> set[str]:
    """Every reference id named anywhere, records that failed their schema included
    (references_in reads any shape): their citations still count."""
    cited: set[str] = set()
    for r in [*corpus, *(x for by_id in corpus.set_aside.values() for x in by_id.values())]:
        xrefs, cites = references_in(r, schemas)
        cited.update(value for _, value, target in xrefs if target == "reference")
        for _, keys in cites:
            cited.update(keys)
    for c in corpus.doc_citations:
        cited.update(c.keys)
    return cited


@rule("reference-uncited")
def every_reference_is_cited(corpus: Corpus, schemas: Schemas):
    if any(corpus.unreadable.values()):
        return  # a file that could not be read may cite any of them: judged once it reads
    cited = cited_reference_ids(corpus, schemas)
    unreadable = named_in_unreadable_files(corpus)
    for r in corpus.references_by_number:
        if r.id not in cited and not (unreadable and re.search(rf"(?<![\w-]){re.escape(r.id)}(?![\w-])", unreadable)):
            yield at(r, ("id",), "reference-uncited",
                      f"reference '{r.id}' is not cited by any record or page; cite it where it supports a statement "
                      "(citations: [...] or [@id] in text) or delete it")


@rule("reference-provenance")
def post_review_references_say_how_they_were_read(corpus: Corpus, schemas: Schemas):
    review = schemas.documents.get("reference.schema.json", {}).get("x-source-review")
    for r in corpus.all("reference"):
        if "number" in r.data or r.id == review:
            continue
        missing = [f for f in POST_REVIEW_FIELDS if f not in r.data]
        if missing:
            yield at(r, ("id",), "reference-provenance",
                     f"'{r.id}' is not in the review's list (no number), so it says what it is and how it was "
                     "read; add " + "; ".join(f"{f} ({POST_REVIEW_FIELDS[f]})" for f in missing))


def _date_of(reference: Record) -> str | None:
    """A reference's date as text (YYYY[-MM[-DD]]): its 'published' date, else its year."""
    published, year = reference.get("published"), reference.get("year")
    if isinstance(published, str):
        return published
    return str(year) if isinstance(year, int) and not isinstance(year, bool) else None


@rule("cites-newer-than-reviewed")
def cited_evidence_not_newer_than_review(corpus: Corpus, schemas: Schemas):
    """A warning, not an error: the record may be fine, but its 'evidence as of' date is stale."""
    refs = corpus.records["reference"]
    for r in corpus:
        reviewed = r.get("reviewed")
        if not isinstance(reviewed, str):
            continue
        xrefs, cites = references_in(r, schemas)
        cited = [(path, value) for path, value, target in xrefs if target == "reference"]
        cited += [(path, key) for path, keys in cites for key in keys]
        warned: set[str] = set()
        for path, key in cited:
            ref = refs.get(key)
            date = _date_of(ref) if ref is not None else None
            if key in warned or date is None:
                continue
            n = min(len(date), len(reviewed))  # compare at the precision both dates have
            if date[:n] > reviewed[:n]:
                warned.add(key)
                line, col = r.where(path, value=True)
                yield Problem(r.relpath, line, col, "cites-newer-than-reviewed",
                              f"{_dotted(path)}: cites {key} ({date}), which is newer than this record's "
                              f"reviewed date ({reviewed}); check the whole record against it and set "
                              "'reviewed' to today's date", severity="warning")
