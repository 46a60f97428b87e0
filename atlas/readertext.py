"""What a reader sees, checked over a built site: no markup or placeholder that leaked
through as text.

A page's visible text is its HTML with scripts, styles, code, the head and anything hidden
(the search card, `hidden` elements) left out. In it there must be no

- raw Markdown table row (a line that starts and ends with `|`: a table Markdown did not
  recognise, e.g. after a row that broke it),
- citation key (`[@hu-2013]`: a citation the renderer did not resolve),
- attribute list (`{: #id .class }`, `{ .class }`: attr_list did not attach it),
- HTML tag shown as text (`<span class=...>` escaped once too often),
- placeholder of a missing value (nan, None, undefined, null shown where a value belongs),
- date written the machine's way (2025-06-28, 2025-06): the site writes 28 June 2025, June 2025.

usage: python -m atlas.readertext SITE_DIR   (prints each problem; exit 1 if any)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import lxml.html

# Elements whose text is not read as page text.
INVISIBLE = ("//script", "//style", "//code", "//pre", "//head", "//template", "//svg",
             "//*[@hidden]", "//*[contains(concat(' ', normalize-space(@class), ' '), ' atlas-search-card ')]")

# HTML element names: `<id>` in "data/<kind>/<id>.yaml" is a placeholder in prose, `<div` is a leak.
TAGS = ("a abbr article aside b blockquote br button caption cite col dd del details dfn div dl dt em "
        "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr i img input ins kbd label li main mark "
        "nav ol p q s section select small span strong sub summary sup table tbody td tfoot th thead "
        "time tr u ul").split()

CHECKS: tuple[tuple[str, re.Pattern], ...] = (
    ("raw Markdown table row", re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)),
    ("citation key", re.compile(r"\[@[^\]\s]*\]?|(?<![\w.])@[a-z][a-z0-9]*-\d{4}[a-z]?\b")),
    ("attribute list", re.compile(r"\{:[^}\n]*\}|\{\s*[.#][A-Za-z][\w-]*[^}\n]*\}")),
    ("HTML tag shown as text", re.compile(r"</?(?:" + "|".join(TAGS) + r")(?=[\s>/])[^<\n]{0,80}")),
    # "None of them", "None recorded" are English; a None, nan or undefined standing alone is a leak
    ("placeholder of a missing value",
     re.compile(r"(?<![\w'’-])(?:None(?![\w'’-])(?! [a-z])|(?:nan|NaN|undefined|null|\[object Object\])(?![\w'’-]))")),
    # not inside an identifier (EudraCT 2005-004523-19, doi:10.1182/blood-2004-10-3932)
    ("date written the machine's way",
     re.compile(r"(?<![\w/.:-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?(?![\w/-])")),

)


def visible_text(doc) -> str:
    """The text a reader sees of a parsed page, with line breaks between blocks."""
    for el in doc.xpath(" | ".join(INVISIBLE)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in doc.iter("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "div", "tr",
                       "figcaption", "summary", "caption", "br"):
        el.tail = "\n" + (el.tail or "")
    return doc.text_content()


def problems_in(page_html: str | bytes) -> list[str]:
    """Each problem of a page's visible text, as 'kind: excerpt'."""
    doc = lxml.html.fromstring(page_html)
    text = visible_text(doc)  # leaves out hidden parts, whose attributes are not read either
    found = []
    for el in doc.xpath("//body//*[@title or @alt or @aria-label]"):  # tooltips and names read aloud
        for a in ("title", "alt", "aria-label"):
            for name, pattern in CHECKS[1:]:
                m = pattern.search(el.get(a) or "")
                if m:
                    found.append(f"{name} in a {a}: {m.group(0)[:80]!r} in {el.get(a)[:120]!r}")
    for name, pattern in CHECKS:
        for m in pattern.finditer(text):
            start = max(0, m.start() - 30)
            excerpt = text[start:m.end() + 30].replace("\n", " ⏎ ").strip()
            found.append(f"{name}: {m.group(0).strip()[:80]!r} in …{excerpt}…")
    return found


def pages(site: Path):
    """Every reader-facing HTML file of a built site (the search index and assets are not pages)."""
    for f in sorted(site.rglob("*.html")):
        rel = f.relative_to(site)
        if rel.parts[0] in ("assets", "pagefind", "pagefind-topics"):
            continue
        yield rel.as_posix(), f


def check_site(site: Path) -> dict[str, list[str]]:
    """{page: problems} for every page of the site with any."""
    out = {}
    for rel, f in pages(site):
        found = problems_in(f.read_bytes())
        if found:
            out[rel] = found
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    found = check_site(Path(argv[0]))
    for page, problems in found.items():
        for p in problems:
            print(f"{page}: {p}")
    if found:
        print(f"{sum(map(len, found.values()))} problem(s) on {len(found)} page(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
