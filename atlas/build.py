"""From a project folder to pages: what the MkDocs hook and the `pages` command share."""
from __future__ import annotations

import datetime
import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from . import __version__ as atlas_version
from . import abbreviations, caches, history, paths, status, whatsnew
from .citations.bibliography import cite_this_page, in_markdown
from .citations.cite import by_page
from .corpus import Corpus
from .diagnostics import DataError, Problem, errors
from .incremental import ServeMemo
from .pages import LATEST, generate
from .render import Output, PageContext, Renderer, record_location
from .search import add_search
from .text import escape_md
from .validate import validate


@dataclass
class Build:
    root: Path
    corpus: Corpus
    output: Output  # every generated page and file, before the per-page step
    renderer: Renderer  # the one that rendered the pages, reused for citations in hand-written pages
    version: str = atlas_version  # the release, as in CHANGELOG.md
    commit: str = ""  # the content's commit, when built from a clone
    date: str = ""  # of the content: the last commit's date, else today
    site_url: str = ""
    abbreviations: list[tuple[frozenset[str], str]] = ()  # (words of a term, its abbr definition), once per build
    frozen: bool = False  # this build is the frozen copy of release `version` (atlas freeze), at v/<version>/
    released: bool = False  # release `version` is tagged (v<version>), so its frozen copy exists
    live_url: str = ""  # the live site's address (mkdocs.yml's site_url)


