"""Shared fixtures: a copy of a small valid corpus to break, and the real site built once."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI") == "true"
# The HTML engine the suite builds with: properdocs (the default, as `make site`) or mkdocs.
ENGINE = os.environ.get("ATLAS_ENGINE", "properdocs")
if ENGINE == "properdocs":
    # as `properdocs build` does first: every `mkdocs` import (the hook's, Material's) is then
    # ProperDocs', so a build in this process (mkdocs_build) is the one the command line makes
    import properdocs.replacement  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _test_cache(tmp_path_factory):
    """The suite's builds keep their caches in a folder of their own, not the developer's."""
    if "ATLAS_CACHE_DIR" not in os.environ:
        os.environ["ATLAS_CACHE_DIR"] = str(tmp_path_factory.mktemp("atlas-cache"))


BROWSER_FIXTURES = {"browser", "page", "site_url"}  # one Chromium, one server (below); pages per file


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one per test worker."""
    from search_harness import ARGS, CHROMIUM  # one set of flags for every browser test
    need(CHROMIUM is not None, "Chromium is not installed (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The real site served on 127.0.0.1 by the test run itself."""
    from search_harness import Server
    server = Server(built_site)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def search_site(site_url, built_site):
    """site_url, for tests of search: the built site must carry Pagefind's index."""
    need((built_site / "pagefind" / "pagefind.js").exists(), "Pagefind did not index the site (pip install 'pagefind[bin]')")
    return site_url


@pytest.fixture(scope="module")
def search_box(browser, search_site):
    """The header search box of one desktop page, typed into as a reader does (search_harness)."""
    from search_harness import SearchBox
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield SearchBox(context.new_page(), search_site)
    context.close()


def pytest_collection_modifyitems(config, items):
    """Browser tests carry the 'browser' marker, and tests of the real site the 'site' marker:
    `make test-fast` leaves both out. A test is a browser test if it lives in test_browser.py or
    uses a browser fixture, and a site test if it uses built_site, wherever it is written."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.name == "test_browser.py" or BROWSER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.browser)
        if "built_site" in fixtures:
            item.add_marker(pytest.mark.site)


def need(condition: bool, reason: str) -> None:
    """Skip on a developer's machine when something is missing; fail under CI=true."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must provide this: {reason}")
        # reported at the test that needs it, not at this line of conftest.py
        raise pytest.skip.Exception(reason, _use_item_location=True)


# The source review's text, which the repository never holds (CONTRIBUTING.md, "The source
# review in tests"): ATLAS_REVIEW_TEXT names the file; by default it is in shared/ beside the
# clone, as on the project's machines and in .ci/run. Set to an empty value, it says this
# runner has no copy (a public CI runner): the tests that read it skip, saying so, even in CI.
REVIEW_DEFAULT = SHARED / "source" / "review-stem-cell-therapy-t1d-2024.txt"
REVIEW_SHA256 = "640d09d74760c51058c737d7b194128f51f8a0959381b9a20eae79557192934f"


def review_text() -> str:
    """The review's text, checked against REVIEW_SHA256; skips (or fails under CI=true) without it."""
    import hashlib
    setting = os.environ.get("ATLAS_REVIEW_TEXT")
    if setting == "":
        pytest.skip("ATLAS_REVIEW_TEXT is empty: this runner has no copy of the source review")
    path = Path(setting) if setting else REVIEW_DEFAULT
    need(path.is_file(), f"the source review is not at {path}; set ATLAS_REVIEW_TEXT to its file "
                         "(see CONTRIBUTING.md, 'The source review in tests')")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == REVIEW_SHA256, (f"{path} is not the text of the review the corpus was checked against "
                                     f"(sha256 {digest}, expected {REVIEW_SHA256})")
    return data.decode("utf-8")


def copy_project(dest: Path, data_from: Path | None = None) -> Path:
    """A project folder: real schemas, templates, docs assets and mkdocs.yml (no nav), given data."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("schemas", "templates", "hooks", "overrides"):
        shutil.copytree(ROOT / part, dest / part)
    shutil.copyfile(ROOT / "CHANGELOG.md", dest / "CHANGELOG.md")  # the release notes page in the nav
    src = data_from or ROOT
    shutil.copytree(src / "data", dest / "data")
    shutil.copytree(src / "docs", dest / "docs") if (src / "docs").is_dir() else (dest / "docs").mkdir()
    shutil.copytree(ROOT / "docs" / "assets", dest / "docs" / "assets", dirs_exist_ok=True)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    if data_from is not None:
        config.pop("nav", None)  # the fixture has none of the real hand-written pages
    config["watch"] = [w for w in config.get("watch", []) if (dest / w).exists()]
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid small project to break in one place per test."""
    return copy_project(tmp_path / "proj", FIXTURES / "mini")


def atlas_process(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m atlas` in a process of its own: for the tests of what only a real process
    shows (its exit code on a kill, its environment, an interpreter's traceback)."""
    full_env = {**os.environ, "CI": "false", "GITHUB_ACTIONS": "false", **(env or {})}
    return subprocess.run([sys.executable, "-m", "atlas", "--root", str(root), *args],
                          capture_output=True, text=True, env=full_env, cwd=root, timeout=120)


def run_atlas(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The atlas command line without a new process: the same arguments, stdout, stderr and
    exit code, in a fraction of the time (the suite runs hundreds). atlas_process() runs it
    in a real process, for what only a process shows."""
    import contextlib
    import io

    from atlas.cli import main
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("CI", "GITHUB_ACTIONS", *(env or {}))}
    os.environ.update({"CI": "false", "GITHUB_ACTIONS": "false", **(env or {})})
    cwd = Path.cwd()
    os.chdir(root)  # as a contributor runs it, from the project: relative paths are theirs
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["--root", str(root), *args]) or 0  # None: exit status 0, as sys.exit(None)
            except SystemExit as e:  # argparse on a usage error
                code = e.code if isinstance(e.code, int) else 2
    finally:
        os.chdir(cwd)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return subprocess.CompletedProcess(["atlas", *args], code, out.getvalue(), err.getvalue())



def mkdocs_build(root: Path, out: Path, config: str = "mkdocs.yml", engine: str = ENGINE,
                 process: bool = False) -> subprocess.CompletedProcess:
    """`<engine> build --strict`, by default in this process: the engine's own load_config and
    build, as its command line calls them, with its log as stderr and its exit code, in a
    third of a new process's time (a second and more per build, and the suite builds dozens).
    process=True runs the real command line, for tests of the engines themselves."""
    if process:
        return subprocess.run([sys.executable, "-m", engine, "build", "--strict", "-f", str(root / config),
                               "--site-dir", str(out)], capture_output=True, text=True, cwd=root, timeout=600,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    import importlib
    import io
    import logging
    import traceback
    load_config = importlib.import_module(f"{engine}.config").load_config
    build = importlib.import_module(f"{engine}.commands.build").build
    Abort = importlib.import_module(f"{engine}.exceptions").MkDocsException  # both engines' name for it
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger().addHandler(handler)
    cwd, os.environ["NO_MKDOCS_2_WARNING"] = Path.cwd(), "1"
    os.chdir(root)  # as the command line is run, from the project
    code = 0
    try:
        cfg = load_config(config_file=str(root / config), site_dir=str(out), strict=True)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except Abort as e:  # what the command line reports as "Aborted ..." or "Error: ...", exit 1
        code = 1
        log.write(f"Aborted: {e}\n")
    except Exception:  # what the command line would print as a traceback
        code = 1
        log.write(traceback.format_exc())
    finally:
        os.chdir(cwd)
        logging.getLogger().removeHandler(handler)
    return subprocess.CompletedProcess([engine, "build"], code, "", log.getvalue())


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, request) -> Path:
    """The real project's site, built strictly once per test run: under pytest-xdist the
    first worker to ask builds it and the others wait for it (a lock in the run's shared
    temporary folder), rather than each worker building its own. Tests only read it."""
    if not hasattr(request.config, "workerinput"):  # no xdist workers (-n 0, -p no:xdist)
        return _build_real_site(tmp_path_factory.mktemp("site"))
    import fcntl
    shared = tmp_path_factory.getbasetemp().parent
    out = shared / "built-site"
    with open(shared / "built-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "built-site.done"
        if not done.exists():
            _build_real_site(out)
            done.write_text("ok", encoding="utf-8")
    return out


def _build_real_site(out: Path) -> Path:
    result = mkdocs_build(ROOT, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def html(site: Path, page: str) -> str:
    """HTML of a built page, given its Markdown path (e.g. 'classes/x.md')."""
    path = site / (page[:-3] + "/index.html" if not page.endswith("index.md") else page[:-3] + ".html")
    return path.read_text(encoding="utf-8")


def pytest_terminal_summary(terminalreporter):
    """How many property-based examples ran (tests/test_properties.py)."""
    module = sys.modules.get("test_properties")
    if module is not None and module.RUN:
        terminalreporter.write_sep("-", "property-based examples run")
        for name, count in sorted(module.RUN.items()):
            terminalreporter.write_line(f"{name}: {count}")
