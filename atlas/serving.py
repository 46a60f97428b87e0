"""`mkdocs serve` with data that is broken for a while: what the hook does then.

MkDocs re-executes a hook file on every rebuild, so what must outlive a rebuild (the
last good pages, whether this is `serve`) lives here, in a module imported once.

While serving, a failed build must not raise: MkDocs would then hold every request
until a build succeeds ("the server will appear stuck"), and it prints a repeated
identical error only once. Instead the problems are printed in full on every rebuild,
with a build number so a repeat is visibly new, and the last good pages are served;
the next edit that fixes the data is picked up without a restart. Before any good
build there is a page listing the problems; after one, every served page shows the
problems in a banner (STATUS_ASSET, a script every page loads while serving) until a
build is good again.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

import jinja2

from . import paths
from .build import Prepared
from .diagnostics import DataError
from .incremental import ServeMemo


@dataclass
class _State:
    """Everything that outlives a rebuild under `make serve`, in one object."""
    serving: bool = False
    memo: ServeMemo | None = None  # what a rebuild keeps from the last (incremental.py); None outside serve
    builds: int = 0
    last_good: Prepared | None = None
    failed: list[str] | None = None  # the problems of the last build, while it is not fixed
    handed: dict = field(default_factory=dict)  # page path -> what the last build handed MkDocs
    log: logging.Logger = field(default_factory=lambda: _logger())


def _logger() -> logging.Logger:
    # Not under "mkdocs.": MkDocs counts those records and, in strict mode, would abort the
    # rebuild over them, which is the stuck server this module avoids.
    log = logging.getLogger("atlas.serve")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        log.addHandler(handler)
        log.propagate = False
        log.setLevel(logging.INFO)
    return log


STATE = _State()


def started(command: str) -> None:
    STATE.serving = command == "serve"
    STATE.memo = ServeMemo() if STATE.serving else None  # a rebuild re-parses and re-renders only what changed
    STATE.last_good = None
    STATE.failed = None
    STATE.builds = 0
    STATE.handed = {}


def pages(make) -> Prepared:
    """make() -> Prepared. Outside `serve`, errors propagate. While serving, a failure
    is reported in full and the last good pages (or a page of problems) are returned."""
    STATE.builds += 1
    if not STATE.serving:
        return make()
    try:
        prepared = make()
    except Exception as e:  # noqa: BLE001 - any failure while serving: report it and keep serving
        lines = describe(e)
        STATE.failed = lines
        what = "the last good pages, with these problems in a banner," if STATE.last_good \
            else "a page listing the problems"
        STATE.log.error("atlas: build %d at %s failed; serving %s until it is fixed:\n%s",
                        STATE.builds, time.strftime("%H:%M:%S"), what, "\n".join(lines))
        if STATE.last_good is None:
            return problems_page(lines)
        return with_status(STATE.last_good, lines)
    if STATE.failed is not None:  # only a build after a failed one is news
        STATE.log.info("atlas: build %d at %s is good again", STATE.builds, time.strftime("%H:%M:%S"))
    STATE.failed = None
    STATE.last_good = prepared
    return with_status(prepared, None)


# While serving, every page loads this script (hooks/atlas_pages.py adds it): empty when the
# last build was good, and otherwise it puts the build's problems in a banner at the top of
# the page. Only the script changes, so a failed build re-renders no page.
STATUS_ASSET = "assets/javascripts/atlas-serve-status.js"

_BANNER_JS = """(function () {
  var problems = %s;
  function show() {
    var box = document.createElement("div");
    box.id = "atlas-serve-problems";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:sticky;top:0;z-index:1000;margin:0;padding:.8em 1em;" +
      "background:#b00020;color:#fff;font:14px/1.4 monospace;white-space:pre-wrap;max-height:50vh;overflow:auto";
    var head = document.createElement("strong");
    head.textContent = "The last edit broke the build; this page is the last good one. " +
      "Fix the problems below (make serve rebuilds on save):";
    box.appendChild(head);
    box.appendChild(document.createTextNode("\\n" + problems.join("\\n")));
    document.body.insertBefore(box, document.body.firstChild);
  }
  if (document.body) { show(); } else { document.addEventListener("DOMContentLoaded", show); }
})();
"""


def status_script(problems: list[str] | None) -> str:
    """The status script: nothing to do after a good build, a banner after a failed one.
    The problems go in as a JSON string list ('<' escaped), shown with textContent."""
    if not problems:
        return "/* the last build was good */\n"
    data = json.dumps(problems).replace("<", "\\u003c")
    return _BANNER_JS % data


def with_status(prepared: Prepared, problems: list[str] | None) -> Prepared:
    return dataclasses.replace(prepared, assets={**prepared.assets, STATUS_ASSET: status_script(problems)})


class _NotDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def quiet_dirty_warning() -> None:
    """`serve --dirty` writes only the pages whose content changed (hooks/atlas_pages.py
    tells the engine which; record pages are not in the nav). The engine's warning that
    navigation may go stale holds only after an edit of `nav:` in mkdocs.yml (the Makefile
    says so where it passes --dirty) and was the first line a newcomer read."""
    for name in ("properdocs.commands.build", "mkdocs.commands.build"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NotDirtyWarning) for f in logger.filters):
            logger.addFilter(_NotDirtyWarning())


class _BesideServe:
    """Search indexing while serving: it runs beside the reload, so an edit shows at once
    and search catches up. One run at a time, at low priority (so that the next rebuild
    is not slowed: at 100x a Pagefind run takes longer than a rebuild), and after a burst
    of edits one more run for the latest build rather than one per edit, none of them
    writing the index at the same time as another."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wanted: tuple | None = None  # (index, site_dir) of the newest build not yet indexed
        self.running = False

    def request(self, index, site_dir: str) -> None:
        with self.lock:
            self.wanted = (index, site_dir)
            if self.running:
                return
            self.running = True
        threading.Thread(target=self._work, daemon=True).start()

    def _work(self) -> None:
        while True:
            with self.lock:
                if self.wanted is None:
                    self.running = False
                    return
                (index, site_dir), self.wanted = self.wanted, None
            try:
                index(site_dir, low_priority=True)
            except Exception as e:  # noqa: BLE001 - the site stays up, its search stale until the next build
                STATE.log.error("atlas: search index not updated: %s", e)


INDEXING = _BesideServe()


def describe(e: Exception) -> list[str]:
    if isinstance(e, DataError):
        return [str(p) for p in e.problems]
    if isinstance(e, jinja2.TemplateSyntaxError):
        return [f"templates/{e.name or e.filename}:{e.lineno}:1: template-syntax: {e.message}"]
    if isinstance(e, jinja2.TemplateError):
        return [f"templates: template-error: {e}"]
    # a defect of the generator, not of the data: the traceback is what a maintainer needs
    return traceback.format_exception(e)


def problems_page(lines: list[str]) -> Prepared:
    body = "\n".join(f"    {line}" for line in "\n".join(lines).splitlines())
    page = ("# The atlas data has problems\n\n"
            "`make serve` keeps running: fix the files below and this page is replaced by the atlas.\n\n"
            + body + "\n")
    return Prepared({paths.HOME: page}, {STATUS_ASSET: status_script(None)}, {}, frozenset())


__all__ = ["started", "pages", "STATE", "INDEXING"]
