"""`atlas site-diff BASE NEW`: what a pull request changes on the built site.

Compares two built sites page by page, on what a reader sees: the text of each page's
article (theme chrome, navigation and the build date left out), plus the downloads
(BibTeX, CSV...). Writes Markdown for the pull request's job summary: pages added,
removed and changed, each linked (to a deploy preview when its address is given), with
the changed lines of text under each changed page.

With --files, it compares every file of the two sites instead, byte for byte once what
changes with every build is normalised (the release, commit and date in "Cite this page"
and the feed, JSON-LD dates, the generator tag, the sitemap's dates) and Pagefind's own
files left out (they differ from run to run): a refactor should change nothing it did not
mean to.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import paths

DOWNLOADS = (".bib", ".ris", ".json", ".csv")
# the theme's, the engine's and the search index's own files (Pagefind's change run to run)
_SKIP_DOWNLOADS = ("search/", "assets/", "schemas/", "pagefind")
# what changes with every commit, not with the content: "Cite this page" carries the
# release, the commit and the date
_VOLATILE = re.compile(r"\b(?:version|release) [^,\s]+(?: \(commit [0-9a-f]+\))?, \d{4}-\d{2}-\d{2}")


class _Article(HTMLParser):
    """The title and the visible text of a page's <article>, one line per block."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd", "figcaption", "pre", "br", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.lines: list[str] = []
        self._depth = 0  # inside <article> (nesting of articles counted)
        self._skip = 0  # inside script/style/svg or a data-search-exclude block? (text kept: readers see it)
        self._in_title = False
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag == "article":
            self._depth += 1
        if self._depth and tag in ("script", "style", "svg"):
            self._skip += 1
        if self._depth and tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._depth and tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1
        if self._depth and tag in self.BLOCKS:
            self._flush()
        if tag == "article" and self._depth:
            self._flush()
            self._depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._depth and not self._skip:
            self._buf.append(data)

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            self.lines.append(_VOLATILE.sub("version (this build)", text))


@dataclass
class Page:
    path: str  # e.g. studies/hu-2013/  (the URL path, relative to the site root)
    title: str
    lines: list[str]

    @property
    def digest(self) -> str:
        return hashlib.sha256("\n".join(self.lines).encode()).hexdigest()


@dataclass
class Diff:
    added: list[Page] = field(default_factory=list)
    removed: list[Page] = field(default_factory=list)
    changed: list[tuple[Page, Page]] = field(default_factory=list)
    downloads: dict[str, list[str]] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or any(self.downloads.values()))


