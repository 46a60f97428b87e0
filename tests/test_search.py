"""Search as readers use it: queries typed key by key into the header box of the built
site in Chromium. The relevance set (tests/search/relevance.yaml) was written from the
readers' side; authors, years and identifiers are checked from the data itself."""
from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import ROOT
from search_harness import SearchBox, score

from atlas.corpus import load_corpus
from atlas.search import load_terms, page_group

RELEVANCE = Path(__file__).parent / "search" / "relevance.yaml"


def relevance_set(corpus_text: str) -> dict[str, set[str]]:
    wanted = {}
    for query, answer in yaml.safe_load(RELEVANCE.read_text(encoding="utf-8")).items():
        pages = set(answer if isinstance(answer, list) else answer["want"])
        if isinstance(answer, dict):
            if answer.get("when") and answer["when"].lower() not in corpus_text:
                continue  # the word is not in the atlas yet
            for word in answer.get("titles_with", []):
                pages |= titled_with(word)
            if answer.get("studies_mentioning"):
                word = answer["studies_mentioning"].lower()
                pages |= {f"studies/{p.stem}/" for p in (ROOT / "data" / "studies").glob("*.yaml")
                          if word in p.read_text(encoding="utf-8").lower()}
        wanted[str(query)] = pages
    return wanted


ONE_PAGE = {"glossary": "glossary/", "cell-sources": "cell-sources/", "organisations": "organisations/",
            "models": "models/", "references": "bibliography/"}


def titled_with(word: str) -> set[str]:
    """Pages of the records whose title names the word: a page titled with what the reader
    typed answers the query."""
    return {page for page, title in record_titles() if word.lower() in title}


@functools.cache
def record_titles() -> list[tuple[str, str]]:
    """(page, lower-case title) of every record, read once: a query per record file was most of
    this module's time."""
    out = []
    for path in sorted((ROOT / "data").glob("*/*.yaml")):
        record = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        folder = path.parent.name
        out.append((ONE_PAGE.get(folder) or f"{folder}/{path.stem}/",
                    " ".join(str(record.get(k, "")) for k in ("title", "name", "term")).lower()))
    return out


def data_text() -> str:
    return " ".join(p.read_text(encoding="utf-8").lower() for p in (ROOT / "data").rglob("*.yaml"))


def test_relevance_set_is_large_and_points_at_real_pages(built_site):
    wanted = relevance_set(data_text())
    assert len(yaml.safe_load(RELEVANCE.read_text(encoding="utf-8"))) >= 150
    for query, pages in wanted.items():
        for p in pages:
            assert (built_site / p / "index.html").exists(), f"{query!r} wants {p!r}, which the site does not have"


def test_reader_queries_land_on_the_right_page(search_box):
    wanted = relevance_set(data_text())
    ranked = {q: search_box.ask(q)[0] for q in wanted}
    s = score(ranked, wanted)
    print(f"\nsearch relevance: {s['queries']} queries, hits@1 {s['hits@1']:.3f}, hits@3 {s['hits@3']:.3f}, "
          f"MRR {s['mrr']:.3f}")
    misses = "\n".join(f"  {q!r}: got {got}, wanted one of {sorted(wanted[q])[:4]}" for q, got in s["misses"].items())
    assert s["hits@3"] >= 0.95, f"hits@3 {s['hits@3']:.3f} < 0.95; misses:\n{misses}"


def study_queries() -> dict[str, set[str]]:
    """Every study by its first author and year, and by the DOI of its report, from the data."""
    corpus = load_corpus(ROOT)
    wanted: dict[str, set[str]] = {}
    for s in corpus.all("study"):
        cites = [c if isinstance(c, dict) else {"ref": c} for c in s.get("citations", [])]
        primary = [c["ref"] for c in cites if c.get("role") == "primary-report"] or [
            c["ref"] for c in cites if c.get("role") != "review"]  # as atlas/search.py's card
        for rid in primary[:1]:
            ref = corpus.get("reference", rid)
            if ref is None or not ref.get("authors"):
                continue
            first = ref["authors"][0].get("family") or ref["authors"][0].get("literal")
            wanted.setdefault(f"{first} {ref['year']}", set()).add(f"studies/{s.id}/")
            for key in ("doi", "pmid"):
                if ref.get(key):
                    wanted.setdefault(str(ref[key]), set()).add(f"studies/{s.id}/")
    return wanted


def test_every_study_is_found_by_author_year_and_identifier(search_box):
    wanted = study_queries()
    # author and year typed; a DOI or PMID pasted, as readers copy them from a paper
    ranked = {q: search_box.ask(q, delay=0, paste=not q[:1].isalpha())[0] for q in wanted}
    s = score(ranked, wanted)
    misses = "\n".join(f"  {q!r}: got {got}, wanted {sorted(wanted[q])}" for q, got in s["misses"].items())
    assert not s["misses"], f"{len(s['misses'])} of {s['queries']} not in the first three:\n{misses}"


