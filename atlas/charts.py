"""Static chart images for the evidence overview (SVG, drawn by matplotlib).

Text is drawn as paths, so the images need no web font; every chart has a table
alternative on the page. Output is deterministic (fixed hash salt, no date).
"""
from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from pathlib import Path

from .corpus import Corpus, study_stage

CHART_DESIGNS = "evidence/studies-per-class-by-design.svg"
CHART_PATIENTS = "evidence/patients-per-clinical-study.svg"
MAX_BARS = 40


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


def render_all(corpus: Corpus, cache: Path | None = None) -> dict[str, bytes]:
    """Both charts. With a cache folder, charts whose data has not changed are read back
    instead of drawn: importing matplotlib alone costs a quarter of a second per build."""
    leaves = sorted((k for k in corpus.all("therapy-class") if not corpus.class_children.get(k.id)),
                    key=lambda k: k.title.lower())
    counts = {k.id: Counter(s["design"] for s in corpus.studies_by_class.get(k.id, [])) for k in leaves}
    designs = sorted({d for c in counts.values() for d in c})
    clinical = [s for s in corpus.studies_sorted
                if study_stage(s) in ("early-clinical", "randomised") and s.get("enrolled")
                and s["design"] != "meta-analysis"]
    inputs = json.dumps([[(k.get("short_name") or k.title, sorted(counts[k.id].items())) for k in leaves],
                         [(s.title, s["enrolled"]) for s in clinical], MAX_BARS,
                         Path(__file__).read_text(encoding="utf-8")], sort_keys=True)
    key = hashlib.sha256(inputs.encode()).hexdigest()[:20]
    if cache is not None:
        hit = {name: cache / f"{key}-{Path(name).name}" for name in (CHART_DESIGNS, CHART_PATIENTS)}
        if all(p.exists() for p in hit.values()):
            return {name: p.read_bytes() for name, p in hit.items()}
    out = _draw(leaves, counts, designs, clinical)
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            for name, data in out.items():
                (cache / f"{key}-{Path(name).name}").write_bytes(data)
        except OSError:
            pass  # a read-only checkout still builds, only slower
    return out


def _draw(leaves, counts, designs, clinical) -> dict[str, bytes]:
    plt = _plt()
    out = {}
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

    shown = clinical
    if len(clinical) > MAX_BARS:  # a chart of thousands of bars says nothing; the table lists them all
        shown = sorted(clinical, key=lambda s: -s["enrolled"])[:MAX_BARS]
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(shown), 1) + 1.2))
    ax.barh([s.title if len(s.title) < 60 else s.title[:57] + "..." for s in shown],
            [s["enrolled"] for s in shown], color="#3f51b5")
    ax.invert_yaxis()
    ax.set_xlabel("Participants enrolled")
    ax.set_title("Participants per clinical study" if shown is clinical
                 else f"Participants in the {MAX_BARS} largest of {len(clinical)} clinical studies")
    out[CHART_PATIENTS] = _svg(fig)
    plt.close(fig)
    return out
