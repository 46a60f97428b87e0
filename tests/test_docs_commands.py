"""Every command README.md and CONTRIBUTING.md show in a shell block works as written.

Each one runs, in order, in a new shell (no .venv/bin on PATH) in a temporary copy of the
project, with HOME in the temporary folder: `~/Downloads/doe-2025.bib` is there, made from the
worked example. Between the steps the contributor edits the two new files to read as the
worked example does (CONTRIBUTING, section 3). A command that cannot run here is in SKIPPED,
each with its reason; one that is no longer in the documents fails the test, so the list stays
true. A line after a command that reads `# wrote PATH` says what the command writes: checked.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.process  # the documented commands, run in a shell as written

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "CONTRIBUTING.md")

# Commands shown but not run here, each with why.
SKIPPED = {
    # long-running, and run elsewhere: tests/test_serve.py serves with the same arguments
    "make serve": "serves until stopped (tests/test_serve.py runs the same command line)",
    # this test is part of what it runs
    "make test": "runs the whole suite, of which this test is one",
    # a placeholder the reader fills in, and it needs the internet
    "git clone <your fork> && cd atlas": "<your fork> is the reader's own; cloning needs the internet",
    # two builds of the whole site on two branches: minutes, and a folder outside the project
    "make site && cp -r site /tmp/site-before": "needs the base branch checked out; builds the whole site "
                                                "(tests/test_contributor_path.py compares two builds)",
    "make site && .venv/bin/atlas site-diff /tmp/site-before site": "needs the site of the step above",
}


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```(?:sh|bash|shell|console)\n(.*?)^```", text, re.S | re.M)


def documented() -> list[tuple[str, str, list[str]]]:
    """(document, command, what its '# wrote PATH' lines say it writes), in the documents' order."""
    out: list[tuple[str, str, list[str]]] = []
    for doc in DOCS:
        for block in shell_blocks((ROOT / doc).read_text(encoding="utf-8")):
            for line in block.splitlines():
                if not line.strip():
                    continue
                if line.startswith("#"):  # what the command before prints
                    m = re.match(r"# wrote (\S+)", line)
                    if m and out:
                        out[-1][2].append(m.group(1))
                    continue
                command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()  # its comment, not the command
                out.append((doc, command, []))
    return out


def _example(block_start: str) -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if b.startswith(block_start))


def _bibtex(record: dict) -> str:
    """The worked example's reference as a reference manager exports it."""
    authors = " and ".join(f"{a['family']}, {a.get('given', '')}" for a in record["authors"])
    fields = {"author": authors, "title": record["title"], "journal": record["journal"], "year": record["year"],
              "volume": record.get("volume"), "pages": record.get("pages", "").replace("-", "--"),
              "doi": record.get("doi"), "pmid": record.get("pmid")}
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@article{{{record['id']},\n{body}\n}}\n"


def _copy(dest: Path) -> Path:
    """The tracked files, with their times (so make sees .venv as up to date), and .venv linked."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    # make's install step is this checkout's own business: in the copy it is up to date, so no
    # command shown installs anything into the linked .venv
    stamp = (ROOT / ".venv/.installed-stamp").stat().st_mtime
    for name in ("requirements.txt", "requirements-nodeps.txt", "pyproject.toml"):
        if not (dest / name).exists():
            continue
        os.utime(dest / name, (stamp - 1, stamp - 1))
    return dest


def test_the_skip_list_names_only_commands_the_documents_show():
    shown = {command for _, command, _ in documented()}
    assert set(SKIPPED) <= shown, f"no longer in README/CONTRIBUTING, drop from SKIPPED: {set(SKIPPED) - shown}"


def test_every_documented_command_works_as_written(tmp_path):
    if not (ROOT / ".venv/.installed-stamp").exists():
        pytest.skip("test_every_documented_command_works_as_written: no .venv (run make install)")
    if shutil.which("make") is None:
        pytest.skip("test_every_documented_command_works_as_written: make is not installed")
    project = _copy(tmp_path / "atlas")
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    reference = yaml.safe_load(_example("id: doe-2025\ntype:"))
    (home / "Downloads/doe-2025.bib").write_text(_bibtex(reference), encoding="utf-8")
    # a new shell: the system's PATH, without the virtual environment's
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "CI": "false", "NO_MKDOCS_2_WARNING": "1"}

    ran = []
    for doc, command, writes in documented():
        if command in SKIPPED:
            continue
        result = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True,
                                timeout=600)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{doc}: `{command}` exited {result.returncode}:\n{output[-3000:]}"
        assert "Traceback" not in output, f"{doc}: `{command}`:\n{output[-3000:]}"
        for rel in writes:
            assert (project / rel).is_file(), f"{doc}: `{command}` should write {rel}:\n{output}"
        ran.append(command)
        if command.startswith(".venv/bin/atlas new study doe-2025"):
            # the contributor fills both files in until they read as the worked example
            imported = yaml.safe_load((project / "data/references/doe-2025.yaml").read_text(encoding="utf-8"))
            assert {k: v for k, v in imported.items() if not str(v).startswith("TODO")} == \
                {k: v for k, v in reference.items() if k in imported and not str(imported[k]).startswith("TODO")}
            (project / "data/references/doe-2025.yaml").write_text(_example("id: doe-2025\ntype:"), encoding="utf-8")
            (project / "data/studies/doe-2025.yaml").write_text(_example("id: doe-2025\ntitle:"), encoding="utf-8")
    assert ran, "no command was run"
