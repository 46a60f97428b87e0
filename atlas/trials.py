"""Registered trials: what a registry record says, in the atlas's words, and what follows from it.

A trial record has hand-written fields (title, classes, products, sponsors, links, summary,
notes, review_said) and one block the importer owns, `registry_record` (schemas/trial.schema.json):
what the registry said when it was read, on which date and how. This module turns the
ClinicalTrials.gov API v2 shape into that block (`from_study`), says its values in readers'
words (LABELS, `status_label`) and works out what pages show: the registry's status, the
reporting-gap flag and the timeline. Pure: no files, no network.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from . import urls
from .registries import REGISTRIES

# -- the registry's words -> the record's values ---------------------------------------------

STATUSES = ("recruiting", "not-yet-recruiting", "enrolling-by-invitation", "active-not-recruiting", "suspended",
            "completed", "terminated", "withdrawn",
            # an expanded-access record's (a treatment outside a trial, e.g. before or after approval)
            "available", "temporarily-not-available", "no-longer-available", "approved-for-marketing", "withheld",
            "unknown")
SPONSOR_TYPES = ("industry", "nih", "fed", "other-gov", "indiv", "network", "other", "ambig", "unknown")
OPEN = ("recruiting", "not-yet-recruiting", "enrolling-by-invitation")  # a reader could still take part
# How readers meet the statuses on ClinicalTrials.gov, and the order of the trials list: open first
LABELS = {
    "recruiting": "Recruiting",
    "not-yet-recruiting": "Not yet recruiting",
    "enrolling-by-invitation": "Enrolling by invitation",
    "active-not-recruiting": "Active, not recruiting",
    "suspended": "Suspended",
    "completed": "Completed",
    "terminated": "Terminated",
    "withdrawn": "Withdrawn",
    "unknown": "Unknown status",
    "available": "Available (expanded access)",
    "temporarily-not-available": "Temporarily not available (expanded access)",
    "no-longer-available": "No longer available (expanded access)",
    "approved-for-marketing": "Approved for marketing (expanded access)",
    "withheld": "Withheld (expanded access)",
    "early-phase-1": "Early phase 1",
    "phase-4": "Phase 4",
    "randomised": "Randomised",
    "non-randomised": "Non-randomised",
    "none": "Open label (no masking)",
    "single": "Single",
    "double": "Double",
    "triple": "Triple",
    "quadruple": "Quadruple",
    "single-group": "Single group",
    "industry": "Industry",
    "nih": "US National Institutes of Health",
    "fed": "US federal agency",
    "other-gov": "Government",
    "indiv": "Individual",
    "network": "Network",
    "other": "Other",
    "ambig": "Unclear in the registry",
    "actual": "actual",
    "estimated": "estimated",
    "all": "All",
    "female": "Female",
    "male": "Male",
    "registry-page": "on the registry's page",
    "verbatim-copy": "in a verbatim copy of the registry record",
    "registry-api": "through the registry's API",
    "sponsor": "Sponsor",
    "principal-investigator": "Principal investigator",
    "sponsor-investigator": "Sponsor-investigator",
    **{r.key: r.short for r in REGISTRIES if r.key != "clinicaltrials.gov"},
}
REGISTRY_NAMES = {r.key: r.name for r in REGISTRIES}
# ClinicalTrials.gov's enum words (API v2) that are spelt differently in the record
_SPELLING = {"RANDOMIZED": "randomised", "NON_RANDOMIZED": "non-randomised", "NA": "not-applicable"}
_PHASES = {"EARLY_PHASE1": "early-phase-1", "PHASE1": "phase-1", "PHASE2": "phase-2", "PHASE3": "phase-3",
           "PHASE4": "phase-4", "NA": "not-applicable"}


class StudyError(ValueError):
    """What is wrong with a study object, in words for whoever made the file."""


def _slug(value, field: str, allowed=None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StudyError(f"{field} must be a word of the API (e.g. RECRUITING), not {value!r}")
    word = _SPELLING.get(value.strip(), value.strip().lower().replace("_", "-"))
    if allowed is not None and word not in allowed:
        raise StudyError(f"{field}: {value!r} is not one of the API's values ("
                         + ", ".join(w.upper().replace("-", "_") for w in allowed) + ")")
    return word


def _obj(parent: dict, key: str, where: str) -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StudyError(f"{where}{key} must be an object")
    return value


def _list(parent: dict, key: str, where: str) -> list:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise StudyError(f"{where}{key} must be a list")
    return value


def _text(value, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise StudyError(f"{field} must be text")
    text = " ".join(str(value).split())
    return text or None


def _date_struct(module: dict, key: str, where: str) -> dict | None:
    struct = _obj(module, key, where)
    if not struct:
        return None
    date = struct.get("date")
    if not isinstance(date, str) or not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", date):
        raise StudyError(f"{where}{key}.date must be a date as YYYY-MM-DD, YYYY-MM or YYYY, not {date!r}")
    out = {"date": date}
    if struct.get("type") is not None:
        out["type"] = _slug(struct["type"], f"{where}{key}.type", ("actual", "estimated"))
    return out


def from_study(study, today: str) -> tuple[dict, dict]:
    """(registry_record, x-atlas) from one study object of the ClinicalTrials.gov API v2
    (the fields read, and only those), with the contract's optional "x-atlas" block."""
    if not isinstance(study, dict):
        raise StudyError("a study must be an object")
    ps = study.get("protocolSection")
    if not isinstance(ps, dict):
        raise StudyError("no protocolSection: this is not a study of the ClinicalTrials.gov API v2")
    extra = study.get("x-atlas") or {}
    if not isinstance(extra, dict):
        raise StudyError("x-atlas must be an object")
    p = "protocolSection."
    ident = _obj(ps, "identificationModule", p)
    nct = ident.get("nctId")
    registry = extra.get("registry") or ("clinicaltrials.gov" if nct else None)
    rid = extra.get("id") or nct
    if not registry or not rid:
        raise StudyError("no identifier: protocolSection.identificationModule.nctId, or x-atlas registry and id "
                         "for another registry")
    rr: dict = {"registry": registry, "id": str(rid),
                "read": extra.get("read") or today,
                "read_via": extra.get("read_via") or "registry-api",
                "read_url": extra.get("read_url") or (urls.clinicaltrials_api(str(rid))
                                                      if registry == "clinicaltrials.gov" else None)}
    if rr["read_url"] is None:
        raise StudyError("x-atlas read_url is missing: say which page of the registry was read")
    w = p + "identificationModule."
    rr["brief_title"] = _text(ident.get("briefTitle"), w + "briefTitle")
    rr["official_title"] = _text(ident.get("officialTitle"), w + "officialTitle")
    rr["acronym"] = _text(ident.get("acronym"), w + "acronym")
    rr["organisation"] = _text(_obj(ident, "organization", w).get("fullName"), w + "organization.fullName")
    others = [_obj(ident, "orgStudyIdInfo", w).get("id")]
    others += [x.get("id") if isinstance(x, dict) else None for x in _list(ident, "secondaryIdInfos", w)]
    rr["other_ids"] = list(dict.fromkeys(str(o).strip() for o in others if o and str(o).strip() != str(rid))) or None

    design = _obj(ps, "designModule", p)
    w = p + "designModule."
    if design.get("studyType") is not None:
        rr["study_type"] = _slug(design["studyType"], w + "studyType", ("interventional", "observational", "expanded-access"))
    status = _obj(ps, "statusModule", p)
    w = p + "statusModule."
    if status.get("overallStatus") is not None:
        rr["status"] = _slug(status["overallStatus"], w + "overallStatus", STATUSES)
    if status.get("lastKnownStatus") is not None:
        rr["last_known_status"] = _slug(status["lastKnownStatus"], w + "lastKnownStatus", STATUSES)
    rr["status_verified"] = _text(status.get("statusVerifiedDate"), w + "statusVerifiedDate")
    rr["why_stopped"] = _text(status.get("whyStopped"), w + "whyStopped")
    rr["brief_summary"] = _text(_obj(ps, "descriptionModule", p).get("briefSummary"), p + "descriptionModule.briefSummary")

    w = p + "designModule."
    phases = _list(design, "phases", w)
    for ph in phases:
        if ph not in _PHASES:
            raise StudyError(f"{w}phases: {ph!r} is not one of the API's values ({', '.join(_PHASES)})")
    rr["phases"] = [_PHASES[ph] for ph in dict.fromkeys(phases)] or None
    info = _obj(design, "designInfo", w)
    if info.get("allocation") is not None:
        rr["allocation"] = _slug(info["allocation"], w + "designInfo.allocation",
                                 ("randomised", "non-randomised", "not-applicable"))
    if info.get("interventionModel") is not None:
        rr["intervention_model"] = _slug(info["interventionModel"], w + "designInfo.interventionModel",
                                         ("single-group", "parallel", "crossover", "factorial", "sequential"))
    if info.get("primaryPurpose") is not None:
        rr["primary_purpose"] = _slug(info["primaryPurpose"], w + "designInfo.primaryPurpose")
    rr["intervention_model_description"] = _text(info.get("interventionModelDescription"),
                                                  w + "designInfo.interventionModelDescription")
    mask = _obj(info, "maskingInfo", w + "designInfo.")
    if mask.get("masking") is not None:
        rr["masking"] = _slug(mask["masking"], w + "designInfo.maskingInfo.masking",
                              ("none", "single", "double", "triple", "quadruple"))
    rr["masked_roles"] = [_slug(x, w + "designInfo.maskingInfo.whoMasked") for x in
                          dict.fromkeys(_list(mask, "whoMasked", w + "designInfo.maskingInfo."))] or None
    enrol = _obj(design, "enrollmentInfo", w)
    if enrol:
        count = enrol.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise StudyError(f"{w}enrollmentInfo.count must be a whole number, not {count!r}")
        rr["enrolment"] = {"count": count}
        if enrol.get("type") is not None:
            rr["enrolment"]["type"] = _slug(enrol["type"], w + "enrollmentInfo.type", ("actual", "estimated"))

    w = p + "statusModule."
    for key, name in (("startDateStruct", "start"), ("primaryCompletionDateStruct", "primary_completion"),
                      ("completionDateStruct", "completion")):
        rr[name] = _date_struct(status, key, w)
    for key, name in (("studyFirstPostDateStruct", "first_posted"), ("resultsFirstPostDateStruct", "results_first_posted"),
                      ("lastUpdatePostDateStruct", "last_update_posted")):
        struct = _date_struct(status, key, w)
        rr[name] = struct["date"] if struct else None
    for key, name in (("studyFirstSubmitDate", "first_submitted"), ("resultsFirstSubmitDate", "results_first_submitted"),
                      ("lastUpdateSubmitDate", "last_update_submitted")):
        if status.get(key) is not None:  # plain dates in the API, not date structs
            struct = _date_struct({key: {"date": status[key]}}, key, w)
            rr[name] = struct["date"]

    spons = _obj(ps, "sponsorCollaboratorsModule", p)
    w = p + "sponsorCollaboratorsModule."
    lead = _obj(spons, "leadSponsor", w)
    rr["lead_sponsor"] = _sponsor(lead, w + "leadSponsor") if lead else None
    rr["collaborators"] = [_sponsor(c, w + f"collaborators[{i}]")
                           for i, c in enumerate(_list(spons, "collaborators", w))] or None
    party = _obj(spons, "responsibleParty", w)
    if party:
        rp = {}
        if party.get("type") is not None:
            rp["type"] = _slug(party["type"], w + "responsibleParty.type",
                               ("sponsor", "principal-investigator", "sponsor-investigator"))
        rp["investigator"] = _text(party.get("investigatorFullName"), w + "responsibleParty.investigatorFullName")
        rp["affiliation"] = _text(party.get("investigatorAffiliation"), w + "responsibleParty.investigatorAffiliation")
        rr["responsible_party"] = {k: v for k, v in rp.items() if v} or None
    rr["conditions"] = [c for c in (_text(x, p + "conditionsModule.conditions")
                                    for x in _list(_obj(ps, "conditionsModule", p), "conditions", p + "conditionsModule."))
                        if c] or None
    w = p + "armsInterventionsModule."
    interventions = []
    for i, x in enumerate(_list(_obj(ps, "armsInterventionsModule", p), "interventions", w)):
        if not isinstance(x, dict) or not _text(x.get("name"), f"{w}interventions[{i}].name"):
            raise StudyError(f"{w}interventions[{i}] must be an object with a name")
        item = {"name": _text(x["name"], "name")}
        if x.get("type") is not None:
            item = {"type": _slug(x["type"], f"{w}interventions[{i}].type"), **item}
        others = [_text(o, f"{w}interventions[{i}].otherNames") for o in _list(x, "otherNames", f"{w}interventions[{i}].")]
        if [o for o in others if o]:
            item["other_names"] = [o for o in others if o]
        interventions.append(item)
    rr["interventions"] = interventions or None
    outcomes = _obj(ps, "outcomesModule", p)
    for key, name in (("primaryOutcomes", "primary_outcomes"), ("secondaryOutcomes", "secondary_outcomes")):
        items = []
        for i, o in enumerate(_list(outcomes, key, p + "outcomesModule.")):
            where = f"{p}outcomesModule.{key}[{i}]"
            if not isinstance(o, dict) or not _text(o.get("measure"), where + ".measure"):
                raise StudyError(f"{where} must be an object with a measure")
            item = {"measure": _text(o["measure"], where + ".measure")}
            if _text(o.get("timeFrame"), where + ".timeFrame"):
                item["time_frame"] = _text(o["timeFrame"], where + ".timeFrame")
            items.append(item)
        rr[name] = items or None
    w = p + "contactsLocationsModule."
    countries = [_text(loc.get("country"), f"{w}locations[].country") if isinstance(loc, dict) else None
                 for loc in _list(_obj(ps, "contactsLocationsModule", p), "locations", w)]
    rr["countries"] = list(dict.fromkeys(c for c in countries if c)) or None
    elig = _obj(ps, "eligibilityModule", p)
    w = p + "eligibilityModule."
    e: dict = {}
    if elig.get("sex") is not None:
        e["sex"] = _slug(elig["sex"], w + "sex", ("all", "female", "male"))
    for key, name in (("minimumAge", "minimum_age"), ("maximumAge", "maximum_age")):
        if elig.get(key) is not None:
            e[name] = _text(elig[key], w + key)
    if elig.get("healthyVolunteers") is not None:
        if not isinstance(elig["healthyVolunteers"], bool):
            raise StudyError(f"{w}healthyVolunteers must be true or false")
        e["healthy_volunteers"] = elig["healthyVolunteers"]
    rr["eligibility"] = e or None
    if study.get("hasResults") is not None:
        if not isinstance(study["hasResults"], bool):
            raise StudyError("hasResults must be true or false")
        rr["has_results"] = study["hasResults"]
    return {k: v for k, v in rr.items() if v is not None}, extra


