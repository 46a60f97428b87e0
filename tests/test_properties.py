"""Property-based tests: records generated from the JSON Schemas, then broken.

For every kind, Hypothesis builds records from the kind's own schema (schemas/*.json,
$refs inlined), writes one into a small project next to valid records, and runs, in
this process, what a contributor's pull request runs: validation, then (when it is
clean) page generation with the exports, and the formatter. Then the same records are
mutated: wrong types, YAML dates, nulls, huge strings, unicode, nested structures,
missing and extra fields, malformed identifiers. Every outcome must be a clean pass or
`path:line:col: rule: message` problems; never an exception.

Examples per kind and test: ATLAS_HYPOTHESIS_EXAMPLES (default 10; the scheduled
workflow runs thousands). The count run is printed at the end of the test session.
"""
from __future__ import annotations

import datetime
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, copy_project
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from atlas import fmt
from atlas.build import prepare
from atlas.diagnostics import DataError, Problem
from atlas.kinds import KINDS
from atlas.schema import Schemas
from atlas.validate import validate

EXAMPLES = int(os.environ.get("ATLAS_HYPOTHESIS_EXAMPLES", "10"))
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # charts of unicode names
# Shrinking a failure can take minutes; the scheduled job (ATLAS_HYPOTHESIS_RANDOM=1) shrinks.
RANDOM = os.environ.get("ATLAS_HYPOTHESIS_RANDOM") == "1"
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,  # nothing written to the project
                    derandomize=not RANDOM,
                    phases=list(Phase) if RANDOM else [Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
RUN: Counter = Counter()  # read by conftest's terminal summary
PROBLEM_LINE = re.compile(r"[^\s:][^:\n]*:[1-9][0-9]*:[1-9][0-9]*: [a-z][a-z0-9-]*: \S.*")
SCHEMAS = Schemas(ROOT / "schemas")
GEN = "gen-x"  # the generated record's id and file name
# A generated class replaces the fixture's, so that the fixture's study makes its stage true.
GEN_ID = {"therapy-class": "cell-class"}
MALFORMED_IDS = ["NCT0478626", "NCT047862620", "PMID: 0123", "doi: 10.12/x", "PMC12", "see doi:10.1000/a[1]"]

# Records of the kinds the mini fixture lacks, so that generated references to them resolve.
EXTRA = {
    "sites/kidney.yaml": "id: kidney\nname: Kidney capsule\nsummary: Under the capsule [@alpha-2020].\n"
                         "citations:\n- alpha-2020\n",
    "products/widget.yaml": "id: widget\nname: Widget\nkind: device\nsummary: A device [@alpha-2020].\n"
                            "citations:\n- alpha-2020\n",
    "organisations/acme.yaml": "id: acme\nname: Acme\nkind: company\n",
    "cell-sources/esc.yaml": "id: esc\nname: Embryonic stem cells\nlineage: pluripotent\n"
                             "summary: Pluripotent cells [@alpha-2020].\ncitations:\n- alpha-2020\n",
    "models/figure-9.yaml": "id: figure-9\nfigure: 9\ntitle: A model\nsummary: A model [@alpha-2020].\n"
                            "components:\n- name: Cells\n  role: The graft.\ncitations:\n- alpha-2020\n",
}

HOSTILE_TEXT = [
    "<script>alert(1)</script>", "[@alpha-2020]", "[@nope-1999]", "[@alpha-2020; @beta-2021]", "{{ 7*7 }}",
    "{% raw %}", "---", "| a | b |", "# heading", "*[HTML]: x", "](javascript:alert(1))", "\\", "`", "<!--",
    "NCT04786262", "PMID: 23456789", "doi: 10.1000/x.1", "PMC1234567", "ثلاثة", "🧪", "e\u0301", "\u202e",
    "a\tb", "line\nbreak", " ", "~~~", "&amp;", "%s %d {0}", "\x7f", "\ufeff",
]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
    st.sampled_from(HOSTILE_TEXT),
    st.lists(st.sampled_from(HOSTILE_TEXT + ["word", "cells"]), min_size=1, max_size=4).map(" ".join),
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("prop") / "proj", FIXTURES / "mini")
    for rel, text in EXTRA.items():
        (root / "data" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "data" / rel).write_text(text, encoding="utf-8")
    assert not validate(root)[1], "the base corpus of the property tests must be valid"
    return root


def existing_ids(root: Path) -> dict[str, list[str]]:
    return {k.name: sorted(p.stem for p in (root / "data" / k.folder).glob("*.yaml")) or ["none"] for k in KINDS}


