"""What's new, the Atom feed, record dates and release notes, made from git history.

Each test makes a small project with a history of its own: records added, one
corrected, one updated, one renamed, one removed.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import feedparser
import pytest
from conftest import FIXTURES, ROOT, copy_project, html, run_atlas

from atlas import history, paths, whatsnew
from atlas.build import prepare
from atlas.corpus import load_corpus


def git(root: Path, *args: str, date: str = "2026-01-05T10:00:00+00:00") -> None:
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "First records", date="2026-01-05T10:00:00+00:00")
    studies = root / "data" / "studies"
    new = (studies / "alpha-2020.yaml").read_text().replace("alpha-2020", "gamma-2025", 1).replace(
        "Islet-like cells in diabetic mice (Alpha 2020)", "Gamma cells in diabetic mice")
    (studies / "gamma-2025.yaml").write_text(new)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add Gamma 2025 <script>alert(1)</script>", date="2026-02-10T09:00:00+00:00")
    ref = root / "data" / "references" / "beta-2021.yaml"
    ref.write_text(ref.read_text().replace("doi: 10.1000/beta.2021", "volume: '9'\ndoi: 10.1000/beta.2021")
                   + "corrections:\n- field: volume\n  printed: '13'\n  corrected: '9'\n  note: The DOI gives volume 9.\n")
    git(root, "commit", "-q", "-am", "Record the misprinted volume of Beta 2021", date="2026-03-01T08:00:00+00:00")
    study = studies / "alpha-2020.yaml"
    study.write_text(study.read_text().replace("Blood glucose fell in treated mice.", "Blood glucose fell by half."))
    git(root, "commit", "-q", "-am", "Update the Alpha 2020 outcome", date="2026-03-02T08:00:00+00:00")
    return root


def test_history_reads_additions_changes_corrections(repo: Path):
    h = history.read(repo)
    assert h.available
    by_path = {(c.relpath, c.action) for c in h.changes}
    assert ("data/studies/gamma-2025.yaml", "added") in by_path
    assert ("data/references/beta-2021.yaml", "corrected") in by_path
    changed = next(c for c in h.changes if c.relpath == "data/studies/alpha-2020.yaml" and c.action == "changed")
    assert changed.fields == ("outcomes",)
    assert h.added("data/studies/alpha-2020.yaml") == "2026-01-05"
    assert h.last_changed("data/studies/alpha-2020.yaml") == "2026-03-02"
    assert [c.time for c in h.changes] == sorted((c.time for c in h.changes), reverse=True)


def test_renamed_and_removed_records_keep_their_history(repo: Path):
    git(repo, "mv", "data/studies/gamma-2025.yaml", "data/studies/gamma-2025b.yaml")
    git(repo, "commit", "-q", "-m", "Rename", date="2026-04-01T08:00:00+00:00")
    git(repo, "rm", "-q", "data/glossary/stz.yaml")
    git(repo, "commit", "-q", "-m", "Remove a term", date="2026-04-02T08:00:00+00:00")
    h = history.read(repo)
    assert h.added("data/studies/gamma-2025b.yaml") == "2026-02-10"  # followed through the rename
    assert ("data/glossary/stz.yaml", "removed") in {(c.relpath, c.action) for c in h.changes}


def test_a_change_made_while_resolving_a_merge_is_listed(repo: Path):
    """A conflict resolved in a merge commit is a change of its own; files merged
    cleanly are not listed again under the merge, their branches already say it."""
    study = repo / "data" / "studies" / "alpha-2020.yaml"
    ref = repo / "data" / "references" / "beta-2021.yaml"
    summary = "Cells were placed in diabetic mice and lowered their blood glucose."
    git(repo, "checkout", "-q", "-b", "side")
    study.write_text(study.read_text().replace(summary, "Side branch summary."))
    ref.write_text(ref.read_text().replace("given: B", "given: BB"))
    git(repo, "commit", "-q", "-am", "Side edits", date="2026-04-01T08:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    study.write_text(study.read_text().replace(summary, "Main branch summary."))
    ref.write_text(ref.read_text().replace("pmid: '12345678'", "pmid: '12345679'"))
    git(repo, "commit", "-q", "-am", "Main edits", date="2026-04-02T08:00:00+00:00")
    resolved = study.read_text().replace("Main branch summary.", "Resolved summary.")
    with pytest.raises(subprocess.CalledProcessError):  # the two summaries conflict
        git(repo, "merge", "-q", "side", date="2026-04-03T08:00:00+00:00")
    assert "<<<<<<<" in study.read_text()
    study.write_text(resolved)
    git(repo, "add", str(study))
    git(repo, "commit", "-q", "--no-edit", date="2026-04-03T08:00:00+00:00")
    merge = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    assert len(subprocess.run(["git", "rev-list", "--parents", "-n1", "HEAD"], cwd=repo, capture_output=True,
                              text=True).stdout.split()) == 3  # a real merge commit

    h = history.read(repo)
    in_merge = [c for c in h.changes if c.commit == merge]
    assert [(c.relpath, c.action, c.fields) for c in in_merge] == [
        ("data/studies/alpha-2020.yaml", "changed", ("summary",))]
    assert in_merge[0].date == "2026-04-03"
    sides = {(c.subject, c.relpath) for c in h.changes}
    assert {("Side edits", "data/references/beta-2021.yaml"), ("Main edits", "data/references/beta-2021.yaml")} <= sides
    assert h.last_changed("data/studies/alpha-2020.yaml") == "2026-04-03"
    assert h.last_changed("data/references/beta-2021.yaml") == "2026-04-02"  # merged cleanly: no entry of its own
    assert "last changed on 3 April 2026" in prepare(repo).pages["studies/alpha-2020.md"]


def test_whats_new_page_and_record_dates(repo: Path):
    pages = prepare(repo).pages
    page = pages[paths.RECORD_CHANGES]  # the maintainers' page: every change, from git
    assert "## March 2026" in page and "## February 2026" in page and "## January 2026" in page
    assert page.index("March 2026") < page.index("February 2026")  # newest first
    assert "Corrected reference: [Registry report of a first trial](bibliography.md#ref-2)" in page
    assert "New study: [Gamma cells in diabetic mice](studies/gamma-2025.md)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # a commit subject is untrusted text
    study = pages["studies/alpha-2020.md"]
    assert "Added to the atlas on 5 January 2026; last changed on 2 March 2026" in study


def test_feed_parses_and_links_to_pages(repo: Path):
    feed = feedparser.parse(prepare(repo, site_url="https://example.org/atlas/").assets[whatsnew.FEED])
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.startswith("T1D stem-cell evidence atlas")
    titles = [e.title for e in feed.entries]
    assert titles[0] == "Updated study: Islet-like cells in diabetic mice (Alpha 2020)"
    assert "New study: Gamma cells in diabetic mice" in titles
    links = {e.title: e.link for e in feed.entries}
    assert links["New study: Gamma cells in diabetic mice"] == "https://example.org/atlas/studies/gamma-2025/"
    assert links["Corrected reference: Registry report of a first trial"] == "https://example.org/atlas/bibliography/#ref-2"
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert feed.entries[0].updated.startswith("2026-03-02")


def test_without_git_the_page_says_so(tmp_path: Path):
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    assert not history.read(root).available
    prepared = prepare(root)
    assert "History not available" in prepared.pages[paths.RECORD_CHANGES]
    assert "Added to the atlas" not in prepared.pages["studies/alpha-2020.md"]
    assert not feedparser.parse(prepared.assets[whatsnew.FEED]).bozo


def test_release_notes_group_changes_like_mdn(repo: Path):
    first = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=repo, capture_output=True,
                           text=True).stdout.strip()
    result = run_atlas(repo, "release-notes", "--since", first, "--version", "9.9.9")
    assert result.returncode == 0, result.stderr
    notes = result.stdout
    assert notes.startswith("## 9.9.9 (")
    assert notes.index("### Additions") < notes.index("### Changes") < notes.index("### Corrections")
    assert "Study data/studies/gamma-2025.yaml: Gamma cells in diabetic mice" in notes
    assert "First records" not in notes  # before --since
    assert "3 commits changed the data" in notes


def test_batch_of_additions_is_summarised(tmp_path: Path):
    root = copy_project(tmp_path / "proj", FIXTURES / "mini")
    refs = root / "data" / "references"
    for i in range(whatsnew.BATCH + 1):
        text = (refs / "beta-2021.yaml").read_text().replace("beta-2021", f"extra-{i}").replace("number: 2\n", "")
        (refs / f"extra-{i}.yaml").write_text(text.replace("10.1000/beta.2021", f"10.1000/extra.{i}"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Import")
    items = whatsnew.items(history.read(root), load_corpus(root))
    assert len(items) == 1 and items[0].added_by_kind["reference"] == whatsnew.BATCH + 3


def test_built_site_has_whats_new_and_a_feed(built_site: Path):
    page = html(built_site, "whats-new.md")
    assert "What's new" in page
    feed = feedparser.parse((built_site / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries
    assert 'type="application/atom+xml"' in html(built_site, "index.md")


def test_changelog_top_release_is_the_package_version():
    from atlas import __version__
    changelog = Path(__file__).resolve().parent.parent / "CHANGELOG.md"
    first = next(line for line in changelog.read_text(encoding="utf-8").splitlines() if line.startswith("## "))
    assert first.startswith(f"## {__version__} ("), first


def test_each_class_and_trial_has_a_feed_of_its_own_that_parses(repo: Path):
    """A reader follows one topic: a class's feed has the changes of its studies and trials, a
    trial's those of the trial and the studies reporting it; no entry carries a commit message."""
    prepared = prepare(repo, site_url="https://example.org/atlas/")
    corpus = load_corpus(repo)
    for record in [*corpus.all("therapy-class"), *corpus.all("trial")]:
        path = whatsnew.topic_feed(record)
        feed = feedparser.parse(prepared.assets[path])
        assert not feed.bozo, (path, feed.bozo_exception)
        assert feed.feed.title.endswith(record.title)
        assert feed.feed.links[0].href == f"https://example.org/atlas/{path}"
        for e in feed.entries:
            assert "script" not in e.summary and "Update the Alpha" not in e.summary, e.summary  # no commit message
        assert f"({path.split('/', 1)[1]})" in prepared.pages[f"{record.kind.page}{record.id}.md"]
    cls = feedparser.parse(prepared.assets[whatsnew.topic_feed(corpus.get("therapy-class", "cell-class"))])
    titles = [e.title for e in cls.entries]
    assert "New study: Gamma cells in diabetic mice" in titles
    assert not any("reference" in t for t in titles)  # the bibliography's changes are not the class's
    links = {e.title: e.link for e in cls.entries}
    assert links["New study: Gamma cells in diabetic mice"] == "https://example.org/atlas/studies/gamma-2025/"


