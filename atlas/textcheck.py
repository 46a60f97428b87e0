"""Characters a record may not hold, checked with the schemas (stage 1 of validation).

Contributed text reaches pages, feeds, CSV, RIS and BibTeX files and a reader's
clipboard. The exports escape by construction; this check tells the contributor, at the
value's file and line, what would otherwise be dropped or would forge something:
- `text-control`: a control character (NUL, BEL, ESC, a lone CR, NEL...) in any text;
- `text-line-break`: a line break in a one-line field (a title, a name, an id, a
  journal, an author, an identifier): every field but the prose ones below;
- `identifier-characters`: a DOI, PMID, PMCID or NCT number holding invisible
  characters (zero-width spaces, bidirectional marks, combining marks), characters that
  NFKC normalisation changes (full-width digits, a no-break space) or non-ASCII
  look-alikes (a Cyrillic 'а' for a Latin 'a'). Such an identifier looks like another one,
  so it would pass the duplicate check and send a reader elsewhere.
"""
from __future__ import annotations

import unicodedata

from .diagnostics import Problem
from .yamlsafe import Loaded, _dotted, leaves

# Fields written as paragraphs: a line break is allowed in them (a control character is not).
PROSE = frozenset({
    "summary", "definition", "description", "note", "notes", "finding", "plain_language", "plain",
    "evidence_summary", "how_it_works", "rationale", "mechanism", "advantages", "disadvantages", "open_questions",
    "mitigations", "harm", "reasons", "steps", "immunogenicity", "protection", "teratoma_risk", "text",
})
IDENTIFIERS = frozenset({"doi", "pmid", "pmcid", "identifier"})
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_ALLOWED_CONTROLS = frozenset("\n\t")


def _field(path: tuple) -> str:
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"




def identifier_problem(value: str) -> str | None:
    """Why an identifier's characters are refused, or None."""
    for ch in value:
        if unicodedata.category(ch) in ("Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc", "Co", "Cn"):
            return f"holds the invisible character {_name(ch)}; delete it (retype the identifier)"
    normal = unicodedata.normalize("NFKC", value)
    if normal != value:
        return f"is written with look-alike characters; write it as {normal.encode('ascii', 'replace').decode()}"
    for ch in value:
        if not ch.isascii():
            return (f"holds the non-ASCII character '{ch}' ({_name(ch)}), a look-alike of an ASCII one; "
                    "identifiers are written in ASCII only: retype it")
    return None


def check(loaded: Loaded, relpath: str) -> list[Problem]:
    if loaded.data is None:
        return []
    problems = []

    def at(path: tuple, rule: str, message: str) -> None:
        line, col = loaded.where(path, value=True)
        problems.append(Problem(relpath, line, col, rule, f"{_dotted(path)}: {message}"))

    for path, value in leaves(loaded.data, lambda v: isinstance(v, str)):
        field = _field(path)
        if field in IDENTIFIERS:
            why = identifier_problem(value)
            if why:
                at(path, "identifier-characters", why)
        if value.isprintable():  # the common case: nothing more to look at
            continue
        bad = next((ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
                    and not (ch in LINE_BREAKS and field not in PROSE)), None)
        if field not in PROSE and any(ch in LINE_BREAKS for ch in value):
            at(path, "text-line-break", "a one-line field holds a line break; write it on one line "
                                        "(a title, name, id, journal, author or identifier is one line)")
        elif bad is not None:
            at(path, "text-control", f"holds the control character {_name(bad)}, which no page, feed or "
                                     "download may print; delete it")
    return problems
