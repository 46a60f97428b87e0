"""The 'reviewed' date: a record citing a reference newer than its own review date gets a
warning (printed, exit 0), never an error; the site still builds."""
from __future__ import annotations

from conftest import run_atlas
from test_validate import REF, STUDY, edit

RULE = "cites-newer-than-reviewed"


def _warnings(result) -> list[str]:
    return [ln for ln in result.stdout.splitlines() if f": warning: {RULE}: " in ln]


def test_older_review_date_warns_but_validates(project):
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: '2019'\n")
    result = run_atlas(project, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    hits = _warnings(result)
    # one warning per cited reference, at the first place the record cites it
    assert len(hits) == 1, result.stdout
    assert hits[0].startswith(f"{STUDY}:"), hits[0]
    assert "alpha-2020 (2020)" in hits[0] and "reviewed date (2019)" in hits[0]
    assert "1 warning(s)" in result.stderr and result.stderr.startswith("ok:")


def test_exact_publication_date_is_compared_to_the_day(project):
    edit(project, REF, "year: 2020\n", "year: 2020\npublished: 2020-06-20\n")
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: 2020-06-19\n")
    assert "(2020-06-20)" in _warnings(run_atlas(project, "validate"))[0]
    edit(project, STUDY, "reviewed: 2020-06-19", "reviewed: 2020-06-20")
    result = run_atlas(project, "validate")
    assert result.returncode == 0 and not _warnings(result), result.stdout


def test_year_only_dates_compare_at_year_precision(project):
    # a reference of 2020 is not newer than a record reviewed some time in 2020
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: 2020-01-02\n")
    result = run_atlas(project, "validate")
    assert result.returncode == 0 and not _warnings(result), result.stdout


def test_warning_is_a_github_warning_under_ci(project):
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: '2019'\n")
    result = run_atlas(project, "validate", env={"CI": "true"})
    assert result.returncode == 0
    assert any(ln.startswith(f"::warning file={STUDY},") and f"title={RULE}" in ln
               for ln in result.stdout.splitlines()), result.stdout


def test_malformed_review_date_is_an_error(project):
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: 2020-13-01\n")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert f"{STUDY}:2:" in result.stdout and "reviewed" in result.stdout


def test_warnings_do_not_stop_the_build(project, tmp_path):
    edit(project, STUDY, "id: alpha-2020\n", "id: alpha-2020\nreviewed: '2019'\n")
    result = run_atlas(project, "pages", str(tmp_path / "pages"))
    assert result.returncode == 0, result.stdout + result.stderr


TRIAL = "data/trials/nct01234567.yaml"


def test_pages_show_evidence_date_and_what_the_review_said(project, tmp_path):
    edit(project, TRIAL, "id: nct01234567\n", "id: nct01234567\nreviewed: 2022-05-01\n")
    edit(project, TRIAL, "phase: phase-1\n", "phase: phase-1\nstatus: Results published in 2022.\n")
    (project / TRIAL).write_text((project / TRIAL).read_text(encoding="utf-8") +
                                 "review_said:\n- field: status\n  text: Recruiting <b>patients</b>.\n"
                                 "  as_of: '2021'\n  citations:\n  - beta-2021\n", encoding="utf-8")
    result = run_atlas(project, "pages", str(tmp_path / "pages"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "pages" / "trials" / "nct01234567.md").read_text(encoding="utf-8")
    assert "Evidence as of 1 May 2022" in page  # as the page's foot writes dates
    assert "2022-05-01" not in page  # one date format on a page, the reader's
    said = page[page.index("{#review-said}"):]
    assert "status, as of 2021" in said and "Recruiting" in said
    assert "<b>patients</b>" not in said, "contributed text must be escaped"
    # an untouched record with no review_said gets the date line but no section
    study = (tmp_path / "pages" / "studies" / "alpha-2020.md").read_text(encoding="utf-8")
    assert "review-said" not in study