def content_version(root: Path) -> tuple[str, str]:
    """(commit, date) for citations: the last commit and its date; outside git, ('', today)."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=root, capture_output=True, text=True,
                             timeout=10)
        commit, date = out.stdout.split()
        return commit, date
    except (OSError, ValueError, subprocess.SubprocessError):
        return "", datetime.date.today().isoformat()


FROZEN_ENV = "ATLAS_FROZEN"  # set by `atlas freeze` for the build of a frozen copy: the release's number
VERSION_PATTERN = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:[.-][0-9A-Za-z]+)*")


def is_tagged(root: Path, version: str) -> bool:
    """Whether the release is tagged v<version> in the clone with code that can freeze it
    (its Makefile has `freeze`), so the release workflow has built its frozen copy
    (.ci/site-with-versions skips older tags). Outside git, or with no tags fetched: no."""
    try:
        out = subprocess.run(["git", "show", f"refs/tags/v{version}:Makefile"], cwd=root, capture_output=True,
                             text=True, timeout=10)
        return out.returncode == 0 and re.search(r"^freeze:", out.stdout, re.M) is not None
    except (OSError, subprocess.SubprocessError):
        return False


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


def render_pages(root: Path, site_url: str | None = None, memo: ServeMemo | None = None) -> Build:
    """Validate and render every page to Markdown, in memory (MkDocs makes the HTML).
    Raises DataError with every problem if the data is invalid. memo: under `make serve`, what the last rebuild parsed and rendered (incremental.py)."""
    corpus, problems = validate(root, memo.parsed if memo is not None else None)
    if errors(problems):
        raise DataError(errors(problems))
    doc_citations = by_page(corpus.doc_citations)
    schemas = {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "schemas").glob("*.json"))}
    changes = history.read(root)
    changelog = root / "CHANGELOG.md"
    try:
        renderer = generate(corpus, root / "templates", doc_citations, _doc_titles(root / "docs"), schemas,
                            cache=caches.cache_dir(root), history=changes,
                            changelog=changelog.read_text(encoding="utf-8-sig") if changelog.is_file() else None, memo=memo)
    except jinja2.TemplateError as e:  # a template edited in a pull request: its file and line
        raise DataError([template_problem(e)]) from None
    commit, date = content_version(root)
    url = site_url if site_url is not None else configured_site_url(root)
    b = Build(root, corpus, renderer.output, renderer, atlas_version, commit, date, url, abbreviations_by_words(corpus))
    b.frozen = os.environ.get(FROZEN_ENV) == atlas_version
    b.live_url = configured_site_url(root) if b.frozen else url
    b.released = b.frozen or is_tagged(root, atlas_version)
    b.output.assets[whatsnew.FEED] = feed(b, changes)
    b.output.assets.update(topic_feeds(b, changes))
    return b


def feed(b: Build, changes: history.History) -> str:
    """The Atom feed of What's new, with absolute links when the site's URL is known."""
    def url_of(item: whatsnew.Item) -> str:
        if item.record is None:
            return paths.url(paths.RECORD_CHANGES, b.site_url)
        path, anchor = record_location(item.record)
        return paths.url(path, b.site_url) + (f"#{anchor}" if anchor else "")

    return whatsnew.atom(whatsnew.items(changes, b.corpus), site_url=paths.url(paths.HOME, b.site_url) or "./",
                         feed_url=(b.site_url.rstrip("/") + "/" if b.site_url else "") + whatsnew.FEED,
                         page_url=url_of, title="T1D stem-cell evidence atlas: what's new",
                         updated=f"{b.date}T00:00:00Z")


def topic_feeds(b: Build, changes: history.History) -> dict[str, str]:
    """A feed per therapy class and per trial, so a reader can follow one topic: its changes and
    those of its studies, without commit messages."""
    every = whatsnew.items(changes, b.corpus)

    def url_of(item: whatsnew.Item) -> str:
        path, anchor = record_location(item.record)
        return paths.url(path, b.site_url) + (f"#{anchor}" if anchor else "")

    out = {}
    for record in [*b.corpus.all("therapy-class"), *b.corpus.all("trial")]:
        path = whatsnew.topic_feed(record)
        page, _ = record_location(record)
        out[path] = whatsnew.atom(whatsnew.topic_items(every, b.corpus, record), site_url=paths.url(page, b.site_url) or "./",
                                  feed_url=(b.site_url.rstrip("/") + "/" if b.site_url else "") + path, page_url=url_of,
                                  title=f"T1D stem-cell evidence atlas: {record.title}",
                                  updated=f"{b.date}T00:00:00Z")
    return out


def template_problem(e: jinja2.TemplateError) -> Problem:
    if isinstance(e, jinja2.TemplateSyntaxError):
        return Problem(f"templates/{e.name or e.filename}", e.lineno or 1, 1, "template-syntax",
                       f"{e.message}; fix the template here")
    if isinstance(e, jinja2.TemplateNotFound):
        return Problem(f"templates/{e.name}", 1, 1, "template-error", "this template is missing")
    # the innermost template frame of the traceback says where the error happened
    tb, where = e.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            where = (Path(name).name, tb.tb_frame.f_lineno)
        tb = tb.tb_next
    path, line = (f"templates/{where[0]}", where[1]) if where else ("templates", 1)
    return Problem(path, line, 1, "template-error", f"{e}; fix the template here")


def _doc_titles(docs: Path) -> dict[str, str]:
    """Title of each hand-written page: its first '# ' heading, else its file name."""
    titles = {}
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        rel = md.relative_to(docs).as_posix()
        heading = next((ln[2:].strip() for ln in md.read_text(encoding="utf-8").splitlines() if ln.startswith("# ")), None)
        titles[rel] = heading or rel
    return titles


def abbreviations_by_words(corpus: Corpus) -> list[tuple[frozenset[str], str]]:
    """Markdown abbreviation definitions (abbr extension) for every glossary term, each
    with the words a page must contain for the term to occur on it."""
    return [(frozenset(_WORD.findall(form)), line)
            for form, line in abbreviations.lines(corpus.all("glossary-term"))]


_WORD = re.compile(r"\w+")


def abbreviations_used(b: Build, markdown: str) -> str:
    """The definitions of the terms that may occur on a page. Python-Markdown's abbr
    extension parses every definition and matches all of them against every text of
    the page; with the glossary's hundred-odd terms on every page that was a third of the
    build (bench/README.md). A term matches only as whole words (\\b...\\b), so a page
    whose words do not include all of a term's words cannot show it; escapes and
    entities are undone first, so no term that the extension would find is left out."""
    words = set(_WORD.findall(html.unescape(markdown)))
    # one definition per block: Python-Markdown re-tests a block after each line it takes
    return "\n\n".join(line for parts, line in b.abbreviations if parts <= words)


# Where a hand-written page (docs/) shows the "Latest evidence" box, on a line of its own
LATEST_EVIDENCE = "<!-- atlas: latest evidence -->"


def process_markdown(b: Build, markdown: str, page_path: str, *, hand_written: bool, title: str | None = None) -> str:
    """Per-page Markdown step: citations in hand-written pages; on every page a
    suggested citation, and the abbreviations that expand on hover."""
    if hand_written:
        if LATEST_EVIDENCE in markdown:  # a hand-written page asks for the newest evidence
            box = PageContext(page_path, b.renderer).latest_evidence(whatsnew.digest(b.corpus)[:LATEST])
            markdown = markdown.replace(LATEST_EVIDENCE, box)
        markdown = in_markdown(PageContext(page_path, b.renderer), markdown)
    if page_path in b.output.moved:  # a former address: its page is the one to cite
        return markdown.rstrip() + "\n"
    if b.frozen:
        markdown = frozen_banner(b, markdown, page_path)
    markdown = markdown.rstrip() + "\n\n" + cite_this_page(b, markdown, page_path, title)
    markdown = markdown.rstrip()
    used = abbreviations_used(b, markdown)
    return markdown + "\n\n" + used + "\n" if used else markdown + "\n"


def frozen_banner(b: Build, markdown: str, page_path: str) -> str:
    """A frozen copy says so under its heading: which release, of when, and where the live page is."""
    live = paths.url(page_path, b.live_url) if b.live_url else ""
    note = (f'!!! info "Release {escape_md(b.version)}, frozen"\n    This page is as it stood in release '
            f"{escape_md(b.version)} of the atlas ({b.date}), and it will not change. "
            + (f"[The live page]({live}) shows the evidence as it is now." if live else "") + "\n")
    lines = markdown.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if at is None:
        return note + "\n" + markdown
    return "\n".join(lines[:at + 1] + ["", note] + lines[at + 1:])


@dataclass
class Prepared:
    """Everything MkDocs is handed, final and as plain strings: generated pages and the
    hand-written docs/*.md, citations filled in. It holds no records, so what MkDocs keeps
    alive while it builds the HTML stays small: Python's garbage collector scans every live
    object, and at 100x the corpus a build spent seconds doing so (bench/README.md)."""
    pages: dict[str, str]  # page path -> Markdown with its front matter
    assets: dict[str, str | bytes]  # path -> content (charts, downloads, schemas)
    sources: dict[str, str]  # generated page path -> the data file it came from
    hand_written: frozenset[str]  # page paths that are files in docs/
    moved: frozenset[str] = frozenset()  # pages at records' former addresses: not in the navigation


def prepare(root: Path, site_url: str | None = None, memo: ServeMemo | None = None) -> Prepared:
    """render_pages(), then run the per-page Markdown step on every page. Raises DataError.
    memo: under `make serve` (the hook passes serving.STATE.memo), what the last rebuild
    made: a generated page whose Markdown is unchanged gets its processed form back, so a
    rebuild pays the per-page step only for the pages an edit changed."""
    b = render_pages(root, site_url, memo)
    pages, docs = {}, root / "docs"
    for md in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        rel = md.relative_to(docs).as_posix()
        if rel in b.output.pages:
            raise DataError([Problem(paths.doc_file(rel), 1, 1, "page-conflict",
                                     f"this file would hide the generated page {rel}; rename or delete it")])
        # utf-8-sig: read as MkDocs reads it (a byte-order mark is not content)
        # generated sections first (<!-- atlas:NAME --> on a line), then issue 23's inline facts
        text = expand_includes(b, md.read_text(encoding="utf-8-sig"), rel)
        text, problems = status.expand(b.renderer.corpus, text, f"docs/{rel}")
        if problems:
            raise DataError(problems)
        pages[rel] = process_markdown(b, text, rel, hand_written=True)
    hand_written = frozenset(pages)
    # emptied if anything the step adds besides the page itself has changed
    kept = memo.processed_pages((b.version, b.date, b.site_url, b.frozen, b.released, tuple(line for _, line in b.abbreviations))) \
        if memo is not None else None
    for rel, md in b.output.pages.items():
        hit = kept.get(rel) if kept is not None else None
        if hit is not None and hit[0] == md:  # unchanged since the last rebuild under serve
            pages[rel] = hit[1]
            continue
        pages[rel] = process_markdown(b, md, rel, hand_written=False)
        if kept is not None:
            kept[rel] = (md, pages[rel])
    assets = dict(b.output.assets)
    add_search(b, pages, assets)
    return Prepared(pages, assets, dict(b.output.sources), hand_written, frozenset(b.output.moved))


# A generated section on a line of its own: <!-- atlas:NAME --> (the directive form of
# issue 23's inline facts, atlas/status.py, where those are known; a section is a block).
_INCLUDE = re.compile(r"^<!--\s*atlas:([a-z0-9-]+)\s*-->[ \t]*$", re.M)


def _other_directives() -> set[str]:
    try:
        from .status import DIRECTIVES  # issue 23's inline facts, expanded after the sections
    except ImportError:
        return set()
    return set(DIRECTIVES)


def expand_includes(b: Build, markdown: str, page_path: str) -> str:
    """A hand-written page's generated sections (pages.INCLUDES), each in place of its
    `<!-- atlas:NAME -->` line. Raises DataError for a name that is nothing known."""
    from .pages import INCLUDES

    def one(m: re.Match) -> str:
        name = m.group(1)
        if name not in INCLUDES:
            if name in _other_directives():
                return m.group(0)
            line = markdown.count("\n", 0, m.start()) + 1
            raise DataError([Problem(f"docs/{page_path}", line, 1, "unknown-include",
                                     f"no generated section called '{name}'; known: {', '.join(sorted(INCLUDES))}")])
        try:
            return INCLUDES[name](b.renderer, page_path).strip()
        except jinja2.TemplateError as e:
            raise DataError([template_problem(e)]) from None
    return _INCLUDE.sub(one, markdown)


def write_pages(root: Path, out: Path) -> int:
    """Write a complete docs folder (generated + hand-written pages, processed) to out.

    MkDocs can build it with no hooks (see mkdocs.yml's comment). The folder is
    replaced only once everything has been written, so a failure leaves the old one.
    """
    from . import outdir
    out = outdir.check(root, out)  # before any work: the project and its sources are refused
    prepared = prepare(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))  # beside out: one rename
    try:
        outdir.mark(tmp)
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
        outdir.replace(root, out, tmp)
        return len(files)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
