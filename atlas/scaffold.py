"""`atlas new KIND ID`: a new record laid out from its JSON Schema, every field commented.

Required fields are written out, holding either a value we know (the id, and for a
study made from a reference its year and citations) or a placeholder starting with
"TODO"; optional fields are written as comments to uncomment. `atlas validate` then
names each placeholder left, at its line (rule `placeholder`), so the scaffold is the
contributor's checklist. The layout follows the schema's field order, which is also
`atlas fmt`'s canonical order.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml

from . import datadict
from .kinds import BY_FOLDER, BY_NAME, KINDS, Kind
from .schema import PLACEHOLDER, POST_REVIEW_FIELDS, Schemas

# Short names people type for a kind, besides its own name and folder.
KIND_ALIASES = {"class": "therapy-class", "term": "glossary-term", "organization": "organisation"}


def find_kind(name: str) -> Kind | None:
    name = KIND_ALIASES.get(name, name)
    return BY_NAME.get(name) or BY_FOLDER.get(name)


def kind_names() -> str:
    return ", ".join(k.name for k in KINDS)


def scaffold(schemas: Schemas, kind: Kind, rid: str, values: dict | None = None) -> str:
    """The YAML text of a new record. values: known values by dotted field name
    (as in the data dictionary: 'year', 'citations[].ref', 'outcomes[].citations')."""
    values = {"id": rid, **(values or {})}
    children: dict[str, list[dict]] = {}
    for row in datadict.field_rows(schemas, kind):
        children.setdefault(_parent(row["name"]), []).append(row)
    description = schemas.documents[kind.schema].get("description", "")
    head = [f"# A new {kind.label}. {description}",
            f"# Replace every {PLACEHOLDER} (`make validate` lists those left, with their lines).",
            "# Optional fields are commented out: when the source reports one, remove the '# ' in front",
            "# of its lines. Write text in your own words and cite with [@reference-id].", ""]
    if kind.name == "reference":
        head[-1:] = ["# A reference the review does not list has no number and says what it is and how it",
                     "# was read: published, source_type, read and accessed.", ""]
    out: list[_Line] = []
    expected = set(POST_REVIEW_FIELDS) if kind.name == "reference" else set()
    names = {d.get("pattern"): name for name, d in
             schemas.documents.get("common.schema.json", {}).get("$defs", {}).items() if isinstance(d, dict)}
    for row in children.get("", []):
        known = row["required"] or row["name"] in values or row["name"] in expected
        _emit(row, children, values, out, prefix="" if known else "# ", indent="",
              expected=row["name"] in expected)
    seen: set[str] = set()
    for ln in out:  # a description shared by several fields (text, citations ...) is given once
        if ln.doc:
            ln.content = _readable(ln.content, names)
            if ln.desc in seen:
                ln.desc = ""
            seen.add(ln.desc)
    return "\n".join(head + _lines(out)).rstrip() + "\n"


def _lines(out: list) -> list[str]:
    """A written-out field has its description on the line above; a commented-out one at the end
    of its own line ('# reviewed: ...  # optional: ...'), so that removing the '# ' in front of
    its lines (by hand or with an editor's toggle-comment) leaves valid YAML, and no '# # '.
    What the placeholder already says (the allowed values, the kind of id) is not said again."""
    lines = []
    for i, ln in enumerate(out):
        after = out[i + 1] if i + 1 < len(out) else None
        if ln.doc:
            m = re.match(r"# (\S+) \((.*?)\): (.*)\.$", ln.content)
            if not m or after is None or after.doc:
                lines.append(ln.text())
                continue
            name, need, kind = m.groups()
            said = kind in after.content
            rest = ("" if said else f": {kind}") + "." + (f" {ln.desc}" if ln.desc else "")
            if ln.prefix:
                after.content += f"  # {need}{rest}"
            else:
                lines.append(f"{ln.indent}# {name} ({need}){rest}")
            continue
        lines.append(ln.text())
    return lines


def _readable(content: str, names: dict) -> str:
    """'text matching ^[0-9]{4}(-...' -> 'a date' for the patterns common.schema.json names."""
    for pattern, name in names.items():
        if pattern and f"text matching {pattern}" in content:
            content = content.replace(f"text matching {pattern}", _a(name.replace("_", " ")))
    return content


class _Line:
    __slots__ = ("prefix", "indent", "content", "doc", "desc")

    def __init__(self, prefix: str, indent: str, content: str, doc: bool = False, desc: str = ""):
        self.prefix, self.indent, self.content, self.doc, self.desc = prefix, indent, content, doc, desc

    def text(self) -> str:
        if self.doc:
            return f"{self.prefix}{self.indent}{self.content}{' ' + self.desc if self.desc else ''}"
        return f"{self.prefix}{self.indent}{self.content}"


def _parent(name: str) -> str:
    cut = max(name.rfind("[]."), name.rfind("."))
    if cut < 0:
        return ""
    return name[:cut] + ("[]" if name[cut:cut + 3] == "[]." else "")


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _comment(row: dict, expected: bool = False) -> str:
    need = "required" if row["required"] else "needed after the review" if expected else "optional"
    text = row["type"]
    target = row.get("refers_to")
    if target:
        where = f" (data/{BY_NAME[target].folder}/)" if target in BY_NAME else ""
        text = (f"list of ids of {target} records" if text.startswith("list") else f"id of {_a(target)}") + where
    return f"# {_leaf(row['name'])} ({need}): {text}."


def _placeholder(row: dict) -> str:
    if "[0-9]{4}(-" in row["type"]:  # common.schema.json's date
        return f"{PLACEHOLDER}: YYYY-MM-DD"
    if row["type"].startswith("one of: "):
        return f"{PLACEHOLDER}: {row['type']}"
    if row.get("refers_to"):
        return f"{PLACEHOLDER}: id of {_a(row['refers_to'])}"
    return f"{PLACEHOLDER}: {_leaf(row['name']).replace('_', ' ')}"


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeio' else 'a'} {word}"


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text.replace("'", "''") + "'" if _needs_quotes(text) else text  # as `atlas fmt` writes it


def _needs_quotes(text: str) -> bool:
    try:
        return yaml.safe_load(text) != text or ": " in text or " #" in text
    except yaml.YAMLError:
        return True


def _emit(row: dict, children: dict, values: dict, out: list, prefix: str, indent: str,
          expected: bool = False) -> None:
    """Lines for one field; prefix is '' (written out) or '<indent># ' (commented from there on)."""
    name, key = row["name"], _leaf(row["name"])
    # an id's own description (its spelling) says nothing about the record it names
    desc = "" if row.get("refers_to") else (row["description"] or "")
    out.append(_Line(prefix, indent, _comment(row, expected), doc=True, desc=desc))
    item_rows, sub_rows = children.get(f"{name}[]"), children.get(name)

    def child_prefix(sub: dict, sub_indent: str) -> str:
        return prefix if prefix or sub["required"] else f"{sub_indent}# "

    def child_indent(sub: dict, sub_indent: str) -> str:
        return sub_indent if prefix or sub["required"] else ""

    if name in values and not item_rows and not sub_rows:
        value = values[name]
        if isinstance(value, list):
            out.append(_Line(prefix, indent, f"{key}:"))
            out.extend(_Line(prefix, indent, f"- {_scalar(v)}") for v in value)
        else:
            out.append(_Line(prefix, indent, f"{key}: {_scalar(value)}"))
    elif item_rows:  # a list of groups: one item, written as '- first: ...' then '  next: ...'
        out.append(_Line(prefix, indent, f"{key}:"))
        start = len(out)
        inner = indent + "  "
        for sub in item_rows:
            _emit(sub, children, values, out, child_prefix(sub, inner), child_indent(sub, inner))
        first = next(ln for ln in out[start:] if not ln.doc)
        if first.prefix == prefix:  # written out (or commented with the list): the dash goes here
            first.indent = indent + "- "
        else:  # the first field is itself optional: the item starts with it, commented
            first.prefix, first.indent = f"{indent}# ", "- "
    elif sub_rows:
        out.append(_Line(prefix, indent, f"{key}:"))
        inner = indent + "  "
        for sub in sub_rows:
            _emit(sub, children, values, out, child_prefix(sub, inner), child_indent(sub, inner))
    elif row["type"].startswith("list"):
        out.append(_Line(prefix, indent, f"{key}:"))
        out.append(_Line(prefix, indent, f"- {_scalar(_placeholder(row))}"))
    elif row["type"] == "true or false":
        out.append(_Line(prefix, indent, f"{key}: false"))
    else:
        out.append(_Line(prefix, indent, f"{key}: {_scalar(_placeholder(row))}"))


def values_for(kind: Kind, rid: str, reference=None) -> dict:
    """What we know of a new record: a trial's identifier from its id; a study's year and
    citations from the reference that reports it."""
    out: dict = {}
    if kind.name == "trial" and rid.startswith("nct"):
        out["registry"] = "clinicaltrials.gov"
        out["identifier_as_printed"] = rid.upper()
        if malformed_nct(rid):  # as the source printed it: never linked, a note says what is wrong
            out["notes"] = [f"{PLACEHOLDER}: say that {rid.upper()} is malformed as printed (NCT and 8 digits); "
                            "add identifier only when the right one is certain"]
        else:
            out["identifier"] = rid.upper()
    if kind.name == "study" and reference is not None:
        if isinstance(reference.get("year"), int):
            out["year"] = reference["year"]
        out["citations[].ref"] = reference.id
        out["citations[].role"] = "primary-report"
        out["outcomes[].citations"] = [reference.id]
        out["outcomes[].source_type"] = "peer-reviewed-paper"
    if kind.name == "reference":
        out["year"] = datetime.date.today().year
    return out


def malformed_nct(rid: str) -> bool:
    """A trial id that starts like a ClinicalTrials.gov number but is not NCT + 8 digits."""
    return rid.startswith("nct") and not re.fullmatch(r"nct[0-9]{8}", rid)


def write_new(root: Path, kind: Kind, rid: str, text: str) -> Path:
    path = root / "data" / kind.folder / f"{rid}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as f:  # never over an existing record
        f.write(text)
    return path
