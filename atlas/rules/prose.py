"""Rules for the prose readers read first: the plain-language text of each class, its
certainty, class and limitation summaries, and the page for people living with type 1
diabetes (docs/living-with-type-1-diabetes.md). Issue 23's audit found wrong, unsupported
and overclaimed sentences there that nothing checked against the data they summarise.

- prose-uncited: a sentence of plain-language text or of the living-with page that states
  a number, a status, a date, a "first", or what was tested in whom, cites a reference.
- prose-immunosuppression: "no immune drugs are needed" against the studies' field
  intervention.immunosuppression.
- prose-stage: "only in mice / animals / the lab" against the class's stage and trials.
- prose-company-only: "only the company has reported" against the source types of the
  references behind the cited results.
- prose-first: a "first" report against the years of the other studies of the same kind.
- certainty-level-text: a certainty rationale that names a level other than the computed one.
- stale-plain-language (warning, `atlas validate`): a class's plain-language text or
  certainty was checked before a linked study or a cited reference was added or changed
  (git history), whatever the paper's publication year.

A family of atlas/rules/ (listed in FAMILIES); stale_warnings runs with `atlas validate`'s
other warnings (atlas/cli.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..citations.cite import find as find_citations
from ..corpus import Corpus, Record
from ..diagnostics import Problem
from ..schema import Schemas
from .base import rule, strings

LIVING_WITH = "docs/living-with-type-1-diabetes.md"

# --- sentences -------------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(\[*])")
_CITE = re.compile(r"\[@[^\]]*\]")
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|half|third|quarter|dozen"
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
CLAIM = re.compile(
    rf"(?<![A-Za-z])\d|\b(?:{_NUMBER_WORDS})\b|\bfirst\b"  # a digit inside a name (HbA1c, T1D) is no count
    r"|\b(?:approved|paused|stopped|halted|published|unpublished|announced|registered|withdrawn|ongoing)\b"
    r"|\b(?:tested|tried|given|treated|implanted|put into)\b.*\b(?:people|person|patients?|mice|rats|animals|lab|humans?)\b",
    re.I)
MONTH = re.compile(rf"\b(?:{_MONTHS})\b")  # case-sensitive: 'may' is not May
# not counts: 'no one', 'type 1 diabetes', 'phase 1' (a name), and sentences about the atlas itself
_NOT_A_COUNT = re.compile(r"\bno one\b|\bone another\b|\bone of (?:them|those|these)\b|\btype [12]\b"
                          r"|\b(?:a|an|the|this|that|each|any|every)\s+(?:\w+\s+)?one\b", re.I)
_ABOUT_THE_ATLAS = re.compile(r"\b(?:this page|this atlas|the atlas)\b", re.I)


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) of a text; a citation at a sentence's end belongs to it."""
    pos = 0
    for part in _SPLIT.split(text):
        start = text.find(part, pos)
        pos = start + len(part)
        if part.strip():
            yield start, part


def claims(sentence: str) -> bool:
    """Does the sentence state a number, a status, a date, a first, or what was tested in whom?"""
    bare = _NOT_A_COUNT.sub("", _CITE.sub("", sentence))
    if _ABOUT_THE_ATLAS.search(bare):
        return False  # what the atlas itself holds or does is not a claim about the evidence
    return bool(CLAIM.search(bare) or MONTH.search(bare))


def cited_keys(sentence: str) -> list[str]:
    return [k for _, _, keys in find_citations(sentence) for k in keys]


# --- where the prose is ------------------------------------------------------------

class Span:
    """A sentence and where it is: a record's field or a docs page's line."""

    def __init__(self, relpath: str, line: int, col: int, text: str, record: Record | None,
                 classes: list[str], where: str):
        self.relpath, self.line, self.col, self.text = relpath, line, col, text
        self.record, self.classes, self.where = record, classes, where

    def problem(self, rule_id: str, message: str, severity: str = "error") -> Problem:
        return Problem(self.relpath, self.line, self.col, rule_id,
                       f"{self.where}: {message} (sentence: \"{self.text.strip()[:160]}\")", severity=severity)


def _field_spans(record: Record, path: tuple, text: str, classes: list[str]) -> Iterator[Span]:
    line, col = record.where(path, value=True)
    where = ".".join(str(p) for p in path)
    for offset, s in sentences(text):
        # a long plain value stays on its line in this project's files; the column points into it
        yield Span(record.relpath, line, col + offset, s, record, classes, where)


