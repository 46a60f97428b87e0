"""What's new: the page, the Atom feed and release notes, all views of atlas.history.

One list of items serves all three, so the page, the feed and the notes never
disagree. A commit that adds many records at once (an import) is one item that
counts them by kind, not hundreds of lines.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from xml.etree import ElementTree as ET

from .corpus import Corpus, Record
from .history import ADDED, CHANGED, CORRECTED, REMOVED, History
from .kinds import BY_FOLDER
from .text import escape_md, label, long_date, xml_text  # noqa: F401  (long_date: pages and templates ask whatsnew)

FEED = "feed.xml"
BATCH = 20  # a commit adding more records than this is summarised by kind
PAGE_ITEMS = 200  # the page lists this many items, newest first
FEED_ITEMS = 50
ACTIONS = {ADDED: "New", CHANGED: "Updated", CORRECTED: "Corrected", REMOVED: "Removed"}


@dataclass
class Item:
    """One line of the page, one entry of the feed."""
    time: str  # ISO 8601
    commit: str
    subject: str  # the commit's own words: untrusted text
    action: str  # added | changed | corrected | removed
    relpath: str = ""  # the data file; empty for a batch
    record: Record | None = None  # None for a removed record or a batch
    kind_label: str = ""
    title: str = ""
    fields: tuple[str, ...] = ()
    added_by_kind: dict[str, int] = field(default_factory=dict)  # a batch: kind label -> records added

    @property
    def date(self) -> str:
        return self.time[:10]

    @property
    def headline(self) -> str:
        """Plain text: 'New study: Title', 'Corrected reference: Title', '118 references, 67 studies added'."""
        if self.added_by_kind:
            return ", ".join(f"{n} {plural(k, n)}" for k, n in self.added_by_kind.items()) + " added"
        return f"{ACTIONS[self.action]} {self.kind_label}: {self.title}"

    @property
    def detail(self) -> str:
        """Plain text: which fields changed, in readers' words."""
        shown = [label(f.replace("_", "-")).lower() for f in self.fields if f != "reviewed"]
        if self.action in (CHANGED, CORRECTED) and shown:
            return "Changed: " + ", ".join(shown)
        if self.action == CHANGED and "reviewed" in self.fields:  # never a bare "changed:"
            return "Checked again against newer evidence"
        return ""


def items(history: History, corpus: Corpus) -> list[Item]:
    """Every change to the data, newest first, with big additions summarised per commit."""
    by_path = {r.relpath: r for r in corpus}
    out: list[Item] = []
    for commit, changes in _by_commit(history):
        added = [c for c in changes if c.action == ADDED]
        batch = len(added) > BATCH
        if batch:
            kinds = Counter(_kind_label(c.relpath) for c in added)
            first = added[0]
            out.append(Item(first.time, commit, first.subject, ADDED, added_by_kind=dict(kinds.most_common())))
        for c in changes:
            if batch and c.action == ADDED:
                continue
            record = by_path.get(c.relpath) if c.action != REMOVED else None
            title = record.title if record is not None else c.relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
            out.append(Item(c.time, commit, c.subject, c.action, c.relpath, record, _kind_label(c.relpath), title,
                            c.fields))
    return out


def _by_commit(history: History):
    group: list = []
    for c in history.changes:
        if group and group[0].commit != c.commit:
            yield group[0].commit, group
            group = []
        group.append(c)
    if group:
        yield group[0].commit, group


def _kind_label(relpath: str) -> str:
    parts = relpath.split("/")
    kind = BY_FOLDER.get(parts[1]) if len(parts) > 2 else None
    return kind.label if kind else "record"


def plural(word: str, n: int) -> str:
    if n == 1:
        return word
    if " or " in word:  # "product or device" -> "products or devices"
        return " or ".join(plural(w, n) for w in word.split(" or "))
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch")) else "s")


NEWS_LABELS = {"new-study": "New study", "new-trial": "New trial", "new-results": "New results",
               "changed-finding": "Changed finding", "correction": "Correction"}


@dataclass
class News:
    """One line of What's new for readers, as a record holds it (`news`)."""
    date: str
    what: str
    summary: str  # untrusted text, may cite [@id]
    record: Record


def digest(corpus: Corpus) -> list[News]:
    """Every record's news, newest first (then by record, for a stable order)."""
    out = [News(str(n["date"]), n["what"], n["summary"], r)
           for kind in ("study", "trial") for r in corpus.all(kind) for n in r.get("news") or []]
    return sorted(out, key=lambda n: (n.date, n.record.id), reverse=True)


