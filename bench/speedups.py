"""What each piece of speed machinery saves: prepare() (validation and every page, what the
hook runs) timed in fresh processes with all of it, without each piece, and without any.

usage: python bench/speedups.py PROJECT [RUNS]   (prints JSON: variant -> median wall and CPU s)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

VARIANTS = {
    "all on": "",
    "no cache (templates, charts)": "from atlas import caches; caches.enabled = lambda: False",
    "all off (ATLAS_SPEEDUPS=0)": "import os; os.environ['ATLAS_SPEEDUPS'] = '0'",
}
RUN = ("import os, sys, time; sys.path.insert(0, '.'); {setup}\n"
       "from pathlib import Path; from atlas.build import prepare\n"
       "t, c = time.perf_counter(), os.times(); prepare(Path('.')); e = os.times()\n"
       "print(time.perf_counter() - t, sum(e[:4]) - sum(c[:4]))")  # CPU: this process and any child


def measure(project: Path, runs: int = 5) -> dict[str, float]:
    times: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
    for _ in range(runs):  # variants interleaved, so that the machine's drift weighs on all alike
        for name, setup in VARIANTS.items():
            out = subprocess.run([sys.executable, "-c", RUN.format(setup=setup)], cwd=project, check=True,
                                 capture_output=True, text=True, env={**os.environ, "ATLAS_SPEEDUPS": "1"})
            wall, cpu = out.stdout.split()[-2:]
            times[name].append((float(wall), float(cpu)))
    return {name: {"wall": round(statistics.median(w for w, _ in t), 3), "cpu": round(statistics.median(c for _, c in t), 3)}
            for name, t in times.items()}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5)))
