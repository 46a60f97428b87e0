"""`atlas import references FILE`: reference records from what Zotero, Mendeley or EndNote export.

Reads BibTeX (bibtexparser 2), RIS (rispy) or CSL-JSON, offline. Each entry becomes a
data/references/<family>-<year>.yaml record without a review number (so it is cited by
author and year), in fmt's canonical form. An entry whose DOI is already a reference
is refused with the record to cite instead; an entry that would not validate (no
authors, no year) is refused with what is missing. Nothing is overwritten.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .kinds import BY_NAME
from .schema import PLACEHOLDER, POST_REVIEW_FIELDS, Schemas
from .text import one_line

# the placeholder of each field a post-review reference adds (schema.POST_REVIEW_FIELDS)
PROVENANCE_HINTS = {"published": "YYYY-MM-DD, first publication (online first if earlier)",
                    "source_type": "one of: peer-reviewed-paper, registry-record, company-announcement, "
                                   "conference-abstract",
                    "read": "what you read, e.g. the PubMed abstract",
                    "accessed": "YYYY-MM-DD, the date you read it"}

REFERENCE = BY_NAME["reference"]

BIBTEX_TYPES = {"article": "journal-article", "inbook": "book-chapter", "incollection": "book-chapter",
                "book": "book", "techreport": "report", "report": "report", "online": "web-page",
                "inproceedings": "conference-abstract", "conference": "conference-abstract",
                "unpublished": "preprint"}
RIS_TYPES = {"JOUR": "journal-article", "JFULL": "journal-article", "EJOUR": "journal-article",
             "CHAP": "book-chapter", "BOOK": "book", "EBOOK": "book", "RPRT": "report", "GOVDOC": "report",
             "ELEC": "web-page", "WEB": "web-page", "CONF": "conference-abstract", "CPAPER": "conference-abstract",
             "ABST": "conference-abstract", "UNPB": "preprint", "INPR": "journal-article"}
CSL_TYPES = {"article-journal": "journal-article", "chapter": "book-chapter", "book": "book", "report": "report",
             "webpage": "web-page", "post-weblog": "web-page", "paper-conference": "conference-abstract",
             "article": "preprint", "posted-content": "preprint"}


@dataclass
class Entry:
    """One entry of the file, as a reference record (or why it is refused)."""
    label: str  # how the file names it: its key, or its position
    record: dict = field(default_factory=dict)
    refused: str = ""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # paths
    refused: list[str] = field(default_factory=list)  # messages


def read_entries(path: Path) -> list[Entry]:
    """Entries of a BibTeX, RIS or CSL-JSON file, by its extension (or its first character)."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith(("[", "{")):
        try:
            items = json.loads(text)
        except RecursionError:
            raise ValueError(f"{one_line(path.name)}: the JSON is nested too deeply to be CSL-JSON") from None
        return _from_csl(items)
    if suffix in (".ris", ".txt") or stripped.startswith("TY  -"):
        return _from_ris(text)
    if suffix in (".bib", ".bibtex") or stripped.startswith("@"):
        return _from_bibtex(text)
    raise ValueError(f"{path.name}: not a BibTeX (.bib), RIS (.ris) or CSL-JSON (.json) file")


def _from_bibtex(text: str) -> list[Entry]:
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    out = [Entry(f"@{b.key}" if getattr(b, "key", None) else f"block at line {b.start_line + 1}",
                 refused="this BibTeX entry could not be parsed (unbalanced braces or quotes?)")
           for b in library.failed_blocks]
    for e in library.entries:
        f = {k.lower(): _clean(v.value) for k, v in e.fields_dict.items()}
        authors = [_person(a) for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
        et_al = any(a.strip().lower() == "others" for a in re.split(r"\s+and\s+", f.get("author", "")))
        pages = f.get("pages", "").replace("--", "-").replace("–", "-")
        record = {"type": BIBTEX_TYPES.get(e.entry_type.lower(), "journal-article" if f.get("journal") else "report"),
                  "authors": [a for a in authors if a],
                  "title": f.get("title"), "journal": f.get("journal") or f.get("booktitle") or f.get("publisher"),
                  "year": _year(f.get("year") or f.get("date")), "volume": f.get("volume"),
                  "issue": f.get("number") or f.get("issue"), "pages": pages,
                  "doi": _doi(f.get("doi")), "pmid": f.get("pmid"), "pmcid": f.get("pmcid"), "url": f.get("url"),
                  "et_al": True if et_al else None}
        out.append(Entry(f"@{e.key}", record))
    return out


def _from_ris(text: str) -> list[Entry]:
    import rispy
    out = []
    for i, e in enumerate(rispy.loads(text), 1):
        names = e.get("authors") or e.get("first_authors") or []
        start, end = e.get("start_page"), e.get("end_page")
        record = {"type": RIS_TYPES.get(e.get("type_of_reference", ""), "journal-article"),
                  "authors": [p for p in (_person(n) for n in names) if p],
                  "title": e.get("title") or e.get("primary_title"),
                  "journal": e.get("alternate_title2") or e.get("alternate_title1") or e.get("journal_name")
                  or e.get("secondary_title") or e.get("alternate_title3") or e.get("publisher"),
                  "year": _year(e.get("year") or e.get("publication_year") or e.get("date")),
                  "volume": e.get("volume"), "issue": e.get("number"),
                  "pages": f"{start}-{end}" if start and end and end != start else start,
                  "doi": _doi(e.get("doi")), "url": (e.get("urls") or [None])[0]}
        accession = str(e.get("accession_number") or "")
        if accession.isdigit():
            record["pmid"] = accession
        out.append(Entry(f"entry {i} ({e.get('id') or record['title'] or 'untitled'})", record))
    return out


def _from_csl(items) -> list[Entry]:
    items = items if isinstance(items, list) else [items]
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            out.append(Entry(f"item {i}", refused="a CSL-JSON item must be an object"))
            continue
        label = f"item {i} ({_clean(item.get('id')) or ''})"[:120]
        try:
            out.append(Entry(label, _csl_record(item)))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as e:
            out.append(Entry(label, refused=f"this item could not be read ({type(e).__name__}); "
                                            "export it again from your reference manager"))
    return out


def _csl_year(issued):
    """CSL's issued: {"date-parts": [[2020, 5]]}; also taken: "2020", {"raw": "2020"}, [[2020]]."""
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts:
            first = parts[0]
            return _year(first[0] if isinstance(first, list) and first else first)
        return _year(issued.get("raw") or issued.get("literal") or parts)
    if isinstance(issued, list) and issued:
        return _csl_year({"date-parts": issued})
    return _year(issued) if isinstance(issued, (str, int)) else None


def _csl_record(item: dict) -> dict:
    authors = []
    names = item.get("author")
    for a in names if isinstance(names, list) else []:
        if isinstance(a, dict) and (a.get("family") or a.get("literal")):
            authors.append({"family": _clean(a.get("family") or a.get("literal")),
                            **({"given": _initials(_clean(a["given"]) or "")} if a.get("given") else {})})
    text = {k: _clean(v) if isinstance(v, (str, int, float)) else None for k, v in item.items()}
    return {"type": CSL_TYPES.get(text.get("type") or "", "journal-article"), "authors": authors,
            "title": text.get("title"),
            "journal": text.get("container-title-short") or text.get("journal-abbreviation")
            or text.get("container-title") or text.get("publisher"),
            "year": _csl_year(item.get("issued")), "volume": text.get("volume"), "issue": text.get("issue"),
            "pages": text.get("page"), "doi": _doi(text.get("DOI")), "pmid": text.get("PMID"),
            "pmcid": text.get("PMCID"), "url": text.get("URL")}


def _clean(value):
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value).replace("{", "").replace("}", "")).strip()
    return text or None


def _person(name: str) -> dict | None:
    name = _clean(name) or ""
    if not name or name.lower() == "others":
        return None
    if "," in name:
        family, _, given = name.partition(",")
    else:
        given, _, family = name.rpartition(" ")
    family, given = family.strip(), given.strip()
    return {"family": family, **({"given": _initials(given)} if given else {})}


def _initials(given: str) -> str:
    """'John A.' -> 'JA', 'Jean-Pierre' -> 'JP'; initials already written ('AMJ') stay."""
    given = given.strip()
    if re.fullmatch(r"[A-Z]{1,4}", given):
        return given
    return "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given) if p)


def _year(value):
    m = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", str(value or ""))
    return int(m.group(1)) if m else None


def _doi(value):
    if not value:
        return None
    value = str(value).strip()
    value = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.I)
    return value or None


