"""Safe YAML loading that keeps the line and column of every field.

Uses libyaml's composer (fast) and builds plain dicts, lists and scalars itself, so
that it can refuse what PyYAML would silently accept: duplicate keys (PyYAML keeps
the last), aliases (billion-laughs expansion), and tags such as !!python/object
(which an unsafe loader would execute). Nothing here executes or writes anything.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is in PyYAML's wheels; fall back to pure Python if absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

from .diagnostics import Problem

Path = tuple  # a path into the data: ("outcomes", 0, "value")

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",  # kept as the text written, e.g. a date
}
_MAP = "tag:yaml.org,2002:map"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_FLOAT = "tag:yaml.org,2002:float"
_MAX_NUMBER_CHARS = 40  # far beyond any count or measure; Python refuses past 4,300 digits
_scalars = yaml.constructor.SafeConstructor()  # parses int/float/bool/null by resolved tag


@dataclass
class Loaded:
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    text: str = ""
    relpath: str = ""
    # Positions are needed only to report a problem, so they are recorded lazily: the
    # file is composed again, with positions, the first time one is asked for.
    _keys: dict[Path, tuple[int, int]] | None = None  # a mapping entry: its key's position
    _values: dict[Path, tuple[int, int]] | None = None  # a value's own position

    def _positions(self) -> None:
        self._keys, self._values = {}, {}
        if self.data is not None and self.text:
            loader = _Loader(self.text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
            _Builder(self.text, self.relpath, self._keys, self._values).build(node, ())

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        if self._keys is None:
            self._positions()
        return self._keys

    @property
    def value_positions(self) -> dict[Path, tuple[int, int]]:
        if self._values is None:
            self._positions()
        return self._values

    def where(self, path: Path, value: bool = False) -> tuple[int, int]:
        """Position of path (its key, or its value), or of its nearest ancestor that exists."""
        path = tuple(path)
        if value and path in self.value_positions:
            return self.value_positions[path]
        keys = self.positions
        while path and path not in keys:
            path = path[:-1]
        return keys.get(path, (1, 1))


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def load(raw: bytes, relpath: str) -> Loaded:
    """Load one data file. Problems are returned, never raised."""
    out = Loaded(relpath=relpath)

    def problem(line: int, col: int, rule: str, message: str) -> Loaded:
        out.problems.append(Problem(relpath, line, col, rule, message))
        return out

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return problem(line, col, "yaml-encoding",
                       f"byte 0x{raw[e.start]:02x} is not UTF-8; save the file as UTF-8")
    text = text.removeprefix("\ufeff")

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        return problem(*syntax_problem(e, text))
    except yaml.YAMLError as e:
        return problem(1, 1, "yaml-syntax", f"YAML syntax error: {e}")
    finally:
        loader.dispose()

    if node is None:
        return problem(1, 1, "yaml-empty", "the file is empty; write the record's fields or delete the file")
    if node.tag != _MAP or not isinstance(node, yaml.MappingNode):
        m = node.start_mark
        return problem(m.line + 1, m.column + 1, "yaml-not-mapping",
                       "a record must be a mapping of field: value lines, starting with 'id:'")
    try:
        out.data = _Builder(text, relpath).build(node, ())
        out.text = text
    except _Refused as r:
        out.data = None
        out.problems.append(r.problem)
    return out


def syntax_problem(e: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str]:
    """(line, col, rule, message) for a YAML syntax error, at the line the writer has to fix.

    libyaml reports some mistakes where it gave up, a line or more after the cause: a
    field without its colon, a quote never closed. Those point at where they began."""
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    what = " ".join(x for x in (e.context, e.problem) if x)
    for n in (line, line - 1):  # a tab is found on its own line, or ends the line before
        src = lines[n - 1] if 0 < n <= len(lines) else ""
        if "\t" in src and ("tab" in what or "cannot start any token" in what):
            return (n, src.index("\t") + 1, "yaml-tab", f"line {n} has a tab character; YAML indents with "
                    "spaces only: replace the tab with spaces (two per level, as in the lines around it)")
    start = e.context_mark
    if e.context == "while scanning a simple key" and start is not None:
        return (start.line + 1, start.column + 1, "yaml-syntax",
                "this line has no ':' after its field name; write 'field: value' (a line that continues the "
                "text above must be indented under it)")
    if e.context == "while scanning a quoted scalar" and start is not None:
        return (start.line + 1, start.column + 1, "yaml-syntax",
                "the quote that opens here is never closed; end the text with the same quote mark "
                "(write '' for an apostrophe inside single quotes)")
    if "mapping values are not allowed" in what:
        return (line, col, "yaml-syntax", "unexpected ':' here: either this line is indented more than the "
                "field above it (line it up), or a text containing ': ' must be put in quotes")
    if "did not find expected key" in what or "expected <block end>" in what or "expected '-'" in what:
        return (line, col, "yaml-syntax", "this line is not indented like the lines of its group; line it up "
                "with the field names above it (spaces only)")
    return (line, col, "yaml-syntax", f"YAML syntax error: {what}; fix the indentation or quoting here")


class _Builder:
    """Plain values from composed nodes, recording positions and refusing what is unsafe."""

    def __init__(self, text: str, relpath: str, keys: dict | None = None, values: dict | None = None):
        self.text = text
        self.relpath = relpath
        self.record = keys is not None  # record positions, or only build values (fast path)
        self.keys = keys if keys is not None else {}
        self.values = values if values is not None else {}
        self.seen: set[int] = set()

    def refuse(self, line: int, col: int, rule: str, message: str):
        raise _Refused(Problem(self.relpath, line, col, rule, message))

    def first_alias(self) -> tuple[int, int] | None:
        """Where the first alias (*name) is used; parsed again only when there is one."""
        for event in yaml.parse(self.text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1, event.start_mark.column + 1
        return None

    def build(self, node, path: Path):
        if id(node) in self.seen:  # the composer hands back the same node for an alias
            line, col = self.first_alias() or self.keys.get(path) or _pos(node)
            self.refuse(line, col, "yaml-alias", f"{_dotted(path)}: anchors and aliases (&name / *name) are not "
                        "allowed in data files; write the value out in full")
        self.seen.add(id(node))
        record = self.record
        if record:
            mark = node.start_mark
            here = (mark.line + 1, mark.column + 1)
            self.values[path] = here
            self.keys.setdefault(path, here)  # a mapping entry keeps its key's position
        tag = node.tag
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == "tag:yaml.org,2002:merge":
                    self.refuse(*_pos(key_node), "yaml-tag",
                                f"{_dotted(path)}: merge keys (<<) are not allowed; write the fields out")
                if not isinstance(key_node, yaml.ScalarNode) or key_tag not in _SCALAR_TAGS:
                    self.refuse(*_pos(key_node), "yaml-syntax", f"{_dotted(path)}: a field name must be plain text")
                key = key_node.value
                sub = path + (key,)
                if key in result:
                    first = next(k for k, _ in node.value if k.value == key)
                    self.refuse(*_pos(key_node), "yaml-duplicate-key",
                                f"field '{_dotted(sub)}' is given twice (first on line {_pos(first)[0]}); "
                                "keep one and delete the other")
                if record:
                    self.keys[sub] = _pos(key_node)
                result[key] = self.build(value_node, sub)
            return result
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if tag in _SCALAR_TAGS and isinstance(node, yaml.ScalarNode):
            if tag == _STR or tag == _TIMESTAMP:
                return node.value
            if len(node.value) > _MAX_NUMBER_CHARS and tag in (_INT, _FLOAT):
                self.refuse(*_pos(node), "yaml-number", f"{_dotted(path)}: a number {len(node.value):,} characters "
                            "long is not a value a record holds; write the number the source gives")
            try:
                value = _scalar(node)
            except (ValueError, OverflowError):
                self.refuse(*_pos(node), "yaml-number", f"{_dotted(path)}: '{node.value[:40]}' cannot be read as a "
                            "number; write it as digits (and a decimal point), or put text in quotes")
            if isinstance(value, float) and not math.isfinite(value):
                self.refuse(*_pos(node), "yaml-number", f"{_dotted(path)}: {node.value} (not-a-number or infinity) "
                            "is not a value a record can hold, nor one JSON can; write a number or leave the field out")
            return value
        self.refuse(*_pos(node), "yaml-tag", f"{_dotted(path)}: the tag '{tag}' is not allowed; data files hold only plain "
                    "text, numbers, true/false, lists and mappings")


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node):
    # Only the plain scalar tags reach here; custom tags were refused above.
    if node.tag == _INT and node.value.isdigit():
        return int(node.value)  # the common case, without the constructor's machinery
    value = _scalars.construct_object(node)
    _scalars.constructed_objects.clear()
    return value


def leaves(data, keep: Callable[[Any], bool], path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every value of loaded data that `keep` accepts, depth first: the one walk
    of a record that rules and text checks share."""
    if keep(data):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, keep, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, keep, path + (i,))


def _dotted(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"
