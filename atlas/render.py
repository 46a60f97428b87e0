"""Templates to Markdown: the renderer and the page context. Pure: no file system, no MkDocs.

pages.py gathers what each template shows (view model); the Renderer lays it out with
templates/<name>.md.j2 and collects the output. Templates only lay out: the records they
link come resolved from the view (Corpus.named: a record's x-ref fields), never looked up by
id; links, citations and escaping are done by the PageContext methods they call, which
tests reach.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2
import jinja2.bccache

from . import certainty, findings, paths, status, trials, urls, whatsnew
from .citations.bibliography import Citing, cited_by
from .citations.formats import ReferenceFiles, References, ref_label
from .corpus import STAGE_LABELS, Corpus, Record, harms, study_stage, treated, unreported
from .history import History
from .incremental import ServeMemo
from .jsonld import encode as jsonld_encode
from .kinds import KINDS
from .text import (
    CERTAINTY_MEANING,
    CERTAINTY_SYMBOLS,
    Md,
    attr,
    escape_md,
    label,
    number,
    page_title,
    population,
    quantity,
    safe,
    sentence_case,
)


def record_location(record: Record) -> tuple[str, str | None]:
    """(page path, anchor) where a record is shown: its Kind says (kinds.py)."""
    return record.kind.location(record)


@dataclass
class Output:
    """Everything a build produces, before MkDocs sees it."""
    pages: dict[str, str] = field(default_factory=dict)  # path -> Markdown
    assets: dict[str, bytes | str] = field(default_factory=dict)  # path -> content (charts, downloads)
    sources: dict[str, str] = field(default_factory=dict)  # page path -> data file it came from
    templates: dict[str, str] = field(default_factory=dict)  # page path -> template that laid it out
    cited_by: dict[str, list[str]] = field(default_factory=dict)  # reference id -> page paths
    doc_titles: dict[str, str] = field(default_factory=dict)  # hand-written page path -> title
    # a record's former address (kinds.Kind.former_pages) -> its page now: pages kept so that old
    # links and citations still arrive, out of the navigation, search and "cite this page"
    moved: dict[str, str] = field(default_factory=dict)




class PageContext(Citing):
    """Helpers bound to the page being rendered: relative links, citations (Citing), escaping."""

    def __init__(self, path: str, renderer: Renderer):
        self.path = path
        self.renderer = renderer
        self.cited: list[Record] = []  # in order of first citation
        self._cited_ids: set[str] = set()  # membership in O(1): a page may cite thousands

    @property
    def r(self) -> Renderer:  # the name templates use
        return self.renderer

    def url(self, target: str, anchor: str | None = None) -> Md:
        if target == self.path and anchor:
            return Md(f"#{anchor}")
        rel = self.renderer.relpath(target, posixpath.dirname(self.path) or ".")
        return Md(f"{rel}#{anchor}" if anchor else rel)

    def href(self, record: Record) -> Md:
        page, anchor = record_location(record)
        return self.url(page, anchor)

    def link(self, record: Record | None, text: str | None = None) -> Md:
        if record is None:
            return Md()
        return Md(f"[{escape_md(text if text is not None else record.title)}]({self.href(record)})")

    def links(self, records, sep: str = ", ", shown: int | None = None) -> Md:
        """Links to records; past `shown` of them, the first and how many more."""
        records = list(records)
        more = f" and {len(records) - shown} more" if shown is not None and len(records) > shown else ""
        return Md(escape_md(sep).join(self.link(rec) for rec in records[:shown]) + more)

    # formatting helpers, exposed to templates
    label = staticmethod(label)
    number = staticmethod(number)

    def quantity(self, q) -> Md:
        return Md(escape_md(quantity(q)))

    def long_date(self, iso) -> str:
        """A date as the site writes it everywhere on a page: '3 December 2026' (escaped on output)."""
        return whatsnew.long_date(iso) if isinstance(iso, str) else iso

    def measured(self, outcome) -> Md:
        """An outcome's value with its unit, then the comparison: '50% vs 20'."""
        if outcome.get("value") is None:  # a count or an estimate instead: '10 of 12', 'mean difference −0.87 (95% CI …)'
            return Md(escape_md(findings.figures_text(outcome)))
        out = quantity({"value": outcome["value"], "unit": outcome.get("unit", "")})
        if outcome.get("comparison_value") is not None:
            out += f" vs {number(outcome['comparison_value'])}"
        return Md(escape_md(out))

    def trial_url(self, trial: Record) -> Md:
        """The trial's record on its registry, from its valid identifier."""
        return Md(urls.link_path(urls.registry_record(trial["registry"], trials.identifier(trial))))

    def backlinks(self, record: Record) -> Md:
        """Links to the records that name this one in a field their schema marks x-ref, of each
        kind whose links this record's kind does not lay out by hand (Kind.backlinks_by_hand):
        one line per kind, 'Guidelines: [WHO 2024](...).'. Own pages get it after their text."""
        target, lines = record.kind, []
        for k in KINDS:
            if target.lists_backlinks_from(k.name):
                found = self.renderer.corpus.referrers(k.name, target.name).get(record.id)
                if found:
                    lines.append(f"{escape_md(k.title_plural)}: {self.links(found)}.")
        return Md("\n\n".join(lines))

    def aliases(self, record: Record) -> Md:
        """A record's other names, as every page lists them."""
        return Md(", ".join(escape_md(a) for a in record.get("aliases", [])))

    def correction(self, c: dict) -> Md:
        """What the review printed, the correction when certain, and the note: said one way everywhere."""
        printed = f"the review printed «{escape_md(c['printed'])}»"
        fixed = f"; corrected to «{escape_md(c['corrected'])}»" if c.get("corrected") else "; kept as printed, not corrected"
        return Md(f"{printed}{fixed}. {self.text(c.get('note'))}".rstrip())

    def described(self, value) -> Md:
        """A schema's description: plain text whose `backticked` parts are shown as code
        (the citation syntax, field names), so they read as syntax, not as a broken page."""
        parts = str(value or "").split("`")
        if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
            return safe(value)
        return Md("".join(self.code(p) if i % 2 else escape_md(p) for i, p in enumerate(parts)))

    def code(self, value) -> Md:
        """Text shown as code, exactly (Markdown leaves a code span's contents alone)."""
        text = " ".join(str(value).split())
        fence = "``" if "`" in text else "`"
        return Md(f"{fence} {text} {fence}" if fence == "``" else f"`{text}`")

    def finding(self, o: dict, value_col: bool, time_col: bool) -> Md:
        """An outcome's finding with its note inside the sentence: 'C-peptide rose (at 1 year).',
        not 'C-peptide rose. (at 1 year)'."""
        text, note = str(o.get("finding") or "").rstrip(), self.outcome_note(o, value_col, time_col)
        if note and text.endswith(".") and not text.endswith(".."):
            return Md(self.text(text[:-1]) + note + ".")
        return Md(self.text(text) + note)

    def noted(self, finding, effect: str = "", source: str = "") -> Md:
        """A finding with its effect (bold) and a source type other than a paper in one
        parenthesis inside the sentence: 'Insulin use fell (**50% vs 20 at 1 year**; company
        announcement).' The summary of findings' cells."""
        parts = [f"**{escape_md(effect)}**"] if effect else []
        if source:
            parts.append(escape_md(source))
        text = str(finding or "").rstrip()
        note = f" ({'; '.join(parts)})" if parts else ""
        if note and text.endswith(".") and not text.endswith(".."):
            return Md(self.text(text[:-1]) + note + ".")
        return Md(self.text(text) + note)

    def outcome_note(self, o: dict, value_col: bool, time_col: bool) -> Md:
        """What an outcome row says after its finding when the table has no Value or Timepoint
        column (most rows lack them): ' (50% vs 20; at 4 weeks)'."""
        extra = []
        if not value_col and self.measured(o):
            extra.append(self.measured(o))
        if not time_col and o.get("timepoint"):
            extra.append("at " + self.quantity(o["timepoint"]))
        return Md(f" ({'; '.join(extra)})") if extra else Md()

    def population(self, study: Record) -> Md:
        """'15 participants', 'Nude mice': where a study gives no enrolment but every arm its
        size, the arms' sum; never a bare 'People' where a count belongs."""
        enrolled = study.get("enrolled")
        arms = study.get("arms") or []
        if not enrolled and arms and all(a.get("n") for a in arms):
            enrolled = sum(a["n"] for a in arms)
        return Md(escape_md(population(study.get("population"), enrolled)))

    # What a facts box says where it has nothing to show, one form each: a fact the source does
    # not give, and links to records the atlas does not hold (never a bare dash).
    NOT_STATED = "Not stated"
    NONE_LISTED = "None in the atlas"

    @staticmethod
    def date(value) -> Md:
        """'2026-11-25' -> '25 November 2026', the one way the site writes a date; a year or
        month alone stays as it is."""
        return Md(escape_md(whatsnew.long_date(str(value)))) if value else Md()

    def latest_evidence(self, items: list) -> Md:
        """The "Latest evidence" box (home and living-with pages): the newest lines of What's new."""
        if not items:
            return Md()
        lines = ['!!! info "Latest evidence"', ""]
        for it in items:
            lines.append(f"    - **{self.date(it.date)}** · {whatsnew.NEWS_LABELS[it.what]}: {self.text(it.summary)} "
                         f"({self.link(it.record)})")
        lines += ["", f"    [Everything new in the atlas]({self.url(paths.WHATS_NEW)})", ""]
        return Md("\n".join(lines))

    @staticmethod
    def topic_feed(record: Record) -> str:
        """The site path of a class's or trial's own feed."""
        return whatsnew.topic_feed(record)

    def sentence(self, value) -> Md:
        """A value shown on its own (a facts box cell): escaped, its first letter a capital
        ('portal vein infusion' -> 'Portal vein infusion'; 'hESC-derived' stays as written)."""
        if isinstance(value, bool):
            return Md("Yes" if value else "No")
        return Md(escape_md(sentence_case(value))) if value is not None else Md()

    def short_label(self, study: Record) -> str:
        """'Gabr 2013': a study named by the first author of its first report, where a
        table repeats it on many rows; its full title is on its page."""
        cites = study.get("citations") or []
        first = next((c for c in cites if c.get("role") == "primary-report"), cites[0] if cites else None)
        ref = self.renderer.corpus.get("reference", first["ref"]) if first else None
        if ref is None or not ref.get("authors"):
            return study.title
        if study.get("design") == "announced-trial-results":
            return self._announced_label(study, ref)
        return f"{ref['authors'][0]['family']} {study.get('year') or ref['year']}"

    def _announced_label(self, study: Record, ref: Record) -> str:
        """Results announced, not published: who announced them and where the atlas read it,
        'Vertex Pharmaceuticals announcement, via Ghoneim 2024', never the review's author as if
        the review were the study ('Ghoneim 2024')."""
        corpus = self.renderer.corpus
        org = corpus.get("organisation", study.get("sponsor") or "")
        product = corpus.get("product", (study.get("intervention") or {}).get("product") or "")
        if org is None and product is not None and product.get("organisations"):
            org = corpus.get("organisation", product["organisations"][0])
        who = org.get("short_name") or org.title if org is not None else ref["authors"][0]["family"]
        who = who.removesuffix(" Incorporated").removesuffix(" Inc.")
        types = [o.get("source_type") for o in study.get("outcomes") or [] if o.get("source_type")]
        kind = max(set(types), key=types.count) if types else "company-announcement"
        said = f"{who} announcement" if kind == "company-announcement" else f"{who}, {label(kind)[:1].lower()}{label(kind)[1:]}"
        if ref.get("source_type") == kind or ref["authors"][0]["family"] == who:  # read in the announcement itself
            return f"{said} {study.get('year') or ref['year']}"
        return f"{said}, via {'reference ' if ref.get('number') else ''}{ref_label(ref)}"

    @staticmethod
    def mostly(rows, value=None) -> bool:
        """Whether a column carries data for most rows (value(row) for each, else the rows
        themselves): sparse columns are left out of tables."""
        values = [value(x) for x in rows] if value else list(rows)
        return sum(1 for v in values if v not in (None, "", [], {})) * 2 > len(values)

    @staticmethod
    def gap_size(n: int) -> int:
        """Bubble size class of an evidence-gap map cell: 1, 2-3, 4-7, 8 or more studies."""
        return 1 if n < 2 else 2 if n < 4 else 3 if n < 8 else 4

    def gap_title(self, n: int, stage: str, k: Record, lim: Record) -> Md:
        study = "study" if n == 1 else "studies"
        return Md(attr(f"{n} {stage.lower()} {study} of {k.get('short_name') or k.title} "
                       f"{'shows' if n == 1 else 'show'}: {lim.title}"))

    @staticmethod
    def labels(values) -> str:
        return ", ".join(label(v) for v in values or [])

    @staticmethod
    def protection(values) -> str:
        """How a class's graft is protected: 'none' reads 'no protection', not a bare 'None'
        that looks like a missing value."""
        return ", ".join("No protection" if v == "none" else label(v) for v in values or [])

    def stage(self, study: Record) -> str:
        return STAGE_LABELS[study_stage(study)]

    # facts for readers outside research (templates/_reader.md.j2)
    treated = staticmethod(treated)
    harms = staticmethod(harms)
    unreported = staticmethod(unreported)

    def doc_url(self, doc: str) -> Md | None:
        """The address of a hand-written page in docs/, or None when the project has none."""
        return self.url(doc) if doc in self.renderer.output.doc_titles else None

    # status facts computed from the data (atlas/status.py), never retyped in prose
    def class_status(self, k) -> Md:
        return self.text(status.class_status_line(self.renderer.corpus, k))

    def study_reported(self, s) -> Md:
        return self.text(status.study_reported_line(self.renderer.corpus, s))

    def product_approval(self, p) -> Md:
        return self.text(status.product_approval_line(self.renderer.corpus, p))

    @staticmethod
    def certainty_level(k) -> str:
        return certainty.level(k["certainty"])

    @staticmethod
    def certainty_domains(k) -> list[tuple[str, str, str]]:
        """(domain label, judgement label, reason) per GRADE domain, in GRADE's order."""
        ds = k["certainty"]["domains"]
        return [(certainty.DOMAIN_LABELS[d], certainty.JUDGEMENT_LABELS[ds[d]["judgement"]], ds[d]["reason"])
                for d in certainty.DOMAINS]

    @staticmethod
    def domain_label(domain: str) -> str:
        return certainty.DOMAIN_LABELS[domain]

    @staticmethod
    def judgement_label(judgement: str) -> str:
        return certainty.JUDGEMENT_LABELS[judgement]

    @staticmethod
    def certainty_meaning(level: str) -> str:
        return CERTAINTY_MEANING[level]

    @staticmethod
    def certainty_symbols(level: str) -> str:
        return CERTAINTY_SYMBOLS[level]



