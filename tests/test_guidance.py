"""Messages that say what is wrong and the one fix that works (issue 28): one test per message
a newcomer was misled by, each following the fix it gives and checking that it works."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from conftest import run_atlas
from test_validate import REF, STUDY, edit


def problems(project: Path) -> list[str]:
    result = run_atlas(project, "validate")
    return [ln for ln in result.stdout.splitlines() if ln.strip() and ": warning: " not in ln]


def only(project: Path, rule: str) -> str:
    found = [ln for ln in problems(project) if f": {rule}: " in ln]
    assert len(found) == 1, problems(project)
    return found[0]


def test_empty_required_field_says_fill_it_in_not_remove_it(project):
    edit(project, STUDY, "summary: Cells were placed in diabetic mice and lowered their blood glucose.", "summary: ''")
    message = only(project, "schema-empty")
    assert "required" in message and "fill it in" in message and "remove the field" not in message
    # removing it, as the old message said, is not a fix
    edit(project, STUDY, "summary: ''\n", "")
    assert any("schema-missing-field" in ln for ln in problems(project))


def test_empty_optional_field_may_be_filled_or_deleted(project):
    edit(project, REF, "journal: J Test", "journal: ''")
    message = only(project, "schema-empty")
    assert "delete the 'journal' line" in message and "optional" in message
    edit(project, REF, "journal: ''\n", "")
    assert problems(project) == []  # the fix it offers works


def test_condition_outside_population_says_it_belongs_under_population(project):
    edit(project, STUDY, "enrolled: 20", "condition: new-onset type 1 diabetes\nenrolled: 20")
    message = only(project, "schema-unknown-field")
    assert "'condition'" in message and "belongs under 'population'" in message
    assert "did you mean 'citations'" not in message
    edit(project, STUDY, "condition: new-onset type 1 diabetes\nenrolled: 20", "enrolled: 20")
    edit(project, STUDY, "  species: mouse\n", "  species: mouse\n  condition: new-onset type 1 diabetes\n")
    assert problems(project) == []  # where it said, it is accepted


def test_a_field_moved_out_of_its_group_says_where_it_belongs(project):
    edit(project, STUDY, "  induction: streptozotocin\n", "")
    edit(project, STUDY, "enrolled: 20", "induction: streptozotocin\nenrolled: 20")
    message = only(project, "schema-unknown-field")
    assert "'induction'" in message and "belongs under 'population'" in message and "did you mean" not in message
    # nested too: a field of an outcome written at a study's arm
    edit(project, STUDY, "  label: Cells\n", "  label: Cells\n  finding: moved\n")
    assert any("'finding'" in ln and "belongs under 'outcomes[]'" in ln for ln in problems(project))


def test_a_typo_still_gets_did_you_mean(project):
    edit(project, REF, "title: A study", "titel: A study")
    assert "did you mean 'title'" in only(project, "schema-unknown-field")


def test_a_rise_above_100_percent_is_told_which_unit_to_use(project):
    edit(project, STUDY, "  value: 50", "  value: 105.7")
    message = only(project, "value-range")
    assert "105.7%" in message and "unit: '% increase'" in message
    edit(project, STUDY, "  unit: '%'", "  unit: '% increase'")
    assert problems(project) == []  # the unit it names is accepted


def test_a_date_for_a_year_is_called_a_date_and_not_told_to_drop_quotes(project):
    edit(project, STUDY, "year: 2020", "year: 2016-05-01")
    message = only(project, "schema-type")
    assert "a date" in message and "YAML reads" in message and "year: 2016" in message
    assert "not text" not in message and "quotes" not in message
    edit(project, STUDY, "year: 2016-05-01", "year: 2016")
    assert problems(project) == []


def test_a_quoted_year_is_told_to_drop_its_quotes(project):
    edit(project, STUDY, "year: 2020", "year: '2020'")
    message = only(project, "schema-type")
    assert "without quotes" in message and "year: 2020" in message


def test_a_word_for_a_year_is_not_told_about_quotes_it_does_not_have(project):
    edit(project, STUDY, "year: 2020", "year: twenty")
    message = only(project, "schema-type")
    assert "quotes" not in message and "four digits" in message


def test_authors_as_plain_text_get_the_shape_of_the_list(project):
    text = (project / REF).read_text(encoding="utf-8")
    block = re.search(r"authors:\n(?:[- ] .*\n)+", text).group(0)
    (project / REF).write_text(text.replace(block, "authors: Alpha A, Gamma G\n"), encoding="utf-8")
    message = only(project, "schema-type")
    assert "authors must be a list, not text" in message
    assert "'- family: Cai'" in message and "given: J" in message


def test_placeholder_of_a_required_field_is_not_told_to_delete_it(project):
    edit(project, STUDY, "summary: Cells were placed in diabetic mice and lowered their blood glucose.",
         "summary: 'TODO: summary'")
    message = only(project, "placeholder")
    assert "summary is required" in message and "delete" not in message


def test_new_trial_with_a_malformed_number_writes_a_record_whose_only_problems_are_todos(project):
    result = run_atlas(project, "new", "trial", "nct0123456")
    assert result.returncode == 0 and "not NCT and 8 digits" in result.stderr
    record = yaml.safe_load((project / "data/trials/nct0123456.yaml").read_text(encoding="utf-8"))
    assert record["identifier_as_printed"] == "NCT0123456" and "identifier" not in record
    found = problems(project)
    assert found and all(": placeholder: " in ln for ln in found), found


def test_import_that_adds_nothing_does_not_say_cite_each_new_one(project, tmp_path):
    bib = tmp_path / "same.bib"
    bib.write_text("@article{a, author={Alpha, A}, title={Again}, journal={J}, year={2020}, "
                   "doi={10.1000/alpha.2020}}\n", encoding="utf-8")
    result = run_atlas(project, "import", "references", str(bib))
    assert result.returncode == 1
    assert "cite each new one" not in result.stderr and "no reference added" in result.stderr


def test_post_review_reference_without_provenance_is_asked_for_it(project):
    text = (project / REF).read_text(encoding="utf-8")
    (project / "data/references/delta-2025.yaml").write_text(
        text.replace("id: alpha-2020\nnumber: 1\n", "id: delta-2025\n").replace("doi: 10.1000/alpha.2020\n", "")
        .replace("year: 2020", "year: 2025"), encoding="utf-8")
    with open(project / STUDY, "a", encoding="utf-8") as f:  # citations is the study's last field
        f.write("- ref: delta-2025\n  role: later-report\n")
    message = only(project, "reference-provenance")
    for name in ("published", "source_type", "read", "accessed"):
        assert name in message
    with open(project / "data/references/delta-2025.yaml", "a", encoding="utf-8") as f:
        f.write("published: '2025-02-03'\nsource_type: peer-reviewed-paper\nread: the abstract\n"
                "accessed: '2026-01-05'\n")
    assert problems(project) == []


# --- what atlas new and atlas import write validates once its placeholders are filled

FILL = {  # a value for each kind of placeholder the scaffolds write
    "YYYY-MM-DD": "'2025-03-04'",
    "id of a reference": "delta-2025",
    "id of a therapy-class": "cell-class",
    "id of a limitation": "some-limit",
    "id of a trial": "nct01234567",
    "id of an arm": "treated",
    "one of: randomised-controlled-trial": "animal-study",  # the fixture class is at the animal stage
}


def fill(path: Path) -> None:
    """Every TODO replaced by a value of its kind, as a contributor would."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.search(r"'TODO: ?(.*)'$", line)
        if m:
            hint = m.group(1).replace("''", "'")
            value = next((v for key, v in FILL.items() if hint.startswith(key)), None)
            if value is None:
                value = (hint.split("one of: ", 1)[1].split(",")[0].strip() if "one of: " in hint else
                         "A value from the source [@delta-2025]." if "summary" in hint or "finding" in hint
                         else "Filled in.")
            line = line[:m.start()] + value
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_import_and_new_write_records_that_validate_once_their_todos_are_filled(project, tmp_path):
    bib = tmp_path / "delta.bib"
    bib.write_text("@article{delta, author={Delta, Dora and Epsilon, E}, title={Cells in people}, "
                   "journal={J Test}, year={2025}, doi={10.1000/delta.2025}}\n", encoding="utf-8")
    assert run_atlas(project, "import", "references", str(bib)).returncode == 0
    assert run_atlas(project, "new", "study", "delta-2025", "--reference", "delta-2025").returncode == 0
    assert run_atlas(project, "new", "trial", "nct07654321").returncode == 0
    assert run_atlas(project, "new", "reference", "zeta-2025").returncode == 0
    new = ["data/references/delta-2025.yaml", "data/studies/delta-2025.yaml", "data/trials/nct07654321.yaml",
           "data/references/zeta-2025.yaml"]
    before = problems(project)
    for rel in new:  # before: the placeholders are what validation lists, each at its line
        assert any(ln.startswith(rel) and ": placeholder: " in ln for ln in before), (rel, before)
    for rel in new:
        fill(project / rel)
    # every new reference is cited, as validation asks: zeta-2025 by the new study and the trial
    edit(project, "data/studies/delta-2025.yaml", "\ncitations:\n", "\ncitations:\n- ref: zeta-2025\n  role: later-report\n")
    edit(project, "data/trials/nct07654321.yaml", "- delta-2025", "- zeta-2025")
    assert problems(project) == []


