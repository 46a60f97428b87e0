"""Citing: [@reference-id] in record text and in hand-written Markdown, the keys a
citation names, where a citation points (a reference's page and anchor), and the
citations of the hand-written pages in docs/.

The bottom of the citations package: it knows no record type, so the corpus can use it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import confine, paths
from ..diagnostics import Problem

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


def strip(text: str) -> tuple[str, list[str]]:
    """Text without its [@key] markers (and the space before each), and the keys they cited,
    in order, each once: for downloads and JSON-LD, where a marker means nothing."""
    cited: list[str] = []
    for m in CITATION.finditer(text):
        cited.extend(k for k in keys(m.group(1)) if k not in cited)
    return re.sub(r"\s*" + CITATION.pattern, "", text).strip(), cited


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


def reference_anchor(ref) -> str:
    """The anchor of a reference on its bibliography page: ref-12, or ref-<id> unnumbered."""
    return f"ref-{ref.get('number')}" if ref.get("number") else f"ref-{ref.id}"


def reference_page(ref) -> str:
    """The bibliography page a reference is listed on (paths.bibliography_page)."""
    return paths.bibliography_page(ref.get("number"))


# -- the hand-written pages' citations ---------------------------------------------------

_DOC_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class DocCitation:
    relpath: str  # docs/... file
    line: int
    col: int
    keys: list[str]


def in_docs(root: Path, is_refused: Callable[[str], bool], problems: list[Problem],
            texts: dict[str, str] | None = None) -> list[DocCitation]:
    """Every citation in docs/*.md under root (files the loader refused are skipped);
    unreadable files go to problems. Each page's text goes to texts, if given (the prose
    rules read the living-with page)."""
    found: list[DocCitation] = []
    docs = root / "docs"
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() and not is_refused("docs") else []:
        rel = md.relative_to(root).as_posix()
        if is_refused(rel):
            continue
        problem = confine.too_large(rel, md.stat().st_size)
        if problem is not None:
            problems.append(problem)
            continue
        try:
            text = md.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(Problem(rel, 1, 1, "docs-encoding",
                                    f"byte {e.start} is not UTF-8; save the page as UTF-8"))
            continue
        control = _DOC_CONTROLS.search(text)
        if control is not None:  # NUL, ESC, BEL... would reach the HTML as they are (issue 26)
            line = text.count("\n", 0, control.start()) + 1
            col = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
            problems.append(Problem(rel, line, col, "text-control",
                                    f"the page holds the control character U+{ord(control.group()):04X}; delete it"))
            continue
        if texts is not None:
            texts[rel] = text
        for line, col, keys, _ in find_in_markdown(text):
            found.append(DocCitation(rel, line, col, keys))
    return found


def by_page(found: list[DocCitation]) -> dict[str, list[str]]:
    """Hand-written page path -> the reference ids it cites, in order (with repeats)."""
    out: dict[str, list[str]] = {}
    for c in found:
        out.setdefault(paths.page_of_doc(c.relpath), []).extend(c.keys)
    return out
