"""schema.org JSON-LD for page heads: what a page is about, for search engines and scrapers.
(A reference as schema.org, and the bibliography's list, are citations/formats.py.)"""
from __future__ import annotations

import json

from . import trials, urls
from .citations.cite import strip
from .citations.formats import CONTEXT, scholarly_article
from .corpus import Corpus, Record, study_stage


def study(s: Record, corpus: Corpus) -> dict:
    refs = [corpus.get("reference", c["ref"]) for c in s["citations"]]
    out = {
        "@context": CONTEXT,
        "@type": "MedicalStudy",
        "name": s["title"],
        "description": strip(s["summary"])[0],
        "studySubject": {"@type": "MedicalCondition", "name": "Type 1 diabetes mellitus"},
        "citation": [scholarly_article(r) for r in refs if r is not None],
        "additionalType": study_stage(s),
    }
    if s.get("enrolled") and s.get("population", {}).get("species") == "human":
        out["population"] = f"{s['enrolled']} participants"
    return out


def trial(t: Record, corpus: Corpus) -> dict:
    out = {
        "@context": CONTEXT,
        "@type": "MedicalTrial",
        "name": t["title"],
        **({"description": strip(t["summary"])[0]} if t.get("summary") else {}),
        "healthCondition": {"@type": "MedicalCondition", "name": "Type 1 diabetes mellitus"},
    }
    if t.get("identifier"):
        out["identifier"] = t["identifier"]
        out["url"] = urls.registry_record(t["registry"], t["identifier"])
    rr = t.get("registry_record") or {}
    if rr.get("status"):
        out["status"] = trials.LABELS[rr["status"]]
    if t.get("phase") and t["phase"] != "not-stated":
        out["phase"] = t["phase"].replace("phase-1-2", "Phase 1/Phase 2").replace("phase-", "Phase ")
    sponsors = [corpus.get("organisation", o) for o in t.get("sponsors", [])]
    if sponsors:
        out["sponsor"] = [{"@type": "Organization", "name": o["name"]} for o in sponsors if o]
    return out


def therapy_class(c: Record) -> dict:
    return {"@context": CONTEXT, "@type": "MedicalTherapy", "name": c["name"], "description": strip(c["summary"])[0]}


def dataset(downloads: list[tuple[str, str, str]], name: str, description: str) -> dict:
    """downloads: (url, encoding format, name)."""
    return {
        "@context": CONTEXT,
        "@type": "Dataset",
        "name": name,
        "description": description,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isBasedOn": "https://doi.org/10.1186/s13287-024-03636-0",
        "distribution": [{"@type": "DataDownload", "contentUrl": url, "encodingFormat": fmt, "name": label}
                         for url, fmt, label in downloads],
    }


def encode(data: dict) -> str:
    """JSON for a <script> element: '<' escaped so that no text can close the element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
