"""Everyday words explained where they appear: glossary terms marked `lay: true`, and
abbreviations with a `plain` explanation.

They ride on the same Markdown abbreviation mechanism as the abbreviations (an <abbr>
with the plain definition as its title), so whatever decides which definitions a page
carries treats both alike. Unlike abbreviations, words start sentences, so each form is
also defined with a capital first letter; forms may contain spaces ("stem cell").
"""
from __future__ import annotations

import re

_FORM = re.compile(r"^[\w][\w\-/+. ]*[\w]$")


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
