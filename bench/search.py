"""Search, before and after, at 1x and 100x the review: relevance, what a reader's browser
downloads before the first result, and how long after the last keystroke the first results
and the complete list show.

"Before" is the project at --before (a git revision, exported with `git archive`); "after"
is the working tree. Each scale builds both from bench/synth.py corpora (this tree's
generator, the revision's code and data), serves each on 127.0.0.1 and types the relevance
set (tests/search/relevance.yaml) key by key into the header box in Chromium, the two sites'
pages taking turns query by query so that both see the same load on the machine. At 100x a
copy of a wanted study ("studies/hu-2013-x7/") counts as that study.

usage: python bench/search.py [--scales 1,100] [--before REV] [--out bench/RESULTS.md]
                              [--reuse DIR]

--reuse DIR keeps the built sites in DIR and uses them again on the next run (a 100x build
takes minutes); the working tree's search box (docs/assets/javascripts/search.js) is copied
into the kept "after" site each run. Delete DIR after changing atlas/, templates/ or data/.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402
from search_harness import ARGS, CHROMIUM, SearchBox, Server, score  # noqa: E402

BEFORE = "main"
FIRST_QUERIES = ["mesenchymal", "hypoglycemia", "Carlsson 2015", "VX-880", "cure"]
SLOW_KEY_MS, SLOW_QUERIES = 150, 30  # a reader who types at 150 ms a key: every 6th query of the set
SECTION = "## Search"
BOX = "assets/javascripts/search.js"


def export(rev: str, dest: Path) -> tuple[Path, str]:
    """The tree at rev, and its commit."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    data = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    tarfile.open(fileobj=io.BytesIO(data)).extractall(dest, filter="data")
    return dest, commit


def build(tree: Path, n: int, site: Path) -> float:
    """n x the tree's corpus, built with the tree's own code into site; seconds."""
    project = site.parent / "project"
    synth.make(n, project, root=tree)
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"), "--site-dir",
                        str(site)], cwd=project, capture_output=True, text=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(tree)})
    if r.returncode != 0:
        raise SystemExit(r.stderr[-3000:])
    shutil.rmtree(project)
    return time.perf_counter() - start


def copy_of(path: str) -> str:
    return re.sub(r"-x\d+/$", "/", path)


SEARCH_FILES = re.compile(r"/(pagefind/|pagefind-topics/|assets/search/|assets/javascripts/search\.js)")


def first_result_payload(browser, url: str) -> list[int]:
    """Bytes of search files (index, engine, word lists) a fresh page fetches until the first
    result of a query shows, per query; page, theme and fonts are not counted."""
    out = []
    for q in FIRST_QUERIES:
        context = browser.new_context()
        page = context.new_page()
        got = []
        page.on("requestfinished", lambda r: got.append(r) if SEARCH_FILES.search(r.url) else None)
        page.goto(url)
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(q, delay=15)
        page.wait_for_selector(".md-search-result__item", state="attached", timeout=30_000)
        out.append(sum(r.sizes()["responseBodySize"] for r in got))
        context.close()
    return out


