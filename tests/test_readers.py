"""Answers for each reader: plain language and certainty on every class page (checked in the
built HTML, reading level measured with textstat), the page for people living with T1D,
safety and 'not reported' as data, field completeness, and the lay glossary on touch and
keyboard."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT, html, need, run_atlas
from test_browser import page  # noqa: F401  (fixture: a desktop page)

from atlas.certainty import DOMAINS
from atlas.certainty import level as certainty_level
from atlas.completeness import FACTS, completeness
from atlas.corpus import load_corpus

PLAIN = "In plain language"
CERTAINTY = "Certainty of the evidence"
LEVELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}


class Sections(HTMLParser):
    """The article's h2 headings in order, with the visible text under each."""

    def __init__(self):
        super().__init__()
        self.sections: list[list] = []  # [heading, text]
        self._in_article = self._in_h2 = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self._in_article = True
        elif self._in_article and tag == "h2":
            self._in_h2 = True
            self.sections.append(["", ""])
        elif tag == "a" and "headerlink" in (a.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif tag == "h2":
            self._in_h2 = False
        elif tag == "a" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._in_article or not self.sections or self._skip:
            return
        self.sections[-1][0 if self._in_h2 else 1] += data


def sections(page_html: str) -> dict[str, str]:
    p = Sections()
    p.feed(page_html)
    return {h.strip(): re.sub(r"\s+", " ", t).strip() for h, t in p.sections}


def headings(page_html: str) -> list[str]:
    p = Sections()
    p.feed(page_html)
    return [h.strip() for h, _ in p.sections]


def reading_text(text: str) -> str:
    """Prose as a reader measures it: citation brackets like [12] or [12, 40] dropped."""
    return re.sub(r"\s*\[[^\]]*\]", "", text)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT)


def test_every_class_page_opens_with_plain_language_and_certainty(built_site, corpus):
    classes = corpus.all("therapy-class")
    assert classes
    for k in classes:
        page_html = html(built_site, f"classes/{k.id}.md")
        order = headings(page_html)
        assert PLAIN in order and CERTAINTY in order, (k.id, order)
        # near the top: before the specialist sections
        assert order.index(PLAIN) == 0 and order.index(CERTAINTY) == 1, (k.id, order)
        body = sections(page_html)
        level = LEVELS[certainty_level(k["certainty"])]
        assert f"{level} certainty" in body[CERTAINTY]
        assert "atlas's own appraisal" in body[CERTAINTY] and "not the review's" in body[CERTAINTY]
        # the rationale is on the page, with its citations
        assert 'class="cite"' in page_html.split('id="certainty"', 1)[1].split("<h2", 1)[0]


def test_plain_language_meets_the_reading_level(built_site, corpus):
    try:
        import textstat
    except ImportError:
        need(False, "textstat is not installed (pip install -r requirements.txt)")
    for k in corpus.all("therapy-class"):
        text = reading_text(sections(html(built_site, f"classes/{k.id}.md"))[PLAIN])
        words = len(text.split())
        assert 80 <= words <= 150, f"{k.id}: {words} words in '{PLAIN}' (80 to 150 expected)"
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= 9, f"{k.id}: Flesch-Kincaid grade {grade} (9 or lower expected): {text}"


def test_every_certainty_rating_has_a_cited_rationale(corpus):
    for k in corpus.all("therapy-class"):
        ct = k["certainty"]
        assert certainty_level(ct) in LEVELS and all(ct["domains"][d]["reason"] for d in DOMAINS), k.id
        assert len(ct["rationale"].split()) >= 10 and "[@" in ct["rationale"], k.id


def test_a_rating_without_rationale_is_rejected(project):
    path = project / "data/classes/cell-class.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n  rationale: [^\n]*", "", text), encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert "data/classes/cell-class.yaml" in result.stdout and "rationale" in result.stdout


def test_certainty_badges_in_class_index_and_evidence_overview(built_site, corpus):
    for page_path in ("classes/index.md", "evidence.md"):
        page_html = html(built_site, page_path)
        for k in corpus.all("therapy-class"):
            if page_path == "evidence.md" and corpus.class_children.get(k.id):
                continue  # the overview's matrices list the classes without sub-classes
            badge = re.search(rf'<a href="[^"]*{re.escape(k.id)}/(?:#certainty)?"[^>]*>.*?</tr>', page_html, re.S)
            assert badge, (page_path, k.id)
            assert f"atlas-certainty--{certainty_level(k['certainty'])}" in badge.group(0), (page_path, k.id)