def topic_feed(record: Record) -> str:
    """Where the feed of one class or trial is: beside its page (classes/<id>/feed.xml)."""
    return f"{record.kind.page}{record.id}/{FEED}"


def topic_items(every: list[Item], corpus: Corpus, record: Record) -> list[Item]:
    """The changes a reader following one class or trial wants: to it, and to the studies and
    trials that belong to it (a class's sub-classes included)."""
    if record.kind.name == "therapy-class":
        classes = set(corpus.class_and_descendants(record.id))
        related = {s.id for c in classes for s in corpus.studies_by_class.get(c, [])}
        related |= {t.id for t in corpus.all("trial") if classes & set(t.get("classes") or [])}
        related |= classes
    else:
        related = {record.id} | {s.id for s in corpus.studies_by_trial.get(record.id, [])}
    return [it for it in every if it.record is not None and it.record.id in related
            and it.record.kind.name in ("therapy-class", "study", "trial")]


def atom(feed_items: list[Item], *, site_url: str, feed_url: str, page_url, title: str, updated: str) -> str:
    """An Atom 1.0 feed (RFC 4287) for readers. page_url(item) -> the absolute URL of the item's
    page. An entry says what changed, in readers' words; commit messages are for maintainers
    (the record-changes page) and never reach a feed."""
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", xmlns=ns)
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "id").text = feed_url
    ET.SubElement(feed, "updated").text = feed_items[0].time if feed_items else updated
    ET.SubElement(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    ET.SubElement(feed, "link", rel="alternate", href=site_url, type="text/html")
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "T1D stem-cell evidence atlas contributors"
    for it in feed_items[:FEED_ITEMS]:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = it.headline
        ET.SubElement(entry, "id").text = f"{feed_url}#{it.commit}/{it.relpath or 'batch'}"
        ET.SubElement(entry, "updated").text = it.time
        ET.SubElement(entry, "link", rel="alternate", href=page_url(it), type="text/html")
        ET.SubElement(entry, "summary").text = it.detail + "." if it.detail else it.headline
        ET.SubElement(entry, "category", term=it.action)
    # contributed titles: what XML cannot hold is dropped, never written
    return '<?xml version="1.0" encoding="utf-8"?>\n' + xml_text(ET.tostring(feed, encoding="unicode")) + "\n"


def release_notes(release_items: list[Item], version: str, date: str) -> str:
    """A CHANGELOG section in the manner of MDN browser-compat-data's release notes: one line
    per record and kind of change (a record added in the release is listed once, as added)."""
    sections = {ADDED: "Additions", CHANGED: "Changes", CORRECTED: "Corrections", REMOVED: "Removals"}
    lines = [f"## {version} ({date})", ""]
    if not release_items:
        return "\n".join(lines + ["No changes to the data.", ""])
    merged = _one_per_record(release_items)
    for action, heading in sections.items():
        found = [it for it in merged if it.action == action]
        if not found:
            continue
        lines += [f"### {heading}", ""]
        for it in sorted(found, key=lambda x: (x.kind_label, x.relpath)):
            if it.added_by_kind:  # titles and subjects are contributed text: escaped
                lines.append(f"- {escape_md(it.headline)} ({escape_md(it.subject)})")
            else:
                what = f" — {escape_md(it.detail.lower())}" if it.detail else ""
                lines.append(f"- {it.kind_label.capitalize()} {escape_md(it.relpath)}: {escape_md(it.title)}{what}")
        lines.append("")
    counts = Counter()
    for it in merged:
        counts[it.action] += sum(it.added_by_kind.values()) or 1
    commits = len({it.commit for it in release_items})
    lines += ["### Statistics", "",
              f"- {commits} {plural('commit', commits)} changed the data: "
              + ", ".join(f"{counts[a]} {sections[a].lower()}" for a in sections if counts[a]), ""]
    return "\n".join(lines)


def _one_per_record(items: list[Item]) -> list[Item]:
    added = {it.relpath for it in items if it.action == ADDED and it.relpath}
    out: dict[tuple, Item] = {}
    for it in items:
        if it.action in (CHANGED, CORRECTED) and it.relpath in added:
            continue  # new in this release: its later edits are part of the addition
        key = (it.action, it.relpath or it.commit)
        if key in out:
            out[key].fields = tuple(sorted(set(out[key].fields) | set(it.fields)))
        else:
            out[key] = replace(it)
    return list(out.values())