# -- records from a schema ------------------------------------------------------------------

def from_schema(node: dict, ids: dict[str, list[str]]) -> st.SearchStrategy:
    if "x-ref" in node:
        target = node["x-ref"]
        one = st.sampled_from(["treated", "control"] if target == "arm" else ids[target])
        if node.get("type") == "array":
            return st.lists(one, min_size=node.get("minItems", 0), max_size=3, unique=True)
        return one
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        required = [k for k in node.get("required", []) if k in props]
        return st.fixed_dictionaries({k: from_schema(props[k], ids) for k in required},
                                     optional={k: from_schema(v, ids) for k, v in props.items() if k not in required})
    if kind == "array":
        items = from_schema(node.get("items", {"type": "string"}), ids)
        unique = {"unique_by": lambda v: json.dumps(v, sort_keys=True)} if node.get("uniqueItems") else {}
        return st.lists(items, min_size=node.get("minItems", 0), max_size=3, **unique)
    if kind == "string":
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: "\n" not in s)
        return TEXT
    if kind == "integer":
        return st.one_of(st.integers(1990, 2025), st.integers(-10, 10 ** 12))
    if kind == "number":
        return st.one_of(st.integers(0, 100), st.floats(allow_nan=False, allow_infinity=False, width=32))
    if kind == "boolean":
        return st.booleans()
    return st.none()


STRATEGIES: dict[str, st.SearchStrategy] = {}


def records(kind, ids) -> st.SearchStrategy:
    if kind.name not in STRATEGIES:
        STRATEGIES[kind.name] = from_schema(SCHEMAS.bundled(kind), ids).map(lambda d: plausible(kind, d))
    return STRATEGIES[kind.name]


def plausible(kind, d: dict) -> dict:
    """Settle what rules across records would reject for reasons of the small corpus, not
    of the record (a trial's two identifiers, a study's stage against the fixture class),
    so that many generated records pass and reach the pages."""
    d["id"] = GEN_ID.get(kind.name, GEN)
    if kind.name == "trial":
        d.setdefault("identifier", "NCT01234568")
        d["identifier_as_printed"] = d["identifier"]
    elif kind.name == "study":
        d["design"] = "animal-study" if len(str(d)) % 2 else "in-vitro-and-animal-study"
    elif kind.name == "therapy-class":
        d["evidence_stage"] = "animal"
        d.pop("parent", None)
    return d


# -- mutations -----------------------------------------------------------------------------

def _nested(depth: int):
    value: object = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


BAD_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 10 ** 30, 1.5, float("inf"), float("nan"), "", " ", [], {},
                     datetime.date(2021, 1, 1), datetime.datetime(2021, 1, 1, 12, 0), "2025", "x" * 200_000,
                     [None], [{}], {"a": None}, ["a", 1, None, [2]], {"": "empty key"}]),
    st.integers(1, 60).map(_nested),
    TEXT,
    st.sampled_from(MALFORMED_IDS),
    st.lists(TEXT, max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2),
)


def paths(data, path=()):
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths(v, path + (i,))


def put(data, path, value):
    if not path:
        return value
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = value
    return data


@st.composite
def mutated(draw, valid: st.SearchStrategy):
    data = draw(valid)
    how = draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra", "raw"]))
    path = draw(st.sampled_from(list(paths(data))))
    if how == "replace":
        data = put(data, path, draw(BAD_VALUES))
    elif how == "delete" and path:
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        del parent[path[-1]]
    elif how == "extra":
        target = data
        for p in path:
            target = target[p]
        if isinstance(target, dict):
            target[draw(st.one_of(TEXT, st.sampled_from(["titel", "Year", "id ", "1"])))] = draw(BAD_VALUES)
        elif isinstance(target, list):
            target.append(draw(BAD_VALUES))
    text = _dump(data)
    if how == "raw":  # text a YAML serialiser would never write
        snippet = draw(st.sampled_from(["\tindent: x\n", "year: 2021-01-01\n", "year: '2025'\n", "a: &x 1\nb: *x\n",
                                        "!!python/object:os.system x\n", ": :\n", "id: [\n", "\x00", "\ufeff",
                                        "summary: |\n  multi\n  line\n", "x: {a: 1, a: 2}\n"]))
        at = draw(st.integers(0, len(text)))
        text = text[:at] + snippet + text[at:]
    return text


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)


# -- the property ---------------------------------------------------------------------------

