"""Machine-readable exports: references for reference managers, records for analysts.

Pure functions from records to text. References: BibTeX, RIS and CSL-JSON (each
reference formatted once per build). Data: studies, outcomes, trials and
limitations as CSV and JSON, one row per record (per outcome for outcomes).
"""
from __future__ import annotations

import csv
import io
import json
import re

from .corpus import Corpus, Record, study_stage
from .reads import noticed

# -- references --------------------------------------------------------------------------

_CSL_TYPE = {"journal-article": "article-journal", "book-chapter": "chapter", "book": "book", "report": "report",
             "web-page": "webpage", "conference-abstract": "paper-conference", "preprint": "article"}
_BIB_TYPE = {"journal-article": "article", "book-chapter": "incollection", "book": "book", "report": "techreport",
             "web-page": "misc", "conference-abstract": "inproceedings", "preprint": "misc"}
_RIS_TYPE = {"journal-article": "JOUR", "book-chapter": "CHAP", "book": "BOOK", "report": "RPRT",
             "web-page": "ELEC", "conference-abstract": "CPAPER", "preprint": "JOUR"}


def _pages(ref: Record) -> tuple[str | None, str | None]:
    pages = ref.get("pages")
    if not pages:
        return None, None
    start, _, end = str(pages).partition("-")
    return start, end or None


def csl_item(ref: Record) -> dict:
    item = {
        "id": ref.id,
        "type": _CSL_TYPE[ref["type"]],
        "title": ref["title"],
        "author": [{k: v for k, v in (("family", a["family"]), ("given", a.get("given")), ("suffix", a.get("suffix"))) if v}
                   for a in ref["authors"]],
        "issued": {"date-parts": [[ref["year"]]]},
    }
    for src, dst in (("journal", "container-title"), ("volume", "volume"), ("issue", "issue"), ("pages", "page"),
                     ("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID"), ("url", "URL")):
        if ref.get(src):
            item[dst] = str(ref[src])
    if ref.get("number"):
        item["citation-number"] = ref["number"]
        item["note"] = f"Reference {ref['number']} of Ghoneim et al. 2024"
    return item


def _json_lines(items: list) -> str:
    """A JSON array, one item per line (readable diffs; the C encoder, unlike indent=)."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n"


def csl_json(refs: list[Record]) -> str:
    return _json_lines([csl_item(r) for r in refs])


def _bib_escape(value: str) -> str:
    # braces keep capitals (β-cell, MSC) as written; special characters escaped for LaTeX tools
    value = value.replace("\\", "/").replace("{", "(").replace("}", ")")
    return re.sub(r"([&%#_$])", r"\\\1", value)


def bibtex_entry(ref: Record) -> str:
    fields = [("author", " and ".join(", ".join(filter(None, (a["family"], a.get("suffix"), a.get("given"))))
                                      for a in ref["authors"])
               + (" and others" if ref.get("et_al") else "")),
              ("title", "{" + _bib_escape(ref["title"]) + "}")]
    journal_field = "booktitle" if ref["type"] in ("book-chapter", "conference-abstract") else "journal"
    if ref.get("journal"):
        fields.append((journal_field if ref["type"] != "web-page" else "howpublished", _bib_escape(ref["journal"])))
    fields.append(("year", str(ref["year"])))
    start, end = _pages(ref)
    for name, value in (("volume", ref.get("volume")), ("number", ref.get("issue")),
                        ("pages", f"{start}--{end}" if end else start), ("doi", ref.get("doi")),
                        ("pmid", ref.get("pmid")), ("url", ref.get("url"))):
        if value:
            fields.append((name, _bib_escape(str(value)) if name not in ("doi", "url") else str(value)))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{_BIB_TYPE[ref['type']]}{{{ref.id},\n{body}\n}}\n"


def bibtex(refs: list[Record]) -> str:
    return "\n".join(bibtex_entry(r) for r in refs)


def ris_entry(ref: Record) -> str:
    lines = [("TY", _RIS_TYPE[ref["type"]]), ("ID", ref.id)]
    lines += [("AU", ", ".join(filter(None, (a["family"], a.get("given"), a.get("suffix"))))) for a in ref["authors"]]
    lines.append(("TI", ref["title"]))
    if ref.get("journal"):
        lines.append(("T2", ref["journal"]))
    lines.append(("PY", str(ref["year"])))
    start, end = _pages(ref)
    for tag, value in (("VL", ref.get("volume")), ("IS", ref.get("issue")), ("SP", start), ("EP", end),
                       ("DO", ref.get("doi")), ("AN", ref.get("pmid")), ("UR", ref.get("url"))):
        if value:
            lines.append((tag, str(value)))
    if ref.get("number"):
        lines.append(("N1", f"Reference {ref['number']} of Ghoneim et al. 2024"))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}" for tag, value in lines) + "\n"


def ris(refs: list[Record]) -> str:
    return "\n".join(ris_entry(r) for r in refs)


def reference_files(refs: list[Record], stem: str) -> dict[str, str]:
    """The three reference-manager files for a set of references: {path: text}."""
    return {f"{stem}.bib": bibtex(refs), f"{stem}.ris": ris(refs), f"{stem}.json": csl_json(refs)}


class ReferenceFiles:
    """reference_files() with each reference formatted once per build, not once per page."""

    def __init__(self):
        self._bib: dict[str, str] = {}
        self._ris: dict[str, str] = {}
        self._csl: dict[str, str] = {}

    def __call__(self, refs: list[Record], stem: str) -> dict[str, str]:
        for r in refs:
            noticed(r)
            if r.id not in self._bib:
                self._bib[r.id] = bibtex_entry(r)
                self._ris[r.id] = ris_entry(r)
                self._csl[r.id] = json.dumps(csl_item(r), ensure_ascii=False)
        csl = ",\n".join(self._csl[r.id] for r in refs)
        return {f"{stem}.bib": "\n".join(self._bib[r.id] for r in refs),
                f"{stem}.ris": "\n".join(self._ris[r.id] for r in refs),
                f"{stem}.json": f"[\n{csl}\n]\n" if refs else "[]\n"}


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
        gap = trials.gap(t, studies)
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
        out[f"data/{name}.csv"] = to_csv(rows)
        out[f"data/{name}.json"] = _json_lines(rows)
    return out
