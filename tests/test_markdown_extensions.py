"""The site's Markdown extensions for speed must not change the HTML.

atlas.markdown_inline skips inline patterns that cannot match; atlas.markdown_abbr wraps
a term's first occurrence only, in one pass. Both are compared with what they replace,
configured as mkdocs.yml configures it: Python-Markdown's own inline processor, and abbr
followed by unwrapping every <abbr> but a term's first. The texts: every page the atlas
generates and every hand-written page, Markdown written to trip the patterns, and text
Hypothesis makes from the characters the patterns look for.
"""
from __future__ import annotations

import markdown
import pytest
import yaml
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from mkdocs.utils.meta import get_data

from atlas.build import prepare
from atlas.markdown_inline import needs

CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
EXTENSIONS, SETTINGS = [], {}
for entry in CONFIG["markdown_extensions"]:
    name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
    EXTENSIONS.append(name)
    SETTINGS[name] = options or {}


class UnwrapRepeatedAbbr(Treeprocessor):
    """The way a first occurrence was kept before: after abbr wrapped them all."""

    def run(self, root):
        seen, parents = set(), {child: parent for parent in root.iter() for child in parent}
        for el in list(root.iter("abbr")):
            if el.text not in seen:
                seen.add(el.text)
                continue
            parent, text = parents[el], (el.text or "") + (el.tail or "")
            i = list(parent).index(el)
            if i:
                parent[i - 1].tail = (parent[i - 1].tail or "") + text
            else:
                parent.text = (parent.text or "") + text
            parent.remove(el)


class StockAbbrFirstOnly(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(UnwrapRepeatedAbbr(md), "unwrap_repeated_abbr", 6.5)


STOCK = [StockAbbrFirstOnly() if e == "atlas.markdown_abbr" else e for e in EXTENSIONS if e != "atlas.markdown_inline"]


def both(text: str) -> tuple[str, str]:
    stock = markdown.Markdown(extensions=STOCK, extension_configs=SETTINGS).convert(text)
    skipping = markdown.Markdown(extensions=EXTENSIONS, extension_configs=SETTINGS).convert(text)
    return stock, skipping


def test_the_site_uses_them_and_knows_what_each_inline_pattern_needs():
    assert "atlas.markdown_inline" in EXTENSIONS and "atlas.markdown_abbr" in EXTENSIONS
    # the step markdown_inline takes the place of is still there under its name (a rename
    # in Python-Markdown would leave the skipping unused: correct, but slow)
    assert callable(getattr(InlineProcessor, "_InlineProcessor__handleInline", None))
    assert callable(getattr(InlineProcessor, "_InlineProcessor__applyPattern", None))
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=SETTINGS)
    unknown = [item.name for item in md.inlinePatterns._priority if needs(md.inlinePatterns[item.name]) is None]
    # A Python-Markdown upgrade that changes a pattern makes it tried everywhere again:
    # correct, but slower. Write down what the new pattern needs in atlas/markdown_inline.py.
    assert not unknown, f"patterns tried on every text: {unknown}"


@pytest.mark.slow  # every page of the real site; the fast path compares TRICKY and generated texts
def test_every_page_of_the_site_comes_out_the_same():
    prepared = prepare(ROOT)
    stock = markdown.Markdown(extensions=STOCK, extension_configs=SETTINGS)
    skipping = markdown.Markdown(extensions=EXTENSIONS, extension_configs=SETTINGS)
    for path, page in prepared.pages.items():
        text = get_data(page)[0]
        assert stock.reset().convert(text) == skipping.reset().convert(text), path


TRICKY = [
    "*em* **strong** ***both*** _a_ __b__ snake_case_word 2*3*4 * lone star _",
    "[link](a.md) [ref][r] [short] ![img](i.png) ![ref img][r] \\[not a link\\]\n\n[r]: https://example.org",
    "<https://example.org> <someone@example.org> <span class=\"x\">html</span> &amp; &#77; &copy; & alone",
    "`code *not em*` ``double `tick` code`` \\`escaped\\` line  \nbreak  \n",
    "*[MSC]: Mesenchymal stromal cell\n\nMSC in *MSC* and [MSC](msc.md) and `MSC`",
    "*[MSC]: Mesenchymal stromal cell\n*[MSCs]: Mesenchymal stromal cells\n*[stem cell]: A cell\n*[cell]: \n\n"
    "# MSCs and MSC\n\nA stem cell, stem cells, cell; *MSC MSCs* MSC-like [a stem cell](s.md) MSC\n\n"
    "| MSC | stem cell |\n|---|---|\n| MSCs | MSC |\n\n- MSC\n    - stem cell MSCs\n",
    "| a | b |\n|---|---|\n| [x](x.md) \\| y | *z* &lt; |\n",
    "<div markdown>\n\n- [a](a.md): *b* <span>c</span>\n\n</div>\n",
    "!!! note \"Title [x]\"\n    *body* with [link](l.md \"a (title)\")\n",
    "# Heading *em* { #anchor }\n\nText [[nested] brackets](n.md) and [unclosed",
    "No definitions: [a][b] [c] ![d][e] [f] [] [g][] [h] [i](i.md)",
]


@pytest.mark.parametrize("text", TRICKY)
def test_markdown_that_trips_the_patterns_comes_out_the_same(text):
    stock, skipping = both(text)
    assert stock == skipping


PIECES = list("ab *_`\\[]()!<>&;#@:/.\n|{}=\"'-") + ["  \n", "MSC", "MSCs", "stem cell", "&amp;", "https://x.org",
                                                       "a.md", "\n\n- ", "\n\n# ", "[a]", "\n\n[a]: https://x.org\n\n"]
TERMS = "*[MSC]: Mesenchymal stromal cell\n*[MSCs]: Mesenchymal stromal cells\n*[stem cell]: A cell\n\n"


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_any_text_of_the_pattern_characters_comes_out_the_same(text):
    stock, skipping = both(TERMS + text)
    assert stock == skipping
