"""Where a build's time goes: one `mkdocs build` in this process, its parts timed.

Parts (seconds, wall clock):
  hook      - our hook's events (validation and every page made, in on_files; search
              index compaction in on_post_build)
  markdown  - Python-Markdown turning each page into HTML (Page.render)
  theme     - Material's templates laying out each page (and sitemap, 404)
  search    - the search plugin: each page's HTML parsed into entries, the index written
  gc        - the cycle collector's passes, wherever they fell (also inside the parts above)
  other     - the rest: reading the config and files, the nav, copying static files,
              checking anchors, writing pages

Timers wrap the functions, so their overhead is a few microseconds per page, unlike a
profiler's per call. Prints one JSON object.

usage: python bench/profile.py [-f mkdocs.yml] SITE_DIR   (run in the project folder)
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections import defaultdict
from functools import wraps

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
sys.path.insert(0, os.getcwd())  # the project's own atlas package, as `python -m mkdocs` finds it

spent: dict[str, float] = defaultdict(float)
_active: list[str] = []  # nested timers: time is charged to the innermost part only


def timed(part: str, fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        _active.append(part)
        try:
            return fn(*args, **kwargs)
        finally:
            _active.pop()
            elapsed = time.perf_counter() - start
            spent[part] += elapsed
            if _active:  # the enclosing part did not spend this
                spent[_active[-1]] -= elapsed
    return wrapper


_gc_start = [0.0]


def _gc(phase, info):
    if phase == "start":
        _gc_start[0] = time.perf_counter()
    else:
        spent["gc"] += time.perf_counter() - _gc_start[0]


def main() -> None:
    args = sys.argv[1:]
    config_file = None
    if args[:1] == ["-f"]:
        config_file, args = args[1], args[2:]
    site_dir = args[0]

    from material.plugins.search import plugin as search_plugin
    from mkdocs.commands import build
    from mkdocs.config import load_config
    from mkdocs.structure.pages import Page

    Page.render = timed("markdown", Page.render)
    build._build_page = timed("theme", build._build_page)
    build._build_theme_template = timed("theme", build._build_theme_template)
    for name in ("on_page_context", "on_post_build"):
        setattr(search_plugin.SearchPlugin, name, timed("search", getattr(search_plugin.SearchPlugin, name)))
    try:  # the hook imports prepare() from here when MkDocs loads it
        import atlas.build
        import atlas.searchindex
        atlas.build.prepare = timed("hook", atlas.build.prepare)
        atlas.searchindex.compact_entries = timed("hook", atlas.searchindex.compact_entries)
    except ImportError:  # a floor build: no atlas package needed
        pass

    start = time.perf_counter()
    config = load_config(config_file, site_dir=site_dir)
    gc.callbacks.append(_gc)
    build.build(config)
    total = time.perf_counter() - start
    gc.callbacks.remove(_gc)
    parts = {k: round(spent[k], 3) for k in ("hook", "markdown", "theme", "search")}
    parts["other"] = round(total - sum(parts.values()), 3)
    parts["gc"] = round(spent["gc"], 3)
    parts["total"] = round(total, 3)
    print(json.dumps(parts))


if __name__ == "__main__":
    main()
