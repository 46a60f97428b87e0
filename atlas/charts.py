"""Static chart images for the evidence overview (SVG, drawn by matplotlib).

Each chart is drawn from the same rows, in the same order, as the table printed under it
(class_rows, enrolment_rows: the evidence page uses them too). Every chart comes in four
files: light and dark (Material shows the one that matches the reader's palette, via
#only-light / #only-dark), wide and narrow (a phone gets the narrow one through <picture>,
drawn so that its text is at least FONT_PX[narrow] CSS pixels at NARROW_PX wide). Labels
sit above their bars, wrapped, never cut; the legend sits above the plot, never on data.
Text is drawn as paths, so the images need no web font. Output is deterministic.
"""
from __future__ import annotations

import hashlib
import io
import json
import textwrap
from collections import Counter
from pathlib import Path

from .corpus import DESIGN_STAGE, Corpus, participants, study_stage
from .text import label

CHART_DESIGNS = "evidence/studies-per-class-by-design"
CHART_PATIENTS = "evidence/patients-per-clinical-study"
MAX_BARS = 40
# CSS pixels: the drawing's width and its text size, per variant
WIDTH_PX = {"wide": 720, "narrow": 300}
FONT_PX = {"wide": 14, "narrow": 12}
NARROW_MEDIA = "(max-width: 44.9375em)"  # Material's phone breakpoint
THEMES = {  # text, grid lines: Material's default and slate foregrounds
    "light": {"text": "#1d1d1f", "grid": "#d0d0d0"},
    "dark": {"text": "#e2e4e9", "grid": "#4a4e57"},
}
# Okabe–Ito colours: told apart with colour-vision deficiency, visible on white and on slate
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#AA4499", "#44AA99", "#882255", "#DDCC77"]
# The design chart: one colour per stage of evidence (four, Okabe–Ito), and within a stage a
# pattern per design, so that no two designs rely on colour alone to be told apart.
STAGE_COLOURS = {"in-vitro": "#CC79A7", "animal": "#009E73", "early-clinical": "#E69F00", "randomised": "#0072B2"}
HATCHES = ["", "///", "...", "xxx", "\\\\\\"]


# What each chart is, said inside the image too: a chart copied out of the page keeps its
# title, its source and its licence (Our World in Data's practice). Its data is beside it.
TITLES = {CHART_DESIGNS: "Studies per therapy class, by design",
          CHART_PATIENTS: "Participants per clinical study"}
LICENCE = "CC BY 4.0"


def data_file(chart: str) -> str:
    """The chart's numbers as CSV, beside its images: 'evidence/....csv'."""
    return f"{chart}.csv"


def source_line(chart: str) -> str:
    from . import __version__
    return (f"Source: T1D stem-cell evidence atlas, release {__version__}, from its study records. "
            f"Data: {Path(data_file(chart)).name}. Licence: {LICENCE}.")


def files(chart: str) -> dict[tuple[str, str], str]:
    """(theme, variant) -> asset path of one chart."""
    return {(t, v): f"{chart}{'' if v == 'wide' else '-narrow'}{'' if t == 'light' else '-dark'}.svg"
            for t in THEMES for v in WIDTH_PX}


# -- the rows both the chart and its table show -------------------------------------------

def leaf_classes(corpus: Corpus) -> list:
    """The rows of the evidence page's matrices and charts, grouped under their parent: classes
    without sub-classes, and a class with sub-classes when some studies are filed under it and
    none of its sub-classes (so that every study is counted once)."""
    classes = sorted(corpus.all("therapy-class"),
                     key=lambda x: (x.get("parent") or x.id, x.get("parent") is not None, x.title))
    return [k for k in classes if not corpus.class_children.get(k.id) or _direct(corpus, k)]


def _direct(corpus: Corpus, k) -> list:
    return [s for s in corpus.studies_by_class.get(k.id, []) if k.id in s.get("classes", [])
            and not set(s.get("classes", [])) & set(corpus.class_and_descendants(k.id)[1:])]


def row_studies(corpus: Corpus, k) -> list:
    """The studies a row counts: a leaf class's own, or those filed under a family alone."""
    return _direct(corpus, k) if corpus.class_children.get(k.id) else corpus.studies_by_class.get(k.id, [])


def row_name(corpus: Corpus, k) -> str:
    """A row's label: a family's row says that it holds only the studies in none of its sub-classes."""
    name = k.get("short_name") or k.title
    return f"{name}, not in a sub-class" if corpus.class_children.get(k.id) else name


def class_rows(corpus: Corpus) -> tuple[list, list[str], dict[str, Counter]]:
    """(row classes, designs, class id -> studies per design)."""
    leaves = leaf_classes(corpus)
    counts = {k.id: Counter(s["design"] for s in row_studies(corpus, k)) for k in leaves}
    order = {st: i for i, st in enumerate(STAGE_COLOURS)}
    designs = sorted({d for c in counts.values() for d in c}, key=lambda d: (order[DESIGN_STAGE[d]], d))
    return leaves, designs, counts


