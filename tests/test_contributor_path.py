"""A contributor adds a paper published after the review: scaffold, import, messages, site, PR summary.

Rule-level checks run in-process on the small fixture corpus; one test walks the whole
path on a copy of the real corpus and reads the built site. Expected values are derived
from the data, never pinned to the corpus of the day.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, copy_project, html, mkdocs_build, run_atlas

from atlas import datadict
from atlas.corpus import load_corpus
from atlas.kinds import BY_NAME, KINDS
from atlas.schema import Schemas

REF = "data/references/alpha-2020.yaml"
STUDY = "data/studies/alpha-2020.yaml"

LAST_REVIEW_NUMBER = json.loads((ROOT / "schemas" / "reference.schema.json").read_text())["properties"]["number"]["maximum"]


def problems(project: Path, *args: str) -> list[str]:
    return run_atlas(project, *(args or ("validate",))).stdout.splitlines()


# --- messages a contributor meets ---------------------------------------------------------

def test_a_number_past_the_review_list_is_refused(project):
    path = project / REF
    path.write_text(path.read_text().replace("number: 1", f"number: {LAST_REVIEW_NUMBER + 1}"))
    out = problems(project)
    assert any(ln.startswith(f"{REF}:2:9: reference-number-range:") and "delete the 'number' line" in ln
               for ln in out), out


@pytest.mark.parametrize("year", ["'2025'", "2025a", "2025-03-01"])
def test_a_study_year_typed_as_text_is_a_message_not_a_crash(project, year):
    second = (project / STUDY).read_text().replace("id: alpha-2020", "id: alpha-2020b")
    (project / "data/studies/alpha-2020b.yaml").write_text(second)
    path = project / STUDY
    path.write_text(path.read_text().replace("year: 2020", f"year: {year}"))
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # a date is called a date (YAML reads it so), and only quotes that are there are mentioned
    said = "not a date" if year[4:5] == "-" else "not text"
    assert f"{STUDY}:6:7: schema-type: year must be an integer, {said}" in result.stdout
    assert ("without quotes" in result.stdout) == year.startswith("'")


def test_a_broken_study_does_not_make_its_reference_uncited(project):
    path = project / STUDY
    path.write_text(path.read_text() + "notes: [unclosed\n")
    out = problems(project)
    assert [ln.split(": ")[1] for ln in out] == ["yaml-syntax"], out


@pytest.mark.parametrize("text,line,col,rule,words", [
    ("id: alpha-2020\ntitle: x\n\tyear: 2020\n", 3, 1, "yaml-tab", "tab character"),
    ("id: alpha-2020\nclasses:\n-\tcell-class\n", 3, 2, "yaml-tab", "tab character"),
    ("id: alpha-2020\ntitle x\nyear: 2020\nsummary: y\n", 2, 1, "yaml-syntax", "no ':' after its field name"),
    ("id: alpha-2020\ntitle: 'x\nyear: 2020\nsummary: y\n", 2, 8, "yaml-syntax", "never closed"),
    ("id: alpha-2020\narms:\n- id: x\n  n: 1\n role: y\n", 5, 2, "yaml-syntax", "not indented like"),
])
def test_yaml_mistakes_point_at_the_line_to_fix(project, text, line, col, rule, words):
    (project / STUDY).write_text(text)
    out = problems(project)
    hit = [ln for ln in out if ln.startswith(f"{STUDY}:{line}:{col}: {rule}: ")]
    assert hit and words in hit[0], out


def test_a_doi_with_a_space_says_so(project):
    path = project / REF
    path.write_text(path.read_text().replace("doi: 10.1000/alpha.2020", "doi: 10.1000/alpha. 2020"))
    out = problems(project)
    assert any("doi-syntax" in ln and "contains a space" in ln for ln in out), out


def test_a_missing_enum_field_lists_the_allowed_values(project):
    path = project / STUDY
    path.write_text(path.read_text().replace("design: animal-study\n", ""))
    schema = json.loads((project / "schemas/study.schema.json").read_text())
    allowed = schema["properties"]["design"]["enum"]
    line = next(ln for ln in problems(project) if "required field 'design' is missing" in ln)
    assert all(v in line for v in allowed), line


# --- atlas new ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_new_writes_every_field_and_validate_lists_only_what_to_fill(project, kind):
    k = BY_NAME[kind]
    rid = "nct09999999" if kind == "trial" else "new-record"
    result = run_atlas(project, "new", kind, rid)
    assert result.returncode == 0, result.stderr
    rel = f"data/{k.folder}/{rid}.yaml"
    text = (project / rel).read_text()
    schemas = Schemas(project / "schemas")
    for row in datadict.field_rows(schemas, k):  # every field, nested ones too, is there (written or commented)
        assert re.search(rf"^[# ]*(- )?{re.escape(row['name'].rsplit('.', 1)[-1])}:", text, re.M), row["name"]
    own = [ln for ln in problems(project) if ln.startswith(rel)]
    assert own and all(": placeholder: " in ln or ": reference-uncited: " in ln for ln in own), own
    assert run_atlas(project, "fmt", "--check", str(project / rel)).returncode == 0, "already canonical"
    assert run_atlas(project, "new", kind, rid).returncode == 2, "never over an existing record"


def test_new_study_from_a_reference_fills_what_it_knows(project):
    run_atlas(project, "new", "study", "alpha-2020c", "--reference", "alpha-2020")
    data = yaml.safe_load((project / "data/studies/alpha-2020c.yaml").read_text())
    ref = yaml.safe_load((project / REF).read_text())
    assert data["year"] == ref["year"]
    assert data["citations"] == [{"ref": "alpha-2020", "role": "primary-report"}]
    # the option may come first, too
    assert run_atlas(project, "new", "study", "--reference", "alpha-2020", "alpha-2020d").returncode == 0
    assert (project / "data/studies/alpha-2020d.yaml").exists()


# --- atlas import references -----------------------------------------------------------------

BIBTEX = """@article{newcombe2025,
  author = {Newcombe, Ann B. and M{\\"u}ller, Ren{\\'e} and others},
  title = {{Umbilical} cord stromal cells in new-onset type 1 diabetes},
  journal = {Diabetologia}, year = {2025}, volume = {68}, number = {3}, pages = {100--110},
  doi = {https://doi.org/10.1007/s00125-025-01234-5},
}
@article{again, author = {Alpha, A}, title = {Same DOI}, journal = {J}, year = 2020, doi = {10.1000/ALPHA.2020}}
"""
RIS = """TY  - JOUR
AU  - Newcombe, Ann
AU  - Roe, R
TI  - Encapsulated islets in type 1 diabetes
JO  - Cell Stem Cell
PY  - 2025/02/01/
VL  - 32
SP  - 10
EP  - 20
DO  - 10.1016/j.stem.2025.01.001
ER  - 
"""
CSL = [{"id": "x", "type": "article-journal", "author": [{"family": "Newcombe", "given": "Ann"}],
        "title": "Stem-cell islets in type 1 diabetes", "container-title": "Nature Medicine",
        "container-title-short": "Nat Med", "issued": {"date-parts": [[2025, 6]]}, "volume": "31",
        "page": "1-9", "DOI": "10.1038/s41591-025-01234-5", "PMID": "40012345"}]


def read_as_contributor(project: Path, rid: str) -> None:
    """What the contributor fills in of an imported reference: what it is and how it was read."""
    path = project / f"data/references/{rid}.yaml"
    filled = {"published": "'2025-06-01'", "source_type": "peer-reviewed-paper", "read": "the PubMed abstract",
              "accessed": "'2026-01-05'"}
    text = path.read_text(encoding="utf-8")
    for field, value in filled.items():
        text = re.sub(rf"^{field}: 'TODO[^\n]*$", f"{field}: {value}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name,content", [("refs.bib", BIBTEX), ("refs.ris", RIS), ("refs.json", json.dumps(CSL))])
def test_import_references(project, tmp_path, name, content):
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    result = run_atlas(project, "import", "references", str(file))
    new = project / "data/references/newcombe-2025.yaml"
    assert new.exists(), result.stderr
    record = yaml.safe_load(new.read_text())
    assert "number" not in record and record["year"] == 2025 and record["authors"][0]["family"] == "Newcombe"
    assert record["doi"].startswith("10.")
    if name.endswith(".bib"):
        assert record["authors"][1]["family"] == "Müller" and record["et_al"] is True
        assert result.returncode == 1, "a refused duplicate is an error"
        assert "DOI 10.1000/ALPHA.2020 is already data/references/alpha-2020.yaml; cite that record" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
    assert run_atlas(project, "fmt", "--check").returncode == 0
    # importing the same file again adds nothing and says why
    again = run_atlas(project, "import", "references", str(file))
    assert again.returncode == 1 and "is already data/references/newcombe-2025.yaml" in again.stderr
    assert not (project / "data/references/newcombe-2025a.yaml").exists()


# --- site-diff --------------------------------------------------------------------------------

def _page(title: str, body: str) -> str:
    return (f"<html><head><title>{title} - Atlas</title></head><body><nav>menu</nav><article class='md-content__inner'>"
            # as "Cite this page" writes it (atlas.build.cite_this_page)
            f"{body}<p>In: atlas, release 0.1.0 (commit abc1234), 2026-01-01.</p></article></body></html>")


def test_site_diff_lists_pages_added_removed_and_changed(tmp_path):
    from atlas.sitediff import compare, markdown
    base, new = tmp_path / "base", tmp_path / "new"
    for site, pages in ((base, {"index.html": "<p>12 studies</p>", "old/index.html": "<p>gone</p>",
                                "same/index.html": "<p>same</p>"}),
                        (new, {"index.html": "<p>13 studies</p>", "studies/x/index.html": "<p>new</p>",
                               "same/index.html": "<p>same</p>"})):
        for rel, body in pages.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(_page(rel.split("/")[0], body))
    (new / "same/index.html").write_text(_page("same", "<p>same</p>").replace("abc1234", "def4567").replace("01-01", "01-02"))
    d = compare(base, new)
    assert [p.path for p in d.added] == ["studies/x/"] and [p.path for p in d.removed] == ["old/"]
    assert [n.path for _, n in d.changed] == [""], "a new version stamp alone is not a change"
    text = markdown(d, base_url="https://preview.example/atlas/")
    assert "[studies](https://preview.example/atlas/studies/x/)" in text
    assert "-12 studies" in text and "+13 studies" in text


# --- the whole path on a copy of the real corpus -----------------------------------------------

def test_a_post_review_paper_lands_on_the_whole_site(tmp_path):
    """On a small corpus of its own (the fixture's): the whole site before and after."""
    project = copy_project(tmp_path / "proj", FIXTURES / "mini")
    built_site = tmp_path / "base-site"
    assert mkdocs_build(project, built_site).returncode == 0
    base = load_corpus(project)
    model = base.get("study", sorted(base.records["study"])[0])  # borrow a consistent class and design
    klass, limitation = model["classes"][0], (model.get("limitations") or [None])[0]
    trial = sorted(base.records["trial"])[0]

    # 1. the reference, from a reference manager's export
    (tmp_path / "paper.json").write_text(json.dumps(CSL), encoding="utf-8")
    assert run_atlas(project, "import", "references", str(tmp_path / "paper.json")).returncode == 0
    read_as_contributor(project, "newcombe-2025")
    # 2. the study, scaffolded from it, placeholders filled as a contributor would
    assert run_atlas(project, "new", "study", "--reference", "newcombe-2025").returncode == 0
    path = project / "data/studies/newcombe-2025.yaml"
    text = path.read_text()
    fill = {"title": "Stem-cell islets in twelve people with type 1 diabetes (Newcombe 2025)",
            "design": model["design"], "summary": "Twelve people received the cells; ten stopped insulin [@newcombe-2025]."}
    for field, value in fill.items():
        text = re.sub(rf"^{field}: '?TODO[^\n]*$", f"{field}: {value}", text, flags=re.M)
    text = text.replace("- 'TODO: id of a therapy-class'", f"- {klass}")
    text = re.sub(r"^# trials:.*\n# - 'TODO: id of a trial'", f"trials:\n- {trial}", text, flags=re.M)
    if limitation:
        text = re.sub(r"^# limitations:.*\n# - 'TODO: id of a limitation'", f"limitations:\n- {limitation}", text,
                      flags=re.M)
    path.write_text(text)

    result = run_atlas(project, "validate")
    assert result.returncode == 0, result.stdout
    warned = {ln.split(":")[0] for ln in result.stdout.splitlines() if ": warning: revisit: " in ln}
    assert f"data/classes/{klass}.yaml" in warned and f"data/trials/{trial}.yaml" in warned
    assert run_atlas(project, "fmt", "--check").returncode == 0

    site = tmp_path / "site"
    build = mkdocs_build(project, site)
    assert build.returncode == 0, build.stderr[-3000:]
    corpus = load_corpus(project)

    # bibliography: labelled by author and year, cited by the new study
    bib = html(site, "bibliography.md")
    entry = re.search(r'<p class="atlas-ref" id="ref-newcombe-2025">(.*?)</p>\s*<p class="atlas-cited-by"[^>]*>(.*?)</p>', bib, re.S)
    assert entry and "[Newcombe 2025]" in entry.group(1) and "Source review" not in bib
    assert "studies/newcombe-2025/" in entry.group(2)
    # the study page cites it by author and year
    study = html(site, "studies/newcombe-2025.md")
    assert re.search(r'<a href="../../bibliography/#ref-newcombe-2025"[^>]*>Newcombe 2025</a>', study)
    # counts on the home page follow the data
    home = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html(site, "index.md")))
    numbered = sum(1 for r in corpus.all("reference") if r.get("number"))
    assert f"{len(corpus.all('study'))} studies" in home
    assert f"{len(corpus.all('reference'))} references: {numbered} numbered as in the review, and " \
           f"{len(corpus.all('reference')) - numbered} cited by author and year" in home
    # search finds it by author and year and by DOI, though nobody wrote an alias
    index = site / "search" / "search_index.json"
    if index.exists():  # Material's index; another engine writes elsewhere
        docs = json.loads(index.read_text())["docs"]
        entry = next(d for d in docs if d["location"] == "studies/newcombe-2025/")
        found = json.dumps(entry)
        assert "Newcombe 2025" in found and CSL[0]["DOI"] in found
    # exports carry it
    assert "@article{newcombe-2025," in (site / "references/bibliography.bib").read_text()
    assert any(i["id"] == "newcombe-2025" for i in json.loads((site / "references/bibliography.json").read_text()))
    rows = list(csv.DictReader(io.StringIO((site / "data/studies.csv").read_text(encoding="utf-8-sig"))))
    assert "newcombe-2025" in {r.get("id") for r in rows}
    # the class, trial and limitation pages list the study
    for page in (f"classes/{klass}.md", f"trials/{trial}.md") + ((f"limitations/{limitation}.md",) if limitation else ()):
        assert "studies/newcombe-2025/" in html(site, page), page

    # the pull request's summary names the new page and the changed ones
    from atlas.sitediff import compare, markdown
    summary = markdown(compare(built_site, site))
    added = summary.split("### Added", 1)[1].split("###", 1)[0]
    assert "/studies/newcombe-2025/" in added
    changed = summary.split("### Changed", 1)[1]
    for page in ("bibliography/", f"classes/{klass}/", f"trials/{trial}/"):
        assert f"(`/{page}`)" in changed, page


def test_two_post_review_papers_by_one_author_in_one_year_get_distinct_labels(project, tmp_path):
    from atlas.citations.formats import ref_label
    entries = [{**CSL[0], "DOI": f"10.1038/s41591-025-0000{i}-1", "title": f"Paper {i}"} for i in (1, 2)]
    (tmp_path / "two.json").write_text(json.dumps(entries))
    assert run_atlas(project, "import", "references", str(tmp_path / "two.json")).returncode == 0
    corpus = load_corpus(project)
    labels = {ref_label(corpus.get("reference", rid)) for rid in ("newcombe-2025", "newcombe-2025a")}
    assert labels == {"Newcombe 2025", "Newcombe 2025a"}


def test_revisit_warnings_do_not_fail_and_are_annotated_in_ci(project, tmp_path):
    (tmp_path / "paper.json").write_text(json.dumps(CSL))
    run_atlas(project, "import", "references", str(tmp_path / "paper.json"))
    read_as_contributor(project, "newcombe-2025")
    study = (project / STUDY).read_text().replace("alpha-2020", "newcombe-2025").replace("year: 2020", "year: 2025")
    (project / "data/studies/newcombe-2025.yaml").write_text(study)
    result = run_atlas(project, "validate", env={"CI": "true"})
    assert result.returncode == 0, result.stdout
    assert "data/classes/cell-class.yaml:" in result.stdout and ": warning: revisit: " in result.stdout
    assert "::warning file=data/classes/cell-class.yaml," in result.stdout
    assert "::warning file=data/limitations/some-limit.yaml," in result.stdout
