"""Canonical formatting of data files: schema key order, block style, comments kept.

ruamel.yaml is used here (not in validation) because only it round-trips comments.
A file is rewritten only when asked, only when it is valid YAML, and atomically.
"""
from __future__ import annotations

import difflib
import io
import os
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.tokens import CommentToken

from . import confine
from .diagnostics import Problem
from .kinds import BY_FOLDER, Kind
from .schema import Schemas
from .yamlsafe import _dotted, load


class _Verbatim(str):
    """A number as written in the file. The formatter only moves fields: it writes numbers
    back character for character (ruamel re-formatted floats and lost a digit:
    -6.820001332645069e+16 became ...068e+16, found by the property tests)."""

    tag = "tag:yaml.org,2002:float"


def _construct_verbatim(constructor, node):
    value = _Verbatim(node.value)
    value.tag = node.tag
    return value


def _represent_verbatim(representer, value: _Verbatim):
    return representer.represent_scalar(value.tag, str(value))


class _Constructor(RoundTripConstructor):
    pass


class _Representer(RoundTripRepresenter):
    pass


for _tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):  # on our subclasses only
    _Constructor.add_constructor(_tag, _construct_verbatim)
_Representer.add_representer(_Verbatim, _represent_verbatim)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096  # one field, one line: reviewable diffs, no re-wrapping of prose
    y.indent(mapping=2, sequence=2, offset=0)
    # Quotes are kept: ruamel reads YAML 1.2, the validator (PyYAML) YAML 1.1, where an
    # unquoted NO, on, yes, 1:20 or ~ is not text; dropping the quotes changed values.
    y.preserve_quotes = True
    y.Constructor, y.Representer = _Constructor, _Representer
    y.allow_unicode = True
    return y


def format_text(text: str, kind: Kind, schemas: Schemas) -> str:
    y = _yaml()
    data = y.load(text)
    schema = schemas.documents[kind.schema]
    _order(data, schema, kind.schema, schemas)
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _order(node, schema: dict, base: str, schemas: Schemas) -> None:
    schema, base = schemas.resolve(schema, base)
    if isinstance(node, CommentedMap):
        props = schema.get("properties", {})
        rank = {k: i for i, k in enumerate(props)}
        reorder(node, sorted(node, key=lambda k: (rank.get(k, len(rank)), str(k))))
        for key, value in node.items():
            if key in props:
                _order(value, props[key], base, schemas)
    elif isinstance(node, CommentedSeq) and isinstance(schema.get("items"), dict):
        for item in node:
            _order(item, schema["items"], base, schemas)


# -- comments follow their key ------------------------------------------------------------
# ruamel keeps a full-line comment as the tail of the value ABOVE it; moving keys moved the
# comment with the key before it. reorder() hands each such comment to the key below it.


def _holder(node, key):
    """(ca-items dict, key, slot) of the comment that follows the value of node[key] (the deepest last one)."""
    value = node[key]
    if isinstance(value, CommentedMap) and len(value):
        return _holder(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value):
        last = len(value) - 1
        if isinstance(value[last], (CommentedMap, CommentedSeq)) and len(value[last]):
            return _holder(value, last)
        return value.ca.items, last, 0
    return node.ca.items, key, 2


def _get(holder):
    items, key, slot = holder
    entry = items.get(key)
    return entry[slot] if entry and len(entry) > slot else None


def _set(holder, text):
    items, key, slot = holder
    entry = items.setdefault(key, [None, None, None, None])
    while len(entry) <= slot:
        entry.append(None)
    if not text:
        entry[slot] = None
    elif isinstance(entry[slot], CommentToken):
        entry[slot].value = text  # the same token: an end-of-line comment keeps its column
    else:
        entry[slot] = CommentToken(text, CommentMark(0), None)


def _split(token, col: int = 0):
    """(what stays: the end-of-line comment and comment lines indented deeper than col,
    what moves: the full-line comments at col that lead the next key)."""
    if token is None or not isinstance(token, CommentToken):
        return "", ""
    text = token.value
    if text.startswith("#"):
        eol, _, rest = text.partition("\n")
        eol += "\n"
    else:
        eol, rest = "", text[1:] if text.startswith("\n") else text
    lines = rest.splitlines(keepends=True)
    cut = len(lines)
    while cut and (not lines[cut - 1].strip() or len(lines[cut - 1]) - len(lines[cut - 1].lstrip(" ")) <= col):
        cut -= 1
    return eol + "".join(lines[:cut]), "".join(lines[cut:])


def _join(stay: str, lead: str) -> str:
    """A token's text from what stays and the comments that follow it."""
    if not stay and not lead:
        return ""
    if stay.startswith("#"):
        return stay + lead
    return "\n" + stay + lead


