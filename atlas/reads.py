"""The records a page reads while it renders under `make serve` (incremental.py).

Record.get, [] and .title add the record to the innermost set; caches that hand out what
was worked out from a record (formatted references) call noticed(). A module of its own
because corpus, citations and exports all need it and import one another.
"""
from __future__ import annotations

from typing import Any

READING: list[set] = []  # innermost last; empty when nothing is being tracked


def noticed(record: Any) -> None:
    if READING:
        READING[-1].add(record)
