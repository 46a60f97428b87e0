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


def _report(problems, stream=None) -> None:
    stream = stream or sys.stdout  # looked up at call time, so a caller may redirect it
    github = os.environ.get("CI") == "true" or os.environ.get("GITHUB_ACTIONS") == "true"
    for p in problems:
        print(p, file=stream)
    if github:
        for p in problems:
            print(p.github(), file=stream)


def cmd_validate(args) -> int:
    from .validate import validate
    start = time.perf_counter()
    from .diagnostics import errors
    root = _root(args)
    corpus, problems = validate(root)
    _report(problems)
    n = sum(len(v) for v in corpus.records.values()) + sum(len(v) for v in corpus.set_aside.values())
    if not errors(problems):  # texts a new record may have made stale (warnings, exit 0)
        from .revisit import warnings
        from .schema import Schemas
        found = warnings(corpus, Schemas(root / "schemas"))
        from .rules.prose import stale_warnings
        found += stale_warnings(corpus, root)
        _report(found)
        if found:
            print(f"{len(found)} warning(s): texts to reread because of new records", file=sys.stderr)
    took = time.perf_counter() - start
    failed = errors(problems)
    warned = f", {len(problems) - len(failed)} warning(s)" if len(problems) > len(failed) else ""
    if failed:
        print(f"{len(failed)} problem(s) in {len({p.path for p in failed})} file(s){warned}; "
              f"{n} records checked in {took:.2f}s", file=sys.stderr)
        return 1
    print(f"ok: {n} records valid in {took:.2f}s{warned}", file=sys.stderr)
    return 0


def cmd_fmt(args) -> int:
    from . import fmt
    root = _root(args)
    diffs: dict[str, str] = {}
    problems, changed = fmt.run(root, check=args.check, paths=[Path(p) for p in args.files] or None,
                                diffs=diffs if args.check else None)
    _report(problems)
    for rel in changed if args.check else []:
        print(diffs[rel], end="" if diffs[rel].endswith("\n") else "\n")
    if not args.check and changed:  # nothing changed: nothing to say
        for c in changed:
            print(f"formatted {c}", file=sys.stderr)
        print(f"{len(changed)} file{'s' if len(changed) != 1 else ''} rewritten in canonical form", file=sys.stderr)
    return 1 if problems else 0


def cmd_pages(args) -> int:
    from .build import write_pages
    from .diagnostics import DataError
    root = _root(args)
    from .outdir import Refused
    try:
        written = write_pages(root, Path(args.out))
    except DataError as e:
        _report(e.problems)
        return 1
    except Refused as e:
        return _usage(f"pages: {e}")
    print(f"wrote {written} files to {args.out}", file=sys.stderr)
    return 0


def cmd_output(args) -> int:
    """make site's folder handling: a fresh marked folder to build into, then one rename."""
    from . import outdir
    root = _root(args)
    try:
        if args.fresh:
            outdir.fresh(root, Path(args.fresh))
        else:
            outdir.replace(root, Path(args.replace), Path(args.with_))
    except outdir.Refused as e:
        return _usage(f"output: {e}")
    return 0