def _sponsor(value, where: str) -> dict:
    if not isinstance(value, dict) or not _text(value.get("name"), where + ".name"):
        raise StudyError(f"{where} must be an object with a name")
    out = {"name": _text(value["name"], where + ".name")}
    if value.get("class") is not None:
        out["type"] = _slug(value["class"], where + ".class", SPONSOR_TYPES)
    return out


# -- what pages show ----------------------------------------------------------------------------

def label(value) -> str:
    from .text import label as base
    return LABELS.get(str(value)) or base(value) if value is not None else ""


def identifier(t) -> str | None:
    """The trial's valid registry identifier, if known."""
    return t.get("identifier") or (t.get("registry_record") or {}).get("id")


def shown_id(t) -> str:
    """How a trial is named in lists: its identifier, else what the review printed."""
    return identifier(t) or t.get("identifier_as_printed") or t.id


def status(t) -> str | None:
    """The registry's status word (STATUSES), or None for a trial known only from the review."""
    return (t.get("registry_record") or {}).get("status")


def status_label(t) -> str:
    """The status word in readers' words, for the trials list's filter (trials.js)."""
    s = status(t)
    return LABELS[s] if s else "Not read from a registry"


def status_text(t) -> str:
    """The status in readers' words: the registry's, with the last known one when it is unknown."""
    rr = t.get("registry_record") or {}
    if not rr.get("status"):
        return ""
    text = LABELS[rr["status"]]
    if rr["status"] == "unknown" and rr.get("last_known_status"):
        text += f" (last known: {LABELS[rr['last_known_status']].lower()})"
    return text