def check(root: Path, kind, text: str, counter: str) -> None:
    """Validate, then (if clean) generate pages and check formatting: problems or a pass."""
    path = root / "data" / kind.folder / f"{GEN_ID.get(kind.name, GEN)}.yaml"
    cites = root / "docs" / "gen-cites.md"
    original = path.read_bytes() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if kind.name == "reference":  # a generated reference is cited, so that it can pass
        cites.write_text(f"# Generated\n\nSee [@{GEN}].\n", encoding="utf-8")
    try:
        RUN[counter] += 1
        _, problems = validate(root)
        for p in problems:
            assert isinstance(p, Problem)
            assert not p.path.startswith("/") and ".." not in p.path.split("/"), p
            assert len(p.message) < 3000, f"message of {len(p.message)} characters: {p.message[:200]}"
            assert PROBLEM_LINE.fullmatch(str(p)), repr(str(p)[:300])
        # fmt runs on any file a contributor has, schema problems or not
        fmt_problems, _ = fmt.run(root, check=True, paths=[path])
        assert all(PROBLEM_LINE.fullmatch(str(p)) for p in fmt_problems), fmt_problems
        if problems:
            RUN[counter + ": reported problems"] += 1
            return
        try:
            prepared = prepare(root)
        except DataError as e:  # only a page-level problem (e.g. a docs page) may remain
            assert all(PROBLEM_LINE.fullmatch(str(p)) for p in e.problems), e.problems
            return
        assert prepared.pages
        RUN[counter + ": passed and rendered"] += 1
    finally:
        path.unlink(missing_ok=True)
        if original is not None:
            path.write_bytes(original)
        cites.unlink(missing_ok=True)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_generated_records_pass_or_get_clear_problems(base, kind):
    @SETTINGS
    @given(text=records(kind, existing_ids(base)).map(_dump))
    def run(text):
        check(base, kind, text, "generated records")
    run()


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_mutated_records_get_clear_problems(base, kind):
    @SETTINGS
    @given(text=mutated(records(kind, existing_ids(base))))
    def run(text):
        check(base, kind, text, "mutated records")
    run()


# -- fmt: value-preserving and idempotent (issue 26) ----------------------------------------

# Scalars YAML 1.1 (the validator's PyYAML) and YAML 1.2 (ruamel, the formatter's) read apart
YAML_11_TEXT = ["NO", "no", "ON", "off", "yes", "Y", "n", "1:1", "1:20", "190:20:30", "~", "null", "0o17", "017",
                "0x1F", "1_000", "1e3", ".5", "+1", "-.inf", ".NaN", "2021-01-01", "a\x85b", "a\u2028b", "'", '"',
                "# not a comment", "a: b", "- x", "@x", "`x", "|", ">", "%x", "&x", "*x", "!x", " lead", "trail "]


def _with_tricky_text(data, draw):
    """The record with some of its text values replaced by YAML 1.1/1.2 lookalikes."""
    for path in [p for p in paths(data) if p and isinstance(_get(data, p), str) and p[-1] != "id"]:
        if draw(st.integers(0, 2)) == 0:
            put(data, path, draw(st.sampled_from(YAML_11_TEXT)))
    return data


def _get(data, path):
    for p in path:
        data = data[p]
    return data


@st.composite
def shuffled_files(draw, valid: st.SearchStrategy):
    data = _with_tricky_text(draw(valid), draw)
    keys = draw(st.permutations(list(data)))
    data = {k: data[k] for k in keys}
    lines = _dump(data).splitlines(keepends=True)
    out = []
    for n, line in enumerate(lines):  # comments above some top-level fields, and after some values
        if n and line[:1].isalpha() and draw(st.integers(0, 3)) == 0:  # (the top of a file is its header)
            out.append(f"# about {line.split(':', 1)[0]}\n")
        out.append(line)
    return "".join(out)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_fmt_preserves_values_and_is_idempotent(base, kind):
    from atlas.yamlsafe import load

    @SETTINGS
    @given(text=shuffled_files(records(kind, existing_ids(base))))
    def run(text):
        RUN["fmt round trips"] += 1
        rel = f"data/{kind.folder}/{GEN}.yaml"
        before = load(text.encode(), rel)
        if before.problems:
            return
        new = fmt.format_text(text, kind, SCHEMAS)
        after = load(new.encode(), rel)
        assert not after.problems and after.data == before.data, (text, new)
        assert fmt.format_text(new, kind, SCHEMAS) == new, new
        lines = new.splitlines()
        for n, line in enumerate(lines[:-1]):  # each comment still above its own field
            if line.startswith("# about "):
                assert lines[n + 1].startswith(line[len("# about "):] + ":"), new
    run()
