"""MkDocs hook: hands MkDocs the atlas's pages. All logic lives in the atlas package.

Data is read inside events (not at import), because `mkdocs serve` keeps this module
loaded across rebuilds; watch: in mkdocs.yml makes edits to data/ and templates/
trigger a rebuild.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel

from atlas import caches, serving
from atlas.build import prepare
from atlas.diagnostics import DataError
from atlas.kinds import with_kinds_in_nav
from atlas.render import compiled_templates
from atlas.search import index_site


class _Generated(File):
    """A file held in memory that knows whether its content changed since the last build,
    so `mkdocs serve --dirty` re-renders only the pages an edit touched."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged


def on_startup(*, command, dirty):
    serving.started(command)  # under serve, serving.STATE.memo: what a rebuild keeps from the last
    if command == "serve" and dirty:  # each generated page tells the engine whether it changed (_Generated)
        serving.quiet_dirty_warning()


def on_config(config):
    # every record kind's index or shared page is in the navigation, whether or not
    # mkdocs.yml's nav names it (kinds.Kind.nav)
    config.nav = with_kinds_in_nav(config.nav)
    if serving.STATE.serving:  # the build's problems, in a banner on every page (atlas/serving.py)
        config.extra_javascript.append(serving.STATUS_ASSET)
    return config


def on_env(env, *, config, files):
    # the theme's templates compiled once, not on every build (bench/RESULTS.md)
    env.bytecode_cache = compiled_templates(caches.cache_dir(Path(config.config_file_path).parent))
    return env


def on_files(files, *, config):
    root = Path(config.config_file_path).parent
    try:
        # while serving, a failure is reported and the last good pages come back (atlas/serving.py)
        prepared = serving.pages(lambda: prepare(root, site_url=config.site_url or "", memo=serving.STATE.memo))
    except DataError as e:
        raise PluginError("the atlas data has problems:\n" + "\n".join(str(p) for p in e.problems)) from None
    if serving.STATE.serving and serving.STATE.last_good is None:
        # only the page of problems: the links of docs/ to pages not made would bury them
        links, nav = config.validation.links, config.validation.nav
        links.not_found = links.unrecognized_links = links.anchors = nav.not_found = logging.DEBUG
    for path, markdown in prepared.pages.items():
        if path in prepared.hand_written:
            # the same page, its citations filled in; "edit this page" still opens docs/<path>
            original = files.get_file_from_path(path)
            if original is None:  # a file MkDocs leaves out (exclude_docs, dot files)
                continue
            files.remove(original)
            f = _generated(config, path, markdown)
            f.edit_uri = path
            f.inclusion = original.inclusion
        else:
            f = _generated(config, path, markdown)
            # "Edit this page" opens the YAML record, relative to edit_uri (…/docs/)
            source = prepared.sources.get(path)
            f.edit_uri = f"../{source}" if source else None
            if path in prepared.moved:  # a record's former address: never in the navigation, nav or none
                f.inclusion = InclusionLevel.NOT_IN_NAV
        files.append(f)
    for path, data in prepared.assets.items():
        files.append(_generated(config, path, data))
    return files


def _generated(config, path: str, content: str | bytes) -> File:
    # what the last build handed MkDocs lives in atlas.serving: MkDocs runs this file anew
    # on every rebuild, so a dict here would always start empty
    handed = serving.STATE.handed
    # with a nav: in mkdocs.yml, a record page is reached by links, not by the nav, and is not
    # listed as "not included in the nav" (without one, the engine makes the nav of every page)
    inclusion = InclusionLevel.NOT_IN_NAV if config.nav else InclusionLevel.UNDEFINED
    f = _Generated.generated(config, path, content=content, inclusion=inclusion)
    f.unchanged = handed.get(path) == content and os.path.exists(f.abs_dest_path)
    handed[path] = content
    return f


def on_post_build(*, config):
    # Pagefind reads the HTML just written (atlas.search); under `mkdocs serve` it runs
    # beside the reload (atlas.serving.INDEXING)
    if serving.STATE.serving:
        serving.INDEXING.request(index_site, config.site_dir)
    else:
        try:
            index_site(config.site_dir)
        except (RuntimeError, OSError) as e:  # Pagefind killed or missing: a message, not a traceback
            raise PluginError(str(e)) from None
