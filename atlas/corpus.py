"""The corpus: every record loaded from data/, with the indexes pages are built from.

Loading never raises on bad data: problems are collected so that one run reports
all of them. Indexes are computed once per build (cached), never once per page.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import confine
from .citations.cite import DocCitation, in_docs
from .diagnostics import Problem
from .kinds import BY_FOLDER, BY_NAME, KINDS, Kind
from .reads import READING
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


@dataclass(eq=False)  # a record is itself: `in` and sets compare identity, not every field
class Record:
    kind: Kind
    id: str
    data: dict[str, Any]
    relpath: str  # e.g. data/studies/hu-2013.yaml
    loaded: Loaded

    # The reads are noted inline, not through reads.noticed(): these three are the hottest
    # calls of a build (millions at 100x).
    def __getitem__(self, key: str) -> Any:
        if READING:
            READING[-1].add(self)
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        if READING:
            READING[-1].add(self)
        return self.data.get(key, default)

    def where(self, path: tuple, value: bool = False) -> tuple[int, int]:
        return self.loaded.where(path, value)

    @property
    def title(self) -> str:
        if READING:
            READING[-1].add(self)
        return str(self.data.get(self.kind.title_field, self.id))


@dataclass
class Corpus:
    root: Path
    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {k.name: {} for k in KINDS})
    problems: list[Problem] = field(default_factory=list)  # loading problems
    # ids of files that exist but could not be read; references to them are not "unresolved"
    unreadable: dict[str, set[str]] = field(default_factory=lambda: {k.name: set() for k in KINDS})
    unreadable_text: list[str] = field(default_factory=list)  # what could be read of them (never read twice)
    # records that failed their schema: reported, and kept out of every rule, index and page
    set_aside: dict[str, dict[str, Record]] = field(default_factory=lambda: {k.name: {} for k in KINDS})
    doc_citations: list[DocCitation] = field(default_factory=list)
    doc_texts: dict[str, str] = field(default_factory=dict)  # docs/... page -> its text (prose rules)
    xrefs: dict[str, list[tuple[tuple, str]]] | None = None  # Schemas.xrefs; read from root/schemas if not given
    source_review: str | None = None  # the review's reference id (reference.schema.json x-source-review)
    _referrers: dict = field(default_factory=dict, repr=False)
    _named: dict = field(default_factory=dict, repr=False)  # (kind, id) -> Named
    _named_plans: dict = field(default_factory=dict, repr=False)  # kind -> its x-ref fields as a tree

    # -- access ---------------------------------------------------------------------
    def all(self, kind: str) -> list[Record]:
        return list(self.records[kind].values())

    def get(self, kind: str, rid: str) -> Record | None:
        return self.records[kind].get(rid)

    def __iter__(self) -> Iterator[Record]:
        for by_id in self.records.values():
            yield from by_id.values()

    def exists(self, kind: str, rid: str) -> bool:
        """A file of that id is there, even if it could not be read or failed its schema:
        a reference to it is not 'unresolved'."""
        return rid in self.records[kind] or rid in self.unreadable[kind] or rid in self.set_aside[kind]

    def set_aside_record(self, record: Record) -> None:
        """Take a record that failed its schema out of the corpus (before any index is built)."""
        self.set_aside[record.kind.name][record.id] = self.records[record.kind.name].pop(record.id)

    # -- indexes --------------------------------------------------------------------
    @cached_property
    def references_by_number(self) -> list[Record]:
        """Numbered references in the review's order, then unnumbered ones by id."""
        return self.in_order("reference")

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
        return self.in_order("study")

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

    # -- back-links: from the schemas' x-ref fields ---------------------------------------
    @property
    def xref_fields(self) -> dict[str, list[tuple[tuple, str]]]:
        """Per kind: (path pattern, target kind) of every field its schema marks x-ref."""
        if self.xrefs is None:
            from .schema import Schemas
            self.xrefs = Schemas(self.root / "schemas").xrefs
        return self.xrefs

    def in_order(self, kind: str) -> list[Record]:
        """A kind's records in the order its Kind gives (kinds.py)."""
        return sorted(self.all(kind), key=BY_NAME[kind].sort)

    def referrers(self, source: str, target: str) -> dict[str, list[Record]]:
        """Target record id -> the `source` records that name it in a field whose schema
        says x-ref: target (any such field), in the source kind's order."""
        key = (source, target)
        if key not in self._referrers:
            patterns = [p for p, t in self.xref_fields.get(source, []) if t == target]
            out: dict[str, list[Record]] = defaultdict(list)
            for r in self.in_order(source) if patterns else []:
                named = {v for p in patterns for v in xref_values(r.data, p) if isinstance(v, str)}
                for v in sorted(named):
                    out[v].append(r)
            self._referrers[key] = dict(out)
        return self._referrers[key]

    def linked(self, record: Record) -> dict[str, list[Record]]:
        """Kind name -> the records of that kind that refer to this record."""
        return {k.name: found for k in KINDS if (found := self.referrers(k.name, record.kind.name).get(record.id))}

    def named(self, record: Record) -> Named:
        """The records this record names, linked() the other way: in the shape of its data,
        every field its schema marks x-ref holds the record(s) named there instead of ids.
        A study's is {"classes": [Record, ...], "intervention": {"cell_source": Record or
        None, "product": ..., "site": ..., "device": ...}, "sponsor": Record or None,
        "citations": [{"ref": Record or None}, ...], "outcomes": [{"citations": [...]}, ...],
        ...}. A list of ids becomes the records found (an unknown id, which validation
        reports, left out); a single id, its record or None; a field the record lacks, an
        empty list or None; a list of objects keeps one entry per object, in order, so that
        named["citations"][i] goes with record["citations"][i]. The views hand it to every
        template (atlas/pages.py), which so look no record up by id."""
        key = (record.kind.name, record.id)
        if key not in self._named:
            plan = self._named_plans.get(record.kind.name)
            if plan is None:
                plan = self._named_plans[record.kind.name] = _plan(
                    [(p, k) for p, k in self.xref_fields.get(record.kind.name, []) if k in self.records])
            self._named[key] = Named(_resolve(self, record.data, plan), record=record)
        return self._named[key]

    @cached_property
    def studies_by_trial(self) -> dict[str, list[Record]]:
        return self.referrers("study", "trial")

    @cached_property
    def trials_by_class(self) -> dict[str, list[Record]]:
        return self.referrers("trial", "therapy-class")

    @cached_property
    def trials_by_product(self) -> dict[str, list[Record]]:
        return self.referrers("trial", "product")

    @cached_property
    def studies_by_implantation_site(self) -> dict[str, list[Record]]:
        return self.referrers("study", "site")

    @cached_property
    def studies_by_product(self) -> dict[str, list[Record]]:
        """Studies that use a product or a device."""
        return self.referrers("study", "product")

    @cached_property
    def studies_by_cell_source(self) -> dict[str, list[Record]]:
        return self.referrers("study", "cell-source")

    @cached_property
    def classes_by_cell_source(self) -> dict[str, list[Record]]:
        return self.referrers("therapy-class", "cell-source")

    @cached_property
    def products_by_organisation(self) -> dict[str, list[Record]]:
        return self.referrers("product", "organisation")

    @cached_property
    def trials_by_organisation(self) -> dict[str, list[Record]]:
        return self.referrers("trial", "organisation")

    @cached_property
    def studies_by_organisation(self) -> dict[str, list[Record]]:
        return self.referrers("study", "organisation")


