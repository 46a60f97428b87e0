"""The site's search: Pagefind indexes the built HTML; this module says what it indexes.

Readers type US or UK spelling, Greek letters or their names, lay words, authors and
identifiers. Two things make those find the right page:

- each generated page ends with a search card, hidden from readers, that tells Pagefind
  what kind of page it is (and for a study its year and design) and adds the words a
  reader may know the record by that its text may lack: first authors, "Author year",
  DOIs, PMIDs. They come from the data, so a new study is found by its author and
  identifiers with no list to update;
- search/synonyms.yaml (spellings, Greek letters, lay words) goes to the browser as
  assets/search/terms.json; the search box (docs/assets/javascripts/search.js) expands
  each query with it.

Pagefind (the `pagefind[bin]` wheel ships its binary) splits the index into chunks the
browser fetches for the words typed, so what a reader downloads stays small as the
corpus grows (bench/RESULTS.md, "Search").
"""
from __future__ import annotations

import ctypes
import functools
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pagefind_bin
import yaml

from . import paths
from .diagnostics import DataError, Problem
from .kinds import BY_FOLDER, BY_NAME, KINDS
from .text import label

SYNONYMS = "search/synonyms.yaml"
TERMS_ASSET = "assets/search/terms.json"
# The topic pages' built files, one a line, and their own small index: the box searches
# it first, in a few milliseconds however many studies the atlas holds.
TOPICS_ASSET = "assets/search/topics.txt"
TOPICS_BUNDLE = "pagefind-topics"
# What Pagefind leaves out of a page: the suggested citation (the same on every page),
# the heading of the page's reference list, heading anchors, and table headings (which
# would make excerpts of "Measure Finding Source Cited").
EXCLUDE = "[data-search-exclude], #page-references, .headerlink, thead"

# What a result says it is, for pages that are not one record: a kind's shared page says what
# its Kind says (Kind.result_label), the atlas's own pages as here
PAGE_KINDS = {paths.EVIDENCE: "Evidence overview", paths.DATA: "Data and downloads"}
# Search asks for "topic" pages (what a reader's words name: classes, limitations, products,
# glossary ...) apart from "record" pages (studies, their trials, references), which grow with
# the atlas, are most of a large one and slow Pagefind when a word is on thousands of them;
# "part" pages (paths.is_year_part: one year of a class's studies, of the evidence tables, of
# the studies list) are never asked for: their rows are searched on the studies' own pages,
# and a short page titled with a class's name would otherwise outrank the class itself.


def _record_labels() -> set[str]:
    """The result labels of the kinds whose pages are "record" pages (Kind.search_group)."""
    return {k.result_label for k in KINDS if k.search_group == "record"}


def _entry_pages() -> dict[str, str]:
    """Shared pages of topic kinds (glossary, organisations ...) -> their kind: each entry's
    names find the page."""
    return {k.page: k.name for k in KINDS if not k.own_pages and k.page and k.search_group == "topic"}


def _shared_pages() -> dict[str, str]:
    return {k.page: k.result_label for k in KINDS if not k.own_pages and k.page}


