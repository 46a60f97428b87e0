"""How a reference is written: the label a citation shows, the bibliography's style
(each reference formatted once per build), and the files for reference managers: BibTeX,
RIS and CSL-JSON (each reference formatted once per build). Pure functions from records
to text.
"""
from __future__ import annotations

import json
import re
from functools import cached_property

from .. import abbreviations, urls
from ..corpus import Record
from ..reads import noticed
from ..text import attr, escape_md, one_line

# -- references --------------------------------------------------------------------------

_CSL_TYPE = {"journal-article": "article-journal", "book-chapter": "chapter", "book": "book", "report": "report",
             "web-page": "webpage", "conference-abstract": "paper-conference", "preprint": "article"}
_BIB_TYPE = {"journal-article": "article", "book-chapter": "incollection", "book": "book", "report": "techreport",
             "web-page": "misc", "conference-abstract": "inproceedings", "preprint": "misc"}
_RIS_TYPE = {"journal-article": "JOUR", "book-chapter": "CHAP", "book": "BOOK", "report": "RPRT",
             "web-page": "ELEC", "conference-abstract": "CPAPER", "preprint": "JOUR"}


def _pages(ref: Record) -> tuple[str | None, str | None]:
    pages = ref.get("pages")
    if not pages:
        return None, None
    start, _, end = str(pages).partition("-")
    return start, end or None


def csl_item(ref: Record) -> dict:
    item = {
        "id": ref.id,
        "type": _CSL_TYPE[ref["type"]],
        "title": ref["title"],
        "author": [{k: v for k, v in (("family", a["family"]), ("given", a.get("given")), ("suffix", a.get("suffix"))) if v}
                   for a in ref["authors"]],
        "issued": {"date-parts": [[ref["year"]]]},
    }
    for src, dst in (("journal", "container-title"), ("volume", "volume"), ("issue", "issue"), ("pages", "page"),
                     ("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID"), ("url", "URL")):
        if ref.get(src):
            item[dst] = str(ref[src])
    if ref.get("number"):
        item["citation-number"] = ref["number"]
        item["note"] = f"Reference {ref['number']} of Ghoneim et al. 2024"
    return item


