"""The event-study chart, drawn on the server: as inline SVG for the page (no script, no
download, works offline and prints) and as a ReportLab drawing for the PDF, both from one
layout so the two always agree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 40
PRE_COLOUR = "#6b6b6b"
POST_COLOUR = "#0b5cad"
AXIS_COLOUR = "#333333"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    low: float | None
    high: float | None
    event_time: int
    pre: bool


@dataclass(frozen=True)
class Layout:
    marks: list[Mark]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    zero_y: float
    reference_x: float | None


def _nice_step(span: float) -> float:
    raw = span / 5 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def layout(rows: list[dict[str, Any]]) -> Layout | None:
    rows = [r for r in rows if r.get("att") is not None]
    if not rows:
        return None
    values = [0.0]
    for r in rows:
        values.append(r["att"])
        values += [v for v in (r.get("ci_low"), r.get("ci_high")) if v is not None]
    lo, hi = min(values), max(values)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if hi == lo:
        hi = lo + step
    times = [r["event_time"] for r in rows]
    t0, t1 = min(times + [-1]), max(times)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(t: float) -> float:
        return LEFT + (t - t0 + 0.5) / (t1 - t0 + 1) * plot_w

    def sy(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    marks = [
        Mark(
            x=sx(r["event_time"]),
            y=sy(r["att"]),
            low=sy(r["ci_low"]) if r.get("ci_low") is not None else None,
            high=sy(r["ci_high"]) if r.get("ci_high") is not None else None,
            event_time=r["event_time"],
            pre=r["event_time"] < 0,
        )
        for r in rows
    ]
    y_ticks = []
    k = 0
    while lo + k * step <= hi + 1e-9:
        v = lo + k * step
        y_ticks.append((sy(v), f"{v:g}"))
        k += 1
    every = max(1, round((t1 - t0 + 1) / 12))
    x_ticks = [(sx(t), f"{t:+d}" if t else "0") for t in range(t0, t1 + 1) if t % every == 0]
    return Layout(
        marks=marks, y_ticks=y_ticks, x_ticks=x_ticks, zero_y=sy(0.0), reference_x=sx(-0.5)
    )


def event_study_svg(rows: list[dict[str, Any]], *, title: str, x_label: str, y_label: str) -> str:
    """An accessible SVG (role="img" with a title; the page gives the same figures as a
    table)."""
    lay = layout(rows)
    if lay is None:
        return ""
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for y, label in lay.y_ticks:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e3e3e3" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS_COLOUR}">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{lay.zero_y:.1f}" y2="{lay.zero_y:.1f}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1.2"/>'
    )
    if lay.reference_x is not None:
        out.append(
            f'<line x1="{lay.reference_x:.1f}" x2="{lay.reference_x:.1f}" y1="{TOP}" '
            f'y2="{HEIGHT - BOTTOM}" stroke="{AXIS_COLOUR}" stroke-dasharray="4 3"/>'
        )
    for m in lay.marks:
        colour = PRE_COLOUR if m.pre else POST_COLOUR
        if m.low is not None and m.high is not None:
            out.append(
                f'<line x1="{m.x:.1f}" x2="{m.x:.1f}" y1="{m.low:.1f}" y2="{m.high:.1f}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        shape = (
            f'<rect x="{m.x - 3:.1f}" y="{m.y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
            if m.pre
            else f'<circle cx="{m.x:.1f}" cy="{m.y:.1f}" r="3.5" fill="{colour}"/>'
        )
        out.append(shape)
    for x, label in lay.x_ticks:
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle" font-size="11" '
            f'fill="{AXIS_COLOUR}">{escape(label)}</text>'
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" '
        f'font-size="12" fill="{AXIS_COLOUR}">{escape(x_label)}</text>'
        f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" text-anchor="middle" font-size="12" '
        f'fill="{AXIS_COLOUR}" transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2:.0f})">'
        f"{escape(y_label)}</text>"
    )
    out.append("</svg>")
    return "".join(out)


def event_study_drawing(rows: list[dict[str, Any]], *, x_label: str, y_label: str, font: str):
    """The same chart as a ReportLab Drawing (PDF coordinates grow upwards)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
    from reportlab.lib.colors import HexColor

    lay = layout(rows)
    drawing = Drawing(WIDTH, HEIGHT)
    if lay is None:
        return drawing

    def fy(y: float) -> float:
        return HEIGHT - y

    axis = HexColor(AXIS_COLOUR)
    for y, label in lay.y_ticks:
        drawing.add(Line(LEFT, fy(y), WIDTH - RIGHT, fy(y), strokeColor=HexColor("#e3e3e3")))
        drawing.add(String(LEFT - 6, fy(y) - 4, label, fontName=font, fontSize=9, textAnchor="end"))
    drawing.add(
        Line(LEFT, fy(lay.zero_y), WIDTH - RIGHT, fy(lay.zero_y), strokeColor=axis, strokeWidth=1.2)
    )
    if lay.reference_x is not None:
        drawing.add(
            Line(
                lay.reference_x,
                fy(TOP),
                lay.reference_x,
                fy(HEIGHT - BOTTOM),
                strokeColor=axis,
                strokeDashArray=[4, 3],
            )
        )
    for m in lay.marks:
        colour = HexColor(PRE_COLOUR if m.pre else POST_COLOUR)
        if m.low is not None and m.high is not None:
            drawing.add(Line(m.x, fy(m.low), m.x, fy(m.high), strokeColor=colour, strokeWidth=1.5))
        if m.pre:
            drawing.add(Rect(m.x - 3, fy(m.y) - 3, 6, 6, fillColor=colour, strokeColor=None))
        else:
            drawing.add(Circle(m.x, fy(m.y), 3.5, fillColor=colour, strokeColor=None))
    for x, label in lay.x_ticks:
        drawing.add(
            String(
                x, fy(HEIGHT - BOTTOM + 15), label, fontName=font, fontSize=9, textAnchor="middle"
            )
        )
    drawing.add(
        String(
            (LEFT + WIDTH - RIGHT) / 2, 6, x_label, fontName=font, fontSize=10, textAnchor="middle"
        )
    )
    label = String(0, 0, y_label, fontName=font, fontSize=10, textAnchor="middle")
    from reportlab.graphics.shapes import Group

    group = Group(label)
    group.transform = (0, 1, -1, 0, 14, fy((TOP + HEIGHT - BOTTOM) / 2))
    drawing.add(group)
    return drawing
