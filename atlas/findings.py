"""Summary of findings per therapy class, in the manner of Cochrane's and MAGICapp's tables:
one row per outcome that the class's studies in people report, with the studies and
participants, each effect as its source reports it (count and denominator, estimate,
confidence interval or range), the certainty of the evidence for that outcome computed
like the class's (certainty.for_outcome), and one plain sentence.

Everything comes from the records: the outcome fields `n`, `of`, `effect`, `ci`,
`timepoint`, `value` and `not_reported`, the study designs, and the class's `certainty`
(with its optional per-outcome judgements). The sentence is written from the direction of
the results and the level, in GRADE's wording (high: "improves"; moderate: "probably
improves"; low: "may improve"; very low: "we are very uncertain whether"), unless the class
gives its own (`certainty.outcomes[].plain`). Text carries citations as [@id]; numbers are
plain text; templates escape both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import certainty
from .corpus import Corpus, Record, study_stage
from .text import label, quantity

CLINICAL = ("early-clinical", "randomised")
# measures in the order a reader looks for them; safety last; 'other' is not one outcome
ORDER = ("hba1c", "c-peptide", "insulin-independence", "insulin-dose", "blood-glucose", "glucose-tolerance",
         "insulin-sensitivity", "graft-function", "graft-survival", "immune-response", "quality-of-life",
         "biodistribution", "cell-differentiation", "gene-expression", "safety")

STATISTIC_WORDS = {
    "mean": "mean", "median": "median", "mean-difference": "mean difference",
    "median-difference": "median difference", "standardised-mean-difference": "standardised mean difference",
    "risk-ratio": "risk ratio", "odds-ratio": "odds ratio", "hazard-ratio": "hazard ratio",
    "proportion": "proportion", "percent-change": "change",
}
CI_WORDS = {"confidence-interval": "CI", "range": "range", "interquartile-range": "IQR"}
NOT_REPORTED_WORDS = {
    "n": "count", "of": "number assessed", "effect": "effect estimate", "ci": "confidence interval or range",
    "timepoint": "time point",
}
# what 'improved' means, per measure: (after 'may' / 'probably', after 'the treatment')
IMPROVES = {
    "hba1c": ("lower HbA1c", "lowers HbA1c"),
    "c-peptide": ("raise or preserve C-peptide, the body's own insulin output",
                  "raises or preserves C-peptide, the body's own insulin output"),
    "insulin-dose": ("reduce the insulin dose people need", "reduces the insulin dose people need"),
    "insulin-independence": ("free some people from insulin injections", "frees some people from insulin injections"),
    "blood-glucose": ("improve blood glucose", "improves blood glucose"),
    "graft-function": ("give a working graft", "gives a working graft"),
}
HARM_WORDS = {
    "death": "deaths", "serious-adverse-event": "serious adverse events",
    "immunosuppression-effect": "side effects of the immune-suppressing drugs", "tumour": "tumours",
    "device-complication": "problems with the device", "other-adverse-event": "other adverse events",
}


@dataclass
class Effect:
    study: Record
    outcome: dict
    text: str  # plain text, numbers as reported; no markup

    @property
    def numeric(self) -> bool:
        """Whether the source gave a figure for it (else the finding, in words, says what it found)."""
        o = self.outcome
        return any(o.get(k) is not None for k in ("n", "of", "effect", "ci", "value", "comparison_value"))


@dataclass
class Finding:
    measure: str
    studies: list[Record]
    participants: int | None  # assessed, summed over studies (a trial reported twice counted once)
    uncounted: int  # studies whose participants for this outcome are not given
    pooled: int | None  # participants of the largest meta-analysis among them (not added in)
    effects: list[Effect]
    appraisal: dict  # certainty.for_outcome(...)
    level: str
    downgrades: list[str]
    sentence: str  # with [@id] citations
    citations: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[tuple[str, str, str]]:
        """(domain, judgement, reason) of each domain that lowered this outcome's level."""
        ds = self.appraisal["domains"]
        return [(certainty.DOMAIN_LABELS[d], certainty.JUDGEMENT_LABELS[ds[d]["judgement"]], ds[d]["reason"])
                for d in self.downgrades]