def reorder(node: CommentedMap, order: list) -> None:
    keys = list(node)
    if keys == order:
        return
    col = getattr(getattr(node, "lc", None), "col", None) or 0
    holders = [_holder(node, k) for k in keys]
    if any(_get(h) is not None and not isinstance(_get(h), CommentToken) for h in holders):
        for key in order:  # a shape we do not know: comments stay where ruamel keeps them
            node.move_to_end(key)
        return
    leads = {}
    for holder, key in zip(holders, keys[1:] + [None]):  # None: what follows the mapping
        stay, lead = _split(_get(holder), col)
        leads[key] = lead
        _set(holder, _join(stay, ""))
    # comments above the first field of a file are the file's header: they stay on top
    for key in order:
        node.move_to_end(key)
    for before, key in zip(order, order[1:] + [None]):
        if leads.get(key):
            holder = _holder(node, before)
            token = _get(holder)
            text = token.value if isinstance(token, CommentToken) else ""
            _set(holder, _join(text if text.startswith("#") else text[1:] if text.startswith("\n") else text, leads[key]))
    first = order[0]
    if leads.get(first):  # the new first key's comment goes above the mapping
        if node.ca.comment is None:
            node.ca.comment = [None, []]
        if node.ca.comment[1] is None:
            node.ca.comment[1] = []
        node.ca.comment[1].append(CommentToken(leads[first], CommentMark(0), None))


def data_files(root: Path, paths: list[Path] | None = None) -> list[Path]:
    if paths:
        return list(paths)
    return sorted(p for p in (root / "data").glob("*/*.yaml"))


def run(root: Path, *, check: bool, paths: list[Path] | None = None,
        diffs: dict[str, str] | None = None) -> tuple[list[Problem], list[str]]:
    """Format files in place (or only report, with check). Returns (problems, changed files);
    diffs, when given, receives each changed file's unified diff (what fmt would do)."""
    refused = [p for p in confine.check(root) if p.path.startswith(("schemas", "data"))]
    if any(p.path.startswith("schemas") for p in refused):
        return refused, []
    schemas = Schemas(root / "schemas")
    problems, changed = [], []
    refused_paths = {p.path for p in refused}
    for path in data_files(root, paths):
        # a named file is taken as written (not resolved): a link is refused, never followed
        path = Path(os.path.abspath(path))
        try:
            rel = path.relative_to(root.absolute()).as_posix()
        except ValueError:
            rel = path.as_posix()
        kind = BY_FOLDER.get(path.parent.name)
        if kind is None or not rel.startswith("data/") or path.parent.parent != root.absolute() / "data":
            problems.append(Problem(rel, 1, 1, "file-name", "not a data file under data/<kind>/ of this project"))
            continue
        if any(rel == p or rel.startswith(p + "/") for p in refused_paths):
            problems.extend(p for p in refused if p.path == rel or rel.startswith(p.path + "/"))
            continue
        problem = confine.check_file(root, path)
        if problem is not None:
            problems.append(problem)
            continue
        if not path.is_file():
            problems.append(Problem(rel, 1, 1, "file-name", "no such data file"))
            continue
        raw = path.read_bytes()
        loaded = load(raw, rel)
        if loaded.problems:  # never rewrite what we cannot read safely
            problems.extend(loaded.problems)
            continue
        text = raw.decode("utf-8")
        try:
            new = format_text(text, kind, schemas)
        except YAMLError as e:  # ruamel is stricter than libyaml in corners (a tab inside a key)
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = getattr(e, "problem", None) or str(e).splitlines()[0]
            problems.append(Problem(rel, line, col, "yaml-syntax",
                                    f"the formatter cannot read this: {what}; fix it here"))
            continue
        if new != text:
            refused = _changes_value(rel, loaded.data, new, kind, schemas)
            if refused is not None:  # whatever the reason, a file is never rewritten into other data
                problems.append(refused)
                continue
            changed.append(rel)
            if diffs is not None:
                diffs[rel] = "".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                          f"{rel} (as written)", f"{rel} (canonical)"))
            if check:
                line = next((i for i, (a, b) in enumerate(zip(text.splitlines(), new.splitlines()), 1) if a != b),
                            min(len(text.splitlines()), len(new.splitlines())) + 1)
                problems.append(Problem(rel, line, 1, "format",
                                        "not in canonical form from this line on (field order, indentation or "
                                        "quoting; the diff follows); run 'make fmt' and commit the result"))
            else:
                _write_atomically(path, new)
    return problems, changed


def _changes_value(rel: str, data, new: str, kind: Kind, schemas: Schemas) -> Problem | None:
    """A problem if the rewritten text would read (with the validator's own loader) as other
    data than the file holds, or would be rewritten again by a second run."""
    after = load(new.encode("utf-8"), rel)
    if after.problems or after.data != data:
        path = _first_difference(data, after.data) if not after.problems else ()
        line = after.where(path, value=True)[0] if after.data is not None and path else 1
        return Problem(rel, line, 1, "format-value",
                       f"formatting would change the value of {_dotted(path) if path else 'the file'}; the file is "
                       "left as it is: put the value in quotes ('...') and run 'make fmt' again")
    try:
        again = format_text(new, kind, schemas)
    except YAMLError:
        again = None
    if again != new:
        return Problem(rel, 1, 1, "format-value", "the formatter's output is not stable (a second run would "
                       "change it again); the file is left as it is: simplify its quoting or comments")
    return None


def _first_difference(a, b, path: tuple = ()) -> tuple:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k, _MISSING) != b.get(k, _MISSING):
                return _first_difference(a.get(k), b.get(k), path + (k,)) if k in a and k in b else path + (k,)
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, path + (i,))
    return path


_MISSING = object()


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
