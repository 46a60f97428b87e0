"""One function per page type: gather the view model, render its template.

To add a page type: write templates/<name>.md.j2 and list a job for it in render_all():
page(...) for a template and its data, or a function here returning r.page(...) when
the page needs a view model worked out. Record pages pass `source=` so "edit this page"
opens the YAML.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import partial

from .corpus import STAGE_LABELS, STAGES, Record, study_stage
from . import exports, jsonld
from .kinds import KINDS
from .schema import Schemas
from .render import RenderedPage, Renderer

CLINICAL = ("early-clinical", "randomised")


def render_all(r: Renderer) -> None:
    """Every page but the bibliography, which lists where each reference was cited."""
    c = r.corpus
    classes = sorted(c.all("therapy-class"), key=lambda x: x.title.lower())
    top = [k for k in classes if not k.get("parent")]
    trials = sorted(c.all("trial"), key=lambda t: t.id)
    limitations = sorted(c.all("limitation"), key=lambda x: (x["category"], x.title.lower()))
    sites = sorted(c.all("site"), key=lambda x: x.title.lower())
    products = sorted(c.all("product"), key=lambda x: x.title.lower())

    def page(path: str, template: str, **context):  # a job that renders one page
        return partial(r.page, path, template, **context)

    r.render_many([
        page("index.md", "home.md.j2", top_classes=top, classes=classes, counts=_counts(r)),
        page("classes/index.md", "classes_index.md.j2", top_classes=top),
        page("studies/index.md", "studies_index.md.j2", studies=c.studies_sorted),
        page("trials/index.md", "trials_index.md.j2", trials=trials),
        page("limitations/index.md", "limitations_index.md.j2", limitations=limitations),
        page("sites/index.md", "sites_index.md.j2", sites=sites),
        page("products/index.md", "products_index.md.j2", products=products),
        *[partial(class_page, r, k) for k in classes],
        *[partial(study_page, r, s) for s in c.studies_sorted],
        *[partial(trial_page, r, t) for t in trials],
        *[partial(limitation_page, r, lim) for lim in limitations],
        *[partial(site_page, r, site) for site in sites],
        *[partial(product_page, r, p) for p in products],
        page("organisations.md", "organisations.md.j2",
             organisations=sorted(c.all("organisation"), key=lambda x: x.title.lower())),
        page("glossary.md", "glossary.md.j2", terms=sorted(c.all("glossary-term"), key=lambda x: x.title.lower())),
        page("cell-sources.md", "cell_sources.md.j2",
             sources=sorted(c.all("cell-source"), key=lambda x: (not x.get("in_table_1"), x.title.lower()))),
        page("models.md", "models.md.j2", models=sorted(c.all("model"), key=lambda x: x["figure"])),
        partial(evidence_page, r),
        partial(data_page, r),
    ])


def evidence_page(r: Renderer) -> RenderedPage:
    return r.page("evidence.md", "evidence.md.j2", **_evidence_view(r))


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

def class_page(r: Renderer, k: Record) -> RenderedPage:
    return r.page(f"classes/{k.id}.md", "class.md.j2", source=k.relpath, title=k.title, tags=k.get("aliases"),
                  jsonld=jsonld.therapy_class(k), c=k, **_class_view(r, k))


def study_page(r: Renderer, s: Record) -> RenderedPage:
    return r.page(f"studies/{s.id}.md", "study.md.j2", source=s.relpath, title=s.title, tags=s.get("aliases"),
                  jsonld=jsonld.study(s, r.corpus), s=s)


def trial_page(r: Renderer, t: Record) -> RenderedPage:
    return r.page(f"trials/{t.id}.md", "trial.md.j2", source=t.relpath,
                  title=f"{t['identifier_as_printed']}: {t.title}", tags=t.get("aliases"),
                  jsonld=jsonld.trial(t, r.corpus), t=t, studies=r.corpus.studies_by_trial.get(t.id, []))


def limitation_page(r: Renderer, lim: Record) -> RenderedPage:
    c = r.corpus
    return r.page(f"limitations/{lim.id}.md", "limitation.md.j2", source=lim.relpath, title=lim.title,
                  tags=lim.get("aliases"), lim=lim, classes=c.limitation_classes.get(lim.id, []),
                  studies=c.limitation_studies.get(lim.id, []))


def site_page(r: Renderer, site: Record) -> RenderedPage:
    return r.page(f"sites/{site.id}.md", "site.md.j2", source=site.relpath, title=site.title,
                  tags=site.get("aliases"), site=site, studies=r.corpus.studies_by_site.get(site.id, []))


def product_page(r: Renderer, p: Record) -> RenderedPage:
    c = r.corpus
    return r.page(f"products/{p.id}.md", "product.md.j2", source=p.relpath, title=p.title, tags=p.get("aliases"),
                  p=p, studies=c.studies_by_product.get(p.id, []), trials=c.trials_by_product.get(p.id, []))


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
    """Per record kind: its schema file and a row per field (from the JSON Schemas themselves)."""
    docs = {name: json.loads(text) for name, text in r.schemas.items()}
    if not docs:
        return []
    schemas = Schemas(documents=docs)
    out = []
    for kind in KINDS:
        top = docs[kind.schema]
        out.append({"kind": kind, "title": top.get("title", kind.label), "description": top.get("description", ""),
                    "schema": f"schemas/{kind.schema}", "fields": schemas.field_rows(kind)})
    return out


def _counts(r: Renderer) -> dict[str, int]:
    return {k: len(v) for k, v in r.corpus.records.items()}


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
        "stage_counts": Counter(study_stage(s) for s in studies),
        "outcomes": outcomes,
        "limitations": c.class_limitations.get(k.id, []),
        "trials": sorted(trials.values(), key=lambda t: t.id),
    }


def _page_titles(r: Renderer) -> dict[str, str]:
    """A title for every page that can cite, for the bibliography's 'cited by' lists."""
    titles = {"index.md": "Home", "evidence.md": "Evidence overview", "glossary.md": "Glossary",
              "cell-sources.md": "Sources of insulin-producing cells", "models.md": "Proposed models",
              "organisations.md": "Organisations", "data.md": "Data and downloads", **r.site.doc_titles}
    for folder, kind in (("classes", "therapy-class"), ("studies", "study"), ("trials", "trial"),
                         ("limitations", "limitation"), ("sites", "site"), ("products", "product")):
        for rec in r.corpus.all(kind):
            titles[f"{folder}/{rec.id}.md"] = rec.title
    return titles


