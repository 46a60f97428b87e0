"""What changes as the atlas grows: the bibliography's later blocks of numbers get pages of
their own, which every citation follows; under `make serve` unchanged data files are not
parsed again."""
from __future__ import annotations

import json
import re

import pytest
from conftest import run_atlas

from atlas.corpus import load_corpus
from atlas.incremental import ServeMemo


def test_a_reference_past_200_is_listed_and_cited_on_its_block_of_the_bibliography(project, tmp_path):
    # a source review longer than the real one (as bench/synth.py makes): its numbers are allowed
    schema = project / "schemas" / "reference.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    doc["properties"]["number"]["maximum"] = 400
    schema.write_text(json.dumps(doc), encoding="utf-8")
    ref = project / "data" / "references" / "beta-2021.yaml"
    ref.write_text(ref.read_text(encoding="utf-8").replace("number: 2\n", "number: 250\n"), encoding="utf-8")
    out = tmp_path / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 0, result.stderr
    block = (out / "bibliography" / "201-400.md").read_text(encoding="utf-8")
    assert "{: #ref-250 .atlas-ref }" in block and "Registry report of a first trial" in block
    first = (out / "bibliography.md").read_text(encoding="utf-8")
    assert "#ref-250" not in first and "[250–250](bibliography/201-400.md)" in first
    assert "{: #ref-1 .atlas-ref }" in first  # the first block stays where it was
    # every citation of it, on any page, points at its block
    cites = [m for p in out.rglob("*.md") for m in re.findall(r"\]\(([^)\s]*#ref-250)", p.read_text(encoding="utf-8"))]
    assert cites and all(c.endswith("bibliography/201-400.md#ref-250") for c in cites), cites


def test_under_serve_only_changed_files_are_parsed_again(project):
    parsed = ServeMemo().parsed
    first = load_corpus(project, parsed)
    again = load_corpus(project, parsed)
    study = first.get("study", "alpha-2020")
    assert again.get("study", "alpha-2020").loaded is study.loaded, "an unchanged file's parse is reused"
    path = project / study.relpath
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    edited = load_corpus(project, parsed)
    assert edited.get("study", "alpha-2020").title.startswith("Edited ")
    assert edited.get("reference", "alpha-2020").loaded is first.get("reference", "alpha-2020").loaded


def test_past_the_threshold_studies_and_evidence_tables_go_by_year(project, monkeypatch):
    from atlas import pages
    from atlas.build import prepare
    monkeypatch.setattr(pages, "SPLIT_BY_YEAR_STUDIES", 0)
    site = prepare(project).pages
    assert "studies/years/2020.md" in site and "evidence/2020.md" in site
    assert "(years/2020.md)" in site["studies/index.md"] and "alpha-2020.md" not in site["studies/index.md"]
    assert "(../alpha-2020.md)" in site["studies/years/2020.md"]
    overview, year = site["evidence.md"], site["evidence/2020.md"]
    assert "{#class-by-stage}" in overview and "(evidence/2020.md)" in overview
    assert "{#clinical}" in year and "{#class-by-stage}" not in year and "alpha-2020.md" in year
    # a class's studies and their outcomes move to its year pages
    klass = next(p for p in site if p.startswith("classes/") and p.count("/") == 2)
    owner = klass.rsplit("/", 1)[0] + ".md"
    _, cid, year = klass.split("/")
    assert f"({cid}/{year})" in site[owner]  # the class page links to each year's page
    assert "alpha-2020.md" in site[klass] and "alpha-2020.md" not in site[owner]
    # "cited by" names a part by its heading, never by its file
    cited_by = [ln for ln in site["bibliography.md"].splitlines() if ln.startswith("*Cited by:*")]
    assert any("(evidence/2020.md)" in ln for ln in cited_by)
    assert not any(re.search(r"\[[a-z/-]+/\d{4}\.md\]", ln) for ln in cited_by), cited_by


def test_under_serve_unchanged_pages_are_not_processed_again_and_changed_ones_are(project):
    from atlas import build
    plain = build.prepare(project).pages
    memo = ServeMemo()
    assert build.prepare(project, memo=memo).pages == plain
    assert build.prepare(project, memo=memo).pages == plain  # the second time from the memo
    assert memo.processed and len(memo.rendered) < len(plain) // 2, "most pages come back as they were"
    path = project / "data" / "studies" / "alpha-2020.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    assert "Edited " in build.prepare(project, memo=memo).pages["studies/alpha-2020.md"]


def test_a_reference_cited_by_very_many_pages_lists_the_first_and_counts_the_rest(project, monkeypatch):
    from atlas import pages
    from atlas.build import prepare
    monkeypatch.setattr(pages, "LIST_SHOWN", 1)
    bib = prepare(project).pages["bibliography.md"]
    assert re.search(r"\*Cited by:\* \[[^\]]+\]\([^)]+\) and \d+ more pages\n", bib), bib


@pytest.mark.site
def test_a_years_evidence_page_lists_only_that_years_studies(tmp_path, monkeypatch):
    from conftest import copy_project

    from atlas import pages
    from atlas.build import prepare
    monkeypatch.setattr(pages, "SPLIT_BY_YEAR_STUDIES", 0)
    root = copy_project(tmp_path / "proj")  # the real data, split as a large atlas would be
    c = load_corpus(root)
    year_of = {s.id: str(s.get("year")) for s in c.all("study")}
    site = prepare(root).pages
    parts = [p for p in site if re.fullmatch(r"evidence/\d{4}(-\d+)?\.md", p)]
    assert parts
    for path in parts:
        year = path.split("/")[1][:4]
        linked = re.findall(r"\]\(\.\./studies/([a-z0-9-]+)\.md\)", site[path])
        assert linked and {year_of[s] for s in linked} == {year}, path
