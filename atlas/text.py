"""Turning untrusted record text into safe Markdown, and formatting values for pages.

Contributed YAML is not trusted: every free-text value is HTML-escaped and its
Markdown punctuation backslash-escaped, so that neither raw HTML nor Markdown
links (e.g. javascript: URLs) nor attribute lists can come from data. Only the
citations we recognise, [@id], become links, and we build those links ourselves.
"""
from __future__ import annotations

import functools
import html
import re

# Control characters (C0 but tab, line feed and carriage return; DEL; C1): never printed.
# NUL, ESC and BEL from data must not reach a page, a feed or a download (issue 26).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What XML 1.0 cannot hold at all: the feed would not be well-formed.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def one_line(text) -> str:
    """Text on one line: every line break (CR, LF, NEL, U+2028...) and run of spaces made
    one space, control characters dropped. For values that a format ends at a line break."""
    return " ".join(CONTROLS.sub(" ", str(text)).split())


def xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


class Md(str):
    """Markdown we built (escaped text, our own links and citations). Templates print it as
    it is; whatever else they print is escaped (see safe()), so contributed text cannot
    become markup by a template forgetting to escape it."""

    __slots__ = ()

    def __html__(self) -> Md:  # how Jinja's autoescape recognises trusted output
        return self


def safe(value) -> Md:
    """What a template prints: built Markdown as it is, any other value escaped."""
    if hasattr(value, "__html__"):
        return Md(value.__html__())
    return Md(escape_md("" if value is None else str(value)))


# Python-Markdown's escapable characters (plus | from tables); < > & are HTML-escaped instead.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|])")
_LINE_START = re.compile(r"^(\s*)(-|\d+\.)(?=\s)")


@functools.lru_cache(maxsize=1 << 16)
def escape_md(text: str) -> str:
    """Plain text -> Markdown that renders as exactly that text, on one line.
    Cached: titles and labels recur on many pages."""
    raw = CONTROLS.sub("", str(text))
    # one line (safe inside tables and list items), keeping a single edge space
    # so that "recover [@a] and" stays "recover [1] and"
    text = (" " if raw[:1].isspace() else "") + " ".join(raw.split()) + (" " if raw[-1:].isspace() and raw.strip() else "")
    text = html.escape(text, quote=False)  # & < > never become markup
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_TITLE_ENTITIES = {"(": "&#40;", ")": "&#41;", "[": "&#91;", "]": "&#93;", '"': "&quot;", "\\": "&#92;"}


def attr(text: str) -> str:
    """Text for a Markdown link title ("..."): brackets and quotes become entities so
    that no text can end the title or the link; the serializer escapes < and &."""
    return "".join(_TITLE_ENTITIES.get(ch, ch) for ch in one_line(text))


_TITLE_SAFE = str.maketrans({"<": "‹", ">": "›", "&": "＋", '"': "”", "`": "'"})


def page_title(text: str) -> str:
    """A page title for front matter. MkDocs themes print page titles unescaped (in
    <title>, the nav and the search results), so a title from data must hold no
    markup characters at all; look-alike characters keep it readable."""
    return one_line(text).translate(_TITLE_SAFE)


LABELS = {
    # routes and dose bases (study intervention)
    "intra-arterial": "Intra-arterial", "intraportal": "Into the portal vein", "surgical-implantation": "Surgical implantation",
    "systemic-unspecified": "Systemic, route not stated", "more-than-one": "More than one route",
    "per-kg": "Per kg of body weight", "per-animal": "Per animal", "per-participant": "Per participant",
    "randomised-controlled-trial": "Randomised controlled trial",
    "non-randomised-trial": "Non-randomised trial",
    "single-arm-trial": "Single-arm trial",
    "meta-analysis": "Meta-analysis of RCTs",
    "cohort-study": "Cohort study",
    "animal-study": "Animal study",
    "in-vitro-study": "In vitro study",
    "in-vitro-and-animal-study": "In vitro and animal study",
    "announced-trial-results": "Trial results announced, unpublished",
    "peer-reviewed-paper": "Peer-reviewed paper",
    "conference-abstract": "Conference abstract",
    "registry-posting": "Registry posting",
    "company-announcement": "Company announcement",
    "regulatory-decision": "Regulatory decision",
    "not-serious": "Not serious",
    "very-serious": "Very serious",
    "hba1c": "HbA1c",
    "c-peptide": "C-peptide",
    "in-vitro": "In vitro",
    "early-clinical": "Early clinical",
    "phase-1": "Phase 1",
    "phase-1-2": "Phase 1/2",
    "phase-2": "Phase 2",
    "phase-3": "Phase 3",
    "not-stated": "Not stated",
    "primary-report": "Primary report",
    "later-report": "Later report",
    "clinicaltrials.gov": "ClinicalTrials.gov",
    "human-cells-in-vitro": "Human cells in vitro",
    "mouse-cells-in-vitro": "Mouse cells in vitro",
    "rat-cells-in-vitro": "Rat cells in vitro",
    "not-applicable": "Not applicable",
}

