"""Safe YAML loading that keeps the line and column of every field.

Uses libyaml's composer (fast) and builds plain dicts, lists and scalars itself, so
that it can refuse what PyYAML would silently accept: duplicate keys (PyYAML keeps
the last), aliases (billion-laughs expansion), and tags such as !!python/object
(which an unsafe loader would execute). Nothing here executes or writes anything.
"""
from __future__ import annotations

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
_SEQ = "tag:yaml.org,2002:seq"
_scalars = yaml.constructor.SafeConstructor()  # parses int/float/bool/null by resolved tag


@dataclass
class Loaded:
    data: Any = None
    # path -> (line, col), 1-based; for a mapping entry the key's position
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # path -> (line, col) of the value itself (for "this value is wrong" messages)
    value_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path, value: bool = False) -> tuple[int, int]:
        """Position of path (its key, or its value), or of its nearest ancestor that exists."""
        path = tuple(path)
        if value and path in self.value_positions:
            return self.value_positions[path]
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def load(raw: bytes, relpath: str) -> Loaded:
    """Load one data file. Problems are returned, never raised."""
    out = Loaded()

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
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return problem(1, 1, "yaml-empty", "the file is empty; write the record's fields or delete the file")

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (e.context, e.problem) if x)
        return problem(line, col, "yaml-syntax", f"YAML syntax error: {what}; fix the indentation or quoting here")
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
    _texts[relpath] = text
    try:
        out.data = _build(node, (), out.positions, set(), relpath)
        # _build files value positions under a marker prefix; split them out
        for p in [p for p in out.positions if p[:1] == ("__value__",)]:
            out.value_positions[p[1:]] = out.positions.pop(p)
    except _Refused as r:
        out.data = None
        out.problems.append(r.problem)
    finally:
        _texts.pop(relpath, None)
    return out


_texts: dict[str, str] = {}  # file being loaded -> its text, to locate an alias


def _first_alias(relpath: str) -> tuple[int, int] | None:
    """Where the first alias (*name) is used; parsed again only when one was found."""
    text = _texts.get(relpath)
    if text is None:
        return None
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1, event.start_mark.column + 1
    return None


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node, path: Path, positions: dict, seen: set, relpath: str):
    if id(node) in seen:  # the composer hands back the same node for an alias
        line, col = _first_alias(relpath) or positions.get(path, _pos(node))
        raise _Refused(Problem(relpath, line, col, "yaml-alias",
                               f"{_dotted(path)}: anchors and aliases (&name / *name) are not allowed in data files; "
                               "write the value out in full"))
    seen.add(id(node))
    positions.setdefault(path, _pos(node))
    positions.setdefault(("__value__",) + path, _pos(node))
    tag = node.tag
    if isinstance(node, yaml.MappingNode) and tag == _MAP:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _pos(key_node)
                raise _Refused(Problem(relpath, line, col, "yaml-tag",
                                       f"{_dotted(path)}: merge keys (<<) are not allowed; write the fields out"))
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                line, col = _pos(key_node)
                raise _Refused(Problem(relpath, line, col, "yaml-syntax",
                                       f"{_dotted(path)}: a field name must be plain text"))
            key = key_node.value
            if key in result:
                line, col = _pos(key_node)
                first = positions[path + (key,)][0]
                raise _Refused(Problem(relpath, line, col, "yaml-duplicate-key",
                                       f"field '{_dotted(path + (key,))}' is given twice (first on line {first}); "
                                       "keep one and delete the other"))
            positions[path + (key,)] = _pos(key_node)
            result[key] = _build(value_node, path + (key,), positions, seen, relpath)
        return result
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        items = []
        for i, item in enumerate(node.value):
            positions[path + (i,)] = _pos(item)
            items.append(_build(item, path + (i,), positions, seen, relpath))
        return items
    if isinstance(node, yaml.ScalarNode) and tag in _SCALAR_TAGS:
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            return node.value
        return _scalar(node)
    line, col = _pos(node)
    raise _Refused(Problem(relpath, line, col, "yaml-tag",
                           f"{_dotted(path)}: the tag '{tag}' is not allowed; data files hold only plain text, "
                           "numbers, true/false, lists and mappings"))


def _scalar(node):
    # Only the plain scalar tags reach here; custom tags were refused above.
    value = _scalars.construct_object(node)
    _scalars.constructed_objects.clear()
    return value


def _dotted(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"
