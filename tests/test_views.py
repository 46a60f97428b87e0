"""The views hand templates the records they link: Corpus.named resolves a record's x-ref
fields (atlas/corpus.py), pages.featured_product() picks what the home page's box names.
Tested in memory on corpora of their own, with the project's schemas (which fields are x-ref)."""
from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from atlas.corpus import Corpus, Record
from atlas.incremental import fingerprint
from atlas.kinds import BY_NAME
from atlas.pages import featured_product
from atlas.schema import Schemas
from atlas.yamlsafe import Loaded

XREFS = Schemas(ROOT / "schemas").xrefs


def corpus(*records: tuple[str, dict]) -> Corpus:
    """A corpus of (kind name, data) records, known by their data's id."""
    c = Corpus(root=Path("."), xrefs=XREFS)
    for kind, data in records:
        k = BY_NAME[kind]
        c.records[kind][data["id"]] = Record(k, data["id"], data, f"data/{k.folder}/{data['id']}.yaml", Loaded(data))
    return c


def study(sid: str, **fields) -> tuple[str, dict]:
    return "study", {"id": sid, "title": sid, "design": "single-arm-trial", "year": 2020, "classes": [], **fields}


def test_named_resolves_every_x_ref_field_in_the_shape_of_the_record():
    c = corpus(("therapy-class", {"id": "k1", "name": "K1"}), ("site", {"id": "liver", "name": "Liver"}),
               ("organisation", {"id": "org", "name": "Org"}), ("reference", {"id": "ref1", "title": "R"}),
               study("s1", classes=["k1", "missing-class"], intervention={"site": "liver", "product": "nowhere"},
                     sponsor="org", citations=[{"ref": "ref1", "role": "primary-report"}, {"ref": "gone", "role": "review"}]))
    s = c.get("study", "s1")
    out = c.named(s)
    assert out["classes"] == [c.get("therapy-class", "k1")]  # an unknown id is left out of a list
    assert out["intervention"]["site"] is c.get("site", "liver")
    assert out["intervention"]["product"] is None and out["intervention"]["cell_source"] is None
    assert out["sponsor"] is c.get("organisation", "org")
    # a list of objects keeps one entry per object, in order: it goes with the record's own list
    assert [x["ref"] for x in out["citations"]] == [c.get("reference", "ref1"), None]
    assert out["trials"] == [] and out["limitations"] == []  # absent fields: empty, never missing


def test_named_of_a_record_without_the_optional_objects_still_has_their_shape():
    c = corpus(study("bare"))
    out = c.named(c.get("study", "bare"))
    assert out["intervention"] == {"cell_source": None, "product": None, "site": None, "device": None}
    assert out["citations"] == [] and out["sponsor"] is None


def product(pid: str, **fields) -> tuple[str, dict]:
    return "product", {"id": pid, "name": pid.upper(), "kind": "cell-product", **fields}


def test_the_home_page_features_the_product_furthest_along_in_people():
    c = corpus(product("early-old"), product("early-new"), product("animal-newest"), product("unused"),
               study("a", design="animal-study", year=2026, intervention={"product": "animal-newest"}),
               study("b", year=2019, intervention={"product": "early-old"}),
               study("c", year=2021, intervention={"device": "early-old"}),
               study("d", year=2023, intervention={"product": "early-new"}))
    assert featured_product(c) is c.get("product", "early-new")  # highest stage, then the newest study
    c = corpus(product("a-small"), product("b-large"), study("x", enrolled=1, intervention={"product": "a-small"}),
               study("y", enrolled=12, intervention={"product": "b-large"}))
    assert featured_product(c) is c.get("product", "b-large")  # same stage and year: the most people
    c = corpus(product("b-product"), product("a-product"),
               study("x", intervention={"product": "b-product"}), study("y", intervention={"product": "a-product"}))
    assert featured_product(c) is c.get("product", "a-product")  # a tie: by id
    assert featured_product(corpus(product("unused"))) is None  # no study names a product: no box


def test_named_is_made_once_per_record_and_known_to_the_serve_memo_by_its_record():
    c = corpus(("therapy-class", {"id": "k1", "name": "K1"}), study("s1", classes=["k1"]))
    s = c.get("study", "s1")
    assert c.named(s) is c.named(s)  # once per build, though a study is on several pages
    # what it holds follows from the record and from which records exist (ServeMemo's key)
    assert fingerprint(c.named(s)) == ("named", "study", "s1", s.loaded)


def test_the_home_page_box_names_the_featured_product_from_its_record(project):
    """The box's words follow from the rule and the record: another product, another box."""
    from conftest import run_atlas
    (project / "data" / "organisations").mkdir(exist_ok=True)
    (project / "data" / "organisations" / "acme-cells.yaml").write_text(
        "id: acme-cells\nname: Acme Cells Ltd\nkind: company\n", encoding="utf-8")
    (project / "data" / "products").mkdir(exist_ok=True)
    (project / "data" / "products" / "acme-islets.yaml").write_text(
        "id: acme-islets\nname: Acme islet cells\naliases:\n- acmecel\n- AC-101\n- a third name\nkind: cell-product\n"
        "organisations:\n- acme-cells\nsummary: Islet cells made by a company [@alpha-2020].\ncitations:\n- alpha-2020\n",
        encoding="utf-8")
    study = project / "data" / "studies" / "alpha-2020.yaml"
    study.write_text(study.read_text(encoding="utf-8") + "intervention:\n  product: acme-islets\n", encoding="utf-8")
    result = run_atlas(project, "pages", "out")
    assert result.returncode == 0, result.stderr
    home = (project / "out" / "index.md").read_text(encoding="utf-8")
    box = home[home.index("Furthest along in people"):].split("\n\n")[0]
    assert "[Acme islet cells](products/acme-islets.md)" in box and "[Acme Cells Ltd](organisations.md#acme-cells)" in box
    assert "**acmecel** or **AC-101**" in box and "a third name" not in box
    assert "zimislecel" not in home.lower() and "vertex" not in home.lower()
