"""Machine-readable exports for analysts: studies, outcomes, trials and limitations as
CSV and JSON, one row per record (per outcome for outcomes). Pure functions from records
to text. (The references' files, BibTeX, RIS and CSL-JSON, are citations/formats.py.)
"""
from __future__ import annotations

import csv
import io
import json
import re

from . import paths
from .citations.cite import strip
from .citations.formats import _json_lines, bibtex_entry, csl_item, ris_entry
from .completeness import FACTS, applies, declared
from .corpus import Corpus, study_stage

# -- data tables ---------------------------------------------------------------------------

NOT_REPORTED = "not reported by the source"
NOT_ENTERED = "not yet entered"
STATUS_WORDS = "'entered', 'not reported by the source' (the source was checked and does not give it), " \
               "'not yet entered' (nobody has entered it yet) or 'does not apply'"


def _join(values) -> str:
    return "; ".join(str(v) for v in values or [])


def _clean(text) -> tuple[str, str]:
    """(text without citation markers, the ids it cited joined): a marker means nothing in a
    spreadsheet, so the ids get their own column."""
    if not isinstance(text, str):
        return "", ""
    plain, cited = strip(text)
    return plain, _join(cited)


def fact_status(study, fact) -> str:
    """Whether a study has a fact, its source does not report it, or nobody has entered it."""
    if not applies(fact, study):
        return "does not apply"
    if fact.has(study):
        return "entered"
    return NOT_REPORTED if declared(fact, study) else NOT_ENTERED


def _figure_status(o: dict, key: str) -> str:
    if o.get(key) is not None:
        return "entered"
    return NOT_REPORTED if key in (o.get("not_reported") or []) else NOT_ENTERED


