"""Python-Markdown extension: a glossary term's definition on its first occurrence on a page.

The abbr extension wraps every occurrence of a term in <abbr title="definition">. On pages
that list many records (the bibliography's "cited by" lists, the evidence tables) the same
terms recur hundreds of times, and their repeated definitions were half of the page's HTML
(bench/RESULTS.md). As in writing, a term is defined where a reader first meets it; later
occurrences are plain text.

This takes the place of abbr's own tree step, using the terms its `*[term]: definition`
lines collected, and matches terms exactly as it does (the longest term first, whole words,
a term with an empty definition left alone). It walks the page once in reading order and
wraps first occurrences only, rather than wrapping every occurrence and unwrapping all
but the first. Listed in mkdocs.yml after abbr: `- atlas.markdown_abbr`.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .abbreviations import forms_pattern

# Where a dotted underline and a tooltip get in the way: headings and titles (read as names,
# and copied into the table of contents), links (a second hover target over the link's own).
# A term there is left plain and defined where the text first uses it.
NOT_INSIDE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "abbr", "button", "code", "dt", "details"})


class FirstAbbrOnly(Treeprocessor):
    def __init__(self, md, abbrs: dict[str, str]):
        super().__init__(md)
        self.abbrs = abbrs  # abbr's own dict: its block step fills it, its reset() empties it

    def run(self, root: etree.Element) -> None:
        if not self.abbrs:
            return
        self.pattern = forms_pattern(frozenset(self.abbrs))
        self.seen: set[str] = set()
        self.walk(root)

    def walk(self, el: etree.Element) -> None:
        """el's text, then each child's content and the text after it: reading order."""
        pieces = self.first_terms(el.text)
        if pieces:
            el.text = pieces[0]
            for i, abbr in enumerate(pieces[1:]):
                el.insert(i, abbr)
        for child in list(el):  # the elements there before: a new <abbr> holds no more terms
            if child.tag not in NOT_INSIDE:
                self.walk(child)
            pieces = self.first_terms(child.tail)
            if pieces:
                child.tail = pieces[0]
                at = list(el).index(child) + 1
                for i, abbr in enumerate(pieces[1:]):
                    el.insert(at + i, abbr)

    def first_terms(self, text: str | None) -> list | None:
        """[text before, <abbr> with the text after it as its tail, ...] for the terms not
        yet met on the page; None when there is none."""
        if not text or isinstance(text, AtomicString):
            return None
        pieces: list = []
        last = 0  # where the previous <abbr>'s term ended
        for m in self.pattern.finditer(text):
            term = m.group(0)
            if term in self.seen or not self.abbrs[term]:
                continue
            self.seen.add(term)
            if not pieces:
                pieces.append(text[:m.start()])
            else:
                pieces[-1].tail = pieces[-1].tail[:m.start() - last]
            abbr = etree.Element("abbr", {"title": self.abbrs[term]})
            abbr.text = AtomicString(term)
            abbr.tail = text[m.end():]
            last = m.end()
            pieces.append(abbr)
        return pieces or None


class FirstAbbrExtension(Extension):
    def extendMarkdown(self, md) -> None:
        if "abbr" not in md.treeprocessors:
            raise ValueError("atlas.markdown_abbr goes after abbr in markdown_extensions")
        md.treeprocessors.register(FirstAbbrOnly(md, md.treeprocessors["abbr"].abbrs), "abbr", 7)


def makeExtension(**kwargs) -> FirstAbbrExtension:
    return FirstAbbrExtension(**kwargs)