def test_results_say_what_kind_of_page_they_are(search_box):
    search_box.ask("Carlsson 2015")
    first = search_box.page.locator(".md-search-result__item").first
    kind = first.locator(".atlas-search-kind").inner_text()
    assert kind.startswith("Study · 2015 · "), kind
    search_box.ask("teratoma")
    assert search_box.page.locator(".md-search-result__item .atlas-search-kind").first.inner_text() == "Limitation"


def test_search_works_on_a_phone_and_asks_no_other_host(browser, search_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((search_site, "data:", "blob:")) else None)
    box = SearchBox(page, search_site, "studies/hu-2013/")
    paths, _ = box.ask("hypoglycemia")
    assert paths, "no results on a phone"
    first = page.locator(".md-search-result__item").first
    assert first.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert not foreign, foreign[:5]
    context.close()


@pytest.mark.parametrize("path, kind, group", [
    ("classes/msc-therapies.md", "Therapy class", "topic"),
    ("glossary.md", "Glossary", "topic"),
    ("studies/hu-2013.md", "Study", "record"),
    ("trials/nct04786262.md", "Trial", "record"),
    ("bibliography/201-400.md", "Reference", "record"),
    ("classes/msc-therapies/2021.md", "Page", "part"),  # a year of a class's studies, past 1,000
    ("evidence/2004-2.md", "Page", "part"),
    ("studies/years/2019.md", "Page", "part"),
])
def test_pages_are_searched_as_topics_records_or_not_at_all(path, kind, group):
    assert page_group(path, kind) == group


def test_synonyms_file_is_valid():
    terms = load_terms(ROOT)
    assert terms["spellings"] and terms["lay"] and terms["greek"]


@pytest.mark.parametrize("text, line, words", [
    ("spellings:\n  tumour: tumor\n  Oedema: edema\n", 3, "lower case"),
    ("lay:\n  cure: [insulin independence]\n  safe: 3\n", 3, "'word: [other, other]'"),
    ("spelling:\n  tumour: tumor\n", 1, "not a section"),
    ("spellings:\n  tumour: [tumor\n", 2, "not valid YAML"),
])
def test_a_mistake_in_the_synonyms_file_is_named_with_its_line(tmp_path, text, line, words):
    from atlas.diagnostics import DataError
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "synonyms.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_terms(tmp_path)
    problem = e.value.problems[0]
    assert problem.path == "search/synonyms.yaml" and problem.line == line and words in problem.message, problem


def test_pagefind_indexes_every_page_and_the_topics_apart(tmp_path):
    """The two Pagefind runs of index_site: the whole site, and the listed topic pages alone;
    a run that fails stops the build with what Pagefind said."""
    from atlas.search import TOPICS_ASSET, TOPICS_BUNDLE, index_site
    page = '<html lang="en"><body><article class="md-content__inner"><h1>{0}</h1><p>{0} text</p></article></body></html>'
    for rel, word in (("classes/a/index.html", "mesenchymal"), ("studies/b/index.html", "hypoglycaemia")):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text(page.format(word), encoding="utf-8")
    (tmp_path / TOPICS_ASSET).parent.mkdir(parents=True)
    (tmp_path / TOPICS_ASSET).write_text("classes/a/index.html\n", encoding="utf-8")
    index_site(tmp_path)
    whole = json.loads((tmp_path / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    topics = json.loads((tmp_path / TOPICS_BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert whole["languages"]["en"]["page_count"] == 2 and topics["languages"]["en"]["page_count"] == 1
    with pytest.raises(RuntimeError, match="Pagefind could not index the site"):
        index_site(tmp_path / "nothing-built")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_search_works_under_mkdocs_serve(browser):
    """`make serve` builds into a temporary folder; the hook indexes it there too."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        url = f"http://127.0.0.1:{port}/{_serve_path()}"  # mkdocs serve serves under site_url's path
        deadline = time.time() + 240
        while True:
            try:
                urllib.request.urlopen(url + "pagefind/pagefind.js", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()[-3000:]
                assert time.time() < deadline, "mkdocs serve did not come up"
                time.sleep(1)
        context = browser.new_context()
        box = SearchBox(context.new_page(), url)
        paths, _ = box.ask("teratoma")
        assert "limitations/teratoma-risk/" in paths[:3], paths
        context.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _serve_path() -> str:
    url = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8")).get("site_url") or ""
    path = urlsplit(url).path.strip("/")
    return path + "/" if path else ""