def test_whats_new_for_readers_is_the_evidence_digest_held_in_the_data(repo: Path):
    """Readers' What's new lists the dated one-line summaries records hold (`news`), newest first,
    each linking to its record; never a commit message or a field name. The home page's
    "Latest evidence" box shows the newest."""
    study = repo / "data" / "studies" / "gamma-2025.yaml"
    study.write_text(study.read_text() + "news:\n- date: '2026-02-10'\n  what: new-study\n"
                     "  summary: Gamma cells <b>lowered</b> blood glucose in mice [@alpha-2020].\n")
    trial = repo / "data" / "trials" / "nct01234567.yaml"
    trial.write_text(trial.read_text() + "news:\n- date: '2026-03-01'\n  what: new-trial\n"
                     "  summary: A first trial of the test cells is registered.\n")
    git(repo, "commit", "-q", "-am", "Merge i99: tests follow", date="2026-03-03T08:00:00+00:00")
    pages = prepare(repo).pages
    page = pages[paths.WHATS_NEW]
    first, second = page.index("A first trial of the test cells"), page.index("Gamma cells")
    assert first < second  # newest first
    assert "New trial: A first trial" in page and "(trials/nct01234567.md)" in page
    assert "&lt;b&gt;lowered&lt;/b&gt;" in page and "<b>" not in page  # contributed text stays text
    assert "bibliography.md#ref-1" in page  # its citation resolved
    for commit_words in ("Merge i99", "Update the Alpha", "Changed:"):
        assert commit_words not in page
    assert "(record-changes.md)" in page  # the maintainers' list is one link away
    home = pages[paths.HOME]
    assert "Latest evidence" in home and home.index("A first trial") < home.index("Gamma cells")
    assert "Merge i99" in pages[paths.RECORD_CHANGES]  # maintainers see the history as it is


