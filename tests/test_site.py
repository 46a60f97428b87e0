"""The built site, read as HTML: pages, cross-links, citations, search index, offline, safety."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ENGINE, FIXTURES, ROOT, copy_project, html, mkdocs_build, need, run_atlas

from atlas.corpus import load_corpus
from atlas.text import label


def hrefs(page_html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page_html)


def table_rows(page_html: str, section: str) -> list[list[str]]:
    """The cells' text of the first table after the heading with this id."""
    from lxml import html as lxml_html
    tree = lxml_html.fromstring(page_html)
    heading = tree.get_element_by_id(section)
    table = heading.getnext()
    while table is not None and table.tag != "table" and not table.findall(".//table"):
        table = table.getnext()
    table = table if table.tag == "table" else table.find(".//table")
    return [[" ".join(cell.text_content().split()) for cell in row.findall("td")] for row in table.iter("tr")
            if row.findall("td")]


def article(page_html: str) -> str:
    """The page's own content, without navigation."""
    return page_html.split('<article', 1)[1].split("</article>", 1)[0]


# What the pages should show is worked out from the YAML files themselves, not pinned: a
# contribution that adds a study or a reference changes the expectations with the pages.

def records(folder: str) -> list[dict]:
    """The records of data/<folder>/, as their files say, in file name order."""
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "data" / folder).glob("*.yaml"))]


def references() -> dict[str, dict]:
    return {r["id"]: r for r in records("references")}


def a_study() -> tuple[dict, dict]:
    """A study reported by a numbered reference with a DOI and with arms of known size, and that reference."""
    refs = references()
    for study in records("studies"):
        primary = [refs[c["ref"]] for c in study["citations"] if c.get("role") == "primary-report"]
        if primary and primary[0].get("number") and primary[0].get("doi") and any(a.get("n") for a in study.get("arms", [])):
            return study, primary[0]
    pytest.fail("no study of the corpus is reported by a numbered reference with a DOI")


def test_class_page_lists_its_studies_and_limitations(built_site):
    studies = records("studies")
    for k in records("classes"):
        page = article(html(built_site, f"classes/{k['id']}.md"))
        links = hrefs(page)
        for study in (s for s in studies if k["id"] in s["classes"]):
            assert f"../../studies/{study['id']}/" in links, (k["id"], study["id"])
        for lim in k.get("limitations", []):
            assert f"../../limitations/{lim}/" in links, (k["id"], lim)
        assert 'id="studies"' in page and 'id="limitations"' in page


def test_study_page_links_to_its_references_and_the_bibliography_links_back(built_site):
    record, ref = a_study()
    study = article(html(built_site, f"studies/{record['id']}.md"))
    assert f"../../bibliography/#ref-{ref['number']}" in hrefs(study)
    # the facts table gives each arm's size, as the record has it
    facts = {row[0]: row[1] for row in table_rows(study, "facts")}
    for arm in (a for a in record["arms"] if a.get("n")):
        assert facts[f"Arm: {arm['label']} ({arm['role']})"].startswith(f"n = {arm['n']}"), arm
    bib = html(built_site, "bibliography.md")
    entry = re.search(rf'<p class="atlas-ref" id="ref-{ref["number"]}">(.*?)</p>\s*<p class="atlas-cited-by"[^>]*>(.*?)</p>',
                      bib, re.S)
    assert entry, "the reference has a stable anchor"
    assert f"../studies/{record['id']}/" in hrefs(entry.group(2)), "cited by lists the study page"
    assert f"https://doi.org/{ref['doi']}" in entry.group(1)


def test_citations_show_the_reference_on_hover(built_site):
    record, ref = a_study()
    study = html(built_site, f"studies/{record['id']}.md")
    title = re.search(rf'<a href="../../bibliography/#ref-{ref["number"]}" title="([^"]+)"', study)
    assert title, "a citation link carries the reference in its title"
    assert title.group(1).startswith(ref["authors"][0]["family"]) and f" {ref['year']}. " in title.group(1), title.group(1)
    assert 'id="page-references"' in study


def test_every_numbered_reference_has_an_anchor_and_is_cited(built_site):
    bib = html(built_site, "bibliography.md")
    numbers = [r["number"] for r in load_corpus(ROOT).all("reference") if r.get("number")]
    assert numbers
    for n in numbers:
        m = re.search(rf'<p class="atlas-ref" id="ref-{n}">(.*?)</p>\s*<p class="atlas-cited-by"[^>]*>(.*?)</p>', bib, re.S)
        assert m, n
        assert "Cited by" in m.group(2), f"reference {n} is cited by no page"


