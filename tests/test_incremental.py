"""Under `make serve` a rebuild renders again only the pages an edit can change
(atlas/incremental.py): after edits of every sort its pages equal a full build's, and an
edit of one record's text renders few pages. What serve keeps is one object, passed in:
a build without it keeps nothing."""
from __future__ import annotations

import pytest
import yaml
from conftest import copy_project

from atlas import build
from atlas.corpus import load_corpus
from atlas.incremental import ServeMemo

pytestmark = pytest.mark.site  # rebuilds of the real data: many pages read many records


def full_build(root):
    """The same pages with nothing kept from an earlier build."""
    return build.prepare(root).pages


def edit(root, record, change):
    path = root / record.relpath
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096), encoding="utf-8")


# Each edit costs two builds of the real site; the fast path makes one edit of each kind of
# input (a record's text, the glossary, a link between records, a new and a removed file, a
# template), make test the others too.
FAST_EDITS = {"a study's summary", "a glossary alias", "a study's classes", "a new study", "a template",
              "a study removed"}


@pytest.mark.parametrize("which", ["fast", pytest.param("more", marks=pytest.mark.slow)])
def test_rebuilds_after_edits_of_every_sort_equal_full_builds(tmp_path, which):
    root = copy_project(tmp_path / "proj")  # the real data: many pages read many records
    c = load_corpus(root)
    study = next(s for s in c.studies_sorted if s.get("outcomes") and s.get("citations"))
    ref = c.get("reference", study["citations"][0]["ref"])
    klass = c.get("therapy-class", study["classes"][0])
    other_class = next(k for k in c.all("therapy-class") if k.id not in study["classes"])
    term = c.all("glossary-term")[0]
    initials = next(a["given"] for a in ref["authors"] if a.get("given", "").isalpha() and a["given"].isupper())
    copy_path = root / "data" / "studies" / "zz-new-2026.yaml"

    def add_study(_):
        data = yaml.safe_load((root / study.relpath).read_text(encoding="utf-8"))
        data.update(id="zz-new-2026", title="A study added while serving (Zz 2026)", year=2026)
        copy_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def edit_template(_):
        template = root / "templates" / "study.md.j2"
        text = template.read_text(encoding="utf-8")  # a line at the end of its body block
        end = text.rindex("{% endblock %}")
        template.write_text(text[:end] + "\nEdited template.\n" + text[end:], encoding="utf-8")

    edits = [
        ("a study's summary", study, lambda d: d.update(summary=d["summary"] + " Edited while serving.")),
        ("an outcome's finding", study, lambda d: d["outcomes"][0].update(finding="A finding edited while serving.")),
        ("a cited reference's journal", ref, lambda d: d.update(journal="Journal Edited While Serving")),
        ("a class's summary", klass, lambda d: d.update(summary=d["summary"] + " Edited.")),
        ("a glossary definition", term, lambda d: d.update(expansion=d["expansion"] + " (edited)")),
        # a cited author's initials are now a glossary form: the reference lists guard them
        ("a glossary alias", term, lambda d: d.setdefault("aliases", []).append(initials)),
        ("a study's title", study, lambda d: d.update(title="Retitled while serving (" + d["title"].split("(")[-1])),
        ("a study's year", study, lambda d: d.update(year=d["year"] - 1)),
        ("a study's classes", study, lambda d: d["classes"].append(other_class.id)),
        ("a new study", None, add_study),
        ("a template", None, edit_template),
        ("a study removed", None, lambda _: copy_path.unlink()),
    ]
    edits = [e for e in edits if (e[0] in FAST_EDITS) == (which == "fast")]
    memo = ServeMemo()
    build.prepare(root, memo=memo)
    for what, record, change in edits:
        if record is not None:
            edit(root, record, change)
        else:
            change(None)
        pages = build.prepare(root, memo=memo).pages
        again = list(memo.rendered)
        assert pages == full_build(root), f"after {what}, a page differs from a full build"
        if what == "a study's summary":
            assert study.kind.location(study)[0] in again
            assert len(again) < len(pages) / 4, f"{len(again)} of {len(pages)} pages rendered again for one summary"
