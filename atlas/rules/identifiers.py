"""Identifier-shaped text anywhere in a record: NCT numbers, DOIs, PMIDs, PMCIDs.

The schema checks identifiers in their own fields (doi, pmid, identifier, ...). A
malformed one can also sit in an alias, a note or a summary, where a reader would
copy it. Each string of a record is scanned; a malformed identifier is an error
unless a record declares it as printed with an error by its source: a trial's
`identifier_as_printed` (with no `identifier`, or a different one), or the `printed`
value of a `corrections` entry in any record. The review's NCT0213833 is declared by
data/trials/nct02138331.yaml, so the records that mention it may quote it. A trial's
printed identifier that is malformed says what is wrong (trial-identifier).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..corpus import Corpus, Record
from ..schema import Schemas
from ..yamlsafe import _dotted
from .base import at, record_strings, rule

# Upper case only: lowercase nct02138331 is a record id (a slug), checked as an id.
_NCT = re.compile(r"(?<![A-Za-z0-9])NCT[ _-]?[0-9]+(?![0-9])")  # NCT 04786262 is malformed too
_PMC = re.compile(r"(?<![A-Za-z0-9])PMC[0-9]+(?![0-9])")
_PMID = re.compile(r"(?<![A-Za-z0-9])PMID:?\s*([0-9][^\s,;)\]]*)")  # not "PMIDs" or "PMID unknown"
# A DOI after "doi:" or doi.org/ is judged whatever it looks like; a bare one only when
# its prefix is well formed (10.5/10 in prose is a score, not a DOI).
_DOI = re.compile(r"(?:(?<![A-Za-z])doi:\s*|doi\.org/)(\S+)|(?<![0-9.])(10\.[0-9]{4,9}/\S+)", re.I)
_TRAILING = ".,;:)]'\"”’"

_NAME = {"nct": "an NCT number", "pmcid": "a PMCID", "pmid": "a PMID", "doi": "a DOI"}
_HOW = {
    "nct": "a ClinicalTrials.gov ID is NCT followed by exactly 8 digits",
    "pmcid": "a PubMed Central ID is PMC followed by 4 to 9 digits",
    "pmid": "a PubMed ID is 1 to 9 digits, not starting with 0",
    "doi": "a DOI is 10.NNNN/suffix, without brackets or spaces",
}


def identifiers_in(text: str) -> Iterator[tuple[str, str]]:
    """(kind, identifier as written) for every identifier-shaped run of text."""
    # Each pattern needs its marker: a substring test first skips the regexes for the great
    # majority of strings (validation scans every string of every record; at 100x this rule
    # was 3 of the 4 s of a rebuild's validation).
    if "NCT" in text:
        for m in _NCT.finditer(text):
            yield "nct", m.group(0)
    if "PM" in text:
        for m in _PMC.finditer(text):
            yield "pmcid", m.group(0)
        for m in _PMID.finditer(text):
            yield "pmid", _trim(m.group(1))
    if "10." in text or "doi" in text.lower():
        for m in _DOI.finditer(text):
            yield "doi", _trim((m.group(1) or m.group(2)).split("](", 1)[0])


def _trim(raw: str) -> str:
    """Drop punctuation that ends the sentence, not the identifier; a DOI may end in a
    balanced ')' (10.1016/0005-2736(81)90512-5)."""
    while raw and raw[-1] in _TRAILING:
        if raw[-1] == ")" and raw.count("(") >= raw.count(")"):
            break
        raw = raw[:-1]
    return raw


def valid_forms(schemas: Schemas) -> dict[str, re.Pattern]:
    """What a well-formed identifier looks like: the patterns common.schema.json gives its
    doi, pmid, pmcid and nct fields, so the two checks can never disagree."""
    defs = schemas.documents.get("common.schema.json", {}).get("$defs", {})
    return {kind: re.compile(defs[kind]["pattern"]) for kind in _NAME if "pattern" in defs.get(kind, {})}


def malformed(text: str, valid: dict[str, re.Pattern]) -> Iterator[tuple[str, str]]:
    for kind, value in identifiers_in(text):
        if kind in valid and not valid[kind].match(value):
            yield kind, value


def declared_misprints(corpus: Corpus) -> set[str]:
    """Identifiers that records declare as printed with an error by their source."""
    out: set[str] = set()
    for t in corpus.all("trial"):
        printed = t.get("identifier_as_printed")
        if isinstance(printed, str) and t.get("identifier") != printed:
            out.add(printed.strip())
    for r in corpus:
        for c in r.get("corrections") or []:
            if isinstance(c, dict) and isinstance(c.get("printed"), str):
                out.add(c["printed"].strip())
    # the identifiers within them, so that a declaration quoted in a sentence counts too
    return out | {value for text in out for _, value in identifiers_in(text)}


def _declarations(r: Record) -> set[tuple]:
    """Paths in a record that declare what was printed: quoted, never judged."""
    paths = {("identifier_as_printed",)} if r.kind.name == "trial" else set()
    for i, _ in enumerate(r.get("corrections") or []):
        paths.add(("corrections", i, "printed"))
    return paths


@rule("identifier-malformed")
def identifiers_well_formed(corpus: Corpus, schemas: Schemas):
    declared = declared_misprints(corpus)
    valid = valid_forms(schemas)
    for r in corpus:
        skip = _declarations(r)
        for path, text in record_strings(r):
            if path in skip:
                continue
            for kind, value in malformed(text, valid):
                if value in declared:
                    continue
                yield at(r, path, "identifier-malformed",
                          f"{_dotted(path)}: '{value}' looks like {_NAME[kind]} but is malformed; {_HOW[kind]}. "
                          "Correct it; if the source printed it so, keep it only where it is declared: a trial's "
                          "identifier_as_printed, or a corrections entry (field, printed, note)")


_VALID_NCT = re.compile(r"^NCT[0-9]{8}$")


@rule("trial-identifier")
def trial_identifiers_documented(corpus: Corpus, schemas: Schemas):
    for t in corpus.all("trial"):
        printed, ident = t.get("identifier_as_printed"), t.get("identifier")
        rr = t.get("registry_record")
        if rr and (rr["registry"] != t["registry"] or (ident and rr["id"] != ident)):
            yield at(t, ("registry_record", "id"), "trial-identifier",
                     f"the registry record read is {rr['registry']} {rr['id']}, but the trial is "
                     f"{t['registry']} {ident or '(no identifier)'}; a registry record belongs to its own trial")
        if not isinstance(printed, str):
            continue
        fixed = any(isinstance(c, dict) and c.get("field") in ("identifier", "identifier_as_printed")
                    for c in t.get("corrections", []))
        if ident is None and _VALID_NCT.match(printed):
            yield at(t, ("identifier_as_printed",), "trial-identifier",
                      f"'{printed}' is a valid identifier; add 'identifier: {printed}' so the page links the registry")
        elif ident is None and not (t.get("notes") or fixed):
            yield at(t, ("identifier_as_printed",), "trial-identifier",
                      f"'{printed}' is malformed and there is no identifier; add a note saying what is wrong "
                      "(and the corrected identifier only when certain)")
        elif isinstance(ident, str) and ident != printed and not fixed:
            yield at(t, ("identifier",), "trial-identifier",
                      f"identifier {ident} differs from what the review printed ({printed}); add a corrections "
                      "entry (field: identifier) saying why")
