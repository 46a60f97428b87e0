"""MkDocs hook: adds the atlas's generated pages. All logic lives in the atlas package.

Data is read inside events (not at import), because `mkdocs serve` keeps this module
loaded across rebuilds; watch: in mkdocs.yml makes edits to data/ and templates/
trigger a rebuild.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from atlas.build import Build, build, process_markdown
from atlas.diagnostics import DataError

_current: Build | None = None


def on_files(files, *, config):
    global _current
    root = Path(config.config_file_path).parent
    try:
        _current = build(root, site_url=config.site_url or "")
    except DataError as e:
        raise PluginError("the atlas data has problems:\n" + "\n".join(str(p) for p in e.problems)) from None
    for path, markdown in _current.site.pages.items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            raise PluginError(f"docs/{path} would hide the generated page {path}; rename or delete it")
        f = File.generated(config, path, content=markdown)
        source = _current.site.sources.get(path)
        # "Edit this page" opens the YAML record, relative to edit_uri (…/docs/)
        f.edit_uri = f"../{source}" if source else None
        files.append(f)
    for path, data in _current.site.assets.items():
        files.append(File.generated(config, path, content=data))
    return files


def on_page_markdown(markdown, *, page, config, files):
    if _current is None:
        return markdown
    hand_written = not page.file.generated_by
    try:
        return process_markdown(_current, markdown, page.file.src_uri, hand_written=hand_written,
                                title=page.meta.get("title") if page.meta else None)
    except DataError as e:
        raise PluginError("\n".join(str(p) for p in e.problems)) from None
