"""The corpus: every record loaded from data/, with the indexes pages are built from.

Loading never raises on bad data: problems are collected so that one run reports
all of them. Indexes are computed once per build (cached), never once per page.
"""
from __future__ import annotations

import os

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from . import citations
from .diagnostics import Problem
from .kinds import BY_FOLDER, BY_NAME, KINDS, Kind
from .yamlsafe import Loaded, load

STAGES = ("in-vitro", "animal", "early-clinical", "randomised")
STAGE_LABELS = {"in-vitro": "In vitro", "animal": "Animal", "early-clinical": "Early clinical", "randomised": "Randomised"}
# A study's stage of evidence follows from its design.
DESIGN_STAGE = {
    "in-vitro-study": "in-vitro",
    "animal-study": "animal",
    "in-vitro-and-animal-study": "animal",
    "single-arm-trial": "early-clinical",
    "non-randomised-trial": "early-clinical",
    "cohort-study": "early-clinical",
    "announced-trial-results": "early-clinical",
    "randomised-controlled-trial": "randomised",
    "meta-analysis": "randomised",
}


@dataclass
class Record:
    kind: Kind
    id: str
    data: dict[str, Any]
    relpath: str  # e.g. data/studies/hu-2013.yaml
    loaded: Loaded

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def where(self, path: tuple, value: bool = False) -> tuple[int, int]:
        return self.loaded.where(path, value)

    @property
    def title(self) -> str:
        return str(self.data.get(self.kind.title_field, self.id))


@dataclass
class DocCitation:
    relpath: str  # docs/... file
    line: int
    col: int
    keys: list[str]


@dataclass
class Corpus:
    root: Path
    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {k.name: {} for k in KINDS})
    problems: list[Problem] = field(default_factory=list)  # loading problems
    # ids of files that exist but could not be read; references to them are not "unresolved"
    unreadable: dict[str, set[str]] = field(default_factory=lambda: {k.name: set() for k in KINDS})
    doc_citations: list[DocCitation] = field(default_factory=list)

    # -- access ---------------------------------------------------------------------
    def all(self, kind: str) -> list[Record]:
        return list(self.records[kind].values())

    def get(self, kind: str, rid: str) -> Record | None:
        return self.records[kind].get(rid)

    def __iter__(self) -> Iterator[Record]:
        for by_id in self.records.values():
            yield from by_id.values()

    # -- indexes --------------------------------------------------------------------
    @cached_property
    def references_by_number(self) -> list[Record]:
        """Numbered references in the review's order, then unnumbered ones by id."""
        refs = self.all("reference")
        return sorted(refs, key=lambda r: (r.get("number") is None, r.get("number") or 0, r.id))

    @cached_property
    def class_children(self) -> dict[str, list[str]]:
        out = defaultdict(list)
        for c in self.all("therapy-class"):
            if c.get("parent"):
                out[c["parent"]].append(c.id)
        return out

    def class_and_descendants(self, cid: str) -> list[str]:
        out, todo = [], [cid]
        while todo:
            c = todo.pop(0)
            if c not in out:
                out.append(c)
                todo.extend(self.class_children.get(c, []))
        return out

    @cached_property
    def studies_by_class(self) -> dict[str, list[Record]]:
        """Studies of a class or any of its subclasses, oldest first."""
        direct = defaultdict(list)
        for s in self.studies_sorted:
            for c in s.get("classes", []):
                direct[c].append(s)
        out = {}
        for c in self.records["therapy-class"]:
            seen = {}
            for sub in self.class_and_descendants(c):
                for s in direct.get(sub, []):
                    seen[s.id] = s
            out[c] = sorted(seen.values(), key=_study_order)
        return out

    @cached_property
    def studies_sorted(self) -> list[Record]:
        return sorted(self.all("study"), key=_study_order)

    @cached_property
    def limitation_studies(self) -> dict[str, list[Record]]:
        out = defaultdict(dict)
        for s in self.studies_sorted:
            for lim in s.get("limitations", []):
                out[lim][s.id] = s
        for lim in self.all("limitation"):
            for sid in lim.get("studies", []):
                if sid in self.records["study"]:
                    out[lim.id][sid] = self.records["study"][sid]
        return {k: sorted(v.values(), key=_study_order) for k, v in out.items()}

    @cached_property
    def class_limitations(self) -> dict[str, list[Record]]:
        """Limitations a class lists or that list the class."""
        out = defaultdict(dict)
        for c in self.all("therapy-class"):
            for lid in c.get("limitations", []):
                if lid in self.records["limitation"]:
                    out[c.id][lid] = self.records["limitation"][lid]
        for lim in self.all("limitation"):
            for cid in lim.get("classes", []):
                out[cid][lim.id] = lim
        return {k: sorted(v.values(), key=lambda r: r.title.lower()) for k, v in out.items()}

    @cached_property
    def limitation_classes(self) -> dict[str, list[Record]]:
        out = defaultdict(dict)
        for cid, lims in self.class_limitations.items():
            for lim in lims:
                if cid in self.records["therapy-class"]:
                    out[lim.id][cid] = self.records["therapy-class"][cid]
        return {k: list(v.values()) for k, v in out.items()}

    def _backlinks(self, source_kind: str, fieldname: str) -> dict[str, list[Record]]:
        out = defaultdict(list)
        for r in self.all(source_kind):
            value = r.get(fieldname)
            for v in value if isinstance(value, list) else [value] if value else []:
                out[v].append(r)
        return out

    @cached_property
    def studies_by_trial(self) -> dict[str, list[Record]]:
        return self._backlinks("study", "trials")

    @cached_property
    def trials_by_class(self) -> dict[str, list[Record]]:
        return self._backlinks("trial", "classes")

    @cached_property
    def trials_by_product(self) -> dict[str, list[Record]]:
        return self._backlinks("trial", "products")

    @cached_property
    def studies_by_site(self) -> dict[str, list[Record]]:
        out = defaultdict(list)
        for s in self.studies_sorted:
            site = s.get("intervention", {}).get("site")
            if site:
                out[site].append(s)
        return out

    @cached_property
    def studies_by_product(self) -> dict[str, list[Record]]:
        out = defaultdict(list)
        for s in self.studies_sorted:
            iv = s.get("intervention", {})
            for pid in {iv.get("product"), iv.get("device")} - {None}:
                out[pid].append(s)
        return out

    @cached_property
    def studies_by_cell_source(self) -> dict[str, list[Record]]:
        out = defaultdict(list)
        for s in self.studies_sorted:
            src = s.get("intervention", {}).get("cell_source")
            if src:
                out[src].append(s)
        return out

    @cached_property
    def classes_by_cell_source(self) -> dict[str, list[Record]]:
        return self._backlinks("therapy-class", "cell_sources")

    @cached_property
    def products_by_organisation(self) -> dict[str, list[Record]]:
        return self._backlinks("product", "organisations")

    @cached_property
    def trials_by_organisation(self) -> dict[str, list[Record]]:
        return self._backlinks("trial", "sponsors")

    @cached_property
    def studies_by_organisation(self) -> dict[str, list[Record]]:
        return self._backlinks("study", "sponsor")