def load_terms(root: Path) -> dict:
    """search/synonyms.yaml, checked: spellings and greek map a word part to another,
    lay maps a reader's word or phrase to a list of the atlas's words."""
    path = root / SYNONYMS
    if not path.exists():
        return {"spellings": {}, "greek": {}, "lay": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        # where the broken construct starts ("[" never closed) says more than where parsing gave up
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        raise DataError([Problem(SYNONYMS, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
                                 "search-terms", f"not valid YAML: {getattr(e, 'problem', e)}")]) from None
    problems = []

    def bad(message: str) -> None:
        problems.append(Problem(SYNONYMS, _line_of(path, message.split("'")[1] if "'" in message else ""), 1,
                                "search-terms", message))

    if not isinstance(data, dict):
        raise DataError([Problem(SYNONYMS, 1, 1, "search-terms", "expected sections spellings:, greek: and lay:")])
    out = {}
    for section in ("spellings", "greek", "lay"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            bad(f"'{section}' must map words to words, one 'word: other' per line")
            continue
        clean = {}
        for key, value in entries.items():
            values = value if section == "lay" else [value]
            if not isinstance(key, str) or not key.strip() or not isinstance(values, list) or not all(
                    isinstance(v, str) and v.strip() for v in values):
                bad(f"'{key}' in {section}: write 'word: other'" + (" or 'word: [other, other]'" if section == "lay" else ""))
                continue
            if key != key.lower() or any(v != v.lower() for v in values):
                bad(f"'{key}' in {section}: write words in lower case (search ignores case)")
                continue
            # the browser builds patterns from these words: letters only, so none is an invalid
            # pattern (one bad entry broke every search) nor a pattern that matches what it should not
            shape = _SHAPES[section]
            if section != "greek" and not shape.fullmatch(key) or not all(shape.fullmatch(v) for v in values):
                bad(f"'{key}' in {section}: {_SHAPE_HELP[section]}")
                continue
            clean[key.strip()] = [v.strip() for v in values] if section == "lay" else values[0].strip()
        out[section] = clean
    unknown = set(data) - {"spellings", "greek", "lay"}
    if unknown:
        bad(f"'{sorted(unknown)[0]}' is not a section; use spellings:, greek: or lay:")
    if problems:
        raise DataError(problems)
    return out


_SHAPES = {"spellings": re.compile(r"-?[a-z]+(?:['a-z]*[a-z])?-?"), "greek": re.compile(r"[a-z]+"),
           "lay": re.compile(r"[\w'’-]+(?: [\w'’-]+)*")}
_SHAPE_HELP = {"spellings": "a word part is letters only, with '-' at its start or end to anchor it",
               "greek": "a Greek letter's name is letters only, e.g. 'beta'",
               "lay": "words and phrases are letters, digits, spaces, hyphens and apostrophes only"}


def _line_of(path: Path, word: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if word and line.strip().startswith(word):
            return n
    return 1


def add_search(b, pages: dict[str, str], assets: dict) -> None:
    """Give every page its search card, the site the query-side word lists and the list of
    topic pages that index_site gives an index of their own."""
    topics = []
    for path in pages:
        if path in b.output.moved:  # a record's former address: never a result (overrides/moved.html)
            continue
        pages[path] = pages[path].rstrip() + "\n\n" + search_card(b, path, pages[path]) + "\n"
        if page_group(path, page_kind(b, path)[0]) == "topic":
            topics.append(paths.html_file(path))
    assets[TERMS_ASSET] = json.dumps(load_terms(b.root), ensure_ascii=False, sort_keys=True)
    assets[TOPICS_ASSET] = "\n".join(sorted(topics)) + "\n"


def page_kind(b, path: str):
    """(what kind of page, its record or None)."""
    source = b.output.sources.get(path, "")
    parts = source.split("/")
    if len(parts) == 3 and parts[0] == "data" and parts[1] in BY_FOLDER:
        kind = BY_FOLDER[parts[1]]
        record = b.corpus.get(kind.name, parts[2].removesuffix(".yaml"))
        if record is not None and kind.own_pages:
            return kind.result_label, record
    if path in PAGE_KINDS:
        return PAGE_KINDS[path], None
    shared = _shared_pages()
    if path in shared:
        return shared[path], None
    if paths.is_bibliography_part(path):  # a block of the bibliography, past its first page
        return BY_NAME["reference"].result_label, None
    if paths.is_index(path):
        return "List", None
    return "Page", None


def page_group(path: str, kind: str) -> str:
    """"topic", "record" or "part" (see Kind.search_group)."""
    return "part" if paths.is_year_part(path) else "record" if kind in _record_labels() else "topic"


def search_card(b, path: str, markdown: str = "") -> str:
    """Hidden HTML for Pagefind: metadata for the result line and the record's extra terms."""
    kind, record = page_kind(b, path)
    meta = {"kind": kind}
    terms: list[str] = []
    group = page_group(path, kind)
    if record is not None and record.kind.name == "study":
        meta["year"] = str(record.get("year", ""))
        meta["design"] = label(record.get("design"))
        terms += _reference_terms(b, record)
        for tid in record.get("trials") or []:  # its registry numbers, as printed and as corrected
            trial = b.corpus.get("trial", tid)
            if trial is not None:
                terms += [str(trial.get(k)) for k in ("identifier", "identifier_as_printed") if trial.get(k)]
    elif path in (entry_pages := _entry_pages()):
        # a page of many short entries answers each entry's names
        for entry in b.corpus.all(entry_pages[path]):
            terms += [entry.title, str(entry.get("expansion") or ""), *entry.get("aliases", [])]
    elif record is not None:
        # a topic page (class, limitation, trial, site, product) is the first answer to its own names
        terms += [record.title, *record.get("aliases", [])]
        terms += [str(record.get(k)) for k in ("identifier", "identifier_as_printed") if record.get(k)]
        if record.kind.name == "trial":
            terms += trial_terms(b.corpus, record)
    else:
        # a hand-written page names the readers' questions it answers in its front matter
        # (`answers: [is it safe, cure, ...]`): the living-with page for a lay "is it safe"
        terms += _answers(markdown)
    if group == "topic":
        # what the page is called: a reader who types one of these names is shown it first
        names = [n for n in dict.fromkeys(terms) if n and not n.isdigit()]
        if names:
            meta["names"] = " | ".join(n.replace("|", " ") for n in names)
    spans = "".join(f'<span data-pagefind-meta="{k}:{_attr(v)}"></span>' for k, v in meta.items() if v)
    spans += f'<span data-pagefind-filter="group:{group}"></span>'
    words = f'<span data-pagefind-weight="5">{html.escape(" · ".join(dict.fromkeys(t for t in terms if t)))}</span>' if terms else ""
    return f'<div class="atlas-search-card" hidden>{spans}{words}</div>'


def _answers(markdown: str) -> list[str]:
    """The `answers:` list of a page's front matter (reader questions it is the answer to)."""
    if not markdown.startswith("---\n") or "\n---" not in markdown[4:]:
        return []
    try:
        meta = yaml.safe_load(markdown[4:markdown.index("\n---", 4)]) or {}
    except yaml.YAMLError:
        return []
    answers = meta.get("answers") if isinstance(meta, dict) else None
    return [str(a) for a in answers if isinstance(a, (str, int))] if isinstance(answers, list) else []


def trial_terms(corpus, t) -> list[str]:
    """What a reader may type to find a trial: its registry identifiers, sponsors (as the
    registry names them and as organisations of the atlas), products and interventions, countries."""
    rr = t.get("registry_record") or {}
    terms = [rr.get("id") or "", *(rr.get("other_ids") or [])]
    terms += [s["name"] for s in [rr.get("lead_sponsor") or {}, *(rr.get("collaborators") or [])] if s.get("name")]
    for kind, field in (("organisation", "sponsors"), ("product", "products")):
        for rid in t.get(field) or []:
            rec = corpus.get(kind, rid)
            if rec is not None:
                terms += [rec.title, *rec.get("aliases", [])]
    terms += [n for x in rr.get("interventions") or [] for n in [x["name"], *x.get("other_names", [])]]
    terms += [rr.get("acronym") or "", (rr.get("responsible_party") or {}).get("investigator") or ""]
    terms += rr.get("countries") or []
    return [x for x in terms if x]


def _attr(value: str) -> str:
    # Pagefind splits data-pagefind-meta on commas and the first colon is the key's
    return html.escape(value.replace(",", ";"), quote=True)


def _reference_terms(b, study) -> list[str]:
    """First author, "Author year", every author's family name and the identifiers of the
    references that report the study (its primary reports, else all it cites but a review
    that discusses it: the source review's DOI finds the review, not a study it alone reports)."""
    cited = [c if isinstance(c, dict) else {"ref": c} for c in study.get("citations", [])]
    primary = [c["ref"] for c in cited if c.get("role") == "primary-report"] or [
        c["ref"] for c in cited if c.get("role") != "review"]
    terms = []
    for rid in primary:
        ref = b.corpus.get("reference", rid)
        if ref is None:
            continue
        authors = [a.get("family") or a.get("literal") or "" for a in ref.get("authors", []) if isinstance(a, dict)]
        authors = [a for a in authors if a]
        year = ref.get("year")
        for i, name in enumerate(authors):
            for form in dict.fromkeys([name, _folded(name)]):  # Tögel and Togel, D’Amour and DAmour
                terms += [f"{form} {year}" if year else form, f"{form} et al"] if i == 0 else [form]
        for key, prefix in (("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "")):
            if ref.get(key):
                terms.append(f"{prefix} {ref.get(key)}".strip())
    return terms


def _folded(name: str) -> str:
    """A name as typed on a keyboard without accents or apostrophes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"['’`]", "", plain)


def index_site(site_dir: str | Path, low_priority: bool = False) -> None:
    """Run Pagefind over a built site: site_dir/pagefind/ for every page, and
    site_dir/pagefind-topics/ for the topic pages alone (the TOPICS_ASSET list).
    The two runs go side by side: the whole index is most of the time and the
    topics' is independent of it. low_priority: behind other work (under serve)."""
    site = Path(site_dir)
    listed = site / TOPICS_ASSET
    with tempfile.TemporaryDirectory(prefix="atlas-topics-") as tmp:
        topics = listed.read_text(encoding="utf-8").split() if listed.exists() else []
        for rel in topics:
            if (site / rel).is_file():  # the same paths, so the same URLs and result ids
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site / rel, Path(tmp) / rel)
        runs = [_pagefind(low_priority, site, "--output-subdir", "pagefind")]
        if topics:
            runs.append(_pagefind(low_priority, Path(tmp), "--output-path", str(site / TOPICS_BUNDLE)))
        failed = [err for run in runs if (err := _finish(run))]
    if failed:
        raise RuntimeError("Pagefind could not index the site:\n" + failed[0])


def _pagefind(low_priority: bool, site: Path, *output: str) -> subprocess.Popen:
    # The binary itself: `python -m pagefind` would start an interpreter only to exec it.
    nice = ["nice", "-n", "10"] if low_priority and shutil.which("nice") else []
    cmd = [*nice, str(pagefind_bin.get_executable()), "--site", str(site), "--root-selector", "article.md-content__inner",
           "--glob", "**/index.html",  # every page; not 404.html
           "--exclude-selectors", EXCLUDE, "--force-language", "en", "--quiet", *output]
    return spawn(cmd)


def spawn(cmd: list[str]) -> subprocess.Popen:
    """A child that dies with us: a Pagefind run, low priority under serve, must not go on
    indexing a site nobody serves after serve (or a test) was killed. On Linux the kernel
    sends it SIGKILL when the thread that started it ends (prctl PR_SET_PDEATHSIG, kept
    across `nice`'s exec); elsewhere it is only a child like any other."""
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=functools.partial(_die_with_parent, os.getpid()) if _PRCTL else None)


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:  # runs in the child, between fork and exec
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


def _finish(run: subprocess.Popen) -> str:
    """What a failed run printed (its last lines), or "" when it succeeded."""
    out, err = run.communicate()
    if run.returncode == 0:
        return ""
    if run.returncode < 0:  # killed (out of memory, Ctrl-C, a CI timeout): say so, not a number
        import signal
        try:
            name = signal.Signals(-run.returncode).name
        except ValueError:
            name = f"signal {-run.returncode}"
        return f"Pagefind was stopped by {name} before it finished; build the site again"
    return (err or out or f"exit status {run.returncode}")[-2000:]
