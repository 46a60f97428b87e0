"""Pages from the corpus: {page path: Markdown}. Pure: no file system, no MkDocs.

Each page type is a function that gathers what its template shows (view model) and
renders templates/<name>.md.j2. Templates only lay out; links, citations and
escaping are done by the PageContext methods they call, which tests reach.
"""
from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import jinja2

from . import charts, citations, exports
from .jsonld import encode as jsonld_encode
from .corpus import STAGE_LABELS, Corpus, Record, study_stage
from .text import attr, escape_md, label, number, page_title, quantity

# Where each kind's records are shown: a page of their own, or an anchor on a shared page.
OWN_PAGE = {"therapy-class": "classes", "study": "studies", "trial": "trials", "limitation": "limitations",
            "site": "sites", "product": "products"}
SHARED_PAGE = {"organisation": "organisations.md", "glossary-term": "glossary.md",
               "cell-source": "cell-sources.md", "model": "models.md"}
BIBLIOGRAPHY = "bibliography.md"
# References per bibliography page: the review's 118 fit on the first, and no page of a
# hundred times as many outgrows 1 MB of HTML (bench/RESULTS.md).
BIBLIOGRAPHY_PART = 200


def record_location(r: Record) -> tuple[str, str | None]:
    """(page path, anchor) where a record is shown."""
    if r.kind.name in OWN_PAGE:
        return f"{OWN_PAGE[r.kind.name]}/{r.id}.md", None
    if r.kind.name == "reference":
        return bibliography_page(r), ref_anchor(r)
    return SHARED_PAGE[r.kind.name], r.id


def bibliography_page(ref: Record) -> str:
    """The one rule for where a reference is listed, so that citations, page footers and
    'cited by' follow it: numbers 1-200 and unnumbered references on bibliography.md,
    each further 200 numbers on a page of their own (bibliography/201-400.md, ...).
    A reference's page never changes as the atlas grows."""
    n = ref.get("number")
    if not n or n <= BIBLIOGRAPHY_PART:
        return BIBLIOGRAPHY
    first = (n - 1) // BIBLIOGRAPHY_PART * BIBLIOGRAPHY_PART + 1
    return f"bibliography/{first}-{first + BIBLIOGRAPHY_PART - 1}.md"


def page_exports_stem(page_path: str) -> str:
    """Where a page's own reference files go: references/<page path without .md>."""
    return "references/" + page_path.removesuffix(".md")


def ref_anchor(r: Record) -> str:
    return f"ref-{r.get('number')}" if r.get("number") else f"ref-{r.id}"


def ref_label(r: Record) -> str:
    """What a citation shows: the review's number, or author-year for unnumbered ones."""
    if r.get("number"):
        return str(r["number"])
    return f"{r['authors'][0]['family']} {r['year']}"


@dataclass
class Site:
    """Everything a build produces, before MkDocs sees it."""
    pages: dict[str, str] = field(default_factory=dict)  # path -> Markdown
    assets: dict[str, bytes | str] = field(default_factory=dict)  # path -> content (charts, downloads)
    sources: dict[str, str] = field(default_factory=dict)  # page path -> data file it came from
    templates: dict[str, str] = field(default_factory=dict)  # page path -> template that laid it out
    cited_by: dict[str, list[str]] = field(default_factory=dict)  # reference id -> page paths
    doc_titles: dict[str, str] = field(default_factory=dict)  # hand-written page path -> title


