"""From a project folder to pages: what the MkDocs hook and the `pages` command share."""
from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import __version__ as atlas_version
from . import citations
from .corpus import Corpus
from .search import add_search
from .diagnostics import DataError, Problem
from .gcpause import paused
from .render import PageContext, Renderer, Site, generate
from .text import escape_md
from .validate import validate

_ABBR_TERM = re.compile(r"^[\w\-/+.]+$")


@dataclass
class Build:
    root: Path
    corpus: Corpus
    site: Site
    renderer: Renderer  # the one that rendered the pages, reused for citations in hand-written pages
    version: str = atlas_version
    date: str = ""  # of the content: the last commit's date, else today
    site_url: str = ""
    abbreviations: str = ""  # abbr definitions appended to every page, made once per build


def content_version(root: Path) -> tuple[str, str]:
    """(version, date) for citations: package version + commit, and the commit's date."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=root, capture_output=True, text=True,
                             timeout=10)
        commit, date = out.stdout.split()
        return f"{atlas_version}+{commit}", date
    except (OSError, ValueError, subprocess.SubprocessError):
        return atlas_version, datetime.date.today().isoformat()


def configured_site_url(root: Path) -> str:
    """site_url from mkdocs.yml, for the `pages` command (the hook gets it from MkDocs)."""
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
        return str(config.get("site_url") or "")
    except (OSError, yaml.YAMLError, AttributeError):
        return ""


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (e.g. !ENV, !!python/name)."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def build(root: Path, site_url: str | None = None) -> Build:
    """Validate and render. Raises DataError with every problem if the data is invalid."""
    corpus, problems = validate(root)
    if problems:
        raise DataError(problems)
    doc_citations: dict[str, list[str]] = {}
    for c in corpus.doc_citations:
        doc_citations.setdefault(_docs_page(c.relpath), []).extend(c.keys)
    schemas = {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "schemas").glob("*.json"))}
    renderer = generate(corpus, root / "templates", doc_citations, _doc_titles(root / "docs"), schemas,
                        cache=root / ".cache")
    version, date = content_version(root)
    url = site_url if site_url is not None else configured_site_url(root)
    return Build(root, corpus, renderer.site, renderer, version, date, url, abbreviations(corpus))


def _doc_titles(docs: Path) -> dict[str, str]:
    """Title of each hand-written page: its first '# ' heading, else its file name."""
    titles = {}
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        rel = md.relative_to(docs).as_posix()
        heading = next((ln[2:].strip() for ln in md.read_text(encoding="utf-8").splitlines() if ln.startswith("# ")), None)
        titles[rel] = heading or rel
    return titles


def _docs_page(relpath: str) -> str:
    return relpath.removeprefix("docs/")


def abbreviations(corpus: Corpus) -> str:
    """Markdown abbreviation definitions (abbr extension) for every glossary term."""
    lines = []
    for t in sorted(corpus.all("glossary-term"), key=lambda t: t.id):
        expansion = " ".join(str(t["expansion"]).split())
        for term in [t["term"], *[a for a in t.get("aliases", []) if a.isupper() or any(ch.isdigit() for ch in a)]]:
            if _ABBR_TERM.match(term):
                lines.append(f"*[{term}]: {expansion}")
    return "\n".join(dict.fromkeys(lines))


def process_markdown(b: Build, markdown: str, page_path: str, *, hand_written: bool, title: str | None = None) -> str:
    """Per-page Markdown step: citations in hand-written pages; on every page a
    suggested citation, and the abbreviations that expand on hover."""
    if hand_written:
        markdown = render_citations(b, markdown, page_path)
    markdown = markdown.rstrip() + "\n\n" + cite_this_page(b, markdown, page_path, title)
    return markdown.rstrip() + "\n\n" + b.abbreviations + "\n"


def page_url(b: Build, page_path: str) -> str:
    path = page_path.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index") + "/"
    return (b.site_url.rstrip("/") + "/" + path) if b.site_url else path


def cite_this_page(b: Build, markdown: str, page_path: str, title: str | None) -> str:
    """A suggested citation with the content's version and date. The title is plain text
    (front matter) or, failing that, the page's first heading, already Markdown."""
    title = title or _front_matter_title(markdown)
    heading = escape_md(title) if title else next(
        (ln[2:].strip() for ln in markdown.splitlines() if ln.startswith("# ")), escape_md(page_path))
    return ("<div data-search-exclude markdown>\n\n!!! quote \"Cite this page\"\n"
            f"    T1D stem-cell evidence atlas contributors. {heading}. In: *T1D stem-cell evidence "
            f"atlas*, version {escape_md(b.version)}, {b.date}. {page_url(b, page_path)}\n\n</div>\n")