def study_stage(study: Record) -> str:
    return DESIGN_STAGE[study["design"]]


def _study_order(s: Record):
    return (s.get("year") or 0, s.id)


# Under `make serve` (the hook calls keep_parsed_files()), a rebuild parses only the files
# that changed since the last one; the others' parse is reused. path -> ((mtime, size), Loaded)
_parsed: dict[str, tuple[tuple[int, int], Loaded]] | None = None


def keep_parsed_files() -> None:
    global _parsed
    if _parsed is None:
        _parsed = {}


def _load_one(kind: str, path: str, relpath: str) -> tuple[str, str, Loaded]:
    if _parsed is None:
        return kind, relpath, load(Path(path).read_bytes(), relpath)
    st = os.stat(path)
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _parsed.get(path)
    if hit is None or hit[0] != stamp:
        hit = _parsed[path] = (stamp, load(Path(path).read_bytes(), relpath))
    return kind, relpath, hit[1]


def _load_all(jobs: list[tuple[str, str, str]]) -> list[tuple[str, str, Loaded]]:
    """(kind, path, relpath) -> (kind, relpath, Loaded), in order."""
    return [_load_one(*job) for job in jobs]


def load_corpus(root: Path) -> Corpus:
    """Read data/ and docs/ under root. Problems go to corpus.problems."""
    corpus = Corpus(root=root)
    data = root / "data"
    jobs = []
    for kind in KINDS:
        folder = data / kind.folder
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            relpath = path.relative_to(root).as_posix()
            if path.suffix == ".yml":
                corpus.problems.append(Problem(relpath, 1, 1, "file-name",
                                               "data files end in .yaml; rename this file"))
            elif path.suffix == ".yaml" and path.is_file():
                jobs.append((kind.name, str(path), relpath))
    for kind_name, relpath, loaded in _load_all(jobs):
        kind = BY_NAME[kind_name]
        stem = relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
        corpus.problems.extend(loaded.problems)
        if loaded.data is None:
            corpus.unreadable[kind.name].add(stem)
            continue
        # Records are known by their file name: a wrong id field is reported once
        # (id-filename) instead of breaking every reference to the record.
        corpus.records[kind.name][stem] = Record(kind, stem, loaded.data, relpath, loaded)
    for folder in sorted(p for p in data.iterdir() if p.is_dir()) if data.is_dir() else []:
        if folder.name not in BY_FOLDER:
            corpus.problems.append(Problem(folder.relative_to(root).as_posix(), 1, 1, "file-name",
                                           f"unknown data folder '{folder.name}'; record folders are: "
                                           + ", ".join(k.folder for k in KINDS)))
    docs = root / "docs"
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        text = md.read_text(encoding="utf-8")
        rel = md.relative_to(root).as_posix()
        for line, col, keys, _ in citations.find_in_markdown(text):
            corpus.doc_citations.append(DocCitation(rel, line, col, keys))
    return corpus


__all__ = ["Corpus", "Record", "load_corpus", "study_stage", "STAGES", "STAGE_LABELS", "BY_NAME"]
