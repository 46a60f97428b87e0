"""Structured preclinical and clinical facts (issue 29): route from a fixed list with the
source's words kept as a note, dose with its basis, host immunity for animal studies, and
'not reported by the source' kept apart from 'not yet entered' in completeness. Small
corpora of their own; nothing here pins facts of the real corpus."""
from __future__ import annotations

from pathlib import Path

from conftest import run_atlas

from atlas import completeness, exports
from atlas.corpus import load_corpus


def animal(project: Path, sid: str, extra: str = "", not_reported: str = "") -> None:
    (project / f"data/studies/{sid}.yaml").write_text(f"""id: {sid}
title: Cells in mice ({sid})
design: animal-study
classes:
- cell-class
year: 2020
summary: Mice were given the cells [@alpha-2020].
population:
  species: mouse
{extra}{not_reported}citations:
- ref: alpha-2020
  role: primary-report
""", encoding="utf-8")


def test_a_free_text_route_is_refused_with_the_fixed_list(project):
    animal(project, "free-2020", "intervention:\n  route: into the tail vein\n")
    out = run_atlas(project, "validate").stdout
    line = next(ln for ln in out.splitlines() if "free-2020" in ln and "schema-enum" in ln)
    assert "intravenous" in line and "surgical-implantation" in line


def test_route_note_and_dose_basis_show_on_the_page_and_in_the_download(project, tmp_path):
    animal(project, "tail-2020", "intervention:\n  dose:\n    value: 1\n    unit: million cells\n"
                                 "  dose_basis: per-animal\n  route: intravenous\n  route_note: tail vein\n")
    out = tmp_path / "pages"
    assert run_atlas(project, "pages", str(out)).returncode == 0
    page = (out / "studies" / "tail-2020.md").read_text(encoding="utf-8")
    assert "| Route | Intravenous (tail vein) |" in page
    assert "| Dose | 1 million cells (per animal) |" in page
    row = next(r for r in exports.study_rows(load_corpus(project)) if r["id"] == "tail-2020")
    assert (row["route"], row["route_note"], row["dose_basis"]) == ("intravenous", "tail vein", "per-animal")


def test_completeness_tells_not_reported_from_not_yet_entered(project):
    animal(project, "checked-2020", not_reported="not_reported:\n- site\n")  # site or route: route too
    animal(project, "open-2020")
    animal(project, "immune-2020", "  host_immunity: immunodeficient\n")
    studies = [s for s in load_corpus(project).all("study") if s.id.endswith("-2020") and s.id != "alpha-2020"]
    rows = {r.fact.key: r for r in completeness.completeness(studies)}
    assert (rows["route"].entered, rows["route"].not_reported, rows["route"].missing) == (0, 1, 2)
    assert (rows["host_immunity"].applicable, rows["host_immunity"].entered) == (3, 1)


def test_host_immunity_applies_to_animal_studies_only(project):
    fact = next(f for f in completeness.FACTS if f.key == "host_immunity")
    assert completeness.applies(fact, {"design": "animal-study"})
    assert not completeness.applies(fact, {"design": "single-arm-trial"})
    assert not completeness.applies(fact, {"design": "in-vitro-study"})
