"""The `atlas` command line. Exit codes: 0 clean, 1 invalid data, 2 usage error."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _root(args) -> Path:
    root = Path(args.root).resolve()
    if not (root / "schemas").is_dir():
        raise SystemExit(_usage(f"{args.root}: not a project folder (it has no schemas/)"))
    return root


def _usage(message: str) -> int:
    print(f"atlas: {message}", file=sys.stderr)
    return 2


def _report(problems, stream=sys.stdout) -> None:
    github = os.environ.get("CI") == "true" or os.environ.get("GITHUB_ACTIONS") == "true"
    for p in problems:
        print(p, file=stream)
    if github:
        for p in problems:
            print(p.github(), file=stream)


def cmd_validate(args) -> int:
    from .validate import validate
    start = time.perf_counter()
    corpus, problems = validate(_root(args))
    _report(problems)
    n = sum(len(v) for v in corpus.records.values())
    took = time.perf_counter() - start
    if problems:
        print(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s); "
              f"{n} records checked in {took:.2f}s", file=sys.stderr)
        return 1
    print(f"ok: {n} records valid in {took:.2f}s", file=sys.stderr)
    return 0


def cmd_fmt(args) -> int:
    from . import fmt
    root = _root(args)
    problems, changed = fmt.run(root, check=args.check, paths=[Path(p) for p in args.files] or None)
    _report(problems)
    if not args.check:
        for c in changed:
            print(f"formatted {c}", file=sys.stderr)
    return 1 if problems else 0


def cmd_pages(args) -> int:
    from .build import write_pages
    from .diagnostics import DataError
    root = _root(args)
    try:
        written = write_pages(root, Path(args.out))
    except DataError as e:
        _report(e.problems)
        return 1
    print(f"wrote {written} files to {args.out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atlas", description="Validate, format and render the evidence atlas.")
    parser.add_argument("--root", default=".", help="project folder (default: current folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check every data file; prints path:line:col: rule: message")
    p.set_defaults(fn=cmd_validate)
    p = sub.add_parser("fmt", help="rewrite data files in canonical form (keeps comments)")
    p.add_argument("--check", action="store_true", help="only report files that are not canonical")
    p.add_argument("files", nargs="*", help="files to format (default: all of data/)")
    p.set_defaults(fn=cmd_fmt)
    p = sub.add_parser("pages", help="write the generated pages (Markdown and images) to a folder")
    p.add_argument("out", help="output folder, e.g. build/pages")
    p.set_defaults(fn=cmd_pages)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