def design_styles(designs: list[str]) -> list[dict]:
    """Colour (the design's stage) and pattern (its place among that stage's designs) of each design."""
    seen: Counter = Counter()
    out = []
    for d in designs:
        stage = DESIGN_STAGE[d]
        out.append({"color": STAGE_COLOURS[stage], "hatch": HATCHES[seen[stage] % len(HATCHES)]})
        seen[stage] += 1
    return out


def clinical_studies(corpus: Corpus) -> list:
    """Clinical studies of people (meta-analyses pool other studies: not one of them)."""
    return [s for s in corpus.studies_sorted
            if study_stage(s) in ("early-clinical", "randomised") and s["design"] != "meta-analysis"]


def enrolment_rows(corpus: Corpus) -> list:
    """Clinical studies that give how many took part (enrolled, or the sizes of their arms),
    largest first."""
    return sorted((s for s in clinical_studies(corpus) if participants(s)[0]), key=lambda s: -participants(s)[0])


def participants_label(s) -> str:
    """A chart bar's label: the study, and what its number counts when not everyone enrolled."""
    return s.title + (" (treated arm only)" if participants(s)[1] == "treated" else "")


def data_files(corpus: Corpus) -> dict[str, str]:
    """Each chart's numbers as CSV, the same rows in the same order as the chart (the first
    MAX_BARS for the participants chart, as drawn), with the title and source as comments
    would not survive a spreadsheet: they are in the page and in the image instead."""
    from .exports import to_csv
    leaves, designs, counts = class_rows(corpus)
    by_design = [{"class": k.id, "class_name": row_name(corpus, k),
                  **{d: counts[k.id][d] for d in designs}, "total": sum(counts[k.id].values())} for k in leaves]
    patients = [{"study": s.id, "title": s.title, "year": s["year"], "design": s["design"],
                 "participants": participants(s)[0], "counted": participants(s)[1]}
                for s in enrolment_rows(corpus)[:MAX_BARS]]
    return {data_file(CHART_DESIGNS): to_csv(by_design), data_file(CHART_PATIENTS): to_csv(patients)}


# -- drawing ----------------------------------------------------------------------------------

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "t1d-atlas", "svg.fonttype": "path"})
    return plt


def _svg(fig, meta: dict | None = None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None, **(meta or {})})
    return buf.getvalue()


def render_all(corpus: Corpus, cache: Path | None = None) -> dict[str, bytes]:
    """Both charts, every variant. With a cache folder, charts whose data has not changed are
    read back instead of drawn: importing matplotlib alone costs a quarter of a second."""
    leaves, designs, counts = class_rows(corpus)
    patients = enrolment_rows(corpus)[:MAX_BARS]
    design_chart = ([row_name(corpus, k) for k in leaves],
                    [(label(d), [counts[k.id][d] for k in leaves], style)
                     for d, style in zip(designs, design_styles(designs))])
    patient_chart = ([participants_label(s) for s in patients], [("Participants", [participants(s)[0] for s in patients], {"color": PALETTE[0], "hatch": ""})])
    inputs = json.dumps([design_chart, patient_chart, Path(__file__).read_text(encoding="utf-8"),
                         source_line(CHART_DESIGNS)], sort_keys=True)
    key = hashlib.sha256(inputs.encode()).hexdigest()[:20]
    names = [*files(CHART_DESIGNS).values(), *files(CHART_PATIENTS).values()]
    if cache is not None:  # outside the work tree, each file sealed (atlas/caches.py)
        from .caches import read_sealed
        hit = {name: read_sealed(cache / f"{key}-{Path(name).name}") for name in names}
        if all(v is not None for v in hit.values()):
            return hit
    plt = _plt()
    out = {}
    design_sources = [(k, "short_name" if k.get("short_name") else _title_field(k)) for k in leaves]
    patient_sources = [(s, _title_field(s)) for s in patients]
    for chart, (rows, segments), xlabel, sources in (
            (CHART_DESIGNS, design_chart, "Number of studies", design_sources),
            (CHART_PATIENTS, patient_chart, "Participants", patient_sources)):
        for (theme, variant), name in files(chart).items():
            try:
                out[name] = _bars(plt, rows, segments, xlabel, theme, variant, credit=chart)
            except Exception as e:  # any failure of the drawing library: the record and field that caused it
                plt.close("all")
                raise _chart_error(plt, chart, rows, segments, xlabel, theme, variant, sources, e) from None
    if cache is not None:
        from .caches import write_sealed
        for name, data in out.items():
            write_sealed(cache / f"{key}-{Path(name).name}", data)  # a failure only costs speed
    return out


def _title_field(record) -> str:
    return next((f for f in ("title", "name", "term") if f in record.data), "title")


