"""[@reference-id] citations: finding them in text and Markdown."""
from __future__ import annotations

import re
from typing import Iterator

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
