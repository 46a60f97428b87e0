"""Under `make serve`: what one rebuild keeps from the last, in one object (ServeMemo) that
the MkDocs hook owns (serving.STATE.memo) and passes to build.prepare. A build without one
(`make site`, `atlas pages`, tests) keeps nothing and calls into none of this.

It keeps three things:

- each data file's parse, while the file's modification time and size are unchanged
  (corpus.load_corpus);
- each rendered page: a page is made from its template, the values its view model hands
  the template, and the records the template reads while it renders (Record.get, [] and
  .title note them: reads.py). A page whose handed values are equal and whose read
  records are the very same parsed files as at the last rebuild comes back as it was.
  Everything that is not a record's own content is one key for the whole build: each
  record's id, title, order and links (the corpus's indexes follow from them), the
  templates, schemas, history, CHANGELOG and hand-written pages' titles and citations.
  When that key changes every page is rendered, as a full build does;
- each page's processed Markdown (citation line, abbreviations: build.process_markdown),
  while its Markdown and what the step adds are unchanged.

Measured at 10x the review (bench/RESULTS.md): rendering after an edit of one study fell
from 0.95 s to 0.2 s. tests/test_incremental.py checks that rebuilds after edits of every
sort equal full builds.
"""
from __future__ import annotations

import dataclasses
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import Corpus, Named, Record, xref_values
from .kinds import BY_NAME
from .reads import READING
from .yamlsafe import Loaded


@dataclass
class ServeMemo:
    """What `make serve` keeps between rebuilds (see the module's docstring)."""
    parsed: dict[str, tuple[tuple[int, int], Loaded]] = field(default_factory=dict)  # file -> (stamp, parse)
    pages: dict[str, tuple] = field(default_factory=dict)  # page path -> (key, records read, RenderedPage)
    pages_key: Any = None  # what every page is made from besides records (start)
    processed: dict[str, tuple[str, str]] = field(default_factory=dict)  # page path -> (Markdown, processed)
    processed_key: tuple = ()
    rendered: list[str] = field(default_factory=list)  # pages the last build rendered (not kept)

    # -- rendered pages ---------------------------------------------------------------
    def start(self, corpus: Corpus, templates: Path, *inputs) -> None:
        """Before a build renders: drop every kept page if anything but record content changed."""
        self.rendered = []
        key = (_structure(corpus), _folder_digest(templates), fingerprint(inputs))
        if key != self.pages_key:
            self.pages.clear()
            self.pages_key = key

    def page_key(self, *parts) -> Any:
        """What a page is made from besides the records it reads; None: do not reuse."""
        try:
            return fingerprint(parts)
        except _Unknown:
            return None

    def kept(self, path: str, key: Any, corpus: Corpus):
        """The page as the last rebuild made it, if nothing it was made from has changed."""
        if key is None:
            return None
        hit = self.pages.get(path)
        if hit is None or hit[0] != key:
            return None
        for kind, rid, loaded in hit[1]:
            now = corpus.get(kind, rid)
            if now is None or now.loaded is not loaded:
                return None
        return hit[2]

    @contextmanager
    def reading(self):
        """The records read inside the block (a set)."""
        reads: set[Record] = set()
        READING.append(reads)
        try:
            yield reads
        finally:
            READING.pop()

    def keep(self, path: str, key: Any, reads: set[Record], rendered) -> None:
        self.rendered.append(path)
        if key is not None:
            self.pages[path] = (key, tuple((r.kind.name, r.id, r.loaded) for r in reads), rendered)

    # -- processed pages --------------------------------------------------------------
    def processed_pages(self, key: tuple) -> dict[str, tuple[str, str]]:
        """The processed pages, emptied if anything the step adds besides the page itself
        (key: release, date, site URL, abbreviations) has changed."""
        if key != self.processed_key:
            self.processed.clear()
            self.processed_key = key
        return self.processed


class _Unknown(Exception):
    """A value handed to a template that cannot be compared across builds: render it."""


def fingerprint(value: Any) -> Any:
    """A value as plain tuples that compare equal across builds; a record by its parse."""
    # Exact types first: at 100x a rebuild fingerprints 1.5 million values. Subclasses
    # (Markdown strings, bools) take the general path below, to the same result.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return tuple([fingerprint(v) for v in value])
    if kind is dict:
        return tuple([(k, fingerprint(v)) for k, v in value.items()])
    if isinstance(value, Record):
        return ("record", value.kind.name, value.id, value.loaded)
    if kind is Named:  # follows from its record and which records exist (start's key): known by its record
        return ("named", value.record.kind.name, value.record.id, value.record.loaded)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, fingerprint(v)) for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return frozenset(fingerprint(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value))
    raise _Unknown(type(value).__name__)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _structure(corpus: Corpus) -> tuple:
    """Each record's id, title, order and links: what the corpus's indexes and lists follow."""
    out = []
    for kind, by_id in corpus.records.items():
        patterns = [p for p, _ in corpus.xref_fields.get(kind, [])]
        for rid, rec in by_id.items():
            links = tuple(tuple(xref_values(rec.data, p)) for p in patterns)
            out.append((kind, rid, rec.title, fingerprint(BY_NAME[kind].sort(rec)), links))
    return tuple(out)


def _folder_digest(folder: Path) -> str:
    h = hashlib.sha1()
    for f in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if f.is_file():
            h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()
