"""The prose readers read first is checked against the data (issue 23).

Each test builds a small corpus of its own from the mini fixture and writes one of the kinds
of sentence the audit found wrong; the rule must name the file, line and rule. A variant
that the data supports must pass. Nothing here reads the real corpus."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import run_atlas

from atlas import certainty, status
from atlas.corpus import load_corpus

CLASS = "data/classes/cell-class.yaml"
LIMIT = "data/limitations/some-limit.yaml"
PAGE = "docs/living-with-type-1-diabetes.md"


def write(project: Path, rel: str, text: str) -> None:
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text(text, encoding="utf-8")


def set_plain(project: Path, text: str) -> None:
    path = project / CLASS
    path.write_text(re.sub(r"(?m)^plain_language: .*$", "plain_language: " + text, path.read_text()), encoding="utf-8")


def set_field(project: Path, rel: str, field: str, value: str) -> None:
    path = project / rel
    path.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", path.read_text()), encoding="utf-8")


def reference(project: Path, rid: str, year: int, source_type: str, read: str = "The abstract.") -> None:
    write(project, f"data/references/{rid}.yaml", f"""id: {rid}
type: journal-article
authors:
- family: {rid.split('-')[0].capitalize()}
title: Report {rid}
year: {year}
published: '{year}'
source_type: {source_type}
read: {read}
accessed: '2026-12-01'
""")


def human_study(project: Path, sid: str, year: int, refs: list[tuple[str, str]], immunosuppression: str | None,
                cls: str = "cell-class", trial: str | None = None) -> None:
    iv = f"\nintervention:\n  immunosuppression: {immunosuppression}" if immunosuppression is not None else ""
    cites = "\n".join(f"- ref: {r}\n  role: {role}" for r, role in refs)
    write(project, f"data/studies/{sid}.yaml", f"""id: {sid}
title: Cells in people ({sid})
design: single-arm-trial
classes:
- {cls}
year: {year}
summary: People with type 1 diabetes were given the cells.
population:
  species: human
enrolled: 3{iv}
outcomes:
- measure: c-peptide
  finding: C-peptide appeared.
  direction: improved
  source_type: {'company-announcement' if refs[0][0].startswith('co') else 'peer-reviewed-paper'}
  citations:
  - {refs[0][0]}