def test_page_for_people_living_with_t1d_is_reached_from_home_and_dated(built_site):
    home = html(built_site, "index.md")
    assert 'href="living-with-type-1-diabetes/"' in home
    page_html = html(built_site, "living-with-type-1-diabetes.md")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S).group(1)
    assert "living with type 1 diabetes" in title.lower()
    assert re.search(r"Written \d{1,2} \w+ 20\d\d", page_html)
    order = headings(page_html)
    for topic in ("cure", "tried in people", "risks", "trial", "atlas stops"):
        assert any(topic in h.lower() for h in order), (topic, order)
    assert "clinicaltrials.gov" in page_html and 'class="cite"' in page_html


def test_not_reported_conflicts_with_an_entered_value(project):
    path = project / "data/studies/alpha-2020.yaml"
    text = path.read_text(encoding="utf-8")
    assert "enrolled: 20" in text
    path.write_text(text.rstrip("\n") + "\nnot_reported:\n- enrolled\n", encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    line = next(ln for ln in result.stdout.splitlines() if "not-reported-conflict" in ln)
    assert line.startswith("data/studies/alpha-2020.yaml:") and "'enrolled'" in line


def test_completeness_command_counts_entered_and_not_reported(project):
    corpus = load_corpus(project)
    studies = corpus.all("study")
    rows = {r.fact.key: r for r in completeness(studies)}
    result = run_atlas(project, "completeness")
    assert result.returncode == 0, result.stderr
    for fact in FACTS:
        r = rows[fact.key]
        assert r.entered + r.not_reported + r.missing == r.applicable
        assert f"| {fact.label} | {r.applicable} | {r.entered} (" in result.stdout
    # declaring a missing fact moves it from "not yet entered" to "not reported"
    missing = next((r for r in rows.values() if r.missing), None)
    if missing:
        path = project / "data/studies/alpha-2020.yaml"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\nnot_reported:\n- {missing.fact.key}\n",
                        encoding="utf-8")
        after = {r.fact.key: r for r in completeness(load_corpus(project).all("study"))}[missing.fact.key]
        assert (after.not_reported, after.missing) == (missing.not_reported + 1, missing.missing - 1)


def test_comparison_tables_have_a_safety_column_and_say_not_reported(built_site, corpus):
    page_html = html(built_site, "evidence.md")
    for anchor in ("clinical", "preclinical"):
        table = page_html.split(f'id="{anchor}"', 1)[1].split("</table>", 1)[0]
        assert ">Safety</th>" in table, anchor
        assert "n/r" in table or not any(s.get("not_reported") for s in corpus.all("study"))
    assert "not reported by the source" in page_html


def test_lay_glossary_words_carry_their_plain_definition(built_site, corpus):
    lay = [t for t in corpus.all("glossary-term") if t.get("lay")]
    assert lay
    page_html = html(built_site, "living-with-type-1-diabetes.md")
    found = [t for t in lay if f'<abbr title="{t["expansion"]}">' in page_html.replace("&#x27;", "'")]
    assert found, "no lay glossary word is explained on the page for people living with T1D"


def test_glossary_definition_shows_on_keyboard_focus_and_tap(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    pg = context.new_page()
    pg.goto(site_url + "living-with-type-1-diabetes/")
    linked = pg.locator("article a abbr[title]")
    if linked.count():  # a word inside a link stays a link: tapping it navigates
        assert linked.first.get_attribute("tabindex") is None
    abbr = pg.locator("article abbr[title]:not(a abbr)").first
    title = abbr.get_attribute("title")
    abbr.focus()
    tip = pg.locator(".atlas-abbr-tip")
    assert tip.is_visible() and tip.inner_text() == title
    pg.keyboard.press("Escape")
    assert tip.count() == 0
    abbr.tap()
    assert tip.is_visible() and tip.inner_text() == title
    context.close()


def test_abbreviations_with_a_plain_line_show_it_on_hover(built_site, corpus):
    with_plain = [t for t in corpus.all("glossary-term") if t.get("plain") and not t.get("lay")]
    assert with_plain
    pages = [html(built_site, f"classes/{k.id}.md") for k in corpus.all("therapy-class")]
    pages.append(html(built_site, "living-with-type-1-diabetes.md"))
    seen = 0
    for t in with_plain:
        titles = {m for p in pages for m in re.findall(rf'<abbr title="([^"]*)">{re.escape(t["term"])}</abbr>', p)}
        for title in titles:
            assert title.replace("&#x27;", "'").endswith(t["plain"]), (t.id, title)
        seen += bool(titles)
    assert seen, "no abbreviation with a plain line appears on the class pages or the T1D page"
