"""Checks beyond the JSON Schema: one function per rule id.

Each rule takes the loaded corpus and yields Problems naming the file, line and
field, and saying what to do. To add a check, write a function here and decorate it
with @rule("rule-id"); CONTRIBUTING.md lists every rule id with an example.
"""
from __future__ import annotations

import datetime
import difflib
import re
from typing import Callable, Iterable, Iterator

from . import citations
from .corpus import DESIGN_STAGE, STAGES, Corpus, Record, study_stage
from .kinds import BY_NAME
from .diagnostics import Problem
from .schema import PLACEHOLDER, Schemas
from .yamlsafe import _dotted

RULES: dict[str, Callable[[Corpus, Schemas], Iterable[Problem]]] = {}


def rule(rule_id: str):
    def register(fn):
        RULES[rule_id] = fn
        fn.rule_id = rule_id
        return fn
    return register


def _at(record: Record, path: tuple, rule_id: str, message: str) -> Problem:
    """A problem at the value of path (the value is what the rules judge)."""
    line, col = record.where(path, value=True)
    return Problem(record.relpath, line, col, rule_id, message)


def values_at(data, pattern: tuple, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """(path, value) for every place in data that matches pattern ('*' = any list item)."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from values_at(item, rest, path + (i,))
    elif isinstance(data, dict) and head in data:
        yield from values_at(data[head], rest, path + (head,))


def strings(data, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, path + (i,))


def record_strings(r: Record) -> list[tuple[tuple, str]]:
    """strings() of a record, walked once per parse of its file: three rules read every
    string of every record, and under `make serve` an unchanged file keeps its parse
    (corpus.keep_parsed_files), so a rebuild walks only the edited one. At 100x the walks
    were half of a rebuild's validation (bench/RESULTS.md)."""
    cached = r.loaded.__dict__.get("_strings")
    if cached is None or cached[0] is not r.data:
        cached = r.loaded.__dict__["_strings"] = (r.data, list(strings(r.data)))
    return cached[1]


def references_in(r: Record, schemas: Schemas) -> tuple[list, list]:
    """What a record names: ([(path, value, target kind)], [(path, cited keys)]).
    Walked once per record and shared by the rules that need it."""
    cached = r.__dict__.get("_references")
    if cached is None:
        xrefs = [(path, value, target) for pattern, target in schemas.xrefs[r.kind.name]
                 for path, value in values_at(r.data, pattern) if isinstance(value, str)]
        cites = [(path, keys) for path, text in record_strings(r) if "[@" in text
                 for _, _, keys in citations.find(text)]
        cached = r.__dict__["_references"] = (xrefs, cites)
    return cached


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


@rule("id-filename")
def id_matches_file_name(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        stem = r.relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
        if r.get("id") is not None and r.get("id") != stem:
            yield _at(r, ("id",), "id-filename",
                      f"id '{r.get('id')}' does not match the file name '{stem}.yaml'; rename the file or change the id")


@rule("id-duplicate")
def ids_unique(corpus: Corpus, schemas: Schemas):
    for kind, records in corpus.records.items():
        seen: dict[str, Record] = {}
        for r in records.values():
            rid = r.get("id")
            if isinstance(rid, str) and rid in seen:
                yield _at(r, ("id",), "id-duplicate",
                          f"id '{rid}' is already used by {seen[rid].relpath}; choose another id")
            elif isinstance(rid, str):
                seen[rid] = r


@rule("ref-unresolved")
def cross_references_resolve(corpus: Corpus, schemas: Schemas):
    refs = corpus.records["reference"]
    for r in corpus:
        xrefs, cites = references_in(r, schemas)
        for path, value, target in xrefs:
            if target == "arm":
                arms = [a.get("id") for a in r.get("arms", []) if isinstance(a, dict)]
                if value not in arms:
                    yield _at(r, path, "ref-unresolved",
                              f"{_dotted(path)}: this study has no arm '{value}'; {_suggest(value, arms)}"
                              f"arms defined: {', '.join(map(str, arms)) or 'none'}")
            elif not corpus.exists(target, value):
                folder = BY_NAME[target].folder
                yield _at(r, path, "ref-unresolved",
                          f"{_dotted(path)}: no {target} with id '{value}'; {_suggest(value, corpus.records[target])}"
                          f"ids are the file names in data/{folder}/")
        for path, keys in cites:
            for key in keys:
                if not corpus.exists("reference", key):
                    yield _at(r, path, "ref-unresolved",
                              f"{_dotted(path)}: cites [@{key}], but there is no reference with that id; "
                              f"{_suggest(key, refs)}ids are the file names in data/references/")
    for c in corpus.doc_citations:
        for key in c.keys:
            if not corpus.exists("reference", key):
                yield Problem(c.relpath, c.line, c.col, "ref-unresolved",
                              f"cites [@{key}], but there is no reference with that id; {_suggest(key, refs)}"
                              "ids are the file names in data/references/")


@rule("doi-duplicate")
def one_reference_per_doi(corpus: Corpus, schemas: Schemas):
    seen: dict[str, Record] = {}
    for r in corpus.references_by_number:
        doi = r.get("doi")
        if not isinstance(doi, str):
            continue
        if doi.lower() in seen:
            yield _at(r, ("doi",), "doi-duplicate",
                      f"doi {doi} is also the DOI of {seen[doi.lower()].relpath}; one work is one reference: "
                      "cite that record instead and delete this one")
        else:
            seen[doi.lower()] = r


@rule("reference-number-duplicate")
def reference_numbers_unique(corpus: Corpus, schemas: Schemas):
    seen: dict[int, Record] = {}
    for r in corpus.references_by_number:
        n = r.get("number")
        if isinstance(n, int):
            if n in seen:
                yield _at(r, ("number",), "reference-number-duplicate",
                          f"number {n} is also the number of {seen[n].relpath}; each reference keeps its number "
                          "from the review")
            seen[n] = r


def cited_reference_ids(corpus: Corpus, schemas: Schemas) -> set[str]:
    """Every reference id named anywhere, records that failed their schema included
    (references_in reads any shape): their citations still count."""
    cited: set[str] = set()
    for r in [*corpus, *(x for by_id in corpus.set_aside.values() for x in by_id.values())]:
        xrefs, cites = references_in(r, schemas)
        cited.update(value for _, value, target in xrefs if target == "reference")
        for _, keys in cites:
            cited.update(keys)
    for c in corpus.doc_citations:
        cited.update(c.keys)
    return cited


def _named_in_unreadable_files(corpus: Corpus) -> str:
    """The text of files that could not be parsed (a YAML mistake): what they cite is unknown,
    so a reference named anywhere in them is not reported as uncited. The text kept when
    loading: a file is never opened twice, nor one the loader refused (a link, a pipe)."""
    return "\n".join(corpus.unreadable_text)


@rule("reference-uncited")
def every_reference_is_cited(corpus: Corpus, schemas: Schemas):
    if any(corpus.unreadable.values()):
        return  # a file that could not be read may cite any of them: judged once it reads
    cited = cited_reference_ids(corpus, schemas)
    unreadable = _named_in_unreadable_files(corpus)
    for r in corpus.references_by_number:
        if r.id not in cited and not (unreadable and re.search(rf"(?<![\w-]){re.escape(r.id)}(?![\w-])", unreadable)):
            yield _at(r, ("id",), "reference-uncited",
                      f"reference '{r.id}' is not cited by any record or page; cite it where it supports a statement "
                      "(citations: [...] or [@id] in text) or delete it")


_THIS_YEAR = datetime.date.today().year


@rule("value-range")
def values_in_sensible_ranges(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        for path, value in _numbers(r.data):
            name = path[-1] if path and isinstance(path[-1], str) else ""
            if isinstance(value, bool):
                continue
            if name in ("year", "year_registered") and not 1800 <= value <= _THIS_YEAR + 1:
                yield _at(r, path, "value-range", f"{_dotted(path)}: {value} is not a plausible year")
            elif name in ("n", "enrolled", "planned_enrollment", "number", "figure") and value < 1:
                yield _at(r, path, "value-range", f"{_dotted(path)}: {value} must be 1 or more")
        if r.kind.name == "study":
            yield from _study_ranges(r)


def _numbers(data, path=()):
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _numbers(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _numbers(v, path + (i,))


def _study_ranges(s: Record):
    arms = [a for a in s.get("arms", []) if isinstance(a, dict)]
    total = sum(a["n"] for a in arms if isinstance(a.get("n"), int))
    enrolled = s.get("enrolled")
    if isinstance(enrolled, int) and total > enrolled:
        yield _at(s, ("enrolled",), "value-range",
                  f"enrolled is {enrolled}, but the arms add up to {total}; correct the numbers")
    for i, o in enumerate(s.get("outcomes", [])):
        if not isinstance(o, dict):
            continue
        if o.get("unit") == "%":
            for key in ("value", "comparison_value"):
                v = o.get(key)
                if isinstance(v, (int, float)) and not -100 <= v <= 100:
                    yield _at(s, ("outcomes", i, key), "value-range",
                              f"outcomes[{i}].{key}: {v}% is outside -100..100; check the unit")
    for path, q in _quantities(s.data):
        low, high = q.get("low"), q.get("high")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            yield _at(s, path, "value-range", f"{_dotted(path)}: low ({low}) is greater than high ({high})")
        for key in ("value", "low", "high"):
            v = q.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                yield _at(s, path + (key,), "value-range", f"{_dotted(path + (key,))}: {v} cannot be negative")


def _quantities(data: dict):
    iv = data.get("intervention")
    if isinstance(iv, dict) and isinstance(iv.get("dose"), dict):
        yield ("intervention", "dose"), iv["dose"]
    if isinstance(data.get("follow_up"), dict):
        yield ("follow_up",), data["follow_up"]
    for i, o in enumerate(data.get("outcomes", []) or []):
        if isinstance(o, dict) and isinstance(o.get("timepoint"), dict):
            yield ("outcomes", i, "timepoint"), o["timepoint"]


@rule("stage-unsupported")
def class_stage_matches_studies(corpus: Corpus, schemas: Schemas):
    unreadable = _named_in_unreadable_files(corpus)
    for c in corpus.all("therapy-class"):
        declared = c.get("evidence_stage")
        if declared not in STAGES or (unreadable and c.id in unreadable):
            continue  # (a study of the class that could not be read may be the one that reaches it)
        studies = [s for s in corpus.studies_by_class.get(c.id, []) if s.get("design") in DESIGN_STAGE]
        reached = max((STAGES.index(study_stage(s)) for s in studies), default=-1)
        if STAGES.index(declared) > reached and not _maybe_unseen_study(corpus, c.id):
            best = STAGES[reached] if reached >= 0 else "none"
            yield _at(c, ("evidence_stage",), "stage-unsupported",
                      f"evidence_stage is '{declared}', but no study of this class reaches it (highest: {best}); "
                      "add the study that shows it or lower the stage")
        elif STAGES.index(declared) < reached:
            top = [s.id for s in studies if STAGES.index(study_stage(s)) == reached]
            yield _at(c, ("evidence_stage",), "stage-unsupported",
                      f"evidence_stage is '{declared}', but {', '.join(top[:3])} reach '{STAGES[reached]}'; "
                      "raise evidence_stage")


@rule("not-reported-conflict")
def not_reported_means_absent(corpus: Corpus, schemas: Schemas):
    """A fact is either entered or declared 'not reported by the source', never both."""
    from .completeness import FACTS, applies
    for s in corpus.all("study"):
        listed = s.get("not_reported")
        if not isinstance(listed, list):
            continue
        for i, key in enumerate(listed):
            fact = next((f for f in FACTS if f.key == key), None)
            if fact is None:
                continue
            if fact.has(s):
                yield _at(s, ("not_reported", i), "not-reported-conflict",
                          f"not_reported lists '{key}', but the record gives it; "
                          f"remove '{key}' from not_reported or remove the value")
            elif not applies(fact, s):
                yield _at(s, ("not_reported", i), "not-reported-conflict",
                          f"'{key}' does not apply to an in-vitro study; remove it from not_reported")


def _maybe_unseen_study(corpus: Corpus, cid: str) -> bool:
    """Could a study that is not in the corpus (unreadable, or failed its schema) be of this class?"""
    if corpus.unreadable["study"]:
        return True
    family = set(corpus.class_and_descendants(cid))
    for s in corpus.set_aside["study"].values():
        named = s.data.get("classes")
        if not isinstance(named, list) or family & {x for x in named if isinstance(x, str)}:
            return True
    return False


_NCT = re.compile(r"^NCT[0-9]{8}$")


@rule("trial-identifier")
def trial_identifiers_documented(corpus: Corpus, schemas: Schemas):
    for t in corpus.all("trial"):
        printed, ident = t.get("identifier_as_printed"), t.get("identifier")
        rr = t.get("registry_record")
        if rr and (rr["registry"] != t["registry"] or (ident and rr["id"] != ident)):
            yield _at(t, ("registry_record", "id"), "trial-identifier",
                      f"the registry record read is {rr['registry']} {rr['id']}, but the trial is "
                      f"{t['registry']} {ident or '(no identifier)'}; a registry record belongs to its own trial")
        if not isinstance(printed, str):
            continue
        fixed = any(isinstance(c, dict) and c.get("field") in ("identifier", "identifier_as_printed")
                    for c in t.get("corrections", []))
        if ident is None and _NCT.match(printed):
            yield _at(t, ("identifier_as_printed",), "trial-identifier",
                      f"'{printed}' is a valid identifier; add 'identifier: {printed}' so the page links the registry")
        elif ident is None and not (t.get("notes") or fixed):
            yield _at(t, ("identifier_as_printed",), "trial-identifier",
                      f"'{printed}' is malformed and there is no identifier; add a note saying what is wrong "
                      "(and the corrected identifier only when certain)")
        elif isinstance(ident, str) and ident != printed and not fixed:
            yield _at(t, ("identifier",), "trial-identifier",
                      f"identifier {ident} differs from what the review printed ({printed}); add a corrections "
                      "entry (field: identifier) saying why")


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
                yield _at(r, ("corrections", i, "corrected"), "correction-not-applied",
                          f"corrections[{i}] says {name} should read '{c['corrected']}', but {name} does not "
                          f"contain it; put the corrected value in {name}")


def _date_of(reference: Record) -> str | None:
    """A reference's date as text (YYYY[-MM[-DD]]): its 'published' date, else its year."""
    published, year = reference.get("published"), reference.get("year")
    if isinstance(published, str):
        return published
    return str(year) if isinstance(year, int) and not isinstance(year, bool) else None


@rule("cites-newer-than-reviewed")
def cited_evidence_not_newer_than_review(corpus: Corpus, schemas: Schemas):
    """A warning, not an error: the record may be fine, but its 'evidence as of' date is stale."""
    refs = corpus.records["reference"]
    for r in corpus:
        reviewed = r.get("reviewed")
        if not isinstance(reviewed, str):
            continue
        xrefs, cites = references_in(r, schemas)
        cited = [(path, value) for path, value, target in xrefs if target == "reference"]
        cited += [(path, key) for path, keys in cites for key in keys]
        warned: set[str] = set()
        for path, key in cited:
            ref = refs.get(key)
            date = _date_of(ref) if ref is not None else None
            if key in warned or date is None:
                continue
            n = min(len(date), len(reviewed))  # compare at the precision both dates have
            if date[:n] > reviewed[:n]:
                warned.add(key)
                line, col = r.where(path, value=True)
                yield Problem(r.relpath, line, col, "cites-newer-than-reviewed",
                              f"{_dotted(path)}: cites {key} ({date}), which is newer than this record's "
                              f"reviewed date ({reviewed}); check the whole record against it and set "
                              "'reviewed' to today's date", severity="warning")


@rule("placeholder")
def placeholders_filled(corpus: Corpus, schemas: Schemas):
    for r in corpus:
        for path, text in record_strings(r):
            if text.startswith(PLACEHOLDER):
                what = text[len(PLACEHOLDER):].lstrip(": ")
                yield _at(r, path, "placeholder",
                          f"{_dotted(path)} still holds the placeholder from `atlas new`"
                          f"{' (' + what + ')' if what else ''}; write the value from the source, "
                          "or delete the line if the field is optional")


def run_rules(corpus: Corpus, schemas: Schemas) -> list[Problem]:
    problems: list[Problem] = []
    for fn in RULES.values():
        problems.extend(fn(corpus, schemas))
    # a placeholder is reported once, not also as an unknown id or a bad value at the same spot
    unfilled = {(p.path, p.line, p.col) for p in problems if p.rule == "placeholder"}
    if unfilled:
        problems = [p for p in problems if p.rule == "placeholder" or (p.path, p.line, p.col) not in unfilled]
    return problems


from . import identifiers as _identifiers  # noqa: E402,F401  registers identifier-malformed
