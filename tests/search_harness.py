"""Typing into the site's search box in Chromium, as a reader does, and reading the answer.

Shared by tests/test_search.py (relevance) and bench/search.py (payload and latency)."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a page closed while it still fetched (the payload runs close pages at the first result)


class Server:
    """A built site on 127.0.0.1, on a free port, until stop()."""

    def __init__(self, folder: Path):
        self.httpd = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()  # stop() waits one poll
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# Records, in the page, when the last key went down, when the first results for it were shown
# (topic pages come first; studies follow once the reader stops typing) and when the list was
# complete.
_WATCH = """() => {
  const root = document.querySelector('[data-atlas-search]');
  window.__atlas = {answered: null, first: 0, at: 0, key: 0};
  document.addEventListener('keydown', () => { window.__atlas.key = performance.now(); }, true);
  root.addEventListener('atlas-search-results', e => {
    const w = window.__atlas, complete = e.detail.complete !== false;  // a box that shows once: complete
    if (w.first_for !== e.detail.query && (e.detail.shown || complete)) {
      w.first_for = e.detail.query; w.first = performance.now(); }
    if (complete) { w.answered = e.detail.query; w.at = performance.now(); }
  });
}"""


class SearchBox:
    """One browser page kept open; ask() types a query key by key and returns result paths."""

    def __init__(self, page, site_url: str, start: str = ""):
        self.page, self.site_url = page, site_url
        self.base = urlsplit(site_url).path
        page.goto(site_url + start)
        page.evaluate(_WATCH)
        self.box = page.locator(".md-search__input")

    def ask(self, query: str, delay: float = 15, paste: bool = False) -> tuple[list[str], float]:
        """(result page paths in order, milliseconds from the last key to the first results);
        self.complete_ms is the time to the complete list. paste=True pastes the query, as a
        reader does with a DOI or a trial number: one input event, no key per character."""
        box = self.box
        if not self.page.evaluate("() => document.getElementById('__search').checked"):
            button = self.page.locator("label.md-header__button[for='__search']")
            (button if button.is_visible() else box).click()  # on a phone the box opens from the header
        box.focus()
        box.press("Control+a")
        box.press("Backspace")
        self.page.evaluate("() => { window.__atlas.answered = null; window.__atlas.first_for = null; }")
        if paste:
            self.page.evaluate("() => { window.__atlas.key = performance.now(); }")  # no keydown to stamp it
            self.page.keyboard.insert_text(query)
        else:
            box.press_sequentially(query, delay=delay)  # key events, as a reader types (fill() sends none)
        self.page.wait_for_function("q => window.__atlas.answered === q", arg=query, timeout=30_000)
        took, self.complete_ms = self.page.evaluate("() => [window.__atlas.first - window.__atlas.key, window.__atlas.at - window.__atlas.key]")
        hrefs = self.page.locator(".md-search-result__item > a").evaluate_all("els => els.map(e => e.href)")
        paths = []
        for href in hrefs:
            path = urlsplit(href).path.removeprefix(self.base)
            if path not in paths:
                paths.append(path)
        return paths, took


def score(ranked: dict[str, list[str]], wanted: dict[str, set[str]]) -> dict:
    """hits@1, hits@3 and mean reciprocal rank (first wanted page's rank, within ten)."""
    n = len(wanted)
    ranks = {}
    for q, want in wanted.items():
        got = ranked.get(q, [])
        ranks[q] = next((i + 1 for i, p in enumerate(got[:10]) if p in want), None)
    return {
        "queries": n,
        "hits@1": sum(1 for r in ranks.values() if r == 1) / n,
        "hits@3": sum(1 for r in ranks.values() if r and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks.values() if r) / n,
        "misses": {q: ranked.get(q, [])[:3] for q, r in ranks.items() if not r or r > 3},
    }