def last_update(t) -> str:
    """The registry record's last update: posted, else submitted (older pages give only that)."""
    rr = t.get("registry_record") or {}
    return rr.get("last_update_posted") or rr.get("last_update_submitted") or ""


def status_rank(t) -> int:
    """Open trials first (recruiting, not yet, by invitation), then the rest; no registry status last."""
    s = status(t)
    return STATUSES.index(s) if s in STATUSES else len(STATUSES)


def phases_text(t) -> str:
    rr = t.get("registry_record") or {}
    if rr.get("phases"):
        return "/".join(label(p).replace("Phase ", "") if i else label(p) for i, p in enumerate(rr["phases"]))
    return label(t.get("phase")) if t.get("phase") else ""


def dated(struct: dict | None) -> str:
    """'30 May 2027 (estimated)' from a registry date."""
    if not struct:
        return ""
    from .text import long_date
    return long_date(struct["date"]) + (f" ({struct['type']})" if struct.get("type") else "")


def _last_day(date: str) -> datetime.date:
    """The last day a partial date can mean: '2014-04' -> 30 April 2014 (a gap is flagged only when certain)."""
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        return datetime.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return datetime.date(*parts)


def _plus_months(d: datetime.date, months: int) -> datetime.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


GAP_MONTHS = 12