# Animals as readers name them in a study's model: "NOD/SCID mice".
_ANIMALS = {"mouse": "mice", "rat": "rats"}


def population(pop: dict | None, enrolled=None) -> str:
    """Who or what a study was done in, in readers' words: '15 participants',
    'Nude mice', 'Human cells in vitro'; '' when the record does not say."""
    pop = pop or {}
    species = pop.get("species")
    if species == "human" or (species is None and enrolled):
        return f"{enrolled} {'participant' if enrolled == 1 else 'participants'}" if enrolled else "People"
    if species in _ANIMALS:
        strain = pop.get("strain")
        return (strain[:1].upper() + strain[1:] + " " + _ANIMALS[species]) if strain else _ANIMALS[species].capitalize()
    return label(species) if species else ""


def label(value) -> str:
    """Enum value -> reader's label: 'single-arm-trial' -> 'Single-arm trial'."""
    if value is None:
        return ""
    value = str(value)
    return LABELS.get(value) or value.replace("-", " ").capitalize()


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(v) -> str:
    """3 -> '3', 1.5 -> '1.5', 20000000 -> '2 × 10⁷' (as the review writes large counts)."""
    if isinstance(v, bool) or v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and abs(v) >= 100000:
        exp = len(str(abs(v))) - 1
        mant = v / 10**exp
        mant_s = f"{mant:g}"
        return f"{mant_s} × 10{str(exp).translate(_SUPERSCRIPT)}" if mant_s != "1" else f"10{str(exp).translate(_SUPERSCRIPT)}"
    return f"{v:g}" if isinstance(v, float) else str(v)


# A unit written in the plural reads in the singular after exactly one: "1 year", not "1 years".
_SINGULAR = {"years": "year", "months": "month", "weeks": "week", "days": "day", "hours": "hour",
             "minutes": "minute", "patients": "patient", "participants": "participant", "doses": "dose",
             "injections": "injection", "infusions": "infusion", "cycles": "cycle", "doublings": "doubling",
             "proteins": "protein", "cells": "cell", "mice": "mouse", "rats": "rat"}


def quantity(q: dict | None) -> str:
    """Plain-text rendering of a quantity {value|low,high, unit, text}."""
    if not q:
        return ""
    if "value" in q:
        core = number(q["value"])
    elif "low" in q or "high" in q:
        core = f"{number(q.get('low'))}–{number(q.get('high'))}"
    else:
        core = ""
    unit = q.get("unit", "")
    if "value" in q and abs(q["value"]) == 1:
        unit = _SINGULAR.get(unit, unit)
    if core and unit:
        core = f"{core}{unit}" if unit.startswith("%") else f"{core} {unit}"  # 105.7% increase
    text = q.get("text")
    if core and text:
        return f"{core} ({text})"
    return core or text or ""


# The GRADE approach's four levels of certainty: what each means to a reader, and its symbol.
CERTAINTY_MEANING = {
    "high": "we are very confident that the true effect is close to what the studies found",
    "moderate": "the true effect is probably close to what the studies found, but it may be substantially different",
    "low": "the true effect may be substantially different from what the studies found",
    "very-low": "the true effect is likely to be substantially different from what the studies found",
}
CERTAINTY_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very-low": "⊕◯◯◯"}
