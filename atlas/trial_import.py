"""`atlas import trials FILE`: trial records from ClinicalTrials.gov API v2 JSON, offline.

FILE holds one study (GET /api/v2/studies/{nctId}) or a search result ({"studies": [...]}).
A study whose record is new becomes data/trials/<id>.yaml (id: the registry identifier in
lowercase), its title the registry's brief title; the optional "x-atlas" block
(the staging contract: read date, how and where it was read; classes, products, references,
links and notes) fills in the hand-written fields of a NEW record only. A study whose record
exists replaces that record's `registry_record` block and nothing else: titles, classes,
links, summary, notes and comments stay as they were written. Each change is printed as
`field: old -> new`; a record whose registry fields did not change is not written (its read
date is not moved for nothing). Every record written validates and is in fmt's canonical form.
"""
from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .kinds import BY_NAME
from .registries import record_id
from .schema import Schemas
from .trials import StudyError, from_study
from .yamlsafe import load

TRIAL = BY_NAME["trial"]
# The registry's facts that a re-read may change without anything about the trial changing
PROVENANCE = ("read", "read_via", "read_url")


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # paths
    changes: list[str] = field(default_factory=list)  # lines: 'nct...: field: old -> new'
    unchanged: list[str] = field(default_factory=list)  # record ids
    refused: list[str] = field(default_factory=list)  # messages


def read_studies(path: Path) -> list:
    """The study objects of a file: one study, or the `studies` list of a search result."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not a text file (expected ClinicalTrials.gov API v2 JSON)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})") from None
    if isinstance(data, dict) and "studies" in data:
        if not isinstance(data["studies"], list):
            raise ValueError(f"{path.name}: 'studies' must be a list of studies")
        return data["studies"]
    if isinstance(data, dict) and "protocolSection" in data:
        return [data]
    raise ValueError(f"{path.name}: neither a study (an object with 'protocolSection') nor a search result "
                     "(an object with 'studies'): expected ClinicalTrials.gov API v2 JSON")


def _label(i: int, study) -> str:
    try:
        return f"study {i} ({study['protocolSection']['identificationModule']['nctId']})"
    except (KeyError, TypeError):
        extra = study.get("x-atlas") if isinstance(study, dict) else None
        return f"study {i} ({extra['id']})" if isinstance(extra, dict) and extra.get("id") else f"study {i}"


def flatten(value, prefix: str = "") -> dict[str, str]:
    """Field path -> value as a reader would read it in a change line."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(str(item.get("name", "")) + (f" ({item['type']})" if item.get("type") else ""))
            else:
                parts.append(str(item))
        return {prefix: ", ".join(parts)}
    if isinstance(value, bool):
        return {prefix: "true" if value else "false"}
    return {prefix: str(value)}


def changes(old: dict | None, new: dict) -> list[str]:
    a, b = flatten(old or {}), flatten(new)
    out = []
    for key in list(dict.fromkeys([*b, *a])):
        if a.get(key) != b.get(key):
            out.append(f"{key}: {a.get(key, '(none)')} -> {b.get(key, '(none)')}")
    return out


