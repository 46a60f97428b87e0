"""The formatter: canonical key order, comments kept, idempotent, --check writes nothing."""
from __future__ import annotations

import pytest
from conftest import run_atlas

CLASS = "data/classes/cell-class.yaml"


def test_reorders_keys_and_keeps_comments(project):
    path = project / CLASS
    original = path.read_text(encoding="utf-8")
    # move 'id' to the end and add a comment on a field
    shuffled = original.replace("id: cell-class\n", "").replace(
        "name: Test cell class", "name: Test cell class  # the display name") + "id: cell-class\n"
    path.write_text(shuffled, encoding="utf-8")

    check = run_atlas(project, "fmt", "--check")
    assert check.returncode == 1
    # the first line that differs, then the diff of what `make fmt` would do
    assert f"{CLASS}:2:1: format: not in canonical form" in check.stdout
    assert "\n+id: cell-class\n" in check.stdout and "\n-id: cell-class\n" in check.stdout
    assert path.read_text(encoding="utf-8") == shuffled, "--check must not write"

    result = run_atlas(project, "fmt")
    assert result.returncode == 0, result.stdout + result.stderr
    formatted = path.read_text(encoding="utf-8")
    assert formatted.splitlines()[:3] == ["# A comment the formatter must keep.", "id: cell-class",
                                          "name: Test cell class  # the display name"]
    assert run_atlas(project, "fmt", "--check").returncode == 0
    run_atlas(project, "fmt")
    assert path.read_text(encoding="utf-8") == formatted, "formatting twice changes nothing"
    assert run_atlas(project, "validate").returncode == 0


def test_nested_keys_follow_schema_order(project):
    path = project / "data/studies/alpha-2020.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- id: treated\n  label: Cells\n  role: intervention\n  n: 10",
                                 "- n: 10\n  role: intervention\n  label: Cells\n  id: treated"), encoding="utf-8")
    run_atlas(project, "fmt")
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.site
def test_real_corpus_is_canonical():
    from conftest import ROOT
    result = run_atlas(ROOT, "fmt", "--check")
    assert result.returncode == 0, result.stdout
