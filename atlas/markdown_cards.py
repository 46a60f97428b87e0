"""Python-Markdown extension: tables that become cards on a phone.

Each data cell of a table of three or more columns gets its column's heading as `data-label`,
and the table `data-cards`. On a narrow screen the stylesheet lays each row out as a card,
each cell under its label ("How sure we are: Low"), instead of a table scrolled sideways with
its last columns off screen; a cell that says nothing applies ("–", empty) is left out of the
card (`data-nil`), and short cells sit two to a line (`data-short`). On wider screens it stays a table. Two-column tables (facts boxes) already
fit a phone and stay as they are. The labels are made here, in the Markdown step, so the HTML
carries them whichever engine builds it, and without JavaScript.
Listed in mkdocs.yml: `- atlas.markdown_cards`.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

MIN_COLUMNS = 3
NOTHING = {"", "–", "—"}  # cells that say "does not apply"
SHORT = 26  # label and value that fit half a phone's width


def _text(el: etree.Element) -> str:
    return " ".join("".join(el.itertext()).split())


class CardLabels(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for table in root.iter("table"):
            heads = [_text(th) for th in table.iter("th")]
            if len(heads) < MIN_COLUMNS:
                continue
            table.set("data-cards", "")
            for body in table.iter("tbody"):
                for tr in body.iter("tr"):
                    for i, td in enumerate(tr.findall("td")):
                        if i < len(heads) and heads[i]:
                            td.set("data-label", heads[i])
                        text = _text(td)
                        if i and text in NOTHING:
                            td.set("data-nil", "")
                        elif i and len(text) + len(heads[i] if i < len(heads) else "") <= SHORT:
                            td.set("data-short", "")  # two to a line on a card


class CardsExtension(Extension):
    def extendMarkdown(self, md) -> None:
        # after the inline step (20), so headings are their final text
        md.treeprocessors.register(CardLabels(md), "atlas_cards", 10)


def makeExtension(**kwargs) -> CardsExtension:
    return CardsExtension(**kwargs)