def number(v) -> str:
    """A number as printed, with a true minus sign."""
    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return text.replace("-", "−")


def _unit(u: str | None) -> str:
    if not u:
        return ""
    return u if u == "%" else f" {u}"


def figures_text(o: dict) -> str:
    """An outcome's count, estimate and interval, without its time point: '10 of 12'."""
    return effect_text({k: v for k, v in o.items() if k not in ("timepoint", "not_reported", "value",
                                                               "comparison_value")})


def effect_text(o: dict) -> str:
    """One outcome's figures in words, as the source reports them: '10 of 12', 'mean
    difference −0.87 percentage points vs control (95% CI −1.53 to −0.22)', 'at 12 months'.
    Figures the source does not give are said to be not reported."""
    bits = []
    n, of = o.get("n"), o.get("of")
    if n is not None and of is not None:
        bits.append(f"{n} of {of}")
    elif n is not None:
        bits.append(f"{n} {'participant' if n == 1 else 'participants'}")
    elif of is not None:
        bits.append(f"{of} assessed")
    e = o.get("effect")
    if e:
        text = f"{STATISTIC_WORDS[e['statistic']]} {number(e['value'])}{_unit(e.get('unit'))}"
        if e.get("versus"):
            text += f" vs {'control' if e['versus'] == 'control' else 'baseline'}"
        bits.append(text)
    elif o.get("value") is not None and n is None:
        text = f"{number(o['value'])}{_unit(o.get('unit'))}"
        if o.get("comparison_value") is not None:
            text += f" vs {number(o['comparison_value'])}{_unit(o.get('unit'))} in the comparison group"
        bits.append(text)
    elif o.get("comparison_value") is not None:
        bits.append(f"{number(o['comparison_value'])}{_unit(o.get('unit'))} in the comparison group")
    bits = ["; ".join(bits)] if bits else []  # the count and the estimate; then their interval and time
    ci = o.get("ci")
    if ci:
        level = f"{number(ci['level'])}% " if ci.get("level") and ci["kind"] == "confidence-interval" else ""
        bits.append(f"({level}{CI_WORDS[ci['kind']]} {number(ci['low'])} to {number(ci['high'])})")
    tp = o.get("timepoint")
    if tp and (tp.get("value") is not None or tp.get("low") is not None):
        bits.append(f"at {quantity({k: v for k, v in tp.items() if k != 'text'})}")
    missing = [NOT_REPORTED_WORDS[k] for k in o.get("not_reported", []) if k in NOT_REPORTED_WORDS]
    text = " ".join(bits)
    if missing:
        text += ("; " if text else "") + "not reported by the source: " + ", ".join(missing)
    return text


def _assessed(s: Record, o: dict) -> int | None:
    """How many were assessed for this outcome: 'of', else the outcome's arm, else the study."""
    if isinstance(o.get("of"), int):
        return o["of"]
    arm = next((a for a in s.get("arms", []) if a.get("id") == o.get("arm")), None)
    if arm and isinstance(arm.get("n"), int):
        return arm["n"]
    return s.get("enrolled") if isinstance(s.get("enrolled"), int) else None


def _participants(pairs: list[tuple[Record, dict]]) -> tuple[int | None, int]:
    """(participants, studies not counted) of the trials and cohorts; meta-analyses, whose
    participants may be those same trials', are counted apart (_pooled)."""
    per_study: dict[str, tuple[Record, int | None]] = {}
    for s, o in pairs:
        if s["design"] == "meta-analysis":
            continue
        n = _assessed(s, o)
        known = per_study.get(s.id, (s, None))[1]
        per_study[s.id] = (s, max(filter(None, (known, n)), default=None))
    by_trial: dict[str, int] = {}
    total, uncounted = 0, 0
    for s, n in per_study.values():
        if n is None:
            uncounted += 1
            continue
        trials = s.get("trials") or []
        if trials:  # two reports of one registered trial: its participants once, by the larger
            by_trial[trials[0]] = max(by_trial.get(trials[0], 0), n)
        else:
            total += n
    total += sum(by_trial.values())
    return (total if len(per_study) > uncounted else None), uncounted


