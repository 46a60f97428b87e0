"""Trial registries: each one's names, the form of its identifiers and the page that shows a
trial's record, in one table. Pages, links, the importer and the record ids follow from it;
the schemas (common.schema.json's `registry`, trial.schema.json's identifier patterns) say the
same for editors, and tests/test_registries.py fails where they disagree.

A new registry is one entry here and its lines in those two schemas (the test names them)."""
from __future__ import annotations

import re
from dataclasses import dataclass

# The WHO's International Clinical Trials Registry Platform copies the records of every primary
# registry: the page an identifier alone reaches where a registry shows a record only at an
# internal number (ChiCTR, IRCT, CTRI, UMIN-CTR, CRIS).
_WHO = "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"


@dataclass(frozen=True)
class Registry:
    key: str  # the record's `registry` value
    short: str  # what lists call it
    name: str  # what a trial page calls it
    pattern: str  # a valid identifier, whole (as the schemas give it)
    form: str  # the pattern in words, for messages and the schemas' descriptions
    page: str  # a trial's record, from its identifier: {id}


REGISTRIES = (
    Registry("clinicaltrials.gov", "ClinicalTrials.gov", "ClinicalTrials.gov",
             r"^NCT[0-9]{8}$",
             "NCT and 8 digits, e.g. NCT04786262",
             "https://clinicaltrials.gov/study/{id}"),
    Registry("chictr", "ChiCTR", "Chinese Clinical Trial Registry (ChiCTR)",
             r"^ChiCTR(-[A-Z]{2,5}-)?[0-9]{8,10}$",
             "ChiCTR and 10 digits (ChiCTR2000029953), or the older ChiCTR-XXX-8 digits (ChiCTR-TRC-12002734)",
             _WHO),
    Registry("irct", "IRCT", "Iranian Registry of Clinical Trials (IRCT)",
             r"^IRCT[0-9]{10,14}N[0-9]{1,3}$",
             "IRCT, 10 to 14 digits, N and a number, e.g. IRCT2016070428786N1",
             _WHO),
    Registry("eudract", "EudraCT", "EU Clinical Trials Register (EudraCT)",
             r"^[0-9]{4}-[0-9]{6}-[0-9]{2}$",
             "YYYY-NNNNNN-CC, e.g. 2012-001234-56",
             "https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}"),
    Registry("ctis", "CTIS", "EU Clinical Trials Information System (CTIS)",
             r"^[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2}$",
             "the EU trial number, YYYY-5NNNNN-CC-NN, e.g. 2023-503456-12-00",
             "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={id}"),
    Registry("isrctn", "ISRCTN", "ISRCTN registry",
             r"^ISRCTN[0-9]{8}$",
             "ISRCTN and 8 digits, e.g. ISRCTN12345678",
             "https://www.isrctn.com/{id}"),
    Registry("anzctr", "ANZCTR", "Australian New Zealand Clinical Trials Registry (ANZCTR)",
             r"^ACTRN[0-9]{14}$",
             "ACTRN and 14 digits, e.g. ACTRN12614000123456",
             "https://www.anzctr.org.au/{id}.aspx"),
    Registry("jrct", "jRCT", "Japan Registry of Clinical Trials (jRCT)",
             r"^jRCT[0-9a-z][0-9]{9}$",
             "jRCT and 10 characters, e.g. jRCT2053220013 or jRCTa050190112",
             "https://jrct.mhlw.go.jp/latest-detail/{id}"),
    Registry("ctri", "CTRI", "Clinical Trials Registry - India (CTRI)",
             r"^CTRI/[0-9]{4}/[0-9]{2,3}/[0-9]{6}$",
             "CTRI/year/number/6 digits, e.g. CTRI/2020/01/022345",
             _WHO),
    Registry("umin", "UMIN-CTR", "UMIN Clinical Trials Registry, Japan (UMIN-CTR)",
             r"^UMIN[0-9]{9}$",
             "UMIN and 9 digits, e.g. UMIN000012345",
             "https://trialsearch.who.int/Trial2.aspx?TrialID=JPRN-{id}"),
    Registry("cris", "CRIS", "Clinical Research Information Service, Korea (CRIS)",
             r"^KCT[0-9]{7}$",
             "KCT and 7 digits, e.g. KCT0001234",
             _WHO),
    Registry("drks", "DRKS", "German Clinical Trials Register (DRKS)",
             r"^DRKS[0-9]{8}$",
             "DRKS and 8 digits, e.g. DRKS00012345",
             "https://drks.de/search/en/trial/{id}"),
)
BY_KEY = {r.key: r for r in REGISTRIES}


def record_id(identifier: str) -> str:
    """The atlas record's id (and file name) for a registry identifier: lower case, a slug
    ('CTRI/2020/01/022345' -> 'ctri-2020-01-022345')."""
    return re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")