def cmd_new(args) -> int:
    from .corpus import load_corpus
    from .scaffold import find_kind, kind_names, malformed_nct, scaffold, values_for, write_new
    from .schema import Schemas
    root = _root(args)
    kind = find_kind(args.kind)
    if kind is None:
        return _usage(f"new: unknown kind '{args.kind}'; one of: {kind_names()}")
    rid = (args.id or args.reference or "").strip().lower()
    if not rid:
        return _usage("new: give the new record's id (its file name), e.g. atlas new study doe-2025")
    import re
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid):
        return _usage(f"new: '{rid}' is not an id; ids are lowercase letters, digits and single hyphens, "
                      "e.g. doe-2025")
    reference = None
    if args.reference:
        reference = load_corpus(root).get("reference", args.reference)
        if reference is None:
            return _usage(f"new: no reference '{args.reference}' in data/references/; add it first "
                          "(atlas new reference ID, or atlas import references FILE)")
    text = scaffold(Schemas(root / "schemas"), kind, rid, values_for(kind, rid, reference))
    if args.stdout:
        sys.stdout.write(text)
        return 0
    try:
        path = write_new(root, kind, rid, text)
    except FileExistsError:
        return _usage(f"new: data/{kind.folder}/{rid}.yaml already exists; edit it, or choose another id "
                      "(add a, b... when two papers share first author and year)")
    if kind.name == "trial" and malformed_nct(rid):
        print(f"note: {rid} is not NCT and 8 digits, so it is written as a misprinted identifier "
              "(identifier_as_printed, no link, a note to write). Mistyped? Delete the file and run "
              "atlas new trial again with the 8 digits.", file=sys.stderr)
    print(f"wrote {path.relative_to(root).as_posix()}: fill in each TODO, uncomment the optional fields "
          "the source reports, then run make validate", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    from . import importer
    root = _root(args)
    file = Path(args.file)
    if not file.is_file():
        return _usage(f"import: {args.file}: no such file")
    if args.what == "trials":
        return _import_trials(root, file, args)
    try:
        outcome, texts = importer.run(root, file, write=not args.stdout)
    except (ValueError, UnicodeDecodeError) as e:  # not one of the three formats, or not text
        return _usage(f"import: {e}")
    if args.stdout:
        for rel, text in texts.items():
            sys.stdout.write(f"# --- {rel}\n{text}")
    for rel in outcome.written:
        print(f"wrote {rel}", file=sys.stderr)
    for message in outcome.refused:
        print(f"{message}", file=sys.stderr)
    done = "read" if args.stdout else "added"
    if texts:
        print(f"{len(texts)} reference(s) {done}, {len(outcome.refused)} refused; fill in the TODOs of each "
              "(published, source_type, read, accessed), then cite it from the study it supports "
              "(atlas new study ID --reference REF)", file=sys.stderr)
    else:
        print(f"no reference {done}: {len(outcome.refused)} refused (above); nothing to cite", file=sys.stderr)
    return 1 if outcome.refused else 0


def _import_trials(root: Path, file: Path, args) -> int:
    from . import trial_import
    try:
        outcome, texts = trial_import.run(root, file, write=not args.stdout)
    except ValueError as e:  # not JSON, or not a study or a search result
        return _usage(f"import: {e}")
    if args.stdout:
        for rel, text in texts.items():
            sys.stdout.write(f"# --- {rel}\n{text}")
    for line in outcome.changes:
        print(line)
    for rel in outcome.written:
        print(f"wrote {rel}", file=sys.stderr)
    for message in outcome.refused:
        print(message, file=sys.stderr)
    print(f"{len(texts)} trial record(s) {'to write' if args.stdout else 'written'}, {len(outcome.unchanged)} "
          f"unchanged, {len(outcome.refused)} refused", file=sys.stderr)
    return 1 if outcome.refused else 0


def cmd_site_diff(args) -> int:
    from . import paths
    from .sitediff import compare, compare_files, files_report, markdown
    base, new = Path(args.base), Path(args.new)
    for site in (base, new):
        if not (site / paths.html_file(paths.HOME)).is_file():
            return _usage(f"site-diff: {site} is not a built site (no index.html); build it with make site")
    if args.files:
        found = compare_files(base, new)
        sys.stdout.write(files_report(found, verbose=args.verbose))
        return 0 if found.empty else 1
    text = markdown(compare(base, new), base_url=args.base_url or "")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:  # a job summary file is appended to
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_check_site(args) -> int:
    from .build import render_pages
    from .diagnostics import DataError
    from .sitecheck import check_site
    root = _root(args)
    try:
        b = render_pages(root)
    except DataError as e:
        _report(e.problems)
        return 1
    problems = check_site(root, Path(args.site), b.output.sources, b.output.templates)
    _report(problems)
    print(f"{len(problems)} broken internal link(s) or anchor(s) in {args.site}", file=sys.stderr)
    return 1 if problems else 0


def cmd_linkcheck(args) -> int:
    from . import linkcheck
    from .validate import validate
    root = _root(args)
    from .diagnostics import errors
    corpus, problems = validate(root)
    if errors(problems):
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


def cmd_release_notes(args) -> int:
    """Release notes from the data's history since a revision (CHANGELOG.md's next section)."""
    import datetime

    from . import __version__, history, whatsnew
    from .corpus import load_corpus
    root = _root(args)
    changes = history.read(root, since=args.since)
    if not changes.available:
        return _usage(f"no git history to read (is {args.root} a clone, and is {args.since or 'HEAD'} a revision?)")
    items = whatsnew.items(changes, load_corpus(root))
    print(whatsnew.release_notes(items, args.version or __version__, datetime.date.today().isoformat()))


def cmd_freeze(args) -> int:
    """Build the checkout as the frozen copy of its release, into site/v/<version>/ (or --out):
    the same pages, served at <site_url>/v/<version>/, each saying which release it is and
    citing that address. The release workflow runs it for each tagged release."""
    import shutil
    import subprocess
    import tempfile

    from . import __version__, paths
    from .build import FROZEN_ENV, VERSION_PATTERN, configured_site_url
    root = _root(args)
    version = args.version
    if not VERSION_PATTERN.fullmatch(version):
        return _usage(f"{version!r} is not a release number such as 0.2.0")
    if version != __version__:
        return _usage(f"this checkout is release {__version__} (atlas/__init__.py), not {version}; "
                      f"check out the commit tagged v{version}")
    out = Path(args.out) if args.out else root / "site" / paths.frozen_copy(version)
    from . import outdir
    try:  # never the project, its parents, its sources, nor a folder atlas did not make (issue 26)
        out = outdir.check(root, out)
    except outdir.Refused as e:
        return _usage(f"freeze: {e}")
    base = configured_site_url(root)
    engine = Path(sys.executable).parent / args.engine
    if not engine.exists():
        engine = Path(shutil.which(args.engine) or args.engine)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    config = root / f".freeze-{os.getpid()}.yml"  # beside mkdocs.yml: its paths stay relative to the project
    config.write_text(f"INHERIT: mkdocs.yml\nsite_url: {base.rstrip('/') + '/' + paths.frozen_copy(version) if base else ''}\n",
                      encoding="utf-8")
    try:
        result = subprocess.run([str(engine), "build", "--strict", "--quiet", "-f", str(config), "--site-dir", str(tmp)],
                                cwd=root, env={**os.environ, FROZEN_ENV: version}, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            print(f"atlas: the frozen copy of release {version} did not build; nothing was written", file=sys.stderr)
            shutil.rmtree(tmp, ignore_errors=True)
            return 1
        outdir.mark(tmp)
        outdir.replace(root, out, tmp)
    finally:
        config.unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrote the frozen copy of release {version} to {out}", file=sys.stderr)
    return 0


def cmd_completeness(args) -> int:
    from .completeness import completeness, table
    from .validate import validate
    corpus, problems = validate(_root(args))
    if problems:
        _report(problems)
        return 1
    from .corpus import study_stage
    studies = corpus.all("study")
    clinical = [s for s in studies if study_stage(s) in ("early-clinical", "randomised")]
    print("All studies\n\n" + table(completeness(studies), len(studies)))
    print("\nClinical studies\n\n" + table(completeness(clinical), len(clinical)))
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
    p = sub.add_parser("new", help="write a new record laid out from its schema, every field commented")
    p.add_argument("kind", help="study, reference, trial, class, limitation, ...")
    p.add_argument("id", nargs="?", help="the new record's id and file name, e.g. doe-2025 or nct01234567")
    p.add_argument("--reference", metavar="REF", help="(study) the reference that reports it: fills in year "
                   "and citations; the id defaults to the reference's")
    p.add_argument("--stdout", action="store_true", help="print the record instead of writing data/<kind>/<id>.yaml")
    p.set_defaults(fn=cmd_new)
    p = sub.add_parser("import", help="add reference records from a BibTeX, RIS or CSL-JSON file, or trial records "
                       "from ClinicalTrials.gov API v2 JSON (offline)")
    p.add_argument("what", choices=["references", "trials"], help="what the file holds")
    p.add_argument("file", help="references: the file your reference manager exported (.bib, .ris or .json); "
                   "trials: a study or a search result of the ClinicalTrials.gov API v2 (.json)")
    p.add_argument("--stdout", action="store_true", help="print the records instead of writing them")
    p.set_defaults(fn=cmd_import)
    p = sub.add_parser("pages", help="write the generated pages (Markdown and images) to a folder")
    p.add_argument("out", help="output folder, e.g. build/pages")
    p.set_defaults(fn=cmd_pages)
    p = sub.add_parser("output", help="(make site) prepare a build folder, or put a finished one in place atomically")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--fresh", metavar="DIR", help="an empty folder, marked as atlas's, to build into")
    g.add_argument("--replace", metavar="DIR", help="the folder to replace, e.g. site")
    p.add_argument("--with", dest="with_", metavar="NEW", help="the finished folder that takes its place")
    p.set_defaults(fn=cmd_output)
    p = sub.add_parser("check-site", help="check every internal link and anchor of a built site (lychee, offline)")
    p.add_argument("site", help="the built site folder, e.g. site")
    p.set_defaults(fn=cmd_check_site)
    p = sub.add_parser("site-diff", help="pages added, removed and changed between two built sites (Markdown)")
    p.add_argument("base", help="the site built from the base branch")
    p.add_argument("new", help="the site built from the pull request")
    p.add_argument("--base-url", help="where the new site is previewed, to link each page there")
    p.add_argument("--out", help="append to this file (e.g. $GITHUB_STEP_SUMMARY) instead of printing")
    p.add_argument("--files", action="store_true",
                   help="compare every file byte for byte (build date, commit and engine normalised; exit 1 if any "
                        "differ): a refactor should change nothing it did not mean to")
    p.add_argument("-v", "--verbose", action="store_true", help="with --files: the first changed lines of each file")
    p.set_defaults(fn=cmd_site_diff)
    p = sub.add_parser("linkcheck", help="check DOIs, PMIDs, NCT numbers and URLs through their registries")
    p.add_argument("--config", help="settings file (default: linkcheck.yaml)")
    p.add_argument("--changed-since", metavar="REV", help="only records changed since REV (for pull requests)")
    p.add_argument("--report", help="also write a Markdown report (for the tracking issue)")
    p.set_defaults(fn=cmd_linkcheck)
    p = sub.add_parser("release-notes", help="release notes (additions, changes, corrections) from the data's history")
    p.add_argument("--since", metavar="REV", help="the previous release's commit or tag (default: all history)")
    p.add_argument("--version", help="the release's number (default: the package's version)")
    p.set_defaults(fn=cmd_release_notes)
    p = sub.add_parser("freeze", help="build this checkout as the frozen copy of its release, at site/v/VERSION/")
    p.add_argument("version", metavar="VERSION", help="the release's number, e.g. 0.2.0 (must match the checkout's)")
    p.add_argument("--out", metavar="DIR", help="where to write it (default: site/v/VERSION)")
    p.add_argument("--engine", default=os.environ.get("ENGINE", "properdocs"), choices=("properdocs", "mkdocs"),
                   help="the HTML engine, as `make site` (default: properdocs)")
    p.set_defaults(fn=cmd_freeze)
    p = sub.add_parser("completeness", help="report how many studies have enrolment, dose, site, follow-up and outcomes")
    p.set_defaults(fn=cmd_completeness)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "new" and args.id is None and len(extra) == 1 and not extra[0].startswith("-"):
        args.id = extra[0]  # `atlas new study --reference doe-2025 doe-2025`: argparse leaves the id over
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.fn(args)
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
