"""The Python code passes ruff (the rules in pyproject.toml, [tool.ruff]); CI runs it here."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, need


def _ruff() -> str | None:
    here = Path(sys.executable).parent / "ruff"
    return str(here) if here.exists() else shutil.which("ruff")


def test_ruff_check_finds_nothing():
    exe = _ruff()
    need(exe is not None, "ruff is not installed (pip install -r requirements.txt)")
    result = subprocess.run([exe, "check", "--no-cache", "--output-format", "concise", str(ROOT)],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
