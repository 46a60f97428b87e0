"""The evidence overview counts every study: studies filed under a family of classes (and under
none of its sub-classes) get a row of their own, labelled so; the participants table lists every
clinical study that gives a number and names those that do not; the design chart's legend tells
designs apart by colour and pattern, not colour alone. Expected values come from the data."""
from __future__ import annotations

import re

import lxml.html
from conftest import ROOT, html

from atlas import charts
from atlas.corpus import DESIGN_STAGE, load_corpus, participants


def test_every_study_is_in_a_row_of_the_matrices_and_charts():
    corpus = load_corpus(ROOT)
    rows = charts.leaf_classes(corpus)
    counted = {s.id for k in rows for s in charts.row_studies(corpus, k)}
    assert counted == {s.id for s in corpus.all("study")}
    for k in rows:  # no study counted twice within one family's rows
        family = [s.id for r in rows if (r.get("parent") or r.id) == (k.get("parent") or k.id)
                  for s in charts.row_studies(corpus, r)]
        if corpus.class_children.get(k.id):
            assert "not in a sub-class" in charts.row_name(corpus, k)
            own = {s.id for s in charts.row_studies(corpus, k)}
            assert own and not own & {s.id for c in corpus.class_children[k.id] for s in corpus.studies_by_class[c]}
        assert family


def test_the_overview_tables_add_up_to_every_study(built_site):
    corpus = load_corpus(ROOT)
    doc = lxml.html.fromstring(html(built_site, "evidence.md"))
    table = doc.xpath("//h2[@id='class-by-stage']/following::table[1]")[0]
    total = sum(int(td.text_content()) for tr in table.xpath("./tbody/tr") for td in tr.xpath("./td")[1:-1])
    expected = sum(len(charts.row_studies(corpus, k)) for k in charts.leaf_classes(corpus))
    assert total == expected >= len(corpus.all("study"))


def test_the_participants_table_lists_or_names_every_clinical_study(built_site):
    corpus = load_corpus(ROOT)
    doc = lxml.html.fromstring(html(built_site, "evidence.md"))
    table = doc.xpath("//table[thead/tr/th[2][normalize-space()='Participants']]")[0]
    listed = {re.search(r"studies/([a-z0-9-]+)/", a.get("href")).group(1) for a in table.xpath(".//td[1]//a")}
    named = doc.xpath("//p[starts-with(normalize-space(), 'Clinical studies whose sources give no number')]")
    unnamed = {re.search(r"studies/([a-z0-9-]+)/", a.get("href")).group(1) for p in named for a in p.xpath(".//a")}
    clinical = {s.id for s in charts.clinical_studies(corpus)}
    assert listed | unnamed == clinical and not listed & unnamed
    assert listed == {s.id for s in clinical_with_numbers(corpus)}
    for tr in table.xpath("./tbody/tr"):
        sid = re.search(r"studies/([a-z0-9-]+)/", tr.xpath(".//td[1]//a")[0].get("href")).group(1)
        assert tr.xpath("./td")[1].text_content().startswith(str(participants(corpus.get("study", sid))[0]))


def clinical_with_numbers(corpus):
    return [s for s in charts.clinical_studies(corpus) if participants(s)[0]]


def test_the_design_legend_needs_no_colour_vision():
    designs = sorted(DESIGN_STAGE, key=lambda d: (list(charts.STAGE_COLOURS).index(DESIGN_STAGE[d]), d))
    styles = charts.design_styles(designs)
    pairs = [(s["color"], s["hatch"]) for s in styles]
    assert len(set(pairs)) == len(pairs), "two designs drawn alike"
    assert len({s["color"] for s in styles}) <= 4  # one colour per stage of evidence
    # within a colour, every design has its own pattern
    for colour in {s["color"] for s in styles}:
        hatches = [s["hatch"] for s in styles if s["color"] == colour]
        assert len(set(hatches)) == len(hatches)
