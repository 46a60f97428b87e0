"""Warnings, not errors: texts a new record may have made stale.

A study reported by a paper published after the review (a reference without a review
number, other than the review itself) is placed in classes, shows limitations and
reports trials whose summaries were written without it. Each of those records that
does not cite the new paper, and was not marked as reviewed since (a `reviewed:` date,
where the schema has that field), is named so that its text gets reread. The data stays
valid: `atlas validate` prints the warnings and exits 0.
"""
from __future__ import annotations

from .corpus import Corpus, Record
from .diagnostics import Problem
from .rules.base import references_in
from .schema import Schemas

# what a study says about each record it names, for the message
_LINKS = (("classes", "therapy-class", "is in this class"), ("limitations", "limitation", "shows this limitation"),
          ("trials", "trial", "reports this trial"))
_TEXT_FIELDS = ("evidence_summary", "summary", "status")


def review_id(schemas: Schemas) -> str | None:
    return schemas.documents.get("reference.schema.json", {}).get("x-source-review")


def post_review_references(study: Record, corpus: Corpus, review: str | None) -> list[Record]:
    out = []
    for c in study.get("citations") or []:
        ref = corpus.get("reference", c.get("ref") if isinstance(c, dict) else c)
        if ref is not None and not ref.get("number") and ref.id != review:
            out.append(ref)
    return out


def _cites(record: Record, ids: set[str], schemas: Schemas) -> bool:
    xrefs, cites = references_in(record, schemas)
    named = {v for _, v, target in xrefs if target == "reference"} | {k for _, keys in cites for k in keys}
    return bool(named & ids)


def _reviewed_since(record: Record, year: object) -> bool:
    reviewed = record.get("reviewed")
    return isinstance(reviewed, str) and isinstance(year, int) and reviewed[:4].isdigit() and int(reviewed[:4]) >= year


def warnings(corpus: Corpus, schemas: Schemas) -> list[Problem]:
    review = review_id(schemas)
    out = []
    for study in corpus.studies_sorted:
        new = post_review_references(study, corpus, review)
        if not new:
            continue
        ids = {r.id for r in new}
        for field, kind, relation in _LINKS:
            for tid in study.get(field) or []:
                target = corpus.get(kind, tid) if isinstance(tid, str) else None
                if target is None or _cites(target, ids, schemas) or _reviewed_since(target, study.get("year")):
                    continue
                text_field = next((f for f in _TEXT_FIELDS if f in target.data), "id")
                line, col = target.where((text_field,), value=True)
                how = "cite it there" + (", or set 'reviewed:' to today's date if nothing needs to change"
                                         if "reviewed" in schemas.allowed_fields(target.kind) else "")
                out.append(Problem(target.relpath, line, col, "revisit",
                                   f"{study.relpath} ({', '.join(sorted(ids))}, after the review) {relation}, but "
                                   f"this {target.kind.label}'s text does not cite it; reread {text_field} and the "
                                   f"other texts with the new result in mind and {how}", severity="warning"))
    return sorted(set(out))