# Every column of every table: the schema field it comes from (kind, field as the data
# dictionary names it), or what it is in words when it is computed. The data page explains
# each column from this list, so a column cannot be added without its meaning.
COLUMNS: dict[str, dict[str, tuple[str, str] | str]] = {
    "studies": {
        "id": ("study", "id"), "title": ("study", "title"), "year": ("study", "year"),
        "design": ("study", "design"),
        "stage": "The stage of evidence its design puts the study at: in vitro, animal, early clinical or randomised.",
        "classes": ("study", "classes"), "species": ("study", "population.species"),
        "strain": ("study", "population.strain"), "condition": ("study", "population.condition"),
        "induction": ("study", "population.induction"), "host_immunity": ("study", "population.host_immunity"),
        "enrolled": ("study", "enrolled"),
        "arms": "Each arm as id=number in it, separated by '; ' (from arms[].id and arms[].n).",
        "cell_source": ("study", "intervention.cell_source"), "donor": ("study", "intervention.donor"),
        "product": ("study", "intervention.product"), "dose_value": ("study", "intervention.dose.value"),
        "dose_low": ("study", "intervention.dose.low"), "dose_high": ("study", "intervention.dose.high"),
        "dose_unit": ("study", "intervention.dose.unit"), "dose_text": ("study", "intervention.dose.text"),
        "dose_basis": ("study", "intervention.dose_basis"),
        "route": ("study", "intervention.route"), "route_note": ("study", "intervention.route_note"),
        "site": ("study", "intervention.site"),
        "device": ("study", "intervention.device"),
        "immunosuppression": ("study", "intervention.immunosuppression"),
        "follow_up_value": ("study", "follow_up.value"), "follow_up_low": ("study", "follow_up.low"),
        "follow_up_high": ("study", "follow_up.high"), "follow_up_unit": ("study", "follow_up.unit"),
        **{f"{f.key}_status": f"{f.label}: {STATUS_WORDS}." for f in FACTS},
        "not_reported": ("study", "not_reported"),
        "trials": ("study", "trials"), "limitations": ("study", "limitations"),
        "references": "Ids of the references that report the study (citations[].ref), separated by '; '.",
        "summary": "The study in our words (summary), without citation markers.",
        "summary_citations": "Ids of the references the summary cites, separated by '; '.",
    },
    "outcomes": {
        "study": "Id of the study the outcome belongs to.", "outcome": "The outcome's number within its study, from 1.",
        "classes": ("study", "classes"), "design": ("study", "design"),
        "stage": "The stage of evidence of the study: in vitro, animal, early clinical or randomised.",
        "species": ("study", "population.species"), "year": ("study", "year"),
        "measure": ("study", "outcomes[].measure"), "harm": ("study", "outcomes[].harm"),
        "finding": "The result in our words (outcomes[].finding), without citation markers.",
        "arm": ("study", "outcomes[].arm"), "arm_label": ("study", "arms[].label"),
        "arm_role": ("study", "arms[].role"), "arm_n": ("study", "arms[].n"),
        "n": ("study", "outcomes[].n"), "of": ("study", "outcomes[].of"),
        "value": ("study", "outcomes[].value"), "comparison_value": ("study", "outcomes[].comparison_value"),
        "unit": ("study", "outcomes[].unit"),
        "effect_statistic": ("study", "outcomes[].effect.statistic"),
        "effect_value": ("study", "outcomes[].effect.value"), "effect_unit": ("study", "outcomes[].effect.unit"),
        "effect_versus": ("study", "outcomes[].effect.versus"),
        "ci_low": ("study", "outcomes[].ci.low"), "ci_high": ("study", "outcomes[].ci.high"),
        "ci_kind": ("study", "outcomes[].ci.kind"), "ci_level": ("study", "outcomes[].ci.level"),
        **{f"{k}_status": f"The outcome's '{k}': {STATUS_WORDS}." for k in ("n", "of", "effect", "ci")},
        "timepoint_value": ("study", "outcomes[].timepoint.value"),
        "timepoint_low": ("study", "outcomes[].timepoint.low"),
        "timepoint_high": ("study", "outcomes[].timepoint.high"),
        "timepoint_unit": ("study", "outcomes[].timepoint.unit"),
        "direction": ("study", "outcomes[].direction"), "source_type": ("study", "outcomes[].source_type"),
        "references": "Ids of the references that report the outcome (outcomes[].citations), separated by '; '.",
    },
    "trials": {
        "id": ("trial", "id"), "title": ("trial", "title"), "registry": ("trial", "registry"),
        "identifier_as_printed": ("trial", "identifier_as_printed"), "identifier": ("trial", "identifier"),
        "identifier_valid": "true when the trial has a valid identifier (identifier), false when only a malformed one was printed.",
        "phase": ("trial", "phase"), "status": ("trial", "status"), "sponsors": ("trial", "sponsors"),
        "products": ("trial", "products"), "classes": ("trial", "classes"),
        "studies": "Ids of the studies that report the trial (their trials field), separated by '; '.",
        "references": ("trial", "citations"),
        "summary": "The trial in our words (summary), without citation markers.",
        "summary_citations": "Ids of the references the summary cites, separated by '; '.",
    },
    "limitations": {
        "id": ("limitation", "id"), "name": ("limitation", "name"), "category": ("limitation", "category"),
        "classes": "Ids of the therapy classes it affects, from the limitation and its studies, separated by '; '.",
        "studies": "Ids of the studies that show it, separated by '; '.",
        "references": ("limitation", "citations"),
        "summary": "The limitation in our words (summary), without citation markers.",
        "summary_citations": "Ids of the references the summary cites, separated by '; '.",
    },
}


def _get(d, key, default=""):
    v = d.get(key) if hasattr(d, "get") else None  # a dict, or a record
    return default if v is None else v