not_reported:
- dose
- follow_up
- safety
citations:
{cites}
""")


def problems(project: Path, rule: str) -> list[str]:
    result = run_atlas(project, "validate")
    return [ln for ln in result.stdout.splitlines() if f": {rule}:" in ln]


# --- prose-uncited ------------------------------------------------------------------

def test_plain_language_number_without_citation_is_flagged(project):
    set_plain(project, "Cells that make insulin were put into mice [@alpha-2020]. In one person the cells kept "
                       "working for a year.")
    found = problems(project, "prose-uncited")
    assert len(found) == 1 and found[0].startswith(f"{CLASS}:11:") and "kept working for a year" in found[0]


def test_plain_language_claims_with_citations_pass(project):
    set_plain(project, "Cells that make insulin were put into mice [@alpha-2020]. In 10 mice blood sugar fell "
                       "by half [@alpha-2020]. The hope is that they calm the immune attack.")
    assert problems(project, "prose-uncited") == []


def test_living_with_page_audit_sentence_is_flagged_with_its_line(project):
    write(project, PAGE, "# For people living with type 1 diabetes\n\nResearch goes on.\n"
                         "In China, one person stopped needing insulin for a year after getting islets.\n")
    found = problems(project, "prose-uncited")
    assert [f.split(": prose-uncited")[0] for f in found] == [f"{PAGE}:4:1"]


# --- prose-immunosuppression -----------------------------------------------------------

AUDIT_NO_DRUGS = [  # the audit's two sentences (encapsulated progenitors; gene-edited cells)
    "The pouch is meant to keep the immune system out, so no drugs to weaken it are needed [@alpha-2020].",
    "If it works, people would need neither a pouch nor drugs to weaken the immune system [@alpha-2020].",
]


@pytest.mark.parametrize("sentence", AUDIT_NO_DRUGS)
def test_no_drugs_claim_without_a_study_recording_it_is_flagged(project, sentence):
    reference(project, "gamma-2025", 2025, "peer-reviewed-paper")
    human_study(project, "gamma-2025", 2025, [("gamma-2025", "primary-report")], immunosuppression=None)
    set_plain(project, "Cells were put into mice [@alpha-2020]. " + sentence)
    found = problems(project, "prose-immunosuppression")
    assert len(found) == 1 and found[0].startswith(f"{CLASS}:11:") and "gamma-2025" in found[0]


def test_no_drugs_claim_when_a_study_took_drugs_is_flagged(project):
    reference(project, "gamma-2025", 2025, "peer-reviewed-paper")
    human_study(project, "gamma-2025", 2025, [("gamma-2025", "primary-report")], immunosuppression="true")
    set_plain(project, AUDIT_NO_DRUGS[0])
    assert len(problems(project, "prose-immunosuppression")) == 1


def test_no_drugs_claim_that_the_studies_record_passes(project):
    reference(project, "gamma-2025", 2025, "peer-reviewed-paper")
    human_study(project, "gamma-2025", 2025, [("gamma-2025", "primary-report")], immunosuppression="false")
    set_plain(project, AUDIT_NO_DRUGS[0])
    assert problems(project, "prose-immunosuppression") == []


# --- prose-stage -------------------------------------------------------------------

def test_only_in_mice_when_the_class_reached_people_is_flagged(project):
    # the audit's sentence on psc-derived-islet-cells, whose stage is early clinical
    reference(project, "gamma-2025", 2025, "peer-reviewed-paper")
    human_study(project, "gamma-2025", 2025, [("gamma-2025", "primary-report")], immunosuppression="true")
    set_field(project, CLASS, "evidence_stage", "early-clinical")
    set_plain(project, "Cells were given to 3 people [@gamma-2025]. Gene-edited cells that may not need these "
                       "drugs have only been tested in mice.")
    found = problems(project, "prose-stage")
    assert len(found) == 1 and "early-clinical" in found[0]


def test_only_in_the_lab_on_the_page_when_a_trial_has_treated_people_is_flagged(project):
    # the audit's sentence on the living-with page: gene-edited cells 'only in the lab or in animals'
    path = project / "data/trials/nct01234567.yaml"
    path.write_text(path.read_text() + "status: Started; the first patient was treated in 2022.\n", encoding="utf-8")
    write(project, PAGE, "# For people living with type 1 diabetes\n\n"
                         "[Gene-edited cells](classes/cell-class.md) have only been tested in the lab or in "
                         "animals [@alpha-2020].\n")
    found = problems(project, "prose-stage")
    assert len(found) == 1 and found[0].startswith(f"{PAGE}:3:") and "nct01234567" in found[0]


def test_only_in_mice_for_a_class_still_in_animals_passes(project):
    set_plain(project, "Cells that make insulin have only been tested in mice [@alpha-2020].")
    assert problems(project, "prose-stage") == []


# --- prose-company-only -----------------------------------------------------------

def test_only_the_company_when_a_paper_exists_is_flagged(project):
    # the audit's UP421 sentence: a peer-reviewed article exists, even though it was not read
    reference(project, "co-2025", 2025, "company-announcement", read="The press release.")
    reference(project, "paper-2025", 2025, "peer-reviewed-paper", read="Not read.")
    human_study(project, "up-2025", 2025, [("co-2025", "later-report"), ("paper-2025", "primary-report")],
                immunosuppression="false")
    set_plain(project, "Edited cells were put into one person [@co-2025]. So far only the company has described "
                       "the results [@co-2025].")
    found = problems(project, "prose-company-only")
    assert len(found) == 1 and "paper-2025" in found[0] and found[0].startswith(f"{CLASS}:11:")


def test_only_the_company_when_no_paper_exists_passes(project):
    reference(project, "co-2025", 2025, "company-announcement", read="The press release.")
    human_study(project, "up-2025", 2025, [("co-2025", "primary-report")], immunosuppression="false")
    set_plain(project, "So far only the company has described the results [@co-2025].")
    assert problems(project, "prose-company-only") == []


# --- prose-first -----------------------------------------------------------------

def test_first_report_when_an_earlier_one_exists_is_flagged(project):
    # the audit's sentence: Reichman 2025 'the first peer-reviewed report ... in people', after Wang 2024
    reference(project, "early-2024", 2024, "peer-reviewed-paper")
    reference(project, "late-2025", 2025, "peer-reviewed-paper")
    human_study(project, "early-2024", 2024, [("early-2024", "primary-report")], immunosuppression="true")
    human_study(project, "late-2025", 2025, [("late-2025", "primary-report")], immunosuppression="true")
    set_field(project, LIMIT, "summary", "The first peer-reviewed report of these cells in people still relied "
                                         "on immunosuppression [@late-2025].")
    found = problems(project, "prose-first")
    assert len(found) == 1 and found[0].startswith(f"{LIMIT}:") and "early-2024 (2024)" in found[0]


def test_first_report_that_is_the_earliest_passes(project):
    reference(project, "early-2024", 2024, "peer-reviewed-paper")
    reference(project, "late-2025", 2025, "peer-reviewed-paper")
    human_study(project, "early-2024", 2024, [("early-2024", "primary-report")], immunosuppression="true")
    human_study(project, "late-2025", 2025, [("late-2025", "primary-report")], immunosuppression="true")
    set_field(project, LIMIT, "summary", "The first peer-reviewed report of these cells in people still relied "
                                         "on immunosuppression [@early-2024].")
    assert problems(project, "prose-first") == []


# --- certainty computed --------------------------------------------------------------

def judgements(start: str, **worse: str) -> dict:
    return {"start": start, "domains": {d: {"judgement": worse.get(d, "not-serious"), "reason": "x"}
                                        for d in certainty.DOMAINS}}


def test_three_serious_concerns_take_three_levels():
    # the audit: 'three serious reasons, two levels taken' (randomised MSC trials rated low)
    c = judgements("high", risk_of_bias="serious", inconsistency="serious", imprecision="serious")
    assert certainty.level(c) == "very-low"


def test_observational_start_with_indirectness_is_very_low():
    # the audit: donor islets, observational start plus indirectness, still 'low'
    assert certainty.level(judgements("low", indirectness="serious")) == "very-low"


def test_levels_follow_the_judgements():
    assert certainty.level(judgements("high")) == "high"
    assert certainty.level(judgements("high", imprecision="serious")) == "moderate"
    assert certainty.level(judgements("high", publication_bias="very-serious")) == "low"
    assert certainty.level(judgements("low", risk_of_bias="very-serious", imprecision="very-serious")) == "very-low"


def test_a_typed_level_is_refused(project):
    path = project / CLASS
    path.write_text(path.read_text().replace("certainty:\n", "certainty:\n  level: low\n"), encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "schema-unknown-field" in result.stdout and "level" in result.stdout


def test_a_judgement_without_reason_is_refused(project):
    path = project / CLASS
    path.write_text(path.read_text().replace("      reason: Mice, not people [@alpha-2020].\n", ""), encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and CLASS in result.stdout and "reason" in result.stdout


# --- status facts rendered from the data ---------------------------------------------

def test_status_lines_come_from_the_records(project):
    reference(project, "co-2025", 2025, "company-announcement", read="The press release.")
    reference(project, "paper-2025", 2025, "peer-reviewed-paper", read="Not read.")
    human_study(project, "up-2025", 2025, [("co-2025", "later-report"), ("paper-2025", "primary-report")],
                immunosuppression="false")
    corpus = load_corpus(project)
    study = corpus.get("study", "up-2025")
    line = status.study_reported_line(corpus, study)
    assert "a company announcement [@co-2025]" in line and "not read for this atlas [@paper-2025]" in line
    k = corpus.get("therapy-class", "cell-class")
    assert "People treated in its studies in this atlas: 3, in 1 study" in status.class_status_line(corpus, k)


def test_unknown_directive_in_a_docs_page_names_file_and_line(project):
    corpus = load_corpus(project)
    text = "# Page\n\nLevel: <!-- atlas:certainty no-such-class -->\n<!-- atlas:nonsense -->\n"
    out, found = status.expand(corpus, text, PAGE)
    assert [(p.path, p.line, p.rule) for p in found] == [(PAGE, 3, "docs-directive"), (PAGE, 4, "docs-directive")]
    out, found = status.expand(corpus, "Level: <!-- atlas:certainty cell-class -->", PAGE)
    assert found == [] and out == "Level: Very low"


# --- staleness ----------------------------------------------------------------------

def git(project: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)


def test_a_study_changed_after_the_plain_language_check_warns(project):
    # a paper from 2016 added now still makes the text stale: the date that counts is the change's
    set_field(project, CLASS, "plain_language_reviewed", "'2020-01-01'")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fixture")
    result = run_atlas(project, "validate")
    assert result.returncode == 0
    warned = [ln for ln in result.stdout.splitlines() if "stale-plain-language" in ln]
    assert warned and warned[0].startswith(f"{CLASS}:") and "study alpha-2020" in warned[0]
    assert "plain_language_reviewed is 2020-01-01" in warned[0]


def product(project: Path, pid: str, name: str, approvals: str) -> None:
    write(project, f"data/products/{pid}.yaml", f"""id: {pid}
