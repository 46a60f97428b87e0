"""Hostile and malformed input, one regression test per case (CONTRIBUTING.md, "Hostile input").

Each builds a small project of its own, breaks it, and checks what a contributor sees:
problems naming the file, a non-zero exit, and nothing read from outside the project
or written anywhere.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import run_atlas

from atlas import confine
from atlas.build import prepare
from atlas.diagnostics import DataError, Problem
from atlas.validate import validate

STUDY = "data/studies/alpha-2020.yaml"
SECRET = "TOP-SECRET-RUNNER-FILE"


def _rules(problems) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in problems:
        out.setdefault(p.rule, set()).add(p.path)
    return out


def _second_study(project: Path, year_line: str) -> Path:
    text = (project / STUDY).read_text(encoding="utf-8")
    path = project / "data/studies/beta-2021.yaml"
    path.write_text(text.replace("id: alpha-2020", "id: beta-2021").replace("year: 2020", year_line), encoding="utf-8")
    return path


def _outside_file(tmp_path: Path, text: str = f"id: x\ntitle: {SECRET}\n") -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    target = outside / "secret.yaml"
    target.write_text(text, encoding="utf-8")
    return target


# -- stage 1 keeps wrong types away from rules and indexes ------------------------------------

@pytest.mark.parametrize("year_line", ["year: 2021-01-01", "year: '2025'", "year: null", "year: [2020]",
                                       "year: {a: 1}", "year: 2020.5", "year: true"])
def test_wrong_year_type_is_a_schema_problem_not_a_traceback(project, year_line):
    _second_study(project, year_line)  # next to a study whose year is a number: sorting both crashed
    corpus, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [("data/studies/beta-2021.yaml", "schema-type")]
    assert "beta-2021" in corpus.set_aside["study"] and "beta-2021" not in corpus.records["study"]
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "data/studies/beta-2021.yaml:" in result.stdout


def test_set_aside_record_is_not_an_unresolved_target_and_its_citations_count(project):
    """A limitation names the broken study; the broken study is the only record citing beta-2021."""
    study = _second_study(project, "year: 2021-01-01")
    study.write_text(study.read_text(encoding="utf-8").replace("- ref: alpha-2020\n", "- ref: beta-2021\n"),
                     encoding="utf-8")
    for rel in ("data/limitations/some-limit.yaml", "data/trials/nct01234567.yaml"):
        path = project / rel
        path.write_text(path.read_text(encoding="utf-8").replace("beta-2021", "alpha-2020"), encoding="utf-8")
    lim = project / "data/limitations/some-limit.yaml"
    lim.write_text(lim.read_text(encoding="utf-8") + "studies:\n- beta-2021\n", encoding="utf-8")
    _, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [("data/studies/beta-2021.yaml", "schema-type")], problems


def test_stage_not_called_unsupported_when_the_study_failed_its_schema(project):
    (project / STUDY).write_text((project / STUDY).read_text(encoding="utf-8").replace("year: 2020", "year: '2020'"),
                                 encoding="utf-8")
    _, problems = validate(project)
    assert {p.rule for p in problems} == {"schema-type"}, problems


def test_reference_to_a_set_aside_record_is_not_unresolved(project):
    ref = project / "data/references/alpha-2020.yaml"
    ref.write_text(ref.read_text(encoding="utf-8").replace("year: 2020", "year: twenty"), encoding="utf-8")
    _, problems = validate(project)
    assert {p.rule for p in problems} == {"schema-type"}, problems


def test_a_value_with_line_breaks_makes_a_one_line_message(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("design: animal-study", 'design: "animal\\nstudy\\u202e"'),
                                 encoding="utf-8")
    _, problems = validate(project)
    assert problems and all("\n" not in str(p) and "\u202e" not in str(p) for p in problems)


def test_a_huge_value_makes_a_message_of_readable_length(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("design: animal-study", "design: " + "x" * 200_000), encoding="utf-8")
    _, problems = validate(project)
    assert problems and all(len(p.message) < 1000 for p in problems)
    assert all(p.message.endswith(problems[0].message[-20:]) for p in problems[:1])


# -- nothing read from outside the project -------------------------------------------------------

@pytest.mark.parametrize("where", [STUDY, "data/references/new-2024.yaml", "docs/page.md",
                                   "templates/study.md.j2", "schemas/study.schema.json", "overrides/main.html"])
def test_symlinked_file_is_an_error_and_never_read(project, tmp_path, where):
    target = _outside_file(tmp_path)
    link = project / where
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    link.symlink_to(target)
    _, problems = validate(project)
    assert Problem(where, 1, 1, "file-symlink", problems[0].message) in problems, problems
    assert not any(SECRET in p.message for p in problems)
    out = project / "build" / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 1 and f"{where}:1:1: file-symlink" in result.stdout
    assert SECRET not in result.stdout + result.stderr and not out.exists()


def test_symlinked_data_folder_is_an_error_and_never_read(project, tmp_path):
    target = _outside_file(tmp_path)
    link = project / "data" / "sites"
    link.symlink_to(target.parent, target_is_directory=True)
    _, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [("data/sites", "file-symlink")]


def test_link_inside_the_project_is_refused_too(project):
    """Git stores the link, not the file: a link is never followed, wherever it points."""
    (project / "data/references/copy.yaml").symlink_to(project / "data/references/alpha-2020.yaml")
    _, problems = validate(project)
    assert ("data/references/copy.yaml", "file-symlink") in {(p.path, p.rule) for p in problems}


def test_a_pipe_is_an_error_not_a_hang(project):
    os.mkfifo(project / "data/studies/pipe.yaml")
    start = time.monotonic()
    _, problems = validate(project)
    assert ("data/studies/pipe.yaml", "file-not-regular") in {(p.path, p.rule) for p in problems}
    assert time.monotonic() - start < 30


def test_fmt_refuses_files_outside_the_project_and_links(project, tmp_path):
    target = _outside_file(tmp_path, "title: b\nid: a\n")
    before = target.read_bytes()
    (project / "data/studies/linked.yaml").symlink_to(target)
    for name in (str(target), "data/studies/linked.yaml", "../outside/secret.yaml"):
        result = run_atlas(project, "fmt", name)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert target.read_bytes() == before
    assert (project / "data/studies/linked.yaml").is_symlink()


def test_docs_page_not_utf8_is_a_problem(project):
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs/bad.md").write_bytes(b"# Page\n\xff\xfe caf\xe9\n")
    _, problems = validate(project)
    assert ("docs/bad.md", "docs-encoding") in {(p.path, p.rule) for p in problems}


# -- identifiers wherever they are written ----------------------------------------------------

@pytest.mark.parametrize("alias", ["NCT0478626", "NCT047862620", "NCT 04786262", "PMID: 0123", "doi: 10.12/abc",
                                   "DOI: 10.1000/a[1]", "https://doi.org/10.12/x", "PMC12"])
def test_malformed_identifier_in_aliases_is_an_error(project, alias):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("design: animal-study", f"design: animal-study\naliases:\n- '{alias}'"),
                                 encoding="utf-8")
    _, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [(STUDY, "identifier-malformed")], problems
    assert (problems[0].line, problems[0].col) == (5, 3)  # the alias itself


def test_malformed_identifier_in_prose_is_an_error(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("lowered their blood glucose.",
                                              "lowered their blood glucose (NCT0478626)."), encoding="utf-8")
    _, problems = validate(project)
    assert [p.rule for p in problems] == ["identifier-malformed"]


def test_malformed_identifier_declared_as_printed_is_allowed(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("design: animal-study", "design: animal-study\naliases:\n- NCT0478626")
                                 + "corrections:\n- field: aliases\n  printed: NCT0478626\n"
                                   "  note: The source prints 7 digits; the right number is unknown.\n",
                                 encoding="utf-8")
    _, problems = validate(project)
    assert not problems, problems


def test_well_formed_identifiers_in_prose_pass(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace(
        "summary: Cells were placed in diabetic mice and lowered their blood glucose.",
        "summary: 'Cells lowered blood glucose (NCT04786262; PMID: 23456789; PMC1234567; "
        "doi:10.1016/0005-2736(81)90512-5). Scores fell from 10.5/10; the PMIDs are listed.'"), encoding="utf-8")
    _, problems = validate(project)
    assert not problems, problems


# -- bounded size ------------------------------------------------------------------------------

def test_ten_megabyte_field_gets_a_limit_message(project):
    text = (project / STUDY).read_text(encoding="utf-8")
    (project / STUDY).write_text(text.replace("summary: Cells", "summary: " + "Cells " * 1_800_000), encoding="utf-8")
    start = time.monotonic()
    _, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [(STUDY, "file-too-large")]
    assert "1,000,000 bytes" in problems[0].message and time.monotonic() - start < 10


@pytest.mark.slow  # 20,000 files written and read; the fast path checks the file-count limit itself
def test_twenty_thousand_files_finish_in_bounded_time(project):
    folder = project / "data" / "organisations"
    folder.mkdir(exist_ok=True)
    for i in range(20_000):
        (folder / f"org-{i}.yaml").write_text(f"id: org-{i}\nname: Organisation {i}\nkind: company\n",
                                              encoding="utf-8")
    start = time.monotonic()
    corpus, problems = validate(project)
    took = time.monotonic() - start
    assert not problems and len(corpus.records["organisation"]) == 20_000
    assert took < 120, f"validation of 20,000 files took {took:.0f}s"


def test_too_many_files_is_a_limit_message(project, monkeypatch):
    monkeypatch.setattr(confine, "MAX_FILES", 50)
    folder = project / "data" / "organisations"
    folder.mkdir(exist_ok=True)
    for i in range(60):
        (folder / f"org-{i}.yaml").write_text(f"id: org-{i}\nname: O\nkind: company\n", encoding="utf-8")
    _, problems = validate(project)
    assert "too-many-files" in {p.rule for p in problems}


def test_pages_of_a_set_aside_record_are_never_generated(project):
    _second_study(project, "year: 2021-01-01")
    with pytest.raises(DataError) as e:
        prepare(project)
    assert {p.rule for p in e.value.problems} == {"schema-type"}


def test_every_new_rule_is_explained_in_the_guide():
    guide = (Path(__file__).resolve().parent.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for rule_id in ("identifier-malformed", "file-symlink", "file-outside", "file-not-regular", "file-unreadable",
                    "file-too-large", "too-many-files", "docs-encoding", "schema-file"):
        assert f"`{rule_id}`" in guide, rule_id


# 8,000 citations make a 300 KB summary, which Python-Markdown takes seconds over (its inline
# placeholders cost time quadratic in their number): that size runs in make test; the fast
# path builds the same odd text with 100.
@pytest.mark.parametrize("repeat", [100, pytest.param(8000, marks=pytest.mark.slow)])
def test_strange_but_valid_text_builds_the_site_strictly(project, tmp_path, repeat):
    """What passes validation also passes `mkdocs build --strict`: right-to-left marks,
    combining accents, emoji, template and Markdown syntax, a 300 KB summary."""
    from conftest import mkdocs_build

    odd = "e\u0301 \u202e ثلاثة 🧪 {{ 7*7 }} {% raw %} | a | b | *[HTML]: x ~~~ <!-- \\\\ ` %s"
    text = (project / STUDY).read_text(encoding="utf-8")
    text = text.replace("title: Islet-like cells in diabetic mice (Alpha 2020)", f'title: "{odd}"')
    text = text.replace("summary: Cells were placed in diabetic mice and lowered their blood glucose.",
                        "summary: '" + "Cells lowered glucose [@alpha-2020]. " * repeat + "'")
    (project / STUDY).write_text(text, encoding="utf-8")
    assert not validate(project)[1]
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "site" / "studies" / "alpha-2020" / "index.html").read_text(encoding="utf-8")
    assert "ثلاثة" in page and "{{ 7*7 }}" in page


def test_a_committed_cache_link_is_not_written_through(project, tmp_path):
    """.cache holds compiled schemas and charts; a link named .cache must not send them elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".cache").symlink_to(elsewhere, target_is_directory=True)
    assert not validate(project)[1]
    prepare(project)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("cache", ["../linkcheck.json", "/tmp/linkcheck.json", "linked/linkcheck.json"])
