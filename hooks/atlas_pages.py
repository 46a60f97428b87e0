"""MkDocs hook: adds the atlas's generated pages. All logic lives in the atlas package.

Data is read inside events (not at import), because `mkdocs serve` keeps this module
loaded across rebuilds; watch: in mkdocs.yml makes edits to data/ and templates/
trigger a rebuild.
"""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from atlas.build import Build, build, process_markdown
from atlas.searchindex import compact_file
from atlas.diagnostics import DataError

_current: Build | None = None
_previous: dict[str, str | bytes] = {}  # what the last build generated, kept across `mkdocs serve` rebuilds


class _Generated(File):
    """A generated file that knows whether its content changed since the last build, so
    `mkdocs serve --dirty` re-renders only the pages an edit touched."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged


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
        f = _generated(config, path, markdown)
        source = _current.site.sources.get(path)
        # "Edit this page" opens the YAML record, relative to edit_uri (…/docs/)
        f.edit_uri = f"../{source}" if source else None
        files.append(f)
    for path, data in _current.site.assets.items():
        files.append(_generated(config, path, data))
    return files


def _generated(config, path: str, content: str | bytes) -> File:
    f = _Generated.generated(config, path, content=content)
    f.unchanged = _previous.get(path) == content and os.path.exists(f.abs_dest_path)
    _previous[path] = content
    return f


def on_page_markdown(markdown, *, page, config, files):
    if _current is None:
        return markdown
    hand_written = not page.file.generated_by
    try:
        return process_markdown(_current, markdown, page.file.src_uri, hand_written=hand_written,
                                title=page.meta.get("title") if page.meta else None)
    except DataError as e:
        raise PluginError("\n".join(str(p) for p in e.problems)) from None


def on_post_build(*, config):
    # Runs after the search plugin has written its index (hooks come after plugins).
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.exists():
        compact_file(index)
