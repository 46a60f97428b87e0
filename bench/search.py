"""Search, before and after, at 1x and 100x the review: relevance, what a reader's browser
downloads before the first result, and how long after the last keystroke it shows.

"Before" is Material's lunr search as the project had it at --before (a git revision,
exported with `git archive`); "after" is the working tree (Pagefind). Each scale builds
both from bench/synth.py corpora, serves each on 127.0.0.1 and types the relevance set
(tests/search/relevance.yaml) key by key into the header box in Chromium. At 100x a
copy of a wanted study ("studies/hu-2013-x7/") counts as that study.

usage: python bench/search.py [--scales 1,100] [--before REV] [--out bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from search_harness import ARGS, CHROMIUM, SearchBox, Server, score  # noqa: E402

BEFORE = "5ae6caf"  # the last commit with lunr search
FIRST_QUERIES = ["mesenchymal", "hypoglycemia", "Carlsson 2015", "VX-880", "cure"]
SECTION = "## Search"


def export(rev: str, dest: Path) -> Path:
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    tarfile.open(fileobj=io.BytesIO(data)).extractall(dest, filter="data")
    return dest


def build(tree: Path, n: int, work: Path) -> tuple[Path, float]:
    """Synthesise n x the corpus with the tree's own synth.py and build it; (site, seconds)."""
    project = work / "project"
    subprocess.run([sys.executable, str(tree / "bench" / "synth.py"), str(n), str(project)], check=True,
                   capture_output=True)
    site = work / "site"
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"), "--site-dir",
                        str(site)], cwd=project, capture_output=True, text=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(tree)})  # the tree's own atlas
    if r.returncode != 0:
        raise SystemExit(r.stderr[-3000:])
    return site, time.perf_counter() - start


def wanted_at(n: int) -> dict[str, set[str]]:
    from test_search import data_text, relevance_set
    return relevance_set(data_text())


def copy_of(path: str) -> str:
    return re.sub(r"-x\d+/$", "/", path)


class LunrBox(SearchBox):
    """Material's own search box: results come from a worker; read them once they settle."""

    def __init__(self, page, site_url: str, start: str = ""):
        self.page, self.site_url = page, site_url
        self.base = site_url.split("/", 3)[-1]
        page.goto(site_url + start)
        self.box = page.locator("input.md-search__input")

    def ask(self, query: str, delay: float = 15) -> tuple[list[str], float]:
        box = self.box
        box.click()
        box.press("Control+a")
        box.press("Backspace")
        box.press_sequentially(query, delay=delay)
        t0 = time.perf_counter()
        try:  # results, or Material's "No matching documents"
            self.page.wait_for_function("() => document.querySelector('.md-search-result__item') || "
                                        "/no matching/i.test(document.querySelector('.md-search-result__meta').textContent)",
                                        timeout=30_000)
        except Exception:
            return [], float("nan")
        took = (time.perf_counter() - t0) * 1000
        seen: list = []
        for _ in range(30):
            self.page.wait_for_timeout(150)
            seen.append(self.page.locator(".md-search-result__item > a").evaluate_all(
                "els => els.map(e => new URL(e.href).pathname)"))
            if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
                break
        paths = []
        for p in seen[-1]:
            p = p.removeprefix("/")
            if p not in paths:
                paths.append(p)
        return paths, took


SEARCH_FILES = re.compile(r"/(search/|pagefind/|assets/search/|assets/javascripts/search\.js|assets/javascripts/workers/search)")


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
        try:
            page.wait_for_selector(".md-search-result__item", state="attached", timeout=20_000)
        except Exception:
            pass  # no result for this query (lunr): count what it fetched trying
        page.wait_for_timeout(200)
        out.append(sum(r.sizes()["responseBodySize"] for r in got))
        context.close()
    return out