def new_id(record: dict, taken: set[str]) -> str:
    family = record["authors"][0]["family"] if record.get("authors") else "anonymous"
    ascii_name = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "reference"
    base = f"{slug}-{record.get('year') or 'nd'}"
    if base not in taken:
        return base
    for letter in "abcdefghijklmnopqrstuvwxyz":  # two papers by one first author in one year
        if f"{base}{letter}" not in taken:
            return f"{base}{letter}"
    raise ValueError(f"too many references named {base}")


def run(root: Path, file: Path, *, write: bool = True) -> tuple[Outcome, dict[str, str]]:
    """Import file's entries as new reference records. Returns the outcome and {path: text}."""
    from .corpus import load_corpus
    from .fmt import format_text

    schemas = Schemas(root / "schemas")
    corpus = load_corpus(root)
    by_doi = {str(r.get("doi")).lower(): r.relpath for r in corpus.all("reference") if r.get("doi")}
    taken = set(corpus.records["reference"]) | corpus.unreadable["reference"]
    outcome, texts = Outcome(), {}
    for entry in read_entries(file):
        where = one_line(f"{file.name}: {entry.label}")
        if entry.refused:
            outcome.refused.append(f"{where}: {entry.refused}")
            continue
        record = {k: (str(v) if k in ("volume", "issue", "pages", "pmid", "pmcid") else v)
                  for k, v in entry.record.items() if v not in (None, "", [])}
        doi = str(record.get("doi", "")).lower()
        if doi and doi in by_doi:
            outcome.refused.append(f"{where}: DOI {record['doi']} is already {by_doi[doi]}; cite that "
                                   f"record ('{Path(by_doi[doi]).stem}') instead of adding it again")
            continue
        missing = [f for f in ("authors", "title", "year") if f not in record]
        if missing:
            outcome.refused.append(f"{where}: has no {', '.join(missing)}; add it in your reference manager "
                                   "and export again, or write the record with atlas new reference")
            continue
        rid = new_id(record, taken)
        # what a post-review reference says about how it was read: only the contributor knows
        record = {"id": rid, **record, **{f: f"{PLACEHOLDER}: {PROVENANCE_HINTS[f]}" for f in POST_REVIEW_FIELDS}}
        problems = schemas.validate(REFERENCE, _Loaded(record), f"data/references/{rid}.yaml")
        if problems:
            outcome.refused.append(f"{where}: " + "; ".join(p.message for p in problems))
            continue
        taken.add(rid)
        if doi:
            by_doi[doi] = f"data/references/{rid}.yaml"
        # the file's name and the entry's label are the file's text: one line, or they would write fields
        header = (f"# Imported from {one_line(file.name)} ({one_line(entry.label)}); check it against the paper.\n"
                  "# Not in the review's list: no number, cited by first author and year. Replace each\n"
                  "# placeholder with what the source is and how you read it (make validate lists them).\n")
        body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=4096)
        texts[f"data/references/{rid}.yaml"] = format_text(header + body, REFERENCE, schemas)
    if write:
        for rel, text in texts.items():
            with open(root / rel, "x", encoding="utf-8", newline="\n") as f:
                f.write(text)
            outcome.written.append(rel)
    return outcome, texts


class _Loaded:
    """The little of yamlsafe.Loaded that schema messages need, for a record not yet in a file."""

    def __init__(self, data: dict):
        self.data = data

    def where(self, path, value=False):
        return (1, 1)
