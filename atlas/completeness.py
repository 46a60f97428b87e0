"""Field completeness of the studies: for each structured fact, how many studies have it,
how many sources do not report it, and how many are simply not entered yet.

A study's `not_reported` list names the facts its source does not give; the gap that
remains ("not yet entered") is work for contributors. In-vitro studies have no
participants, dose, site, follow-up or harms, so those facts do not apply to them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# Facts that only apply when something was given to a living body.
_IN_VIVO_ONLY = {"enrolled", "dose", "site", "route", "follow_up", "safety"}
_NOT_IN_VIVO = {"in-vitro-study"}


def _intervention(s) -> dict:
    iv = s.get("intervention")
    return iv if isinstance(iv, dict) else {}


def _outcomes(s) -> list[dict]:
    return [o for o in (s.get("outcomes") or []) if isinstance(o, dict)]


def _has_enrolment(s) -> bool:
    return isinstance(s.get("enrolled"), int) or any(
        isinstance(a, dict) and isinstance(a.get("n"), int) for a in (s.get("arms") or []))


@dataclass(frozen=True)
class Fact:
    key: str  # as named in a study's not_reported list
    label: str
    has: Callable[[Any], bool]


FACTS: tuple[Fact, ...] = (
    Fact("enrolled", "Enrolment", _has_enrolment),
    Fact("dose", "Dose", lambda s: bool(_intervention(s).get("dose"))),
    Fact("site", "Site or route", lambda s: bool(_intervention(s).get("site") or _intervention(s).get("route"))),
    Fact("route", "Route (fixed list)", lambda s: bool(_intervention(s).get("route"))),
    Fact("host_immunity", "Host immunity (animals)", lambda s: bool((s.get("population") or {}).get("host_immunity")
                                                                   if isinstance(s.get("population"), dict) else False)),
    Fact("follow_up", "Follow-up", lambda s: bool(s.get("follow_up"))),
    Fact("numeric_outcome", "A numeric outcome",
         lambda s: any(isinstance(o.get(k), (int, float)) for o in _outcomes(s) for k in ("value", "comparison_value", "n", "of"))
         or any(isinstance(o.get("effect"), dict) for o in _outcomes(s))),
    Fact("safety", "A safety outcome", lambda s: any(o.get("measure") == "safety" for o in _outcomes(s))),
)


@dataclass(frozen=True)
class Row:
    fact: Fact
    applicable: int  # studies the fact applies to
    entered: int
    not_reported: int  # the source does not give it (declared in not_reported)

    @property
    def missing(self) -> int:
        return self.applicable - self.entered - self.not_reported

    def share(self, n: int) -> str:
        return f"{100 * n / self.applicable:.0f}%" if self.applicable else "–"


_ANIMAL = {"animal-study", "in-vitro-and-animal-study"}


def applies(fact: Fact, study) -> bool:
    if fact.key == "host_immunity":
        return study.get("design") in _ANIMAL
    return not (fact.key in _IN_VIVO_ONLY and study.get("design") in _NOT_IN_VIVO)


# a declaration that covers another: 'site' (site or route) not reported means no route either
_COVERED_BY = {"route": "site"}


def declared(fact: Fact, study) -> bool:
    """The study's source was checked and does not give this fact (its not_reported list)."""
    listed = study.get("not_reported") or []
    return fact.key in listed or _COVERED_BY.get(fact.key) in listed


def completeness(studies: Iterable) -> list[Row]:
    studies = list(studies)
    rows = []
    for fact in FACTS:
        relevant = [s for s in studies if applies(fact, s)]
        entered = [s for s in relevant if fact.has(s)]
        unreported = [s for s in relevant if not fact.has(s) and declared(fact, s)]
        rows.append(Row(fact, len(relevant), len(entered), len(unreported)))
    return rows


def table(rows: list[Row], total: int) -> str:
    """A Markdown table of the figures (also readable as plain text)."""
    lines = [f"Studies: {total}",
             "",
             "| Fact | Applies to | Entered | Not reported by the source | Not yet entered |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r.fact.label} | {r.applicable} | {r.entered} ({r.share(r.entered)}) | "
                     f"{r.not_reported} ({r.share(r.not_reported)}) | {r.missing} ({r.share(r.missing)}) |")
    return "\n".join(lines)
