"""The build's caches: compiled templates and the charts, each keyed by what it was made from.
ATLAS_SPEEDUPS=0 turns them off, so that their worth can be measured (bench/speedups.py) and
any suspicion of them ruled out.

They live OUTSIDE the work tree, in a per-user folder
($ATLAS_CACHE_DIR, else $XDG_CACHE_HOME/t1d-atlas, else ~/.cache/t1d-atlas), one
sub-folder per project path: a pull request can add files to the work tree, never to this
folder. Every file is sealed with an HMAC under a secret kept in that folder (never in the
repository), and read back only if its seal holds; anything else is made again. Compiled
schema checks are not cached at all: they are executable code, and compiling them costs
about 70 ms (measured, issue 26). A forked second process and a paused cycle collector
were measured too and dropped (bench/README.md); nothing forks, so neither does `make serve`.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
from pathlib import Path

_SEAL = 32  # bytes of HMAC-SHA256 in front of every cached file


def enabled() -> bool:
    return os.environ.get("ATLAS_SPEEDUPS", "1") != "0"


def user_cache_base() -> Path:
    explicit = os.environ.get("ATLAS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "t1d-atlas"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def cache_dir(root: Path, name: str = "") -> Path | None:
    """This project's cache folder (or its sub-folder name), outside the work tree; None
    (build without a cache) when the switch is off or the folder would be inside the project."""
    if not enabled():
        return None
    base = user_cache_base()
    if _inside(base, root) or _inside(root, base):
        return None  # a cache the work tree holds, or that holds the work tree, is never used
    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    folder = base / key
    return folder / name if name else folder


def _secret(base: Path) -> bytes | None:
    path = base / "secret"
    try:
        data = path.read_bytes()
        if len(data) >= 32 and not path.is_symlink():
            return data
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=base, prefix=".secret.")
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
        os.replace(tmp, path)
        return path.read_bytes()
    except OSError:
        return None


def _tag(secret: bytes, name: str, data: bytes) -> bytes:
    return hmac.new(secret, name.encode("utf-8", "surrogateescape") + b"\0" + data, hashlib.sha256).digest()


def read_sealed(path: Path) -> bytes | None:
    """The bytes stored at path if their seal holds under this user's secret, else None."""
    secret = _secret(user_cache_base())
    if secret is None or path.is_symlink():
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    tag, data = blob[:_SEAL], blob[_SEAL:]
    if len(tag) != _SEAL or not hmac.compare_digest(tag, _tag(secret, path.name, data)):
        return None
    return data


def write_sealed(path: Path, data: bytes) -> None:
    """Store data at path with its seal, whole or not at all; a failure only costs speed."""
    secret = _secret(user_cache_base())
    if secret is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(_tag(secret, path.name, data) + data)
        os.replace(tmp, path)
    except OSError:
        pass
