"""Deterministic synthetic corpus: N times the review's studies, with the same shape.

Copy k of every study (and of the trials and the references they cite) gets ids
suffixed '-xk', its cross-references rewritten to copy k, unique DOIs, NCT numbers
and reference numbers. Classes, limitations, sites, products, organisations,
glossary, cell sources and models are shared, as in a real atlas that grows by
studies. References per study, outcomes per study, cross-references and prose
lengths are those of the review's corpus; the result passes the validator.

usage: python bench/synth.py N OUT_DIR   (OUT_DIR gets schemas/, templates/, docs/, data/ ...)
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# the generator itself too: a project builds with its own code (`python -m` puts the
# folder first on the path), so an older checkout can be measured beside this one
COPIED_PARTS = ("atlas", "schemas", "templates", "hooks", "overrides", "docs", "search", "CHANGELOG.md")


def load(folder: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))}


def dump(folder: Path, records: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for rid, data in records.items():
        (folder / f"{rid}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096),
                                            encoding="utf-8")


def make(n: int, out: Path, root: Path = ROOT) -> Path:
    """The corpus of the checkout at root (this one by default), n times, with its code."""
    sys.path.insert(0, str(ROOT))
    from atlas import outdir
    # out comes from the command line: never the project, its parents or its sources (issue 26)
    outdir.check(ROOT, out.absolute(), existing_must_be_ours=False)
    outdir.check(root, out.absolute(), existing_must_be_ours=False)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for part in COPIED_PARTS:
        if (root / part).is_dir():
            shutil.copytree(root / part, out / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif (root / part).is_file():  # the release notes: the nav's Releases page
            shutil.copyfile(root / part, out / part)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["watch"] = [w for w in config.get("watch", []) if (out / w).exists() or w == "data"]
    (out / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    data = root / "data"
    for folder in data.iterdir():
        if folder.name not in ("studies", "references", "trials"):
            shutil.copytree(folder, out / "data" / folder.name)
    studies, refs, trials = load(data / "studies"), load(data / "references"), load(data / "trials")
    # references and trials that copies of studies cite; the rest (background) is shared
    study_refs = {c["ref"] for s in studies.values() for c in s["citations"]}
    study_refs |= {r for s in studies.values() for o in s.get("outcomes", []) for r in o["citations"]}
    study_refs |= {k for s in studies.values() for k in re.findall(r"@([a-z0-9-]+)", yaml.safe_dump(s))}
    # the review itself (the one reference without a number) is cited, not copied: an atlas
    # has one source review however many studies it holds
    study_refs = {r for r in study_refs if refs[r].get("number")}
    study_trials = {t for s in studies.values() for t in s.get("trials", [])}
    out_studies, out_refs, out_trials = dict(studies), dict(refs), dict(trials)
    top_number = max(r.get("number", 0) for r in refs.values())
    for k in range(1, n):
        suffix = f"-x{k}"
        # a study and the paper reporting it may share an id (reichman-2025): which one a
        # value names follows from where it stands
        ref_rename = {rid: rid + suffix for rid in study_refs}
        rename = {rid: rid + suffix for rid in study_trials | set(studies)}

        def rewrite(value, key=None):
            if isinstance(value, str):
                names = ref_rename if key in ("ref", "citations") else rename
                if value in names:
                    return names[value]
                return re.sub(r"@([a-z0-9-]+)", lambda m: "@" + ref_rename.get(m.group(1), m.group(1)), value)
            if isinstance(value, list):
                return [rewrite(v, key) for v in value]
            if isinstance(value, dict):
                return {k: (v if k in ("arm",) else rewrite(v, k)) for k, v in value.items()}
            return value

        for sid, s in studies.items():
            c = rewrite(copy.deepcopy(s))
            c["id"] = sid + suffix
            c["title"] = f"{s['title']} [copy {k}]"
            out_studies[c["id"]] = c
        for rid in sorted(study_refs):
            r = copy.deepcopy(refs[rid])
            r["id"] = rid + suffix
            if r.get("number"):
                r["number"] = r["number"] + top_number * k
            if r.get("doi"):
                r["doi"] = f"{r['doi']}.x{k}"
            for c in r.get("corrections", []):
                if c.get("field") == "doi" and c.get("corrected"):
                    c["corrected"] = r["doi"]
            r.pop("pmid", None)
            out_refs[r["id"]] = r
        for tid in sorted(study_trials):
            t = rewrite(copy.deepcopy(trials[tid]))
            t["id"] = tid + suffix
            if t.get("identifier"):
                t["identifier"] = f"NCT{(int(t['identifier'][3:]) + k * 1000) % 10**8:08d}"
                t["identifier_as_printed"] = t["identifier"]
                t.pop("corrections", None)
            else:
                t["identifier_as_printed"] = f"{t['identifier_as_printed']}{k}"
            t["id"] = t["id"]
            out_trials[t["id"]] = t
    # copy k of the review's references is numbered after it, as if the review were n times
    # as long; the copy's schema allows those numbers (the real one stops at the review's last)
    schema = out / "schemas" / "reference.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    doc["properties"]["number"]["maximum"] = top_number * n
    schema.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    dump(out / "data" / "studies", out_studies)
    dump(out / "data" / "references", out_refs)
    dump(out / "data" / "trials", out_trials)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    path = make(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote a {sys.argv[1]}x corpus to {path}")