# --- summaries that read once

def test_fmt_names_what_it_changed_with_a_count_and_says_nothing_otherwise(project):
    path = project / STUDY
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    year = next(ln for ln in lines if ln.startswith("year:"))
    lines.remove(year)
    path.write_text("".join(lines) + year, encoding="utf-8")  # out of canonical order
    result = run_atlas(project, "fmt")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"formatted {STUDY}", "1 file rewritten in canonical form"]
    again = run_atlas(project, "fmt")
    assert again.returncode == 0 and again.stderr == "" and again.stdout == ""


def test_site_diff_groups_a_change_repeated_on_pages_and_within_a_page(tmp_path):
    from atlas.sitediff import compare, markdown

    def page(title: str, body: str) -> str:
        return (f"<html><head><title>{title} - Atlas</title></head><body>"
                f"<article class='md-content__inner'>{body}</article></body></html>")

    cited = "<p>Cai J. Islets. 2016.</p>" * 3  # listed three times on the page
    for site, body in ((tmp_path / "base", ""), (tmp_path / "new", cited)):
        for name in ("bibliography", "studies/a", "studies/b"):
            (site / name).mkdir(parents=True)
            (site / name / "index.html").write_text(page(name, "<p>text</p>" + body), encoding="utf-8")
    summary = markdown(compare(tmp_path / "base", tmp_path / "new"))
    changed = summary.split("### Changed", 1)[1]
    assert changed.count("+Cai J. Islets. 2016.") == 1 and "(×3)" in changed
    assert "(the same change on 3 pages)" in changed
    for name in ("bibliography", "studies/a", "studies/b"):
        assert f"(`/{name}/`)" in changed


