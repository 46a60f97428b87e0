"""Validation of the whole corpus: YAML, then schemas, then rules. Reads only."""
from __future__ import annotations

from pathlib import Path

from .corpus import Corpus, load_corpus
from .diagnostics import Problem
from .rules import run_rules
from .schema import Schemas
from .speedups import cache_dir


def validate(root: Path) -> tuple[Corpus, list[Problem]]:
    corpus = load_corpus(root)
    schemas = Schemas(root / "schemas", cache=cache_dir(root, "schemas"))
    problems = list(corpus.problems)
    schema_clean = True
    for record in corpus:
        found = schemas.validate(record.kind, record.loaded, record.relpath)
        problems.extend(found)
        schema_clean &= not found
    # Rules read fields the schema guarantees; they run on what the schema passed,
    # and tolerate what it did not (each checks types before use).
    problems.extend(run_rules(corpus, schemas))
    return corpus, sorted(set(problems))
