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


RANDOMISED_DESIGNS = ("randomised-controlled-trial", "meta-analysis")


def start_for(designs) -> str:
    """An outcome's starting level, by the designs of the studies reporting it: high when
    every one is randomised (or a meta-analysis of randomised trials), low otherwise."""
    designs = list(designs)
    return "high" if designs and all(d in RANDOMISED_DESIGNS for d in designs) else "low"


def for_outcome(certainty: dict, measure: str, start: str) -> dict:
    """The appraisal of one outcome, in the class's own shape so that level() and
    downgrades() apply: the start set by design, and per domain the outcome's own judgement
    (certainty.outcomes[].domains) where the class gives one, otherwise the class's."""
    own = next((o for o in certainty.get("outcomes", []) if o.get("measure") == measure), {})
    domains = {d: (own.get("domains") or {}).get(d) or certainty["domains"][d] for d in DOMAINS}
    return {"start": start, "domains": domains, "own": sorted(own.get("domains") or {}),
            "plain": own.get("plain")}
