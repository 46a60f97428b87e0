"""Citable releases (issue 29): CITATION.cff valid by cffconvert and in step with the
package's version, .zenodo.json likewise, `atlas freeze` building a frozen copy whose pages
carry the version, "cite this page" pointing at the frozen copy, and the release workflow
using that same command."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import yaml
from conftest import FIXTURES, ROOT, copy_project, need, run_atlas

from atlas import __version__
from atlas.citations.bibliography import cite_this_page


def _cffconvert() -> str | None:
    here = Path(sys.executable).parent / "cffconvert"
    return str(here) if here.exists() else shutil.which("cffconvert")


def test_citation_cff_is_valid():
    exe = _cffconvert()
    need(exe is not None, "cffconvert is not installed (make install)")
    result = subprocess.run([exe, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout + result.stderr


def test_citation_and_zenodo_name_the_current_release():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version, date = re.search(r"^## (\S+) \((\d{4}-\d{2}-\d{2})\)", changelog, re.M).groups()
    assert cff["version"] == zenodo["version"] == __version__ == version
    assert str(cff["date-released"]) == date
    assert cff["url"].endswith(f"/v/{version}/")
    assert any(r["identifier"].endswith(f"/v/{version}/") for r in zenodo["related_identifiers"])
    assert zenodo["creators"] and zenodo["license"] == "cc-by-4.0"


def _build(**kw):
    base = dict(version="1.2.3", commit="abc1234", date="2026-12-03", site_url="https://example.org/atlas/",
                frozen=False, released=False, live_url="https://example.org/atlas/")
    return SimpleNamespace(**{**base, **kw})


def test_cite_this_page_cites_the_frozen_copy_of_a_tagged_release():
    box = cite_this_page(_build(released=True), "# Hu 2013\n", "studies/hu-2013.md", None)
    assert "release 1.2.3 (commit abc1234), 2026-12-03. https://example.org/atlas/v/1.2.3/studies/hu-2013/" in box
    assert "[the live page](https://example.org/atlas/studies/hu-2013/)" in box


def test_cite_this_page_before_a_release_is_tagged_says_it_points_at_the_live_page():
    box = cite_this_page(_build(), "# Hu 2013\n", "studies/hu-2013.md", None)
    assert "https://example.org/atlas/studies/hu-2013/" in box and "/v/" not in box
    assert "no frozen copy yet" in box


def test_freeze_builds_a_frozen_copy_whose_pages_carry_the_version(tmp_path):
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    result = run_atlas(project, "freeze", __version__)
    assert result.returncode == 0, result.stdout + result.stderr
    out = project / "site" / "v" / __version__
    page = (out / "studies" / "alpha-2020" / "index.html").read_text(encoding="utf-8")
    site_url = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"].rstrip("/")
    frozen_url = f"{site_url}/v/{__version__}/studies/alpha-2020/"
    assert f"Release {__version__}, frozen" in page
    assert f'<link rel="canonical" href="{frozen_url}"' in page
    assert re.search(rf"release {re.escape(__version__)}, [0-9-]+\. {re.escape(frozen_url)}", page)
    assert f'href="{site_url}/studies/alpha-2020/"' in page  # the live page, linked
    assert not list(project.glob(".freeze-*.yml"))  # its temporary config is gone


def test_freeze_refuses_a_version_that_is_not_the_checkouts(tmp_path):
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    for bad in ("9.9.9", "../x", "latest"):
        result = run_atlas(project, "freeze", bad)
        assert result.returncode == 2, (bad, result.stderr)
        assert not (project / "site").exists()


def test_the_release_workflow_builds_frozen_copies_with_the_same_command():
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    assert release[True]["push"]["tags"] == ["v[0-9]*"]  # YAML reads the key 'on' as true
    runs = [step.get("run", "") for job in release["jobs"].values() for step in job.get("steps", [])]
    assert "make site-with-versions" in runs and any("atlas release-notes" in r for r in runs)
    publish = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert "make site-with-versions" in publish  # a deploy from main keeps every frozen copy
    script = (ROOT / ".ci" / "site-with-versions").read_text(encoding="utf-8")
    assert "freeze VERSION=" in script
    assert re.search(r"^freeze: install\n\t.*\n\t\$\(PY\) -m atlas freeze", (ROOT / "Makefile").read_text(), re.M)


def test_a_release_counts_as_frozen_only_when_its_tag_can_freeze(tmp_path):
    from atlas.build import is_tagged
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "Makefile").write_text("site:\n\ttrue\n", encoding="utf-8")
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "old"], check=True)
    subprocess.run([*git, "-C", str(repo), "tag", "v0.1.0"], check=True)
    (repo / "Makefile").write_text("site:\n\ttrue\nfreeze: install\n\ttrue\n", encoding="utf-8")
    subprocess.run([*git, "-C", str(repo), "commit", "-qam", "new"], check=True)
    subprocess.run([*git, "-C", str(repo), "tag", "v0.2.0"], check=True)
    assert not is_tagged(repo, "0.1.0")  # tagged before frozen copies: none was built
    assert is_tagged(repo, "0.2.0")
    assert not is_tagged(repo, "0.3.0") and not is_tagged(tmp_path, "0.2.0")