def record_spans(corpus: Corpus, plain_only: bool = False) -> Iterator[Span]:
    for k in corpus.all("therapy-class"):
        if isinstance(k.get("plain_language"), str):
            yield from _field_spans(k, ("plain_language",), k["plain_language"], [k.id])
        if plain_only:
            continue
        for field in ("evidence_summary",):
            if isinstance(k.get(field), str):
                yield from _field_spans(k, (field,), k[field], [k.id])
        ct = k.get("certainty") or {}
        if isinstance(ct.get("rationale"), str):
            yield from _field_spans(k, ("certainty", "rationale"), ct["rationale"], [k.id])
        for d, j in (ct.get("domains") or {}).items():
            if isinstance(j, dict) and isinstance(j.get("reason"), str):
                yield from _field_spans(k, ("certainty", "domains", d, "reason"), j["reason"], [k.id])
    if plain_only:
        return
    for lim in corpus.all("limitation"):
        if isinstance(lim.get("summary"), str):
            yield from _field_spans(lim, ("summary",), lim["summary"], list(lim.get("classes") or []))


_LINKED_CLASS = re.compile(r"\]\((?:\.\./)*classes/([a-z0-9-]+)\.md[^)]*\)")
_LINKED_STUDY = re.compile(r"\]\((?:\.\./)*studies/([a-z0-9-]+)\.md[^)]*\)")


def page_spans(corpus: Corpus, relpath: str = LIVING_WITH) -> Iterator[Span]:
    """Sentences of a hand-written page, skipping front matter, headings, comments, questions
    and code; a table row is one unit."""
    text = corpus.doc_texts.get(relpath)
    if text is None:
        return
    lines = text.split("\n")
    in_front = lines[:1] == ["---"]
    para: list[tuple[int, str]] = []

    def flush():
        if not para:
            return
        joined, starts = "", []
        for n, ln in para:
            starts.append((len(joined), n))
            joined += ln.strip() + " "
        for offset, s in sentences(joined):
            n = max((ln_no for start, ln_no in starts if start <= offset), default=para[0][0])
            yield _page_span(corpus, relpath, n, s)
        para.clear()

    for n, ln in enumerate(lines, 1):
        if in_front:
            if n > 1 and ln == "---":
                in_front = False
            continue
        stripped = ln.strip()
        if not stripped or stripped.startswith(("#", "<!--", "```", "|---", "| What", "!!!")):
            yield from flush()
            continue
        if re.match(r"\d+\. ", stripped):  # a numbered checklist (questions to ask) is advice, not evidence
            yield from flush()
            continue
        if stripped.startswith(("- ", "* ")):
            yield from flush()
        if stripped.startswith("|"):
            yield from flush()
            yield _page_span(corpus, relpath, n, stripped)
            continue
        para.append((n, ln))
    yield from flush()


def _page_span(corpus: Corpus, relpath: str, line: int, s: str) -> Span:
    classes = _LINKED_CLASS.findall(s)
    for sid in _LINKED_STUDY.findall(s):
        study = corpus.get("study", sid)
        classes += list(study.get("classes") or []) if study is not None else []
    return Span(relpath, line, 1, s, None, classes, "page")


# --- facts the rules compare with -------------------------------------------------

def human_studies(corpus: Corpus, cid: str) -> list[Record]:
    return [s for s in corpus.studies_by_class.get(cid, [])
            if (s.get("population") or {}).get("species") == "human" and s.get("design") != "meta-analysis"]


_TREATED = re.compile(r"\b(treated|enrolled|implanted|dosed|first patient|results)\b", re.I)


def reached_people(corpus: Corpus, cid: str) -> str | None:
    """Why a class counts as tested in people (None if it does not)."""
    k = corpus.get("therapy-class", cid)
    if k is None:
        return None
    if k.get("evidence_stage") in ("early-clinical", "randomised"):
        return f"its stage is {k['evidence_stage']}"
    for t in corpus.trials_by_class.get(cid, []):
        if isinstance(t.get("status"), str) and _TREATED.search(t["status"]):
            return f"trial {t.id} says: {t['status']}"
    return None


def studies_reporting(corpus: Corpus, keys: list[str], primary_only: bool = False) -> list[Record]:
    """Studies whose results the references report (a study that cites one only as the review
    that described it, or for a method, is not reported by it)."""
    roles = ("primary-report",) if primary_only else ("primary-report", "later-report")
    out = []
    for s in corpus.studies_sorted:
        for c in s.get("citations") or []:
            if isinstance(c, dict) and c.get("ref") in keys and c.get("role") in roles:
                out.append(s)
                break
    return out


# --- the rules ----------------------------------------------------------------------

