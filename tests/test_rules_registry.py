"""rules/: every family module is listed in FAMILIES, so none of its checks is silently left out."""
from __future__ import annotations

from pathlib import Path

import atlas.rules as rules


def test_every_family_module_is_listed_and_its_checks_collected():
    folder = Path(rules.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    assert modules == {f.__name__.rsplit(".", 1)[1] for f in rules.FAMILIES}, "list each family in FAMILIES"
    marked = {fn.rule_id for f in rules.FAMILIES for fn in vars(f).values() if hasattr(fn, "rule_id")}
    assert set(rules.RULES) == marked and len(rules.RULES) >= 10
    assert all(fn.rule_id == rule_id for rule_id, fn in rules.RULES.items())
