"""One function per page type: gather the view model, render its template.

Record kinds need nothing here: their pages follow from kinds.py (a kind whose template
needs more than `record` and `linked` lists a view in RECORD_VIEWS). To add another page
type: write templates/<name>.md.j2 and list a job for it in render_all(): page(...) for a
template and its data, or a function here returning r.page(...) when the page needs a
view model worked out.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from .corpus import STAGE_LABELS, STAGES, Corpus, Record, study_stage
from . import charts, datadict, exports, jsonld, whatsnew
from .history import History
from .text import Md
from .kinds import KINDS
from .render import RenderedPage, Renderer, page_exports_stem
from .searchterms import search_terms

CLINICAL = ("early-clinical", "randomised")
COMPACT_SEARCH_STUDIES = 1000


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
        page("index.md", "home.md.j2", top_classes=top, classes=classes, counts=_counts(r)),
        *[page(f"{k.page}index.md", k.index_template, **_list_view(r, k)) for k in own if k.index_template],
        *[partial(record_page, r, rec) for k in own for rec in c.in_order(k.name)],
        *[page(k.page, k.template, **_list_view(r, k)) for k in shared],
        partial(evidence_page, r),
        partial(data_page, r),
        partial(whats_new_page, r),
        *([page(whatsnew.RELEASES, "releases.md.j2", source="CHANGELOG.md", title="Release notes",
                changelog=Md(r.changelog))] if r.changelog is not None else []),  # maintainers' Markdown
    ])


def evidence_page(r: Renderer) -> RenderedPage:
    return r.page("evidence.md", "evidence.md.j2", **_evidence_view(r))


def whats_new_page(r: Renderer) -> RenderedPage:
    """Every change to the records, newest first, grouped by month (from git history)."""
    every = whatsnew.items(r.history, r.corpus)
    listed = every[:whatsnew.PAGE_ITEMS]
    months: dict[str, list] = {}
    for it in listed:
        months.setdefault(whatsnew.long_date(it.date).split(" ", 1)[1], []).append(it)
    return r.page(whatsnew.PAGE, "whats_new.md.j2", title="What's new", history=r.history,
                  months=list(months.items()), long_date=whatsnew.long_date, actions=whatsnew.ACTIONS,
                  more=len(every) - len(listed), releases=r.changelog is not None)


def data_page(r: Renderer) -> RenderedPage:
    """The downloads page, with the data tables it offers."""
    tables = exports.data_tables(r.corpus)
    downloads = _downloads()
    rows = {name.capitalize(): len(table) for name, table in tables.items()}
    rows["References"] = len(r.corpus.all("reference"))
    rendered = r.page(
        "data.md", "data.md.j2", title="Data and downloads", downloads=downloads, rows=rows,
        kinds=_data_dictionary(r),
        jsonld=jsonld.dataset([(url, fmt, f"{label} ({short})") for label, items in downloads for url, fmt, short in items],
                              "T1D stem-cell evidence atlas: studies, outcomes, trials, limitations and references",
                              "Structured records of stem-cell therapy studies for type 1 diabetes, with every "
                              "outcome's source, built from Ghoneim et al. 2024 (CC BY 4.0)."))
    rendered.assets.update(exports.data_files(tables))
    return rendered


# -- record pages: one per record, independent of one another ----------------------------

def record_page(r: Renderer, rec: Record) -> RenderedPage:
    """A record's own page: where, which template and its title come from its Kind; what the
    template is given, from the kind's view (a `record` and what links to it, by default)."""
    kind = rec.kind
    view = RECORD_VIEWS.get(kind.name, _record_view)
    return r.page(kind.location(rec)[0], kind.template, source=rec.relpath, title=kind.title_of_page(rec),
                  tags=search_terms(rec, r.corpus), **view(r, rec))


def _record_view(r: Renderer, rec: Record) -> dict:
    return {"record": rec, "linked": r.corpus.linked(rec)}


