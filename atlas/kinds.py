"""The record kinds of the corpus: one description each, everything else follows from it.

A Kind says where its files live (data/<folder>/), which schema checks them, where a
record is shown (a page of its own in a folder, or an anchor on a shared page), how
records are ordered and which templates lay them out. Back-links come from the
schemas' "x-ref" fields (Corpus.referrers), page titles and "cited by" lists from
here, editor settings (.vscode/settings.json) are checked against it by a test.

To add a kind: write schemas/<name>.schema.json, add a Kind to KINDS (or register()
one), and write its template; pages.py gives it a `record` (and `linked`: the records
that refer to it) unless it lists a view for the kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

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

    @property
    def own_pages(self) -> bool:
        return self.page.endswith("/")

    def location(self, record) -> tuple[str, str | None]:
        """(page path, anchor) where a record is shown."""
        if self.own_pages:
            return paths.record_page(self.page, record.id), None
        return (self.page_of(record) if self.page_of else self.page), self.anchor(record)

    def title_of_page(self, record) -> str:
        return self.page_title(record) if self.page_title else record.title


KINDS: list[Kind] = [
    Kind("reference", "references", "reference.schema.json", "reference", "title",
         page=BIBLIOGRAPHY, page_of=reference_page, page_name="Bibliography",  # rendered last: it lists where each is cited
         sort=lambda r: (r.get("number") is None, r.get("number") or 0, r.id), anchor=reference_anchor),
    Kind("therapy-class", "classes", "therapy-class.schema.json", "therapy class", "name",
         page="classes/", template="class.md.j2", index_template="classes_index.md.j2"),
    Kind("study", "studies", "study.schema.json", "study", "title",
         page="studies/", template="study.md.j2", index_template="studies_index.md.j2",
         sort=lambda s: (_year(s), s.id)),
    Kind("trial", "trials", "trial.schema.json", "trial", "title",
         page="trials/", template="trial.md.j2", index_template="trials_index.md.j2", sort=by_id,
         page_title=lambda t: f"{_trial_id(t)}: {t.title}"),
    Kind("limitation", "limitations", "limitation.schema.json", "limitation", "name",
         page="limitations/", template="limitation.md.j2", index_template="limitations_index.md.j2",
         sort=lambda x: (x["category"], x.title.lower())),
    Kind("site", "sites", "site.schema.json", "implantation site", "name",
         page="sites/", template="site.md.j2", index_template="sites_index.md.j2"),
    Kind("product", "products", "product.schema.json", "product or device", "name",
         page="products/", template="product.md.j2", index_template="products_index.md.j2"),
    Kind("organisation", "organisations", "organisation.schema.json", "organisation", "name",
         page="organisations.md", template="organisations.md.j2", page_name="Organisations"),
    Kind("glossary-term", "glossary", "glossary-term.schema.json", "glossary term", "term",
         page="glossary.md", template="glossary.md.j2", page_name="Glossary"),
    Kind("cell-source", "cell-sources", "cell-source.schema.json", "cell source", "name",
         page="cell-sources.md", template="cell_sources.md.j2", page_name="Sources of insulin-producing cells",
         sort=lambda x: (not x.get("in_table_1"), x.title.lower())),
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