def test_hand_written_page_citations(built_site):
    refs = references()
    bib = html(built_site, "bibliography.md")
    checked = 0
    for md in sorted((ROOT / "docs").glob("*.md")):
        keys = {k.strip().lstrip("@") for group in re.findall(r"\[(@[^\]]+)\]", md.read_text(encoding="utf-8"))
                for k in group.split(";")}
        if not keys:
            continue
        page = html(built_site, md.name)
        assert 'id="page-references"' in page, md.name
        for key in sorted(keys)[:3]:
            ref = refs[key]
            anchor = f"ref-{ref['number']}" if ref.get("number") else f"ref-{key}"
            assert f"../bibliography/#{anchor}" in hrefs(page), (md.name, key)
            cited_by = re.search(rf'id="{anchor}">.*?</p>\s*<p class="atlas-cited-by"[^>]*>(.*?)</p>', bib, re.S).group(1)
            if "more pages" not in cited_by:  # a long list shows its first 40 (pages.LIST_SHOWN)
                assert f"../{md.stem}/" in hrefs(cited_by), f"cited by of {key} includes {md.name}"
                checked += 1
    assert checked, "some hand-written page cites a reference"


def test_edit_link_opens_the_yaml_record(built_site):
    record, _ = a_study()
    page = html(built_site, f"studies/{record['id']}.md")
    assert f"https://github.com/t1d-evidence-atlas/atlas/edit/main/data/studies/{record['id']}.yaml" in page
    # hand-written pages reach MkDocs with their citations filled in, but still edit as themselves
    assert "https://github.com/t1d-evidence-atlas/atlas/edit/main/docs/about.md" in html(built_site, "about.md")


def test_trial_pages_link_valid_identifiers_and_flag_malformed_ones(built_site):
    for t in records("trials"):
        page = article(html(built_site, f"trials/{t['id']}.md"))
        if t.get("identifier"):
            from atlas import urls
            assert urls.registry_record(t["registry"], t["identifier"]).replace("&", "&amp;") in page, t["id"]
        else:
            assert "Malformed identifier" in page, t["id"]
            printed = t["identifier_as_printed"]
            assert f"clinicaltrials.gov/study/{printed}" not in page
            assert not re.search(rf'href="[^"]*{re.escape(printed)}', page)


def test_abbreviations_expand_on_hover(built_site):
    terms = {t["term"] for t in records("glossary")}
    found = 0
    for study in records("studies"):
        page = html(built_site, f"studies/{study['id']}.md")
        found += any(re.search(rf'<abbr title="[^"]+">{re.escape(t)}</abbr>', page) for t in terms)
    assert found, "study pages define the glossary's terms on hover"
    assert "<abbr" in html(built_site, "index.md")


def test_a_term_is_defined_where_a_reader_first_meets_it_and_nowhere_else_on_the_page(built_site):
    import markdown
    source = "*[MSC]: Mesenchymal stromal cell\n\nMSC one, *MSC* two\n\n- MSC three\n"
    out = markdown.markdown(source, extensions=["abbr", "atlas.markdown_abbr"])
    assert out.count("<abbr") == 1 and re.sub(r"<[^>]+>", "", out).count("MSC") == 3, out
    assert out.index("<abbr") < out.index("one"), "the first occurrence keeps its definition"
    for path in ("evidence.md", "bibliography.md", *(f"studies/{s['id']}.md" for s in records("studies"))):
        terms = re.findall(r"<abbr [^>]*>([^<]+)</abbr>", html(built_site, path))
        assert len(terms) == len(set(terms)), path
        assert terms or path.startswith("studies/"), path


def test_evidence_overview(built_site):
    page = article(html(built_site, "evidence.md"))
    for anchor in ("class-by-stage", "class-by-limitation", "clinical", "preclinical", "timeline", "charts"):
        assert f'id="{anchor}"' in page, anchor
    # matrix cells are counts that link to the records
    assert re.search(r'<a href="../classes/[a-z0-9-]+/#studies">\d+</a>', page)
    # the class x limitation gap map: bubbles link to the class's limitations
    assert re.search(r'<a class="gap [^"]+" href="../classes/[a-z0-9-]+/#limitations" title="[^"]+">\d+</a>', page)
    # charts are static images with a table alternative
    # (a light and a dark drawing of each, wide and narrow; Material shows one by its fragment)
    srcs = re.findall(r'<img [^>]*src="([^"]+)"', page)
    for chart in ("studies-per-class-by-design", "patients-per-clinical-study"):
        shown = [src for src in srcs if Path(src.split("#")[0]).name.startswith(chart)]
        assert {src.rsplit("#", 1)[-1] for src in shown} >= {"only-light", "only-dark"}, f"the page shows {chart}"
        for src in shown:
            svg = (built_site / "evidence" / src.split("#")[0]).resolve()
            assert svg.exists() and svg.read_text().lstrip().startswith(("<?xml", "<svg")), src
    assert "Participants per clinical study" in page


