"""Status facts computed from the records, so that no page retypes them (issue 23).

Who has reported a study's results and how (from its outcomes' source types and
references), the highest stage a class has reached, how many people its studies
treated, a product's regulatory status and the dates evidence was checked are all held
by the data; the functions here say them in words, with citations as [@id] so that the
renderer links them. Hand-written prose keeps the explanation and the meaning.

Hand-written pages in docs/ can ask for these lines by name, with a directive on a line
of its own or in a table cell: <!-- atlas:NAME ARGUMENT -->. The names are a closed list
(DIRECTIVES); an unknown name or id fails the build with the file and line. Contributed
YAML text is never expanded: the directives are read only in docs/ pages.
"""
from __future__ import annotations

import re
from collections import OrderedDict

from . import certainty
from .corpus import STAGES, Corpus, Record, study_stage, treated
from .diagnostics import Problem
from .text import escape_md, label, long_date


def _same(text: str) -> str:
    return text

SOURCE_ORDER = ("peer-reviewed-paper", "conference-abstract", "registry-posting", "company-announcement")
SOURCE_WORDS = {
    "peer-reviewed-paper": ("a peer-reviewed paper", "peer-reviewed papers"),
    "conference-abstract": ("a conference abstract", "conference abstracts"),
    "registry-posting": ("a registry posting", "registry postings"),
    "company-announcement": ("a company announcement", "company announcements"),
}
REFERENCE_WORDS = {
    "peer-reviewed-paper": "a peer-reviewed paper",
    "conference-abstract": "a conference abstract",
    "registry-record": "a registry record",
    "company-announcement": "a company announcement",
    "regulatory-decision": "a regulator's announcement",
}


def _cite(ids) -> str:
    ids = list(OrderedDict.fromkeys(ids))
    return f" [@{'; @'.join(ids)}]" if ids else ""


def reported_by(study: Record) -> list[tuple[str, list[str]]]:
    """(source type, reference ids) of a study's results, peer review first."""
    by_type: dict[str, list[str]] = {}
    for o in study.get("outcomes", []):
        t = o.get("source_type")
        if t:
            by_type.setdefault(t, []).extend(o.get("citations", []))
    return [(t, list(OrderedDict.fromkeys(by_type[t]))) for t in SOURCE_ORDER if t in by_type] + \
        [(t, ids) for t, ids in by_type.items() if t not in SOURCE_ORDER]


def unread_reports(corpus: Corpus, study: Record) -> list[Record]:
    """References the study cites as its reports that were not read (read: 'Not read...')."""
    out = []
    for c in study.get("citations", []):
        ref = corpus.get("reference", c.get("ref")) if isinstance(c, dict) else None
        if ref is not None and str(ref.get("read", "")).lower().startswith("not read"):
            out.append(ref)
    return out


def study_reported_line(corpus: Corpus, study: Record) -> str:
    """'Results shown here come from a peer-reviewed paper [@x] and a company announcement [@y].'"""
    parts = []
    for t, ids in reported_by(study):
        one, many = SOURCE_WORDS.get(t, (label(t).lower(), label(t).lower()))
        parts.append(f"{one if len(ids) == 1 else f'{len(ids)} {many}'}{_cite(ids)}")
    if not parts:
        return ""
    line = "Results shown here come from " + _and(parts) + "."
    unread = unread_reports(corpus, study)
    if unread:
        kinds = _and([REFERENCE_WORDS.get(r.get("source_type"), "a report") for r in unread])
        line += f" Also published as {kinds}, not read for this atlas{_cite(r.id for r in unread)}."
    return line


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def highest_stage(corpus: Corpus, k: Record) -> str:
    stages = [study_stage(s) for s in corpus.studies_by_class.get(k.id, [])]
    return max(stages, key=STAGES.index) if stages else k["evidence_stage"]


def people_treated(corpus: Corpus, k: Record) -> tuple[int, int]:
    """(people treated, studies in people) for a class and its subclasses. A registered trial
    reported more than once is counted once, by its largest report."""
    by_trial: dict[str, int] = {}
    alone, studies = 0, 0
    for s in corpus.studies_by_class.get(k.id, []):
        if (s.get("population") or {}).get("species") != "human" or s.get("design") == "meta-analysis":
            continue
        n = treated(s) or s.get("enrolled") or 0
        studies += 1
        trials = s.get("trials") or []
        if trials:
            by_trial[trials[0]] = max(by_trial.get(trials[0], 0), n)
        else:
            alone += n
    return alone + sum(by_trial.values()), studies


def class_status_line(corpus: Corpus, k: Record) -> str:
    """The status facts of a class, from its records."""
    stage = highest_stage(corpus, k)
    n, studies = people_treated(corpus, k)
    reported: dict[str, set[str]] = {}
    for s in corpus.studies_by_class.get(k.id, []):
        if (s.get("population") or {}).get("species") == "human":
            for t, ids in reported_by(s):
                reported.setdefault(t, set()).update(ids)
    bits = [f"Furthest stage its studies have reached: {label(stage).lower()}."]
    if studies:
        bits.append(f"People treated in its studies in this atlas: {'up to ' if studies > 1 else ''}{n}, in "
                    f"{studies} {'study' if studies == 1 else 'studies'} (reports naming the same registered "
                    "trial are counted once; other reports may share patients).")
        kinds = [SOURCE_WORDS[t][1] if len(reported[t]) > 1 else SOURCE_WORDS[t][0]
                 for t in SOURCE_ORDER if t in reported]
        if kinds:
            bits.append(f"Their results come from {_and(kinds)}.")
    else:
        bits.append("No study in people is recorded in this atlas.")
    bits.append(f"Plain-language text checked {k.get('plain_language_reviewed', 'n/a')}; "
                f"certainty appraised {k['certainty']['appraised']}.")
    return " ".join(bits)


