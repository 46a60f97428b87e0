"""Citations, all of them: [@reference-id] in text and Markdown, a citation group as a
page shows it, each page's reference list, "cited by", and how references are written.

Functions that render take the page being rendered (render.PageContext): its links are
relative to it and it remembers what it cited.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

from . import abbreviations, paths, urls
from .diagnostics import DataError, Problem
from .reads import noticed
from .text import attr, escape_md

if TYPE_CHECKING:
    from .corpus import Record

# One bracket may hold several keys: [@kubo-2004; @damour-2005]
CITATION = re.compile(r"\[(@[^\]\s;,]+(?:\s*[;,]\s*@[^\]\s;,]+)*)\]")


def keys(group: str) -> list[str]:
    return [k.strip().lstrip("@") for k in re.split(r"[;,]", group)]


def find(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """(line, col, keys) of every citation in text; line and col are 1-based."""
    for m in CITATION.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        yield line, col, keys(m.group(1))


def in_code(markdown: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks and inline code, where citations are literal text."""
    spans = [m.span() for m in re.finditer(r"^(```|~~~).*?^\1", markdown, re.S | re.M)]
    spans += [m.span() for m in re.finditer(r"`[^`\n]+`", markdown)]
    return spans


def find_in_markdown(markdown: str) -> Iterator[tuple[int, int, list[str], tuple[int, int]]]:
    """Like find(), for hand-written Markdown: skips code, also yields the match span."""
    code = in_code(markdown)
    for m in CITATION.finditer(markdown):
        if any(a <= m.start() < b for a, b in code):
            continue
        line = markdown.count("\n", 0, m.start()) + 1
        col = m.start() - (markdown.rfind("\n", 0, m.start()) + 1) + 1
        yield line, col, keys(m.group(1)), m.span()


# -- references: where they are shown, what a citation shows, how they are formatted ----

def ref_anchor(r: Record) -> str:
    return r.kind.anchor(r)


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
    besides the references themselves (a key of rerender.start)."""
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


# -- rendering on a page -------------------------------------------------------------

def group(page, ids) -> str:
    """[12–14, 20, Smith 2021]: numbers sorted and runs of three or more shown as a range,
    each number linking to its bibliography entry (its title shows the reference). The
    numbers inside a range are linked from the page's reference list and its preview."""
    if isinstance(ids, str):
        ids = [ids]
    refs: dict[str, Record] = {}
    for rid in ids or []:
        rid = rid["ref"] if isinstance(rid, dict) else rid
        ref = page.renderer.corpus.get("reference", rid)
        if ref is None:  # validation reports it; a build never gets here with bad data
            raise KeyError(rid)
        refs.setdefault(ref.id, ref)
    if not refs:
        return ""
    ordered = sorted(refs.values(), key=lambda x: (0, x["number"], "") if x.get("number")
                     else (1, 0, ref_label(x).lower()))
    for ref in ordered:
        page.note_cited(ref)
    parts = []
    for run in _runs(ordered):
        if len(run) >= 3:
            parts.append(f'<span class="cite-range">{_link(page, run[0])}–{_link(page, run[-1])}</span>')
        else:
            parts.extend(_link(page, ref) for ref in run)
    return f"<span class=\"cite\">\\[{', '.join(parts)}\\]</span>"


def _link(page, ref: Record) -> str:
    title = page.renderer.title_attr(ref)
    return f'[{escape_md(ref_label(ref))}]({page.url(*ref.kind.location(ref))} "{title}")'


def _runs(refs: list[Record]) -> list[list[Record]]:
    """Consecutive reference numbers grouped: 12, 13, 14, 20 -> [12, 13, 14], [20]."""
    runs: list[list[Record]] = []
    for ref in refs:
        n = ref.get("number")
        if runs and n and runs[-1][-1].get("number") == n - 1:
            runs[-1].append(ref)
        else:
            runs.append([ref])
    return runs


def page_references(page) -> str:
    """The page's references, in order of first citation, linking to the bibliography."""
    if not page.cited:
        return ""
    # kept out of the search index: each entry is indexed once, on the bibliography
    lines = ["", "## References on this page {#page-references}", "", "<div data-search-exclude markdown>", ""]
    for ref in page.cited:
        lines.append(f"- [\\[{escape_md(ref_label(ref))}\\]]({page.url(*ref.kind.location(ref))}) "
                     f"{page.renderer.formatted_reference(ref)}")
    stem = paths.exports_stem(page.path)
    lines += ["", "Download these references for a reference manager: "
              f"[BibTeX]({page.url(stem + '.bib')}) · [RIS]({page.url(stem + '.ris')}) · "
              f"[CSL-JSON]({page.url(stem + '.json')})", "", "</div>"]
    return "\n".join(lines) + "\n"


def in_markdown(page, markdown: str) -> str:
    """A hand-written page with its [@id] citations made links and its reference list added."""
    out, last = [], 0
    for line, col, found, (start, end) in find_in_markdown(markdown):
        unknown = [k for k in found if page.renderer.corpus.get("reference", k) is None]
        if unknown:  # validation reports these first; this guards pages added after it ran
            raise DataError([Problem(paths.doc_file(page.path), line, col, "ref-unresolved",
                                     f"cites [@{unknown[0]}], but there is no reference with that id")])
        out.append(markdown[last:start])
        out.append(page.cite(found))
        last = end
    out.append(markdown[last:])
    return "".join(out).rstrip() + "\n" + page.references_footer()


def cited_by(cited_on: dict[str, list[str]], doc_citations: dict[str, list[str]]) -> dict[str, list[str]]:
    """Reference id -> the pages that cite it: generated pages, then hand-written ones."""
    out: dict[str, list[str]] = defaultdict(list)
    for path, refs in sorted(cited_on.items()):
        for ref in refs:
            out[ref].append(path)
    for path, keys in sorted(doc_citations.items()):
        for key in keys:
            if path not in out[key]:
                out[key].append(path)
    return out
