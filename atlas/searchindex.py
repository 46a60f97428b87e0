"""Slimming Material's search index, which every reader's browser downloads whole.

Material writes one entry per section and repeats the page's tags on each. Sections
whose text was excluded from search (data-search-exclude) still leave an entry with
a title and the tags. compact_entries() keeps every entry that has text to find, drops
the empty section entries, and keeps tags on the page's own entry only. The hook runs
it on the entries in memory, before the search plugin writes them.
"""
from __future__ import annotations


def compact_entries(entries: list[dict]) -> list[dict]:
    out = []
    for doc in entries:
        is_section = "#" in doc.get("location", "")
        if is_section and not doc.get("text", "").strip():
            continue
        if is_section and "tags" in doc:
            doc = {k: v for k, v in doc.items() if k != "tags"}
        out.append(doc)
    return out