def measure(site: Path, n: int, lunr: bool) -> dict:
    from playwright.sync_api import sync_playwright
    server = Server(site)
    wanted = wanted_at(n)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            payload = first_result_payload(browser, server.url)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            box = (LunrBox if lunr else SearchBox)(context.new_page(), server.url)
            ranked, times = {}, []
            for q in wanted:
                got, took = box.ask(q)
                ranked[q] = list(dict.fromkeys(copy_of(g) for g in got))
                times.append(took)
            context.close()
            browser.close()
    finally:
        server.stop()
    s = score(ranked, wanted)
    if lunr:
        index = site / "search" / "search_index.json"
        raw = index.read_bytes()
        disk = (len(raw), len(gzip.compress(raw)))
    else:
        files = [f for f in (site / "pagefind").rglob("*") if f.is_file()]
        disk = (sum(f.stat().st_size for f in files), None)
    ok = [t for t in times if t == t]
    return {"hits@1": s["hits@1"], "hits@3": s["hits@3"], "mrr": s["mrr"], "queries": s["queries"],
            "payload_kb": max(payload) / 1024, "latency_median": statistics.median(ok),
            "latency_p95": sorted(ok)[int(0.95 * (len(ok) - 1))], "latency_max": max(ok), "index": disk,
            "answered": len(ok)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,100")
    ap.add_argument("--before", default=BEFORE)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--engines", default="lunr,pagefind")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        tmp = Path(tmp)
        before = export(args.before, tmp / "before")
        for n in [int(x) for x in args.scales.split(",")]:
            for name, tree, lunr in (("lunr (before)", before, True), ("Pagefind (after)", ROOT, False)):
                if name.split()[0].lower() not in args.engines:
                    continue
                site, secs = build(tree, n, tmp / f"{name.split()[0]}-{n}")
                m = measure(site, n, lunr)
                m.update(scale=n, engine=name, build_s=secs)
                print(m, flush=True)
                rows.append(m)
                subprocess.run(["rm", "-rf", str(site.parent)])
    write(args.out, rows)


def write(out: Path, rows: list[dict]) -> None:
    lines = [SECTION, "",
             "`python bench/search.py` (`make bench-search`): Material's lunr search as it was (before) against "
             "Pagefind (after), built from the same synthetic corpora in one run, served on 127.0.0.1 and typed "
             "key by key into the header search box in Chromium. Relevance: the reader queries of "
             "tests/search/relevance.yaml (a copy of a wanted study counts at 100x). Payload: bytes the browser "
             "fetched from focusing the box to the first result of a query on a fresh page (worst of "
             f"{', '.join(FIRST_QUERIES)}). Latency: last keystroke to results shown, over every query typed.", "",
             "| scale | engine | queries | hits@1 | hits@3 | MRR | payload before first result | first result after last key (median / p95 / max) | index on disk |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        raw, gz = r["index"]
        disk = f"{raw / 1e6:.2f} MB" + (f" ({gz / 1e6:.2f} MB gzipped)" if gz else " (chunks, fetched per word)")
        lines.append(f"| {r['scale']}x | {r['engine']} | {r['queries']} | {r['hits@1']:.3f} | {r['hits@3']:.3f} | "
                     f"{r['mrr']:.3f} | {r['payload_kb']:.0f} KB | {r['latency_median']:.0f} / {r['latency_p95']:.0f} / "
                     f"{r['latency_max']:.0f} ms | {disk} |")
    lines += ["", "Targets: payload before the first result <= 500 KB and first result within 300 ms of the last "
              "keystroke at 100x; hits@3 >= 0.95 (tests/test_search.py). The site is served without compression, "
              "so payloads are raw bytes. Pagefind's latency is read in the page (the search box reports when it "
              "shows a query's results); lunr's is the first result element after the last key, which may still "
              "be an earlier prefix's answer, so it flatters lunr. Queries lunr found nothing for count as misses."]
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if SECTION in text:
        text = text[:text.index(SECTION)].rstrip() + "\n\n"
    else:
        text = text.rstrip() + "\n\n" if text else ""
    out.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
