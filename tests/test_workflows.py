"""The GitHub workflows are safe to run on pull requests from anyone (zizmor, offline)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT, need

WORKFLOWS = ROOT / ".github" / "workflows"


def _zizmor() -> str | None:
    here = Path(sys.executable).parent / "zizmor"
    return str(here) if here.exists() else shutil.which("zizmor")


def test_zizmor_finds_nothing():
    exe = _zizmor()
    need(exe is not None, "zizmor is not installed (pip install -r requirements.txt)")
    # the auditor persona reports everything, pedantic findings included; nothing is suppressed
    result = subprocess.run([exe, "--offline", "--persona=auditor", "--no-progress", str(ROOT / ".github")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr
    assert "suppressed" not in result.stdout + result.stderr


def test_actions_pinned_and_no_credentials_persisted():
    """What zizmor checks, stated here too, so a reader of the tests sees the policy."""
    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        for uses in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"
        workflow = yaml.safe_load(text)
        assert workflow.get("permissions") == {}, f"{path.name}: the workflow grants permissions to every job"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name} does not say what it needs"
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: {name}"
                assert "${{" not in step.get("run", ""), f"{path.name}: an expression expanded into a script"
    assert (ROOT / ".github" / "dependabot.yml").is_file()