def run(root: Path, file: Path, *, write: bool = True, today: str | None = None) -> tuple[Outcome, dict[str, str]]:
    """Import the file's studies. Returns the outcome and {path: text} of the records to write."""
    from .corpus import load_corpus
    from .fmt import format_text

    today = today or datetime.date.today().isoformat()
    schemas = Schemas(root / "schemas")
    corpus = load_corpus(root)
    outcome, texts = Outcome(), {}
    for i, study in enumerate(read_studies(file), 1):
        where = f"{file.name}: {_label(i, study)}"
        try:
            block, extra = from_study(study, today)
        except StudyError as e:
            outcome.refused.append(f"{where}: {e}")
            continue
        rid = record_id(block["id"])
        rel = f"data/trials/{rid}.yaml"
        if rel in texts:
            outcome.refused.append(f"{where}: {block['id']} appears twice in the file; it was imported once")
            continue
        path = root / rel
        if path.is_file():
            text, old, error = _update(path, block, schemas, format_text)
        else:
            text, old, error = _create(rid, block, extra, corpus, schemas, format_text), None, None
        if error:
            outcome.refused.append(f"{where}: {error}")
            continue
        if isinstance(text, _Refused):
            outcome.refused.append(f"{where}: {text.message}")
            continue
        lines = changes(old, block) if old is not None else []
        if old is not None and not [ln for ln in lines if ln.split(":", 1)[0] not in PROVENANCE]:
            outcome.unchanged.append(rid)
            continue
        if old is None:
            outcome.changes.append(f"{rid}: new record, status {block.get('status', 'not read')}"
                                   + ("" if block.get("brief_title") or block.get("official_title")
                                      else "; no title read: it is named by its identifier, write a title"))
        outcome.changes.extend(f"{rid}: {ln}" for ln in lines)
        texts[rel] = text
    if write:
        for rel, text in texts.items():
            with open(root / rel, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            outcome.written.append(rel)
    return outcome, texts


@dataclass
class _Refused:
    message: str


def _problems(schemas: Schemas, record: dict, rel: str) -> str:
    from .importer import _Loaded
    found = schemas.validate(TRIAL, _Loaded(record), rel)
    return "; ".join(p.message for p in found)


def _create(rid: str, block: dict, extra: dict, corpus, schemas: Schemas, format_text):
    from .trials import REGISTRY_NAMES
    # a record read without its title is named by its registry and identifier until one is written
    title = (block.get("brief_title") or block.get("official_title")
             or f"{REGISTRY_NAMES[block['registry']].split(' (')[0]} trial (title not read)")
    record: dict = {"id": rid, "title": title, "registry": block["registry"], "identifier": block["id"]}
    for key, kind in (("classes", "therapy-class"), ("products", "product"), ("references", "reference")):
        ids = extra.get(key) or []
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            return _Refused(f"x-atlas {key} must be a list of record ids")
        unknown = [x for x in ids if corpus.get(kind, x) is None]
        if unknown:
            return _Refused(f"x-atlas {key}: no such {kind} in data/: {', '.join(unknown)}")
        if ids:
            record["citations" if key == "references" else key] = ids
    if extra.get("links"):
        # a PMID or a year written as a number is still the text the schema wants
        record["links"] = [{k: (str(v) if k in ("pmid", "date") and isinstance(v, int) else v)
                            for k, v in x.items() if v not in (None, "", [])} if isinstance(x, dict) else x
                           for x in extra["links"]]
    if extra.get("notes"):
        record["notes"] = extra["notes"]
    record["registry_record"] = block
    rel = f"data/trials/{rid}.yaml"
    problems = _problems(schemas, record, rel)
    if problems:
        return _Refused(problems)
    header = ("# Imported with atlas import trials; registry_record is replaced at each import, "
              "every other field is written by hand.\n")
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=4096)
    return format_text(header + body, TRIAL, schemas)


def _update(path: Path, block: dict, schemas: Schemas, format_text):
    """(text, old block, error): the file with its registry_record replaced, comments and
    every hand-written field kept."""
    from ruamel.yaml.error import YAMLError

    from .fmt import _yaml
    y = _yaml()
    try:
        data = y.load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as e:
        return None, None, f"{path.name} is not readable YAML ({e}); fix it first"
    if not isinstance(data, dict):
        return None, None, f"{path.name} does not hold a record; fix it first"
    rel = f"data/trials/{path.name}"
    # Plain values, as the validator reads the file: ruamel's round-trip types (a date such as
    # `reviewed: 2026-12-03`, numbers kept as written) are not JSON and not what the schema sees.
    before = load(path.read_bytes(), rel)
    old = before.data.get("registry_record") if isinstance(before.data, dict) else None
    old = old if isinstance(old, dict) else {}
    if data.get("registry") not in (None, block["registry"]) or (
            data.get("identifier") and data["identifier"] != block["id"]):
        return None, None, (f"{path.name} is the record of {data.get('registry')} {data.get('identifier')}, "
                            f"not of {block['registry']} {block['id']}")
    data["registry_record"] = block
    out = io.StringIO()
    y.dump(data, out)
    after = load(out.getvalue().encode("utf-8"), rel)
    problems = "; ".join(p.message for p in after.problems) or (
        "; ".join(p.message for p in schemas.validate(TRIAL, after, rel)))
    if problems:
        return None, None, problems
    return format_text(out.getvalue(), TRIAL, schemas), old, None


def clinicaltrials_ids(root: Path) -> list[str]:
    """The NCT number of every trial in the atlas that has one (what the weekly update fetches)."""
    from .corpus import load_corpus
    corpus = load_corpus(root)
    return sorted({t["identifier"] for t in corpus.all("trial")
                   if t.get("registry") == "clinicaltrials.gov" and t.get("identifier")})


if __name__ == "__main__":  # `python -m atlas.trial_import`: the NCT numbers, one a line
    import sys
    print("\n".join(clinicaltrials_ids(Path(sys.argv[1] if len(sys.argv) > 1 else "."))))
