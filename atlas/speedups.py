"""One switch for the build's speed machinery: ATLAS_SPEEDUPS=0 turns it off, so that its
worth can be measured (bench/speedups.py) and any suspicion of it ruled out.

What is left of it is the caches in .cache/: compiled schema checks, compiled templates and
the charts, each keyed by what it was made from. A forked second process and a paused
cycle collector were measured too and dropped (bench/README.md); nothing forks, so
neither does `make serve`.
"""
from __future__ import annotations

import os
from pathlib import Path


def enabled() -> bool:
    return os.environ.get("ATLAS_SPEEDUPS", "1") != "0"


def caches() -> bool:
    return enabled()


def cache_dir(root: Path, name: str = "") -> Path | None:
    """Where a cache lives under root/.cache, or None when the switch is off or .cache is
    not a plain folder of the project (atlas/confine.py: a committed link is never followed)."""
    from .confine import cache_folder
    cache = cache_folder(root) if caches() else None
    return (cache / name if name else cache) if cache is not None else None