@dataclass(frozen=True)
class Gap:
    """A trial flagged 'no results reported': its primary completion passed more than
    GAP_MONTHS before the date its registry record was read, the registry shows no
    results, and the atlas links no paper reporting it."""
    primary_completion: dict  # {date, type}
    as_of: str  # the record's read date: the flag is reproducible from the data alone

    @property
    def text(self) -> str:
        from .text import long_date
        return (f"No results reported: primary completion {dated(self.primary_completion)}, more than "
                f"{GAP_MONTHS} months before the registry record was read on {long_date(self.as_of)}; no results posted "
                "on the registry and no paper linked in the atlas.")


def has_paper(t, studies=(), papers=()) -> bool:
    """A paper reports the trial: a link of kind paper, a reference the record cites as
    reporting it (papers: its citations other than the source review, which only names
    trials), or a study in the atlas that reports it with a result from a peer-reviewed paper."""
    if any(isinstance(x, dict) and x.get("kind") == "paper" for x in t.get("links") or []) or papers:
        return True
    return any(o.get("source_type") == "peer-reviewed-paper" for s in studies for o in s.get("outcomes") or [])


def gap_in(corpus, t) -> Gap | None:
    """gap() with what the corpus knows of the trial: the studies reporting it and the
    references it cites, the source review apart."""
    papers = [i for i in t.get("citations") or [] if i != corpus.source_review]
    return gap(t, corpus.studies_by_trial.get(t.id, []), papers)


