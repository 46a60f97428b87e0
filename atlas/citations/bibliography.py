"""Citations on a page and the bibliography: a citation group as a page shows it, text
with its [@id] citations made links, each page's reference list, hand-written pages'
citations, "cited by", and the suggested citation of every page.

Functions that render take the page being rendered (render.PageContext, which is a
Citing): its links are relative to it and it remembers what it cited.
"""
from __future__ import annotations

import json
from collections import defaultdict

from .. import paths
from ..corpus import Record
from ..diagnostics import DataError, Problem
from ..paths import BIBLIOGRAPHY
from ..text import Md, escape_md
from .cite import CITATION, find_in_markdown, keys, reference_anchor, reference_page
from .formats import bibliography_jsonld, ref_label

# -- rendering on a page -------------------------------------------------------------

def group(page, ids) -> str:
    """[12–14, 20, Smith 2021]: numbers sorted and runs of three or more shown as a range,
    each number linking to its bibliography entry (its title shows the reference). The
    numbers inside a range are linked from the page's reference list and its preview."""
    if isinstance(ids, str):
        ids = [ids]
    refs: dict[str, Record] = {}
    for rid in ids or []:
        rid = rid["ref"] if isinstance(rid, dict) else rid
        ref = page.renderer.corpus.get("reference", rid)
        if ref is None:  # validation reports it; a build never gets here with bad data
            raise KeyError(rid)
        refs.setdefault(ref.id, ref)
    if not refs:
        return ""
    ordered = sorted(refs.values(), key=lambda x: (0, x["number"], "") if x.get("number")
                     else (1, 0, ref_label(x).lower()))
    for ref in ordered:
        page.note_cited(ref)
    parts = []
    for run in _runs(ordered):
        if len(run) >= 3:
            parts.append(f'<span class="cite-range">{_link(page, run[0])}–{_link(page, run[-1])}</span>')
        else:
            parts.extend(_link(page, ref) for ref in run)
    return f"<span class=\"cite\">\\[{', '.join(parts)}\\]</span>"


def _link(page, ref: Record) -> str:
    title = page.renderer.title_attr(ref)
    return f'[{escape_md(ref_label(ref))}]({page.url(*ref.kind.location(ref))} "{title}")'


def _runs(refs: list[Record]) -> list[list[Record]]:
    """Consecutive reference numbers grouped: 12, 13, 14, 20 -> [12, 13, 14], [20]."""
    runs: list[list[Record]] = []
    for ref in refs:
        n = ref.get("number")
        if runs and n and runs[-1][-1].get("number") == n - 1:
            runs[-1].append(ref)
        else:
            runs.append([ref])
    return runs


def page_references(page) -> str:
    """The page's references, in order of first citation, linking to the bibliography."""
    if not page.cited:
        return ""
    # kept out of the search index: each entry is indexed once, on the bibliography
    lines = ["", "## References on this page {#page-references}", "", "<div data-search-exclude markdown>", ""]
    for ref in page.cited:
        lines.append(f"- [\\[{escape_md(ref_label(ref))}\\]]({page.url(*ref.kind.location(ref))}) "
                     f"{page.renderer.formatted_reference(ref)}")
    stem = paths.exports_stem(page.path)
    lines += ["", "Download these references for a reference manager: "
              f"[BibTeX]({page.url(stem + '.bib')}) · [RIS]({page.url(stem + '.ris')}) · "
              f"[CSL-JSON]({page.url(stem + '.json')})", "", "</div>"]
    return "\n".join(lines) + "\n"


def in_markdown(page, markdown: str) -> str:
    """A hand-written page with its [@id] citations made links and its reference list added."""
    out, last = [], 0
    for line, col, found, (start, end) in find_in_markdown(markdown):
        unknown = [k for k in found if page.renderer.corpus.get("reference", k) is None]
        if unknown:  # validation reports these first; this guards pages added after it ran
            raise DataError([Problem(paths.doc_file(page.path), line, col, "ref-unresolved",
                                     f"cites [@{unknown[0]}], but there is no reference with that id")])
        out.append(markdown[last:start])
        out.append(page.cite(found))
        last = end
    out.append(markdown[last:])
    return "".join(out).rstrip() + "\n" + page.references_footer()


def cited_by(cited_on: dict[str, list[str]], doc_citations: dict[str, list[str]]) -> dict[str, list[str]]:
    """Reference id -> the pages that cite it: generated pages, then hand-written ones."""
    out: dict[str, list[str]] = defaultdict(list)
    for path, refs in sorted(cited_on.items()):
        for ref in refs:
            out[ref].append(path)
    for path, cited in sorted(doc_citations.items()):
        for key in cited:
            if path not in out[key]:
                out[key].append(path)
    return out


