"""The text helpers and the page context templates call, tested on their own."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, copy_project

from atlas.corpus import load_corpus
from atlas.render import PageContext, Renderer
from atlas.text import Md, attr, escape_md, label, number, page_title, quantity, safe

HOSTILE = '<script>alert(1)</script> [click](javascript:alert(1)) *bold* {: onclick="x" }'


# -- text helpers --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("plain words", "plain words"),
    ("<b>&", "&lt;b&gt;&amp;"),
    ("[a](b) *c* _d_ `e` #f !g |h", r"\[a\]\(b\) \*c\* \_d\_ \`e\` \#f \!g \|h"),
    ("- not a list", r"\- not a list"),
    ("12. not a list", r"\12. not a list"),
    ("one\n\n  line", "one line"),
    (" edge ", " edge "),
])
def test_escape_md(text, expected):
    assert escape_md(text) == expected


def test_attr_keeps_a_link_title_closed():
    assert attr('a "quoted" (x) [y] \\') == "a &quot;quoted&quot; &#40;x&#41; &#91;y&#93; &#92;"


def test_page_title_holds_no_markup_characters():
    title = page_title('<img src=x onerror="y"> & `z`')
    assert not set(title) & set('<>&"`')


@pytest.mark.parametrize("value, expected", [
    (3, "3"), (3.0, "3"), (1.5, "1.5"), (20000000, "2 × 10⁷"), (100000, "10⁵"), (99999, "99999"),
    (True, ""), (None, ""),
])
def test_number(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize("q, expected", [
    (None, ""), ({"value": 50, "unit": "%"}, "50%"), ({"value": 2, "unit": "years"}, "2 years"),
    ({"low": 1, "high": 2, "unit": "%"}, "1–2%"), ({"value": 6, "unit": "months", "text": "median"}, "6 months (median)"),
    ({"text": "at the last visit"}, "at the last visit"),
])
def test_quantity(q, expected):
    assert quantity(q) == expected


def test_label():
    assert label("single-arm-trial") == "Single-arm trial"
    assert label("hba1c") == "HbA1c"
    assert label("some-new-value") == "Some new value"
    assert label(None) == ""


def test_safe_escapes_everything_but_built_markdown():
    assert safe(HOSTILE) == escape_md(HOSTILE)
    assert safe(Md("[built](x.md)")) == "[built](x.md)"
    assert safe(None) == "" and safe(7) == "7"


# -- the page context -----------------------------------------------------------------

@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> Renderer:
    project = copy_project(tmp_path_factory.mktemp("render") / "proj", FIXTURES / "mini")
    templates = project / "templates"
    (templates / "raw.md.j2").write_text("{% import '_macros.md.j2' as m %}{{ record['summary'] }}|"
                                         "{{ page.text(record['summary']) }}|{{ page.link(record) }}|"
                                         "{{ m.aliases(page, record) }}", encoding="utf-8")
    corpus = load_corpus(project)
    study = corpus.get("study", "alpha-2020")
    study.data["summary"] = HOSTILE + " [@beta-2021]"
    study.data["aliases"] = ["<i>x</i>"]
    return Renderer(corpus, templates)


def test_a_template_printing_a_raw_field_gets_it_escaped(renderer):
    study = renderer.corpus.get("study", "alpha-2020")
    body = renderer.page("x.md", "raw.md.j2", record=study).body
    raw, text, link, aliases = body.split("|", 3)
    assert raw == escape_md(study["summary"])  # printed as it is in the template, escaped by the environment
    assert "<script>" not in body and "](javascript:" not in body and "<i>" not in body
    assert text.startswith(escape_md(HOSTILE)) and '[1](bibliography.md#ref-1 ' not in text
    assert "[2](bibliography.md#ref-2 " in text  # the one citation we build
    assert link == f"[{escape_md(study.title)}](studies/alpha-2020.md)"
    assert "&lt;i&gt;x&lt;/i&gt;" in aliases  # macro output is not escaped twice


def test_urls_are_relative_to_the_page(renderer):
    page = PageContext("studies/alpha-2020.md", renderer)
    assert page.url("bibliography.md", "ref-1") == "../bibliography.md#ref-1"
    assert page.url("studies/alpha-2020.md", "outcomes") == "#outcomes"
    assert page.url("studies/beta.md") == "beta.md"
    assert page.href(renderer.corpus.get("therapy-class", "cell-class")) == "../classes/cell-class.md"
    assert page.href(renderer.corpus.get("glossary-term", "stz")) == "../glossary.md#stz"
    assert page.link(None) == ""


def test_citations_are_remembered_once_in_order_and_listed(renderer):
    page = PageContext("index.md", renderer)
    first = page.cite(["beta-2021", "alpha-2020"])
    page.cite("beta-2021")
    page.text("again [@alpha-2020; @beta-2021]")
    # a group is shown in the review's order, and remembered in that order
    assert [r.id for r in page.cited] == ["alpha-2020", "beta-2021"]
    assert first.startswith('<span class="cite">\\[[1](bibliography.md#ref-1 "')
    footer = page.references_footer()
    assert footer.index("ref-1") < footer.index("ref-2")
    assert "references/index.bib" in footer
    with pytest.raises(KeyError):
        page.cite(["no-such-reference"])
    assert PageContext("other.md", renderer).references_footer() == ""


def test_code_spans_hold_any_text(renderer):
    page = PageContext("data.md", renderer)
    assert page.code("authors[].family") == "`authors[].family`"
    assert page.code("a`b") == "`` a`b ``"


@pytest.mark.parametrize("outcome, expected", [
    ({"value": 50, "unit": "%", "comparison_value": 20}, "50% vs 20"),
    ({"value": 1.5, "unit": "mg/dL"}, "1.5 mg/dL"),
    ({"value": 3}, "3"),
    ({"finding": "no value"}, ""),
    ({"value": 2, "unit": "<b>"}, "2 &lt;b&gt;"),
])
def test_an_outcome_value_follows_the_quantity_rule(renderer, outcome, expected):
    assert PageContext("x.md", renderer).measured(outcome) == expected


def test_trial_links_go_to_the_registry(renderer):
    trial = renderer.corpus.get("trial", "nct01234567")
    assert PageContext("x.md", renderer).trial_url(trial) == "https://clinicaltrials.gov/study/NCT01234567"


def test_corrections_and_aliases_are_said_one_way(renderer):
    page = PageContext("x.md", renderer)
    fixed = page.correction({"field": "doi", "printed": "10.1/[x]", "corrected": "10.1/(x)", "note": "Bad <b>."})
    assert fixed == "the review printed «10.1/\\[x\\]»; corrected to «10.1/\\(x\\)». Bad &lt;b&gt;."
    kept = page.correction({"field": "year", "printed": "2019", "note": "Unsure [@alpha-2020]."})
    assert kept.startswith("the review printed «2019»; kept as printed, not corrected. Unsure <span class=\"cite\">")
    study = renderer.corpus.get("study", "alpha-2020")
    assert page.aliases(study) == "&lt;i&gt;x&lt;/i&gt;"


def test_author_initials_are_guarded_only_where_a_glossary_form_would_match():
    from atlas.abbreviations import forms_pattern
    from atlas.citations.formats import _author
    forms = forms_pattern(frozenset({"DM", "MSC", "Vitamin D", "stem cell"}))
    assert _author({"family": "Bellin", "given": "MD"}, forms) == "Bellin MD"
    assert _author({"family": "Bellin", "given": "DM"}, forms) == "Bellin &#68;M"  # reads the same, no tooltip
    assert _author({"family": "Vitamin", "given": "D"}, forms) == "Vitamin &#68;"  # a form across the name
    assert _author({"family": "Ng", "given": "A DM", "suffix": "Jr"}, forms) == "Ng A &#68;M Jr"
    assert _author({"family": "O_Neil", "given": "*X*"}, forms) == "O\\_Neil \\*X\\*"


def test_a_chart_without_rows_draws_an_empty_axis_without_a_warning():
    """An atlas with no studies yet: matplotlib warned about a singular axis on every build."""
    import warnings

    from atlas import charts
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = charts._bars(charts._plt(), [], [("Participants enrolled", [])], "Participants", "light", "wide")
    assert svg.startswith(b"<") or b"<svg" in svg
