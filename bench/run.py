"""Benchmark: what the generator costs from the review's size to a hundred times it.

For each scale (bench/README.md says what each figure times): validate, generate, the full
build paired with the floor build (the same pages without hooks), with a build of minimal
Material pages of the same length and, with --old, with an older commit's full build; peak
memory, site size, the largest page, the search index, where the build's time goes
(bench/timeparts.py) and the serve edit. With --tests, the test suite's time.

usage: python bench/run.py [--scales 1,10,100] [--runs 3] [--runs-100 1] [--old 5ae6caf]
                           [--old-scales 1,10] [--tests] [--out bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import contextlib
import json
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
import timeparts  # noqa: E402

PY = sys.executable
# Builds run as on a developer's machine: Python keeps its compiled modules. (Some shells,
# this benchmark's own included, turn that off; then every build compiled the project's
# code again, old and new alike.)
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "NO_MKDOCS_2_WARNING": "1"}


def timed(cmd: list[str], cwd: Path, output: list | None = None) -> tuple[float, int, float]:
    """Wall time, peak resident memory (bytes) and CPU time (user + system) of one process
    (its stdout appended to output, if given)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read().decode(errors='replace')[-3000:]}")
        if output is not None:
            out.seek(0)
            output.append(out.read().decode())
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def median_of(runs: int, fn) -> tuple[float, list]:
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), results


def plain_config(project: Path, pages: Path, name: str = "mkdocs-plain.yml") -> Path:
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    for key in ("hooks", "watch"):
        config.pop(key, None)
    config["docs_dir"] = str(pages)
    path = project / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def generation_time(project: Path) -> tuple[float, int]:
    code = ("import time,sys; from pathlib import Path; from atlas.build import prepare; "
            "t=time.perf_counter(); prepare(Path('.')); sys.stdout.write(str(time.perf_counter()-t))")
    out = subprocess.run([PY, "-c", code], cwd=project, env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout), 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_edits(project: Path, edits: int, timeout: float = 1800) -> tuple[list[float], list[float]]:
    """One `mkdocs serve` takes `edits` edits in turn: for each, the seconds from saving a
    record to MkDocs' 'Reloading browsers' line, and the CPU seconds the server spent meanwhile."""
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
        record = project / "data" / "studies" / "hu-2013.yaml"
        walls, cpu = [], []
        for _ in range(edits):
            time.sleep(1.0)
            seen = len(lines)
            edited, used = time.perf_counter(), cpu_seconds(proc.pid)
            timeparts.edit_record(record)
            while not any("Reloading browsers" in ln for _, ln in lines[seen:]):
                if time.perf_counter() > deadline + timeout:
                    raise RuntimeError("no rebuild seen:\n" + "".join(ln for _, ln in lines[seen:])[-2000:])
                time.sleep(0.02)
            walls.append(next(t for t, ln in lines[seen:] if "Reloading browsers" in ln) - edited)
            cpu.append(cpu_seconds(proc.pid) - used)
        return walls, cpu
    finally:
        proc.terminate()
        proc.wait(10)


BIG = 100  # from this scale on, fewer and leaner runs (see measure())
REUSE = False  # --reuse: keep a synthetic project left by an interrupted run (with --work)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def largest_page(site: Path) -> tuple[str, int]:
    """The heaviest HTML page a reader downloads: (its path in the site, bytes)."""
    size, path = max((p.stat().st_size, p) for p in site.rglob("*.html"))
    return path.relative_to(site).as_posix(), size


FILLER = ("Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
          "labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco ").split()