def test_link_check_cache_outside_the_project_is_refused(project, tmp_path, cache):
    from atlas.linkcheck import Config

    (project / "linked").symlink_to(tmp_path, target_is_directory=True)
    (project / "lc.yaml").write_text(f"registries: {{}}\ncache: {cache}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        Config.load(project / "lc.yaml", project)
    assert e.value.code == 2


def test_fmt_reports_what_only_its_parser_refuses(project):
    """Found by the property tests: libyaml reads a tab inside a key, ruamel (fmt) does not."""
    path = project / "data/glossary/stz.yaml"
    path.write_text("sum\tindent: x\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = path.read_bytes()
    result = run_atlas(project, "fmt")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "data/glossary/stz.yaml:1:4: yaml-syntax" in result.stdout
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", ['{"a": ', '[1, 2]', '{"type": 5}', b"\xff\xfe", None],
                         ids=["bad-json", "not-object", "bad-type", "not-utf8", "missing"])
def test_a_broken_schema_is_a_problem_not_a_traceback(project, content):
    path = project / "schemas" / "site.schema.json"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    _, problems = validate(project)
    assert problems and {p.rule for p in problems} == {"schema-file"}, problems
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("change, expected", [
    ("{% if %}\n", "template-syntax"), ("{{ nosuchvar }}\n", "template-error")])
def test_a_broken_template_names_its_file_and_line(project, change, expected):
    path = project / "templates" / "study.md.j2"
    path.write_text(change + path.read_text(encoding="utf-8"), encoding="utf-8")
    out = project / "build" / "pages"
    result = run_atlas(project, "pages", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"templates/study.md.j2:1:1: {expected}" in result.stdout
    assert not out.exists()


def test_text_a_record_template_prints_outside_its_blocks_is_an_error_not_lost(project):
    """Record templates extend _record.md.j2; Jinja would drop a line added after the body block."""
    path = project / "templates" / "study.md.j2"
    source = path.read_text(encoding="utf-8")
    path.write_text(source + "\n## Funding\n", encoding="utf-8")
    result = run_atlas(project, "pages", str(project / "build" / "pages"))
    line = source.count("\n") + 1
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"templates/study.md.j2:{line}:1: template-syntax: this template extends another" in result.stdout


def test_a_file_name_with_a_line_break_is_reported_on_one_line(project):
    (project / "data/glossary/a\nb.yaml").write_text("id: a-b\nterm: X\n", encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [ln for ln in result.stdout.splitlines() if "a\\nb.yaml" in ln]
    assert lines and all(ln.startswith("data/glossary/a\\nb.yaml:") for ln in lines), result.stdout
