"""Corrections: a correction the record declares is the value its field holds."""
from __future__ import annotations

from ..corpus import Corpus
from ..schema import Schemas
from .base import at, rule


@rule("correction-not-applied")
def corrections_applied(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        for i, c in enumerate(r.get("corrections", []) or []):
            if not isinstance(c, dict) or "corrected" not in c:
                continue
            name = c.get("field")
            value = r.data.get(name) if isinstance(name, str) else None
            # The field holds the correction: the whole value, or a word of prose (e.g. a product code).
            fixed = str(c["corrected"]).replace("...", "").strip()
            if isinstance(value, (str, int)) and fixed not in str(value):
                yield at(r, ("corrections", i, "corrected"), "correction-not-applied",
                          f"corrections[{i}] says {name} should read '{c['corrected']}', but {name} does not "
                          f"contain it; put the corrected value in {name}")