_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def yaml_string(value: str) -> str:
    """A double-quoted scalar that YAML reads back as value, whatever it holds. JSON's
    escapes are YAML's, except a character outside the Basic Multilingual Plane (𝛽, an
    emoji), which JSON writes as a surrogate pair YAML refuses: it becomes \\UXXXXXXXX.
    Without this, the page's front matter failed to parse and the page showed it raw."""
    def joined(m: re.Match) -> str:
        high, low = int(m.group(1), 16), int(m.group(2), 16)
        return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"
    return _SURROGATE_PAIR.sub(joined, json.dumps(value))


def _front_matter_value(value) -> str:
    """A front matter value: a string as yaml_string(); a mapping ({"exclude": true}) as JSON,
    which YAML reads as a flow mapping."""
    return yaml_string(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=True)


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates in the per-user cache folder (atlas/caches.py), each
    file sealed with the user's secret: compiled code is never read from the work tree,
    nor from any file whose seal does not hold."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .caches import read_sealed
        data = read_sealed(self._path(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .caches import write_sealed
        write_sealed(self._path(bucket), bucket.bytecode_to_string())


class RendererTemplates(jinja2.BytecodeCache):
    """The renderer's compiled templates: in this process's memory, by template name and the
    checksum of its source (the same source compiles to the same code whatever the project's
    folder: the test suite renders hundreds of small projects, `make serve` rebuilds), then
    in the sealed per-user cache when there is one. Code made in this process, never read
    from a file unsealed."""

    _memory: dict[tuple[str, str], object] = {}  # (name, source checksum) -> code; the options are always Renderer's

    def __init__(self, disk: SealedBytecodeCache | None):
        self.disk = disk

    def get_bucket(self, environment, name, filename, source):
        checksum = self.get_source_checksum(source)
        bucket = jinja2.bccache.Bucket(environment, self.get_cache_key(name, filename), checksum)
        bucket.atlas_name = name
        bucket.code = self._memory.get((name, checksum))
        if bucket.code is None and self.disk is not None:
            self.disk.load_bytecode(bucket)
            if bucket.code is not None:
                self._memory[(name, checksum)] = bucket.code
        return bucket

    def set_bucket(self, bucket) -> None:
        self._memory[(bucket.atlas_name, bucket.checksum)] = bucket.code
        if self.disk is not None:
            self.disk.dump_bytecode(bucket)


def compiled_templates(cache: Path | None) -> jinja2.BytecodeCache | None:
    """Where Jinja keeps compiled templates for the next build (ours and, through the
    hook, the theme's): keyed by each template's file and checked against its source,
    sealed, outside the work tree."""
    if cache is None:
        return None
    return SealedBytecodeCache(cache / "jinja")


class _Environment(jinja2.Environment):
    """Jinja, refusing what it would silently drop: in a template that extends another, text
    outside the blocks is never shown (a line added at the end of study.md.j2, say)."""

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        extends = next((i for i, node in enumerate(tree.body) if isinstance(node, jinja2.nodes.Extends)), None)
        if extends is not None:
            for node in tree.body[extends + 1:]:
                if isinstance(node, jinja2.nodes.Output) and any(
                        not isinstance(x, jinja2.nodes.TemplateData) or x.data.strip() for x in node.nodes):
                    raise jinja2.TemplateSyntaxError(
                        "this template extends another, so what it prints outside a block is never shown; "
                        "move it inside a block ({% block body %} ... {% endblock %})", node.lineno, name, filename)
        return tree


class Renderer:
    def __init__(self, corpus: Corpus, templates: Path, cache: Path | None = None, memo: ServeMemo | None = None):
        self.corpus = corpus
        self.memo = memo  # under `make serve`: what the last rebuild rendered (incremental.py)
        self.env = _Environment(
            bytecode_cache=RendererTemplates(compiled_templates(cache)),
            loader=jinja2.FileSystemLoader(str(templates)),
            undefined=jinja2.StrictUndefined,  # a typo in a template fails the build
            # Output is Markdown. What a template prints is escaped (text.safe) unless it is
            # Markdown we built (text.Md: page.text, page.link, page.cite ...).
            autoescape=True,
            finalize=safe,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Markdown heading ids look like {#id}: Jinja comments use {## ... ##} instead.
            comment_start_string="{##",
            comment_end_string="##}",
        )
        self.output = Output()
        self.schemas: dict[str, str] = {}  # schema file name -> text, published with the site
        self.references = References(corpus)
        self.reference_files = ReferenceFiles()
        self._relpaths: dict[tuple[str, str], str] = {}
        self.cited_on: dict[str, list[str]] = {}  # page path -> reference ids it cites
        self.history = History(available=False)  # of data/, for "last changed" and What's new
        self.changelog: str | None = None  # CHANGELOG.md (maintainers' Markdown), the release notes page

    # -- references, formatted once per build (citations.formats.References) --------------
    def short_reference(self, ref: Record) -> str:
        return self.references.short(ref)

    def title_attr(self, ref: Record) -> str:
        return self.references.title_attr(ref)

    def relpath(self, target: str, start: str) -> str:
        """posixpath.relpath, remembered: pages link to the same few folders thousands of times."""
        key = (target, start)
        if key not in self._relpaths:
            self._relpaths[key] = posixpath.relpath(target, start)
        return self._relpaths[key]

    def formatted_reference(self, ref: Record) -> Md:
        return Md(self.references.formatted(ref))

    # -- rendering -----------------------------------------------------------------
    def page(self, path: str, template: str, source: str | None = None, title: str | None = None,
             jsonld: dict | None = None, front_matter: dict | None = None, **context) -> RenderedPage:
        """Render one page; record pages pass the record's title (made safe for themes) and JSON-LD;
        front_matter: further keys for the theme (a moved page's template and new address)."""
        if self.memo is None:
            return self._page(path, template, source, title, jsonld, context, front_matter)
        # under serve: the page as the last rebuild made it, if nothing it is made from changed
        key = self.memo.page_key(template, source, title, jsonld, front_matter, context)
        kept = self.memo.kept(path, key, self.corpus)
        if kept is not None:
            return kept
        with self.memo.reading() as reads:
            rendered = self._page(path, template, source, title, jsonld, context, front_matter)
        self.memo.keep(path, key, reads, rendered)
        return rendered

    def _page(self, path: str, template: str, source: str | None, title: str | None, jsonld: dict | None,
              context: dict, front_matter: dict | None = None) -> RenderedPage:
        page = PageContext(path, self)
        body = self.env.get_template(template).render(page=page, **context)  # no corpus: views hand templates what they show
        if source is not None:
            record = self._by_source.get(source)
            more = page.backlinks(record) if record is not None and record.kind.own_pages else ""
            if more:
                body = body.rstrip() + "\n\n" + more + "\n"
            body = body.rstrip() + "\n\n" + self.record_dates(source, page) + "\n"
        body = body.rstrip() + "\n" + page.references_footer()
        meta = {}
        if title is not None:
            meta["title"] = page_title(title)
        if jsonld is not None:
            meta["jsonld"] = jsonld_encode(jsonld)
        meta.update(front_matter or {})
        if meta:
            # JSON strings are valid YAML scalars: front matter that no data text can break
            body = "---\n" + "".join(f"{k}: {_front_matter_value(v)}\n" for k, v in meta.items()) + "---\n" + body
        assets = self.reference_files(page.cited, paths.exports_stem(path)) if page.cited else {}
        return RenderedPage(path, body, template, source, [r.id for r in page.cited], assets)

    @cached_property
    def _by_source(self) -> dict[str, Record]:
        return {rec.relpath: rec for rec in self.corpus}

    def record_dates(self, source: str, page: PageContext) -> str:
        """When a record entered the atlas, when it last changed (git history), and the
        date its evidence was last reviewed (its own `reviewed` field)."""
        parts = []
        added, changed = self.history.added(source), self.history.last_changed(source)
        if added:
            parts.append(f"Added to the atlas on {whatsnew.long_date(added)}")
        if changed and changed != added:
            parts.append(f"last changed on {whatsnew.long_date(changed)}")
        record = self._by_source.get(source)
        reviewed = record.get("reviewed") if record is not None else None
        if isinstance(reviewed, str) and reviewed:
            parts.append(f"evidence as of {whatsnew.long_date(reviewed)}")
        if not parts:
            return ""
        text = "; ".join(parts)
        return (f"<p class=\"atlas-record-dates\" data-search-exclude markdown>{text[0].upper()}{text[1:]}. "
                f"[What's new]({page.url(paths.WHATS_NEW)})</p>")

    def include(self, path: str, template: str, **context) -> str:
        """A generated section of the hand-written page at path (pages.INCLUDES): Markdown
        whose links are relative to that page."""
        return self.env.get_template(template).render(page=PageContext(path, self), **context)  # no corpus, as _page

    def add(self, rendered: RenderedPage) -> None:
        self.output.pages[rendered.path] = rendered.body
        self.output.templates[rendered.path] = rendered.template
        if rendered.source:
            self.output.sources[rendered.path] = rendered.source
        self.output.assets.update(rendered.assets)
        self.cited_on[rendered.path] = rendered.cited

    def render(self, path: str, template: str, **kwargs) -> None:
        self.add(self.page(path, template, **kwargs))

    def render_many(self, jobs: list[Callable[[], RenderedPage]]) -> None:
        """Pages that do not depend on one another (all but the bibliography)."""
        for job in jobs:
            self.add(job())

    def cited_by(self, doc_citations: dict[str, list[str]]) -> dict[str, list[str]]:
        return cited_by(self.cited_on, doc_citations)


@dataclass
class RenderedPage:
    """One page's output, as plain data."""
    path: str
    body: str  # Markdown with front matter
    template: str
    source: str | None  # the data file it shows, for "edit this page"
    cited: list[str]  # reference ids, in order of first citation
    assets: dict[str, str]  # files that go with it: its reference files (the data page: the tables)
