"""One function per page type: gather the view model, render its template.

Record kinds need nothing here: their pages follow from kinds.py (a kind whose template
needs more than `record` and `linked` lists a view in RECORD_VIEWS). To add another page
type: write templates/<name>.md.j2 and list a job for it in render_all(): page(...) for a
template and its data, or a function here returning r.page(...) when the page needs a
view model worked out.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from . import charts, datadict, exports, findings, jsonld, paths, text, trials, whatsnew
from .citations.bibliography import reference_downloads, render_bibliography
from .citations.formats import glossary_forms
from .corpus import STAGE_LABELS, STAGES, Corpus, Record, participants, study_stage
from .history import History
from .incremental import ServeMemo
from .kinds import BY_NAME, KINDS
from .paths import BIBLIOGRAPHY
from .render import RenderedPage, Renderer
from .text import Md

CLINICAL = ("early-clinical", "randomised")
# The index page of a kind with pages of its own and no index template: its records, linked
RECORDS_INDEX = "records_index.md.j2"
# Past this many studies, the studies list and the evidence overview's study-by-study tables
# are split into a page per year (a busy year in parts), so that no page outgrows 1 MB of HTML
# at 100x the review (bench/RESULTS.md).
# Measured (bench/RESULTS.md): 670 studies on one page were 1.2 MB at 10x; a part of
# 200 studies of a year rich in clinical trials was 1.3 MB at 100x.
SPLIT_BY_YEAR_STUDIES = 300
YEAR_PART_STUDIES = 100
# A list of pages or studies on a shared page (a reference's "cited by", a cell source's
# studies) shows this many and says how many more: a list of thousands helps no reader, and
# such lists made the bibliography 7 MB at 100x. At the review's size only the review
# itself, cited on every study page, is cited more often.
LIST_SHOWN = 40
LATEST = 3  # the newest lines of What's new in the home page's "Latest evidence" box


def render_all(r: Renderer) -> None:
    """Every page but the bibliography, which lists where each reference was cited."""
    c = r.corpus
    classes = c.in_order("therapy-class")
    top = [k for k in classes if not k.get("parent")]

    def page(path: str, template: str, **context):  # a job that renders one page
        return partial(r.page, path, template, **context)

    own = [k for k in KINDS if k.own_pages and k.template]
    shared = [k for k in KINDS if not k.own_pages and k.template]
    r.render_many([
        page(paths.HOME, "home.md.j2", top_classes=top, children=_class_children(c, top), counts=_counts(r),
             latest=whatsnew.digest(r.corpus)[:LATEST], **_home_feature(c)),
        *[page(paths.index_page(k.page), k.index_template, **_list_view(r, k)) if k.index_template
          else page(paths.index_page(k.page), RECORDS_INDEX, title=k.title_plural, heading=k.title_plural,
                    records=r.corpus.in_order(k.name))
          for k in own if k.name != "study"],
        *studies_list_pages(r),  # one page, or a page per year past SPLIT_BY_YEAR_STUDIES
        *[job for k in c.in_order("therapy-class") for job in class_pages(r, k)],
        *[partial(record_page, r, rec) for k in own if k.name != "therapy-class" for rec in c.in_order(k.name)],
        *[page(k.page, k.template, **_list_view(r, k)) for k in shared],
        *evidence_pages(r),
        partial(data_page, r),
        partial(whats_new_page, r),
        partial(record_changes_page, r),
        *([page(paths.RELEASES, "releases.md.j2", source="CHANGELOG.md", title="Release notes",
                changelog=Md(_long_dates(r.changelog)))] if r.changelog is not None else []),  # maintainers' Markdown
    ])
    moved_pages(r)


# The theme template (overrides/) of a page at a record's former address: it refreshes to the new
# page, names it canonical, and keeps the page out of Pagefind's index
MOVED_TEMPLATE = "moved.html"


def moved_pages(r: Renderer) -> None:
    """A page at each former address of a record (its `formerly` ids, Kind.former_pages) that sends
    readers to its page now, so a citation or bookmark of the old address still arrives. After every
    other page: one never takes the place of a page the atlas makes (validation keeps former ids
    apart from records' ids, rules/ids.py)."""
    for k in KINDS:
        if not (k.own_pages and k.template):
            continue
        for rec in r.corpus.in_order(k.name):
            for old, path in k.former_pages(rec):
                if path in r.output.pages:
                    continue
                new = k.location(rec)[0]
                r.add(r.page(path, "moved.md.j2", title=f"Moved: {k.title_of_page(rec)}",
                             front_matter={"template": MOVED_TEMPLATE, "moved_to": paths.url(new),
                                           "search": {"exclude": True}},
                             record=rec, label=k.label, old=old, title_now=k.title_of_page(rec)))
                r.output.moved[path] = new


def evidence_page(r: Renderer, path: str = paths.EVIDENCE, part=None, by_year=None, patients=None) -> RenderedPage:
    """The overview, or (part given: label, studies) a year's study-by-study tables of it."""
    view = _evidence_view(r, part[1] if part else None, patients)
    return r.page(path, "evidence.md.j2", **view, year=part[0] if part else None, by_year=by_year)


def _year_parts(r: Renderer) -> list[tuple[str, str, list[Record]]] | None:
    """(label, file stem, studies) per year, oldest first, a busy year in parts of
    YEAR_PART_STUDIES; None where the atlas is small enough for lists on one page."""
    if len(r.corpus.studies_sorted) <= SPLIT_BY_YEAR_STUDIES:
        return None
    return _by_year(r.corpus.studies_sorted)


def _by_year(studies: list[Record]) -> list[tuple[str, str, list[Record]]]:
    by_year: dict = defaultdict(list)
    for s in studies:
        by_year[s.get("year") or "undated"].append(s)
    out = []
    for year, studies in sorted(by_year.items(), key=lambda kv: str(kv[0])):
        chunks = [studies[i:i + YEAR_PART_STUDIES] for i in range(0, len(studies), YEAR_PART_STUDIES)]
        for n, chunk in enumerate(chunks, 1):
            label = str(year) if len(chunks) == 1 else f"{year} ({n} of {len(chunks)})"
            out.append((label, paths.year_stem(year, n, len(chunks)), chunk))
    return out


def studies_list_pages(r: Renderer) -> list:
    """The studies list: one page, or past SPLIT_BY_YEAR_STUDIES an index of years and a page per year."""
    parts = _year_parts(r)
    index = paths.index_page(BY_NAME["study"].page)
    if parts is None:
        return [partial(r.page, index, "studies_index.md.j2", studies=r.corpus.studies_sorted,
                        named=_named_each(r.corpus, r.corpus.studies_sorted), years=None, year=None)]
    listed = [(label, paths.studies_year_page(stem), len(ss)) for label, stem, ss in parts]
    return [partial(r.page, index, "studies_index.md.j2", studies=[], named={}, years=listed, year=None),
            *[partial(r.page, path, "studies_index.md.j2", studies=ss, named=_named_each(r.corpus, ss), year=label,
                      years=None)
              for (label, path, _), (_, _, ss) in zip(listed, parts)]]


def evidence_pages(r: Renderer) -> list:
    """The evidence overview; past SPLIT_BY_YEAR_STUDIES its study-by-study tables move to a page per year."""
    parts = _year_parts(r)
    if parts is None:
        return [partial(evidence_page, r)]
    listed = [(label, paths.evidence_year_page(stem)) for label, stem, _ in parts]
    patients = charts.enrolment_rows(r.corpus)  # once, not once per year's page
    return [partial(evidence_page, r, by_year=listed, patients=patients),
            *[partial(evidence_page, r, path, part=(label, ss), patients=patients)
              for (label, path), (_, _, ss) in zip(listed, parts)]]


def whats_new_page(r: Renderer) -> RenderedPage:
    """What's new in the evidence, for readers: the dated lines records hold in `news`, newest first."""
    digest = whatsnew.digest(r.corpus)
    months: dict[str, list] = {}
    for it in digest:
        months.setdefault(whatsnew.long_date(it.date).split(" ", 1)[1] if len(it.date) > 4 else it.date, []).append(it)
    return r.page(paths.WHATS_NEW, "whats_new.md.j2", title="What's new", months=list(months.items()),
                  whats=whatsnew.NEWS_LABELS, releases=r.changelog is not None)


def record_changes_page(r: Renderer) -> RenderedPage:
    """Every change to the records, newest first, grouped by month (from git history): for maintainers."""
    every = whatsnew.items(r.history, r.corpus)
    listed = every[:whatsnew.PAGE_ITEMS]
    months: dict[str, list] = {}
    for it in listed:
        months.setdefault(whatsnew.long_date(it.date).split(" ", 1)[1], []).append(it)
    return r.page(paths.RECORD_CHANGES, "record_changes.md.j2", title="Changes to the records", history=r.history,
                  months=list(months.items()), long_date=whatsnew.long_date, long_dates_in=text.long_dates_in, actions=whatsnew.ACTIONS,
                  more=len(every) - len(listed), releases=r.changelog is not None)


def data_page(r: Renderer) -> RenderedPage:
    """The downloads page, with the data tables it offers."""
    tables = exports.data_tables(r.corpus)
    downloads = _downloads()
    rows = {name.capitalize(): len(table) for name, table in tables.items()}
    rows["References"] = len(r.corpus.all("reference"))
    rendered = r.page(
        paths.DATA, "data.md.j2", title="Data and downloads", downloads=downloads, rows=rows,
        kinds=_data_dictionary(r), columns=datadict.columns(r.schemas, exports.COLUMNS),
        jsonld=jsonld.dataset([(url, fmt, f"{label} ({short})") for label, items in downloads for url, fmt, short in items],
                              "T1D stem-cell evidence atlas: studies, outcomes, trials, limitations and references",
                              "Structured records of stem-cell therapy studies for type 1 diabetes, with every "
                              "outcome's source, built from Ghoneim et al. 2024 (CC BY 4.0)."))
    rendered.assets.update(exports.data_files(tables))
    rendered.assets[paths.table_file("reference-entries", "json")] = exports.reference_entries(r.corpus)
    return rendered


# -- record pages: one per record, independent of one another ----------------------------

def record_page(r: Renderer, rec: Record) -> RenderedPage:
    """A record's own page: where, which template and its title come from its Kind; what the
    template is given, from the kind's view (a `record` and what links to it, by default)."""
    kind = rec.kind
    view = RECORD_VIEWS.get(kind.name, _record_view)
    return r.page(kind.location(rec)[0], kind.template, source=rec.relpath, title=kind.title_of_page(rec),
                  **{"record": rec, "named": r.corpus.named(rec), **view(r, rec)})


def class_page(r: Renderer, k: Record, study_parts=None) -> RenderedPage:
    """A class's page (as record_page); with study_parts, its studies and their outcomes are on year pages."""
    view = RECORD_VIEWS["therapy-class"](r, k)
    if study_parts:
        view.update(studies=[], outcomes=[])
    return r.page(k.kind.location(k)[0], k.kind.template, source=k.relpath, title=k.kind.title_of_page(k),
                  study_parts=study_parts, record=k, named=r.corpus.named(k), **view)


def class_pages(r: Renderer, k: Record) -> list:
    """A class's page; past SPLIT_BY_YEAR_STUDIES in the atlas, its studies and their outcomes
    are listed on a page per year (classes/<id>/<year>.md)."""
    studies = r.corpus.studies_by_class.get(k.id, [])
    if len(r.corpus.studies_sorted) <= SPLIT_BY_YEAR_STUDIES or not studies:
        return [partial(class_page, r, k)]
    parts = _by_year(studies)
    listed = [(label, paths.class_year_page(k.id, stem), len(ss)) for label, stem, ss in parts]
    outcomes = _class_view(r, k)["outcomes"]  # once, not once per year's page
    return [partial(class_page, r, k, listed),
            *[partial(class_year_page, r, k, path, label, ss, outcomes)
              for (label, path, _), (_, _, ss) in zip(listed, parts)]]


def class_year_page(r: Renderer, k: Record, path: str, label: str, studies: list[Record],
                    class_outcomes: list) -> RenderedPage:
    these = {s.id for s in studies}
    outcomes = [(s, o) for s, o in class_outcomes if s.id in these]
    return r.page(path, "class_studies.md.j2", title=f"{k.title}: studies of {label}", c=k, year=label,
                  studies=studies, outcomes=outcomes)


def _record_view(r: Renderer, rec: Record) -> dict:
    return {"record": rec, "linked": r.corpus.linked(rec)}


def _study_view(r: Renderer, s: Record) -> dict:
    return {"jsonld": jsonld.study(s, r.corpus), "s": s,
            "outcomes": [(s, o) for o in s.get("outcomes", [])]}


def _trial_view(r: Renderer, t: Record) -> dict:
    studies = r.corpus.studies_by_trial.get(t.id, [])
    refs = r.corpus.named(t)["citations"]
    return {"jsonld": jsonld.trial(t, r.corpus), "t": t, "studies": studies, "rr": t.get("registry_record") or {},
            "gap": trials.gap_in(r.corpus, t), "timeline": trials.timeline(t, refs)}


def trial_gaps(c: Corpus, records) -> list[tuple[Record, trials.Gap]]:
    """(trial, its reporting-gap flag) for the trials flagged, in the trials' order."""
    out = []
    for t in records:
        g = trials.gap_in(c, t)
        if g is not None:
            out.append((t, g))
    return out


def trials_in_order(c: Corpus, records=None) -> list[Record]:
    """Open trials first (recruiting, not yet recruiting ...), then by last update, newest first
    (records: only these; a class page reads its own trials, not every trial)."""
    by_update = sorted(c.all("trial") if records is None else records, key=lambda t: (trials.last_update(t), t.id),
                       reverse=True)
    return sorted(by_update, key=trials.status_rank)


def _trials_list_view(c: Corpus, records) -> dict:
    ordered = trials_in_order(c)
    rows = []
    for t in ordered:
        rr = t.get("registry_record") or {}
        classes = c.named(t)["classes"]
        rows.append({"t": t, "rr": rr, "classes": classes, "gap": trials.gap_in(c, t),
                     # the status's words and place in the order come from trials.py, its one home
                     "data": {"status": trials.status(t) or "", "status_label": trials.status_label(t),
                              "status_rank": trials.status_rank(t), "phase": trials.phases_text(t),
                              "classes": [k.title for k in classes], "countries": rr.get("countries") or [],
                              "updated": trials.last_update(t)}})
    return {"rows": rows, "gaps": sum(1 for x in rows if x["gap"])}


def _limitation_view(r: Renderer, lim: Record) -> dict:
    c = r.corpus
    return {"lim": lim, "classes": c.limitation_classes.get(lim.id, []), "studies": c.limitation_studies.get(lim.id, [])}


def _implantation_site_view(r: Renderer, site: Record) -> dict:
    return {"site": site, "studies": r.corpus.studies_by_implantation_site.get(site.id, [])}


def _product_view(r: Renderer, p: Record) -> dict:
    c = r.corpus
    return {"p": p, "studies": c.studies_by_product.get(p.id, []), "trials": c.trials_by_product.get(p.id, [])}


def _list_view(r: Renderer, kind) -> dict:
    """What an index page or a shared page is given: the kind's records, in its order, what
    each names (Corpus.named, by id) and, by default, what links to each of them."""
    records = r.corpus.in_order(kind.name)
    each = {"named": _named_each(r.corpus, records)}
    if kind.name in LIST_VIEWS:
        return {**LIST_VIEWS[kind.name](r.corpus, records), **each}
    return {"records": records, "linked": _linked(r.corpus, records), **each}


def _named_each(c: Corpus, records: list[Record]) -> dict[str, dict]:
    """Record id -> the records it names (Corpus.named): a list page's records, of one kind."""
    return {rec.id: c.named(rec) for rec in records}


def _linked(c: Corpus, records: list[Record]) -> dict[str, dict[str, list[Record]]]:
    """Record id -> kind name -> the records of that kind that refer to it (x-ref fields)."""
    return {rec.id: c.linked(rec) for rec in records}


def featured_product(c: Corpus) -> Record | None:
    """The product the home page's box names: the one furthest along in people. Of the
    products (and devices) the studies name, the one whose studies reach the highest stage
    of evidence (in vitro < animal < early clinical < randomised); of those, the one with the
    newest study; then the one whose studies say the most people took part; then by id.
    None where no study names a product.

    Today that is Vertex's zimislecel (VX-880), the stem cell-derived islets readers look for
    first (issue 23): at the same stage as ViaCyte's VC-02, its report is the newer. The box
    says only what follows from the rule and the product's own record (its first names, its
    organisations, its class, its approvals), so it stays true whichever product the rule picks."""
    def furthest(p: Record) -> tuple:
        studies = c.studies_by_product.get(p.id, [])
        return (max((STAGES.index(study_stage(s)) for s in studies), default=-1),
                max((_year_of(s) for s in studies), default=0), sum(participants(s)[0] for s in studies))
    ranked = [(furthest(p), p) for p in c.in_order("product") if c.studies_by_product.get(p.id)]
    if not ranked:
        return None
    best = max(rank for rank, _ in ranked)
    return min((p for rank, p in ranked if rank == best), key=lambda p: p.id)


def _year_of(s: Record) -> int:
    year = s.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else 0


def _home_feature(c: Corpus) -> dict:
    """The home page's featured product (featured_product()): the names readers search for (its
    first two aliases), its organisations and the first of its classes."""
    product = featured_product(c)
    if product is None:
        return {"featured": None}
    named = c.named(product)
    return {"featured": product, "featured_names": (product.get("aliases") or [])[:2],
            "featured_organisations": named["organisations"],
            "featured_class": named["classes"][0] if named["classes"] else None}


def _class_children(c: Corpus, classes: list[Record]) -> dict[str, list[Record]]:
    return {k.id: [c.get("therapy-class", x) for x in c.class_children.get(k.id, [])] for k in classes}


# What a kind's templates are given, for kinds whose templates need more than a `record`
# and `linked` (own pages) or `records` (index and shared pages).
RECORD_VIEWS = {
    "therapy-class": lambda r, k: {"jsonld": jsonld.therapy_class(k), "c": k, **_class_view(r, k)},
    "study": _study_view, "trial": _trial_view, "limitation": _limitation_view, "site": _implantation_site_view,
    "product": _product_view,
}
# Templates run no corpus queries: what they count or list comes from here.
LIST_VIEWS = {
    "therapy-class": lambda c, recs: {"top_classes": [k for k in recs if not k.get("parent")],
                                      "children": _class_children(c, recs),
                                      "study_counts": {k.id: len(c.studies_by_class.get(k.id, [])) for k in recs}},
    "study": lambda c, recs: {"studies": recs},
    "trial": lambda c, recs: _trials_list_view(c, recs),  # status, flag and filter values per trial
    "limitation": lambda c, recs: {"limitations": recs,
                                   "classes": {lim.id: c.limitation_classes.get(lim.id, []) for lim in recs}},
    "site": lambda c, recs: {"sites": recs,
                             "study_counts": {s.id: len(c.studies_by_implantation_site.get(s.id, [])) for s in recs}},
    "product": lambda c, recs: {"products": recs},
    "organisation": lambda c, recs: {"organisations": recs, "linked": _linked(c, recs)},
    "glossary-term": lambda c, recs: {"terms": recs},
    "cell-source": lambda c, recs: {"sources": recs, "shown": LIST_SHOWN, "linked": _linked(c, recs)},
    "model": lambda c, recs: {"models": recs},
}


def _downloads() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(table, [(path, media type, format name)]) for the data page and its Dataset JSON-LD."""
    out = [(name.capitalize(), [(paths.table_file(name, "csv"), "text/csv", "CSV"),
                                (paths.table_file(name, "json"), "application/json", "JSON")])
           for name in exports.TABLES]
    stem = paths.exports_stem(BIBLIOGRAPHY)
    out.append(("References", [(f"{stem}.bib", "application/x-bibtex", "BibTeX"),
                               (f"{stem}.ris", "application/x-research-info-systems", "RIS"),
                               (f"{stem}.json", "application/vnd.citationstyles.csl+json", "CSL-JSON")]))
    return out


def _data_dictionary(r: Renderer) -> list[dict]:
    return datadict.kinds(r.schemas)


def _counts(r: Renderer) -> dict[str, int]:
    counts = {k: len(v) for k, v in r.corpus.records.items()}
    # the review's own list (numbered) and everything else: the review itself, later papers
    counts["review-numbered"] = sum(1 for ref in r.corpus.all("reference") if ref.get("number"))
    counts["unnumbered"] = counts["reference"] - counts["review-numbered"]
    return counts


def _class_view(r: Renderer, k: Record) -> dict:
    c = r.corpus
    studies = c.studies_by_class.get(k.id, [])
    direct = [s for s in studies if k.id in s.get("classes", [])]
    outcomes = [(s, o) for s in direct for o in s.get("outcomes", [])]
    # clinical results first, then by study order
    outcomes.sort(key=lambda so: (study_stage(so[0]) not in CLINICAL, so[0].get("year") or 0))
    of_class = {t.id: t for sub in c.class_and_descendants(k.id) for t in c.trials_by_class.get(sub, [])}
    ids = {s.id for s in studies}  # by id: comparing records field by field was quadratic at 10x
    return {
        "parent": c.get("therapy-class", k.get("parent")),
        "children": [c.get("therapy-class", x) for x in c.class_children.get(k.id, [])],
        "studies": studies,
        "stages": STAGES,
        "stage_counts": Counter(study_stage(s) for s in studies),
        "outcomes": outcomes,
        "limitations": c.class_limitations.get(k.id, []),
        # how a limitation bears on this class: the class's own studies that show it
        "limitation_studies": {lim.id: [s for s in c.limitation_studies.get(lim.id, []) if s.id in ids]
                               for lim in c.class_limitations.get(k.id, [])},
        "trials": sorted(of_class.values(), key=lambda t: t.id),
        "trials_listed": trials_in_order(c, list(of_class.values())),
        "trial_gaps": trial_gaps(c, sorted(of_class.values(), key=lambda t: t.id)),
        "findings": findings.summary(c, k),
    }


def _page_titles(r: Renderer) -> dict[str, str]:
    """A title for every page that can cite, for the bibliography's 'cited by' lists."""
    titles = {paths.HOME: "Home", paths.EVIDENCE: "Evidence overview", paths.DATA: "Data and downloads"}
    for kind in KINDS:
        if kind.own_pages:
            titles.update((kind.location(rec)[0], rec.title) for rec in r.corpus.all(kind.name))
        else:
            titles[kind.page] = kind.page_name
    # the parts of a large atlas (a year of the evidence overview, of a class): their heading
    for path, page in r.output.pages.items():
        if path not in titles and (heading := _heading(page)):
            titles[path] = heading
    titles.update(r.output.doc_titles)
    return titles


def _heading(markdown: str) -> str | None:
    """A generated page's first heading as plain text (its Markdown escapes undone)."""
    line = next((ln for ln in markdown.splitlines() if ln.startswith("# ")), None)
    return re.sub(r"\\(.)", r"\1", line[2:].split(" {#")[0].strip()) if line else None


def _evidence_view(r: Renderer, studies: list[Record] | None = None, patients: list | None = None) -> dict:
    """The overview's tables; `studies` limits the study-by-study ones (a year's page)."""
    c = r.corpus
    leaves, designs, design_counts = charts.class_rows(c)  # the chart draws the same rows
    listed = c.studies_sorted if studies is None else studies
    limitations = c.in_order("limitation")
    # class x limitation, an evidence-gap map: the class's studies that show the limitation,
    # counted per stage; an empty count where it applies but no study shows it, None where
    # it is not recorded for the class
    lim_matrix = {}
    for lim in limitations if studies is None else ():  # a year's page shows no matrices
        showing = {s.id for s in c.limitation_studies.get(lim.id, [])}
        applies = {k.id for k in c.limitation_classes.get(lim.id, [])}
        for k in leaves:
            n = Counter(study_stage(s) for s in charts.row_studies(c, k) if s.id in showing)
            lim_matrix[(lim.id, k.id)] = {st: n[st] for st in STAGES if n[st]} if (n or k.id in applies) else None
    stage_matrix = {(k.id, st): [s for s in charts.row_studies(c, k) if study_stage(s) == st]
                    for k in leaves for st in STAGES} if studies is None else {}
    clinical = [s for s in listed if study_stage(s) in CLINICAL]
    preclinical = [s for s in listed if study_stage(s) not in CLINICAL]
    by_year = defaultdict(list)
    for s in listed:
        by_year[s.get("year")].append(s)
    patients = charts.enrolment_rows(c) if patients is None else patients
    gaps = trial_gaps(c, trials_in_order(c)) if studies is None else []
    if studies is not None:  # a year's page: its own studies only, and no matrices or charts
        ids = {s.id for s in studies}
        patients = [s for s in patients if s.id in ids]
        leaves, limitations, designs, design_counts = [], [], [], {}
    return {
        "leaves": leaves, "row_names": {k.id: charts.row_name(c, k) for k in leaves},
        "limitations": limitations, "lim_matrix": lim_matrix,
        "stages": STAGES, "stage_labels": STAGE_LABELS, "stage_matrix": stage_matrix,
        "clinical": clinical, "preclinical": preclinical,
        "years": sorted(by_year.items(), key=lambda kv: kv[0] or 0), "design_counts": design_counts,
        "designs": designs, "patients": patients, "max_bars": charts.MAX_BARS,
        # what the participants table says of each study, and the clinical studies it cannot list
        "participants": {s.id: _participants_cell(s) for s in patients},
        "uncounted": [] if studies is not None else [s for s in charts.clinical_studies(c) if not participants(s)[0]],
        "chart_files": {"designs": charts.files(charts.CHART_DESIGNS), "patients": charts.files(charts.CHART_PATIENTS)},
        # registered trials that never reported (a year's page shows none)
        "trial_gaps": gaps,
        "registered_trials": len(c.all("trial")) if studies is None else 0,
        # what the tables' studies and trials name (classes, implantation site): Corpus.named
        "named": _named_each(c, clinical + preclinical), "trials_named": _named_each(c, [t for t, _ in gaps]),
        "chart_data": {"designs": charts.data_file(charts.CHART_DESIGNS), "patients": charts.data_file(charts.CHART_PATIENTS)},
    }


def _participants_cell(s: Record) -> str:
    n, counts = participants(s)
    return {"enrolled": f"{n}", "arms": f"{n} (the sum of its arms)",
            "treated": f"{n} treated (the other arms' sizes are not given)"}.get(counts, "")


def generate(corpus: Corpus, templates: Path, doc_citations: dict[str, list[str]] | None = None,
             doc_titles: dict[str, str] | None = None, schemas: dict[str, str] | None = None,
             cache: Path | None = None, history: History | None = None, changelog: str | None = None,
             memo: ServeMemo | None = None) -> Renderer:
    """Render every generated page; the returned Renderer holds them in .output.

    doc_citations: hand-written page path -> reference ids it cites; doc_titles: their titles;
    history: of data/ (What's new, record dates); changelog: CHANGELOG.md's text; memo: under
    `make serve`, what the last rebuild rendered (pages an edit cannot change come back).
    """
    if memo is not None:
        memo.start(corpus, templates, doc_citations, doc_titles, schemas, history, changelog,
                   glossary_forms(corpus))
    r = Renderer(corpus, templates, cache, memo)
    # templates call atlas/trials.py as `tr`: a global, not a view value, so that under serve
    # a page is still kept when nothing it shows has changed
    r.env.globals["tr"] = trials
    if history is not None:
        r.history = history
    r.changelog = changelog
    r.output.doc_titles = dict(doc_titles or {})
    r.schemas = dict(schemas or {})
    render_all(r)
    r.output.cited_by = r.cited_by(doc_citations or {})
    render_bibliography(r, _page_titles(r), LIST_SHOWN)
    r.output.assets.update(charts.render_all(corpus, cache / "charts" if cache else None))
    r.output.assets.update(charts.data_files(corpus))  # each chart's numbers, beside it
    # downloads: the whole bibliography, each hand-written page's references, schemas
    # (the data tables come with the data page)
    r.output.assets.update(reference_downloads(r, doc_citations or {}))
    r.output.assets.update({f"schemas/{name}": text for name, text in r.schemas.items()})
    return r  # its .output holds the pages; its formatted references serve hand-written pages too


def _long_dates(changelog: str) -> str:
    """Release headings '## 0.2.0 (2026-11-25)' as readers read dates: '## 0.2.0 (25 November 2026)'."""
    return re.sub(r"^(#+ .*\()(\d{4}-\d{2}-\d{2})(\))", lambda m: m.group(1) + whatsnew.long_date(m.group(2)) + m.group(3),
                  changelog, flags=re.M)


# -- generated sections of hand-written pages ------------------------------------------------
# A hand-written page (docs/*.md) takes a generated section with a line of its own:
#     <!-- atlas:could-i-take-part -->
# build.prepare() replaces the line with the section, rendered for that page (its links are
# relative to it) from the data of the build, before citations are filled in.

def could_i_take_part(r: Renderer, path: str) -> str:
    """Trials open to new participants, by therapy class and by country, with who the registry
    says can enrol."""
    c = r.corpus
    open_trials = [t for t in trials_in_order(c) if trials.status(t) in trials.OPEN]
    by_class: dict[str, list[Record]] = {}
    for t in open_trials:
        for k in t.get("classes") or ["(none)"]:
            by_class.setdefault(k, []).append(t)
    classes = [(c.get("therapy-class", k), ts) for k, ts in by_class.items()]
    classes.sort(key=lambda kt: (kt[0] is None, kt[0].title.lower() if kt[0] else ""))
    by_country: dict[str, list[Record]] = {}
    for t in open_trials:
        for country in (t.get("registry_record") or {}).get("countries") or ["Not stated in the record read"]:
            by_country.setdefault(country, []).append(t)
    read = sorted((t["registry_record"]["read"] for t in open_trials), reverse=True)
    return r.include(path, "could_i_take_part.md.j2", trials=open_trials, classes=classes,
                     countries=sorted(by_country.items(), key=lambda kv: (kv[0].startswith("Not stated"), kv[0])),
                     latest_read=read[0] if read else None, all_trials=len(c.all("trial")))


INCLUDES = {"could-i-take-part": could_i_take_part}
