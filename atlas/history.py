"""What changed in the data, and when, read from the git history of data/.

A record's history is its file's history: added, changed (with the fields that
changed), corrected, removed, each with the date and subject of the commit that made
it (a squash-merged pull request is one commit titled as the pull request). Reading
costs one `git log` and one `git cat-file` per build, whatever the size of the
history; a build without git (an exported tarball, a shallow clone) still works and
says that the history is not available.

A merge commit counts only for what it changed itself. The log is read with `-c`,
which lists for a merge only the files that differ from every parent (what resolving
a conflict, or editing during the merge, produced); of those, a change lists the
fields whose merged value matches no parent. A file merged cleanly from both sides
has no such field, and the commits on each side already say what they changed.

A change is a correction when it adds an entry to a record's `corrections` list, or
when the commit's subject says so ("Correct the dose of ...", "Audit corrections: ...";
CONTRIBUTING.md asks for that).
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .yamlsafe import load

ADDED, CHANGED, CORRECTED, REMOVED = "added", "changed", "corrected", "removed"
_CORRECTION_SUBJECT = re.compile(r"\bcorrect(s|ed|ion|ions)?\b", re.I)
_GIT_TIMEOUT = 60
_NULL = "0" * 40


@dataclass(frozen=True)
class Change:
    commit: str  # full hash
    time: str  # ISO 8601 commit time
    subject: str  # what the commit says it did
    action: str  # added | changed | corrected | removed
    relpath: str  # data/<folder>/<id>.yaml (after any rename)
    fields: tuple[str, ...] = ()  # top-level fields whose value changed
    corrections: tuple[str, ...] = ()  # fields a new `corrections` entry corrects

    @property
    def date(self) -> str:
        return self.time[:10]


@dataclass
class History:
    available: bool  # False: no git, or not a repository; pages say so instead of guessing
    changes: list[Change] = field(default_factory=list)  # newest first
    shallow: bool = False  # a shallow clone: the oldest commits are missing

    def of(self, relpath: str) -> list[Change]:
        """The changes of one data file, newest first."""
        if not hasattr(self, "_by_path"):
            by_path: dict[str, list[Change]] = {}
            for c in self.changes:
                by_path.setdefault(c.relpath, []).append(c)
            self._by_path = by_path
        return self._by_path.get(relpath, [])

    def added(self, relpath: str) -> str | None:
        """Date the record was added, if the history reaches back to it."""
        return next((c.date for c in reversed(self.of(relpath)) if c.action == ADDED), None)

    def last_changed(self, relpath: str) -> str | None:
        changes = self.of(relpath)
        return changes[0].date if changes else None


def read(root: Path, since: str | None = None) -> History:
    """The history of data/ under root (commits after `since`, a git revision, if given)."""
    rev = [f"{since}..HEAD"] if since else []
    log = _git(root, "log", "--relative", "-M", "-c", "--raw", "--no-abbrev", "-z",
               "--format=%x00%H%x00%cI%x00%s", *rev, "--", "data")  # NUL: the one byte no subject holds
    if log is None:
        return History(available=False)
    shallow = (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    entries = parse_log(log)
    blobs = _read_blobs(root, {b for e in entries if e.status == "M" for b in (*e.old_blobs, e.new_blob)})
    changes = [c for c in (e.change(blobs) for e in entries) if c is not None]
    return History(available=True, changes=changes, shallow=shallow)


@dataclass
class _Entry:
    commit: str
    time: str
    subject: str
    status: str  # A, M, D (renames are M at the new path)
    relpath: str
    old_blobs: tuple[str, ...]  # the file before: one blob, or for a merge one per parent that had it
    new_blob: str
    merge: bool = False

    def change(self, blobs: dict[str, bytes]) -> Change | None:
        """What this entry changed; None for a merge that made no change of its own."""
        if self.status == "A":
            return Change(self.commit, self.time, self.subject, ADDED, self.relpath)
        if self.status == "D":
            return Change(self.commit, self.time, self.subject, REMOVED, self.relpath)
        new = _data(blobs.get(self.new_blob), self.relpath)
        olds = [_data(blobs.get(b), self.relpath) for b in self.old_blobs]
        # A field changed when its new value matches no version before: for an ordinary
        # commit its one parent, for a merge every parent (so only the resolution counts).
        fields = tuple(sorted(k for k in {*new, *(k for old in olds for k in old)}
                              if all(old.get(k) != new.get(k) for old in olds)))
        known = [c for old in olds for c in (old.get("corrections") if isinstance(old.get("corrections"), list) else [])]
        after = new.get("corrections") if isinstance(new.get("corrections"), list) else []
        corrected = tuple(str(c.get("field", "")) if isinstance(c, dict) else "" for c in after if c not in known)
        if self.merge and not fields:
            return None
        action = CORRECTED if corrected or _CORRECTION_SUBJECT.search(self.subject) else CHANGED
        return Change(self.commit, self.time, self.subject, action, self.relpath, fields, corrected)


_HASH = re.compile(r"[0-9a-f]{40}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


def parse_log(log: str) -> list[_Entry]:
    """Entries of `git log -c --raw -z` in the format read() asks for, newest first.
    Paths are followed through renames, so older entries carry today's path. A merge's
    lines are in git's combined format (`::` and a mode, blob and status per parent).

    The stream is NUL-separated tokens read by position: an empty token, then a commit's
    hash, time and subject, then its raw lines (a ':' token and its one or two paths).
    A commit subject cannot hold NUL, and every other field is checked for its shape, so
    no subject (nor file name) can start a commit of its own or forge a date; anything
    unexpected ends the reading rather than being guessed at."""
    entries: list[_Entry] = []
    renamed: dict[str, str] = {}  # an old path -> the path it has now
    tokens = log.split("\0")
    i, n = 0, len(tokens)
    while i + 3 < n and tokens[i].strip("\n") == "":
        if tokens[i + 1].strip("\n") == "":  # a merge without lines of its own ends with one more NUL
            i += 1
            continue
        commit, time, subject = tokens[i + 1], tokens[i + 2], tokens[i + 3]
        if not _HASH.fullmatch(commit) or not _TIME.fullmatch(time):
            break
        i += 4
        while i < n:
            if tokens[i] == "" and i + 1 < n and tokens[i + 1].startswith(":"):
                i += 1  # a merge's raw lines follow one more NUL
            if not tokens[i].lstrip("\n").startswith(":"):
                break
            meta = tokens[i].lstrip("\n")
            parents = len(meta) - len(meta.lstrip(":"))
            parts = meta[parents:].split()
            if parents > 1:  # a merge: only the final path, no rename detection
                if i + 1 >= n or len(parts) < 2 * parents + 2:
                    return entries
                path = tokens[i + 1]
                i += 2
                before = tuple(b for b in parts[parents + 1:2 * parents + 1] if b != _NULL)
                new_blob = parts[2 * parents + 1]
                status = "D" if new_blob == _NULL else "M" if before else "A"
                current = renamed.get(path, path)
                if current.endswith(".yaml"):
                    entries.append(_Entry(commit, time, subject.strip(), status, current, before, new_blob, True))
                continue
            if len(parts) < 5:
                return entries
            old_blob, new_blob, status = parts[2], parts[3], parts[4][:1]
            if status in "RC":
                if i + 2 >= n:
                    return entries
                old_path, path = tokens[i + 1], tokens[i + 2]
                i += 3
                current = renamed.get(path, path)
                if status == "R":
                    renamed[old_path] = current
                status = "M" if status == "R" else "A"
            else:
                if i + 1 >= n:
                    return entries
                path = tokens[i + 1]
                i += 2
                current = renamed.get(path, path)
            if status in "AMD" and current.endswith(".yaml"):
                entries.append(_Entry(commit, time, subject.strip(), status, current, (old_blob,), new_blob))
    return entries


def _data(raw: bytes | None, relpath: str) -> dict:
    if not raw:
        return {}
    loaded = load(raw, relpath)
    return loaded.data if isinstance(loaded.data, dict) else {}


def _read_blobs(root: Path, blobs: set[str]) -> dict[str, bytes]:
    """Contents of many blobs from one `git cat-file --batch`."""
    blobs.discard(_NULL)
    if not blobs:
        return {}
    order = sorted(blobs)
    try:
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input="\n".join(order).encode() + b"\n",
                             capture_output=True, timeout=_GIT_TIMEOUT, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found, pos = {}, 0
    for sha in order:
        end = out.index(b"\n", pos)
        head = out[pos:end].split()
        pos = end + 1
        if len(head) == 3 and head[1] == b"blob":
            size = int(head[2])
            found[sha] = out[pos:pos + size]
            pos += size + 1
    return found


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=_GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace")
