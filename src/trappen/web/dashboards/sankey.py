"""A server-rendered Sankey diagram (SVG) of moves between steps: no script, no inline style
(presentation attributes only), so it passes the strict Content Security Policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.html import escape

WIDTH = 1000
HEIGHT = 420
NODE_W = 14
GAP = 10
LABEL_W = 300
PALETTE = ("#5b6b76", "#1f5f8b", "#3a9d5d", "#c9a227", "#e07b39", "#b5446e", "#7a5cc2", "#2aa1b3")


def _layout(totals: Mapping[int, float], *, height: float) -> dict[int, tuple[float, float]]:
    """(top, height) of each node, stacked in step order with a gap between nodes."""
    nodes = sorted(k for k, v in totals.items() if v > 0)
    total = sum(totals[k] for k in nodes)
    usable = height - GAP * max(len(nodes) - 1, 0)
    out, y = {}, 0.0
    for k in nodes:
        h = usable * totals[k] / total if total else 0.0
        out[k] = (y, h)
        y += h + GAP
    return out


def sankey_svg(links: Iterable[tuple[int, int, int | None]], *, names: Mapping[int, str]) -> str:
    """The flow diagram as an SVG string: from-steps on the left, to-steps on the right.

    Args:
        links: ``(from_step, to_step, moves)``; links with ``None`` (hidden) or 0 moves are not
            drawn.
        names: label for each step number (0 = not on the staircase).
    """
    drawn = [(a, b, float(n)) for a, b, n in links if n]
    if not drawn:
        return ""
    left: dict[int, float] = {}
    right: dict[int, float] = {}
    for a, b, n in drawn:
        left[a] = left.get(a, 0.0) + n
        right[b] = right.get(b, 0.0) + n
    inner_h = HEIGHT - 20
    lpos, rpos = _layout(left, height=inner_h), _layout(right, height=inner_h)
    x0, x1 = LABEL_W, WIDTH - LABEL_W
    scale_l = {k: (h / left[k] if left[k] else 0.0) for k, (_, h) in lpos.items()}
    scale_r = {k: (h / right[k] if right[k] else 0.0) for k, (_, h) in rpos.items()}
    lused = dict.fromkeys(lpos, 0.0)
    rused = dict.fromkeys(rpos, 0.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'role="img" class="sankey" aria-label="{escape("Sankey")}">']
    for a, b, n in sorted(drawn, key=lambda t: (t[0], t[1])):
        ha, hb = n * scale_l[a], n * scale_r[b]
        ya = 10 + lpos[a][0] + lused[a]
        yb = 10 + rpos[b][0] + rused[b]
        lused[a] += ha
        rused[b] += hb
        mx = (x0 + NODE_W + x1) / 2
        path = (
            f"M{x0 + NODE_W:.1f},{ya:.1f} C{mx:.1f},{ya:.1f} {mx:.1f},{yb:.1f} {x1:.1f},{yb:.1f} "
            f"L{x1:.1f},{yb + hb:.1f} C{mx:.1f},{yb + hb:.1f} {mx:.1f},{ya + ha:.1f} {x0 + NODE_W:.1f},{ya + ha:.1f} Z"
        )
        colour = PALETTE[a % len(PALETTE)]
        parts.append(
            f'<path d="{path}" fill="{colour}" fill-opacity="0.35" stroke="none">'
            f"<title>{escape(names.get(a, str(a)))} → {escape(names.get(b, str(b)))}: {int(n)}</title></path>"
        )
    for side, pos, totals, x, anchor, tx in (
        ("l", lpos, left, x0, "end", x0 - 6),
        ("r", rpos, right, x1, "start", x1 + NODE_W + 6),
    ):
        for k, (top, h) in pos.items():
            colour = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{10 + top:.1f}" width="{NODE_W}" height="{max(h, 1):.1f}" fill="{colour}"/>'
            )
            label = f"{k}. {names.get(k, str(k))} ({int(totals[k])})"
            parts.append(
                f'<text x="{tx:.1f}" y="{10 + top + h / 2 + 4:.1f}" text-anchor="{anchor}" '
                f'font-size="13" class="sankey-{side}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