def _study_view(r: Renderer, s: Record) -> dict:
    # A reader's browser downloads the whole search index. Past this many studies, a study
    # page is indexed by its title, aliases and summary only (bench/RESULTS.md).
    compact = len(r.corpus.studies_sorted) > COMPACT_SEARCH_STUDIES
    return {"jsonld": jsonld.study(s, r.corpus), "s": s, "compact_search": compact,
            "outcomes": [(s, o) for o in s.get("outcomes", [])]}


def _trial_view(r: Renderer, t: Record) -> dict:
    return {"jsonld": jsonld.trial(t, r.corpus), "t": t, "studies": r.corpus.studies_by_trial.get(t.id, [])}


def _limitation_view(r: Renderer, lim: Record) -> dict:
    c = r.corpus
    return {"lim": lim, "classes": c.limitation_classes.get(lim.id, []), "studies": c.limitation_studies.get(lim.id, [])}


def _site_view(r: Renderer, site: Record) -> dict:
    return {"site": site, "studies": r.corpus.studies_by_site.get(site.id, [])}


def _product_view(r: Renderer, p: Record) -> dict:
    c = r.corpus
    return {"p": p, "studies": c.studies_by_product.get(p.id, []), "trials": c.trials_by_product.get(p.id, [])}


def _list_view(r: Renderer, kind) -> dict:
    """What an index page or a shared page is given: the kind's records, in its order."""
    records = r.corpus.in_order(kind.name)
    return LIST_VIEWS[kind.name](records) if kind.name in LIST_VIEWS else {"records": records}


# What a kind's templates are given, for kinds whose templates need more than a `record`
# and `linked` (own pages) or `records` (index and shared pages).
RECORD_VIEWS = {
    "therapy-class": lambda r, k: {"jsonld": jsonld.therapy_class(k), "c": k, **_class_view(r, k)},
    "study": _study_view, "trial": _trial_view, "limitation": _limitation_view, "site": _site_view,
    "product": _product_view,
}
LIST_VIEWS = {
    "therapy-class": lambda recs: {"top_classes": [k for k in recs if not k.get("parent")]},
    "study": lambda recs: {"studies": recs}, "trial": lambda recs: {"trials": recs},
    "limitation": lambda recs: {"limitations": recs}, "site": lambda recs: {"sites": recs},
    "product": lambda recs: {"products": recs}, "organisation": lambda recs: {"organisations": recs},
    "glossary-term": lambda recs: {"terms": recs}, "cell-source": lambda recs: {"sources": recs},
    "model": lambda recs: {"models": recs},
}


def render_bibliography(r: Renderer) -> None:
    r.render("bibliography.md", "bibliography.md.j2", references=r.corpus.references_by_number,
             cited_by=r.site.cited_by, page_titles=_page_titles(r),
             jsonld=jsonld.bibliography(r.corpus.references_by_number))


def _downloads() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(table, [(path, media type, format name)]) for the data page and its Dataset JSON-LD."""
    out = [(name.capitalize(), [(f"data/{name}.csv", "text/csv", "CSV"),
                                (f"data/{name}.json", "application/json", "JSON")])
           for name in exports.TABLES]
    out.append(("References", [("references/bibliography.bib", "application/x-bibtex", "BibTeX"),
                               ("references/bibliography.ris", "application/x-research-info-systems", "RIS"),
                               ("references/bibliography.json", "application/vnd.citationstyles.csl+json",
                                "CSL-JSON")]))
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
    trials = {t.id: t for sub in c.class_and_descendants(k.id) for t in c.trials_by_class.get(sub, [])}
    return {
        "parent": c.get("therapy-class", k.get("parent")),
        "children": [c.get("therapy-class", x) for x in c.class_children.get(k.id, [])],
        "studies": studies,
        "stages": STAGES,
        "stage_counts": Counter(study_stage(s) for s in studies),
        "outcomes": outcomes,
        "limitations": c.class_limitations.get(k.id, []),
        # how a limitation bears on this class: the class's own studies that show it
        "limitation_studies": {lim.id: [s for s in c.limitation_studies.get(lim.id, []) if s in studies]
                               for lim in c.class_limitations.get(k.id, [])},
        "trials": sorted(trials.values(), key=lambda t: t.id),
    }


def _page_titles(r: Renderer) -> dict[str, str]:
    """A title for every page that can cite, for the bibliography's 'cited by' lists."""
    titles = {"index.md": "Home", "evidence.md": "Evidence overview", "data.md": "Data and downloads"}
    for kind in KINDS:
        if kind.own_pages:
            titles.update((kind.location(rec)[0], rec.title) for rec in r.corpus.all(kind.name))
        else:
            titles[kind.page] = kind.page_name
    titles.update(r.site.doc_titles)
    return titles


