"""Static chart images for the evidence overview (SVG, drawn by matplotlib).

Text is drawn as paths, so the images need no web font; every chart has a table
alternative on the page. Output is deterministic (fixed hash salt, no date).
"""
from __future__ import annotations

import io
from collections import Counter

from .corpus import Corpus, study_stage

CHART_DESIGNS = "evidence/studies-per-class-by-design.svg"
CHART_PATIENTS = "evidence/patients-per-clinical-study.svg"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "t1d-atlas", "svg.fonttype": "path", "font.size": 9})
    return plt


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def render_all(corpus: Corpus) -> dict[str, bytes]:
    plt = _plt()
    out = {}
    leaves = sorted((k for k in corpus.all("therapy-class") if not corpus.class_children.get(k.id)),
                    key=lambda k: k.title.lower())
    counts = {k.id: Counter(s["design"] for s in corpus.studies_by_class.get(k.id, [])) for k in leaves}
    designs = sorted({d for c in counts.values() for d in c})
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(leaves), 1) + 1.2))
    names = [k.get("short_name") or k.title for k in leaves]
    left = [0] * len(leaves)
    colours = plt.get_cmap("tab10")
    for i, d in enumerate(designs):
        vals = [counts[k.id][d] for k in leaves]
        ax.barh(names, vals, left=left, label=d.replace("-", " "), color=colours(i % 10))
        left = [a + b for a, b in zip(left, vals)]
    ax.invert_yaxis()
    ax.set_xlabel("Number of studies")
    ax.set_title("Studies per therapy class, by design")
    ax.legend(fontsize=7, loc="lower right")
    out[CHART_DESIGNS] = _svg(fig)
    plt.close(fig)

    clinical = [s for s in corpus.studies_sorted
                if study_stage(s) in ("early-clinical", "randomised") and s.get("enrolled")
                and s["design"] != "meta-analysis"]
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(clinical), 1) + 1.2))
    ax.barh([s.title if len(s.title) < 60 else s.title[:57] + "..." for s in clinical],
            [s["enrolled"] for s in clinical], color="#3f51b5")
    ax.invert_yaxis()
    ax.set_xlabel("Participants enrolled")
    ax.set_title("Participants per clinical study")
    out[CHART_PATIENTS] = _svg(fig)
    plt.close(fig)
    return out