def _evidence_view(r: Renderer) -> dict:
    c = r.corpus
    classes = sorted(c.all("therapy-class"), key=lambda x: (x.get("parent") or x.id, x.get("parent") is not None, x.title))
    leaves = [k for k in classes if not c.class_children.get(k.id)]
    limitations = sorted(c.all("limitation"), key=lambda x: (x["category"], x.title.lower()))
    # class x limitation: studies of the class that show the limitation; None where it does not apply
    lim_matrix = {}
    for lim in limitations:
        showing = {s.id for s in c.limitation_studies.get(lim.id, [])}
        applies = {k.id for k in c.limitation_classes.get(lim.id, [])}
        for k in leaves:
            n = sum(1 for s in c.studies_by_class.get(k.id, []) if s.id in showing)
            lim_matrix[(lim.id, k.id)] = n if (n or k.id in applies) else None
    stage_matrix = {(k.id, st): [s for s in c.studies_by_class.get(k.id, []) if study_stage(s) == st]
                    for k in leaves for st in STAGES}
    clinical = [s for s in c.studies_sorted if study_stage(s) in CLINICAL]
    preclinical = [s for s in c.studies_sorted if study_stage(s) not in CLINICAL]
    by_year = defaultdict(list)
    for s in c.studies_sorted:
        by_year[s.get("year")].append(s)
    design_counts = {k.id: Counter(s["design"] for s in c.studies_by_class.get(k.id, [])) for k in leaves}
    designs = sorted({d for cnt in design_counts.values() for d in cnt})
    return {
        "leaves": leaves, "limitations": limitations, "lim_matrix": lim_matrix,
        "stages": STAGES, "stage_labels": STAGE_LABELS, "stage_matrix": stage_matrix,
        "clinical": clinical, "preclinical": preclinical,
        "years": sorted(by_year.items(), key=lambda kv: kv[0] or 0), "design_counts": design_counts,
        "designs": designs, "patients": [s for s in clinical if s.get("enrolled") and s["design"] != "meta-analysis"],
    }
