"""`mkdocs serve` with data broken while it runs: a real server on a loopback port, in a
copy of the project. Pages stay served (never a hung request), each failure is printed
in full, even when it repeats, and a fixed file is picked up without a restart."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, copy_project

pytestmark = pytest.mark.process  # each test starts `make serve` or a server of its own

STUDY = "data/studies/alpha-2020.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    """A request that must answer within timeout: a hung server fails the test."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class Server:
    def __init__(self, root: Path, *extra: str):
        self.port = _free_port()
        # MkDocs serves under site_url's path (e.g. /atlas/)
        site_url = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")).get("site_url") or "/"
        self.url = f"http://127.0.0.1:{self.port}" + (urllib.parse.urlsplit(site_url).path.rstrip("/") + "/")
        self.log = root / "serve.log"
        self._log = open(self.log, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", *extra,
             "-a", f"127.0.0.1:{self.port}", "-f", str(root / "mkdocs.yml")],
            cwd=root, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "false"})

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, predicate, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"mkdocs serve exited ({self.proc.returncode}) waiting for {what}:\n{self.output()[-3000:]}")
            if predicate():
                return
            time.sleep(0.3)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def _page(server: Server, path: str) -> tuple[int, str]:
    return _get(server.url + path)


def _served(server: Server, path: str, text: str) -> bool:
    try:
        status, body = _page(server, path)
    except OSError:
        return False
    return status == 200 and text in body


MAKE_SERVE = ("--livereload", "--dirty", "--no-strict")  # what `make serve` runs


# strict: mkdocs.yml's strict mode must not turn the reported problems into a stuck server
# `make serve`'s own flags in the fast path; strict serving, a second server, in make test
@pytest.mark.parametrize("args", [MAKE_SERVE, pytest.param(("--livereload",), marks=pytest.mark.slow)],
                         ids=["make-serve", "strict"])
def test_serve_survives_broken_data_and_recovers(tmp_path, args):
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    study = root / STUDY
    good = study.read_text(encoding="utf-8")
    server = Server(root, *args)
    try:
        server.wait_for(lambda: _served(server, "studies/alpha-2020/", "Islet-like cells"), "the first build")

        # 1. break the data: the page must still be served, at once, and the error printed in full
        study.write_text(good.replace("year: 2020", "year: 2021-01-01"), encoding="utf-8")
        server.wait_for(lambda: server.output().count("year must be an integer") >= 1, "the first error")
        for _ in range(3):
            status, body = _page(server, "studies/alpha-2020/")  # a hang raises (timeout)
            assert status == 200 and "Islet-like cells" in body
        assert f"{STUDY}:" in server.output()

        # 2. the same mistake again, after an unrelated edit: printed again (MkDocs drops repeats)
        study.write_text(good.replace("year: 2020", "year: 2021-01-01") + "# touched\n", encoding="utf-8")
        server.wait_for(lambda: server.output().count("year must be an integer") >= 2, "the repeated error")

        # 3. fixed, with a visible change: served without a restart
        study.write_text(good.replace("Islet-like cells in diabetic mice", "Islet-like cells in mice, fixed"),
                         encoding="utf-8")
        server.wait_for(lambda: _served(server, "studies/alpha-2020/", "Islet-like cells in mice, fixed"),
                        "the fixed page")
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_serve_starts_with_broken_data_and_recovers(tmp_path):
    """Broken before the first build: a page lists the problems; the fix brings the atlas."""
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    study = root / STUDY
    good = study.read_text(encoding="utf-8")
    study.write_text(good.replace("year: 2020", "year: '2025'"), encoding="utf-8")
    server = Server(root, *MAKE_SERVE)
    try:
        server.wait_for(lambda: _served(server, "", "The atlas data has problems"), "the problems page")
        status, body = _page(server, "")
        assert "year must be an integer" in body and STUDY in body
        study.write_text(good, encoding="utf-8")
        server.wait_for(lambda: _served(server, "studies/alpha-2020/", "Islet-like cells"), "the fixed atlas")
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_search_indexing_beside_serve_runs_once_at_a_time_for_the_newest_build():
    """A burst of edits under serve: Pagefind runs one at a time, at low priority, and once
    more for the newest build, not once per edit (atlas.serving.INDEXING)."""
    import threading

    from atlas.serving import _BesideServe
    started, release, calls, overlaps = threading.Event(), threading.Event(), [], []
    running = []

    def index(site_dir, low_priority=False):
        overlaps.append(len(running))
        running.append(site_dir)
        calls.append((site_dir, low_priority))
        started.set()
        release.wait(5)
        running.remove(site_dir)

    indexing = _BesideServe()
    indexing.request(index, "build-1")
    assert started.wait(5)
    for n in (2, 3, 4):  # three rebuilds while the first index is being made
        indexing.request(index, f"build-{n}")
    release.set()
    deadline = time.monotonic() + 5
    while indexing.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [("build-1", True), ("build-4", True)] and overlaps == [0, 0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="test_pagefind_dies_with_its_parent: "
                    "PR_SET_PDEATHSIG is Linux's")
