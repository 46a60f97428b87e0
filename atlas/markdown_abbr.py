"""Python-Markdown extension: a glossary term's definition on its first occurrence on a page.

The abbr extension wraps every occurrence of a term in <abbr title="definition">. On pages
that list many records (the bibliography's "cited by" lists, the evidence tables) the same
terms recur hundreds of times, and their repeated definitions were half of the page's HTML
(bench/RESULTS.md). As in writing, a term is defined where a reader first meets it; later
occurrences are plain text. Listed in mkdocs.yml after abbr: `- atlas.markdown_abbr`.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor


class FirstAbbrOnly(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        seen: set[str] = set()
        repeated = []
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in root.iter("abbr"):
            if el.text in seen:
                repeated.append(el)
            seen.add(el.text)
        for el in repeated:
            unwrap(el, parents[el])


def unwrap(el: etree.Element, parent: etree.Element) -> None:
    """Replace el by its text, joined to what precedes it."""
    text = (el.text or "") + (el.tail or "")
    i = list(parent).index(el)
    if i:
        before = parent[i - 1]
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)


class FirstAbbrExtension(Extension):
    def extendMarkdown(self, md) -> None:
        # after abbr (priority 7), before the inline HTML and smarty steps that follow it
        md.treeprocessors.register(FirstAbbrOnly(md), "atlas_first_abbr", 6.5)


def makeExtension(**kwargs) -> FirstAbbrExtension:
    return FirstAbbrExtension(**kwargs)
