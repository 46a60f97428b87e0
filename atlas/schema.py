"""JSON Schema validation: the schemas in schemas/ are the single source of truth.

The same files serve editors (yaml-language-server) and this validator. Beyond
standard JSON Schema they carry one keyword of ours, "x-ref": the kind of record a
field (or each item of a list) must name. Cross-reference checks read it from here
rather than from a second list of fields.
"""
from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import fastjsonschema

from .diagnostics import DataError, Problem
from .kinds import KINDS, Kind
from .yamlsafe import Loaded, _dotted

# Which rule a failed "pattern" belongs to, by the $defs entry in common.schema.json.
_PATTERN_RULES = {
    "doi": ("doi-syntax", "write the DOI alone, as 10.NNNN/suffix (no https://doi.org/ prefix; parentheses, not brackets)"),
    "pmid": ("pmid-syntax", "a PubMed ID is digits only, e.g. 23456789"),
    "pmcid": ("pmcid-syntax", "a PubMed Central ID looks like PMC1234567"),
    "nct": ("nct-syntax", "a ClinicalTrials.gov ID is NCT followed by exactly 8 digits, e.g. NCT04786262; "
            "if the review printed a malformed one, keep it in identifier_as_printed and leave identifier out"),
    "url": ("url-syntax", "write a full address starting with https:// or http://"),
    "id": ("id-syntax", "ids are lowercase slugs: letters, digits and single hyphens, e.g. 'hu-2013'"),
}


_THIS_YEAR = datetime.date.today().year
PLACEHOLDER = "TODO"  # what `atlas new` writes where a value is still to be filled in

# What a reference the review does not list says about itself (CONTRIBUTING, "When newer
# evidence arrives"): what it is and how it was read, so a reader can weigh it. Optional in
# the schema (the review's own references have none); rule reference-provenance asks for them.
POST_REVIEW_FIELDS = {
    "published": "the first publication date, online-first if earlier (YYYY-MM-DD, or YYYY-MM or YYYY when "
                 "only that is printed)",
    "source_type": "peer-reviewed-paper, registry-record, company-announcement or conference-abstract",
    "read": "what you read, e.g. 'the PubMed abstract'",
    "accessed": "the date you read it, YYYY-MM-DD",
}