def product_stage(corpus: Corpus, p: Record) -> str:
    stages = [study_stage(s) for s in corpus.studies_by_product.get(p.id, [])]
    if stages:
        return max(stages, key=STAGES.index)
    if corpus.trials_by_product.get(p.id):
        return "early-clinical"
    classes = [k for k in (corpus.get("therapy-class", c) for c in p.get("classes") or []) if k is not None]
    return max((k["evidence_stage"] for k in classes), key=STAGES.index) if classes else "not-stated"


def product_approval_line(corpus: Corpus, p: Record, esc=_same) -> str:
    """'Approved by <regulator> on <date>, for <whom>' or 'No regulator's approval is recorded ...'.
    Free text from the record passes through esc: templates escape the whole line
    (page.text), a docs directive escapes each field (escape_md)."""
    if p.get("approvals") is None:  # nobody has checked (Record.get: serve notes what a page reads)
        return ""
    approvals = p.get("approvals") or []
    if approvals:
        return " ".join(
            f"{a['decision'][:1].upper() + a['decision'][1:]} by {esc(a['regulator'])} on {long_date(str(a['date']))}, "
            f"for {esc(a['population'])}{_cite(a.get('citations', []))}." for a in approvals)
    checked = p.get("approvals_checked") or {}
    stage = product_stage(corpus, p)
    where = {"early-clinical": "in clinical trials", "randomised": "in randomised trials",
             "animal": "tested in animals", "in-vitro": "tested in the laboratory"}.get(stage, "under study")
    return (f"No regulator's approval is recorded: it was {where} in the latest source this atlas has read "
            f"about it, from {long_date(str(checked['as_of']))}{_cite(checked.get('citations', []))}.")


def approvals_section(corpus: Corpus) -> str:
    products = [p for p in corpus.in_order("product") if p.get("approvals") is not None]
    approved = [p for p in products if p.get("approvals")]
    not_yet = [p for p in products if not p.get("approvals")]
    lines = []
    if approved:
        lines += ["Approved products recorded in this atlas:", ""]
        lines += [f"- **{escape_md(p['name'])}**: {product_approval_line(corpus, p, escape_md)}" for p in approved]
    else:
        lines += ["No product recorded in this atlas has a regulator's approval on record."]
    if not_yet:
        lines += ["", "No approval recorded:", ""]
        lines += [f"- **{escape_md(p['name'])}**: {product_approval_line(corpus, p, escape_md)}" for p in not_yet]
    return "\n".join(lines)


# --- directives in hand-written docs/ pages -------------------------------------------

DIRECTIVE = re.compile(r"<!--\s*atlas:([a-z-]+)(?:\s+([a-z0-9-]+))?\s*-->")


def _class(corpus, arg):
    return corpus.get("therapy-class", arg)


DIRECTIVES = {
    # name: (kind of the argument or None, function(corpus, record) -> Markdown)
    "approvals": (None, lambda corpus, _: approvals_section(corpus)),
    "certainty": ("therapy-class", lambda corpus, k: label(certainty.level(k["certainty"]))),
    "stage": ("therapy-class", lambda corpus, k: label(highest_stage(corpus, k))),
    "treated": ("therapy-class", lambda corpus, k: str(people_treated(corpus, k)[0])),
    "class-status": ("therapy-class", class_status_line),
    "reported": ("study", study_reported_line),
    "approval": ("product", lambda corpus, p: product_approval_line(corpus, p, escape_md)),
}


def expand(corpus: Corpus, markdown: str, relpath: str) -> tuple[str, list[Problem]]:
    """Replace each directive of a hand-written page with its text from the data."""
    problems: list[Problem] = []

    def one(m: re.Match) -> str:
        name, arg = m.group(1), m.group(2)
        line = markdown.count("\n", 0, m.start()) + 1
        col = m.start() - (markdown.rfind("\n", 0, m.start()) + 1) + 1
        if name not in DIRECTIVES:
            problems.append(Problem(relpath, line, col, "docs-directive",
                                    f"unknown directive 'atlas:{name}'; known: {', '.join(sorted(DIRECTIVES))}"))
            return m.group(0)
        kind, fn = DIRECTIVES[name]
        if kind is None:
            return fn(corpus, None)
        record = corpus.get(kind, arg) if arg else None
        if record is None:
            problems.append(Problem(relpath, line, col, "docs-directive",
                                    f"'atlas:{name}' needs the id of a {kind}; no {kind} with id '{arg}'"))
            return m.group(0)
        return fn(corpus, record)

    return DIRECTIVE.sub(one, markdown), problems
