"""Output folders a command may delete and replace: only ones atlas made itself.

`atlas pages DIR` and `make site` replace a whole folder. A mistyped or hostile folder
name (`.`, `..`, `docs`, `data`, `.git`) must never be the one deleted: the project, its
parents and its source folders are refused, and an existing folder is replaced only if it
carries the marker file atlas writes into every folder it makes. The replacement is one
rename (an atomic exchange where the system has one), so a kill at any moment leaves
either the old folder or the new one, complete.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

MARKER = ".atlas-output"  # MkDocs keeps dot files when it cleans its site folder
# folders of the project that are sources, never output (and never inside output)
SOURCES = ("data", "docs", "templates", "schemas", "hooks", "atlas", "tests", "overrides", "search", "bench",
           "tools", ".git", ".github", ".venv")
_RENAME_EXCHANGE = 2


class Refused(Exception):
    """The folder may not be replaced; the message says why."""


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check(root: Path, out: Path, *, existing_must_be_ours: bool = True) -> Path:
    """out, absolute and resolved, if atlas may delete and replace it; else Refused."""
    root = root.resolve()
    target = Path(os.path.abspath(out))  # from the current folder, as a command line means it; a link is judged as itself
    real = target.resolve()
    shown = str(out)
    for candidate in {target, real}:
        if _within(root, candidate):
            raise Refused(f"{shown}: refused: it is the project folder or one of its parents; "
                          "name a folder of its own, e.g. build/pages")
        for name in SOURCES:
            if _within(candidate, root / name):
                raise Refused(f"{shown}: refused: it is (or is inside) the project's source folder {name}/; "
                              "name a folder of its own, e.g. build/pages")
    if target.is_symlink():
        raise Refused(f"{shown}: refused: it is a symbolic link; name a real folder")
    if target.exists():
        if not target.is_dir():
            raise Refused(f"{shown}: refused: it exists and is not a folder")
        if existing_must_be_ours and not (target / MARKER).is_file() and any(target.iterdir()):
            raise Refused(f"{shown}: refused: atlas did not make this folder (it has no {MARKER} file) and it "
                          "is not empty; delete it yourself or name another folder (a site/ built before "
                          "atlas marked its folders: run make clean once)")
    return target


def mark(folder: Path) -> None:
    (folder / MARKER).write_text("made by atlas: replaced whole by the next build\n", encoding="utf-8")


def fresh(root: Path, out: Path) -> Path:
    """An empty folder at out, marked as atlas's (deleting the previous one only if it was atlas's)."""
    target = check(root, out)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    mark(target)
    return target


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace(root: Path, out: Path, new: Path) -> Path:
    """Put the finished folder new in place of out, atomically; the old one is deleted after."""
    target = check(root, out)
    source = check(root, new)
    if not (source / MARKER).is_file():
        raise Refused(f"{new}: refused: not a folder atlas prepared (no {MARKER}); nothing replaced")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        return target
    if _exchange(source, target):  # out is the new site at once; source now holds the old one
        shutil.rmtree(source, ignore_errors=True)
        return target
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    os.rename(target, old / target.name)  # where the system has no exchange: two renames
    os.rename(source, target)
    shutil.rmtree(old, ignore_errors=True)
    return target
