"""Trial registries have one home, atlas/registries.py: the schemas say the same (or this test
names what to change), every registry's identifier reaches a page of its own, and a record
from any registry imports, validates and links its registry."""
from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, run_atlas

from atlas import urls
from atlas.registries import BY_KEY, REGISTRIES, record_id

SCHEMAS = ROOT / "schemas"


def _forms(schema: dict, field: str) -> dict[str, dict]:
    return {e["if"]["properties"]["registry"]["const"]: e["then"]["properties"][field] for e in schema["allOf"]}


def test_the_schemas_name_each_registry_and_its_identifier_form_as_registries_py_does():
    common = json.loads((SCHEMAS / "common.schema.json").read_text(encoding="utf-8"))
    trial = json.loads((SCHEMAS / "trial.schema.json").read_text(encoding="utf-8"))
    assert common["$defs"]["registry"]["enum"] == [r.key for r in REGISTRIES], "common.schema.json's registry enum"
    nct = common["$defs"]["nct"]["pattern"]
    for where, forms in (("trial.schema.json allOf (identifier)", _forms(trial, "identifier")),
                         ("trial.schema.json registry_record.allOf (id)",
                          _forms(trial["properties"]["registry_record"], "id"))):
        assert list(forms) == [r.key for r in REGISTRIES], where
        for r in REGISTRIES:
            form = forms[r.key]
            pattern = nct if form.get("$ref", "").endswith("/nct") else form.get("pattern")
            assert pattern == r.pattern, f"{where}: {r.key}'s pattern"
            assert form.get("$ref") or form.get("description") == r.form, f"{where}: {r.key}'s description"


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.key)
def test_each_registry_example_is_valid_and_reaches_its_record(registry):
    ident = re.search(r"(?:e\.g\. |\()([A-Za-z0-9/-]+)", registry.form).group(1)  # its form gives an example
    assert re.fullmatch(registry.pattern, ident), ident
    url = urls.registry_record(registry.key, ident)
    assert url.startswith("https://") and ident in url
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", record_id(ident))


def test_a_record_from_a_registry_whose_identifiers_hold_slashes_imports_and_links(project, tmp_path):
    study = {"protocolSection": {"identificationModule": {"briefTitle": "Cells for type 1 diabetes"},
                                 "statusModule": {"overallStatus": "RECRUITING"}},
             "x-atlas": {"registry": "ctri", "id": "CTRI/2021/03/031234", "read": "2026-12-03",
                         "read_via": "verbatim-copy", "read_url": urls.registry_record("ctri", "CTRI/2021/03/031234"),
                         "classes": ["cell-class"]}}
    path = tmp_path / "ctri.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    result = run_atlas(project, "import", "trials", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "data" / "trials" / "ctri-2021-03-031234.yaml").is_file()
    assert run_atlas(project, "validate").returncode == 0
    assert run_atlas(project, "pages", str(tmp_path / "out")).returncode == 0
    page = (tmp_path / "out" / "trials" / "ctri-2021-03-031234.md").read_text(encoding="utf-8")
    link = re.search(r"\*\*Registry record:\*\* \[CTRI/2021/03/031234 on (.*?)\]\((.*?)\)", page)
    assert link and link.group(1).replace("\\", "") == BY_KEY["ctri"].name
    assert link.group(2) == "https://trialsearch.who.int/Trial2.aspx?TrialID=CTRI/2021/03/031234"
    # a malformed identifier of that registry is refused with its form
    study["x-atlas"]["id"] = "CTRI-2021-03-031235"
    path.write_text(json.dumps(study), encoding="utf-8")
    result = run_atlas(project, "import", "trials", str(path))
    assert result.returncode == 1 and "CTRI/year/number/6 digits" in result.stdout + result.stderr
