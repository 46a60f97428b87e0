"""The record kinds of the corpus: where their files live and how they are named.

To add a kind: write schemas/<schema>.schema.json, add a Kind here, and a template
in templates/ with a page function in render.py.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # used in messages and in schemas' "x-ref"
    folder: str  # under data/
    schema: str  # file name under schemas/
    label: str  # what a reader calls one record
    title_field: str  # the field that names a record on pages


KINDS: tuple[Kind, ...] = (
    Kind("reference", "references", "reference.schema.json", "reference", "title"),
    Kind("therapy-class", "classes", "therapy-class.schema.json", "therapy class", "name"),
    Kind("study", "studies", "study.schema.json", "study", "title"),
    Kind("trial", "trials", "trial.schema.json", "trial", "title"),
    Kind("limitation", "limitations", "limitation.schema.json", "limitation", "name"),
    Kind("site", "sites", "site.schema.json", "implantation site", "name"),
    Kind("product", "products", "product.schema.json", "product or device", "name"),
    Kind("organisation", "organisations", "organisation.schema.json", "organisation", "name"),
    Kind("glossary-term", "glossary", "glossary-term.schema.json", "glossary term", "term"),
    Kind("cell-source", "cell-sources", "cell-source.schema.json", "cell source", "name"),
    Kind("model", "models", "model.schema.json", "proposed model", "title"),
)

BY_NAME = {k.name: k for k in KINDS}
BY_FOLDER = {k.folder: k for k in KINDS}
