"""Glossary terms as Markdown abbreviations: `*[form]: definition` lines, which the abbr
extension turns into <abbr title="definition"> where a form occurs on a page (only the
first occurrence: atlas/markdown_abbr.py).

Two sorts of term: abbreviations (T1D, MSC) with their expansion, and everyday words
explained where they appear (glossary terms marked `lay: true`, and abbreviations with a
`plain` explanation). Unlike abbreviations, words start sentences, so each form of a word
is also defined with a capital first letter; forms may contain spaces ("stem cell").
"""
from __future__ import annotations

import re
from functools import lru_cache

_ABBR_TERM = re.compile(r"^[\w\-/+.]+$")
_FORM = re.compile(r"^[\w][\w\-/+. ]*[\w]$")


def lines(terms) -> list[tuple[str, str]]:
    """(form, its `*[form]: definition` line) for every glossary term, in the order a page
    lists them: abbreviations first, everyday words after, so that a later definition of
    the same form wins."""
    out = []
    for t in sorted(terms, key=lambda t: t.id):
        expansion = " ".join(str(t["expansion"]).split())
        for term in [t["term"], *[a for a in t.get("aliases", []) if a.isupper() or any(ch.isdigit() for ch in a)]]:
            if _ABBR_TERM.match(term):
                out.append((term, f"*[{term}]: {expansion}"))
    out += [(line[2:line.index("]: ")], line) for line in definitions(terms)]
    return list(dict.fromkeys(out))


@lru_cache(maxsize=256)  # a rebuild under serve meets the same pages' term sets again
def forms_pattern(forms: frozenset[str]) -> re.Pattern:
    """Where any of the forms occurs, as abbr finds it: whole words, the longest first.
    Used by atlas/markdown_abbr.py on each page's terms, and to guard author initials."""
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    return re.compile(r"\b(?:" + "|".join(re.escape(f) for f in ordered) + r")\b") if ordered else re.compile(r"(?!)")


def is_lay(term) -> bool:
    return term.get("lay") is True


def definitions(terms) -> list[str]:
    """Markdown abbreviation lines (`*[word]: definition`) for every lay term and alias, and
    for abbreviations with a `plain` line (expansion, then the plain words). They come after
    the plain abbreviation lines, and a later definition of the same form wins."""
    lines = []
    for t in sorted((t for t in terms if is_lay(t) or t.get("plain")), key=lambda t: t.id):
        text = " ".join(str(t["expansion"]).split())
        if not is_lay(t):
            text = f"{text}: {' '.join(str(t['plain']).split())}"
        for word in [t["term"], *t.get("aliases", [])]:
            forms = (word, word[:1].upper() + word[1:]) if is_lay(t) else (word,)
            for form in forms:
                if _FORM.match(form):
                    lines.append(f"*[{form}]: {text}")
    return list(dict.fromkeys(lines))
