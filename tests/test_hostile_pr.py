"""A stranger's pull request, one regression test per case (issue 26; CONTRIBUTING.md section 9).

Each test builds a small project of its own, plays one hostile change a pull request can
make, and checks that nothing it adds is trusted: no planted cache is loaded, no source
folder is deleted, every export escapes by construction, bad values are refused at
validation with file and line, and no traceback reaches the contributor.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import subprocess
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest
from conftest import ROOT, run_atlas

from atlas.build import prepare
from atlas.validate import validate

STUDY = "data/studies/alpha-2020.yaml"
REF = "data/references/alpha-2020.yaml"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own per-user cache folder (never the developer's)."""
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


def _edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- caches are never trusted from the work tree (High) ------------------------------------------

def _hostile_code(marker: Path) -> bytes:
    src = f"def validate(data, custom_formats={{}}, name_prefix=None):\n    open({str(marker)!r}, 'w').write('ran')\n    return data\n"
    return marshal.dumps(compile(src, "<planted>", "exec"))


def test_a_committed_schema_cache_is_never_run(project, tmp_path):
    """Force-added .cache/schemas/<key>.marshal files (the key is predictable) ran as code and
    switched the schema checks off."""
    import fastjsonschema

    from atlas.schema import Schemas
    marker = tmp_path / "planted-code-ran"
    schemas = Schemas(project / "schemas")
    folder = project / ".cache" / "schemas"
    folder.mkdir(parents=True)
    from atlas.kinds import KINDS
    for kind in KINDS:
        text = json.dumps(schemas.bundled(kind), sort_keys=True)
        key = hashlib.sha256(text.encode() + fastjsonschema.VERSION.encode() + MAGIC_NUMBER).hexdigest()[:20]
        (folder / f"{key}.marshal").write_bytes(_hostile_code(marker))
    _edit(project, STUDY, "year: 2020", "year: '2020'")
    _, problems = validate(project)
    assert not marker.exists(), "a planted cache file ran as code"
    assert "schema-type" in {p.rule for p in problems}, problems
    assert run_atlas(project, "validate").returncode == 1


def test_a_committed_chart_cache_is_never_published(project):
    """Committed .cache/charts/*.svg with a <script> were published as the site's charts."""
    prepare(project)  # what a build leaves (the key is predictable from the data)
    planted = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for folder in (project / ".cache" / "charts", project / ".cache"):
        if folder.is_dir():
            for f in folder.rglob("*.svg"):
                f.write_bytes(planted)
    assets = prepare(project).assets
    svgs = {k: v for k, v in assets.items() if k.endswith(".svg") and k.startswith("evidence/")}
    assert svgs and all(b"<script" not in (v if isinstance(v, bytes) else v.encode()) for v in svgs.values())


def test_the_build_writes_nothing_under_the_work_tree_cache(project):
    prepare(project)
    assert not (project / ".cache").exists()


def test_a_tampered_user_cache_is_not_trusted(project, own_cache):
    """Even outside the work tree, a cache file is read back only with the secret's seal."""
    first = prepare(project).assets
    files = [f for f in own_cache.rglob("*") if f.is_file() and f.name != "secret"]
    assert files, "the build keeps its caches in the per-user folder"
    for f in files:
        f.write_bytes(b'<svg><script>alert(1)</script></svg>')
    again = prepare(project).assets
    assert {k: v for k, v in again.items() if k.endswith(".svg")} == {k: v for k, v in first.items() if k.endswith(".svg")}


def test_a_cache_folder_inside_the_project_is_refused(project, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(project / "data"))
    from atlas import caches
    assert caches.cache_dir(project) is None


