"""The record kinds of the corpus: one description each, everything else follows from it.

A Kind says where its files live (data/<folder>/), which schema checks them, where a
record is shown (a page of its own in a folder, or an anchor on a shared page), how
records are ordered and which templates lay them out, what search calls its pages
(search.py), where its index or shared page goes in the navigation (with_kinds_in_nav,
called by the MkDocs hook), and which back-links its template writes by hand: the
others come from the schemas' "x-ref" fields (Corpus.referrers, PageContext.backlinks).
Page titles and "cited by" lists follow from here; editor settings
(.vscode/settings.json) are checked against it by a test.

To add a kind: write schemas/<name>.schema.json, add a Kind to KINDS (or register()
one), write its template, and add its data. pages.py gives the template a `record`,
`named` (the records it names in the fields its schema marks x-ref, resolved: Corpus.named)
and `linked` (the records that refer to it) unless it lists a view for the kind; a kind with
pages of its own and no index template gets a plain index page (records_index.md.j2).
tests/test_new_kind.py adds one that way and reads the built site.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import paths
from .citations.cite import reference_anchor, reference_page
from .paths import BIBLIOGRAPHY


def by_title(record) -> Any:
    return record.title.lower()


def by_id(record) -> Any:
    return record.id


def _year(record) -> int:
    """A record's year for sorting; a mistyped one ('2025', 2025a), which validation reports, sorts first."""
    year = record.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else 0


def _trial_id(trial) -> str:
    from .trials import shown_id
    return shown_id(trial)


@dataclass(frozen=True)
class Kind:
    name: str  # used in messages and in schemas' "x-ref"
    folder: str  # under data/
    schema: str  # file name under schemas/
    label: str  # what a reader calls one record
    title_field: str  # the field that names a record on pages
    # Where a record is shown: "studies/" puts each on a page of its own in that folder;
    # "glossary.md" puts them all on one page, each at an anchor.
    page: str = ""
    template: str = ""  # lays out a record's own page, or the shared page
    index_template: str = ""  # own pages only: the folder's index page, if any
    page_name: str = ""  # shared pages: the page's title (in "cited by" lists)
    sort: Callable[[Any], Any] = by_title  # order on pages, and of back-links to other records
    anchor: Callable[[Any], str] = by_id  # shared pages: the record's anchor
    page_title: Callable[[Any], str] | None = None  # own pages: the page title, if not the record's title
    page_of: Callable[[Any], str] | None = None  # a shared page split into parts: the part a record is on
    plural: str = ""  # what a reader calls its records (default: the label with an s): nav, back-links, index
    search_label: str = ""  # what a search result on its page says it is (default: the label, or the page's name)
    # "record" kinds grow with the atlas and are most of a large one: search asks for them apart
    # from "topic" kinds, those a reader's words name (atlas/search.py)
    search_group: str = "topic"
    nav: str = "Look up"  # the section of the site's navigation its index or shared page goes in
    # Kinds whose records' links to this one its template lays out itself (or leaves out); links
    # from any other kind whose schema marks a field x-ref: <this kind> are listed under each
    # record by page.backlinks() (on own pages, after the template's text). "*": every kind.
    backlinks_by_hand: tuple[str, ...] = ()

    @property
    def own_pages(self) -> bool:
        return self.page.endswith("/")

    def location(self, record) -> tuple[str, str | None]:
        """(page path, anchor) where a record is shown."""
        if self.own_pages:
            return paths.record_page(self.page, record.id), None
        return (self.page_of(record) if self.page_of else self.page), self.anchor(record)

    def former_pages(self, record) -> list[tuple[str, str]]:
        """(former id, page path) for each id the record was published under (`formerly`): its old
        addresses, each kept by a page that sends readers on. A record on a shared page keeps its page."""
        if not self.own_pages:
            return []
        former = record.get("formerly")
        return [(old, paths.record_page(self.page, old)) for old in former if isinstance(old, str)] \
            if isinstance(former, list) else []

    def title_of_page(self, record) -> str:
        return self.page_title(record) if self.page_title else record.title

    @property
    def title_plural(self) -> str:
        return self.plural or self.label[:1].upper() + self.label[1:] + "s"

    @property
    def result_label(self) -> str:
        """What search calls a page of this kind (its own page, or its shared page)."""
        return self.search_label or (self.label[:1].upper() + self.label[1:] if self.own_pages else self.page_name)

    @property
    def listing(self) -> str | None:
        """The page that lists every record: a shared page, or an own-pages kind's index page."""
        return paths.index_page(self.page) if self.own_pages else self.page or None

    @property
    def listing_title(self) -> str:
        return self.title_plural if self.own_pages else self.page_name

    def lists_backlinks_from(self, kind_name: str) -> bool:
        """Whether page.backlinks() lists this kind's records linked from kind_name's records."""
        return "*" not in self.backlinks_by_hand and kind_name not in self.backlinks_by_hand


