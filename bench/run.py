"""Benchmark: what the generator costs from the review's size to a hundred times it.

For each scale it measures, as the median of several runs:
  validate  - `atlas validate` (a whole process: what a contributor waits for)
  generate  - validation + every page final, in memory (atlas.build.prepare, what the hook runs)
  full      - `mkdocs build` with the hook (the real build)
  floor     - `mkdocs build` without hooks of the same pages written out as Markdown
              (full and floor alternate; their ratio is the median of the pairs' ratios)
and once: peak memory of the full build, built site size, search index size (raw and
gzipped), and at 1x the time `mkdocs serve` takes to rebuild after one record is edited.

usage: python bench/run.py [--scales 1,10,100] [--runs 3] [--out bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss * 1024


def median_of(runs: int, fn) -> tuple[float, list]:
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), results


def plain_config(project: Path, pages: Path) -> Path:
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    for key in ("hooks", "watch"):
        config.pop(key, None)
    config["docs_dir"] = str(pages)
    path = project / "mkdocs-plain.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def generation_time(project: Path) -> tuple[float, int]:
    code = ("import time,sys; from pathlib import Path; from atlas.build import prepare; "
            "t=time.perf_counter(); prepare(Path('.')); sys.stdout.write(str(time.perf_counter()-t))")
    out = subprocess.run([PY, "-c", code], cwd=project, env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout), 0


def serve_rebuild(project: Path, timeout: float = 120) -> float:
    """Seconds from saving a record to MkDocs' 'built' line under `mkdocs serve`."""
    port = 8765 + os.getpid() % 1000
    # as `make serve` runs it: live reload, re-rendering only the pages an edit changed
    proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--livereload", "--dirty", "--no-strict",
                             "-a", f"127.0.0.1:{port}"],
                            cwd=project, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []

    def reader():
        for line in proc.stdout:
            lines.append((time.perf_counter(), line))

    threading.Thread(target=reader, daemon=True).start()
    try:
        deadline = time.perf_counter() + timeout
        while not any("Serving on" in ln for _, ln in lines):
            if time.perf_counter() > deadline or proc.poll() is not None:
                raise RuntimeError("mkdocs serve did not start:\n" + "".join(ln for _, ln in lines)[-2000:])
            time.sleep(0.05)
        time.sleep(1.0)
        record = project / "data" / "studies" / "hu-2013.yaml"
        seen = len(lines)
        edited = time.perf_counter()
        record.write_text(record.read_text() + f"# edited at {time.time()}\n")  # a real change, every run
        while True:
            done = [t for t, ln in lines[seen:] if "Reloading browsers" in ln]
            if done:
                return done[0] - edited
            if time.perf_counter() > deadline + timeout:
                raise RuntimeError("no rebuild seen:\n" + "".join(ln for _, ln in lines[seen:])[-2000:])
            time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait(10)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(scale: int, runs: int, work: Path) -> dict:
    project = synth.make(scale, work / f"x{scale}")
    studies = len(list((project / "data" / "studies").glob("*.yaml")))
    records = len(list((project / "data").glob("*/*.yaml")))
    row: dict = {"scale": scale, "studies": studies, "records": records}
    row["validate"], _ = median_of(runs, lambda: timed([PY, "-m", "atlas", "validate"], project))
    row["generate"], _ = median_of(runs, lambda: generation_time(project))
    site = work / f"site-{scale}"
    pages = work / f"pages-{scale}"
    subprocess.run([PY, "-m", "atlas", "pages", str(pages)], cwd=project, env=ENV, check=True, capture_output=True)
    plain = plain_config(project, pages)
    plain_site = work / f"plain-{scale}"
    # Full and floor builds alternate, so a machine that speeds up or slows down during
    # the run (other tenants, heat) weighs on both alike; the ratio is the median of pairs.
    full_runs, floor_runs = [], []
    for _ in range(runs):
        full_runs.append(timed([PY, "-m", "mkdocs", "build", "-q", "-d", str(site)], project))
        floor_runs.append(timed([PY, "-m", "mkdocs", "build", "-q", "-f", str(plain), "-d", str(plain_site)], project))
    row["full"] = statistics.median(r[0] for r in full_runs)
    row["floor"] = statistics.median(r[0] for r in floor_runs)
    row["ratio"] = statistics.median(f[0] / p[0] for f, p in zip(full_runs, floor_runs))
    row["pairs"] = [(f[0], p[0]) for f, p in zip(full_runs, floor_runs)]
    row["peak_mb"] = max(r[1] for r in full_runs) / 2**20
    row["site_mb"] = dir_size(site) / 2**20
    index_file = site / "search" / "search_index.json"  # lunr's; search is Pagefind now (bench/search.py)
    index = index_file.read_bytes() if index_file.exists() else b""
    row["index_mb"], row["index_gz_mb"] = len(index) / 2**20, len(gzip.compress(index)) / 2**20
    row["pages"] = len(list(site.rglob("index.html")))
    if scale == 1:
        row["serve_edit"] = statistics.median(serve_rebuild(project) for _ in range(runs))
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(plain_site, ignore_errors=True)
    return row


def machine() -> str:
    cpu = ""
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}"


def table(rows: list[dict]) -> str:
    head = ("| scale | studies | records | pages | validate s | generate s | full build s | floor build s | "
            "full/floor (paired) | peak MB | site MB | search index MB (gzip) | serve edit s |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    body = "".join(
        f"| {r['scale']}x | {r['studies']} | {r['records']} | {r['pages']} | {r['validate']:.2f} | {r['generate']:.2f} | "
        f"{r['full']:.2f} | {r['floor']:.2f} | {r['ratio']:.3f} | {r['peak_mb']:.0f} | {r['site_mb']:.1f} | "
        f"{r['index_mb']:.2f} ({r['index_gz_mb']:.2f}) | {r.get('serve_edit', float('nan')):.2f} |\n" for r in rows)
    growth = ""
    by = {r["scale"]: r for r in rows}
    if 10 in by and 100 in by:
        growth = (f"\nGrowth of the full build from 10x to 100x: {by[100]['full'] / by[10]['full']:.2f} "
                  f"(linear would be 10).\n")
    pairs = "\nEach full build and the floor build after it, in seconds:\n\n" + "".join(
        f"- {r['scale']}x: " + ", ".join(f"{f:.2f} / {p:.2f}" for f, p in r["pairs"]) + "\n" for r in rows)
    return head + body + growth + pairs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            rows.append(measure(scale, args.runs, Path(tmp)))
            print(table(rows), flush=True)
    text = (f"Machine: {machine()}\n\nMedian of {args.runs} runs; run on {time.strftime('%Y-%m-%d')} with "
            f"`make bench`.\n\n" + table(rows))
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