def study_rows(corpus: Corpus) -> list[dict]:
    rows = []
    for s in corpus.studies_sorted:
        pop, iv, fu = s.get("population", {}), s.get("intervention", {}), s.get("follow_up", {})
        dose = iv.get("dose", {})
        summary, summary_cites = _clean(s["summary"])
        rows.append({
            "id": s.id, "title": s["title"], "year": s["year"], "design": s["design"], "stage": study_stage(s),
            "classes": _join(s["classes"]), "species": _get(pop, "species"), "strain": _get(pop, "strain"),
            "condition": _get(pop, "condition"), "induction": _get(pop, "induction"),
            "host_immunity": _get(pop, "host_immunity"), "enrolled": _get(s, "enrolled"),
            "arms": _join(f"{a['id']}={a.get('n', '')}" for a in s.get("arms", [])),
            "cell_source": _get(iv, "cell_source"), "donor": _get(iv, "donor"), "product": _get(iv, "product"),
            "dose_value": _get(dose, "value"), "dose_low": _get(dose, "low"), "dose_high": _get(dose, "high"),
            "dose_unit": _get(dose, "unit"), "dose_text": _clean(dose.get("text"))[0],
            "dose_basis": _get(iv, "dose_basis"),
            "route": _get(iv, "route"), "route_note": _clean(iv.get("route_note"))[0],
            "site": _get(iv, "site"), "device": _get(iv, "device"),
            "immunosuppression": "" if iv.get("immunosuppression") is None else str(iv["immunosuppression"]).lower(),
            "follow_up_value": _get(fu, "value"), "follow_up_low": _get(fu, "low"), "follow_up_high": _get(fu, "high"),
            "follow_up_unit": _get(fu, "unit"),
            **{f"{f.key}_status": fact_status(s, f) for f in FACTS},
            "not_reported": _join(s.get("not_reported")),
            "trials": _join(s.get("trials")), "limitations": _join(s.get("limitations")),
            "references": _join(c["ref"] for c in s["citations"]), "summary": summary,
            "summary_citations": summary_cites,
        })
    return rows


def outcome_rows(corpus: Corpus) -> list[dict]:
    rows = []
    for s in corpus.studies_sorted:
        arms = {a["id"]: a for a in s.get("arms", [])}
        for i, o in enumerate(s.get("outcomes", []), 1):
            tp, arm = o.get("timepoint", {}), arms.get(o.get("arm"), {})
            effect, ci = o.get("effect", {}), o.get("ci", {})
            rows.append({
                "study": s.id, "outcome": i, "classes": _join(s["classes"]), "design": s["design"],
                "stage": study_stage(s), "species": _get(s.get("population"), "species"), "year": s["year"],
                "measure": o["measure"], "harm": _get(o, "harm"), "finding": _clean(o["finding"])[0],
                "arm": _get(o, "arm"), "arm_label": _get(arm, "label"), "arm_role": _get(arm, "role"),
                "arm_n": _get(arm, "n"), "n": _get(o, "n"), "of": _get(o, "of"),
                "value": _get(o, "value"), "comparison_value": _get(o, "comparison_value"), "unit": _get(o, "unit"),
                "effect_statistic": _get(effect, "statistic"), "effect_value": _get(effect, "value"),
                "effect_unit": _get(effect, "unit"), "effect_versus": _get(effect, "versus"),
                "ci_low": _get(ci, "low"), "ci_high": _get(ci, "high"), "ci_kind": _get(ci, "kind"),
                "ci_level": _get(ci, "level"),
                **{f"{k}_status": _figure_status(o, k) for k in ("n", "of", "effect", "ci")},
                "timepoint_value": _get(tp, "value"), "timepoint_low": _get(tp, "low"),
                "timepoint_high": _get(tp, "high"), "timepoint_unit": _get(tp, "unit"),
                "direction": o["direction"], "source_type": o["source_type"], "references": _join(o["citations"]),
            })
    return rows