def test_nothing_under_cache_is_tracked():
    """CI fails when anything under .cache/ is in git: a cache is never part of a change."""
    result = subprocess.run(["git", "ls-files", "--", ".cache", "*/.cache/*", "**/.cache"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    assert result.stdout == "", result.stdout


# -- destructive commands refuse the project and its sources (High) -------------------------------

@pytest.mark.parametrize("out", [".", "..", "docs", "data", "templates", "schemas", "hooks", "data/studies",
                                 ".git", "docs/assets"])
def test_pages_refuses_the_project_its_parents_and_its_sources(project, out):
    (project / ".git").mkdir(exist_ok=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    result = run_atlas(project, "pages", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "refus" in result.stderr
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before


def test_pages_replaces_only_a_folder_it_made(project):
    mine = project / "notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep me\n")
    result = run_atlas(project, "pages", "notes")
    assert result.returncode == 2 and (mine / "todo.txt").read_text() == "keep me\n", result.stderr
    assert "atlas did not make" in result.stderr
    out = project / "build" / "pages"
    assert run_atlas(project, "pages", "build/pages").returncode == 0
    assert (out / ".atlas-output").is_file()
    assert run_atlas(project, "pages", "build/pages").returncode == 0  # its own folder: replaced


@pytest.mark.parametrize("target", [".", "docs", "data", ".."])
def test_site_replacement_refuses_source_folders(project, target):
    new = project / ".site-new"
    assert run_atlas(project, "output", "--fresh", ".site-new").returncode == 0
    (new / "index.html").write_text("new")
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    result = run_atlas(project, "output", "--replace", target, "--with", ".site-new")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "refus" in result.stderr
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before


def test_fresh_refuses_a_folder_it_did_not_make(project):
    assert run_atlas(project, "output", "--fresh", "docs").returncode == 2
    assert (project / "docs").is_dir() and any((project / "docs").iterdir())


def test_site_is_replaced_atomically_whenever_the_command_is_killed(project):
    """Killing `make site` between its `rm -rf site` and `mv` left a partial site/: now the
    finished folder takes site/'s place in one rename, and a kill at any moment leaves either
    the old complete site or the new one."""
    import signal
    import sys
    import time
    assert run_atlas(project, "output", "--fresh", "site").returncode == 0
    for i in range(200):
        (project / "site" / f"page{i}.html").write_text("old")
    for attempt in range(8):
        assert run_atlas(project, "output", "--fresh", ".site-new").returncode == 0
        for i in range(200):
            (project / ".site-new" / f"page{i}.html").write_text(f"new{attempt}")
        proc = subprocess.Popen([sys.executable, "-m", "atlas", "--root", str(project), "output", "--replace", "site",
                                 "--with", ".site-new"], cwd=project)
        time.sleep(0.05 * (attempt % 4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        pages = sorted((project / "site").glob("page*.html"))
        assert len(pages) == 200, f"site/ has {len(pages)} of 200 pages after a kill"
        assert len({p.read_text() for p in pages}) == 1
        subprocess.run(["rm", "-rf", str(project / ".site-new")], check=True)
    assert (project / "site" / ".atlas-output").is_file()


# -- exports escape by construction (Medium) ------------------------------------------------------

@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_csv_cells_that_start_a_formula_are_neutralised(cell):
    import csv
    import io

    from atlas.exports import to_csv
    text = to_csv([{"title": cell, "value": -2.5, "n": -3, "text": "-0.4"}])
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["title"] == "'" + cell.replace("\r", "\n")  # and on the same row
    assert row["value"] == "-2.5" and row["n"] == "-3" and row["text"] == "-0.4"  # numbers stay numbers


def _ref(**changes):
    """A reference record built directly (exports are pure functions of records)."""
    from atlas.corpus import Record
    from atlas.kinds import BY_FOLDER
    from atlas.yamlsafe import Loaded
    data = {"id": "alpha-2020", "type": "journal-article", "authors": [{"family": "Alpha", "given": "A"}],
            "title": "A title", "journal": "J Test", "year": 2020, "doi": "10.1000/a", "url": "https://example.org/a"}
    data.update(changes)
    rel = f"data/references/{data['id']}.yaml"
    return Record(BY_FOLDER["references"], data["id"], data, rel, Loaded(data=data, relpath=rel))


def test_ris_values_stay_on_one_line():
    import rispy

    from atlas.citations.formats import ris
    refs = [_ref(title=f"Title {i}\nER  - \n\nTY  - JOUR\nTI  - injected", journal="J\r\nTY  - BOOK") for i in range(4)]
    records = rispy.loads(ris(refs))
    assert len(records) == 4


@pytest.mark.parametrize("field, value", [
    ("authors", [{"family": "Alpha}, note = {injected", "given": "A"}]),
    ("url", "https://example.org/}, note = {injected"),
    ("doi", "10.1000/a}, note = {injected"),
    ("title", "T}}, note = {injected"),
    ("journal", "J}\n@misc{lost,"),
])
def test_bibtex_escapes_every_field(field, value):
    import bibtexparser

    from atlas.citations.formats import bibtex
    refs = [_ref(**{field: value}), _ref(id="beta-2021", title="Second")]
    text = bibtex(refs)
    library = bibtexparser.parse_string(text) if hasattr(bibtexparser, "parse_string") else bibtexparser.loads(text)
    entries = library.entries
    assert len(entries) == 2, text
    for e in entries:
        keys = set(e.fields_dict) if hasattr(e, "fields_dict") else set(e)
        assert "note" not in keys, text


def test_feed_is_well_formed_with_control_characters():
    from xml.dom import minidom

    from atlas import whatsnew
    text = whatsnew.atom([], site_url="https://x.example/", feed_url="https://x.example/feed.xml",
                         page_url=lambda p: p, title="Atlas \x00\x1b\x07 title\ufffe", updated="2024-01-01T00:00:00Z")
    minidom.parseString(text.encode())


def test_control_characters_never_reach_the_html():
    from atlas.text import attr, escape_md, page_title
    for fn in (escape_md, page_title, attr):
        out = fn("a\x00b\x1bc\x07d\x7fe\x85f")
        assert not any(ch in out for ch in "\x00\x1b\x07\x7f\x85"), (fn.__name__, out)


# -- one-line fields, numbers and identifiers are checked at validation (Medium, Low) -----------

@pytest.mark.parametrize("where, old, new", [
    (STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", 'title: "Islet\\ncells"'),
    (STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", 'title: "Islet\\x07cells"'),
    (STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", 'title: "Islet\\x1bcells"'),
    (STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", 'title: "Islet\\Ncells"'),
    (STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", 'title: "Islet\\Lcells"'),
    (REF, "journal: J Test", 'journal: "J\\rTest"'),
    (REF, "family: Alpha", 'family: "Alpha\\nTY  - JOUR"'),
    (STUDY, "summary: Cells were placed", 'summary: "Cells\\0 were placed'),
])
def test_control_characters_and_line_breaks_are_refused_at_validation(project, where, old, new):
    text = (project / where).read_text(encoding="utf-8")
    if new.endswith("placed"):
        text = text.replace("summary: Cells were placed in diabetic mice and lowered their blood glucose.",
                            'summary: "Cells\\0 were placed."')
    else:
        text = text.replace(old, new)
    (project / where).write_text(text, encoding="utf-8")
    _, problems = validate(project)
    assert any(p.path == where and p.rule in ("text-control", "text-line-break") for p in problems), problems
    assert all(p.line > 1 for p in problems if p.path == where), problems
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_and_infinity_are_refused(project, value):
    _edit(project, STUDY, "value: 50", f"value: {value}")
    _, problems = validate(project)
    assert [(p.path, p.rule, p.line) for p in problems] == [(STUDY, "yaml-number", 24)], problems


def test_a_five_thousand_digit_integer_is_a_message_not_a_traceback(project):
    _edit(project, STUDY, "enrolled: 20", "enrolled: " + "9" * 5000)
    _, problems = validate(project)
    assert [(p.path, p.rule) for p in problems] == [(STUDY, "yaml-number")], problems
    assert len(problems[0].message) < 300
    result = run_atlas(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("doi", ["10.1000/alpha\u200b.2020", "10.1000/alpha.2020\u200f", "10.1000/alpha\u0301.2020",
                                 "10.1000/\u0430lpha.2020", "１0.1000/alpha.2020", "10.1000/alpha.2020\u00a0"])
def test_identifiers_with_invisible_or_lookalike_characters_are_refused(project, doi):
    ref = project / "data/references/beta-2021.yaml"
    text = ref.read_text(encoding="utf-8")
    import re as _re
    text = _re.sub(r"(?m)^doi: .*$", "", text) + f'doi: "{doi}"\n'
    ref.write_text(text, encoding="utf-8")
    _, problems = validate(project)
    assert ("data/references/beta-2021.yaml", "identifier-characters") in {(p.path, p.rule) for p in problems}, problems


# -- front matter always parses; chart labels are text (Medium) ------------------------------------

@pytest.mark.parametrize("title", ["Islet cells 𝛽 in mice", "Cells 🧪 in mice", "Line\u2028sep \ufeff"])
def test_front_matter_parses_with_characters_outside_the_basic_plane(project, title):
    from mkdocs.utils.meta import get_data
    _edit(project, STUDY, "title: Islet-like cells in diabetic mice (Alpha 2020)", f'title: "{title}"')
    _, problems = validate(project)
    if problems:  # a line separator in a title is refused at validation: nothing to render
        assert {p.rule for p in problems} <= {"text-line-break"}
        return
    page = prepare(project).pages["studies/alpha-2020.md"]
    body, meta = get_data(page)
    assert meta.get("title") == title and "title:" not in body
    assert "jsonld" in meta and not body.startswith("---"), page[:300]


def test_chart_labels_are_drawn_without_math_parsing(project):
    r"""A title with $\undefinedcmd$ crashed matplotlib's mathtext with no file or line."""
    _edit(project, "data/classes/cell-class.yaml", "name: Test cell class", r"name: 'Cells $\undefinedcmd$ x'")
    assert not validate(project)[1]
    assets = prepare(project).assets
    svgs = [v for k, v in assets.items() if k.endswith(".svg") and k.startswith("evidence/")]
    assert svgs


def test_a_chart_error_names_the_file_and_field(project, monkeypatch):
    from atlas import charts
    from atlas.diagnostics import DataError
    real = charts._bars

    def broken(plt, rows, *a, **k):
        if any("boom" in r for r in rows):
            raise ValueError("cannot draw this label")
        return real(plt, rows, *a, **k)
    monkeypatch.setattr(charts, "_bars", broken)
    _edit(project, "data/classes/cell-class.yaml", "name: Test cell class", "name: Cells boom")
    with pytest.raises(DataError) as e:
        prepare(project)
    p = e.value.problems[0]
    assert p.path == "data/classes/cell-class.yaml" and p.rule == "chart-error" and "name" in p.message, p
    assert p.line == 3, p


# -- fmt never changes a value (Medium) ------------------------------------------------------------

GLOSSARY = "data/glossary/stz.yaml"


def _fmt_and_load(project: Path, rel: str):
    from atlas.yamlsafe import load
    before = load((project / rel).read_bytes(), rel).data
    result = run_atlas(project, "fmt", rel)
    after_text = (project / rel).read_text(encoding="utf-8")
    return before, load(after_text.encode(), rel).data, result, after_text


@pytest.mark.parametrize("term", ["'NO'", "'ON'", "'yes'", "'off'", "'1:1'", "'1:20'", '"a\\Nb"', "'null'", "'~'",
                                  "'0o17'", "'1e3'", "'.5'", "'+1'", "'2021-01-01'", "'y'", "'n'"])
def test_fmt_keeps_every_value(project, term):
    text = (project / GLOSSARY).read_text(encoding="utf-8")
    import re as _re
    text = _re.sub(r"(?m)^term: .*$", lambda m: f"term: {term}", text)
    lines = text.splitlines(keepends=True)
    (project / GLOSSARY).write_text("".join(lines[1:] + lines[:1]), encoding="utf-8")  # out of order: fmt rewrites
    before, after, result, formatted = _fmt_and_load(project, GLOSSARY)
    assert after == before, formatted
    again = run_atlas(project, "fmt", GLOSSARY)
    assert (project / GLOSSARY).read_text(encoding="utf-8") == formatted and again.returncode == 0
    assert run_atlas(project, "fmt", "--check", GLOSSARY).returncode == 0


def test_fmt_refuses_to_write_when_its_output_would_read_differently(project, monkeypatch):
    from atlas import fmt
    path = project / GLOSSARY
    import re as _re
    path.write_text(_re.sub(r"(?m)^term: .*$", "term: x", path.read_text(encoding="utf-8")), encoding="utf-8")
    before = path.read_bytes()
    real = fmt.format_text
    # a formatter that would write what the validator reads as another value
    monkeypatch.setattr(fmt, "format_text", lambda *a: real(*a).replace("term: x", "term: NO"))
    problems, changed = fmt.run(project, check=False, paths=[path])
    assert path.read_bytes() == before
    assert [p.rule for p in problems] == ["format-value"], problems


def test_fmt_keeps_comments_with_their_key(project):
    path = project / "data/classes/cell-class.yaml"
    text = path.read_text(encoding="utf-8")
    # 'mechanism' before 'protection', each with its own comment above it
    text = text.replace("protection:\n- none\nmechanism:\n- replacement\n",
                        "# about the mechanism\nmechanism:\n- replacement\n# about protection\nprotection:\n- none\n")
    path.write_text(text, encoding="utf-8")
    assert run_atlas(project, "fmt", "data/classes/cell-class.yaml").returncode == 0
    out = path.read_text(encoding="utf-8").splitlines()
    assert out[out.index("protection:") - 1] == "# about protection", out
    assert out[out.index("mechanism:") - 1] == "# about the mechanism", out
    assert run_atlas(project, "fmt", "data/classes/cell-class.yaml").returncode == 0
    assert path.read_text(encoding="utf-8").splitlines() == out


# -- CSL-JSON imports (Low) ---------------------------------------------------------------------

_CSL_OK = {"type": "article-journal", "title": "A paper", "author": [{"family": "Doe", "given": "J"}],
           "issued": {"date-parts": [[2021]]}, "container-title": "J Test"}


@pytest.mark.parametrize("change", [{"issued": "2020"}, {"author": 5}, {"author": ["x", 3, None]},
                                    {"issued": {"date-parts": "2020"}}, {"issued": {"date-parts": [2020]}},
                                    {"title": ["a", "b"]}, {"author": [{"family": ["x"]}]}, {"id": 7}])
def test_odd_csl_json_items_give_messages_not_tracebacks(project, tmp_path, change):
    file = tmp_path / "refs.json"
    file.write_text(json.dumps([{**_CSL_OK, **change}]), encoding="utf-8")
    result = run_atlas(project, "import", "references", str(file), "--stdout")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2)


def test_deeply_nested_csl_json_is_a_message(project, tmp_path):
    file = tmp_path / "refs.json"
    file.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run_atlas(project, "import", "references", str(file))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]


def test_a_csl_id_with_line_breaks_cannot_write_fields(project, tmp_path):
    from atlas.yamlsafe import load
    file = tmp_path / "refs\nnumber: 9.json"
    file.write_text(json.dumps([{**_CSL_OK, "id": "x\nnumber: 1\nurl: javascript:alert(1)\n#"}]), encoding="utf-8")
    result = run_atlas(project, "import", "references", str(file))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    written = project / "data/references/doe-2021.yaml"
    data = load(written.read_bytes(), "x").data
    assert "number" not in data and "url" not in data, written.read_text()


# -- the link checker reaches only public http(s) addresses, within a deadline (Low) ------------

@pytest.fixture
def hostile_server():
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            port = self.server.server_address[1]
            where = {"/to-localhost": f"http://localhost:{port}/page", "/to-metadata": "http://169.254.169.254/latest/",
                     "/to-private": "http://10.0.0.1/", "/to-file": "file:///etc/passwd", "/to-ftp": "ftp://example.org/x",
                     "/to-ipv6-loopback": f"http://[::1]:{port}/page"}.get(self.path)
            if where:
                self.send_response(302)
                self.send_header("Location", where)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(1000):
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
                return
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()  # shutdown waits one poll
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _checker(tmp_path, **kw):
    from atlas import linkcheck
    values = dict(registries={}, cache=tmp_path / "c.json", retries=0, backoff_seconds=0.01, timeout_seconds=0.5)
    values.update(kw)
    return linkcheck.Checker(linkcheck.Config(**values))


def _url(value):
    from atlas import linkcheck
    return linkcheck.Target("url", value, "data/references/x.yaml", 3, 6)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/", "http://10.1.2.3/",
                                 "http://169.254.169.254/latest/", "http://192.168.0.1/", "file:///etc/passwd",
                                 "ftp://example.org/x", "gopher://127.0.0.1:25/", "http://0.0.0.0:9/"])
def test_link_check_refuses_private_addresses_and_other_schemes(tmp_path, monkeypatch, url):
    monkeypatch.delenv("ATLAS_LINKCHECK_ALLOW", raising=False)
    outcome = _checker(tmp_path).check(_url(url))
    assert outcome.state == "broken" and "refused" in outcome.detail, outcome


@pytest.mark.parametrize("path", ["/to-localhost", "/to-metadata", "/to-private", "/to-file", "/to-ftp",
                                  "/to-ipv6-loopback"])
def test_link_check_refuses_redirects_to_private_addresses(tmp_path, monkeypatch, hostile_server, path):
    monkeypatch.setenv("ATLAS_LINKCHECK_ALLOW", "127.0.0.1")  # the test's own server, by name, and nothing else
    checker = _checker(tmp_path)
    assert checker.check(_url(hostile_server + "/page")).state == "ok"
    outcome = checker.check(_url(hostile_server + path))
    assert outcome.state == "broken" and "refused" in outcome.detail, outcome


def test_link_check_has_a_total_deadline_per_url(tmp_path, monkeypatch, hostile_server):
    import time
    monkeypatch.setenv("ATLAS_LINKCHECK_ALLOW", "127.0.0.1")
    checker = _checker(tmp_path, retries=2, deadline_seconds=1.5)
    start = time.monotonic()
    outcome = checker.check(_url(hostile_server + "/trickle"))  # a byte every 0.1 s: no single read times out
    assert time.monotonic() - start < 5 and outcome.state == "unavailable" and "deadline" in outcome.detail, outcome


# -- a commit subject cannot forge history (Low) --------------------------------------------------

def test_a_commit_subject_cannot_forge_dates(tmp_path):
    from atlas import history
    root = tmp_path / "repo"
    (root / "data" / "glossary").mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "n", "GIT_AUTHOR_EMAIL": "n@example.org", "GIT_COMMITTER_NAME": "n",
           "GIT_COMMITTER_EMAIL": "n@example.org", "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+00:00",
           "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+00:00"}
    git = lambda *a: subprocess.run(["git", *a], cwd=root, env=env, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    (root / "data/glossary/a.yaml").write_text("id: a\nterm: A\n")
    git("add", ".")
    fake = "0" * 39 + "1"
    forged = (f"Add a\x1f2030-01-01T00:00:00+00:00\x1fForged\x1e{fake}\x1f2031-02-02T00:00:00+00:00\x1fForged too"
              f"\x00{fake}\x002032-03-03T00:00:00+00:00\x00Forged three")
    git("commit", "-q", "-m", forged.replace("\x00", "\x1e"))
    changes = history.read(root).changes
    assert [(c.date, c.action, c.relpath) for c in changes] == [("2026-01-05", "added", "data/glossary/a.yaml")], changes
    assert all(fake not in c.commit for c in changes)


# -- search terms: no pattern the browser cannot compile (Low) ---------------------------------------

@pytest.mark.parametrize("section, line", [("greek", "  β: be(ta"), ("greek", "  γ: '[gamma'"), ("greek", "  δ: 'a|'"),
                                           ("spellings", "  glyc*: glyc"), ("spellings", "  tumour: tum\\or")])
def test_a_bad_pattern_in_the_search_terms_fails_validation_and_build(project, section, line):
    from atlas.diagnostics import DataError
    (project / "search").mkdir(exist_ok=True)
    (project / "search/synonyms.yaml").write_text(f"spellings:\n  tumour: tumor\ngreek:\n  α: alpha\n"
                                                  f"{section}:\n{line}\n".replace(f"{section}:\n  ", f"{section}:\n  ", 1)
                                                  if False else _terms(section, line), encoding="utf-8")
    _, problems = validate(project)
    found = [p for p in problems if p.path == "search/synonyms.yaml"]
    assert found and found[0].rule == "search-terms" and found[0].line > 1, problems
    with pytest.raises(DataError):
        prepare(project)


def _terms(section: str, line: str) -> str:
    sections = {"spellings": ["  tumour: tumor"], "greek": ["  α: alpha"], "lay": ["  sugar: [glucose]"]}
    sections[section].append(line)
    return "".join(f"{name}:\n" + "\n".join(lines) + "\n" for name, lines in sections.items())


def test_search_js_escapes_what_it_puts_in_a_pattern():
    js = (ROOT / "docs/assets/javascripts/search.js").read_text(encoding="utf-8")
    assert "new RegExp(`(^|-)${name}" not in js


# -- killing Pagefind (Low) --------------------------------------------------------------------------

def test_killing_pagefind_gives_a_clean_message(tmp_path, monkeypatch):
    import importlib.util
    import types

    import pagefind_bin
    from mkdocs.exceptions import PluginError
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\nkill -9 $$\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: str(fake))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html></html>")
    spec = importlib.util.spec_from_file_location("atlas_pages_hook", ROOT / "hooks" / "atlas_pages.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    with pytest.raises(PluginError) as e:
        hook.on_post_build(config=types.SimpleNamespace(site_dir=str(site)))
    assert "Pagefind" in str(e.value) and "SIGKILL" in str(e.value), e.value


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x85"])
def test_a_docs_page_with_control_characters_is_refused(project, char):
    (project / "docs" / "page.md").write_text(f"# Page\n\nText{char}here.\n", encoding="utf-8")
    _, problems = validate(project)
    assert [(p.path, p.rule, p.line, p.col) for p in problems] == [("docs/page.md", "text-control", 3, 5)], problems


def test_a_committed_link_check_cache_is_not_trusted(tmp_path, monkeypatch):
    """A pull request that commits .cache/linkcheck.json with 'successes' must not skip the check."""
    from atlas import linkcheck
    root = tmp_path / "repo"
    (root / ".cache").mkdir(parents=True)
    cache = root / ".cache" / "linkcheck.json"
    import datetime as dt
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    cache.write_text(json.dumps({"http://127.0.0.1:9/x": {"checked": now}}))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-f", ".cache/linkcheck.json"], cwd=root, check=True)
    checker = linkcheck.Checker(linkcheck.Config(registries={}, cache=cache))
    assert checker.cache == {}


def test_history_reads_past_a_clean_merge(tmp_path):
    """The strict reader must not stop at a merge that changed nothing of its own."""
    from atlas import history
    root = tmp_path / "repo"
    (root / "data" / "glossary").mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "n", "GIT_AUTHOR_EMAIL": "n@example.org", "GIT_COMMITTER_NAME": "n",
           "GIT_COMMITTER_EMAIL": "n@example.org"}
    git = lambda *a: subprocess.run(["git", *a], cwd=root, env=env, check=True, capture_output=True)  # noqa: E731
    git("init", "-q", "-b", "main")
    (root / "data/glossary/a.yaml").write_text("id: a\nterm: A\n")
    git("add", ".")
    git("commit", "-q", "-m", "Add a")
    git("checkout", "-q", "-b", "side")
    (root / "data/glossary/b.yaml").write_text("id: b\nterm: B\n")
    git("add", ".")
    git("commit", "-q", "-m", "Add b")
    git("checkout", "-q", "main")
    (root / "data/glossary/c.yaml").write_text("id: c\nterm: C\n")
    git("add", ".")
    git("commit", "-q", "-m", "Add c")
    git("merge", "-q", "--no-ff", "--no-edit", "side")
    assert {c.relpath for c in history.read(root).changes} == {f"data/glossary/{x}.yaml" for x in "abc"}


@pytest.mark.parametrize("out", [".", "..", "docs", "data"])
def test_freeze_refuses_the_project_and_its_sources(project, out):
    from atlas import __version__
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    result = run_atlas(project, "freeze", __version__, "--out", out)
    assert result.returncode == 2 and "refused" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before
