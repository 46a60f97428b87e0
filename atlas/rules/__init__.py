"""Checks beyond the JSON Schema: one module per family of checks, one function per rule id.

Each check takes the loaded corpus and the schemas and yields Problems naming the file,
line and field, and saying what to do (base.at). To add a check: write a function in
the family it belongs to, mark it @rule("rule-id") (base.rule), test it in
tests/test_validate.py; CONTRIBUTING.md lists every rule id with an example. A new
family is a module here and one line in FAMILIES.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ..corpus import Corpus
from ..diagnostics import Problem
from ..schema import Schemas
from . import corrections, evidence, identifiers, ids, prose, references, values

FAMILIES = (ids, references, values, evidence, identifiers, corrections, prose)

# rule id -> check, in the order of FAMILIES and of each family's module
RULES: dict[str, Callable[[Corpus, Schemas], Iterable[Problem]]] = {
    fn.rule_id: fn for family in FAMILIES for fn in vars(family).values()
    if callable(fn) and getattr(fn, "__module__", None) == family.__name__ and hasattr(fn, "rule_id")}


def run_rules(corpus: Corpus, schemas: Schemas) -> list[Problem]:
    problems: list[Problem] = []
    for fn in RULES.values():
        problems.extend(fn(corpus, schemas))
    # a placeholder is reported once, not also as an unknown id or a bad value at the same spot
    unfilled = {(p.path, p.line, p.col) for p in problems if p.rule == "placeholder"}
    if unfilled:
        problems = [p for p in problems if p.rule == "placeholder" or (p.path, p.line, p.col) not in unfilled]
    return problems