def _json_lines(items: list) -> str:
    """A JSON array, one item per line (readable diffs; the C encoder, unlike indent=)."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n"


def csl_json(refs: list[Record]) -> str:
    return _json_lines([csl_item(r) for r in refs])


def _bib_escape(value: str) -> str:
    # braces keep capitals (β-cell, MSC) as written; special characters escaped for LaTeX tools.
    # No brace or line break of the value survives, so no value can end its field (issue 26).
    value = one_line(value).replace("\\", "/").replace("{", "(").replace("}", ")")
    return re.sub(r"([&%#_$])", r"\\\1", value)


def _bib_verbatim(value: str) -> str:
    """A DOI or URL for BibTeX: kept as written (no LaTeX escapes, which would change the
    address) but on one line and with braces and backslashes percent-encoded."""
    return one_line(value).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibtex_entry(ref: Record) -> str:
    fields = [("author", " and ".join(", ".join(_bib_escape(x) for x in filter(None, (a["family"], a.get("suffix"),
                                                                                      a.get("given"))))
                                      for a in ref["authors"])
               + (" and others" if ref.get("et_al") else "")),
              ("title", "{" + _bib_escape(ref["title"]) + "}")]
    journal_field = "booktitle" if ref["type"] in ("book-chapter", "conference-abstract") else "journal"
    if ref.get("journal"):
        fields.append((journal_field if ref["type"] != "web-page" else "howpublished", _bib_escape(ref["journal"])))
    fields.append(("year", str(ref["year"])))
    start, end = _pages(ref)
    for name, value in (("volume", ref.get("volume")), ("number", ref.get("issue")),
                        ("pages", f"{start}--{end}" if end else start), ("doi", ref.get("doi")),
                        ("pmid", ref.get("pmid")), ("url", ref.get("url"))):
        if value:
            fields.append((name, _bib_escape(str(value)) if name not in ("doi", "url") else _bib_verbatim(str(value))))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{_BIB_TYPE[ref['type']]}{{{ref.id},\n{body}\n}}\n"


def bibtex(refs: list[Record]) -> str:
    return "\n".join(bibtex_entry(r) for r in refs)


def ris_entry(ref: Record) -> str:
    lines = [("TY", _RIS_TYPE[ref["type"]]), ("ID", ref.id)]
    lines += [("AU", ", ".join(filter(None, (a["family"], a.get("given"), a.get("suffix"))))) for a in ref["authors"]]
    lines.append(("TI", ref["title"]))
    if ref.get("journal"):
        lines.append(("T2", ref["journal"]))
    lines.append(("PY", str(ref["year"])))
    start, end = _pages(ref)
    for tag, value in (("VL", ref.get("volume")), ("IS", ref.get("issue")), ("SP", start), ("EP", end),
                       ("DO", ref.get("doi")), ("AN", ref.get("pmid")), ("UR", ref.get("url"))):
        if value:
            lines.append((tag, str(value)))
    if ref.get("number"):
        lines.append(("N1", f"Reference {ref['number']} of Ghoneim et al. 2024"))
    lines.append(("ER", ""))
    # one line per value: a line break in a title would start a tag, or a record, of its own
    return "\n".join(f"{tag}  - {one_line(value)}".rstrip() if tag == "ER" else f"{tag}  - {one_line(value)}"
                     for tag, value in lines) + "\n"


def ris(refs: list[Record]) -> str:
    return "\n".join(ris_entry(r) for r in refs)


def reference_files(refs: list[Record], stem: str) -> dict[str, str]:
    """The three reference-manager files for a set of references: {path: text}."""
    return {f"{stem}.bib": bibtex(refs), f"{stem}.ris": ris(refs), f"{stem}.json": csl_json(refs)}


class ReferenceFiles:
    """reference_files() with each reference formatted once per build, not once per page."""

    def __init__(self):
        self._bib: dict[str, str] = {}
        self._ris: dict[str, str] = {}
        self._csl: dict[str, str] = {}

    def __call__(self, refs: list[Record], stem: str) -> dict[str, str]:
        for r in refs:
            noticed(r)
            if r.id not in self._bib:
                self._bib[r.id] = bibtex_entry(r)
                self._ris[r.id] = ris_entry(r)
                self._csl[r.id] = json.dumps(csl_item(r), ensure_ascii=False)
        csl = ",\n".join(self._csl[r.id] for r in refs)
        return {f"{stem}.bib": "\n".join(self._bib[r.id] for r in refs),
                f"{stem}.ris": "\n".join(self._ris[r.id] for r in refs),
                f"{stem}.json": f"[\n{csl}\n]\n" if refs else "[]\n"}


# -- the bibliography's style, and what a citation shows ---------------------------------

def ref_label(r: Record) -> str:
    """What a citation shows: the review's number, or author-year for unnumbered ones."""
    if r.get("number"):
        return str(r["number"])
    # two papers by one first author in one year are told apart as the ids do: doe-2025a
    suffix = r.id.removeprefix(r.id.rstrip("abcdefghijklmnopqrstuvwxyz")) if r.id[-2:-1].isdigit() else ""
    return f"{r['authors'][0]['family']} {r['year']}{suffix}"


def _format_reference(r: Record, forms: re.Pattern) -> str:
    """One consistent style (Vancouver-like), escaped, with DOI and PubMed links.
    forms: where a glossary form occurs (abbreviations.forms_pattern)."""
    names = [_author(a, forms) for a in r["authors"][:6]]
    authors = ", ".join(names) + (", et al" if r.get("et_al") or len(r["authors"]) > 6 else "")
    parts = [authors + ".", escape_md(r["title"].rstrip(".")) + "."]
    where = r.get("journal", "")
    if where:
        parts.append(f"*{escape_md(where)}*.")
    detail = str(r["year"])
    if r.get("volume"):
        detail += f";{r['volume']}"
        if r.get("issue"):
            detail += f"({r['issue']})"
    if r.get("pages"):
        detail += f":{r['pages']}"
    parts.append(escape_md(detail) + ".")
    links = []
    if r.get("doi"):
        links.append(f"[doi:{escape_md(r['doi'])}]({urls.link_path(urls.doi(r['doi']))})")
    if r.get("pmid"):
        links.append(f"[PubMed {r['pmid']}]({urls.pubmed(r['pmid'])})")
    if r.get("pmcid"):
        links.append(f"[{r['pmcid']}]({urls.pmc(r['pmcid'])})")
    if r.get("url") and not r.get("doi"):
        links.append(f"[{escape_md(r['url'])}]({urls.link_path(r['url'])})")
    return " ".join(parts + links)


