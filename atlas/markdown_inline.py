"""Python-Markdown extension: an inline pattern is tried only on text that could match it.

Python-Markdown tries each of its inline patterns (links, escapes, emphasis, HTML ...) on
every piece of text, one after another, and the Python around each attempt costs more
than the regular expression itself. A generated page has tens of thousands of text pieces
(table cells, list items, link texts), most of which lack the one character a pattern
needs, such as "[" for a link or "&" for an entity. Skipping those attempts gives the
same HTML, byte for byte (tests/test_markdown_extensions.py compares every page with the
stock processor), and cut Python-Markdown's time at 1x by about a fifth (1.4 s to 1.1 s).

A pattern is skipped only when its regular expression is one listed below, exactly as
Python-Markdown 3.11 writes it, and the text holds none of the strings that every match
of it contains; or when it is a reference link and the page defines none. Any other
pattern (from another extension, or changed by an upgrade) is tried as before.
Listed in mkdocs.yml: `- atlas.markdown_inline`.
"""
from __future__ import annotations

import re

from markdown import Extension, util
from markdown.inlinepatterns import DelimiterProcessor, ReferenceInlineProcessor
from markdown.treeprocessors import InlineProcessor

# A pattern's regular expression -> strings of which every match contains at least one.
NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code span
    r"\\(.)": ("\\",),  # backslash escape
    r"(?<!\!)\[": ("[",),  # link, reference link, short reference
    r"\!\[": ("![",),  # image, image reference
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # autolink
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # automatic email link
    r"  \n": ("  \n",),  # hard line break
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|"""
    r"!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)": ("<",),  # HTML
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # entity
}


def needs(pattern) -> tuple[str, ...] | None:
    """What any match of the pattern contains, or None when that is not known."""
    regex = getattr(getattr(pattern, "compiled_re", None), "pattern", None)
    if isinstance(pattern, DelimiterProcessor):  # emphasis: a regex of its delimiters, * and _
        return tuple(pattern.tokens) if regex == "|".join(re.escape(t) for t in pattern.tokens) else None
    return NEEDS.get(regex)


def changes_nothing_without_definitions(pattern) -> bool:
    """A reference link ([text][id], [id], and their images) whose id is not defined is
    left as it is, so with no `[id]: url` line on the page these patterns change nothing."""
    return isinstance(pattern, ReferenceInlineProcessor) and \
        type(pattern).handleMatch is ReferenceInlineProcessor.handleMatch


class SkippingInlineProcessor(InlineProcessor):
    def run(self, tree, ancestors=None):
        # the block parser has read the page's `[id]: url` lines by now
        self._needs = [() if not self.md.references and changes_nothing_without_definitions(pattern)
                       else needs(pattern) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # Python-Markdown's InlineProcessor.__handleInline (name-mangled), with the skip added.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, wanted = self.inlinePatterns, self._needs
        apply = self._InlineProcessor__applyPattern
        startIndex = 0
        count = len(patterns)
        while patternIndex < count:
            need = wanted[patternIndex]
            if need is not None and not any(s in data for s in need):
                patternIndex += 1  # as the pattern would: no match, next pattern from the start
                startIndex = 0
                continue
            data, matched, startIndex = apply(patterns[patternIndex], data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


class SkippingInlineExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)  # in place of the stock one


def makeExtension(**kwargs) -> SkippingInlineExtension:
    return SkippingInlineExtension(**kwargs)