class Schemas:
    def __init__(self, folder: Path | None = None, documents: dict[str, dict] | None = None,
                 cache: Path | None = None):
        if documents is None:
            documents = {p.name: _read(p) for p in sorted(folder.glob("*.schema.json"))}
        self.documents = documents
        self.cache = cache
        common = self.documents.get("common.schema.json", {}).get("$defs", {})
        self._pattern_rules = {d["pattern"]: _PATTERN_RULES[name] for name, d in common.items()
                               if name in _PATTERN_RULES and "pattern" in d}

    @cached_property
    def validators(self) -> dict:
        """jsonschema validators, for the messages of invalid records only (imported on demand:
        a clean run never needs them)."""
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource

        registry = Registry().with_resources(
            (name, Resource.from_contents(doc)) for name, doc in self.documents.items())
        return {k.name: Draft202012Validator(self.documents[k.schema], registry=registry) for k in KINDS}

    def resolve(self, node: dict, base: str) -> tuple[dict, str]:
        while "$ref" in node:
            ref = node["$ref"]
            doc_name, _, pointer = ref.partition("#")
            doc_name = doc_name or base
            target = self.documents[doc_name]
            for part in filter(None, pointer.split("/")):
                target = target[part]
            node, base = {**target, **{k: v for k, v in node.items() if k != "$ref"}}, doc_name
        return node, base

    @cached_property
    def xrefs(self) -> dict[str, list[tuple[tuple, str]]]:
        """Per kind: (path pattern with '*' for list items, target kind) of every x-ref field."""
        out = {}
        for kind in KINDS:
            found: list[tuple[tuple, str]] = []
            self._walk(self.documents[kind.schema], kind.schema, (), found)
            out[kind.name] = found
        return out

    def _walk(self, node: dict, base: str, pattern: tuple, found: list) -> None:
        node, base = self.resolve(node, base)
        is_list = node.get("type") == "array" or "items" in node
        if "x-ref" in node:
            found.append((pattern + ("*",) if is_list else pattern, node["x-ref"]))
            return
        for name, sub in node.get("properties", {}).items():
            self._walk(sub, base, pattern + (name,), found)
        if isinstance(node.get("items"), dict):
            self._walk(node["items"], base, pattern + ("*",), found)

    def allowed_fields(self, kind: Kind) -> list[str]:
        return list(self.documents[kind.schema].get("properties", {}))

    def bundled(self, kind: Kind) -> dict:
        """The kind's schema with every $ref inlined: one self-contained document."""
        def inline(node, base):
            if isinstance(node, dict):
                if "$ref" in node:
                    node, base = self.resolve(node, base)
                return {k: inline(v, base) for k, v in node.items() if k not in ("$defs", "$schema", "$id")}
            if isinstance(node, list):
                return [inline(v, base) for v in node]
            return node
        return inline(self.documents[kind.schema], kind.schema)

    @cached_property
    def fast_checks(self) -> dict[str, object]:
        """Compiled validators (fastjsonschema) that answer 'valid?' quickly; the schemas use
        only keywords whose meaning is the same in draft-07 and 2020-12."""
        return {k.name: self._compiled(self.bundled(k)) for k in KINDS}

    @staticmethod
    def _compiled(schema: dict):
        return _compile_schema(json.dumps(schema, sort_keys=True))

    def validate(self, kind: Kind, loaded: Loaded, relpath: str) -> list[Problem]:
        # Most records are valid: a compiled check says so in microseconds. Only an invalid
        # record goes through jsonschema, whose errors carry the paths our messages need.
        try:
            self.fast_checks[kind.name](loaded.data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        problems = []
        for error in self.validators[kind.name].iter_errors(loaded.data):
            problems.extend(self._problems(error, loaded, relpath, kind))
        return problems

    @cached_property
    def _bundled_kinds(self) -> dict[str, dict]:
        return {k.name: self.bundled(k) for k in KINDS}

    def node_at(self, kind: Kind, path: tuple) -> dict | None:
        """The schema of the value at path (list positions are ints), or None."""
        node = self._bundled_kinds[kind.name]
        for part in path:
            if not isinstance(node, dict):
                return None
            node = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
        return node if isinstance(node, dict) else None

    def homes(self, kind: Kind) -> dict[str, list[str]]:
        """field name -> where it is a field ('' for the top, 'population', 'outcomes[]' ...)."""
        out: dict[str, list[str]] = {}

        def walk(node: dict, where: str) -> None:
            if not isinstance(node, dict):
                return
            for name, sub in node.get("properties", {}).items():
                out.setdefault(name, []).append(where)
                walk(sub, f"{where}.{name}" if where else name)
            if isinstance(node.get("items"), dict):
                walk(node["items"], f"{where}[]")
        walk(self._bundled_kinds[kind.name], "")
        return out

    def _allowed(self, node: dict | None) -> str:
        """', one of: a, b, c' when a field takes a fixed list of values."""
        if not isinstance(node, dict):
            return ""
        try:  # the field's own $ref names its document (all shared ones are in common.schema.json)
            resolved = self.resolve(node, "common.schema.json")[0]
        except (KeyError, TypeError):
            return ""
        options = resolved.get("enum") or (resolved.get("items") or {}).get("enum")
        return f", one of: {', '.join(map(str, options))}" if options else ""

    def _problems(self, e, loaded: Loaded, relpath: str, kind: Kind) -> Iterator[Problem]:
        if isinstance(e.instance, str) and e.instance.startswith(PLACEHOLDER):
            return  # a scaffold's placeholder: the 'placeholder' rule names it once
        path = tuple(e.absolute_path)
        field = _dotted(path)

        def at(p: tuple, rule: str, message: str, value: bool = True) -> Problem:
            line, col = loaded.where(p, value)
            return Problem(relpath, line, col, rule, message)

        v = e.validator
        if v == "additionalProperties":
            allowed = list(e.schema.get("properties", {}))
            here = _pattern(path)
            for extra in sorted(set(e.instance) - set(allowed)):
                elsewhere = [w for w in self.homes(kind).get(extra, []) if w != here] if isinstance(extra, str) else []
                if elsewhere:  # a known field, at the wrong level: say where it goes
                    under = " or ".join(f"'{w}'" if w else "the top level" for w in elsewhere)
                    yield at(path + (extra,), "schema-unknown-field",
                             f"'{extra}' is not a field {'of ' + here if here else 'at the top level'}: it belongs "
                             f"under {under}; move the line there, indented under that field", value=False)
                    continue
                hint = _did_you_mean(extra, allowed)
                yield at(path + (extra,), "schema-unknown-field",
                         f"unknown field '{_dotted(path + (extra,))}'{hint}; allowed here: {', '.join(allowed)}",
                         value=False)
        elif v == "required":
            for name in e.validator_value:
                if isinstance(e.instance, dict) and name not in e.instance:
                    where = f" in {field}" if path else ""
                    if name == "citations" and path[:1] == ("outcomes",):
                        yield at(path, "outcome-uncited",
                                 f"outcome {field} has no citations; add 'citations: [reference-id]' naming the "
                                 "reference that reports this result", value=False)
                    else:
                        yield at(path, "schema-missing-field", f"required field '{name}' is missing{where}; add it"
                                 + self._allowed(e.schema.get("properties", {}).get(name)), value=False)
        elif v == "enum":
            options = [str(o) for o in e.validator_value]
            hint = _did_you_mean(str(e.instance), options)
            yield at(path, "schema-enum", f"{field}: '{e.instance}' is not allowed{hint}; use one of: {', '.join(options)}")
        elif v == "type":
            want = e.validator_value if isinstance(e.validator_value, str) else " or ".join(e.validator_value)
            want = {"array": "list", "object": "mapping"}.get(want, want)  # YAML's words
            got = _json_type(e.instance)
            extra = "; put text in quotes" if want == "string" else ""
            quoted = _quoted(loaded, path)
            date = isinstance(e.instance, str) and not quoted and _DATE.fullmatch(e.instance)
            if date:  # YAML reads an unquoted 2016-05-01 as a date, not as the text it looks like
                got = f"a date ({e.instance}: YAML reads an unquoted YYYY-MM-DD as a date)"
            if want == "integer" and path[-1:] in (("year",), ("year_registered",)):
                year = e.instance[:4] if isinstance(e.instance, str) and e.instance[:4].isdigit() else _THIS_YEAR
                extra = (f"; write the year alone, e.g. {path[-1]}: {year}" if date else
                         f"; write the year as four digits{' without quotes' if quoted else ''}, "
                         f"e.g. {path[-1]}: {year}")
            elif want == "list" and isinstance(e.instance, str):
                extra = "; " + _list_hint(self.node_at(kind, path), path[-1] if path else "")
            elif want == "mapping" and len(path) >= 2 and isinstance(path[-1], int):  # '- Cai J' in authors
                extra = "; " + _list_hint(self.node_at(kind, path[:-1]), str(path[-2]))
            yield at(path, "schema-type", f"{field} must be a{'n' if want[0] in 'aeiou' else ''} {want}, not {got}{extra}")
        elif v == "pattern":
            rule, how = self._pattern_rules.get(e.validator_value, ("schema-pattern", f"it must match {e.validator_value}"))
            if rule == "schema-pattern" and e.schema.get("description"):  # e.g. a registry's identifier form
                how = e.schema["description"]
            if isinstance(e.instance, str) and any(ch.isspace() for ch in e.instance):
                how = "it contains a space or line break: remove it (" + how + ")"
            yield at(path, rule, f"{field}: {e.instance!r} is malformed; {how}")
        elif v == "maximum" and path == ("number",):
            yield at(path, "reference-number-range",
                     f"number: {e.instance} is past the end of the review's list ({e.validator_value} references); "
                     "only a reference the review lists has a number: delete the 'number' line, and the paper "
                     "is cited by first author and year")
        elif v in ("maximum", "minimum"):
            limit = "at most" if v == "maximum" else "at least"
            yield at(path, "value-range", f"{field}: {e.instance} must be {limit} {e.validator_value}")
        elif v in ("minLength", "minItems"):
            parent = self.node_at(kind, path[:-1]) or {}
            required = bool(path) and isinstance(path[-1], str) and path[-1] in parent.get("required", [])
            what = "an empty list" if v == "minItems" else "empty text"
            if required:
                yield at(path, "schema-empty", f"{field} is {what}; the field is required, so fill it in "
                         "(deleting the line is not enough)")
            elif isinstance(path[-1:][0] if path else None, int):
                yield at(path, "schema-empty", f"{field} is {what}: fill it in or delete this item")
            else:
                yield at(path, "schema-empty", f"{field} is {what}: fill it in, or delete the '{path[-1]}' line "
                         "(the field is optional)")
        elif v == "uniqueItems":
            yield at(path, "schema-duplicate-item", f"{field} lists the same item twice; remove the repeat")
        else:
            yield at(path, "schema", f"{field}: {e.message}")


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _pattern(path: tuple) -> str:
    """('outcomes', 0, 'timepoint') -> 'outcomes[].timepoint', as homes() names places."""
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _quoted(loaded: Loaded, path: tuple) -> bool:
    """Whether the value at path was written in quotes."""
    try:
        line, col = loaded.where(path, True)
        return loaded.text.splitlines()[line - 1][col - 1] in "'\""
    except (IndexError, AttributeError, TypeError):
        return False


def _list_hint(node: dict | None, name: str) -> str:
    """How to write a list the schema wants, one item per line, shown for this field."""
    items = (node or {}).get("items") or {}
    props = list(items.get("properties", {}))
    if name == "authors" and "family" in props:
        return ("write one author per item, family name and initials, each item two lines: "
                "'- family: Cai' and under it '  given: J'")
    if props:
        first = (items.get("required") or props)[0]
        return f"write a list of groups, each starting '- {first}: ...' on its own line"
    return f"write a list, one item per line: '{name}:' then '- first' on the next line"


def _read(path: Path) -> dict:
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        line, col = getattr(e, "lineno", 1), getattr(e, "colno", 1)
        raise DataError([Problem(f"schemas/{path.name}", line, col, "schema-file",
                                 f"not valid JSON ({getattr(e, 'msg', e)}); fix it here")]) from None
    if not isinstance(document, dict):
        raise DataError([Problem(f"schemas/{path.name}", 1, 1, "schema-file", "a schema must be a JSON object")])
    return document


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _json_type(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "empty"}.get(type(value), type(value).__name__)


@functools.lru_cache(maxsize=64)
def _compile_schema(schema_json: str):
    """fastjsonschema's generated code for a schema, compiled in this process and kept in this
    process's memory only, keyed by the schema's whole text: compiled code read back from a file
    is code a planted file could replace (issue 26). Compiling every kind takes about 200 ms,
    paid once per process, not once per validation (the suite validates hundreds of corpora)."""
    code = compile(fastjsonschema.compile_to_code(json.loads(schema_json)), "<schema>", "exec")
    namespace: dict = {}
    exec(code, namespace)  # code fastjsonschema generated from the schema, never read from disk
    return namespace["validate"]