def _author(a: dict, forms: re.Pattern) -> str:
    """'Family Initials Suffix', escaped. Initials such as 'DM' would take a glossary
    term's tooltip (abbr applies to all text): an initial that a glossary form matches
    starts with a character reference, which reads the same but is not matched by it."""
    family, given, suffix = (escape_md(a.get(k, "")) for k in ("family", "given", "suffix"))
    # the text a reader sees, where abbr looks for the forms
    seen = [" ".join(str(a.get(k, "")).split()) for k in ("family", "given", "suffix")]
    words, seen_words = given.split(" "), seen[1].split(" ")
    at = len(seen[0]) + 1 if seen[0] else 0  # where the initials start
    hits = [m.span() for m in forms.finditer(" ".join(filter(None, seen)))]
    out = []
    for w, plain in zip(words, seen_words if len(seen_words) == len(words) else [None] * len(words)):
        start, end = (at, at + len(plain)) if plain is not None else (0, 0)
        at = end + 1
        # (an initial whose place is unsure is always guarded)
        hit = plain is None or any(s < end and start < e for s, e in hits)
        out.append(f"&#{ord(w[0])};{w[1:]}" if hit and w[:1].isalpha() else w)
    return " ".join(filter(None, (family, " ".join(out), suffix)))


def glossary_forms(corpus) -> frozenset[str]:
    """Every form a glossary term is defined under: what formatted references depend on
    besides the references themselves (a key of incremental.ServeMemo.start)."""
    return frozenset(form for form, _ in abbreviations.lines(corpus.all("glossary-term")))


class References:
    """The corpus's references written out once per build: pages cite them thousands of times."""

    def __init__(self, corpus):
        self.corpus = corpus

    @cached_property
    def _short(self) -> dict[str, str]:
        out = {}
        for r in self.corpus.all("reference"):
            first = r["authors"][0]
            who = first["family"] + (" et al." if len(r["authors"]) > 1 or r.get("et_al") else "")
            out[r.id] = f"{who} {r['year']}. {r['title']}. {r.get('journal', '')}".strip()
        return out

    def short(self, ref: Record) -> str:
        """Author, year, title and journal: what a citation shows on hover."""
        noticed(ref)
        return self._short[ref.id]

    @cached_property
    def _titles(self) -> dict[str, str]:
        return {rid: attr(text) for rid, text in self._short.items()}

    def title_attr(self, ref: Record) -> str:
        noticed(ref)
        return self._titles[ref.id]

    @cached_property
    def _formatted(self) -> dict[str, str]:
        forms = abbreviations.forms_pattern(glossary_forms(self.corpus))
        return {r.id: _format_reference(r, forms) for r in self.corpus.all("reference")}

    def formatted(self, ref: Record) -> str:
        """The bibliography's style, as Markdown."""
        noticed(ref)
        return self._formatted[ref.id]


# -- a reference as schema.org JSON-LD (page heads) -------------------------------------

CONTEXT = "https://schema.org"


def scholarly_article(ref: Record) -> dict:
    item = {
        "@type": "ScholarlyArticle",
        "@id": f"#{ref.id}",
        "name": ref["title"],
        "headline": ref["title"][:110],
        "author": [{"@type": "Person", "familyName": a["family"], **({"givenName": a["given"]} if a.get("given") else {}),
                    **({"honorificSuffix": a["suffix"]} if a.get("suffix") else {})}
                   for a in ref["authors"]],
        "datePublished": str(ref["year"]),
    }
    if ref.get("journal"):
        item["isPartOf"] = {"@type": "Periodical", "name": ref["journal"]}
    if ref.get("doi"):
        item["sameAs"] = urls.doi(ref["doi"])
        item["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": ref["doi"]}
    if ref.get("pages"):
        item["pagination"] = str(ref["pages"])
    return item


def bibliography_jsonld(refs: list[Record]) -> dict:
    return {"@context": CONTEXT, "@type": "ItemList", "name": "Bibliography",
            "itemListElement": [{"@type": "ListItem", "position": i, "item": scholarly_article(r)}
                                for i, r in enumerate(refs, 1)]}