KINDS: list[Kind] = [
    Kind("reference", "references", "reference.schema.json", "reference", "title",
         page=BIBLIOGRAPHY, page_of=reference_page, page_name="Bibliography",  # rendered last: it lists where each is cited
         sort=lambda r: (r.get("number") is None, r.get("number") or 0, r.id), anchor=reference_anchor,
         search_label="Reference", search_group="record", backlinks_by_hand=("*",)),  # its "cited by" lists them
    Kind("therapy-class", "classes", "therapy-class.schema.json", "therapy class", "name",
         page="classes/", template="class.md.j2", index_template="classes_index.md.j2", plural="Therapy classes",
         backlinks_by_hand=("limitation", "model", "product", "study", "therapy-class", "trial")),
    Kind("study", "studies", "study.schema.json", "study", "title",
         page="studies/", template="study.md.j2", index_template="studies_index.md.j2",
         sort=lambda s: (_year(s), s.id), plural="Studies", search_group="record", backlinks_by_hand=("limitation",)),
    Kind("trial", "trials", "trial.schema.json", "trial", "title",
         page="trials/", template="trial.md.j2", index_template="trials_index.md.j2", sort=by_id,
         page_title=lambda t: f"{_trial_id(t)}: {t.title}", search_group="record",
         backlinks_by_hand=("study",)),
    Kind("limitation", "limitations", "limitation.schema.json", "limitation", "name",
         page="limitations/", template="limitation.md.j2", index_template="limitations_index.md.j2",
         sort=lambda x: (x["category"], x.title.lower()), backlinks_by_hand=("study", "therapy-class")),
    Kind("site", "sites", "site.schema.json", "implantation site", "name",
         page="sites/", template="site.md.j2", index_template="sites_index.md.j2", backlinks_by_hand=("study",)),
    Kind("product", "products", "product.schema.json", "product or device", "name",
         page="products/", template="product.md.j2", index_template="products_index.md.j2",
         plural="Products and devices", backlinks_by_hand=("study", "therapy-class", "trial")),
    Kind("organisation", "organisations", "organisation.schema.json", "organisation", "name",
         page="organisations.md", template="organisations.md.j2", page_name="Organisations",
         backlinks_by_hand=("product", "study", "trial")),
    Kind("glossary-term", "glossary", "glossary-term.schema.json", "glossary term", "term",
         page="glossary.md", template="glossary.md.j2", page_name="Glossary"),
    Kind("cell-source", "cell-sources", "cell-source.schema.json", "cell source", "name",
         page="cell-sources.md", template="cell_sources.md.j2", page_name="Sources of insulin-producing cells",
         sort=lambda x: (not x.get("in_table_1"), x.title.lower()), search_label="Cell sources",
         backlinks_by_hand=("study", "therapy-class")),
    Kind("model", "models", "model.schema.json", "proposed model", "title",
         page="models.md", template="models.md.j2", page_name="Proposed models", sort=lambda x: x["figure"]),
]

BY_NAME = {k.name: k for k in KINDS}
BY_FOLDER = {k.folder: k for k in KINDS}


def register(kind: Kind) -> None:
    """Add a kind without editing this file (a project's own kinds, or a test's)."""
    if kind.name in BY_NAME or kind.folder in BY_FOLDER:
        raise ValueError(f"a kind named {kind.name!r} or with folder {kind.folder!r} exists")
    KINDS.append(kind)
    BY_NAME[kind.name] = kind
    BY_FOLDER[kind.folder] = kind


def editor_schemas() -> dict[str, str]:
    """.vscode/settings.json's "yaml.schemas": which schema checks which files as they are typed."""
    return {f"./schemas/{k.schema}": f"data/{k.folder}/*.yaml" for k in KINDS}


def with_kinds_in_nav(nav: list | None) -> list | None:
    """The site's navigation (mkdocs.yml's nav) with the listing page (Kind.listing) of every
    kind it does not name added to the kind's section (Kind.nav), made at its end if absent.
    None, where MkDocs makes the navigation from the files, stays None."""
    if nav is None:
        return None
    nav = copy.deepcopy(nav)
    named = set(_nav_paths(nav))
    for k in KINDS:
        if not k.template or k.listing is None or k.listing in named:
            continue
        section = next((item[k.nav] for item in nav if isinstance(item, dict) and isinstance(item.get(k.nav), list)),
                       None)
        if section is None:
            section = []
            nav.append({k.nav: section})
        section.append({k.listing_title: k.listing})
    return nav


def _nav_paths(nav) -> Iterator[str]:
    for item in nav if isinstance(nav, list) else [nav]:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from _nav_paths(value)
