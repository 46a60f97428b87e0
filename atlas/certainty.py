"""Certainty of the evidence, computed (GRADE): a starting level set by study design and
one judgement per domain that can lower it. Nobody types the level; it follows from the
judgements, so a page cannot show 'low' while its reasons take it lower (issue 23)."""
from __future__ import annotations

LEVELS = ("high", "moderate", "low", "very-low")
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
DOMAIN_LABELS = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
STEPS = {"not-serious": 0, "serious": 1, "very-serious": 2}
JUDGEMENT_LABELS = {"not-serious": "not serious", "serious": "serious (−1)", "very-serious": "very serious (−2)"}


def level(certainty: dict) -> str:
    """The level the judgements support: start, one level down per 'serious', two per
    'very serious', never below very low."""
    start = LEVELS.index(certainty["start"])
    down = sum(STEPS[certainty["domains"][d]["judgement"]] for d in DOMAINS)
    return LEVELS[min(start + down, len(LEVELS) - 1)]


def downgrades(certainty: dict) -> list[str]:
    """The domains that lowered the level, in GRADE's order."""
    return [d for d in DOMAINS if STEPS[certainty["domains"][d]["judgement"]]]
