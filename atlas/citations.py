"""[@reference-id] citations: finding them in text and Markdown."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from .text import escape_md

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

def page_exports_stem(page_path: str) -> str:
    """Where a page's own reference files go: references/<page path without .md>."""
    return "references/" + page_path.removesuffix(".md")


def ref_anchor(r: Record) -> str:
    return r.kind.anchor(r)


def ref_label(r: Record) -> str:
    """What a citation shows: the review's number, or author-year for unnumbered ones."""
    if r.get("number"):
        return str(r["number"])
    return f"{r['authors'][0]['family']} {r['year']}"


def _format_reference(r: Record) -> str:
    """One consistent style (Vancouver-like), escaped, with DOI and PubMed links."""
    names = [f"{a['family']} {a.get('given', '')}".strip() for a in r["authors"]]
    if len(names) > 6:
        names = names[:6]
    authors = ", ".join(names) + (", et al" if r.get("et_al") or len(r["authors"]) > 6 else "")
    parts = [escape_md(authors) + ".", escape_md(r["title"].rstrip(".")) + "."]
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
        links.append(f"[doi:{escape_md(r['doi'])}](https://doi.org/{_url_path(r['doi'])})")
    if r.get("pmid"):
        links.append(f"[PubMed {r['pmid']}](https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/)")
    if r.get("pmcid"):
        links.append(f"[{r['pmcid']}](https://www.ncbi.nlm.nih.gov/pmc/articles/{r['pmcid']}/)")
    if r.get("url") and not r.get("doi"):
        links.append(f"[{escape_md(r['url'])}]({_url_path(r['url'])})")
    return " ".join(parts + links)


def _url_path(value: str) -> str:
    """Escape what would end or break a Markdown link destination; the schema already fixed the syntax."""
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
