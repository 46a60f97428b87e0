"""Values: numbers in sensible ranges, no placeholder left from `atlas new`, and a fact either
entered or declared not reported, never both."""
from __future__ import annotations

import datetime

from ..completeness import FACTS, applies
from ..corpus import Corpus, Record
from ..schema import PLACEHOLDER, POST_REVIEW_FIELDS, Schemas
from ..yamlsafe import _dotted, leaves
from .base import at, record_strings, rule

_THIS_YEAR = datetime.date.today().year


@rule("value-range")
def values_in_sensible_ranges(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        for path, value in _numbers(r.data):
            name = path[-1] if path and isinstance(path[-1], str) else ""
            if isinstance(value, bool):
                continue
            if name in ("year", "year_registered") and not 1800 <= value <= _THIS_YEAR + 1:
                yield at(r, path, "value-range", f"{_dotted(path)}: {value} is not a plausible year")
            elif name in ("n", "enrolled", "planned_enrollment", "number", "figure") and value < 1 \
                    and not (name == "n" and len(path) == 3 and path[0] == "outcomes"):  # '0 of 15' is a result
                yield at(r, path, "value-range", f"{_dotted(path)}: {value} must be 1 or more")
        if r.kind.name == "study":
            yield from _study_ranges(r)


def _numbers(data):
    return leaves(data, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))


def _study_ranges(s: Record):
    arms = [a for a in s.get("arms", []) if isinstance(a, dict)]
    total = sum(a["n"] for a in arms if isinstance(a.get("n"), int))
    enrolled = s.get("enrolled")
    if isinstance(enrolled, int) and total > enrolled:
        yield at(s, ("enrolled",), "value-range",
                  f"enrolled is {enrolled}, but the arms add up to {total}; correct the numbers")
    for i, o in enumerate(s.get("outcomes", [])):
        if not isinstance(o, dict):
            continue
        if o.get("unit") == "%":
            for key in ("value", "comparison_value"):
                v = o.get(key)
                if isinstance(v, (int, float)) and not -100 <= v <= 100:
                    yield at(s, ("outcomes", i, key), "value-range",
                              f"outcomes[{i}].{key}: {v}% is outside -100..100, the range of unit '%' (a share, "
                              "or a fall of at most 100%); for a rise of more than 100% as the source gives it, "
                              "write unit: '% increase'")
        yield from _outcome_figures(s, i, o)
    for path, q in _quantities(s.data):
        low, high = q.get("low"), q.get("high")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            yield at(s, path, "value-range", f"{_dotted(path)}: low ({low}) is greater than high ({high})")
        for key in ("value", "low", "high"):
            v = q.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                yield at(s, path + (key,), "value-range", f"{_dotted(path + (key,))}: {v} cannot be negative")


def _outcome_figures(s: Record, i: int, o: dict):
    """An outcome's count within its denominator, the denominator within the enrolment, an interval
    the right way round and, for a confidence interval, around its estimate."""
    n, of = o.get("n"), o.get("of")
    if isinstance(n, int) and isinstance(of, int) and n > of:
        yield at(s, ("outcomes", i, "n"), "value-range",
                  f"outcomes[{i}].n is {n}, more than the {of} assessed ('of'); check the source")
    enrolled = s.get("enrolled")
    if isinstance(of, int) and isinstance(enrolled, int) and of > enrolled:
        yield at(s, ("outcomes", i, "of"), "value-range",
                  f"outcomes[{i}].of is {of}, more than the {enrolled} enrolled; check the source")
    ci, effect = o.get("ci"), o.get("effect")
    if isinstance(ci, dict) and isinstance(ci.get("low"), (int, float)) and isinstance(ci.get("high"), (int, float)):
        if ci["low"] > ci["high"]:
            yield at(s, ("outcomes", i, "ci"), "value-range",
                      f"outcomes[{i}].ci: low ({ci['low']}) is greater than high ({ci['high']})")
        elif ci.get("kind") == "confidence-interval" and isinstance(effect, dict) \
                and isinstance(effect.get("value"), (int, float)) and not ci["low"] <= effect["value"] <= ci["high"]:
            yield at(s, ("outcomes", i, "effect", "value"), "value-range",
                      f"outcomes[{i}].effect.value {effect['value']} lies outside its confidence interval "
                      f"({ci['low']} to {ci['high']}); check the source")


def _quantities(data: dict):
    iv = data.get("intervention")
    if isinstance(iv, dict) and isinstance(iv.get("dose"), dict):
        yield ("intervention", "dose"), iv["dose"]
    if isinstance(data.get("follow_up"), dict):
        yield ("follow_up",), data["follow_up"]
    for i, o in enumerate(data.get("outcomes", []) or []):
        if isinstance(o, dict) and isinstance(o.get("timepoint"), dict):
            yield ("outcomes", i, "timepoint"), o["timepoint"]


@rule("not-reported-conflict")
def not_reported_means_absent(corpus: Corpus, schemas: Schemas):
    """A fact is either entered or declared 'not reported by the source', never both."""
    for s in corpus.all("study"):
        listed = s.get("not_reported")
        for i, key in enumerate(listed if isinstance(listed, list) else []):
            fact = next((f for f in FACTS if f.key == key), None)
            if fact is None:
                continue
            if fact.has(s):
                yield at(s, ("not_reported", i), "not-reported-conflict",
                          f"not_reported lists '{key}', but the record gives it; "
                          f"remove '{key}' from not_reported or remove the value")
            elif not applies(fact, s):
                yield at(s, ("not_reported", i), "not-reported-conflict",
                          f"'{key}' does not apply to an in-vitro study; remove it from not_reported")
        for j, o in enumerate(s.get("outcomes") or []):
            if not isinstance(o, dict) or not isinstance(o.get("not_reported"), list):
                continue
            for k, key in enumerate(o["not_reported"]):
                if o.get(key) is not None:
                    yield at(s, ("outcomes", j, "not_reported", k), "not-reported-conflict",
                              f"outcomes[{j}].not_reported lists '{key}', but the outcome gives it; "
                              f"remove '{key}' from not_reported or remove the value")


@rule("placeholder")
def placeholders_filled(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        for path, text in record_strings(r):
            if text.startswith(PLACEHOLDER):
                what = text[len(PLACEHOLDER):].lstrip(": ")
                item = bool(path) and isinstance(path[-1], int)  # an item of a list
                field_path = path[:-1] if item else path
                field = field_path[-1] if field_path and isinstance(field_path[-1], str) else ""
                parent = schemas.node_at(r.kind, field_path[:-1]) or {}
                required = field in parent.get("required", []) or (
                    r.kind.name == "reference" and "number" not in r.data and field in POST_REVIEW_FIELDS)
                if item and not (required and len(_value_at(r.data, field_path) or []) == 1):
                    how = "write the value from the source, or delete this item"
                elif required:
                    how = f"write the value from the source ({field} is required)"
                else:
                    how = "write the value from the source, or delete the line (the field is optional)"
                yield at(r, path, "placeholder", f"{_dotted(path)} still holds the placeholder from `atlas new`"
                         f"{' (' + what + ')' if what else ''}; {how}")


def _value_at(data, path: tuple):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
