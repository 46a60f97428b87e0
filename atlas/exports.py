"""Machine-readable exports for analysts: studies, outcomes, trials and limitations as
CSV and JSON, one row per record (per outcome for outcomes). Pure functions from records
to text. (The references' files, BibTeX, RIS and CSL-JSON, are citations/formats.py.)
"""
from __future__ import annotations

import csv
import io

from . import paths
from .citations.formats import _json_lines
from .corpus import Corpus, study_stage

# -- data tables ---------------------------------------------------------------------------

def _join(values) -> str:
    return "; ".join(str(v) for v in values or [])


def study_rows(corpus: Corpus) -> list[dict]:
    rows = []
    for s in corpus.studies_sorted:
        pop, iv, dose, fu = s.get("population", {}), s.get("intervention", {}), \
            s.get("intervention", {}).get("dose", {}), s.get("follow_up", {})
        arms = s.get("arms", [])
        rows.append({
            "id": s.id, "title": s["title"], "year": s["year"], "design": s["design"], "stage": study_stage(s),
            "classes": _join(s["classes"]), "species": pop.get("species", ""), "strain": pop.get("strain", ""),
            "condition": pop.get("condition", ""), "induction": pop.get("induction", ""),
            "host_immunity": pop.get("host_immunity", ""), "enrolled": s.get("enrolled", ""),
            "arms": _join(f"{a['id']}={a.get('n', '')}" for a in arms),
            "cell_source": iv.get("cell_source", ""), "donor": iv.get("donor", ""), "product": iv.get("product", ""),
            "dose_value": dose.get("value", ""), "dose_unit": dose.get("unit", ""), "dose_text": dose.get("text", ""),
            "route": iv.get("route", ""), "site": iv.get("site", ""), "device": iv.get("device", ""),
            "immunosuppression": "" if iv.get("immunosuppression") is None else str(iv["immunosuppression"]).lower(),
            "follow_up_value": fu.get("value", ""), "follow_up_unit": fu.get("unit", ""),
            "trials": _join(s.get("trials")), "limitations": _join(s.get("limitations")),
            "references": _join(c["ref"] for c in s["citations"]), "summary": s["summary"],
        })
    return rows


def outcome_rows(corpus: Corpus) -> list[dict]:
    rows = []
    for s in corpus.studies_sorted:
        for i, o in enumerate(s.get("outcomes", []), 1):
            tp = o.get("timepoint", {})
            rows.append({
                "study": s.id, "outcome": i, "measure": o["measure"], "finding": o["finding"],
                "value": o.get("value", ""), "comparison_value": o.get("comparison_value", ""),
                "unit": o.get("unit", ""), "timepoint_value": tp.get("value", ""), "timepoint_unit": tp.get("unit", ""),
                "arm": o.get("arm", ""), "direction": o["direction"], "source_type": o["source_type"],
                "references": _join(o["citations"]),
            })
    return rows


def trial_rows(corpus: Corpus) -> list[dict]:
    from . import trials
    rows = []
    for t in sorted(corpus.all("trial"), key=lambda t: t.id):
        rr = t.get("registry_record") or {}
        studies = corpus.studies_by_trial.get(t.id, [])
        gap = trials.gap_in(corpus, t)
        rows.append({
            "id": t.id, "title": t["title"], "registry": t["registry"], "identifier_as_printed": t.get("identifier_as_printed", ""),
            "identifier": t.get("identifier", ""), "identifier_valid": str(bool(t.get("identifier"))).lower(),
            "phase": t.get("phase", ""), "status": t.get("status", ""), "sponsors": _join(t.get("sponsors")),
            "products": _join(t.get("products")), "classes": _join(t.get("classes")),
            "studies": _join(s.id for s in studies), "references": _join(t.get("citations")),
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
    return [{
        "id": lim.id, "name": lim["name"], "category": lim["category"],
        "classes": _join(k.id for k in corpus.limitation_classes.get(lim.id, [])),
        "studies": _join(s.id for s in corpus.limitation_studies.get(lim.id, [])),
        "references": _join(lim["citations"]), "summary": lim["summary"],
    } for lim in sorted(corpus.all("limitation"), key=lambda x: x.id)]


TABLES = {"studies": study_rows, "outcomes": outcome_rows, "trials": trial_rows, "limitations": limitation_rows}


def to_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
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
