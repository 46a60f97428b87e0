"""Record ids: each matches its file's name, is used once per kind, and a former id (`formerly`) is no record's id and claimed once."""
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


def _former_ids(r: Record):
    """(index, id) for each id a record lists under `formerly` (the schema checks each is a slug)."""
    former = r.get("formerly")
    for i, old in enumerate(former if isinstance(former, list) else []):
        if isinstance(old, str):
            yield i, old


@rule("formerly-live")
def former_ids_not_live(corpus: Corpus, schemas: Schemas):
    """A former id keeps its old address for the record that lists it: that address cannot be
    another record's page, nor the kind's list of records."""
    for kind, records in corpus.records.items():
        for r in records.values():
            for i, old in _former_ids(r):
                live = records.get(old) or corpus.set_aside[kind].get(old)
                if live is not None or corpus.exists(kind, old):
                    whose = ("this record's own id" if live is r else f"the id of {live.relpath}" if live is not None
                             else f"the id of data/{r.kind.folder}/{old}.yaml")
                    yield at(r, ("formerly", i), "formerly-live",
                              f"formerly lists '{old}', which is {whose}; a former id is one no {r.kind.label} "
                              f"has now: remove it here, or rename that record")
                elif old == "index" and r.kind.own_pages:
                    yield at(r, ("formerly", i), "formerly-live",
                              f"formerly lists 'index', the address of the list of {r.kind.title_plural.lower()}; "
                              f"no {r.kind.label} can have had that id: remove it")


@rule("formerly-claimed")
def former_ids_claimed_once(corpus: Corpus, schemas: Schemas):
    """An old address sends readers to one record: two records cannot both list the same former id."""
    for records in corpus.records.values():
        claimed: dict[str, Record] = {}
        for r in records.values():
            for i, old in _former_ids(r):
                first = claimed.setdefault(old, r)
                if first is not r:
                    yield at(r, ("formerly", i), "formerly-claimed",
                              f"'{old}' is also listed under formerly by {first.relpath}; its old address can send "
                              f"readers to one record only: keep it on the record that took over its content")
