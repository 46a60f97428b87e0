"""A new record kind is a schema, one Kind entry, a template and its data: nothing else.

The test adds a kind "guideline" (id, title, organisation, year, reference) to a copy of
the project and of the atlas package exactly that way: it writes
schemas/guideline.schema.json, inserts one Kind(...) line into the copy of atlas/kinds.py,
writes templates/guideline.md.j2 and data/guidelines/*.yaml (and the organisation the
guideline names, data too). Then it builds the site strictly and reads the HTML: the
kind's pages, its entry in the navigation, what search calls its pages, and its
back-links: the organisations page lists the guideline under its organisation (from the
schema's x-ref), and the bibliography lists it among the pages citing its reference.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import ENGINE, FIXTURES, ROOT, copy_project

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "guideline.schema.json",
    "title": "Guideline",
    "description": "A clinical guideline. File: data/guidelines/<id>.yaml",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "organisation", "year", "reference"],
    "properties": {
        "id": {"$ref": "common.schema.json#/$defs/id"},
        "title": {"type": "string", "minLength": 1},
        "organisation": {"$ref": "common.schema.json#/$defs/id", "x-ref": "organisation"},
        "year": {"type": "integer"},
        "reference": {"$ref": "common.schema.json#/$defs/id", "x-ref": "reference"},
    },
}
KIND = ('    Kind("guideline", "guidelines", "guideline.schema.json", "guideline", "title",\n'
        '         page="guidelines/", template="guideline.md.j2"),\n')
TEMPLATE = textwrap.dedent("""\
    {% extends '_record.md.j2' %}
    {% block body %}
    Issued by {{ page.link(named['organisation']) }} in {{ record['year'] }} {{ page.cite(record['reference']) }}.
    {% endblock %}
    """)
GUIDELINE = "id: islet-care-2024\ntitle: Islet transplant care\norganisation: who\nyear: 2024\nreference: beta-2021\n"
ORGANISATION = "id: who\nname: World Health Organization\nkind: agency\n"
NAV = [{"Home": "index.md"}, {"Look up": [{"Glossary": "glossary.md"}, {"Bibliography": "bibliography.md"}]}]


def _with_kind(tmp_path: Path) -> tuple[Path, Path]:
    """(project, folder holding the atlas package): the kind added as README says."""
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config["nav"] = NAV  # a hand-written nav that does not name the new kind's page
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    package = tmp_path / "package"
    shutil.copytree(ROOT / "atlas", package / "atlas", ignore=shutil.ignore_patterns("__pycache__"))
    # 1. the schema
    (project / "schemas/guideline.schema.json").write_text(json.dumps(SCHEMA, indent=2), encoding="utf-8")
    # 2. one Kind entry, the last of KINDS
    kinds = package / "atlas/kinds.py"
    text = kinds.read_text(encoding="utf-8")
    end = text.index("\n]\n", text.index("KINDS: list[Kind] = ["))
    kinds.write_text(text[:end + 1] + KIND + text[end + 1:], encoding="utf-8")
    # 3. the template
    (project / "templates/guideline.md.j2").write_text(TEMPLATE, encoding="utf-8")
    # 4. data
    for folder, name, record in (("guidelines", "islet-care-2024", GUIDELINE), ("organisations", "who", ORGANISATION)):
        (project / "data" / folder).mkdir(exist_ok=True)
        (project / "data" / folder / f"{name}.yaml").write_text(record, encoding="utf-8")
    return project, package


@pytest.mark.process  # the new kind is validated and built by the command lines, in processes of their own
def test_a_kind_added_as_the_readme_says_has_pages_nav_search_label_and_back_links(tmp_path):
    project, package = _with_kind(tmp_path)
    env = {**os.environ, "CI": "false", "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(package)}
    checked = subprocess.run([sys.executable, "-m", "atlas", "--root", str(project), "validate"], cwd=project,
                             capture_output=True, text=True, env=env, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    site = tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", ENGINE, "build", "--strict", "--site-dir", str(site)], cwd=project,
                           capture_output=True, text=True, env=env, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]

    # its pages: the record's own page and an index of the kind
    page = (site / "guidelines/islet-care-2024/index.html").read_text(encoding="utf-8")
    assert "<title>Islet transplant care" in page
    index = (site / "guidelines/index.html").read_text(encoding="utf-8")
    assert 'href="islet-care-2024/"' in index and ">Islet transplant care<" in index
    # its nav entry, in the kind's section of the hand-written nav
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="guidelines/"[^>]*>\s*(<span[^>]*>\s*)?Guidelines', home), "no nav entry for Guidelines"
    # what search says its pages are
    assert 'data-pagefind-meta="kind:Guideline"' in page
    assert 'data-pagefind-meta="kind:List"' in index
    # back-links: the organisation it names lists it (x-ref), the bibliography lists it as citing
    organisations = (site / "organisations/index.html").read_text(encoding="utf-8")
    who = organisations[organisations.index('id="who"'):]
    assert re.search(r'Guidelines: <a href="\.\./guidelines/islet-care-2024/">Islet transplant care</a>', who), who[:2000]
    bibliography = (site / "bibliography/index.html").read_text(encoding="utf-8")
    assert 'href="../guidelines/islet-care-2024/">Islet transplant care</a>' in bibliography
    # and the guideline's page links its organisation
    assert 'href="../../organisations/#who"' in page


def test_kinds_name_only_back_links_their_schemas_make():
    """backlinks_by_hand names kinds that do refer to the kind (a stale name would hide nothing)."""
    from atlas.kinds import KINDS
    from atlas.schema import Schemas
    xrefs = Schemas(ROOT / "schemas").xrefs
    referrers = {k.name: {src for src, fields in xrefs.items() for _, target in fields if target == k.name}
                 for k in KINDS}
    for k in KINDS:
        assert set(k.backlinks_by_hand) - {"*"} <= referrers[k.name], k.name