class Named(dict):
    """Corpus.named(record): a dict that follows from its record's data and from which
    records exist, so that the serve memo (incremental.fingerprint) knows it by its record."""

    def __init__(self, resolved: dict, record: Record):
        super().__init__(resolved)
        self.record = record


def _plan(fields: list[tuple[tuple, str]]) -> dict:
    """x-ref path patterns as a tree: field -> kind name (an id), ("*", kind name) (a list of
    ids), ("*", subtree) (a list of objects) or subtree (an object)."""
    plan: dict = {}
    for pattern, kind in fields:
        _plan_add(plan, pattern, kind)
    return plan


def _plan_add(node: dict, pattern: tuple, kind: str) -> None:
    head, rest = pattern[0], pattern[1:]
    if not rest:
        node[head] = kind
    elif rest == ("*",):
        node[head] = ("*", kind)
    elif rest[0] == "*":
        _plan_add(node.setdefault(head, ("*", {}))[1], rest[1:], kind)
    else:
        _plan_add(node.setdefault(head, {}), rest, kind)


def _resolve(c: Corpus, data: Any, plan: dict) -> dict:
    data = data if isinstance(data, dict) else {}
    out = {}
    for name, how in plan.items():
        value = data.get(name)
        if isinstance(how, str):  # an id
            out[name] = c.records[how].get(value) if isinstance(value, str) else None
        elif isinstance(how, dict):  # an object
            out[name] = _resolve(c, value, how)
        else:
            items = value if isinstance(value, list) else []
            inner = how[1]
            if isinstance(inner, str):  # a list of ids
                found = c.records[inner]
                out[name] = [found[v] for v in items if isinstance(v, str) and v in found]
            else:  # a list of objects
                out[name] = [_resolve(c, item, inner) for item in items]
    return out