name: {name}
kind: cell-product
classes:
- cell-class
summary: A product of the test corpus [@alpha-2020].
{approvals}
citations:
- alpha-2020
""")


def test_approvals_section_is_made_from_the_product_records(project):
    # a fictional regulator and products: the section says what the records hold, and nothing else
    reference(project, "agency-2023", 2023, "regulatory-decision", read="The agency's announcement.")
    product(project, "donor-cells", "Donor cells", """approvals:
- regulator: the Test Medicines Agency
  decision: approved
  date: '2023-06-28'
  population: adults with frequent severe hypoglycaemia
  citations:
  - agency-2023""")
    product(project, "stem-cells", "Stem <b>cells</b> *x*", """approvals: []
approvals_checked:
  as_of: '2025-06'
  citations:
  - alpha-2020""")
    assert run_atlas(project, "validate").returncode == 0
    corpus = load_corpus(project)
    section = status.approvals_section(corpus)
    assert "- **Donor cells**: Approved by the Test Medicines Agency on 28 June 2023, for adults with frequent " \
           "severe hypoglycaemia [@agency-2023]." in section
    assert "Stem &lt;b&gt;cells&lt;/b&gt; \\*x\\*" in section  # contributed text is escaped, never markup
    assert "No regulator's approval is recorded: it was tested in animals in the latest source this atlas " \
           "has read about it, from June 2025 [@alpha-2020]." in section
    page, found = status.expand(corpus, "## Is anything approved?\n\n<!-- atlas:approvals -->\n", PAGE)
    assert found == [] and "Approved by the Test Medicines Agency" in page


def test_an_approval_without_its_source_is_refused(project):
    product(project, "donor-cells", "Donor cells", """approvals:
- regulator: the Test Medicines Agency
  decision: approved
  date: '2023-06-28'
  population: adults""")
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "data/products/donor-cells.yaml" in result.stdout and "citations" in result.stdout


def test_a_rationale_that_types_another_level_is_flagged(project):
    # the audit: observational start plus indirectness, yet the text still said 'low'
    path = project / CLASS
    path.write_text(path.read_text().replace("  rationale: One study in mice [@alpha-2020].",
                                             "  rationale: One study in mice, so the atlas rates it low [@alpha-2020]."),
                    encoding="utf-8")
    found = problems(project, "certainty-level-text")
    assert len(found) == 1 and found[0].startswith(f"{CLASS}:") and "very low" in found[0]
