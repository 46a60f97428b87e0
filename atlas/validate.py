"""Validation of the whole corpus: YAML, then schemas, then rules. Reads only."""
from __future__ import annotations

from pathlib import Path

import fastjsonschema

from . import textcheck
from .corpus import Corpus, load_corpus
from .diagnostics import DataError, Problem
from .rules import run_rules
from .schema import Schemas


def validate(root: Path, parsed: dict | None = None) -> tuple[Corpus, list[Problem]]:
    """parsed: under `make serve`, the files' last parse (load_corpus)."""
    corpus = load_corpus(root, parsed)
    problems = list(corpus.problems)
    if any(p.path.startswith("schemas") for p in problems):
        return corpus, sorted(set(problems))  # nothing can be checked against a schema not read
    try:
        schemas = Schemas(root / "schemas")
        schemas.fast_checks  # noqa: B018 - compiled now: a broken schema is reported, not raised mid-way
    except DataError as e:
        return corpus, sorted(set(problems + e.problems))
    except (KeyError, TypeError, ValueError, AttributeError, fastjsonschema.JsonSchemaDefinitionException) as e:
        return corpus, sorted(set(problems + [Problem("schemas", 1, 1, "schema-file",
                                                      f"the schemas cannot be used ({type(e).__name__}: {e}); "
                                                      "every kind needs a valid <kind>.schema.json")]))
    corpus.xrefs = schemas.xrefs  # back-links follow the fields the schemas mark x-ref
    corpus.source_review = schemas.documents.get("reference.schema.json", {}).get("x-source-review")
    # Stage 1: each record against its schema. A record that fails is reported and set
    # aside, so that no rule, index or page ever meets a value of the wrong type.
    for record in list(corpus):
        found = schemas.validate(record.kind, record.loaded, record.relpath)
        found += textcheck.check(record.loaded, record.relpath)  # control characters, look-alike identifiers
        if found:
            problems.extend(found)
            corpus.set_aside_record(record)
    # Stage 2: rules across records, on what the schema passed.
    problems.extend(run_rules(corpus, schemas))
    problems.extend(_search_terms(root))
    return corpus, sorted(set(problems))


def _search_terms(root: Path) -> list[Problem]:
    """search/synonyms.yaml, checked as the build checks it (a bad entry broke every search)."""
    from .search import load_terms
    try:
        load_terms(root)
    except DataError as e:
        return e.problems
    return []
