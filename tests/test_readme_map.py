"""README's map of the code stays true: the files and modules it names exist, and every
record kind has what "Where things go" says a kind is (a schema and its templates)."""
from __future__ import annotations

import re

from conftest import ROOT

from atlas.kinds import KINDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_file_of_the_code_the_readme_names_exists():
    named = set(re.findall(r"`((?:atlas|tests|templates|schemas|hooks|bench)/[^`<>*\s]*)`", README))
    assert named, "README names files of the code"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_module_the_readme_names_by_dotted_name_exists():
    named = set(re.findall(r"`atlas\.([a-z_]+)", README))
    assert sorted(n for n in named if not (ROOT / "atlas" / f"{n}.py").exists()
                  and not (ROOT / "atlas" / n).is_dir()) == []


def test_every_module_in_the_package_map_exists():
    start = README.index("The code is one package")
    package_map = README[start:README.index("\n\n", start)]
    # `corpus`, `rules/`, `build.prepare()`; folders of the project (`atlas/`, `data/`) are not modules
    names = {n.rstrip("/") for n in re.findall(r"`([a-z_]+/?)(?:\.[\w.()]+)?`", package_map)
             if not (n.endswith("/") and (ROOT / n).is_dir())}
    assert {"paths", "kinds", "citations", "rules", "corpus", "pages", "render", "build"} <= names
    missing = [n for n in sorted(names) if not (ROOT / "atlas" / f"{n}.py").exists()
               and not (ROOT / "atlas" / n).is_dir() and not (ROOT / "atlas" / "citations" / f"{n}.py").exists()]
    assert missing == []


def test_every_kind_has_its_schema_and_templates():
    for kind in KINDS:
        assert (ROOT / "schemas" / kind.schema).is_file(), kind.name
        for template in filter(None, (kind.template, kind.index_template)):
            assert (ROOT / "templates" / template).is_file(), (kind.name, template)
