"""Summary of findings per class (issue 29): outcomes with n, of, effect and ci, certainty per
outcome computed like the class's, a plain sentence, and the checks on those figures. Every
test builds a small corpus of its own from the mini fixture; nothing reads the real corpus."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import run_atlas

from atlas import certainty, findings
from atlas.corpus import load_corpus

CLASS = "data/classes/cell-class.yaml"


def write(project: Path, rel: str, text: str) -> None:
    (project / rel).write_text(text, encoding="utf-8")


def set_field(project: Path, rel: str, field: str, value: str) -> None:
    path = project / rel
    path.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", path.read_text()), encoding="utf-8")


def study(project: Path, sid: str, design: str, outcomes: str, enrolled: int | None = 12,
          trial: str | None = None) -> None:
    write(project, f"data/studies/{sid}.yaml", f"""id: {sid}
title: Cells in people ({sid})
design: {design}
classes:
- cell-class
year: 2021
summary: People with type 1 diabetes were given the cells [@beta-2021].
population:
  species: human
{f'enrolled: {enrolled}' if enrolled else ''}
arms:
- id: cells
  label: Cells
  role: intervention
  n: 12
outcomes:
{outcomes}
{f'trials:{chr(10)}- {trial}' if trial else ''}
citations:
- ref: beta-2021
  role: primary-report
""")


COUNT = """- measure: insulin-independence
  finding: Ten of twelve stopped insulin.
  n: 10
  of: 12
  arm: cells
  direction: improved
  source_type: peer-reviewed-paper
  citations:
  - beta-2021
"""
ESTIMATE = """- measure: hba1c
  finding: HbA1c fell more than with placebo.
  effect:
    statistic: mean-difference
    value: -0.9
    unit: percentage points
    versus: control
  ci:
    low: -1.5
    high: -0.2
    kind: confidence-interval
    level: 95
  direction: improved
  source_type: peer-reviewed-paper
  citations:
  - beta-2021
"""
UNREPORTED = """- measure: c-peptide
  finding: C-peptide rose.
  not_reported:
  - ci
  direction: improved
  source_type: peer-reviewed-paper
  citations:
  - beta-2021
"""


def problems(project: Path, rule: str) -> list[str]:
    result = run_atlas(project, "validate")
    return [ln for ln in result.stdout.splitlines() if f": {rule}:" in ln]


def test_effect_text_says_count_estimate_interval_and_what_is_not_reported():
    assert findings.effect_text({"n": 10, "of": 12, "timepoint": {"value": 12, "unit": "months"}}) == \
        "10 of 12 at 12 months"
    text = findings.effect_text({"effect": {"statistic": "mean-difference", "value": -0.87, "versus": "control"},
                                 "ci": {"low": -1.53, "high": -0.22, "kind": "confidence-interval", "level": 95}})
    assert text == "mean difference −0.87 vs control (95% CI −1.53 to −0.22)"
    assert findings.effect_text({"ci": {"low": 1, "high": 9, "kind": "range"}}) == "(range 1 to 9)"
    assert findings.effect_text({"not_reported": ["ci", "of"]}) == \
        "not reported by the source: confidence interval or range, number assessed"


def test_outcome_certainty_starts_by_design_and_takes_the_class_judgements_unless_its_own():
    ct = {"start": "low", "domains": {d: {"judgement": "not-serious", "reason": "r"} for d in certainty.DOMAINS},
          "outcomes": [{"measure": "hba1c", "domains": {"imprecision": {"judgement": "serious", "reason": "few"}}}]}
    ct["domains"]["risk_of_bias"] = {"judgement": "serious", "reason": "open label"}
    assert certainty.start_for(["randomised-controlled-trial", "meta-analysis"]) == "high"
    assert certainty.start_for(["randomised-controlled-trial", "single-arm-trial"]) == "low"
    assert certainty.level(certainty.for_outcome(ct, "c-peptide", "high")) == "moderate"
    hba1c = certainty.for_outcome(ct, "hba1c", "high")
    assert certainty.level(hba1c) == "low" and hba1c["own"] == ["imprecision"]


def test_summary_rows_per_outcome_with_participants_certainty_and_a_cited_sentence(project):
    study(project, "rct-2021", "randomised-controlled-trial", ESTIMATE + COUNT, enrolled=30)
    study(project, "arm-2021", "single-arm-trial", COUNT + UNREPORTED, enrolled=None)
    corpus = load_corpus(project)
    rows = {f.measure: f for f in findings.summary(corpus, corpus.get("therapy-class", "cell-class"))}
    assert list(rows) == ["hba1c", "c-peptide", "insulin-independence"]  # the reader's order
    hba1c, indep = rows["hba1c"], rows["insulin-independence"]
    assert hba1c.appraisal["start"] == "high" and indep.appraisal["start"] == "low"
    # the mini class judges indirectness serious: one level down from each start
    assert hba1c.level == "moderate" and indep.level == "very-low"
    assert hba1c.sentence == "The treatment probably lowers HbA1c [@beta-2021]."
    assert indep.sentence.startswith("We are very uncertain whether the treatment frees")
    assert indep.participants == 24 and len(indep.studies) == 2  # 'of' of each study
    # no 'of', no arm, no enrolment: the table says the participants are not given
    assert rows["c-peptide"].participants is None and rows["c-peptide"].uncounted == 1


def test_a_trial_reported_twice_counts_its_participants_once(project):
    study(project, "first-2021", "single-arm-trial", COUNT, trial="nct01234567")
    study(project, "later-2021", "single-arm-trial", COUNT, trial="nct01234567")
    corpus = load_corpus(project)
    (row,) = findings.summary(corpus, corpus.get("therapy-class", "cell-class"))
    assert row.participants == 12 and len(row.studies) == 2


def test_the_class_page_shows_the_table_and_says_what_the_source_does_not_report(project, tmp_path):
    set_field(project, CLASS, "evidence_stage", "randomised")
    study(project, "rct-2021", "randomised-controlled-trial", ESTIMATE + UNREPORTED, enrolled=30)
    out = tmp_path / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (out / "classes" / "cell-class.md").read_text(encoding="utf-8")
    assert "## Summary of findings {#findings}" in page
    assert "mean difference −0.9 percentage points vs control \\(95% CI −1.5 to −0.2\\)" in page
    assert "not reported by the source: confidence interval or range" in page
    assert "Probably" not in page and "Moderate" in page


def test_figures_that_cannot_be_true_are_flagged(project):
    bad = COUNT.replace("n: 10", "n: 13") + ESTIMATE.replace("value: -0.9", "value: -2.0") + \
        UNREPORTED.replace("  - ci\n", "  - ci\n  ci:\n    low: 2\n    high: 1\n    kind: range\n")
    study(project, "bad-2021", "randomised-controlled-trial", bad, enrolled=10)
    found = problems(project, "value-range")
    assert any("outcomes[0].n is 13, more than the 12 assessed" in p for p in found), found
    assert any("outcomes[0].of is 12, more than the 10 enrolled" in p for p in found), found
    assert any("outcomes[1].effect.value -2.0 lies outside its confidence interval" in p for p in found), found
    assert any("outcomes[2].ci: low (2) is greater than high (1)" in p for p in found), found
    conflict = problems(project, "not-reported-conflict")
    assert any("outcomes[2].not_reported lists 'ci', but the outcome gives it" in p for p in conflict), conflict


def test_a_count_of_none_is_a_result_not_a_mistake(project):
    study(project, "zero-2021", "single-arm-trial", COUNT.replace("n: 10", "n: 0"))
    assert problems(project, "value-range") == []