class PageContext:
    """Helpers bound to the page being rendered: relative links, citations, escaping."""

    def __init__(self, path: str, renderer: "Renderer"):
        self.path = path
        self.r = renderer
        self.cited: list[Record] = []  # in order of first citation
        self._cited_ids: set[str] = set()  # membership in O(1): a page may cite thousands

    def url(self, target: str, anchor: str | None = None) -> str:
        if target == self.path and anchor:
            return f"#{anchor}"
        rel = self.r.relpath(target, posixpath.dirname(self.path) or ".")
        return f"{rel}#{anchor}" if anchor else rel

    def href(self, record: Record) -> str:
        page, anchor = record_location(record)
        return self.url(page, anchor)

    def link(self, record: Record | None, text: str | None = None) -> str:
        if record is None:
            return ""
        return f"[{escape_md(text if text is not None else record.title)}]({self.href(record)})"

    def links(self, records, sep: str = ", ") -> str:
        return sep.join(self.link(r) for r in records)

    def ref(self, kind: str, rid: str | None) -> Record | None:
        return self.r.corpus.get(kind, rid) if rid else None

    def refs(self, kind: str, ids) -> list[Record]:
        return [r for r in (self.ref(kind, i) for i in ids or []) if r is not None]

    def cite(self, ids) -> str:
        """[12, 13] with each number linking to its bibliography entry; title shows the reference."""
        if isinstance(ids, str):
            ids = [ids]
        parts = []
        for rid in ids or []:
            rid = rid["ref"] if isinstance(rid, dict) else rid
            ref = self.r.corpus.get("reference", rid)
            if ref is None:  # validation reports it; a build never gets here with bad data
                raise KeyError(rid)
            if ref.id not in self._cited_ids:
                self._cited_ids.add(ref.id)
                self.cited.append(ref)
            title = self.r.title_attr(ref)
            parts.append(f'[{ref_label(ref)}]({self.href(ref)} "{title}")')
        return f"<span class=\"cite\">\\[{', '.join(parts)}\\]</span>" if parts else ""

    def text(self, value) -> str:
        """Untrusted text -> safe Markdown, with [@id] citations made links."""
        if value is None:
            return ""
        value = str(value)
        out, last = [], 0
        for m in citations.CITATION.finditer(value):
            out.append(escape_md(value[last:m.start()]))
            out.append(self.cite(citations.keys(m.group(1))))
            last = m.end()
        out.append(escape_md(value[last:]))
        return "".join(p for p in out).strip()

    # formatting helpers, exposed to templates
    label = staticmethod(label)
    number = staticmethod(number)

    def quantity(self, q) -> str:
        return escape_md(quantity(q))

    def plain(self, value) -> str:
        return escape_md(value) if value is not None else ""

    def stage(self, study: Record) -> str:
        return STAGE_LABELS[study_stage(study)]

    def references_footer(self) -> str:
        """The page's references, in order of first citation, linking to the bibliography."""
        if not self.cited:
            return ""
        # kept out of the search index: each entry is indexed once, on the bibliography
        lines = ["", "## References on this page {#page-references}", "", "<div data-search-exclude markdown>", ""]
        for ref in self.cited:
            lines.append(f"- [\\[{ref_label(ref)}\\]]({self.href(ref)}) "
                         f"{self.r.formatted_reference(ref)}")
        stem = page_exports_stem(self.path)
        lines += ["", "Download these references for a reference manager: "
                  f"[BibTeX]({self.url(stem + '.bib')}) · [RIS]({self.url(stem + '.ris')}) · "
                  f"[CSL-JSON]({self.url(stem + '.json')})", "", "</div>"]
        return "\n".join(lines) + "\n"


