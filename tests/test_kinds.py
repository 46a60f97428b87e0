"""A record kind is one Kind entry, a schema and a template; everything else follows.

The test adds a kind to a copy of the small fixture project, as a contributor would,
builds the site with MkDocs and reads the HTML: the kind's pages, their titles, the
records that link to it, its place in the bibliography's "cited by" lists, and a link
to it from another kind's page.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, copy_project, run_atlas

from atlas.kinds import KINDS, editor_schemas

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "biomarker.schema.json",
    "title": "Biomarker",
    "description": "A measured marker of beta-cell function. File: data/biomarkers/<id>.yaml",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "summary", "citations"],
    "properties": {
        "id": {"$ref": "common.schema.json#/$defs/id"},
        "name": {"type": "string", "minLength": 1},
        "summary": {"$ref": "common.schema.json#/$defs/text"},
        "classes": {"type": "array", "items": {"$ref": "common.schema.json#/$defs/id"}, "x-ref": "therapy-class"},
        "citations": {"$ref": "common.schema.json#/$defs/citations"},
    },
}
RECORD = textwrap.dedent("""\
    id: c-peptide
    name: C-peptide level
    summary: Shows how much insulin the body still makes [@beta-2021].
    classes:
    - cell-class
    citations:
    - alpha-2020
    """)
OWN_TEMPLATE = textwrap.dedent("""\
    # {{ record.title }}

    {{ page.text(record['summary']) }} {{ page.cite(record['citations']) }}

    Classes: {{ page.links(named['classes']) }}

    Studies that measure it: {{ page.links(linked.get('study', [])) }}
    """)
SHARED_TEMPLATE = textwrap.dedent("""\
    # Biomarkers

    {% for b in records %}
    ## {{ b.title }} {#{{ b.id }}}

    {{ page.text(b['summary']) }} {{ page.cite(b['citations']) }}

    Studies that measure it: {{ page.links(linked[b.id].get('study', [])) }}
    {% endfor %}
    """)
RUNNER = textwrap.dedent("""\
    import sys
    from atlas.kinds import Kind, register
    register(Kind("biomarker", "biomarkers", "biomarker.schema.json", "biomarker", "name",
                  page=sys.argv[1], template="biomarker.md.j2", page_name="Biomarkers"))
    if sys.argv[2] == "validate":
        from atlas.cli import main
        sys.exit(main(["--root", ".", "validate"]))
    from mkdocs.__main__ import cli
    cli(["build", "--strict", "--site-dir", sys.argv[3]])
    """)


class _Links(HTMLParser):
    """The title, the ids and the links (href, text) of an HTML page."""

    def __init__(self, text: str):
        super().__init__()
        self.title, self.ids, self.links, self._in, self._href, self._text = "", set(), [], None, None, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "title":
            self._in = "title"
        if tag == "a" and "href" in attrs:
            self._href, self._text = attrs["href"], []

    def handle_endtag(self, tag):
        if tag == "title":
            self._in = None
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        if self._href is not None:
            self._text.append(data)


def _page(site: Path, url_dir: str) -> _Links:
    return _Links((site / url_dir / "index.html").read_text(encoding="utf-8"))


def _resolve(from_dir: str, href: str) -> str:
    """The site folder a relative link from the page at from_dir leads to, and its anchor."""
    import posixpath
    path, _, anchor = href.partition("#")
    target = posixpath.normpath(posixpath.join(from_dir, path)) if path else from_dir.rstrip("/")
    return target.strip("/") + ("#" + anchor if anchor else "")


def add_to_body(template: Path, text: str) -> None:
    """A record template extends _record.md.j2: what it shows goes inside its body block."""
    source = template.read_text(encoding="utf-8")
    end = source.rindex("{% endblock %}")
    template.write_text(source[:end] + text + source[end:], encoding="utf-8")


@pytest.mark.process  # a project with a kind of its own runs in a Python of its own
@pytest.mark.parametrize("where", ["biomarkers/", "biomarkers.md"], ids=["own-pages", "shared-page"])
def test_a_new_kind_needs_a_schema_a_kind_and_a_template(tmp_path, where):
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    (project / "schemas/biomarker.schema.json").write_text(json.dumps(SCHEMA, indent=2), encoding="utf-8")
    (project / "data/biomarkers").mkdir()
    (project / "data/biomarkers/c-peptide.yaml").write_text(RECORD, encoding="utf-8")
    template = OWN_TEMPLATE if where.endswith("/") else SHARED_TEMPLATE
    (project / "templates/biomarker.md.j2").write_text(template, encoding="utf-8")
    # another kind refers to it: a field in its schema, a value in a record, a link in its template
    study_schema = json.loads((project / "schemas/study.schema.json").read_text(encoding="utf-8"))
    study_schema["properties"]["biomarkers"] = {"type": "array", "items": {"$ref": "common.schema.json#/$defs/id"},
                                                "x-ref": "biomarker"}
    (project / "schemas/study.schema.json").write_text(json.dumps(study_schema, indent=2), encoding="utf-8")
    study = project / "data/studies/alpha-2020.yaml"
    study.write_text(study.read_text(encoding="utf-8") + "biomarkers:\n- c-peptide\n", encoding="utf-8")
    add_to_body(project / "templates/study.md.j2", "\nBiomarkers: {{ page.links(named['biomarkers']) }}\n")
    (project / "run.py").write_text(RUNNER, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "run.py", where, *args], cwd=project, capture_output=True, text=True,
                              timeout=600, env={**os.environ, "CI": "false", "NO_MKDOCS_2_WARNING": "1",
                                                "PYTHONPATH": str(ROOT)})

    checked = run("validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    site = tmp_path / "site"
    built = run("build", str(site))
    assert built.returncode == 0, built.stderr[-3000:]

    page_dir, anchor = ("biomarkers/c-peptide", None) if where.endswith("/") else ("biomarkers", "c-peptide")
    page = _page(site, page_dir)
    if anchor:
        assert anchor in page.ids
    else:
        assert page.title.startswith("C-peptide level"), page.title  # the record's title, as text
    # back-link: the study that names it, and the class it names
    targets = {_resolve(page_dir, href) for href, _ in page.links}
    assert "studies/alpha-2020" in targets and "classes/cell-class" in targets
    # cross-reference from the study's page to the new kind
    study_page = _page(site, "studies/alpha-2020")
    here = page_dir + (f"#{anchor}" if anchor else "")
    assert ("C-peptide level", here) in {(text, _resolve("studies/alpha-2020", h)) for h, text in study_page.links}
    # the bibliography's "cited by" names the page by its title, not by its path
    bib = _page(site, "bibliography")
    cited_by = {_resolve("bibliography", h): text for h, text in bib.links}
    expected_title = "C-peptide level" if not anchor else "Biomarkers"
    assert cited_by.get(page_dir) == expected_title, cited_by
    # the data page documents its fields, from its schema
    assert "biomarker" in _page(site, "data").ids


def test_an_unknown_record_of_a_new_kind_is_reported_with_file_and_line(tmp_path):
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    (project / "schemas/biomarker.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (project / "data/biomarkers").mkdir()
    study_schema = json.loads((project / "schemas/study.schema.json").read_text(encoding="utf-8"))
    study_schema["properties"]["biomarkers"] = {"type": "array", "items": {"type": "string"}, "x-ref": "biomarker"}
    (project / "schemas/study.schema.json").write_text(json.dumps(study_schema), encoding="utf-8")
    study = project / "data/studies/alpha-2020.yaml"
    study.write_text(study.read_text(encoding="utf-8") + "biomarkers:\n- hba1c\n", encoding="utf-8")
    (project / "run.py").write_text(RUNNER, encoding="utf-8")
    result = subprocess.run([sys.executable, "run.py", "biomarkers/", "validate"], cwd=project, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "CI": "false", "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    assert "data/studies/alpha-2020.yaml:" in result.stdout and "hba1c" in result.stdout, result.stdout


def test_editor_settings_follow_the_kinds():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == editor_schemas(), (
        "update .vscode/settings.json's yaml.schemas to: " + json.dumps(editor_schemas(), indent=2))
    assert {k.schema for k in KINDS} | {"common.schema.json"} == {p.name for p in (ROOT / "schemas").glob("*.json")}


def test_the_contributing_guide_names_every_data_folder():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = guide.split("## 2. Where things are", 1)[1].split("\n\n", 2)[1]
    assert [k.folder for k in KINDS if f"`data/{k.folder}/`" not in table] == []


def test_a_new_field_is_a_schema_property_and_a_line_in_a_template(tmp_path):
    """README's 'a field' row, followed: the field validates, and the page shows it, escaped."""
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    schema_path = project / "schemas/study.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["funding"] = {"$ref": "common.schema.json#/$defs/text"}
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    study = project / "data/studies/alpha-2020.yaml"
    study.write_text(study.read_text(encoding="utf-8") + "funding: Grant <b>A</b> [@beta-2021]\n", encoding="utf-8")
    add_to_body(project / "templates/study.md.j2", "\n## Funding {#funding}\n\n{{ page.text(s.get('funding')) }}\n")
    assert run_atlas(project, "validate").returncode == 0
    assert run_atlas(project, "pages", str(tmp_path / "pages")).returncode == 0
    page = (tmp_path / "pages/studies/alpha-2020.md").read_text(encoding="utf-8")
    assert "Grant &lt;b&gt;A&lt;/b&gt; <span class=\"cite\">\\[[2](../bibliography.md#ref-2" in page