def test_pagefind_dies_with_its_parent(tmp_path):
    """A low-priority Pagefind run started under serve must not outlive serve: killed with
    SIGKILL (no cleanup runs), the parent takes its child with it (atlas.search.spawn)."""
    import signal
    script = ("import sys, time\nfrom atlas.search import spawn\n"
              "child = spawn(['nice', '-n', '10', 'sleep', '60'])\nprint(child.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # running
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the child outlived its killed parent")


STATUS = "assets/javascripts/atlas-serve-status.js"


def test_serve_is_quiet_and_shows_a_failed_build_on_the_page(tmp_path):
    """What `make serve` prints: a few lines to start, a few per good rebuild, a failed
    rebuild's problems first; while a build fails every page shows them in a banner."""
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    study = root / STUDY
    good = study.read_text(encoding="utf-8")
    server = Server(root, *MAKE_SERVE)

    def rebuilds() -> int:
        return server.output().count("Reloading browsers")

    def lines_since(mark: int) -> list[str]:
        return server.output().splitlines()[mark:]

    try:
        server.wait_for(lambda: "Serving on" in server.output(), "the first build")
        server.wait_for(lambda: _served(server, "studies/alpha-2020/", "Islet-like cells"), "the first page")
        start = server.output().split("Serving on")[0].splitlines()
        assert len(start) <= 15, "\n".join(start)
        assert not any("not included in the" in line or "dirty" in line or "renamed" in line for line in start)
        status, page = _page(server, "studies/alpha-2020/")
        assert STATUS in page
        assert "problems" not in _page(server, STATUS)[1]

        # a good rebuild: a few lines, and no "good again" (nothing failed)
        mark, n = len(server.output().splitlines()), rebuilds()
        study.write_text(good + "# touched\n", encoding="utf-8")
        server.wait_for(lambda: rebuilds() > n, "a good rebuild")
        time.sleep(1)
        assert len(lines_since(mark)) <= 5, "\n".join(lines_since(mark))
        assert "good again" not in server.output()

        # a failed rebuild: its problem is the first thing it prints, and on every page
        mark, n = len(server.output().splitlines()), rebuilds()
        study.write_text(good.replace("year: 2020", "year: 2021-01-01"), encoding="utf-8")
        server.wait_for(lambda: rebuilds() > n, "a failed rebuild")
        printed = [ln for ln in lines_since(mark) if "Detected file changes" not in ln and "Building" not in ln]
        assert "failed" in printed[0] and "year must be an integer" in printed[1], "\n".join(printed)
        assert len(printed) <= 6, "\n".join(printed)
        server.wait_for(lambda: "year must be an integer" in _page(server, STATUS)[1], "the banner")
        assert STATUS in _page(server, "")[1]

        # fixed: the banner goes, and now "good again" is news
        n = rebuilds()
        study.write_text(good, encoding="utf-8")
        server.wait_for(lambda: rebuilds() > n, "the fixed rebuild")
        server.wait_for(lambda: "year must be" not in _page(server, STATUS)[1], "the banner gone")
        assert server.output().count("is good again") == 1
    finally:
        server.stop()


@pytest.mark.browser
def test_a_failed_build_shows_its_problems_on_the_page_in_a_browser(browser, tmp_path):
    """The banner is what a reader of the served page sees: the problems at the top, as text
    (never markup), gone once the data is fixed."""
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    study = root / STUDY
    good = study.read_text(encoding="utf-8")
    server = Server(root, *MAKE_SERVE)
    try:
        server.wait_for(lambda: _served(server, "studies/alpha-2020/", "Islet-like cells"), "the first build")
        study.write_text(good.replace("year: 2020", "year: 2021-01-01\n'<img src=x onerror=alert(1)>': x"),
                         encoding="utf-8")
        server.wait_for(lambda: "year must be an integer" in _page(server, STATUS)[1], "the failed build")
        context = browser.new_context()  # the shared Chromium (conftest.py); one Playwright per worker
        try:
            page = context.new_page()
            page.goto(server.url + "studies/alpha-2020/")
            banner = page.wait_for_selector("#atlas-serve-problems", timeout=15000)
            text = banner.inner_text()
            assert f"{STUDY}:" in text and "year must be an integer" in text and "<img" in text
            assert page.query_selector("#atlas-serve-problems img") is None  # shown as text
            assert "Islet-like cells" in page.inner_text("article")  # the last good page, under it
            page.close()  # (its live reload would race a reload of ours)
            study.write_text(good, encoding="utf-8")
            server.wait_for(lambda: "year must be" not in _page(server, STATUS)[1], "the fixed build")
            page = context.new_page()
            page.goto(server.url + "studies/alpha-2020/")
            page.wait_for_selector("article")
            page.wait_for_load_state("load")
            assert page.query_selector("#atlas-serve-problems") is None
        finally:
            context.close()
    finally:
        server.stop()
