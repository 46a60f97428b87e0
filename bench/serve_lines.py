"""How many lines `make serve` prints: before "Serving on" (warm install), per good rebuild (a
data file touched), per failing rebuild (a data file broken) and for the rebuild that fixes it,
and before "Serving on" when it starts with broken data. The numbers of bench/RESULTS.md,
"Output of make serve".

usage: python bench/serve_lines.py [COMMAND ...]   (default: make serve on a free loopback port)

Run it in a checkout where `make install` has run. It edits data/studies/<first>.yaml and
puts it back, whatever happens.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    def __init__(self, command: list[str]):
        self.log = Path(tempfile.mkstemp(prefix="serve-lines-", suffix=".log")[1])
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def settle(self, ready, quiet: float = 8, limit: float = 600) -> str:
        """The output once ready(output) holds and nothing new was printed for `quiet` seconds."""
        start, last, changed = time.monotonic(), None, time.monotonic()
        while time.monotonic() - start < limit:
            text = self.text()
            if text != last:
                last, changed = text, time.monotonic()
            if ready(text) and time.monotonic() - changed > quiet:
                return text
            time.sleep(0.5)
        raise SystemExit("timed out; the output so far:\n" + self.text()[-3000:])

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.unlink()


def main() -> None:
    command = sys.argv[1:] or ["make", "serve", f"SERVE_ARGS=-a 127.0.0.1:{_free_port()}"]
    study = sorted((ROOT / "data/studies").glob("*.yaml"))[0]
    good = study.read_text(encoding="utf-8")
    broken = good.replace("year:", "year: 2016-05-01\nyearx:", 1)
    counts = {}
    try:
        serve = Serve(command)
        try:
            text = serve.settle(lambda t: "Serving on" in t, quiet=12)
            counts["warm start, before 'Serving on'"] = text.split("Serving on")[0].count("\n")
            for what, content in (("good rebuild (a data file touched)", good),
                                  ("failing rebuild (a data file broken)", broken),
                                  ("the rebuild that fixes it", good)):
                before = len(serve.text().splitlines())
                study.write_text(content, encoding="utf-8")
                text = serve.settle(lambda t: len(t.splitlines()) > before)
                counts[what] = len(text.splitlines()) - before
        finally:
            serve.stop()
        study.write_text(broken, encoding="utf-8")
        serve = Serve(command)
        try:
            text = serve.settle(lambda t: "Serving on" in t, quiet=5)
            counts["start with broken data, before 'Serving on'"] = text.split("Serving on")[0].count("\n")
        finally:
            serve.stop()
    finally:
        study.write_text(good, encoding="utf-8")
    print(f"`{' '.join(command)}`, {time.strftime('%Y-%m-%d')}:")
    for what, n in counts.items():
        print(f"- {what}: {n} lines")


if __name__ == "__main__":
    main()
