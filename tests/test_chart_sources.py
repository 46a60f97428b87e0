"""Charts keep their source (issue 29): the title, the source line and the licence are drawn
inside every chart image (and in its metadata), and each chart's numbers are downloadable
beside it as CSV with a header per column, the same rows as the chart. A small corpus of
its own; nothing here pins facts of the real corpus."""
from __future__ import annotations

import csv
import io
import re

from conftest import run_atlas

from atlas import charts
from atlas.corpus import load_corpus


def test_every_chart_image_carries_title_source_and_licence(project):
    images = charts.render_all(load_corpus(project))
    for chart in (charts.CHART_DESIGNS, charts.CHART_PATIENTS):
        for name in charts.files(chart).values():
            svg = images[name].decode("utf-8")
            drawn = " ".join(re.findall(r"<!-- (.*?) -->", svg, re.S))  # each text drawn, as matplotlib notes it
            assert charts.TITLES[chart] in drawn, name
            assert "Source: T1D stem-cell evidence atlas" in drawn and "CC BY 4.0" in drawn, name
            assert f"<dc:title>{charts.TITLES[chart]}</dc:title>" in svg
            assert "<dc:rights>" in svg and "CC BY 4.0" in svg


def test_each_chart_has_its_data_beside_it_with_a_header_per_column(project):
    corpus = load_corpus(project)
    files = charts.data_files(corpus)
    assert set(files) == {charts.data_file(charts.CHART_DESIGNS), charts.data_file(charts.CHART_PATIENTS)}
    rows = list(csv.DictReader(io.StringIO(files[charts.data_file(charts.CHART_DESIGNS)])))
    leaves, designs, counts = charts.class_rows(corpus)
    assert [r["class"] for r in rows] == [k.id for k in leaves]  # the chart's rows, in its order
    assert list(rows[0]) == ["class", "class_name", *designs, "total"]
    for r, k in zip(rows, leaves):
        assert int(r["total"]) == sum(counts[k.id].values())
        assert all(int(r[d]) == counts[k.id][d] for d in designs)


def test_the_overview_links_each_charts_data(project, tmp_path):
    out = tmp_path / "pages"
    assert run_atlas(project, "pages", str(out)).returncode == 0
    page = (out / "evidence.md").read_text(encoding="utf-8")
    assert "[This chart's data (CSV)](evidence/studies-per-class-by-design.csv)" in page
    assert (out / "evidence" / "studies-per-class-by-design.csv").is_file()