def test_pages_carry_search_cards_and_the_site_a_pagefind_index(built_site):
    """What Pagefind indexes beyond the text: kind, a study's year and design, authors and
    identifiers from the data (tests/test_search.py types the queries in a browser)."""
    assert (built_site / "pagefind" / "pagefind.js").exists()
    terms = json.loads((built_site / "assets" / "search" / "terms.json").read_text(encoding="utf-8"))
    assert terms["spellings"]["glycaem"] == "glycem" and terms["greek"]["β"] == "beta"
    record, ref = a_study()
    page = html(built_site, f"studies/{record['id']}.md")
    card = page[page.index('<div class="atlas-search-card" hidden>'):]
    card = card[:card.index("</div>")]
    assert 'data-pagefind-meta="kind:Study"' in card and f'data-pagefind-meta="year:{record["year"]}"' in card
    assert f'data-pagefind-meta="design:{label(record["design"])}"' in card
    assert f"{ref['authors'][0]['family']} {record['year']}" in card and ref["doi"] in card
    assert 'data-pagefind-filter="group:record"' in card  # searched after the topic pages
    k = next(k for k in records("classes") if k.get("aliases"))
    topic = html(built_site, f"classes/{k['id']}.md")
    assert 'data-pagefind-filter="group:topic"' in topic and f"{k['aliases'][0]} |" in topic  # its names
    # the topic pages have an index of their own, which the box asks first
    topics = (built_site / "assets" / "search" / "topics.txt").read_text(encoding="utf-8").split()
    assert f"classes/{k['id']}/index.html" in topics and "glossary/index.html" in topics
    assert not [t for t in topics if re.match(r"(studies|trials)/[^/]+/index\.html|bibliography/", t)]
    assert (built_site / "pagefind-topics" / "pagefind-entry.json").exists()
    t = next(t for t in records("trials") if t.get("aliases"))
    trial = html(built_site, f"trials/{t['id']}.md")
    assert 'data-pagefind-meta="kind:Trial"' in trial and html_escape(t["aliases"][0], quote=False) in trial
    assert 'data-pagefind-meta="kind:Glossary"' in html(built_site, "glossary.md")


# Elements a browser fetches on load. <link rel="canonical"> and <a href> are not requests.
EXTERNAL = re.compile(r'<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc="(?:https?:)?//'
                      r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|prefetch|preconnect|dns-prefetch|icon|'
                      r'shortcut icon|apple-touch-icon|modulepreload|manifest)")[^>]*\bhref="(?:https?:)?//', re.I)


def test_no_page_requests_another_host(built_site):
    offenders = []
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for m in EXTERNAL.finditer(text):
            offenders.append(f"{page.relative_to(built_site)}: {text[m.start():m.start() + 120]}")
    for css in built_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        for m in re.finditer(r"(?:url\(\s*['\"]?|@import\s+['\"])(?:https?:)?//", text):
            offenders.append(f"{css.relative_to(built_site)}: {text[m.start():m.start() + 80]}")
    assert not offenders, "\n".join(offenders[:20])


HOSTILE = '</title><script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) {: onclick="alert(1)"}'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The fixture corpus with script tags, event handlers and javascript: links in every text field."""
    root = copy_project(tmp_path_factory.mktemp("hostile") / "proj", FIXTURES / "mini")
    for path in (root / "data").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        poison(data, path.parent.name)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert run_atlas(root, "validate").returncode == 0, run_atlas(root, "validate").stdout
    out = root / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


TEXT_FIELDS = {"title", "summary", "finding", "name", "label", "description", "how_it_works", "term", "expansion", "definition",
               "evidence_summary", "journal", "status", "comparator", "condition", "strain", "induction"}


EXTRA_LISTS = {"studies": ["notes"], "trials": ["notes"], "classes": ["open_questions"],
               "limitations": ["mitigations", "open_questions"], "references": ["notes"]}


def poison(data: dict, kind: str) -> None:
    _poison(data)
    for key in EXTRA_LISTS.get(kind, []):
        data[key] = [HOSTILE]
    if kind in ("studies", "trials", "references"):
        data["corrections"] = [{"field": "summary", "printed": HOSTILE, "note": HOSTILE}]


def _poison(node) -> None:
    if isinstance(node, dict):
        for k, v in list(node.items()):
            if k in TEXT_FIELDS and isinstance(v, str):
                node[k] = f"{v} {HOSTILE}"
            elif k == "aliases":
                node[k] = [HOSTILE]
            else:
                _poison(v)
    elif isinstance(node, list):
        for item in node:
            _poison(item)


class ActiveContent(HTMLParser):
    """Collects what a browser would run: script elements, on* attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        kind = dict(attrs).get("type", "text/javascript") if tag == "script" else ""
        # data blocks (JSON-LD) are not run; everything else in <script> is
        self.in_script = tag == "script" and kind in ("text/javascript", "module", "application/javascript", "")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert" in data:
            self.found.append(f"<script>{data[:40]}")


