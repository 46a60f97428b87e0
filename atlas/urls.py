"""Addresses outside the site, each built in one place: registries and identifiers."""
from __future__ import annotations

from .registries import BY_KEY


def clinicaltrials(nct: str) -> str:
    """A trial's ClinicalTrials.gov record, from its validated NCT number."""
    return registry_record("clinicaltrials.gov", nct)


def registry_record(registry: str, identifier: str) -> str:
    """A trial's record on its registry (atlas/registries.py), from a validated identifier."""
    return BY_KEY[registry].page.format(id=identifier)


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
