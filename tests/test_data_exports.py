"""Downloads that say what is missing (issue 29): the not-reported flags in the studies and
outcomes tables, outcome figures with their arms, text without citation markers (the ids in
a column of their own), JSON-LD without markers, and a meaning for every column. Small
corpora of their own; nothing here pins facts of the real corpus."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import ROOT

from atlas import datadict, exports, jsonld
from atlas.corpus import load_corpus


def write(project: Path, rel: str, text: str) -> None:
    (project / rel).write_text(text, encoding="utf-8")


def two_studies(project: Path) -> None:
    base = """id: {sid}
title: Cells in people ({sid})
design: single-arm-trial
classes:
- cell-class
year: 2021
summary: Six people were given the cells [@beta-2021], as a later note says [@alpha-2020; @beta-2021].
population:
  species: human
arms:
- id: cells
  label: Cells in the liver
  role: intervention
  n: 6
outcomes:
- measure: insulin-independence
  finding: Four of six stopped insulin [@beta-2021].
  n: 4
  of: 6
  arm: cells
  not_reported:
  - ci
  direction: improved
  source_type: peer-reviewed-paper
  citations:
  - beta-2021
{extra}citations:
- ref: beta-2021
  role: primary-report
"""
    write(project, "data/studies/checked-2021.yaml", base.format(sid="checked-2021", extra="not_reported:\n- dose\n").replace(
        "population:", "enrolled: 6\npopulation:"))
    write(project, "data/studies/open-2021.yaml", base.format(sid="open-2021", extra=""))


def test_studies_say_not_reported_apart_from_not_yet_entered(project):
    two_studies(project)
    rows = {r["id"]: r for r in exports.study_rows(load_corpus(project))}
    assert rows["checked-2021"]["dose_status"] == exports.NOT_REPORTED == "not reported by the source"
    assert rows["open-2021"]["dose_status"] == exports.NOT_ENTERED == "not yet entered"
    assert rows["open-2021"]["enrolled_status"] == "entered"  # from the arm
    assert rows["checked-2021"]["not_reported"] == "dose"
    assert (rows["checked-2021"]["enrolled"], rows["checked-2021"]["year"]) == (6, 2021)


def test_outcomes_carry_their_figures_arm_and_flags(project):
    two_studies(project)
    row = next(r for r in exports.outcome_rows(load_corpus(project)) if r["study"] == "open-2021")
    assert (row["n"], row["of"], row["arm_label"], row["arm_role"], row["arm_n"]) == (4, 6, "Cells in the liver",
                                                                                    "intervention", 6)
    assert (row["ci_status"], row["effect_status"], row["n_status"]) == \
        ("not reported by the source", "not yet entered", "entered")
    assert row["classes"] == "cell-class" and row["stage"] == "early-clinical"


def test_text_has_no_citation_markers_and_the_ids_have_their_own_column(project):
    two_studies(project)
    corpus = load_corpus(project)
    tables = exports.data_tables(corpus)
    files = exports.data_files(tables)
    for path, text in files.items():
        assert "[@" not in text, path
    study = next(r for r in tables["studies"] if r["id"] == "open-2021")
    assert study["summary"] == "Six people were given the cells, as a later note says."
    assert study["summary_citations"] == "beta-2021; alpha-2020"
    assert next(r for r in tables["outcomes"] if r["study"] == "open-2021")["finding"] == "Four of six stopped insulin."
    # the CSV has a header per column and the same columns as the JSON
    csv_rows = list(csv.DictReader(io.StringIO(files["data/studies.csv"])))
    assert list(csv_rows[0]) == list(json.loads(files["data/studies.json"])[0]) == list(exports.COLUMNS["studies"])
    assert "[@" not in jsonld.study(corpus.get("study", "open-2021"), corpus)["description"]
    assert "[@" not in jsonld.therapy_class(corpus.get("therapy-class", "cell-class"))["description"]


def test_every_column_of_every_table_is_explained():
    texts = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    tables = datadict.columns(texts, exports.COLUMNS)
    assert [t["table"] for t in tables] == list(exports.TABLES)
    empty = [(t["table"], c["name"]) for t in tables for c in t["columns"] if not c["meaning"].strip()]
    assert not empty, f"columns whose schema field has no description: {empty}"


def test_the_data_page_lists_the_columns(project, tmp_path):
    from conftest import run_atlas
    out = tmp_path / "pages"
    assert run_atlas(project, "pages", str(out)).returncode == 0
    page = (out / "data.md").read_text(encoding="utf-8")
    assert "## What each column holds {#columns}" in page
    for name in ("dose_status", "ci_status", "summary_citations", "effect_statistic"):
        assert f"`{name}`" in page