def _evidence_view(r: Renderer) -> dict:
    c = r.corpus
    leaves, designs, design_counts = charts.class_rows(c)  # the chart draws the same rows
    limitations = c.in_order("limitation")
    # class x limitation, an evidence-gap map: the class's studies that show the limitation,
    # counted per stage; an empty count where it applies but no study shows it, None where
    # it is not recorded for the class
    lim_matrix = {}
    for lim in limitations:
        showing = {s.id for s in c.limitation_studies.get(lim.id, [])}
        applies = {k.id for k in c.limitation_classes.get(lim.id, [])}
        for k in leaves:
            n = Counter(study_stage(s) for s in c.studies_by_class.get(k.id, []) if s.id in showing)
            lim_matrix[(lim.id, k.id)] = {st: n[st] for st in STAGES if n[st]} if (n or k.id in applies) else None
    stage_matrix = {(k.id, st): [s for s in c.studies_by_class.get(k.id, []) if study_stage(s) == st]
                    for k in leaves for st in STAGES}
    clinical = [s for s in c.studies_sorted if study_stage(s) in CLINICAL]
    preclinical = [s for s in c.studies_sorted if study_stage(s) not in CLINICAL]
    by_year = defaultdict(list)
    for s in c.studies_sorted:
        by_year[s.get("year")].append(s)
    return {
        "leaves": leaves, "limitations": limitations, "lim_matrix": lim_matrix,
        "stages": STAGES, "stage_labels": STAGE_LABELS, "stage_matrix": stage_matrix,
        "clinical": clinical, "preclinical": preclinical,
        "years": sorted(by_year.items(), key=lambda kv: kv[0] or 0), "design_counts": design_counts,
        "designs": designs, "patients": charts.enrolment_rows(c), "max_bars": charts.MAX_BARS,
        "chart_files": {"designs": charts.files(charts.CHART_DESIGNS), "patients": charts.files(charts.CHART_PATIENTS)},
    }


def generate(corpus: Corpus, templates: Path, doc_citations: dict[str, list[str]] | None = None,
             doc_titles: dict[str, str] | None = None, schemas: dict[str, str] | None = None,
             cache: Path | None = None, history: History | None = None, changelog: str | None = None) -> Renderer:
    """Render every generated page; the returned Renderer holds them in .site.

    doc_citations: hand-written page path -> reference ids it cites; doc_titles: their titles;
    history: of data/ (What's new, record dates); changelog: CHANGELOG.md's text.
    """
    r = Renderer(corpus, templates, cache)
    if history is not None:
        r.history = history
    r.changelog = changelog
    r.site.doc_titles = dict(doc_titles or {})
    r.schemas = dict(schemas or {})
    render_all(r)
    r.site.cited_by = r.cited_by(doc_citations or {})
    render_bibliography(r)
    r.site.assets.update(charts.render_all(corpus, cache / "charts" if cache else None))
    # downloads: the whole bibliography, each hand-written page's references, schemas
    # (the data tables come with the data page)
    r.site.assets.update(r.reference_files(corpus.references_by_number, "references/bibliography"))
    for path, keys in (doc_citations or {}).items():
        refs = [corpus.get("reference", k) for k in dict.fromkeys(keys)]
        r.site.assets.update(r.reference_files([x for x in refs if x], page_exports_stem(path)))
    r.site.assets.update({f"schemas/{name}": text for name, text in r.schemas.items()})
    return r  # its .site is the output; its formatted references serve hand-written pages too