def trial_rows(corpus: Corpus) -> list[dict]:
    from . import trials
    rows = []
    for t in sorted(corpus.all("trial"), key=lambda t: t.id):
        rr = t.get("registry_record") or {}
        studies = corpus.studies_by_trial.get(t.id, [])
        gap = trials.gap_in(corpus, t)
        summary, cites = _clean(t.get("summary"))
        rows.append({
            "id": t.id, "title": t["title"], "registry": t["registry"], "identifier_as_printed": t.get("identifier_as_printed", ""),
            "identifier": t.get("identifier", ""), "identifier_valid": str(bool(t.get("identifier"))).lower(),
            "phase": t.get("phase", ""), "status": t.get("status", ""), "sponsors": _join(t.get("sponsors")),
            "products": _join(t.get("products")), "classes": _join(t.get("classes")),
            "studies": _join(s.id for s in studies), "references": _join(t.get("citations")),
            "summary": summary, "summary_citations": cites,
            # what the registry record says (registry_record), as read on registry_read
            "registry_status": rr.get("status", ""), "registry_phases": _join(rr.get("phases")),
            "allocation": rr.get("allocation", ""), "masking": rr.get("masking", ""),
            "enrolment": (rr.get("enrolment") or {}).get("count", ""), "enrolment_type": (rr.get("enrolment") or {}).get("type", ""),
            "start": (rr.get("start") or {}).get("date", ""), "primary_completion": (rr.get("primary_completion") or {}).get("date", ""),
            "primary_completion_type": (rr.get("primary_completion") or {}).get("type", ""),
            "completion": (rr.get("completion") or {}).get("date", ""), "first_posted": rr.get("first_posted", ""),
            "last_update_posted": rr.get("last_update_posted", ""),
            "lead_sponsor": (rr.get("lead_sponsor") or {}).get("name", ""),
            "lead_sponsor_type": (rr.get("lead_sponsor") or {}).get("type", ""),
            "countries": _join(rr.get("countries")),
            "has_results": "" if rr.get("has_results") is None else str(rr["has_results"]).lower(),
            "no_results_reported": str(gap is not None).lower() if rr else "",
            "registry_read": rr.get("read", ""), "registry_read_via": rr.get("read_via", ""), "registry_read_url": rr.get("read_url", ""),
        })
    return rows


def limitation_rows(corpus: Corpus) -> list[dict]:
    rows = []
    for lim in sorted(corpus.all("limitation"), key=lambda x: x.id):
        summary, cites = _clean(lim["summary"])
        rows.append({
            "id": lim.id, "name": lim["name"], "category": lim["category"],
            "classes": _join(k.id for k in corpus.limitation_classes.get(lim.id, [])),
            "studies": _join(s.id for s in corpus.limitation_studies.get(lim.id, [])),
            "references": _join(lim["citations"]), "summary": summary, "summary_citations": cites,
        })
    return rows


TABLES = {"studies": study_rows, "outcomes": outcome_rows, "trials": trial_rows, "limitations": limitation_rows}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP, CSV injection): a
    text starting with = + - @ tab or CR gets a leading apostrophe. A number (-2.5, or text
    that is exactly a number) is not a formula and stays as it is."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    # the writer quotes a field holding its line terminator (\n) but not a lone CR, which
    # readers take for the end of the row
    return value.replace("\r\n", "\n").replace("\r", "\n")


def reference_entries(corpus: Corpus) -> str:
    """Every reference as its BibTeX entry, RIS record and CSL-JSON item, by id: what the
    evidence explorer puts together for the rows a reader has chosen (the same entries as
    the site's own .bib, .ris and .json files)."""
    entries = [json.dumps(r.id) + ": " + json.dumps({"bibtex": bibtex_entry(r), "ris": ris_entry(r),
                                                       "csl": csl_item(r)}, ensure_ascii=False)
               for r in sorted(corpus.all("reference"), key=lambda r: r.id)]
    return "{\n" + ",\n".join(entries) + "\n}\n"


def to_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def data_tables(corpus: Corpus) -> dict[str, list[dict]]:
    return {name: fn(corpus) for name, fn in TABLES.items()}


def data_files(tables: dict[str, list[dict]]) -> dict[str, str]:
    """data/<table>.csv and .json for every table."""
    out = {}
    for name, rows in tables.items():
        out[paths.table_file(name, "csv")] = to_csv(rows)
        out[paths.table_file(name, "json")] = _json_lines(rows)
    return out