def test_hostile_text_renders_as_text(hostile_site):
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    shown = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = ActiveContent()
        parser.feed(text)
        assert not parser.found, (page, parser.found[:5])
        shown += text.count("&lt;script&gt;alert")
    assert shown > 10, "the hostile text is shown, as text"


def test_unknown_citation_in_a_page_fails_the_build_with_file_and_line(project, tmp_path):
    (project / "docs" / "notes.md").write_text("# Notes\n\nAll fine.\n\nBut this [@nobody-2000] is not.\n")
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/notes.md:5:10: ref-unresolved: cites [@nobody-2000]" in result.stderr + result.stdout


def test_a_page_that_would_hide_a_generated_one_fails_with_its_file(project, tmp_path):
    (project / "docs" / "glossary.md").write_text("# My glossary\n", encoding="utf-8")
    for result in (mkdocs_build(project, tmp_path / "out"), run_atlas(project, "pages", str(tmp_path / "pages"))):
        assert result.returncode != 0
        assert "docs/glossary.md:1:1: page-conflict: " in result.stderr + result.stdout
        assert "Traceback" not in result.stderr


def test_pages_command_builds_without_hooks(project, tmp_path):
    out = tmp_path / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 0, result.stderr
    for page in ("index.md", "classes/cell-class.md", "studies/alpha-2020.md", "bibliography.md", "notes.md",
                 "evidence/studies-per-class-by-design.svg"):
        assert (out / page).exists(), page
    notes = (out / "notes.md").read_text(encoding="utf-8")
    assert "bibliography.md#ref-1" in notes  # citations applied
    # abbreviations: a page carries the definitions of the terms it uses, and only those
    assert "*[" not in notes
    (project / "docs" / "notes.md").write_text("# Notes\n\nMice given STZ, not STZed.\n", encoding="utf-8")
    run_atlas(project, "pages", str(out))
    assert "\n*[STZ]: " in (out / "notes.md").read_text(encoding="utf-8")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks")
    config.pop("watch")
    config["docs_dir"] = str(out)
    (project / "plain.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    built = mkdocs_build(project, tmp_path / "plain-site", "plain.yml")
    assert built.returncode == 0, built.stderr[-3000:]
    assert (tmp_path / "plain-site" / "studies" / "alpha-2020" / "index.html").exists()


def test_a_failed_pages_run_keeps_the_previous_output(project, tmp_path):
    out = tmp_path / "pages"
    assert run_atlas(project, "pages", str(out)).returncode == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (project / "data/studies/alpha-2020.yaml").write_text("id: alpha-2020\ntitle: [broken\n")
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 1
    assert "data/studies/alpha-2020.yaml:3:1: yaml-syntax" in result.stdout
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


@pytest.mark.process
def test_make_site_keeps_the_old_site_when_the_build_fails(project):
    """`make site` builds into a temporary folder and swaps it in only on success."""
    venv = Path(sys.executable).parent.parent
    need(shutil.which("make") is not None and (venv / "bin" / ENGINE).exists(), "make and a virtual environment")
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    make = ["make", "--no-print-directory", f"VENV={venv}", "-o", f"{venv}/.installed-stamp", "site"]
    old = project / "site" / "old.html"
    old.parent.mkdir()
    (old.parent / ".atlas-output").write_text("made by atlas\n", encoding="utf-8")  # a site an earlier build made
    old.write_text("the previous build", encoding="utf-8")
    study = project / "data/studies/alpha-2020.yaml"
    good = study.read_text(encoding="utf-8")
    study.write_text("id: [unclosed\n", encoding="utf-8")
    failed = subprocess.run(make, cwd=project, capture_output=True, text=True, timeout=600)
    assert failed.returncode != 0
    assert old.read_text(encoding="utf-8") == "the previous build"
    study.write_text(good, encoding="utf-8")
    built = subprocess.run(make, cwd=project, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    assert not old.exists() and (project / "site" / "studies" / "alpha-2020" / "index.html").exists()