def measure(sites: dict[str, Path]) -> dict[str, dict]:
    """Each site's relevance, payload and latency; the sites' pages take turns per query."""
    from playwright.sync_api import sync_playwright
    from test_search import data_text, relevance_set
    wanted = relevance_set(data_text())
    servers = {name: Server(site) for name, site in sites.items()}
    ranked = {name: {} for name in sites}
    first = {name: [] for name in sites}
    complete = {name: [] for name in sites}
    slow = {name: [] for name in sites}
    loads = [os.getloadavg()[0]]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            payload = {name: first_result_payload(browser, s.url) for name, s in servers.items()}
            contexts = {name: browser.new_context(viewport={"width": 1280, "height": 900}) for name in sites}
            boxes = {name: SearchBox(contexts[name].new_page(), servers[name].url) for name in sites}
            for i, q in enumerate(wanted):
                for name, box in boxes.items():
                    got, took = box.ask(q)
                    ranked[name][q] = list(dict.fromkeys(copy_of(g) for g in got))
                    first[name].append(took)
                    complete[name].append(box.complete_ms)
                if i % 20 == 19:
                    loads.append(os.getloadavg()[0])
            # typed at a reader's pace, a search started for an earlier key may still be running
            for q in list(wanted)[::len(wanted) // SLOW_QUERIES][:SLOW_QUERIES]:
                for name, box in boxes.items():
                    slow[name].append(box.ask(q, delay=SLOW_KEY_MS)[1])
            browser.close()
    finally:
        for s in servers.values():
            s.stop()
    loads.append(os.getloadavg()[0])
    out = {}
    for name, site in sites.items():
        s = score(ranked[name], wanted)
        files = [f for d in ("pagefind", "pagefind-topics") for f in (site / d).rglob("*") if f.is_file()]
        out[name] = {"hits@1": s["hits@1"], "hits@3": s["hits@3"], "mrr": s["mrr"], "queries": s["queries"],
                     "misses": sorted(s["misses"]), "payload_kb": max(payload[name]) / 1024,
                     "first": _spread(first[name]), "complete": _spread(complete[name]), "slow": _spread(slow[name]),
                     "index_mb": sum(f.stat().st_size for f in files) / 1e6,
                     "load": (min(loads), statistics.mean(loads), max(loads))}
    return out


def _spread(ms: list[float]) -> tuple[float, float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))], ms[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,100")
    ap.add_argument("--before", default=BEFORE)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--reuse", type=Path, help="keep built sites here and use them again")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        keep = args.reuse or Path(tmp)
        before, commit = export(args.before, Path(tmp) / "before")
        trees = {f"before ({args.before}, {commit})": before, "after (this tree)": ROOT}
        sites: dict[int, dict[str, Path]] = {}
        for n in [int(x) for x in args.scales.split(",")]:  # every build first: none runs while measuring
            sites[n] = {}
            for (name, tree), label in zip(trees.items(), ("before", "after")):
                site = keep / f"{label}-{commit if label == 'before' else 'tree'}-{n}x" / "site"
                if not (site / "pagefind" / "pagefind.js").exists():
                    print(f"building {n}x {name} ...", flush=True)
                    build(tree, n, site)
                if label == "after":  # the box is a static file: the tree's own, reused site or not
                    shutil.copyfile(ROOT / "docs" / BOX, site / BOX)
                sites[n][name] = site
        for n in sites:
            for name, m in measure(sites[n]).items():
                m.update(scale=n, box=name)
                print({k: v for k, v in m.items() if k != "misses"}, "\n  misses:", m["misses"], flush=True)
                rows.append(m)
    write(args.out, rows)


def write(out: Path, rows: list[dict]) -> None:
    lines = [SECTION, "",
             "`python bench/search.py` (`make bench-search`): the search box of `main` (before) against this tree's "
             "(after), both Pagefind, built from the same synthetic corpora and measured in one run, served on "
             "127.0.0.1 and typed key by key (15 ms apart) into the header search box in Chromium, the two sites "
             "taking turns query by query. Relevance: the reader queries of tests/search/relevance.yaml (a copy "
             "of a wanted study counts at 100x). Payload: bytes of search files fetched from focusing the box to "
             "the first result of a query on a fresh page (worst of "
             f"{', '.join(FIRST_QUERIES)}). First results: last keystroke to the first results on screen; "
             "complete: to the complete list (the box after shows topic pages first and adds studies once the "
             "reader stops typing; the box before shows one list); slow typist: first results for "
             f"{SLOW_QUERIES} of the queries typed {SLOW_KEY_MS} ms a key. Load: the machine's 1-minute load "
             "average during the run (min / mean / max; 2 cores shared with other builds).", "",
             "| scale | search box | queries | hits@1 | hits@3 | MRR | payload before first result | "
             "first results after last key (median / p95 / max) | complete list (median / p95 / max) | "
             "slow typist, first results | load | index on disk |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        f, c, w, ld = r["first"], r["complete"], r["slow"], r["load"]
        lines.append(f"| {r['scale']}x | {r['box']} | {r['queries']} | {r['hits@1']:.3f} | {r['hits@3']:.3f} | "
                     f"{r['mrr']:.3f} | {r['payload_kb']:.0f} KB | {f[0]:.0f} / {f[1]:.0f} / {f[2]:.0f} ms | "
                     f"{c[0]:.0f} / {c[1]:.0f} / {c[2]:.0f} ms | {w[0]:.0f} / {w[1]:.0f} / {w[2]:.0f} ms | "
                     f"{ld[0]:.1f} / {ld[1]:.1f} / {ld[2]:.1f} | "
                     f"{r['index_mb']:.1f} MB |")
    lines += ["", "Targets: payload before the first result <= 500 KB and first result within 300 ms of the last "
              "keystroke at 100x; hits@3 >= 0.95 (tests/test_search.py). The site is served without compression, "
              "so payloads are raw bytes.", "", "Queries not answered in the first three:", ""]
    for r in rows:
        lines.append(f"- {r['scale']}x, {r['box']}: " + (", ".join(f'"{q}"' for q in r["misses"]) or "none"))
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if SECTION in text:
        text = text[:text.index(SECTION)].rstrip() + "\n\n"
    else:
        text = text.rstrip() + "\n\n" if text else ""
    out.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
