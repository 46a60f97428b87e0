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
    n = sum(len(v) for v in corpus.records.values()) + sum(len(v) for v in corpus.set_aside.values())
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


def cmd_check_site(args) -> int:
    from .build import build
    from .diagnostics import DataError
    from .sitecheck import check_site
    root = _root(args)
    try:
        b = build(root)
    except DataError as e:
        _report(e.problems)
        return 1
    problems = check_site(root, Path(args.site), b.site.sources, b.site.templates)
    _report(problems)
    print(f"{len(problems)} broken internal link(s) or anchor(s) in {args.site}", file=sys.stderr)
    return 1 if problems else 0


def cmd_linkcheck(args) -> int:
    from . import linkcheck
    from .validate import validate
    root = _root(args)
    corpus, problems = validate(root)
    if problems:
        _report(problems)
        return 1
    config = linkcheck.Config.load(Path(args.config) if args.config else root / "linkcheck.yaml", root)
    only = linkcheck.changed_files(root, args.changed_since) if args.changed_since else None
    results, checker = linkcheck.run(corpus, config, only, Path(args.report) if args.report else None)
    github = os.environ.get("CI") == "true" or os.environ.get("GITHUB_ACTIONS") == "true"
    for target, outcome in results:
        if outcome.state != "ok":
            print(target.problem_text(outcome))
            if github:
                level = "error" if outcome.state == "broken" else "warning"
                print(f"::{level} file={target.source},line={target.line},col={target.col},"
                      f"title=link-{outcome.state}::{target.kind} {target.value}: {outcome.detail}")
    broken = sum(1 for _, o in results if o.state == "broken")
    unavailable = sum(1 for _, o in results if o.state == "unavailable")
    print(f"{len(results)} checked: {broken} broken, {unavailable} unavailable, "
          f"{sum(1 for _, o in results if o.cached)} from cache, {checker.requests} requests", file=sys.stderr)
    return 1 if broken else 0


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
    p = sub.add_parser("check-site", help="check every internal link and anchor of a built site (lychee, offline)")
    p.add_argument("site", help="the built site folder, e.g. site")
    p.set_defaults(fn=cmd_check_site)
    p = sub.add_parser("linkcheck", help="check DOIs, PMIDs, NCT numbers and URLs through their registries")
    p.add_argument("--config", help="settings file (default: linkcheck.yaml)")
    p.add_argument("--changed-since", metavar="REV", help="only records changed since REV (for pull requests)")
    p.add_argument("--report", help="also write a Markdown report (for the tracking issue)")
    p.set_defaults(fn=cmd_linkcheck)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