def _pooled(pairs: list[tuple[Record, dict]]) -> int | None:
    """The participants of the largest meta-analysis reporting the outcome."""
    return max((n for s, o in pairs if s["design"] == "meta-analysis" and (n := _assessed(s, o))), default=None)


def _direction(outcomes: list[dict]) -> str:
    seen = {o["direction"] for o in outcomes} - {"not-applicable"}
    return seen.pop() if len(seen) == 1 else ("mixed" if seen else "not-applicable")


def sentence(measure: str, outcomes: list[dict], level: str) -> str:
    """One plain sentence, without citations: what the studies found, hedged by the level."""
    if measure == "safety":
        return _safety_sentence(outcomes, level)
    what = label(measure) if measure not in ("hba1c",) else "HbA1c"
    direction = _direction(outcomes)
    if direction == "improved":
        base, third = IMPROVES.get(measure, (f"improve {what}", f"improves {what}"))
    elif direction == "no-change":
        base, third = f"make little or no difference to {what}", f"makes little or no difference to {what}"
    elif direction == "worsened":
        base, third = f"worsen {what}", f"worsens {what}"
    else:
        tail = {"very-low": ", and the evidence is very uncertain", "low": ", and the evidence is limited"}
        return f"Results for {what} differ between studies{tail.get(level, '')}."
    return {
        "high": f"The treatment {third}.",
        "moderate": f"The treatment probably {third}.",
        "low": f"The treatment may {base}.",
        "very-low": f"We are very uncertain whether the treatment {third}.",
    }[level]


def _safety_sentence(outcomes: list[dict], level: str) -> str:
    harms = [h for h in HARM_WORDS if any(o.get("harm") == h for o in outcomes)]
    if not harms and any(o.get("direction") == "worsened" for o in outcomes):
        harms = ["other-adverse-event"]
    if harms:
        found = ", ".join(HARM_WORDS[h] for h in harms[:-1])
        found = f"{found} and {HARM_WORDS[harms[-1]]}" if found else HARM_WORDS[harms[-1]]
        tail = {"high": "", "moderate": "; these are probably real risks of the treatment",
                "low": "; how often they happen is uncertain",
                "very-low": "; the evidence about harms is very uncertain"}[level]
        return f"The studies reported {found}{tail}."
    tail = {"high": "", "moderate": ", though rare harms cannot be ruled out",
            "low": ", but they were too small or too short to rule harms out",
            "very-low": ", but the evidence about harms is very uncertain"}[level]
    return f"The studies found no harm from the treatment{tail}."


def _citations(outcomes: list[dict]) -> list[str]:
    out: list[str] = []
    for o in outcomes:
        out.extend(c for c in o.get("citations", []) if c not in out)
    return out


def summary(corpus: Corpus, k: Record) -> list[Finding]:
    """The class's summary of findings: a Finding per outcome measure its studies in people
    report (the class's own studies, not its subclasses', whose pages have their own)."""
    pairs = [(s, o) for s in corpus.studies_by_class.get(k.id, []) if k.id in s.get("classes", [])
             and study_stage(s) in CLINICAL for o in s.get("outcomes", []) if o.get("measure") in ORDER]
    ct = k.get("certainty")
    if not pairs or not isinstance(ct, dict):
        return []
    out = []
    for measure in ORDER:
        these = [(s, o) for s, o in pairs if o["measure"] == measure]
        if not these:
            continue
        studies = list({s.id: s for s, _ in these}.values())
        appraisal = certainty.for_outcome(ct, measure, certainty.start_for(s["design"] for s in studies))
        level = certainty.level(appraisal)
        outcomes = [o for _, o in these]
        cites = _citations(outcomes)
        text = appraisal["plain"] or f"{sentence(measure, outcomes, level)[:-1]} [@{'; @'.join(cites)}]."
        participants, uncounted = _participants(these)
        out.append(Finding(measure=measure, studies=studies, participants=participants, uncounted=uncounted,
                           pooled=_pooled(these),
                           effects=[Effect(s, o, effect_text(o)) for s, o in these], appraisal=appraisal,
                           level=level, downgrades=certainty.downgrades(appraisal), sentence=text,
                           citations=cites))
    return out