@rule("prose-uncited")
def plain_claims_cite(corpus: Corpus, schemas: Schemas):
    spans = list(record_spans(corpus, plain_only=True)) + list(page_spans(corpus))
    for sp in spans:
        if sp.text.rstrip().endswith("?"):
            continue
        if claims(sp.text) and "[@" not in sp.text and "<!-- atlas:" not in sp.text:
            yield sp.problem("prose-uncited", "this sentence states a number, a status, a date, a 'first' or "
                             "what was tested in whom, but cites no reference; add [@reference-id] to it")


_NO_DRUGS = re.compile(
    r"\b(?:no|neither|nor|not|without)\b[^.;]*\b(?:drugs?|immunosuppress\w*)\b[^.;]*\b(?:needed|need|required)\b"
    r"|\bneed(?:s|ed)?\s+(?:neither|no)\b[^.;]*\b(?:drugs?|immunosuppress\w*)\b", re.I)


@rule("prose-immunosuppression")
def no_drugs_claims_match_studies(corpus: Corpus, schemas: Schemas):
    for sp in list(record_spans(corpus)) + list(page_spans(corpus)):
        if not _NO_DRUGS.search(_CITE.sub("", sp.text)):
            continue
        for cid in sp.classes:
            people = human_studies(corpus, cid)
            values = [(s.get("intervention") or {}).get("immunosuppression") for s in people]
            if not people or any(v is not False for v in values):
                took = [s.id for s, v in zip(people, values) if v is True]
                unknown = [s.id for s, v in zip(people, values) if v is None]
                why = (f"studies in people record immunosuppression: {', '.join(took)}" if took else
                       "no study in people records intervention.immunosuppression: false"
                       + (f" ({', '.join(unknown)} do not say)" if unknown else ""))
                yield sp.problem("prose-immunosuppression",
                                 f"says immune drugs are not needed, but for class {cid} {why}; say what the "
                                 "studies recorded, or that the source does not say")
                break


_ONLY_NONHUMAN = re.compile(
    r"\bonly\b[^.;]*\b(?:in|from|on)\b[^.;]*\b(?:mice|rats|animals|rodents|the lab|laboratory|a dish)\b"
    r"|\b(?:results|evidence) (?:are|is) (?:only )?from the lab and from (?:mice|animals)\b", re.I)


@rule("prose-stage")
def only_in_animals_matches_stage(corpus: Corpus, schemas: Schemas):
    for sp in list(record_spans(corpus)) + list(page_spans(corpus)):
        if not _ONLY_NONHUMAN.search(_CITE.sub("", sp.text)):
            continue
        keys = cited_keys(sp.text)
        human = [s.id for s in studies_reporting(corpus, keys)
                 if (s.get("population") or {}).get("species") == "human"]
        if human:
            yield sp.problem("prose-stage", f"says this was tested only outside people, but it cites the study in "
                             f"people {human[0]}")
            continue
        linked = _LINKED_CLASS.findall(sp.text) if sp.record is None else ([] if keys else sp.classes)
        if sp.record is None:
            linked += [c for c in sp.classes if c not in linked]
        for cid in linked:
            why = reached_people(corpus, cid)
            if why:
                yield sp.problem("prose-stage", f"says this was tested only outside people, but class {cid} has "
                                 f"reached people ({why}); cite what the sentence means, or correct it")
                break


_ONLY_COMPANY = re.compile(r"\bonly\b[^.;]*\b(?:compan(?:y|ies)|press releases?|announcements?)\b"
                           r"|\bcompan(?:y|ies)\b[^.;]*\bonly\b", re.I)


@rule("prose-company-only")
def company_only_matches_sources(corpus: Corpus, schemas: Schemas):
    refs = corpus.records["reference"]
    for sp in list(record_spans(corpus)) + list(page_spans(corpus)):
        if not _ONLY_COMPANY.search(_CITE.sub("", sp.text)):
            continue
        keys = cited_keys(sp.text)
        peer = [k for k in keys if refs.get(k) is not None and refs[k].get("source_type") == "peer-reviewed-paper"]
        for s in studies_reporting(corpus, keys):
            for c in s.get("citations") or []:
                ref = refs.get(c.get("ref")) if isinstance(c, dict) else None
                if ref is not None and ref.get("source_type") == "peer-reviewed-paper" and ref.id not in peer:
                    peer.append(ref.id)
        if peer:
            yield sp.problem("prose-company-only", f"says only a company has reported this, but a peer-reviewed "
                             f"paper reports it: {', '.join(peer)} (read or not); say so")


_FIRST = re.compile(r"\bfirst(?:\s+(?:peer-reviewed|published|clinical|full|ever))*\s+"
                    r"(?:report|paper|publication|study|trial|test|patient|person|people|humans?)\b", re.I)


