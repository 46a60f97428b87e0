"""Addresses outside the site, each built in one place: registries and identifiers."""
from __future__ import annotations


def clinicaltrials(nct: str) -> str:
    """A trial's ClinicalTrials.gov record, from its validated NCT number."""
    return registry_record("clinicaltrials.gov", nct)


# A registry's own page for a trial, from its validated identifier. ChiCTR and IRCT show a record
# at an internal number, not at its identifier: the WHO's International Clinical Trials Registry
# Platform, which copies both, is the page that an identifier alone reaches.
_REGISTRY_PAGES = {
    "clinicaltrials.gov": "https://clinicaltrials.gov/study/{id}",
    "isrctn": "https://www.isrctn.com/{id}",
    "anzctr": "https://www.anzctr.org.au/{id}.aspx",
    "jrct": "https://jrct.mhlw.go.jp/latest-detail/{id}",
    "eudract": "https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}",
    "ctis": "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={id}",
    "chictr": "https://trialsearch.who.int/Trial2.aspx?TrialID={id}",
    "irct": "https://trialsearch.who.int/Trial2.aspx?TrialID={id}",
}


def registry_record(registry: str, identifier: str) -> str:
    """A trial's record on its registry (the one rule per registry), from a validated identifier."""
    return _REGISTRY_PAGES[registry].format(id=identifier)


def clinicaltrials_api(nct: str) -> str:
    """The ClinicalTrials.gov API v2 record of a trial (what the weekly update reads)."""
    return f"https://clinicaltrials.gov/api/v2/studies/{nct}"


def doi(value: str) -> str:
    return f"https://doi.org/{value}"


def pubmed(pmid) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc(pmcid: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"


def link_path(value: str) -> str:
    """A URL as a Markdown link destination: escape what would end or break a Markdown link destination; the schema already fixed the syntax."""
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
