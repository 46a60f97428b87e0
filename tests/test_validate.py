"""Every validation rule: a failing fixture, and the exact file, line, column and rule reported."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_atlas

REF = "data/references/alpha-2020.yaml"
REF2 = "data/references/beta-2021.yaml"
STUDY = "data/studies/alpha-2020.yaml"
CLASS = "data/classes/cell-class.yaml"
TRIAL = "data/trials/nct01234567.yaml"
LIMIT = "data/limitations/some-limit.yaml"


def edit(project: Path, rel: str, old: str, new: str) -> int:
    """Replace old with new in a fixture file; return the 1-based line where new starts."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    before = text[: text.index(old)]
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return before.count("\n") + 1


def test_fixture_corpus_is_valid(project):
    result = run_atlas(project, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


# (file, old text, new text, text on the reported line (None: the edited line), column, rule, words in the message)
CASES = [
    (REF, "title: A study", "titel: A study", None, 1, "schema-unknown-field", ["titel", "did you mean 'title'"]),
    (REF, "type: journal-article", "type: journal-articel", None, 7, "schema-enum", ["did you mean 'journal-article'"]),
    (REF, "year: 2020", "year: twenty", None, 7, "schema-type", ["year must be an integer"]),
    (REF, "doi: 10.1000/alpha.2020", "doi: https://doi.org/10.1000/alpha.2020", None, 6, "doi-syntax", ["10.NNNN/suffix"]),
    (REF, "doi: 10.1000/alpha.2020", "doi: 10.1000/alpha[2020]", None, 6, "doi-syntax", ["parentheses, not brackets"]),
    (REF2, "pmid: '12345678'", "pmid: PMID12345678", None, 7, "pmid-syntax", ["digits only"]),
    (REF2, "pmid: '12345678'", "pmcid: '1234567'", None, 8, "pmcid-syntax", ["PMC1234567"]),
    (REF2, "pmid: '12345678'", "url: www.example.org", None, 6, "url-syntax", ["https://"]),
    (TRIAL, "identifier: NCT01234567", "identifier: NCT0123456", None, 13, "nct-syntax", ["exactly 8 digits"]),
    (STUDY, "- cell-class", "- Cell_Class", None, 3, "id-syntax", ["lowercase slugs"]),
    (STUDY, "- cell-class", "- cell-clas", None, 3, "ref-unresolved", ["no therapy-class with id 'cell-clas'", "did you mean 'cell-class'"]),
    (STUDY, "  arm: treated", "  arm: treatd", None, 8, "ref-unresolved", ["no arm 'treatd'", "did you mean 'treated'"]),
    (STUDY, "summary: Cells were placed", "summary: Cells [@alpha-2021] were placed", None, 10, "ref-unresolved", ["[@alpha-2021]", "did you mean 'alpha-2020'"]),
    (STUDY, "  citations:\n  - alpha-2020\n", "", "- measure: blood-glucose", 3, "outcome-uncited", ["outcomes[0] has no citations"]),
    (STUDY, "enrolled: 20", "enrolled: 15", None, 11, "value-range", ["arms add up to 20"]),
    (STUDY, "  value: 50", "  value: 150", None, 10, "value-range", ["150% is outside"]),
    (STUDY, "year: 2020", "year: 2920", None, 7, "value-range", ["not a plausible year"]),
    (STUDY, "  n: 10\n- id: control", "  n: 0\n- id: control", None, 6, "value-range", ["must be 1 or more"]),
    (STUDY, "summary: Cells were placed in diabetic mice and lowered their blood glucose.", "summary: ''", None, 10, "schema-empty", ["summary is empty"]),
    (CLASS, "evidence_stage: animal", "evidence_stage: randomised", None, 17, "stage-unsupported", ["no study of this class reaches it", "highest: animal"]),
    (CLASS, "evidence_stage: animal", "evidence_stage: in-vitro", None, 17, "stage-unsupported", ["raise evidence_stage"]),
    (TRIAL, "identifier: NCT01234567\n", "", "identifier_as_printed", 24, "trial-identifier", ["is a valid identifier"]),
    (TRIAL, "identifier_as_printed: NCT01234567\nidentifier: NCT01234567\n", "identifier_as_printed: NCT0123456\n",
     None, 24, "trial-identifier", ["malformed", "add a note"]),
    (TRIAL, "identifier_as_printed: NCT01234567", "identifier_as_printed: NCT01234568", "identifier: NCT", 13, "trial-identifier", ["add a corrections entry"]),
    (REF, "id: alpha-2020", "id: alpha-2019", None, 5, "id-filename", ["does not match the file name 'alpha-2020.yaml'"]),
    (REF2, "number: 2", "number: 1", None, 9, "reference-number-duplicate", ["also the number of data/references/alpha-2020.yaml"]),
    (REF2, "doi: 10.1000/beta.2021", "doi: 10.1000/ALPHA.2020", None, 6, "doi-duplicate", ["also the DOI of data/references/alpha-2020.yaml"]),
    (REF, "doi: 10.1000/alpha.2020", "doi: 10.1000/alpha.2020\ncorrections:\n- field: doi\n  printed: 10.1000/alpha[2020]\n  corrected: 10.1000/alpha(2020)\n  note: Brackets.",
     "  corrected:", 14, "correction-not-applied", ["put the corrected value in doi"]),
    (TRIAL, "title: First", "formerly:\n- nct01234567\ntitle: First", "- nct01234567", 3, "formerly-live",
     ["'nct01234567'", "this record's own id"]),
    (REF2, "title:", "formerly:\n- alpha-2020\ntitle:", "- alpha-2020", 3, "formerly-live",
     ["the id of data/references/alpha-2020.yaml", "rename that record"]),
    (TRIAL, "title: First", "formerly:\n- index\ntitle: First", "- index", 3, "formerly-live", ["the list of trials"]),
    (TRIAL, "title: First", "formerly:\n- NCT0123456\ntitle: First", "- NCT0123456", 3, "id-syntax", ["lowercase slugs"]),
]


@pytest.mark.parametrize("rel,old,new,needle,col,rule,words", CASES,
                         ids=[f"{c[5]}-{i}" for i, c in enumerate(CASES)])
def test_rule_reports_file_line_and_rule(project, rel, old, new, needle, col, rule, words):
    line = edit(project, rel, old, new)
    if needle is not None:
        lines = (project / rel).read_text(encoding="utf-8").splitlines()
        line = next(i for i, text in enumerate(lines, 1) if text.startswith(needle))
    result = run_atlas(project, "validate")
    assert result.returncode == 1, result.stdout + result.stderr
    prefix = f"{rel}:{line}:{col}: {rule}: "
    hits = [ln for ln in result.stdout.splitlines() if ln.startswith(prefix)]
    assert hits, f"expected a line starting {prefix!r}, got:\n{result.stdout}"
    for w in words:
        assert w in hits[0], hits[0]
    assert "Traceback" not in result.stderr


def test_a_former_id_claimed_by_two_records(project):
    edit(project, REF, "title:", "formerly:\n- gamma-2019\ntitle:")
    line = edit(project, REF2, "title:", "formerly:\n- delta-2018\n- gamma-2019\ntitle:") + 2
    result = run_atlas(project, "validate")
    assert result.returncode == 1, result.stdout
    assert (f"{REF2}:{line}:3: formerly-claimed: 'gamma-2019' is also listed under formerly by {REF}"
            in result.stdout), result.stdout
    assert "delta-2018" not in result.stdout and "Traceback" not in result.stderr


def test_optional_field_may_be_left_out(project):
    edit(project, REF, "journal: J Test\n", "")
    assert run_atlas(project, "validate").returncode == 0


def test_reference_nobody_cites(project):
    # beta-2021 is cited by the trial and the limitation; remove both citations
    edit(project, LIMIT, "summary: The cells might form tumours [@beta-2021].", "summary: The cells might form tumours.")
    edit(project, LIMIT, "citations:\n- beta-2021", "citations: []")
    edit(project, TRIAL, "citations:\n- beta-2021", "citations: []")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert f"{REF2}:1:5: reference-uncited: reference 'beta-2021' is not cited" in result.stdout


def test_required_field_missing(project):
    edit(project, REF, "title: A study of islet-like cells in mice\n", "")
    result = run_atlas(project, "validate")
    assert f"{REF}:1:1: schema-missing-field: required field 'title' is missing" in result.stdout


def test_duplicate_id_in_two_files(project):
    (project / "data/references/alpha-2020-copy.yaml").write_text(
        (project / REF).read_text().replace("number: 1", "number: 3").replace("alpha.2020", "alpha.copy"))
    result = run_atlas(project, "validate")
    assert "data/references/alpha-2020.yaml:1:5: id-duplicate: id 'alpha-2020' is already used by " \
           "data/references/alpha-2020-copy.yaml" in result.stdout


def test_unknown_citation_in_hand_written_page(project):
    (project / "docs/notes.md").write_text("# Notes\n\nFirst line.\n\nSee [@alpha-2020; @gamma-1999].\n")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert "docs/notes.md:5:5: ref-unresolved: cites [@gamma-1999]" in result.stdout


def test_every_problem_in_one_run(project):
    edit(project, REF, "year: 2020", "year: twenty")
    edit(project, STUDY, "  arm: treated", "  arm: treatd")
    edit(project, TRIAL, "phase: phase-1", "phase: one")
    result = run_atlas(project, "validate")
    rules = {ln.split(": ")[1] for ln in result.stdout.splitlines()}
    assert {"schema-type", "ref-unresolved", "schema-enum"} <= rules
    assert "3 problem(s) in 3 file(s)" in result.stderr


def test_github_annotations_under_ci(project):
    edit(project, REF, "year: 2020", "year: twenty")
    result = run_atlas(project, "validate", env={"CI": "true"})
    line = 12
    assert f"{REF}:{line}:7: schema-type:" in result.stdout
    assert f"::error file={REF},line={line},col=7,title=schema-type::year must be an integer" in result.stdout


def test_exit_code_two_for_usage_errors(project, tmp_path):
    assert run_atlas(project, "frobnicate").returncode == 2
    result = subprocess.run([sys.executable, "-m", "atlas", "--root", str(tmp_path / "nowhere"), "validate"],
                            capture_output=True, text=True, cwd=project)
    assert result.returncode == 2 and "not a project folder" in result.stderr


# --- hostile YAML: clear message, exit 1, file unchanged, nothing executed --------------------

HOSTILE = {
    "yaml-tag": ("id: alpha-2020\ntitle: !!python/object/apply:os.system ['touch {marker}']\n", 2, 8,
                 "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    "yaml-alias": ("a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
                   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                   "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", 2, 8,
                   "anchors and aliases"),
    "yaml-duplicate-key": ("id: alpha-2020\ntitle: One\ntitle: Two\n", 3, 1, "given twice (first on line 2)"),
    "yaml-syntax": ("id: alpha-2020\ntitle: [unclosed\nyear: 2020\n", 3, 5, "YAML syntax error"),
    "yaml-empty": ("", 1, 1, "the file is empty"),
    "yaml-not-mapping": ("- id: alpha-2020\n", 1, 1, "must be a mapping"),
}


@pytest.mark.parametrize("rule", sorted(HOSTILE))
def test_hostile_yaml(project, rule, tmp_path):
    marker = tmp_path / "PWNED"
    text, line, col, words = HOSTILE[rule]
    path = project / REF
    path.write_text(text.format(marker=marker), encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    start = time.perf_counter()
    for command in (["validate"], ["fmt"], ["fmt", "--check"]):
        result = run_atlas(project, *command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert f"{REF}:{line}:{col}: {rule}: " in result.stdout, result.stdout
        assert words in result.stdout
    assert time.perf_counter() - start < 60  # an alias bomb is refused, not expanded
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "a hostile file was rewritten"
    assert not marker.exists(), "YAML content was executed"


def test_non_utf8_bytes(project):
    path = project / REF
    path.write_bytes(b"id: alpha-2020\ntitle: caf\xe9\n")
    before = path.read_bytes()
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert f"{REF}:2:11: yaml-encoding: byte 0xe9 is not UTF-8" in result.stdout
    assert path.read_bytes() == before


def test_validation_never_writes(project):
    edit(project, CLASS, "name: Test cell class", "name: Test cell class\nzzz: unknown")
    stamp = {p: p.stat().st_mtime_ns for p in (project / "data").rglob("*.yaml")}
    run_atlas(project, "validate")
    assert stamp == {p: p.stat().st_mtime_ns for p in (project / "data").rglob("*.yaml")}