def xref_values(node: Any, pattern: tuple) -> Iterator[Any]:
    """The values at a path pattern of Schemas.xrefs ('*': every item of a list)."""
    if not pattern:
        if node is not None:
            yield node
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            yield from xref_values(item, rest)
    elif isinstance(node, dict):
        yield from xref_values(node.get(head), rest)


def study_stage(study: Record) -> str:
    return DESIGN_STAGE[study["design"]]


def treated(study: Record) -> int:
    """How many received the intervention, from the arms (0 where no arm says)."""
    return sum(a.get("n") or 0 for a in study.get("arms", []) if a.get("role") == "intervention")


def participants(study: Record) -> tuple[int, str]:
    """(how many took part, what the number counts): 'enrolled' as the source gives it, 'arms'
    when every arm gives its size, 'treated' when only the intervention arms do; (0, '') when
    the study says nothing of its size."""
    if study.get("enrolled"):
        return study["enrolled"], "enrolled"
    arms = study.get("arms") or []
    if arms and all(a.get("n") for a in arms):
        return sum(a["n"] for a in arms), "arms"
    n = treated(study)
    return (n, "treated") if n else (0, "")


def harms(study: Record) -> list[dict]:
    """The study's safety outcomes."""
    return [o for o in study.get("outcomes", []) if o.get("measure") == "safety"]


def unreported(record: Record, key: str) -> bool:
    """The source does not report this fact (as opposed to: not yet entered)."""
    return key in record.get("not_reported", [])


def _study_order(s: Record):
    return BY_NAME["study"].sort(s)


def _load_one(kind: str, path: str, relpath: str, parsed: dict | None) -> tuple[str, str, Loaded]:
    with open(path, "rb") as f:  # a regular file: confine.check refused links and pipes
        st = os.fstat(f.fileno())
        problem = confine.too_large(relpath, st.st_size)
        if problem is not None:  # never parsed, nor held in memory
            return kind, relpath, Loaded(problems=[problem], relpath=relpath)
        if parsed is None:
            return kind, relpath, load(f.read(), relpath)
        stamp = (st.st_mtime_ns, st.st_size)
        hit = parsed.get(path)
        if hit is None or hit[0] != stamp:
            hit = parsed[path] = (stamp, load(f.read(), relpath))
        return kind, relpath, hit[1]


def load_corpus(root: Path, parsed: dict | None = None) -> Corpus:
    """Read data/ and docs/ under root. Problems go to corpus.problems. parsed: under
    `make serve`, each file's last parse (incremental.ServeMemo.parsed), reused while the
    file's modification time and size are unchanged, and updated."""
    corpus = Corpus(root=root)
    # links, files outside the project, pipes, oversized files: reported and never opened
    refused = confine.check(root)
    corpus.problems.extend(refused)
    refused_paths = {p.path for p in refused}

    def is_refused(rel: str) -> bool:
        return any(rel == p or rel.startswith(p + "/") for p in refused_paths)

    data = root / "data"
    jobs = []
    for kind in KINDS:
        folder = data / kind.folder
        if is_refused(folder.relative_to(root).as_posix()) or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            relpath = path.relative_to(root).as_posix()
            if is_refused(relpath):
                corpus.unreadable[kind.name].add(path.name.removesuffix(".yaml"))
            elif path.suffix == ".yml":
                corpus.problems.append(Problem(relpath, 1, 1, "file-name",
                                               "data files end in .yaml; rename this file"))
            elif path.suffix == ".yaml" and path.is_file():
                jobs.append((kind.name, str(path), relpath))
    for kind_name, relpath, loaded in (_load_one(*job, parsed) for job in jobs):
        kind = BY_NAME[kind_name]
        stem = relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
        corpus.problems.extend(loaded.problems)
        if loaded.data is None:
            corpus.unreadable[kind.name].add(stem)
            corpus.unreadable_text.append(loaded.text)
            continue
        # Records are known by their file name: a wrong id field is reported once
        # (id-filename) instead of breaking every reference to the record.
        corpus.records[kind.name][stem] = Record(kind, stem, loaded.data, relpath, loaded)
    for folder in sorted(p for p in data.iterdir() if p.is_dir()) if data.is_dir() and not is_refused("data") else []:
        if folder.name not in BY_FOLDER:
            corpus.problems.append(Problem(folder.relative_to(root).as_posix(), 1, 1, "file-name",
                                           f"unknown data folder '{folder.name}'; record folders are: "
                                           + ", ".join(k.folder for k in KINDS)))
    corpus.doc_citations = in_docs(root, is_refused, corpus.problems, corpus.doc_texts)
    return corpus


__all__ = ["Corpus", "Record", "load_corpus", "study_stage", "STAGES", "STAGE_LABELS", "BY_NAME"]
