"""atlas.paths, in memory: every page address is worked out there and nowhere else."""
from atlas import paths


def test_page_url_html_file_and_back():
    for page, url, html in [("index.md", "", "index.html"),
                            ("studies/index.md", "studies/", "studies/index.html"),
                            ("studies/hu-2013.md", "studies/hu-2013/", "studies/hu-2013/index.html"),
                            ("glossary.md", "glossary/", "glossary/index.html"),
                            ("bibliography/201-400.md", "bibliography/201-400/", "bibliography/201-400/index.html")]:
        assert paths.url(page) == url
        assert paths.html_file(page) == html
        assert paths.url_of_html(html) == url
        assert page in paths.pages_of_html(html)


def test_absolute_url():
    assert paths.url("studies/hu-2013.md", "https://example.org/atlas") == "https://example.org/atlas/studies/hu-2013/"
    assert paths.url("index.md", "https://example.org/atlas/") == "https://example.org/atlas/"


def test_bibliography_parts():
    assert paths.bibliography_page(None) == paths.BIBLIOGRAPHY
    assert paths.bibliography_page(1) == paths.bibliography_page(200) == paths.BIBLIOGRAPHY
    assert paths.bibliography_page(201) == paths.bibliography_page(400) == "bibliography/201-400.md"
    assert paths.is_bibliography_part("bibliography/201-400.md") and not paths.is_bibliography_part("bibliography.md")


def test_year_parts():
    assert paths.year_stem(2013, 1, 1) == paths.year_stem(2013, 1, 3) == "2013"
    assert paths.year_stem(2013, 2, 3) == "2013-2"
    for page in (paths.studies_year_page("2013"), paths.evidence_year_page("2013-2"), paths.class_year_page("x", "2013")):
        assert paths.is_year_part(page)
    assert not paths.is_year_part("studies/hu-2013.md") and not paths.is_year_part("evidence.md")


def test_record_and_index_pages_and_files():
    assert paths.record_page("studies/", "hu-2013") == "studies/hu-2013.md"
    assert paths.index_page("studies/") == "studies/index.md" and paths.is_index("studies/index.md")
    assert not paths.is_index("index.md")
    assert paths.exports_stem("studies/hu-2013.md") == "references/studies/hu-2013"
    assert paths.table_file("studies", "csv") == "data/studies.csv"
    assert paths.page_of_doc(paths.doc_file("about.md")) == "about.md"
