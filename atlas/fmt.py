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
from ruamel.yaml.error import YAMLError

from . import confine
from .diagnostics import Problem
from .kinds import BY_FOLDER, Kind
from .schema import Schemas
from .yamlsafe import load


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096  # one field, one line: reviewable diffs, no re-wrapping of prose
    y.indent(mapping=2, sequence=2, offset=0)
    y.preserve_quotes = False
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
        for key in sorted(node, key=lambda k: (rank.get(k, len(rank)), str(k))):
            node.move_to_end(key)
        for key, value in node.items():
            if key in props:
                _order(value, props[key], base, schemas)
    elif isinstance(node, CommentedSeq) and isinstance(schema.get("items"), dict):
        for item in node:
            _order(item, schema["items"], base, schemas)


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


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