def _family(corpus: Corpus, cid: str) -> str:
    seen = set()
    while True:
        k = corpus.get("therapy-class", cid)
        if k is None or not k.get("parent") or cid in seen:
            return cid
        seen.add(cid)
        cid = k["parent"]


@rule("prose-first")
def first_claims_match_years(corpus: Corpus, schemas: Schemas):
    for sp in list(record_spans(corpus)) + list(page_spans(corpus)):
        # the clause that says 'first', and what it cites (a ';' separates claims about different things)
        clause = next((c for c in sp.text.split(";") if _FIRST.search(_CITE.sub("", c))), None)
        if clause is None:
            continue
        for s in studies_reporting(corpus, cited_keys(clause), primary_only=True):
            species = (s.get("population") or {}).get("species")
            # compare within the classes the sentence is about that hold the study, else the study's own
            scope = [c for c in sp.classes if any(x.id == s.id for x in corpus.studies_by_class.get(c, []))]
            pool = {o.id: o for c in (scope or s.get("classes") or []) for o in corpus.studies_by_class.get(c, [])}
            earlier = [o for o in pool.values()
                       if o.id != s.id and isinstance(o.get("year"), int) and isinstance(s.get("year"), int)
                       and o["year"] < s["year"] and (o.get("population") or {}).get("species") == species
                       and o.get("design") not in ("announced-trial-results", "meta-analysis")]
            if earlier:
                o = earlier[0]
                yield sp.problem("prose-first", f"calls {s.id} ({s['year']}) a first, but {o.id} ({o['year']}) "
                                 "is an earlier study of the same kind in this atlas")
                break


_LEVEL_WORDS = re.compile(r"\b(?:rated|rates? (?:it|this|them)|rating is|certainty is|level is|higher than|no higher than)"
                          r"\s+(high|moderate|low|very low)\b", re.I)


@rule("certainty-level-text")
def certainty_text_names_the_computed_level(corpus: Corpus, schemas: Schemas):
    """The level is computed; a rationale that names another one contradicts the judgements."""
    from ..certainty import level
    for k in corpus.all("therapy-class"):
        ct = k.get("certainty") or {}
        if not isinstance(ct.get("domains"), dict) or not isinstance(ct.get("rationale"), str):
            continue
        try:
            computed = level(ct).replace("-", " ")
        except (KeyError, TypeError, ValueError):
            continue
        for m in _LEVEL_WORDS.finditer(_CITE.sub("", ct["rationale"])):
            named = m.group(1).lower()
            if named != computed:
                line, col = k.where(("certainty", "rationale"), value=True)
                yield Problem(k.relpath, line, col, "certainty-level-text",
                              f"certainty.rationale says '{m.group(0)}', but the judgements give {computed}; "
                              "do not type the level: the page shows the computed one")
                break


# --- staleness (warnings; needs git history) ---------------------------------------

def stale_warnings(corpus: Corpus, root: Path) -> list[Problem]:
    """A class's plain-language text and certainty carry the date they were checked. Warn when
    a study linked to the class, or a reference the class cites, was added or changed in the
    repository after that date, whatever year the paper itself was published."""
    from .. import history
    hist = history.read(root)
    if not hist.available:
        return []
    out = []
    for k in corpus.all("therapy-class"):
        cited = {key for _, text in strings(k.data) for _, _, keys in find_citations(text) for key in keys}
        cited |= set(k.get("citations") or [])
        linked = [(s.relpath, f"study {s.id}") for s in corpus.studies_by_class.get(k.id, [])]
        linked += [(r.relpath, f"reference {r.id}") for r in (corpus.get("reference", c) for c in sorted(cited)) if r]
        for field, date in (("plain_language_reviewed", k.get("plain_language_reviewed")),
                            ("certainty.appraised", (k.get("certainty") or {}).get("appraised"))):
            if not isinstance(date, str):
                continue
            newer = [(what, hist.last_changed(rel)) for rel, what in linked
                     if (hist.last_changed(rel) or "") > date]
            if newer:
                path = ("certainty", "appraised") if field.startswith("certainty") else (field,)
                line, col = k.where(path, value=True)
                names = ", ".join(f"{w} ({d})" for w, d in newer[:4]) + (f" and {len(newer) - 4} more" if len(newer) > 4 else "")
                out.append(Problem(k.relpath, line, col, "stale-plain-language",
                                   f"{field} is {date}, but {names} changed after it; reread the text against "
                                   f"them and set {field} to today's date", severity="warning"))
    return out


