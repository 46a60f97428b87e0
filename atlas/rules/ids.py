"""Record ids: each matches its file's name, and is used once per kind."""
from __future__ import annotations

from ..corpus import Corpus, Record
from ..schema import Schemas
from .base import at, rule


@rule("id-filename")
def id_matches_file_name(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        stem = r.relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
        if r.get("id") is not None and r.get("id") != stem:
            yield at(r, ("id",), "id-filename",
                      f"id '{r.get('id')}' does not match the file name '{stem}.yaml'; rename the file or change the id")


@rule("id-duplicate")
def ids_unique(corpus: Corpus, schemas: Schemas):
    for records in corpus.records.values():
        seen: dict[str, Record] = {}
        for r in records.values():
            rid = r.get("id")
            if isinstance(rid, str) and rid in seen:
                yield at(r, ("id",), "id-duplicate",
                          f"id '{rid}' is already used by {seen[rid].relpath}; choose another id")
            elif isinstance(rid, str):
                seen[rid] = r