def read_site(site: Path) -> tuple[dict[str, Page], dict[str, str]]:
    """(URL path -> page, download path -> hash) of a built site."""
    pages, files = {}, {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if rel.endswith(".html") and rel != "404.html":
            parser = _Article()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parser.close()
            url = paths.url_of_html(rel)
            title = " ".join(parser.title.split())
            pages[url] = Page(url, title, [ln for ln in parser.lines if ln])
        elif rel.endswith(DOWNLOADS) and not rel.startswith(_SKIP_DOWNLOADS):
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return pages, files


def compare(base: Path, new: Path) -> Diff:
    old_pages, old_files = read_site(base)
    new_pages, new_files = read_site(new)
    d = Diff()
    d.added = [new_pages[p] for p in sorted(new_pages.keys() - old_pages.keys())]
    d.removed = [old_pages[p] for p in sorted(old_pages.keys() - new_pages.keys())]
    d.changed = [(old_pages[p], new_pages[p]) for p in sorted(old_pages.keys() & new_pages.keys())
                 if old_pages[p].digest != new_pages[p].digest]
    d.downloads["added"] = sorted(new_files.keys() - old_files.keys())
    d.downloads["removed"] = sorted(old_files.keys() - new_files.keys())
    d.downloads["changed"] = sorted(f for f in old_files.keys() & new_files.keys() if old_files[f] != new_files[f])
    return d


def markdown(d: Diff, base_url: str = "", max_lines: int = 12) -> str:
    """The summary for the pull request. base_url: where the new site is previewed, if anywhere."""
    def link(page: Page, live: bool = True) -> str:
        name = _md(page.title.split(" - ")[0].strip() or page.path or "Home")
        target = f"{base_url.rstrip('/')}/{page.path}" if base_url and live else None
        return f"[{name}]({target})" if target else f"{name} (`/{page.path}`)"

    out = ["## What this pull request changes on the site", ""]
    if d.empty:
        return "\n".join(out + ["No page or download changes.", ""])
    out.append(f"{len(d.added)} page(s) added, {len(d.removed)} removed, {len(d.changed)} changed"
               + (f"; downloads: {sum(map(len, d.downloads.values()))} file(s) differ" if any(d.downloads.values()) else "")
               + ".")
    if d.added:
        out += ["", "### Added", ""] + [f"- {link(p)}" for p in d.added]
    if d.removed:
        out += ["", "### Removed", ""] + [f"- {link(p, live=False)}" for p in d.removed]
    if d.changed:
        out += ["", "### Changed", ""]
        # pages whose text changed in the same way (each page that lists a new reference, say)
        # are one entry, and a line repeated within a page is shown once with its count
        groups: dict[tuple, list[Page]] = {}
        for old, new in d.changed:
            groups.setdefault(tuple(_counted(_changed_lines(old.lines, new.lines))), []).append(new)
        for lines, pages_alike in groups.items():
            lines = list(lines)
            out.append("- " + ", ".join(link(p) for p in pages_alike)
                       + (f" (the same change on {len(pages_alike)} pages)" if len(pages_alike) > 1 and lines else ""))
            if lines:
                shown = lines[:max_lines] + ([f"… {len(lines) - max_lines} more line(s)"] if len(lines) > max_lines else [])
                out += ["", "  <details><summary>text changes</summary>", "", "  ```diff"]
                out += [f"  {_fence_safe(ln)}" for ln in shown]
                out += ["  ```", "", "  </details>", ""]
    if any(d.downloads.values()):
        out += ["", "### Downloads", ""]
        for state in ("added", "removed", "changed"):
            if d.downloads[state]:
                out.append(f"- {state}: " + ", ".join(f"`{f}`" for f in d.downloads[state]))
    return "\n".join(out) + "\n"


def _counted(lines: list[str]) -> list[str]:
    """Each distinct line once, in order, with '(×N)' when it occurs N times."""
    counts: dict[str, int] = {}
    for ln in lines:
        counts[ln] = counts.get(ln, 0) + 1
    return [f"{ln} (×{n})" if n > 1 else ln for ln, n in counts.items()]


def _changed_lines(old: list[str], new: list[str]) -> list[str]:
    """'-old' / '+new' lines; a long line that changed in one place is cut to that place."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for a, b in zip(old[i1:i2], new[j1:j2]):
                a, b = _around_change(a, b)
                out += [f"-{a}", f"+{b}"]
        else:
            out += [f"-{ln}" for ln in old[i1:i2]] + [f"+{ln}" for ln in new[j1:j2]]
    return out


def _around_change(a: str, b: str, context: int = 60) -> tuple[str, str]:
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    lo = max(0, start - context)

    def cut(s: str) -> str:
        return ("…" if lo else "") + s[lo:len(s) - max(0, end - context)] + ("…" if end > context else "")
    return cut(a), cut(b)


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _fence_safe(line: str) -> str:
    return line.replace("```", "ˋˋˋ")[:400]


# -- every file, for a refactor ---------------------------------------------------------------

_TEXT = {".html", ".json", ".xml", ".bib", ".ris", ".csv", ".md", ".js", ".txt", ".svg", ".css"}
_NORMALISE = [
    (_VOLATILE, "version (this build)"),
    (re.compile(r'"(dateModified|version)": ?"[^"]*"'), r'"\1": "X"'),
    (re.compile(r'<meta name="generator" content="[^"]*">'), '<meta name="generator">'),
    (re.compile(r"<(lastmod|updated)>[^<]*</\1>"), r"<\1/>"),
]


@dataclass
class FileDiff:
    only_base: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    differ: dict[str, list[str]] = field(default_factory=dict)  # file -> its first changed lines
    same: int = 0

    @property
    def empty(self) -> bool:
        return not (self.only_base or self.only_new or self.differ)


def _content(path: Path) -> str | bytes:
    data = path.read_bytes()
    if path.suffix not in _TEXT:
        return data
    text = data.decode("utf-8", "replace")
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def compare_files(base: Path, new: Path) -> FileDiff:
    """Every file of two built sites, Pagefind's index left out."""
    files = [{p.relative_to(site).as_posix() for p in site.rglob("*")
              if p.is_file() and not p.relative_to(site).as_posix().startswith("pagefind")} for site in (base, new)]
    d = FileDiff(sorted(files[0] - files[1]), sorted(files[1] - files[0]))
    for name in sorted(files[0] & files[1]):
        a, b = _content(base / name), _content(new / name)
        if a == b:
            d.same += 1
        elif isinstance(a, str) and isinstance(b, str):
            d.differ[name] = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))[2:30]
        else:
            d.differ[name] = []
    return d


def files_report(d: FileDiff, verbose: bool = False) -> str:
    out = [f"only in base: {name}" for name in d.only_base] + [f"only in new: {name}" for name in d.only_new]
    for name, lines in d.differ.items():
        out.append(f"differs: {name}")
        out += [f"    {line[:240]}" for line in lines] if verbose else []
    out.append(f"{d.same} identical, {len(d.differ)} differ, {len(d.only_base)} only in base, "
               f"{len(d.only_new)} only in new")
    return "\n".join(out) + "\n"