def gap(t, studies=(), papers=()) -> Gap | None:
    """The reporting-gap flag of a trial, or None. As of the registry record's read date, not the
    build's: the same data always gives the same flags."""
    rr = t.get("registry_record") or {}
    pc = rr.get("primary_completion")
    if not pc or not rr.get("read") or rr.get("has_results") is not False or rr.get("status") == "withdrawn":
        return None
    try:
        due = _plus_months(_last_day(pc["date"]), GAP_MONTHS)
        read = _last_day(rr["read"])
    except ValueError:
        return None
    if due >= read or has_paper(t, studies, papers):
        return None
    return Gap(pc, rr["read"])


STALE_MONTHS = 24  # ClinicalTrials.gov calls a status unknown once unverified this long


def stale(rr: dict) -> str | None:
    """The record's last update (or verification) when it was more than STALE_MONTHS before the
    record was read: the status it gives may no longer hold. None otherwise, or when not read."""
    last = max((d for d in (rr.get("last_update_posted"), rr.get("last_update_submitted"), rr.get("status_verified"))
                if d), default=None)
    if not last or not rr.get("read"):
        return None
    try:
        return last if _plus_months(_last_day(last), STALE_MONTHS) < _last_day(rr["read"]) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Event:
    date: str
    what: str
    source: str  # Markdown-free words: the caller links them
    kind: str  # registry | link
    url: str = ""  # a link's DOI, PubMed or web address
    ref: object = None  # a reference record the trial cites


