"""Small, dependency-free SVG charts: bars, horizontal bars, and a map of hexagonal cells.

Every chart is a standalone document (it downloads as a file and opens anywhere) that also
works inline in a page: `role="img"`, a `<title>` and a `<desc>` for screen readers, colours as
presentation attributes (the CSP forbids inline styles), and every text escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import cos, radians
from xml.sax.saxutils import escape, quoteattr

import h3

INK, MUTED, GRID, BAR = "#1a1a1a", "#595959", "#d9d9d9", "#0b5394"
FONT = "system-ui, sans-serif"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _document(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(title)} font-family="{FONT}" '
        f'font-size="12" fill="{INK}">'
    )
    return "".join(
        [head, f"<title>{escape(title)}</title>", f"<desc>{escape(desc)}</desc>", *body, "</svg>"]
    )


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    label_every: int = 1,
) -> str:
    """Vertical bars, one per label, with the largest value marked on the axis."""
    width, height, left, bottom, top = 720, 260, 40, 40, 16
    plot_w, plot_h = width - left - 8, height - top - bottom
    peak = max(values, default=0) or 1
    step = plot_w / max(1, len(values))
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{width - 8}" y2="{top}" stroke="{GRID}"/>',
        _text(left - 4, top + 4, _number(peak), text_anchor="end", fill=MUTED),
        _text(left - 4, top + plot_h, "0", text_anchor="end", fill=MUTED),
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * value / peak
        x = left + index * step
        body.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{step * 0.8:.1f}" height="{bar_h:.1f}" fill="{BAR}">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
        )
        if index % label_every == 0:
            body.append(
                _text(x + step / 2, height - bottom + 16, label, text_anchor="middle", fill=MUTED)
            )
    return _document(width, height, title, desc, body)


def hbar_chart(
    title: str, desc: str, labels: Sequence[str], values: Sequence[float], shown: Sequence[str]
) -> str:
    """Horizontal bars with the category on the left and `shown` (the value as text) at the end."""
    row, left, width = 28, 250, 720
    height = max(1, len(values)) * row + 16
    peak = max(values, default=0) or 1
    room = 16 + 7 * max((len(text) for text in shown), default=0)  # for the value's text
    body = []
    for index, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        y = 8 + index * row
        bar_w = (width - left - room) * value / peak
        body.append(_text(left - 8, y + 17, _clip(label, 38), text_anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{bar_w:.1f}" height="{row - 10}" fill="{BAR}"/>'
        )
        body.append(_text(left + bar_w + 6, y + 17, text, fill=MUTED))
    return _document(width, height, title, desc, body)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass(frozen=True)
class HexCell:
    cell: str
    fill: str
    label: str  # what a screen reader or a hover says about the cell


def hex_map(
    title: str,
    desc: str,
    cells: Sequence[HexCell],
    outlines: Sequence[Sequence[tuple[float, float]]],
    legend: Sequence[tuple[str, str]],
) -> str:
    """Coarse H3 cells (and zone outlines, as (lat, lon) rings) on a flat local projection."""
    polygons = [[(float(a), float(b)) for a, b in h3.cell_to_boundary(c.cell)] for c in cells]
    points = [p for ring in [*polygons, *outlines] for p in ring]
    width, height = 720, 420
    legend_h = 24 * len(legend) + 8
    if not points:
        body = [_text(width / 2, 40, "—", text_anchor="middle", fill=MUTED)]
        return _document(width, 60 + legend_h, title, desc, body + _legend(legend, 60))
    project = _projection(points, width, height)
    body = [
        f'<polygon points="{_path(ring, project)}" fill="none" stroke="{MUTED}" '
        'stroke-dasharray="4 3"/>'
        for ring in outlines
    ]
    for cell, ring in zip(cells, polygons, strict=True):
        body.append(
            f'<polygon points="{_path(ring, project)}" fill="{cell.fill}" stroke="#ffffff">'
            f"<title>{escape(cell.label)}</title></polygon>"
        )
    return _document(width, height + legend_h, title, desc, body + _legend(legend, height))


def _projection(
    points: Sequence[tuple[float, float]], width: int, height: int
) -> tuple[float, float, float, float]:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    shrink = cos(radians(sum(lats) / len(lats)))  # degrees of longitude are shorter here
    span_x = max((max(lons) - min(lons)) * shrink, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((width - 20) / span_x, (height - 20) / span_y)
    return min(lons), max(lats), scale, shrink


def _path(ring: Sequence[tuple[float, float]], project: tuple[float, float, float, float]) -> str:
    west, north, scale, shrink = project
    return " ".join(
        f"{10 + (lon - west) * shrink * scale:.1f},{10 + (north - lat) * scale:.1f}"
        for lat, lon in ring
    )


def _legend(legend: Sequence[tuple[str, str]], top: float) -> list[str]:
    body = []
    for index, (fill, text) in enumerate(legend):
        y = top + 8 + index * 24
        body.append(f'<rect x="10" y="{y}" width="16" height="16" fill="{fill}" stroke="{MUTED}"/>')
        body.append(_text(34, y + 13, text))
    return body