class Citing:
    """What a page being rendered (render.PageContext) does with citations: it cites,
    remembers what it cited, makes [@id] citations in text links and lists its references.
    Needs .renderer (its corpus and formatted references), .url() and .cited/._cited_ids."""

    def cite(self, ids) -> Md:
        """[12, 13] with each number linking to its bibliography entry; title shows the reference."""
        return Md(group(self, ids))

    def note_cited(self, ref: Record) -> None:
        if ref.id not in self._cited_ids:
            self._cited_ids.add(ref.id)
            self.cited.append(ref)

    def text(self, value) -> Md:
        """Untrusted text -> safe Markdown, with [@id] citations made links."""
        if value is None:
            return Md()
        value = str(value)
        out, last = [], 0
        for m in CITATION.finditer(value):
            out.append(escape_md(value[last:m.start()]))
            out.append(self.cite(keys(m.group(1))))
            last = m.end()
        out.append(escape_md(value[last:]))
        return Md("".join(p for p in out).strip())

    def cited_text(self, value, ids) -> Md:
        """A summary and its record's citations, each reference cited once: those the
        text already cites inline ([@id]) are not repeated after it."""
        inline = {k for m in CITATION.finditer(str(value or "")) for k in keys(m.group(1))}
        rest = [i for i in ids or [] if (i["ref"] if isinstance(i, dict) else i) not in inline]
        return Md(" ".join(p for p in (self.text(value), self.cite(rest)) if p))

    ref_label = staticmethod(ref_label)  # bibliography: a reference's label
    ref_anchor = staticmethod(reference_anchor)  # bibliography: a reference's anchor

    def references_footer(self) -> str:
        """The page's references, in order of first citation, linking to the bibliography."""
        return page_references(self)


def render_bibliography(r, titles: dict[str, str], shown: int) -> None:
    """bibliography.md, and a page for each further block of numbers (paths.bibliography_page),
    each reference with the pages citing it (titles: page path -> title; the first `shown`
    of them listed)."""
    parts: dict[str, list[Record]] = {BIBLIOGRAPHY: []}
    for ref in r.corpus.references_by_number:
        parts.setdefault(reference_page(ref), []).append(ref)
    more = [(path, refs[0]["number"], refs[-1]["number"]) for path, refs in parts.items() if path != BIBLIOGRAPHY]
    for path, refs in parts.items():
        first = path == BIBLIOGRAPHY
        # only what this page shows: under serve each page's inputs are compared (incremental.py)
        cited_by = {ref.id: r.output.cited_by[ref.id] for ref in refs if ref.id in r.output.cited_by}
        shown_titles = {p: titles[p] for pages in cited_by.values() for p in pages[:shown] if p in titles}
        r.render(path, "bibliography.md.j2", references=refs, cited_by=cited_by, page_titles=shown_titles,
                 shown=shown,
                 more=more if first else [], numbers=None if first else (refs[0]["number"], refs[-1]["number"]),
                 jsonld=bibliography_jsonld(refs))


def reference_downloads(r, doc_citations: dict[str, list[str]]) -> dict[str, str]:
    """The reference-manager files of the whole bibliography and of each hand-written page
    (doc_citations: page path -> the ids it cites); generated pages get theirs as they render."""
    corpus = r.corpus
    out = dict(r.reference_files(corpus.references_by_number, paths.exports_stem(BIBLIOGRAPHY)))
    for path, cited in doc_citations.items():
        refs = [corpus.get("reference", k) for k in dict.fromkeys(cited)]
        out.update(r.reference_files([x for x in refs if x], paths.exports_stem(path)))
    return out


# -- every page's suggested citation ----------------------------------------------------

def cite_this_page(b, markdown: str, page_path: str, title: str | None) -> str:
    """A suggested citation with the content's version and date (b: build.Build). The title is plain text
    (front matter) or, failing that, the page's first heading, already Markdown."""
    title = title or _front_matter_title(markdown)
    heading = escape_md(title) if title else next(
        (ln[2:].strip() for ln in markdown.splitlines() if ln.startswith("# ")), escape_md(page_path))
    version = escape_md(b.version)
    frozen = getattr(b, "frozen", False)
    released = getattr(b, "released", False)
    live = getattr(b, "live_url", "") or b.site_url
    # the frozen copy of the release: this page's own address in a frozen build; in a live
    # build, the copy under v/<version>/ once the release is tagged (the release workflow built it)
    copy = paths.url(page_path, b.site_url) if frozen else (
        paths.url(page_path, live.rstrip("/") + "/" + paths.frozen_copy(b.version)) if released and live else "")
    cited = copy or paths.url(page_path, b.site_url)
    text = (f"    T1D stem-cell evidence atlas contributors. {heading}. In: *T1D stem-cell evidence "
            f"atlas*, release {version}{f' (commit {b.commit})' if b.commit and not frozen else ''}, {b.date}. "
            f"{cited}\n")
    if copy and not frozen:
        text += (f"\n    This citation points at the frozen copy of release {version}, which will not change; "
                 f"[the live page]({paths.url(page_path, b.site_url)}) may have changed since.\n")
    elif frozen and live:
        text += (f"\n    This is the frozen copy of release {version}. "
                 f"[The live page]({paths.url(page_path, live)}) may have changed since.\n")
    elif not frozen:
        text += (f"\n    Release {version} has no frozen copy yet, so this citation points at the live page, "
                 "which may change.\n")
    return "<div data-search-exclude markdown>\n\n!!! quote \"Cite this page\"\n" + text + "\n</div>\n"


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