def timeline(t, refs=()) -> list[Event]:
    """Registered, started, primary completion, completion, results posted (registry), the
    papers and announcements linked by hand and the references the record cites, oldest first;
    each with its source."""
    rr = t.get("registry_record") or {}
    out = []
    src = "registry"
    if rr.get("first_submitted"):
        out.append(Event(rr["first_submitted"], "Registered (first submitted)", src, "registry"))
    if rr.get("first_posted"):
        out.append(Event(rr["first_posted"], "Registered (first posted)", src, "registry"))
    for key, what in (("start", "Started"), ("primary_completion", "Primary completion"), ("completion", "Completion")):
        if rr.get(key):
            kind = rr[key].get("type")
            out.append(Event(rr[key]["date"], what + (f" ({kind})" if kind else ""), src, "registry"))
    if rr.get("results_first_posted"):
        out.append(Event(rr["results_first_posted"], "Results posted on the registry", src, "registry"))
    elif rr.get("results_first_submitted"):
        out.append(Event(rr["results_first_submitted"], "Results submitted to the registry", src, "registry"))
    for x in t.get("links") or []:
        out.append(Event(x.get("date") or "", x["title"], x["kind"], "link", link_target(x)))
    for ref in refs:
        out.append(Event(str(ref.get("year") or ""), "Published", "reference", "reference", ref=ref))
    return sorted(out, key=lambda e: (not e.date, e.date))


def link_target(x: dict) -> str:
    """Where a hand-written link leads: its DOI, else PubMed, else its address."""
    from . import urls
    return urls.doi(x["doi"]) if x.get("doi") else urls.pubmed(x["pmid"]) if x.get("pmid") else x["url"]


def href(url: str):
    """A validated address as a Markdown link destination."""
    from . import urls
    from .text import Md
    return Md(urls.link_path(url))


def row_data(data: dict):
    """A row's filter values as an HTML attribute (JSON, escaped): read by trials.js."""
    import html
    import json

    from .text import Md
    text = html.escape(json.dumps(data, ensure_ascii=False, sort_keys=True), quote=True)
    # nothing Markdown reads inside a table cell: a | ends the cell, the others are markup
    return Md("".join(f"&#{ord(ch)};" if ch in "|*_`[]\\{}<>" else ch for ch in text))


def ages(rr: dict) -> str:
    """'18 Years to 40 Years', '18 Years and older', as the registry writes ages."""
    e = rr.get("eligibility") or {}
    low, high = e.get("minimum_age"), e.get("maximum_age")
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"{low} and older"
    if high:
        return f"up to {high}"
    return ""


def who_can_enrol(rr: dict) -> str:
    """One line of what the registry says about who can enrol: sex, ages, healthy volunteers."""
    e = rr.get("eligibility") or {}
    parts = []
    if e.get("sex"):
        parts.append({"all": "any sex", "female": "women only", "male": "men only"}[e["sex"]])
    if ages(rr):
        parts.append("ages " + ages(rr).replace("Years", "years").replace("Months", "months"))
    if e.get("healthy_volunteers") is not None:
        parts.append("healthy volunteers " + ("accepted" if e["healthy_volunteers"] else "not accepted"))
    return "; ".join(parts)