def test_scaffold_comments_say_each_thing_once_and_uncomment_to_valid_yaml(project):
    import collections
    for kind, rid in (("study", "delta-2025"), ("trial", "nct07654321"), ("reference", "zeta-2025")):
        text = run_atlas(project, "new", kind, rid, "--stdout").stdout
        assert "# #" not in text, kind
        # a description (any comment text of 40 characters or more) appears once; a placeholder
        # value ('TODO: one of: ...') is a value to replace, given wherever the field is
        described = re.sub(r"'TODO: [^'\n]*'", "''", text)
        notes = collections.Counter(m for m in re.findall(r"#[^#\n]*?([A-Z][^#\n]{40,})", described))
        assert all(n == 1 for n in notes.values()), [k for k, n in notes.items() if n > 1]
        # removing the '# ' in front of every line, as for an optional field the source reports, leaves YAML
        field_line = re.compile(r"# ( *(- )?[a-z_]+:( |$))")  # '# reviewed: ...', not '# title (required): ...'
        uncommented = "\n".join(ln[2:] if field_line.match(ln) else ln for ln in text.splitlines())
        yaml.safe_load(uncommented)


def test_an_author_as_one_line_of_text_gets_the_shape_of_an_item(project):
    edit(project, REF, "- family: Gamma\n  given: G\n", "- Gamma G\n")
    message = only(project, "schema-type")
    assert "authors[1] must be a mapping, not text" in message and "'- family: Cai'" in message