def test_the_living_with_page_shows_the_latest_evidence(built_site: Path):
    corpus = load_corpus(ROOT)
    newest = whatsnew.digest(corpus)[:1]
    page = html(built_site, "living-with-type-1-diabetes.md")
    assert ("Latest evidence" in page) == bool(newest)
    if newest:
        assert f"studies/{newest[0].record.id}/" in page or f"trials/{newest[0].record.id}/" in page
    assert "atlas: latest evidence" not in page  # the marker itself is replaced


def test_a_change_of_the_review_date_alone_is_said_in_words_never_a_bare_changed():
    it = whatsnew.Item("2026-01-01T00:00:00Z", "abc", "subject", history.CHANGED, "data/studies/x.yaml",
                       kind_label="study", title="X", fields=("reviewed",))
    assert it.detail == "Checked again against newer evidence"
    it.fields = ("reviewed", "summary")
    assert it.detail == "Changed: summary"
    it.fields = ()
    assert it.detail == ""


def test_the_site_feed_carries_no_commit_message(repo: Path):
    """Readers follow the atlas, not its repository: like the topic feeds, the site feed says
    what changed in readers' words and never repeats a commit message (issue 25)."""
    prepared = prepare(repo, site_url="https://example.org/atlas/")
    feed = feedparser.parse(prepared.assets[whatsnew.FEED])
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries
    subjects = {c.subject for c in history.read(repo).changes if c.subject}
    for e in feed.entries:
        assert not any(sub in e.summary for sub in subjects), e.summary
