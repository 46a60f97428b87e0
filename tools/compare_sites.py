"""Compare two built sites file by file, e.g. before and after a refactor.

    python tools/compare_sites.py OLD_SITE NEW_SITE [-v]

The content version and date ("Cite this page", JSON-LD, sitemap) and the generator
tag (which names the engine) are normalised; everything else must match byte for byte.
-v prints the first changed lines of each differing text file. Exit 1 if any differ.
"""
from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

TEXT = {".html", ".json", ".xml", ".bib", ".ris", ".csv", ".md", ".js", ".txt", ".svg"}
NORMALISE = [
    (re.compile(r"version [0-9.]+(\+[0-9a-f]+)?, (?:\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4})"), "version V, DATE"),
    (re.compile(r'"(dateModified|version)": ?"[^"]*"'), r'"\1": "X"'),
    (re.compile(r'<meta name="generator" content="[^"]*">'), '<meta name="generator">'),
    (re.compile(r"<lastmod>[^<]*</lastmod>"), "<lastmod/>"),
]


def content(path: Path) -> str | bytes:
    data = path.read_bytes()
    if path.suffix not in TEXT:
        return data
    text = data.decode("utf-8", "replace")
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def main(argv: list[str]) -> int:
    old, new = Path(argv[0]), Path(argv[1])
    verbose = "-v" in argv
    files = [{p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} for site in (old, new)]
    for name in sorted(files[0] - files[1]):
        print("only in old:", name)
    for name in sorted(files[1] - files[0]):
        print("only in new:", name)
    differ = 0
    for name in sorted(files[0] & files[1]):
        a, b = content(old / name), content(new / name)
        if a == b:
            continue
        differ += 1
        print("differs:", name)
        if verbose and isinstance(a, str):
            for line in list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))[2:30]:
                print("   ", line[:240])
    same = len(files[0] & files[1]) - differ
    print(f"{same} identical, {differ} differ, {len(files[0] - files[1])} only in old, {len(files[1] - files[0])} only in new")
    return 1 if differ or files[0] != files[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
