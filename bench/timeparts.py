"""Where a build's time goes: one `mkdocs build` in this process, its parts timed.

Parts (seconds, wall clock):
  hook      - our hook's on_files: validation and every page made (atlas.build.prepare)
  markdown  - Python-Markdown turning each page into HTML (Page.render)
  theme     - Material's templates laying out each page (and sitemap, 404)
  search    - Pagefind indexing the built HTML (atlas.search.index_site; under serve it
              runs beside the reload, so a serve edit does not wait for it)
  gc        - the cycle collector's passes, wherever they fell (also inside the parts above)
  other     - the rest: reading the config and files, the nav, copying static files,
              checking anchors, writing pages

Timers wrap the functions, so their overhead is a few microseconds per page, unlike a
profiler's per call. Prints one JSON object.

With --serve-edit RECORD it times, as `make serve` runs it, the rebuild after the record's
summary is edited (the first build is not timed).

usage: python bench/timeparts.py [-f mkdocs.yml] [--serve-edit data/studies/x.yaml] SITE_DIR
       (run in the project folder)
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
import threading
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

spent: dict[str, float] = defaultdict(float)
_active: list[str] = []  # nested timers: time is charged to the innermost part only


def timed(part: str, fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return fn(*args, **kwargs)  # beside the build (Pagefind under serve): not its time
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


def edit_record(path: Path) -> None:
    """A change a reader sees, different every time: the record's summary gains a sentence."""
    import yaml
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = f"Edited at {time.time():.3f}. {data['summary']}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096), encoding="utf-8")


def main() -> None:
    sys.path.insert(0, os.getcwd())  # the project's own atlas package, as `python -m mkdocs` finds it
    args = sys.argv[1:]
    config_file = edit = None
    while args[0].startswith("-"):
        if args[0] == "-f":
            config_file, args = args[1], args[2:]
        elif args[0] == "--serve-edit":
            edit, args = Path(args[1]), args[2:]
    site_dir = args[0]

    from mkdocs.commands import build
    from mkdocs.config import load_config
    from mkdocs.structure.pages import Page

    Page.render = timed("markdown", Page.render)
    build._build_page = timed("theme", build._build_page)
    build._build_theme_template = timed("theme", build._build_theme_template)
    try:  # the hook imports these from here when MkDocs loads it, after this
        import atlas.build
        import atlas.search
        atlas.build.prepare = timed("hook", atlas.build.prepare)
        atlas.search.index_site = timed("search", atlas.search.index_site)
    except ImportError:  # a floor build: no atlas package needed
        pass

    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")
    serve_url = "http://127.0.0.1:8000/" if edit else None
    options = {"strict": False} if edit else {}  # as `make serve`: --no-strict
    if edit:  # as `mkdocs serve --dirty` does: a first build, then one per change, config reloaded each time
        config = load_config(config_file, site_dir=site_dir, **options)
        config.plugins.on_startup(command="serve", dirty=True)
        config.site_url = serve_url
        build.build(config, serve_url=serve_url, dirty=True)
        spent.clear()
        edit_record(edit)
    start, cpu = time.perf_counter(), os.times()
    config = load_config(config_file, site_dir=site_dir, **options)
    if edit:
        config.site_url = serve_url
    gc.callbacks.append(_gc)
    build.build(config, serve_url=serve_url, dirty=bool(edit))
    total = time.perf_counter() - start
    cpu_total = sum(os.times()[:2]) - sum(cpu[:2])
    gc.callbacks.remove(_gc)
    parts = {k: round(spent[k], 3) for k in ("hook", "markdown", "theme", "search")}
    parts["other"] = round(total - sum(parts.values()), 3)
    parts["gc"] = round(spent["gc"], 3)
    parts["total"] = round(total, 3)
    parts["cpu"] = round(cpu_total, 3)  # the same build's CPU time: wall time swings with the machine's load
    print(json.dumps(parts))


if __name__ == "__main__":
    main()
