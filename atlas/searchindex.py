"""Slimming Material's search index, which every reader's browser downloads whole.

Material writes one entry per section and repeats the page's tags on each. Sections
whose text was excluded from search (data-search-exclude) still leave an entry with
a title and the tags. compact() keeps every entry that has text to find, drops the
empty section entries, and keeps tags on the page's own entry only.
"""
from __future__ import annotations

import json
from pathlib import Path


def compact(index: dict) -> dict:
    docs = []
    for doc in index.get("docs", []):
        is_section = "#" in doc.get("location", "")
        if is_section and not doc.get("text", "").strip():
            continue
        if is_section:
            doc = {k: v for k, v in doc.items() if k != "tags"}
        docs.append(doc)
    return {**index, "docs": docs}


def compact_file(path: Path) -> tuple[int, int]:
    """Rewrite a built search_index.json in place; returns (bytes before, bytes after)."""
    raw = path.read_bytes()
    text = json.dumps(compact(json.loads(raw)), ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return len(raw), len(text.encode("utf-8"))
