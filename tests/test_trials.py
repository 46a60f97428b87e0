"""Registered trials from their registry records: `atlas import trials` on hand-made files in the
documented ClinicalTrials.gov API v2 shape (tests/fixtures/ctgov/), the registry fields on the
pages, the "no results reported" flag on a corpus of its own, and the generated "Could I take
part?" section. Offline: nothing here reaches a registry."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, run_atlas

from atlas import trials

CTGOV = FIXTURES / "ctgov"


def _import(project: Path, name: str):
    return run_atlas(project, "import", "trials", str(CTGOV / name))


def _record(project: Path, rid: str) -> dict:
    return yaml.safe_load((project / "data" / "trials" / f"{rid}.yaml").read_text(encoding="utf-8"))


def _clean(project: Path) -> None:
    """What every import must leave: valid data in canonical form."""
    result = run_atlas(project, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_atlas(project, "fmt", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


# -- the importer -----------------------------------------------------------------------------

def test_search_result_creates_a_record_per_study(project):
    result = _import(project, "search-result.json")
    assert result.returncode == 0, result.stderr
    assert "nct07654321: new record, status completed" in result.stdout
    assert "nct07000001: new record, status not-yet-recruiting" in result.stdout
    rec = _record(project, "nct07654321")
    assert rec["title"] == "Encapsulated Test Cells Under the Skin"
    assert (rec["registry"], rec["identifier"]) == ("clinicaltrials.gov", "NCT07654321")
    rr = rec["registry_record"]
    assert rr["status"] == "completed" and rr["phases"] == ["phase-1", "phase-2"]
    assert rr["allocation"] == "randomised" and rr["masking"] == "double"
    assert rr["enrolment"] == {"count": 19, "type": "actual"}
    assert rr["primary_completion"] == {"date": "2014-04", "type": "actual"}
    assert rr["lead_sponsor"] == {"name": "Old Device Inc.", "type": "industry"}
    assert rr["countries"] == ["Canada"] and rr["has_results"] is False
    # no x-atlas: read today through the API, at the API's address
    assert rr["read_via"] == "registry-api"
    assert rr["read_url"] == "https://clinicaltrials.gov/api/v2/studies/NCT07654321"
    # never a field that was not read
    assert "eligibility" not in rr and "collaborators" not in rr and "summary" not in rec
    _clean(project)


def test_update_changes_status_and_enrolment_and_nothing_written_by_hand(project):
    path = project / "data" / "trials" / "nct01234567.yaml"
    path.write_text("# a contributor's comment stays\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    first = path.read_text(encoding="utf-8")
    rec = _record(project, "nct01234567")
    assert rec["registry_record"]["status"] == "recruiting"
    assert rec["registry_record"]["countries"] == ["United Kingdom", "France"]  # each once, in order
    assert rec["registry_record"]["other_ids"] == ["TC-001"]

    result = _import(project, "nct01234567-active.json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "nct01234567: status: recruiting -> active-not-recruiting" in lines
    assert "nct01234567: enrolment.count: 40 -> 42" in lines
    assert "nct01234567: enrolment.type: estimated -> actual" in lines
    assert "nct01234567: last_update_posted: 2026-10-02 -> 2026-11-20" in lines
    assert len(lines) == 4, lines  # nothing else changed
    second = path.read_text(encoding="utf-8")
    # hand-written fields and the comment are exactly as they were
    before, after = yaml.safe_load(first), yaml.safe_load(second)
    assert {k: v for k, v in before.items() if k != "registry_record"} == \
        {k: v for k, v in after.items() if k != "registry_record"}
    assert second.startswith("# a contributor's comment stays\n")
    assert after["summary"] == "A first-in-human trial of the test cells."
    assert after["registry_record"]["enrolment"] == {"count": 42, "type": "actual"}
    _clean(project)


def test_update_of_a_review_trial_with_a_date_and_a_year_keeps_them(project):
    # A review trial carries `reviewed` as fmt writes it (an unquoted date, which ruamel reads
    # as a date object) and numbers such as year_registered: the import must neither crash on
    # them nor turn the year into text.
    path = project / "data" / "trials" / "nct01234567.yaml"
    text = path.read_text(encoding="utf-8").replace("id: nct01234567\n", "id: nct01234567\nreviewed: 2026-11-25\n")
    path.write_text(text.replace("phase: phase-1\n", "phase: phase-1\nyear_registered: 2014\n"), encoding="utf-8")
    assert run_atlas(project, "fmt").returncode == 0
    result = _import(project, "nct01234567-recruiting.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    written = path.read_text(encoding="utf-8")
    assert "\nreviewed: 2026-11-25\n" in written and "\nyear_registered: 2014\n" in written
    assert _record(project, "nct01234567")["registry_record"]["status"] == "recruiting"
    assert _import(project, "nct01234567-active.json").returncode == 0  # and again, over the block it wrote
    _clean(project)


def test_unchanged_reimport_writes_nothing(project):
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    path = project / "data" / "trials" / "nct01234567.yaml"
    text, mtime = path.read_text(encoding="utf-8"), path.stat().st_mtime_ns
    result = _import(project, "nct01234567-recruiting.json")
    assert result.returncode == 0
    assert result.stdout == ""  # no change to print
    assert "0 trial record(s) written, 1 unchanged" in result.stderr
    assert path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == mtime


def test_x_atlas_fills_hand_written_fields_of_a_new_record_only(project):
    result = _import(project, "irct-registry-page.json")
    assert result.returncode == 0, result.stderr
    rec = _record(project, "irct20170101000001n1")
    assert rec["registry"] == "irct" and rec["identifier"] == "IRCT20170101000001N1"
    assert rec["classes"] == ["cell-class"] and rec["links"][0]["kind"] == "paper"
    rr = rec["registry_record"]
    assert (rr["read"], rr["read_via"]) == ("2026-12-01", "registry-page")
    assert rr["primary_completion"] == {"date": "2019-03"}  # no type read, none written
    assert "other_ids" not in rr  # its own id is not another id
    _clean(project)
    # a later import with other classes leaves the hand-written ones alone
    study = json.loads((CTGOV / "irct-registry-page.json").read_text(encoding="utf-8"))
    study["x-atlas"]["classes"] = []
    study["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    again = project / "again.json"
    again.write_text(json.dumps(study), encoding="utf-8")
    result = run_atlas(project, "import", "trials", str(again))
    assert "irct20170101000001n1: status: completed -> terminated" in result.stdout
    assert _record(project, "irct20170101000001n1")["classes"] == ["cell-class"]


@pytest.mark.parametrize("name, message", [
    ("not-json.json", "not-json.json:1:"),
    ("not-a-study.json", "neither a study"),
])
def test_a_file_that_is_not_api_json_is_refused(project, name, message):
    result = run_atlas(project, "import", "trials", str(CTGOV / name))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not list((project / "data" / "trials").glob("nct07*"))


def test_a_bad_study_is_refused_with_its_field_and_the_others_imported(project):
    result = run_atlas(project, "import", "trials", str(CTGOV / "bad-status.json"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("bad-status.json: study 2 (NCT07000002): protocolSection.statusModule.overallStatus: 'RUNNING' "
            "is not one of the API's values") in result.stderr
    assert (project / "data" / "trials" / "nct07654321.yaml").is_file()
    assert not (project / "data" / "trials" / "nct07000002.yaml").exists()


def test_a_malformed_identifier_is_refused_saying_its_form(project):
    result = run_atlas(project, "import", "trials", str(CTGOV / "bad-identifier.json"))
    assert result.returncode == 1
    assert "NCT123" in result.stderr and "8 digits" in result.stderr


def test_identifiers_are_checked_per_registry(project):
    bad = {"id": "irct-bad", "title": "A trial", "registry": "irct", "identifier": "IRCT12N1"}
    (project / "data" / "trials" / "irct-bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1
    assert "IRCT12N1" in result.stdout and "IRCT, 10 to 14 digits" in result.stdout


@pytest.mark.parametrize("registry, ident, url", [
    ("clinicaltrials.gov", "NCT01234567", "https://clinicaltrials.gov/study/NCT01234567"),
    ("isrctn", "ISRCTN12345678", "https://www.isrctn.com/ISRCTN12345678"),
    ("anzctr", "ACTRN12614000123456", "https://www.anzctr.org.au/ACTRN12614000123456.aspx"),
    ("eudract", "2012-001234-56", "https://www.clinicaltrialsregister.eu/ctr-search/search?query=2012-001234-56"),
    ("irct", "IRCT2016070428786N1", "https://trialsearch.who.int/Trial2.aspx?TrialID=IRCT2016070428786N1"),
])
def test_each_registry_has_one_link_rule(registry, ident, url):
    from atlas import urls
    assert urls.registry_record(registry, ident) == url


# -- the reporting gap, on a corpus of its own -------------------------------------------------

def _trial(read="2026-12-03", pc=("2024-06", "actual"), has_results=False, status="completed", links=()):
    rr = {"registry": "clinicaltrials.gov", "id": "NCT00000001", "read": read, "read_via": "registry-api",
          "read_url": "https://clinicaltrials.gov/api/v2/studies/NCT00000001", "status": status,
          "has_results": has_results}
    if pc:
        rr["primary_completion"] = {"date": pc[0], **({"type": pc[1]} if pc[1] else {})}
    return {"registry_record": rr, "links": list(links)}


@pytest.mark.parametrize("kwargs, flagged", [
    ({}, True),  # 2024-06 + 12 months < 2026-12-03
    ({"pc": ("2025-12-03", "actual")}, False),  # exactly 12 months: not more than
    ({"pc": ("2025-11", "actual")}, True),  # a month's last day, 30 November 2025, plus 12 months
    ({"pc": ("2025-12", "estimated")}, False),  # could be 31 December 2025
    ({"has_results": True}, False),
    ({"status": "withdrawn"}, False),  # nobody was enrolled: nothing to report
    ({"pc": None}, False),
    ({"links": [{"kind": "paper", "title": "x", "doi": "10.1000/x"}]}, False),
    ({"links": [{"kind": "company-announcement", "title": "x", "url": "https://example.org/"}]}, True),
    ({"read": "2025-06-30"}, False),  # as of the read date, not the build's
])
def test_reporting_gap(kwargs, flagged):
    assert (trials.gap(_trial(**kwargs)) is not None) is flagged


def test_a_study_with_a_peer_reviewed_result_counts_as_a_paper():
    study = {"outcomes": [{"source_type": "peer-reviewed-paper"}]}
    assert trials.gap(_trial(), [study]) is None
    assert trials.gap(_trial(), [{"outcomes": [{"source_type": "company-announcement"}]}]) is not None


def _pages(project: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_flag_and_count_on_trial_class_and_evidence_pages(project, tmp_path):
    assert _import(project, "search-result.json").returncode == 0  # nct07654321 completed 2014, no results
    for rid in ("nct07654321", "nct07000001"):
        path = project / "data" / "trials" / f"{rid}.yaml"
        rec = yaml.safe_load(path.read_text(encoding="utf-8"))
        rec["classes"] = ["cell-class"]
        path.write_text(yaml.safe_dump(rec, sort_keys=False), encoding="utf-8")
    out = _pages(project, tmp_path)
    page = (out / "trials" / "nct07654321.md").read_text(encoding="utf-8")
    assert '!!! warning "No results reported"' in page
    assert "primary completion April 2014 \\(actual\\)" in page and "read on 3 December 2026" in page
    assert "No results reported" not in (out / "trials" / "nct07000001.md").read_text(encoding="utf-8")
    klass = (out / "classes" / "cell-class.md").read_text(encoding="utf-8")
    assert re.search(r"\| Trials with no results reported \| 1 of 3: \[NCT07654321\]", klass)
    assert "Completed · **no results reported**" in klass.split("## Registered trials {#trials}", 1)[1]
    evidence = (out / "evidence.md").read_text(encoding="utf-8")
    assert "1 of the 3 registered trials in the atlas are flagged" in evidence


def test_trial_page_shows_every_registry_field_and_a_sourced_timeline(project, tmp_path):
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    page = (_pages(project, tmp_path) / "trials" / "nct01234567.md").read_text(encoding="utf-8")
    for row in ("| Status | Recruiting (verified October 2026) |", "| Phase | Phase 1 |", "| Allocation | Not applicable |",
                "| Masking | Open label \\(no masking\\) |", "| Enrolment | 40 (estimated) |",
                "| Start | 1 March 2025 \\(actual\\) |", "| Primary completion | June 2028 \\(estimated\\) |",
                "| Last update posted | 2 October 2026 |", "| Lead sponsor | Test Cell Company (Industry) |",
                "| Countries | United Kingdom, France |", "| Sex | All |", "| Ages | 18 Years to 65 Years |",
                "| Healthy volunteers | Not accepted |", "| Results posted | No |"):
        assert row in page, row
    timeline = page.split("## Timeline", 1)[1].split("## Studies", 1)[0]
    # dates as readers read them ('15 January 2025', 'June 2028', '2021'), in date order
    dates = re.findall(r"^\| ((?:\d{1,2} )?(?:[A-Z][a-z]+ )?\d{4}) \| ([^|]+)\|", timeline, re.M)

    def when(d):
        parts = d.split()
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        return (int(parts[-1]), months.index(parts[-2]) + 1 if len(parts) > 1 else 0, int(parts[0]) if len(parts) > 2 else 0)
    assert [when(d) for d, _ in dates] == sorted(when(d) for d, _ in dates)
    assert ("15 January 2025", "Registered \\(first posted\\) ") in dates
    assert ("2021", "Published in *J Test* ") in dates  # the paper by its reference, in date order
    assert "[Registry record](https://clinicaltrials.gov/study/NCT01234567), read on" in timeline
    # what the review-style record said by hand is still there
    assert "A first-in-human trial of the test cells." in page


@pytest.mark.parametrize("status, sponsor_class, shown", [
    ("APPROVED_FOR_MARKETING", "AMBIG", ("Approved for marketing (expanded access)", "Unclear in the registry")),
    ("AVAILABLE", "OTHER_GOV", ("Available (expanded access)", "Government")),
    ("NO_LONGER_AVAILABLE", "INDUSTRY", ("No longer available (expanded access)", "Industry")),
])
def test_every_status_and_sponsor_class_of_the_api_imports_and_reads_in_words(project, tmp_path, status,
                                                                                 sponsor_class, shown):
    # expanded-access records (a treatment given outside a trial, as for an approved product)
    # use statuses of their own, and ClinicalTrials.gov calls some funders ambiguous
    study = json.loads((CTGOV / "nct01234567-recruiting.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT03791567"
    study["protocolSection"]["statusModule"]["overallStatus"] = status
    study["protocolSection"]["designModule"]["studyType"] = "EXPANDED_ACCESS"
    study["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"]["class"] = sponsor_class
    path = tmp_path / "expanded.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    result = run_atlas(project, "import", "trials", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    _clean(project)
    page = (_pages(project, tmp_path) / "trials" / "nct03791567.md").read_text(encoding="utf-8")
    assert all(words in page for words in shown), page
    index = (tmp_path / "pages" / "trials" / "index.md").read_text(encoding="utf-8")
    assert f"&quot;status&#95;label&quot;: &quot;{shown[0]}&quot;" in index  # the words trials.js shows


def test_trials_list_puts_open_trials_first_with_filter_values(project, tmp_path):
    assert _import(project, "search-result.json").returncode == 0
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    index = (_pages(project, tmp_path) / "trials" / "index.md").read_text(encoding="utf-8")
    order = re.findall(r"\[(NCT\d+)\]\(nct\d+\.md\)", index)
    assert order == ["NCT01234567", "NCT07000001", "NCT07654321"]  # recruiting, not yet, completed
    assert 'class="atlas-trial-filters" hidden' in index  # shown by the script only
    assert "&quot;countries&quot;: &#91;&quot;United Kingdom&quot;, &quot;France&quot;&#93;" in index


def test_could_i_take_part_is_generated_into_the_hand_written_page(project, tmp_path):
    assert _import(project, "search-result.json").returncode == 0
    (project / "docs" / "join.md").write_text("# Join\n\n## Could I take part?\n\n<!-- atlas:could-i-take-part -->\n",
                                              encoding="utf-8")
    page = (_pages(project, tmp_path) / "join.md").read_text(encoding="utf-8")
    assert "<!-- atlas:" not in page
    assert "[NCT07000001](trials/nct07000001.md)" in page  # not yet recruiting: open soon
    assert "NCT07654321" not in page  # completed
    assert "women only; ages 12 years and older" in page
    assert "ask your diabetes team" in page
    assert "Japan: [NCT07000001]" in page
    items = [ln for ln in page.splitlines() if ln.startswith("- [NCT")]
    assert len(items) == 1 and items[0].endswith(".")  # one line per open trial


def test_an_unknown_include_names_the_page_and_line(project, tmp_path):
    (project / "docs" / "join.md").write_text("# Join\n\n<!-- atlas:nothing-here -->\n", encoding="utf-8")
    result = run_atlas(project, "pages", str(tmp_path / "pages"))
    assert result.returncode != 0
    assert "docs/join.md:3:1: unknown-include" in result.stdout + result.stderr


def test_search_words_of_a_trial(project):
    from atlas.corpus import load_corpus
    from atlas.search import trial_terms
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    corpus = load_corpus(project)
    terms = trial_terms(corpus, corpus.get("trial", "nct01234567"))
    for word in ("NCT01234567", "TC-001", "Test Cell Company", "Test University Hospital", "TC-01 test cells", "France"):
        assert word in terms


def test_weekly_update_workflow_reads_the_registry_with_least_privilege():
    from conftest import ROOT
    workflows = ROOT / ".github" / "workflows"
    flow = yaml.safe_load((workflows / "trials-update.yml").read_text(encoding="utf-8"))
    on = flow[True]  # YAML 1.1 reads the key 'on' as true
    assert "schedule" in on and "workflow_dispatch" in on
    assert flow["jobs"]["read"]["permissions"] == {"contents": "read"}  # the job that meets the network
    assert set(flow["jobs"]["pull-request"]["permissions"]) == {"contents", "pull-requests"}
    read_steps = " ".join(s.get("run", "") for s in flow["jobs"]["read"]["steps"])
    assert "https://clinicaltrials.gov/api/v2/studies/" in read_steps and "--retry" in read_steps
    assert "atlas import trials" in read_steps and "site-diff" in read_steps
    # no other workflow fetches registry records
    for path in workflows.glob("*.yml"):
        if path.name != "trials-update.yml":
            assert "clinicaltrials.gov/api" not in path.read_text(encoding="utf-8"), path.name


def test_the_update_lists_every_nct_number(project):
    from atlas.trial_import import clinicaltrials_ids
    assert _import(project, "search-result.json").returncode == 0
    assert _import(project, "irct-registry-page.json").returncode == 0
    assert clinicaltrials_ids(project) == ["NCT01234567", "NCT07000001", "NCT07654321"]


def test_hostile_registry_text_renders_as_text(project, tmp_path):
    """Registry records are text from outside: every text field of one full of markup is shown, never run."""
    from conftest import mkdocs_build
    from test_site import HOSTILE, ActiveContent
    study = json.loads((CTGOV / "nct01234567-recruiting.json").read_text(encoding="utf-8"))
    ps = study["protocolSection"]
    ps["identificationModule"]["nctId"] = "NCT07000009"
    ps["identificationModule"]["briefTitle"] += " " + HOSTILE
    ps["identificationModule"]["officialTitle"] = HOSTILE
    ps["identificationModule"]["orgStudyIdInfo"]["id"] = HOSTILE
    ps["statusModule"]["whyStopped"] = HOSTILE
    ps["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = HOSTILE
    ps["sponsorCollaboratorsModule"]["collaborators"][0]["name"] = HOSTILE
    ps["conditionsModule"]["conditions"] = [HOSTILE]
    ps["armsInterventionsModule"]["interventions"][0]["name"] = HOSTILE
    ps["eligibilityModule"]["minimumAge"] = HOSTILE
    ps["contactsLocationsModule"]["locations"].append({"country": HOSTILE + ' "|*_`'})
    study["x-atlas"] = {"read": "2026-12-01", "read_via": "registry-page", "read_url": "https://clinicaltrials.gov/study/NCT07000009",
                        "classes": ["cell-class"], "notes": [HOSTILE],
                        "links": [{"kind": "company-announcement", "title": HOSTILE, "url": "https://example.org/a",
                                   "date": "2026-01-01"}]}
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps(study), encoding="utf-8")
    assert run_atlas(project, "import", "trials", str(file)).returncode == 0
    (project / "docs" / "living.md").write_text("# Living\n\n<!-- atlas:could-i-take-part -->\n", encoding="utf-8")
    out = tmp_path / "site"
    result = mkdocs_build(project, out)
    assert result.returncode == 0, result.stderr[-3000:]
    shown = 0
    for page in ("trials/nct07000009/index.html", "trials/index.html", "living/index.html"):
        text = (out / page).read_text(encoding="utf-8")
        parser = ActiveContent()
        parser.feed(text)
        assert not parser.found, (page, parser.found[:5])
        shown += text.count("&lt;script&gt;alert")
    assert shown >= 10


@pytest.mark.parametrize("rr, expected", [
    ({"read": "2026-12-03", "last_update_posted": "2013-12-30"}, "2013-12-30"),
    ({"read": "2026-12-03", "last_update_posted": "2013-12-30", "status_verified": "2026-10"}, None),
    ({"read": "2026-12-03", "last_update_posted": "2025-01-01"}, None),
    ({"read": "2026-12-03"}, None),
])
def test_a_status_not_updated_for_two_years_is_marked(rr, expected):
    assert trials.stale(rr) == expected


def test_a_registry_record_of_another_trial_is_an_error(project):
    assert _import(project, "nct01234567-recruiting.json").returncode == 0
    path = project / "data" / "trials" / "nct01234567.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  id: NCT01234567", "  id: NCT01234568"), encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "trial-identifier" in result.stdout and "NCT01234568" in result.stdout


def test_a_cited_paper_counts_but_the_source_review_does_not(project):
    from atlas.validate import validate
    assert _import(project, "search-result.json").returncode == 0
    corpus, _ = validate(project)
    t = corpus.get("trial", "nct07654321")
    assert trials.gap_in(corpus, t) is not None
    corpus.source_review = "beta-2021"
    t.data["citations"] = ["beta-2021"]  # the review only names the trial
    assert trials.gap_in(corpus, t) is not None
    corpus.source_review = "ghoneim-2024"
    assert trials.gap_in(corpus, t) is None  # a paper the record cites as reporting it


def test_older_pages_fields_are_kept():
    """Submitted dates (what older pages call 'First received' and 'Last updated'), the responsible
    party, who is masked, other names of an intervention and the outcomes, as the API names them."""
    study = {"protocolSection": {
        "identificationModule": {"nctId": "NCT00000002", "briefTitle": "Old trial", "acronym": "OLD",
                                 "organization": {"fullName": "Old University"}},
        "statusModule": {"studyFirstSubmitDate": "2005-09-12", "lastUpdateSubmitDate": "2009-01-05",
                         "resultsFirstSubmitDate": "2010-02-01"},
        "sponsorCollaboratorsModule": {"responsibleParty": {"type": "PRINCIPAL_INVESTIGATOR",
                                                            "investigatorFullName": "A Person",
                                                            "investigatorAffiliation": "Old University"}},
        "designModule": {"designInfo": {"maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "OUTCOMES_ASSESSOR"]}}},
        "armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": "X", "otherNames": ["X-1"]}]},
        "outcomesModule": {"primaryOutcomes": [{"measure": "Insulin independence", "timeFrame": "1 year"}]}}}
    rr, _ = trials.from_study(study, "2026-12-03")
    assert (rr["first_submitted"], rr["last_update_submitted"], rr["results_first_submitted"]) == \
        ("2005-09-12", "2009-01-05", "2010-02-01")
    assert rr["responsible_party"] == {"type": "principal-investigator", "investigator": "A Person",
                                       "affiliation": "Old University"}
    assert rr["masked_roles"] == ["participant", "outcomes-assessor"]
    assert rr["interventions"] == [{"type": "drug", "name": "X", "other_names": ["X-1"]}]
    assert rr["primary_outcomes"] == [{"measure": "Insulin independence", "time_frame": "1 year"}]
    assert (rr["acronym"], rr["organisation"]) == ("OLD", "Old University")
    assert trials.last_update({"registry_record": rr}) == "2009-01-05"
    assert trials.stale({**rr, "read": "2026-12-03"}) == "2009-01-05"
