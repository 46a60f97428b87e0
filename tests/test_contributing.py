"""CONTRIBUTING.md keeps its promises: its example validates, it explains every rule."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, copy_project, run_atlas

from atlas.rules import RULES

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


@pytest.mark.site  # beside the real records it names
def test_the_worked_example_validates(tmp_path):
    project = copy_project(tmp_path / "proj")
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE, re.S)
    reference = next(b for b in blocks if b.startswith("id: doe-2025\ntype:"))
    study = next(b for b in blocks if b.startswith("id: doe-2025\ntitle:"))
    (project / "data/references/doe-2025.yaml").write_text(reference, encoding="utf-8")
    (project / "data/studies/doe-2025.yaml").write_text(study, encoding="utf-8")
    result = run_atlas(project, "validate")
    assert result.returncode == 0, result.stdout
    assert run_atlas(project, "fmt", "--check").returncode == 0, "the example is in canonical form"


def test_every_rule_is_explained():
    ids = set(RULES) | {"yaml-syntax", "yaml-duplicate-key", "yaml-tag", "yaml-alias", "yaml-encoding",
                        "yaml-empty", "yaml-not-mapping", "file-name", "schema-unknown-field",
                        "schema-missing-field", "schema-enum", "schema-type", "schema-empty",
                        "schema-duplicate-item", "id-syntax", "doi-syntax", "pmid-syntax", "pmcid-syntax",
                        "nct-syntax", "url-syntax", "outcome-uncited", "page-conflict", "format", "link-broken", "link-unavailable",
                        "yaml-tab", "reference-number-range", "revisit"}
    missing = [r for r in sorted(ids) if f"`{r}`" not in GUIDE]
    assert not missing, missing


def test_editor_settings_map_every_schema():
    import json

    from atlas.kinds import KINDS
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {f"./schemas/{k.schema}": f"data/{k.folder}/*.yaml" for k in KINDS}
