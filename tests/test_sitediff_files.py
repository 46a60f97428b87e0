"""atlas site-diff --files: every file of two built sites, what changes per build normalised."""
from atlas.sitediff import compare_files, files_report


def _site(root, files):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_build_stamps_are_normalised_and_changes_found(tmp_path):
    cite = "In: atlas, release {} (commit {}), {}. https://example.org/</p>"
    base = _site(tmp_path / "a", {"index.html": cite.format("0.2.0", "426aa18", "2026-11-26"),
                                  "feed.xml": "<updated>2026-11-26T00:00:00Z</updated>",
                                  "pagefind/x.pf_meta": "run one", "gone.html": "", "same.bib": "@article{x}"})
    new = _site(tmp_path / "b", {"index.html": cite.format("0.2.0", "c69e335", "2026-12-03"),
                                 "feed.xml": "<updated>2026-12-03T00:00:00Z</updated>",
                                 "pagefind/y.pf_meta": "run two", "added.html": "", "same.bib": "@article{y}"})
    d = compare_files(base, new)
    assert (d.only_base, d.only_new, list(d.differ), d.same) == (["gone.html"], ["added.html"], ["same.bib"], 2)
    assert not d.empty and "1 differ" in files_report(d)
    assert compare_files(base, base).empty
