"""What the build may read: regular files inside the project, of bounded size and number.

A pull request can carry a symbolic link (git stores it as a path). A data file or
docs page that links to /etc/passwd or to a file on the CI runner would otherwise be
read, and its content published. So every file under the folders the build reads is
checked before anything is read: a link, a path that resolves outside the project,
or something that is not a regular file (a FIFO would block a read forever) is an
error naming the file, and the file is not opened.

Limits keep time and memory bounded whatever a contribution holds; they are listed
in CONTRIBUTING.md ("Limits").
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .diagnostics import Problem

READ_FOLDERS = ("data", "docs", "templates", "overrides", "schemas")
# The largest record of the review is under 5 KB; a record is never a megabyte of text.
MAX_DATA_FILE_BYTES = 1_000_000
MAX_DOCS_PAGE_BYTES = 2_000_000
# 100x the review is about 30,000 records and builds in minutes (bench/RESULTS.md).
MAX_FILES = 100_000


def check(root: Path) -> list[Problem]:
    """Problems with the files under READ_FOLDERS; nothing is opened.

    The walk never follows a link, so what it finds below a folder checked to be inside
    the project is inside too: only the top folders are resolved (resolving each of
    30,000 files took most of a second)."""
    real_root = root.resolve()
    problems: list[Problem] = []
    count = 0
    for name in READ_FOLDERS:
        top = root / name
        if top.is_symlink() or (top.exists() and not _inside(top, real_root)):
            problems.append(_linked(name, top))
            continue
        todo = [top] if top.is_dir() else []
        while todo:
            folder = todo.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as e:
                problems.append(Problem(_rel(root, folder), 1, 1, "file-unreadable",
                                        f"cannot be read ({e.strerror}); check its permissions"))
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    count += 1  # its size is checked where it is opened (too_large)
                else:  # a link, a pipe, a device: the full check says which
                    problem = check_file(root, Path(entry.path), real_root)
                    if problem is not None:
                        problems.append(problem)
            if count > MAX_FILES:
                problems.append(Problem(_rel(root, folder), 1, 1, "too-many-files",
                                        f"more than {MAX_FILES:,} files under {', '.join(READ_FOLDERS)}; "
                                        "the build reads at most that many (CONTRIBUTING.md, Limits)"))
                return problems
    return problems


def limit(rel: str) -> int:
    return MAX_DATA_FILE_BYTES if rel.startswith("data/") else MAX_DOCS_PAGE_BYTES


def too_large(rel: str, size: int) -> Problem | None:
    if size <= limit(rel):
        return None
    return Problem(rel, 1, 1, "file-too-large",
                   f"is {size:,} bytes; the limit for this file is {limit(rel):,} bytes "
                   "(CONTRIBUTING.md, Limits): shorten it or split it")


def check_file(root: Path, path: Path, real_root: Path | None = None) -> Problem | None:
    """A problem if path is not a regular file (or folder) inside the project, or is too large."""
    real_root = real_root or root.resolve()
    rel = _rel(root, path)
    try:
        st = path.lstat()
    except OSError as e:
        return Problem(rel, 1, 1, "file-unreadable", f"cannot be read ({e.strerror}); check the file's permissions")
    if stat.S_ISLNK(st.st_mode):
        return _linked(rel, path)
    if not _inside(path, real_root):
        return Problem(rel, 1, 1, "file-outside",
                       "resolves to a place outside the project; the build reads only files inside it")
    if stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        return Problem(rel, 1, 1, "file-not-regular",
                       "is not a regular file (a pipe, socket or device); replace it with an ordinary file")
    return too_large(rel, st.st_size)


def _linked(rel: str, path: Path) -> Problem:
    return Problem(rel, 1, 1, "file-symlink",
                   "is a symbolic link; the build reads only regular files inside the project, never what a "
                   "link points to: replace the link with the file itself")


def _inside(path: Path, real_root: Path) -> bool:
    try:
        path.resolve().relative_to(real_root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
