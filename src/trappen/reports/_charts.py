"""Charts as inline SVG, drawn with matplotlib's object API on the Agg/SVG backends (no pyplot,
no global figure state, no external files)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

_PALETTE = ("#9ecae1", "#6baed6", "#4292c6", "#fdae6b", "#f16913", "#a63603")


def _svg(fig: Figure, *, salt: str) -> str:
    buf = io.StringIO()
    # text as <text> (smaller, selectable); salt keeps clip-path ids unique between charts
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def line_chart(*, x: Sequence[int], series: Sequence[tuple[str, Sequence[float | None]]],
               title: str, salt: str) -> str:
    """One line per series (``None`` = hidden cell, drawn as a gap)."""
    fig = Figure(figsize=(7.0, 3.2))
    ax = fig.add_subplot()
    for i, (name, ys) in enumerate(series):
        ax.plot(list(x), [float("nan") if y is None else y for y in ys], marker="o",
                color=_PALETTE[i % len(_PALETTE)], label=name)
    ax.set_title(title, fontsize=10)
    ax.set_xticks(list(x))
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _svg(fig, salt=salt)


def bar_chart(*, labels: Sequence[str], values: Sequence[float | None], title: str, salt: str) -> str:
    """Horizontal bars (``None`` = hidden, no bar)."""
    fig = Figure(figsize=(7.0, 0.4 * len(labels) + 1.0))
    ax = fig.add_subplot()
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, [0.0 if v is None else v for v in values],
            color=[_PALETTE[i % len(_PALETTE)] for i in range(len(labels))])
    ax.set_yticks(ys, list(labels), fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, salt=salt)
