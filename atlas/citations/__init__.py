"""Everything about citing, in three modules (this file imports none of them, so that the
corpus can use the bottom one):

- cite: [@reference-id] in record text and hand-written Markdown, the keys a citation
  names, where it points (a reference's page and anchor), the citations in docs/;
- formats: how a reference is written: a citation's label, the bibliography's style,
  BibTeX, RIS, CSL-JSON and schema.org JSON-LD;
- bibliography: citations on a page (Citing, which render.PageContext is), each page's
  reference list, "cited by", the bibliography pages and every page's suggested citation.

The checks of citations (every key resolves, every reference cited) are rules/references.py.
"""
