"""Page addresses, in one place: page path <-> URL <-> HTML file, and the paths of the
pages and files the atlas makes (record pages, index pages, bibliography parts, year
parts, each page's reference files).

A page path is what the generator and MkDocs call a page: `studies/hu-2013.md`,
`studies/index.md`, `glossary.md`. With MkDocs' directory URLs it is served at
`studies/hu-2013/` from the file `studies/hu-2013/index.html`. Every other module asks
here; nothing else adds or strips `.md`, `index.md` or `index.html`.
"""
from __future__ import annotations

import re

# Pages the atlas always makes, by name
HOME = "index.md"
EVIDENCE = "evidence.md"
DATA = "data.md"
BIBLIOGRAPHY = "bibliography.md"
WHATS_NEW = "whats-new.md"
RELEASES = "releases.md"

# References per bibliography page: the review's 118 fit on the first, and no page of a
# hundred times as many outgrows 1 MB of HTML (bench/RESULTS.md).
BIBLIOGRAPHY_PART = 200


# -- page path <-> URL <-> HTML file ------------------------------------------------------

def url(page_path: str, site_url: str = "") -> str:
    """Where a page is served: 'studies/hu-2013/', '' for the home page; absolute under
    site_url when it is given."""
    path = page_path.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index") + "/"
    return (site_url.rstrip("/") + "/" + path) if site_url else path


def html_file(page_path: str) -> str:
    """The built HTML file of a page, relative to the site: 'studies/hu-2013/index.html'."""
    return url(page_path) + "index.html"


def url_of_html(html_rel: str) -> str:
    """The URL path (relative to the site root) a built HTML file is served at."""
    return html_rel.removesuffix("index.html")


def pages_of_html(html_rel: str) -> list[str]:
    """Page paths that build to this HTML file (x.md and x/index.md both give x/index.html)."""
    if html_rel == "index.html":
        return [HOME]
    if html_rel.endswith("/index.html"):
        base = html_rel[: -len("/index.html")]
        return [f"{base}/index.md", f"{base}.md"]
    return [html_rel.removesuffix(".html") + ".md"]


def doc_file(page_path: str) -> str:
    """The hand-written file of a page, relative to the project: docs/about.md."""
    return f"docs/{page_path}"


def page_of_doc(relpath: str) -> str:
    """The page a hand-written file (docs/about.md, relative to the project) becomes."""
    return relpath.removeprefix("docs/")


def is_index(page_path: str) -> bool:
    """A folder's index page (studies/index.md), not the home page."""
    return page_path.endswith("index.md") and "/" in page_path


# -- the pages of a record kind (kinds.Kind.page: 'studies/' or 'glossary.md') ----------

def record_page(folder: str, record_id: str) -> str:
    """A record's own page in a kind's folder ('studies/')."""
    return f"{folder}{record_id}.md"


def index_page(folder: str) -> str:
    """A kind's folder's index page ('studies/' -> 'studies/index.md')."""
    return f"{folder}index.md"


# -- the bibliography in parts -----------------------------------------------------------

def bibliography_page(number: int | None) -> str:
    """The one rule for where a reference is listed, so that citations, page footers and
    'cited by' follow it: numbers 1-200 and unnumbered references on bibliography.md,
    each further 200 numbers on a page of their own (bibliography/201-400.md, ...).
    A reference's page never changes as the atlas grows."""
    if not number or number <= BIBLIOGRAPHY_PART:
        return BIBLIOGRAPHY
    first = (number - 1) // BIBLIOGRAPHY_PART * BIBLIOGRAPHY_PART + 1
    return f"bibliography/{first}-{first + BIBLIOGRAPHY_PART - 1}.md"


def is_bibliography_part(page_path: str) -> bool:
    """A block of the bibliography past its first page."""
    return page_path.startswith("bibliography/")


# -- a large atlas's lists, a page per year ----------------------------------------------

def year_stem(year, part: int, parts: int) -> str:
    """The file stem of a year's page: '2013', and for a busy year '2013', '2013-2', ..."""
    return f"{year}-{part}" if parts > 1 and part > 1 else str(year)


def studies_year_page(stem: str) -> str:
    return f"studies/years/{stem}.md"


def evidence_year_page(stem: str) -> str:
    return f"evidence/{stem}.md"


def class_year_page(class_id: str, stem: str) -> str:
    return f"classes/{class_id}/{stem}.md"


# Pages that carry one year of a list page's rows (the three above)
_YEAR_PART = re.compile(r"(classes/[^/]+|evidence|studies/years)/[^/]+\.md")


def is_year_part(page_path: str) -> bool:
    return _YEAR_PART.fullmatch(page_path) is not None


# -- files that go with pages ------------------------------------------------------------

def exports_stem(page_path: str) -> str:
    """Where a page's own reference files go: references/<page path without .md>
    (.bib, .ris and .json are added)."""
    return "references/" + page_path.removesuffix(".md")


def table_file(name: str, extension: str) -> str:
    """A data table download: data/studies.csv."""
    return f"data/{name}.{extension}"


def frozen_copy(version: str) -> str:
    """Where a release's frozen copy is served, beside the live site: 'v/0.2.0/'."""
    return f"v/{version}/"