def _chart_error(plt, chart, rows, segments, xlabel, theme, variant, sources, error):
    """A DataError naming the row whose label the chart cannot draw (each tried alone)."""
    from .diagnostics import DataError, Problem
    what = " ".join(f"{type(error).__name__}: {error}".split())[:200]
    for i, (row, (record, field)) in enumerate(zip(rows, sources)):
        try:
            _bars(plt, [row], [(n, v[i:i + 1], st) for n, v, st in segments], xlabel, theme, variant)
        except Exception:
            plt.close("all")
            return DataError([Problem(record.relpath, *record.where((field,), value=True), "chart-error",
                                      f"{field}: the chart {chart} cannot draw this text ({what}); "
                                      "rewrite it in plain characters")])
    return DataError([Problem("data", 1, 1, "chart-error", f"the chart {chart} cannot be drawn ({what})")])


def _bars(plt, rows: list[str], segments: list[tuple[str, list[int], dict]], xlabel: str, theme: str,
          variant: str, credit: str | None = None) -> bytes:
    """Horizontal (stacked) bars, one per row, each labelled above its bar; sizes in CSS px.
    credit: the chart's name, whose title goes above the plot and source and licence below."""
    # a segment without a style of its own (name, values) is drawn in the palette's next colour
    segments = [(sg[0], sg[1], sg[2] if len(sg) > 2 else {"color": PALETTE[i % len(PALETTE)], "hatch": ""})
                for i, sg in enumerate(segments)]
    colours, width, font = THEMES[theme], WIDTH_PX[variant], FONT_PX[variant]
    pt = 0.75  # points per CSS pixel
    per_line = max(12, int((width - font * 3) / (font * 0.6)))
    labels = [textwrap.wrap(r, per_line) or [""] for r in rows]
    line, bar, gap = font * 1.25, font * 1.1, font * 0.7
    legend_h = 0 if len(segments) < 2 else (font * 1.5) * -(-len(segments) // (1 if variant == "narrow" else 2))
    # no rows (an atlas without studies yet): one empty bar's height, not an axis of height 0
    body = sum(len(lb) * line + bar + gap for lb in labels) or bar + gap
    top, bottom, left, right = legend_h + font * 0.5, font * 3.2, font * 0.6, font * 2.2
    title_lines = textwrap.wrap(TITLES[credit], max(12, int(per_line * 0.9))) if credit else []
    source_lines = textwrap.wrap(source_line(credit), int(per_line * 1.15)) if credit else []
    title_h = len(title_lines) * font * 1.45 + (font * 0.4 if title_lines else 0)
    source_h = len(source_lines) * font * 0.85 * 1.3 + (font * 0.5 if source_lines else 0)
    top, bottom = top + title_h, bottom + source_h
    height = top + body + bottom
    fig = plt.figure(figsize=(width / 96, height / 96), dpi=96)
    ax = fig.add_axes((left / width, bottom / height, 1 - (left + right) / width, body / height))
    total = [sum(v[i] for _, v, _ in segments) for i in range(len(rows))]
    ax.set_xlim(0, max(total + [1]) * 1.04)
    ax.set_ylim(body, 0)
    y = 0.0
    starts = [0] * len(rows)
    centres = []
    for lb in labels:
        # labels are contributed text: drawn as written, never parsed as mathtext ($...$)
        ax.text(0, y, "\n".join(lb), va="top", ha="left", fontsize=font * pt, color=colours["text"],
                linespacing=1.15, parse_math=False)
        y += len(lb) * line
        centres.append(y + bar / 2)
        y += bar + gap
    plt.rcParams["hatch.linewidth"] = 0.8
    for name, values, style in segments:
        # the pattern in the page's text colour; a thin outline in it too keeps bars of one
        # colour apart where they touch
        ax.barh(centres, values, left=starts, height=bar, color=style["color"], hatch=style["hatch"] or None,
                edgecolor=colours["text"], linewidth=0.4,
                label=name)  # legend entries are drawn without math parsing too (below)
        starts = [a + b for a, b in zip(starts, values)]
    for c, t in zip(centres, total):
        ax.text(t, c, f" {t}", va="center", ha="left", fontsize=font * pt, color=colours["text"])
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=font * pt, colors=colours["text"])
    ax.set_xlabel(xlabel, fontsize=font * pt, color=colours["text"])
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="x", color=colours["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(colours["grid"])
    if title_lines:
        fig.text(left / width, 1 - font * 0.3 / height, "\n".join(title_lines), va="top", ha="left",
                 fontsize=font * 1.15 * pt, fontweight="bold", color=colours["text"], linespacing=1.2,
                 parse_math=False)
    if source_lines:
        fig.text(left / width, font * 0.3 / height, "\n".join(source_lines), va="bottom", ha="left",
                 fontsize=font * 0.85 * pt, color=colours["text"], linespacing=1.3, parse_math=False)
    if len(segments) > 1:
        fig.legend(loc="upper left", bbox_to_anchor=(left / width, 1 - (title_h + font * 0.2) / height), frameon=False,
                   ncol=1 if variant == "narrow" else 2, fontsize=font * pt, labelcolor=colours["text"],
                   handlelength=1.2, columnspacing=1.2, borderaxespad=0)
        for text in fig.legends[-1].get_texts():
            text.set_parse_math(False)
    data = _svg(fig, {"Title": TITLES[credit], "Source": source_line(credit), "Rights": LICENCE} if credit else None)
    plt.close(fig)
    return data
