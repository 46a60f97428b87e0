"""Addresses outside the site, each built in one place: registries and identifiers."""
from __future__ import annotations


def clinicaltrials(nct: str) -> str:
    """A trial's ClinicalTrials.gov record, from its validated NCT number."""
    return f"https://clinicaltrials.gov/study/{nct}"


def doi(value: str) -> str:
    return f"https://doi.org/{value}"


def pubmed(pmid) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc(pmcid: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"


def link_path(value: str) -> str:
    """A URL as a Markdown link destination: escape what would end or break a Markdown link destination; the schema already fixed the syntax."""
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
