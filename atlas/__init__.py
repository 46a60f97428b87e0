"""Evidence atlas generator: YAML records in, validated corpus, Markdown pages out.

Modules, in the order data flows through them:
  kinds        the record kinds: folder, schema, page, order, template (add a new kind here)
  yamlsafe     safe YAML loading with line numbers (never executes, never rewrites)
  schema       JSON Schema validation and the cross-reference fields the schemas declare
  rules        checks beyond the schema, one function per rule id (add a new check here)
  corpus       the loaded, indexed model that pages are rendered from
  citations    everything about citing: [@key] parsing, citation groups, page reference
               lists, cited-by, reference formatting
  urls         addresses outside the site (registries, DOIs), each built once
  render       templates/ -> Markdown: the page context and the renderer
  pages        {page path: markdown}, one job per page (add a new page type here)
  charts       static chart images for the evidence overview
  fmt          canonical formatting of data files (ruamel.yaml, keeps comments)
  cli          the `atlas` command line
"""

__version__ = "0.2.0"