def _front_matter_title(markdown: str) -> str | None:
    if not markdown.startswith("---\n"):
        return None
    for line in markdown.split("\n---\n", 1)[0].splitlines()[1:]:
        if line.startswith("title: "):
            try:
                return str(json.loads(line[7:]))
            except ValueError:
                return line[7:].strip()
    return None


def render_citations(b: Build, markdown: str, page_path: str) -> str:
    page = PageContext(page_path, b.renderer)
    out, last = [], 0
    for line, col, keys, (start, end) in citations.find_in_markdown(markdown):
        unknown = [k for k in keys if b.corpus.get("reference", k) is None]
        if unknown:  # validation reports these first; this guards pages added after it ran
            raise DataError([Problem(f"docs/{page_path}", line, col, "ref-unresolved",
                                     f"cites [@{unknown[0]}], but there is no reference with that id")])
        out.append(markdown[last:start])
        out.append(page.cite(keys))
        last = end
    out.append(markdown[last:])
    return "".join(out).rstrip() + "\n" + page.references_footer()


@dataclass
class Prepared:
    """Everything MkDocs is handed, final and as plain strings: generated pages and the
    hand-written docs/*.md, citations filled in. It holds no records, so the process that
    builds the HTML stays small: Python's garbage collector scans every live object, and
    at 100x the corpus a build spent seconds doing so (bench/README.md)."""
    pages: dict[str, str]  # page path -> Markdown with its front matter
    assets: dict[str, str | bytes]  # path -> content (charts, downloads, schemas)
    sources: dict[str, str]  # generated page path -> the data file it came from
    hand_written: frozenset[str]  # page paths that are files in docs/


@paused()
def prepare(root: Path, site_url: str | None = None) -> Prepared:
    """build(), then run the per-page Markdown step on every page. Raises DataError."""
    b = build(root, site_url)
    pages, docs = {}, root / "docs"
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        rel = md.relative_to(docs).as_posix()
        if rel in b.site.pages:
            raise DataError([Problem(f"docs/{rel}", 1, 1, "page-conflict",
                                     f"this file would hide the generated page {rel}; rename or delete it")])
        # utf-8-sig: read as MkDocs reads it (a byte-order mark is not content)
        pages[rel] = process_markdown(b, md.read_text(encoding="utf-8-sig"), rel, hand_written=True)
    hand_written = frozenset(pages)
    for rel, md in b.site.pages.items():
        pages[rel] = process_markdown(b, md, rel, hand_written=False)
    assets = dict(b.site.assets)
    add_search(b, pages, assets)
    return Prepared(pages, assets, dict(b.site.sources), hand_written)


def write_pages(root: Path, out: Path) -> int:
    """Write a complete docs folder (generated + hand-written pages, processed) to out.

    MkDocs can build it with no hooks (see mkdocs.yml's comment). The folder is
    replaced only once everything has been written, so a failure leaves the old one.
    """
    prepared = prepare(root)
    out = out.resolve()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent if out.parent.exists() else None))
    try:
        docs = root / "docs"
        files: dict[str, str | bytes | Path] = {
            src.relative_to(docs).as_posix(): src for src in (sorted(docs.rglob("*")) if docs.is_dir() else [])
            if src.is_file() and src.suffix != ".md"}  # images, styles, scripts: copied as they are
        files.update(prepared.pages)
        files.update(prepared.assets)
        for rel, content in files.items():
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, dest)
            else:
                dest.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if out.exists():
            old = out.with_name(out.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, out)
        return len(files)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
