"""What every check shares: the @rule mark, where a problem is (file, line, column of a
value), and walks of a record's values, strings, cross-references and citations, each
done once per record and shared by the checks that need it.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from ..citations.cite import find
from ..corpus import Corpus, Record
from ..diagnostics import Problem
from ..schema import Schemas
from ..yamlsafe import leaves


def rule(rule_id: str):
    """Marks a function of a family module (rules/<family>.py) as the check of rule_id;
    rules/__init__.py collects the marked functions of every family it lists."""
    def mark(fn):
        fn.rule_id = rule_id
        return fn
    return mark


def at(record: Record, path: tuple, rule_id: str, message: str) -> Problem:
    """A problem at the value of path (the value is what the rules judge)."""
    line, col = record.where(path, value=True)
    return Problem(record.relpath, line, col, rule_id, message)


def values_at(data, pattern: tuple, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """(path, value) for every place in data that matches pattern ('*' = any list item)."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from values_at(item, rest, path + (i,))
    elif isinstance(data, dict) and head in data:
        yield from values_at(data[head], rest, path + (head,))


def strings(data, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    return leaves(data, lambda v: isinstance(v, str), path)


def record_strings(r: Record) -> list[tuple[tuple, str]]:
    """strings() of a record, walked once per parse of its file: three rules read every
    string of every record, and under `make serve` an unchanged file keeps its parse
    (incremental.ServeMemo.parsed), so a rebuild walks only the edited one. At 100x the walks
    were half of a rebuild's validation (bench/RESULTS.md)."""
    cached = r.loaded.__dict__.get("_strings")
    if cached is None or cached[0] is not r.data:
        cached = r.loaded.__dict__["_strings"] = (r.data, list(strings(r.data)))
    return cached[1]


def references_in(r: Record, schemas: Schemas) -> tuple[list, list]:
    """What a record names: ([(path, value, target kind)], [(path, cited keys)]).
    Walked once per record and shared by the rules that need it."""
    cached = r.__dict__.get("_references")
    if cached is None:
        xrefs = [(path, value, target) for pattern, target in schemas.xrefs[r.kind.name]
                 for path, value in values_at(r.data, pattern) if isinstance(value, str)]
        cites = [(path, keys) for path, text in record_strings(r) if "[@" in text
                 for _, _, keys in find(text)]
        cached = r.__dict__["_references"] = (xrefs, cites)
    return cached


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def named_in_unreadable_files(corpus: Corpus) -> str:
    """The text of files that could not be parsed (a YAML mistake): what they cite is unknown,
    so a reference named anywhere in them is not reported as uncited. The text kept when
    loading: a file is never opened twice, nor one the loader refused (a link, a pipe)."""
    return "\n".join(corpus.unreadable_text)
