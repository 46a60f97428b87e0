"""The data dictionary: every field of every kind, read from the JSON Schemas, for the data page."""
from __future__ import annotations

import json

from .kinds import KINDS, Kind
from .schema import Schemas


def kinds(schema_texts: dict[str, str]) -> list[dict]:
    """Per record kind: its schema file and a row per field (from the JSON Schemas themselves)."""
    docs = {name: json.loads(text) for name, text in schema_texts.items()}
    if not docs:
        return []
    schemas = Schemas(documents=docs)
    out = []
    for kind in KINDS:
        top = docs[kind.schema]
        out.append({"kind": kind, "title": top.get("title", kind.label), "description": top.get("description", ""),
                    "schema": f"schemas/{kind.schema}", "fields": field_rows(schemas, kind)})
    return out


def field_rows(schemas: Schemas, kind: Kind) -> list[dict]:
    """Every field of a kind, nested ones dotted, for the data dictionary."""
    rows: list[dict] = []
    _rows(schemas, schemas.documents[kind.schema], kind.schema, "", True, rows)
    return rows


def _rows(schemas: Schemas, node: dict, base: str, prefix: str, top: bool, rows: list) -> None:
    node, base = schemas.resolve(node, base)
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        resolved, sub_base = schemas.resolve(sub, base)
        dotted = f"{prefix}{name}"
        items = resolved.get("items")
        items_r = schemas.resolve(items, sub_base)[0] if isinstance(items, dict) else None
        rows.append({"name": dotted, "required": name in required, "type": _describe(resolved, items_r),
                     "description": resolved.get("description") or (items_r or {}).get("description", ""),
                     "refers_to": resolved.get("x-ref") or (items_r or {}).get("x-ref")})
        if items_r and "properties" in items_r:
            _rows(schemas, items_r, sub_base, f"{dotted}[].", False, rows)
        elif "properties" in resolved:
            _rows(schemas, resolved, sub_base, f"{dotted}.", False, rows)


def _describe(node: dict, items: dict | None) -> str:
    if "enum" in node:
        return "one of: " + ", ".join(map(str, node["enum"]))
    t = node.get("type")
    if t == "array":
        inner = _describe(items, None) if items else "value"
        return f"list of {inner if not inner.startswith('one of') else 'values, ' + inner}"
    if "pattern" in node and t == "string":
        return f"text matching {node['pattern']}"
    return {"string": "text", "integer": "whole number", "number": "number", "boolean": "true or false",
            "object": "group of fields"}.get(t, t or "value")


def columns(schema_texts: dict[str, str], spec: dict[str, dict]) -> list[dict]:
    """Per download table: each column and what it holds, from the schema field it comes
    from (its description, and its allowed values) or, for a computed column, the words
    the export gives it (exports.COLUMNS)."""
    docs = {name: json.loads(text) for name, text in schema_texts.items()}
    if not docs:
        return []
    schemas = Schemas(documents=docs)
    by_kind = {k.name: {f["name"]: f for f in field_rows(schemas, k)} for k in KINDS}
    out = []
    for table, cols in spec.items():
        rows = []
        for name, source in cols.items():
            if isinstance(source, str):
                rows.append({"name": name, "field": "", "meaning": source, "type": ""})
                continue
            kind, field = source
            f = by_kind[kind][field]
            rows.append({"name": name, "field": f"{kind}: {field}", "meaning": f["description"], "type": f["type"]})
        out.append({"table": table, "columns": rows})
    return out