def minimal_pages(pages: Path, out: Path) -> None:
    """Every page as the plainest Material page of the same length: a heading and paragraphs
    of plain words, no tables, links or abbreviations. Other files are copied as they are."""
    shutil.rmtree(out, ignore_errors=True)
    for src in pages.rglob("*"):
        if not src.is_file():
            continue
        dest = out / src.relative_to(pages)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix != ".md":
            shutil.copyfile(src, dest)
            continue
        length = len(src.read_text(encoding="utf-8"))
        words, n, text = [], 0, [f"# {src.stem}\n"]
        while n < length:
            word = FILLER[len(words) % len(FILLER)]
            words.append(word)
            n += len(word) + 1
            if len(words) % 100 == 0:
                text.append(" ".join(words[-100:]) + "\n")
        text.append(" ".join(words[len(words) // 100 * 100:]) + "\n")
        dest.write_text("\n".join(text), encoding="utf-8")


def profile(project: Path, site: Path, edit: str | None = None) -> dict:
    cmd = [PY, str(HERE / "timeparts.py"), *(["--serve-edit", edit] if edit else []), str(site)]
    out = subprocess.run(cmd, cwd=project, env=ENV, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"profile failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(scale: int, runs: int, work: Path, old: Path | None) -> dict:
    """Every figure of one scale. From BIG on, where one build takes minutes on a shared
    machine: the full build is the profiled one, the serve edit is measured beside it (on a
    copy of the project), and there is no floor or minimal build."""
    big = scale >= BIG
    project = work / f"x{scale}"
    if not (REUSE and (project / "mkdocs.yml").exists()):
        synth.make(scale, project)
    studies = len(list((project / "data" / "studies").glob("*.yaml")))
    records = len(list((project / "data").glob("*/*.yaml")))
    row: dict = {"scale": scale, "studies": studies, "records": records, "runs": runs}
    row["validate"], _ = median_of(runs, lambda: timed([PY, "-m", "atlas", "validate"], project))
    row["generate"], _ = median_of(runs, lambda: generation_time(project))
    site = work / f"site-{scale}"
    pages = work / f"pages-{scale}"
    plain_site = work / f"plain-{scale}"
    minimal = work / f"minimal-{scale}"
    if not big:
        subprocess.run([PY, "-m", "atlas", "pages", str(pages)], cwd=project, env=ENV, check=True, capture_output=True)
        plain = plain_config(project, pages)
        minimal_pages(pages, minimal)
        minimal_config = plain_config(project, minimal, "mkdocs-minimal.yml")
    old_project = synth.make(scale, work / f"old-x{scale}", old) if old else None
    # Full and floor builds (and the old commit's full build) alternate, so a machine that
    # speeds up or slows down during the run (other tenants, heat) weighs on all alike; each
    # ratio is the median of its pairs.
    full_runs, floor_runs, minimal_runs, old_runs = [], [], [], []
    build = [PY, "-m", "mkdocs", "build", "-q"]
    profiles: list[str] = []
    for _ in range(runs):
        if old_project:
            old_runs.append(timed(build + ["-d", str(work / "old-site")], old_project))
        if big:
            full_runs.append(timed([PY, str(HERE / "timeparts.py"), str(site)], project, profiles))
        else:
            full_runs.append(timed(build + ["-d", str(site)], project))
        if not big:
            floor_runs.append(timed(build + ["-f", str(plain), "-d", str(plain_site)], project))
            minimal_runs.append(timed(build + ["-f", str(minimal_config), "-d", str(plain_site)], project))
    row["full"] = statistics.median(r[0] for r in full_runs)
    row["full_cpu"] = statistics.median(r[2] for r in full_runs)
    if floor_runs:
        row["floor"] = statistics.median(r[0] for r in floor_runs)
        row["ratio"] = statistics.median(f[0] / p[0] for f, p in zip(full_runs, floor_runs))
    row["pairs"] = [(f[0], p[0] if p else None) for f, p in zip(full_runs, floor_runs or [None] * len(full_runs))]
    if minimal_runs:
        row["minimal"] = statistics.median(r[0] for r in minimal_runs)
        row["minimal_ratio"] = statistics.median(f[0] / m[0] for f, m in zip(full_runs, minimal_runs))
    if old_runs:
        # the old commit's own corpus: its page count, to compare the cost of a page too
        row["old_pages"] = len(list((work / "old-site").rglob("index.html")))
        row["old"] = statistics.median(r[0] for r in old_runs)
        row["old_ratio"] = statistics.median(f[0] / o[0] for f, o in zip(full_runs, old_runs))
        row["old_pairs"] = [(o[0], f[0]) for o, f in zip(old_runs, full_runs)]
        row["old_cpu_ratio"] = statistics.median(f[2] / o[2] for f, o in zip(full_runs, old_runs))
    row["peak_mb"] = max(r[1] for r in full_runs) / 2**20
    row["site_mb"] = dir_size(site) / 2**20
    # Pagefind's index: split in chunks a browser fetches a few of per query (bench/search.py)
    row["index_mb"] = dir_size(site / "pagefind") / 2**20 if (site / "pagefind").is_dir() else 0.0
    row["pages"] = len(list(site.rglob("index.html")))
    row["largest"] = largest_page(site)
    row["over_1mb"] = sum(1 for p in site.rglob("*.html") if p.stat().st_size > 2**20)
    row["profile"] = json.loads(profiles[-1].strip().splitlines()[-1]) if big else profile(project, work / "profile-site")
    if not big:
        row["serve_profile"] = profile(project, work / "profile-site", "data/studies/hu-2013.yaml")
    # one server, as a contributor runs it, taking three edits in turn (alone on the machine:
    # measured beside a build, it timed the contention)
    walls, cpus = serve_edits(project, 3)
    row["serve_edit"], row["serve_edit_cpu"] = statistics.median(walls), statistics.median(cpus)
    row["serve_edits"] = list(zip(walls, cpus))
    for path in (site, plain_site, work / "old-site", work / "profile-site", pages, minimal, work / f"serve-x{scale}"):
        shutil.rmtree(path, ignore_errors=True)
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
    out = ["## Builds\n",
           "Seconds, median of the runs (100x: fewer runs, see the pairs below). *Minimal* is the same number of "
           "pages, each the plainest Material page of the same length (a heading and plain paragraphs), "
           "built like the floor: the cost of a page of that size to MkDocs, with nothing of ours in it.\n",
           "| scale | studies | records | pages | validate | generate | full build (CPU) | floor build | "
           "full/floor (paired) | minimal build | full/minimal (paired) | ms per page: full, minimal | peak MB |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['scale']}x | {r['studies']} | {r['records']} | {r['pages']} | {r['validate']:.2f} | "
                   f"{r['generate']:.2f} | {r['full']:.2f} ({r['full_cpu']:.2f}) | "
                   + (f"{r['floor']:.2f} | {r['ratio']:.3f} | " if "floor" in r else "– | – | ")
                   + (f"{r['minimal']:.2f} | {r['minimal_ratio']:.2f} | {1000 * r['full'] / r['pages']:.1f}, "
                      f"{1000 * r['minimal'] / r['pages']:.1f}" if "minimal" in r else
                      f"– | – | {1000 * r['full'] / r['pages']:.1f}, –") + f" | {r['peak_mb']:.0f} |")
    by = {r["scale"]: r for r in rows}
    if 10 in by and 100 in by:
        out.append(f"\nGrowth of the full build from 10x to 100x: {by[100]['full'] / by[10]['full']:.2f} "
                   f"(linear would be 10).")
    olds = [r for r in rows if "old" in r]
    if olds:
        out += ["\n## Against the old build\n",
                f"The full build of commit {rows[0].get('old_commit', '?')} (the project as it was, its own code, "
                "data and templates, synthesised the same way) alternating with this tree's, pair by pair.\n",
                "| scale | old full build | new full build | new/old (paired, wall) | new/old (paired, CPU) | "
                "pages old / new | new/old per page (wall) | pairs old / new |",
                "|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in olds:
            per_page = (f"{r['old_ratio'] * r['old_pages'] / r['pages']:.3f}" if r.get("old_pages") else "–")
            out.append(f"| {r['scale']}x | {r['old']:.2f} | {r['full']:.2f} | {r['old_ratio']:.3f} | "
                       f"{r['old_cpu_ratio']:.3f} | {r.get('old_pages', '–')} / {r['pages']} | {per_page} | "
                       + ", ".join(f"{o:.2f} / {n:.2f}" for o, n in r["old_pairs"]) + " |")
    out += ["\n## The site a reader gets\n",
            "| scale | site MB | largest page | its HTML MB | pages over 1 MB | Pagefind index MB |",
            "|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        path, size = r["largest"]
        out.append(f"| {r['scale']}x | {r['site_mb']:.1f} | {path} | {size / 2**20:.2f} | {r.get('over_1mb', '?')} | "
                   f"{r['index_mb']:.2f} |")
    out += ["\n## Where a build's time goes\n",
            "One full build in-process with its parts timed (bench/timeparts.py): our hook (validation and "
            "every page made), Python-Markdown, Material's templates, Pagefind, the rest of MkDocs; "
            "the collector's passes are counted inside the parts they interrupted. Then the same for the "
            "rebuild after one study is edited under `make serve` (dirty build, config reloaded).\n",
            "| scale | build | hook | markdown | theme | search | other | (gc) | total | (CPU) |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        for name, key in (("full", "profile"), ("serve edit", "serve_profile")):
            if key not in r:
                continue
            p = r[key]
            out.append(f"| {r['scale']}x | {name} | " + " | ".join(
                f"{p[k]:.2f}" if k in p else "–" for k in ("hook", "markdown", "theme", "search", "other", "gc", "total", "cpu")) + " |")
    out += ["\n## Editing under `make serve`\n",
            "Seconds from saving a study (its summary changed) to the browser being told to reload, under "
            "`mkdocs serve --livereload --dirty` as `make serve` runs it; includes the watcher noticing "
            "the change (it polls every 0.5 s).\n",
            "| scale | serve edit s | the server's CPU s meanwhile | each edit: wall / CPU |", "|---:|---:|---:|---|"]
    out += [f"| {r['scale']}x | {r['serve_edit']:.2f} | "
            + (f"{r['serve_edit_cpu']:.2f} | " + ", ".join(f"{w:.2f} / {c:.2f}" for w, c in r["serve_edits"])
               if "serve_edit_cpu" in r else "– | –") + " |" for r in rows]
    out.append("\nEach full build and the floor build after it, in seconds:\n")
    out += [f"- {r['scale']}x: " + ", ".join(f"{f:.2f} / {p:.2f}" for f, p in r["pairs"]) for r in rows if "floor" in r]
    return "\n".join(out) + "\n"


def test_suite_time() -> str:
    """`make test` (everything, browsers included, as CI runs it) and `make test-fast`."""
    lines = []
    # as the Makefile runs them
    for name, extra, env in (("make test", [], {}),
                             ("make test-fast", ["-m", "not browser and not slow", "-n", "2"],
                              {"ATLAS_HYPOTHESIS_EXAMPLES": "5"})):
        start = time.perf_counter()
        out = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], cwd=HERE.parent,
                             env={**ENV, **env}, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        summary = (out.stdout.strip().splitlines() or ["?"])[-1]
        lines.append(f"- `{name}`: {elapsed:.0f} s wall; pytest's summary: {summary.strip('= ')}.")
    return "\n## Test suite\n\nOne run each, on the machine above:\n\n" + "\n".join(lines) + "\n"


def old_checkout(commit: str, tmp: Path) -> Path:
    """A checkout of an older commit in a temporary worktree (removed by cleanup())."""
    path = tmp / f"old-{commit}"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=HERE.parent, check=True,
                   capture_output=True)
    return path


def write_results(path: Path, text: str) -> None:
    """RESULTS.md is this script's, except the sections other scripts write, which are kept:
    '## Output of make serve' (bench/serve_lines.py) and the trailing '## Search' (bench/search.py)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    keep = old[old.index("\n## Search"):] if "\n## Search" in old else ""
    serve = ""
    if "\n## Output of make serve" in old:
        serve = old[old.index("\n## Output of make serve"):]
        serve = serve[:serve.index("\n## ", 1)] if "\n## " in serve[1:] else serve
    path.write_text(text.rstrip("\n") + "\n" + serve + keep, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-100", type=int, default=1, help="runs at 100x and above (each build takes minutes)")
    ap.add_argument("--old", default="5ae6caf", help="commit whose full build is paired with this tree's ('' for none)")
    ap.add_argument("--old-scales", default="1,10")
    ap.add_argument("--tests", action="store_true", help="also time the whole test suite")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--rows", help="also save the measurements as JSON here")
    ap.add_argument("--work", help="work folder (default: a temporary one, removed at the end)")
    ap.add_argument("--reuse", action="store_true", help="reuse synthetic projects already in --work")
    ap.add_argument("--serve-only", help="measure only the serve edit (wall and CPU) at each scale of these "
                    "saved measurements (JSON from --rows), and save them back")
    ap.add_argument("--from-rows", help="write --out from measurements saved by earlier runs (a,b.json), measuring nothing")
    args = ap.parse_args()
    rows: list[dict] = []
    if args.serve_only:
        saved = json.loads(Path(args.serve_only).read_text())
        with (contextlib.nullcontext(args.work) if args.work else tempfile.TemporaryDirectory(prefix="atlas-bench-")) as tmp:
            for row in saved["rows"]:
                project = Path(tmp) / f"serve-x{row['scale']}"
                if not (args.reuse and (project / "mkdocs.yml").exists()):
                    synth.make(row["scale"], project)
                walls, cpus = serve_edits(project, args.runs if row["scale"] < BIG else args.runs_100)
                row["serve_edit"], row["serve_edit_cpu"] = statistics.median(walls), statistics.median(cpus)
                row["serve_edits"] = list(zip(walls, cpus))
                print(row["scale"], row["serve_edits"], flush=True)
        saved["how"] += (f" Serve edits measured again on {time.strftime('%Y-%m-%d %H:%M')} with "
                         f"`python bench/run.py {' '.join(sys.argv[1:])}`.")
        Path(args.serve_only).write_text(json.dumps(saved))
        return
    if args.from_rows:
        saved = [json.loads(Path(p).read_text()) for p in args.from_rows.split(",")]
        rows = sorted((r for s in saved for r in s["rows"]), key=lambda r: r["scale"])
        tests = "".join(s.get("tests", "") for s in saved)
        text = (f"Machine: {machine()}\n\n" + "".join(f"{s['how']}\n\n" for s in saved) + table(rows) + tests)
        write_results(Path(args.out), text)
        print(text)
        return
    global REUSE
    REUSE = args.reuse
    with (contextlib.nullcontext(args.work) if args.work else tempfile.TemporaryDirectory(prefix="atlas-bench-")) as tmp:
        old = old_checkout(args.old, Path(tmp)) if args.old else None
        try:
            tests = test_suite_time() if args.tests else ""
            for scale in (int(s) for s in args.scales.split(",")):
                runs = args.runs if scale < 100 else args.runs_100
                use_old = old if str(scale) in args.old_scales.split(",") else None
                row = measure(scale, runs, Path(tmp), use_old)
                row["old_commit"] = args.old
                rows.append(row)
                how = (f"Scales {', '.join(str(r['scale']) + 'x' for r in rows)}: run on {time.strftime('%Y-%m-%d %H:%M')} "
                       f"with `python bench/run.py {' '.join(sys.argv[1:])}`; load average at the end "
                       f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work shared the machine).")
                text = f"Machine: {machine()}\n\n{how}\n\n" + table(rows) + tests
                write_results(Path(args.out), text)  # after every scale: a long run leaves what it measured
                if args.rows:
                    Path(args.rows).write_text(json.dumps({"how": how, "rows": rows, "tests": tests}))
                print(text, flush=True)
        finally:
            if old is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=HERE.parent,
                               capture_output=True)


if __name__ == "__main__":
    main()