class Renderer:
    def __init__(self, corpus: Corpus, templates: Path, cache: Path | None = None):
        self.corpus = corpus
        bytecode = None
        if cache is not None:  # compiled templates, reused by the next build
            try:
                (cache / "jinja").mkdir(parents=True, exist_ok=True)
                bytecode = jinja2.FileSystemBytecodeCache(str(cache / "jinja"))
            except OSError:
                bytecode = None
        self.env = jinja2.Environment(
            bytecode_cache=bytecode,
            loader=jinja2.FileSystemLoader(str(templates)),
            undefined=jinja2.StrictUndefined,  # a typo in a template fails the build
            autoescape=False,  # output is Markdown; escaping is explicit via page.text/plain
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Markdown heading ids look like {#id}: Jinja comments use {## ... ##} instead.
            comment_start_string="{##",
            comment_end_string="##}",
        )
        self.site = Site()
        self.schemas: dict[str, str] = {}  # schema file name -> text, published with the site
        self.reference_files = exports.ReferenceFiles()
        self._relpaths: dict[tuple[str, str], str] = {}
        self.cited_on: dict[str, list[str]] = {}  # page path -> reference ids it cites

    # -- references, formatted once per build --------------------------------------
    @cached_property
    def _short(self) -> dict[str, str]:
        out = {}
        for r in self.corpus.all("reference"):
            first = r["authors"][0]
            who = first["family"] + (" et al." if len(r["authors"]) > 1 or r.get("et_al") else "")
            out[r.id] = f"{who} {r['year']}. {r['title']}. {r.get('journal', '')}".strip()
        return out

    def short_reference(self, ref: Record) -> str:
        return self._short[ref.id]

    @cached_property
    def _titles(self) -> dict[str, str]:
        return {rid: attr(text) for rid, text in self._short.items()}

    def title_attr(self, ref: Record) -> str:
        return self._titles[ref.id]

    def relpath(self, target: str, start: str) -> str:
        """posixpath.relpath, remembered: pages link to the same few folders thousands of times."""
        key = (target, start)
        if key not in self._relpaths:
            self._relpaths[key] = posixpath.relpath(target, start)
        return self._relpaths[key]

    @cached_property
    def _formatted(self) -> dict[str, str]:
        return {r.id: _format_reference(r) for r in self.corpus.all("reference")}

    def formatted_reference(self, ref: Record) -> str:
        return self._formatted[ref.id]

    # -- rendering -----------------------------------------------------------------
    def page(self, path: str, template: str, source: str | None = None, title: str | None = None,
             jsonld: dict | None = None, tags: list[str] | None = None, **context) -> "RenderedPage":
        """Render one page; record pages pass the record's title (made safe for themes) and JSON-LD."""
        page = PageContext(path, self)
        body = self.env.get_template(template).render(page=page, corpus=self.corpus, **context)
        body = body.rstrip() + "\n" + page.references_footer()
        meta = {}
        if title is not None:
            meta["title"] = page_title(title)
        if jsonld is not None:
            meta["jsonld"] = jsonld_encode(jsonld)
        if tags:
            # the search index weighs tags above all else: aliases (codes, synonyms) find the page
            meta["tags"] = [page_title(t) for t in tags]
        if meta:
            # JSON strings are valid YAML scalars: front matter that no data text can break
            body = "---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in meta.items()) + "---\n" + body
        assets = self.reference_files(page.cited, page_exports_stem(path)) if page.cited else {}
        return RenderedPage(path, body, template, source, [r.id for r in page.cited], assets)

    def add(self, rendered: "RenderedPage") -> None:
        self.site.pages[rendered.path] = rendered.body
        self.site.templates[rendered.path] = rendered.template
        if rendered.source:
            self.site.sources[rendered.path] = rendered.source
        self.site.assets.update(rendered.assets)
        self.cited_on[rendered.path] = rendered.cited

    def render(self, path: str, template: str, **kwargs) -> None:
        self.add(self.page(path, template, **kwargs))

    def render_many(self, jobs: list[Callable[[], "RenderedPage"]]) -> None:
        """Pages that do not depend on one another (all but the bibliography)."""
        for job in jobs:
            self.add(job())

    def cited_by(self, doc_citations: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for path, refs in sorted(self.cited_on.items()):
            for ref in refs:
                out[ref].append(path)
        for path, keys in sorted(doc_citations.items()):
            for key in keys:
                if path not in out[key]:
                    out[key].append(path)
        return out


@dataclass
class RenderedPage:
    """One page's output, plain data: it may come back from another process."""
    path: str
    body: str  # Markdown with front matter
    template: str
    source: str | None  # the data file it shows, for "edit this page"
    cited: list[str]  # reference ids, in order of first citation
    assets: dict[str, str]  # files that go with it: its reference files (the data page: the tables)


def _format_reference(r: Record) -> str:
    """One consistent style (Vancouver-like), escaped, with DOI and PubMed links."""
    names = [f"{a['family']} {a.get('given', '')}".strip() for a in r["authors"]]
    if len(names) > 6:
        names = names[:6]
    authors = ", ".join(names) + (", et al" if r.get("et_al") or len(r["authors"]) > 6 else "")
    parts = [escape_md(authors) + ".", escape_md(r["title"].rstrip(".")) + "."]
    where = r.get("journal", "")
    if where:
        parts.append(f"*{escape_md(where)}*.")
    detail = str(r["year"])
    if r.get("volume"):
        detail += f";{r['volume']}"
        if r.get("issue"):
            detail += f"({r['issue']})"
    if r.get("pages"):
        detail += f":{r['pages']}"
    parts.append(escape_md(detail) + ".")
    links = []
    if r.get("doi"):
        links.append(f"[doi:{escape_md(r['doi'])}](https://doi.org/{_url_path(r['doi'])})")
    if r.get("pmid"):
        links.append(f"[PubMed {r['pmid']}](https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/)")
    if r.get("pmcid"):
        links.append(f"[{r['pmcid']}](https://www.ncbi.nlm.nih.gov/pmc/articles/{r['pmcid']}/)")
    if r.get("url") and not r.get("doi"):
        links.append(f"[{escape_md(r['url'])}]({_url_path(r['url'])})")
    return " ".join(parts + links)


def _url_path(value: str) -> str:
    """Escape what would end or break a Markdown link destination; the schema already fixed the syntax."""
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def generate(corpus: Corpus, templates: Path, doc_citations: dict[str, list[str]] | None = None,
             doc_titles: dict[str, str] | None = None, schemas: dict[str, str] | None = None,
             cache: Path | None = None) -> Renderer:
    """Render every generated page; the returned Renderer holds them in .site.

    doc_citations: hand-written page path -> reference ids it cites; doc_titles: their titles.
    """
    from . import pages  # the page functions, one per page type

    r = Renderer(corpus, templates, cache)
    r.site.doc_titles = dict(doc_titles or {})
    r.schemas = dict(schemas or {})
    pages.render_all(r)
    r.site.cited_by = r.cited_by(doc_citations or {})
    pages.render_bibliography(r)
    r.site.assets.update(charts.render_all(corpus, cache / "charts" if cache else None))
    # downloads: the whole bibliography, each hand-written page's references, schemas
    # (the data tables come with the data page)
    r.site.assets.update(r.reference_files(corpus.references_by_number, "references/bibliography"))
    for path, keys in (doc_citations or {}).items():
        refs = [corpus.get("reference", k) for k in dict.fromkeys(keys)]
        r.site.assets.update(r.reference_files([x for x in refs if x], page_exports_stem(path)))
    r.site.assets.update({f"schemas/{name}": text for name, text in r.schemas.items()})
    return r  # its .site is the output; its formatted references serve hand-written pages too

