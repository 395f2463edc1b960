"""Small inline SVG charts for the HTML report: lines with interval bands, bars, points
on two axes (the staffing search's cost against a target), and steps (staff per
interval, constant within each).

Written by hand rather than with matplotlib: the report needs two kinds of chart, a few
kilobytes of SVG each; no plotting library to install, import (matplotlib alone takes
about a second to import) or keep deterministic, and every label goes through
``html.escape``, since names are the user's text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "PALETTE",
    "Points",
    "Series",
    "bar_chart",
    "line_chart",
    "scatter_chart",
    "step_chart",
]

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2"]

W, H = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 26, 34


@dataclass
class Series:
    """One line: a value per x, NaN where there is none; ``low``/``high`` draw a band."""

    name: str
    values: list[float]
    low: list[float] | None = None
    high: list[float] | None = None


def _f(x: float) -> str:
    return f"{x:.1f}"


def _nice_max(x: float) -> float:
    if x <= 0 or not math.isfinite(x):
        return 1.0
    exp = float(10.0 ** math.floor(math.log10(x)))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= x:
            return float(m * exp)
    return 10.0 * exp


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if not math.isnan(v) and math.isfinite(v)]


def _runs(xs: Sequence[float], ys: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Consecutive points with a value: a line breaks where there is none."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, y in zip(xs, ys, strict=True):
        if math.isnan(y) or not math.isfinite(y):
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, y))
    if current:
        runs.append(current)
    return runs


def line_chart(
    title: str,
    xs: Sequence[float],
    x_labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str],
    y_max: float | None = None,
) -> str:
    """Lines over ``xs`` with a shaded 95% band each; the y axis starts at 0 and ends at
    ``y_max`` (e.g. 1 for a share) or a round number above the data."""
    data = [v for s in series for v in _finite(s.values + (s.high or []))]
    top = y_max if y_max is not None else _nice_max(max(data, default=1.0))
    x0, x1 = min(xs, default=0.0), max(xs, default=1.0)
    span = (x1 - x0) or 1.0
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    legend = len(series) > 1 or bool(series and series[0].name)
    height = H + (14 * len(series) + 4 if legend else 0)  # the legend goes under the axis

    def px(x: float) -> float:
        return LEFT + (x - x0) / span * pw

    def py(y: float) -> float:
        return TOP + ph - min(max(y, 0.0), top) / top * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>',
    ]
    for i in range(5):
        y = top * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_f(py(y))}" y2="{_f(py(y))}" class="g"/>'
            f'<text x="{LEFT - 4}" y="{_f(py(y) + 4)}" class="a" text-anchor="end">'
            f"{escape(fmt(y))}</text>"
        )
    step = max(1, math.ceil(len(xs) / 12))
    for i, (x, label) in enumerate(zip(xs, x_labels, strict=True)):
        if i % step == 0:
            parts.append(
                f'<text x="{_f(px(x))}" y="{H - BOTTOM + 14}" class="a" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        if s.low is not None and s.high is not None:
            for run in _runs(xs, [
                math.nan if math.isnan(lo) or math.isnan(hi) else (lo + hi) / 2
                for lo, hi in zip(s.low, s.high, strict=True)
            ]):
                idx = [xs.index(x) for x, _ in run]
                upper = [f"{_f(px(xs[i]))},{_f(py(s.high[i]))}" for i in idx]
                lower = [f"{_f(px(xs[i]))},{_f(py(s.low[i]))}" for i in reversed(idx)]
                parts.append(
                    f'<polygon points="{" ".join(upper + lower)}" fill="{color}" '
                    'fill-opacity="0.18" stroke="none"/>'
                )
        for run in _runs(xs, s.values):
            pts = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in run)
            if len(run) == 1:
                x, y = run[0]
                parts.append(f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="2.5" '
                             f'fill="{color}"/>')
            else:
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" '
                             'stroke-width="2"/>')
    if legend:
        lx = LEFT
        for k, s in enumerate(series):
            color = PALETTE[k % len(PALETTE)]
            y = H + 14 * k
            parts.append(
                f'<rect x="{lx}" y="{y - 8}" width="10" height="10" fill="{color}"/>'
                f'<text x="{lx + 14}" y="{y + 1}" class="a">{escape(s.name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float],
              fmt: Callable[[float], str]) -> str:
    """Horizontal bars, one per label, with the value written beside each."""
    row = 22
    height = TOP + row * max(1, len(labels)) + 8
    label_w = min(220, 12 + 7 * max((len(label) for label in labels), default=4))
    finite = _finite(values)
    top = max(finite, default=1.0) or 1.0
    pw = W - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="16" class="t">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * row
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" class="a" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if not math.isnan(v) and math.isfinite(v):
            w = max(0.0, v) / top * pw
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{_f(w)}" height="{row - 6}" '
                f'fill="{PALETTE[0]}"/>'
            )
            parts.append(
                f'<text x="{_f(label_w + w + 4)}" y="{y + 14}" class="a">{escape(fmt(v))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Points:
    """Points of one kind on a scatter chart; ``joined`` draws a line through them in
    the order given (a frontier), ``ring`` a larger open circle (the answer)."""

    name: str
    xs: list[float]
    ys: list[float]
    color: str
    joined: bool = False
    ring: bool = False


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    exp = float(10.0 ** math.floor(math.log10(raw)))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= raw:
            return float(m * exp)
    return 10.0 * exp


def scatter_chart(
    title: str,
    groups: Sequence[Points],
    x_fmt: Callable[[float], str],
    y_fmt: Callable[[float], str],
    x_title: str,
    goal: float | None = None,
    y_max: float | None = None,
) -> str:
    """Points on an x axis fitted to the data (round ticks around it) and a y axis from 0
    to ``y_max`` (or a round number above the data and the goal); ``goal`` is drawn as a
    dashed line. Points with a NaN coordinate are left out."""
    kept = [
        [(x, y) for x, y in zip(g.xs, g.ys, strict=True) if _finite([x]) and _finite([y])]
        for g in groups
    ]
    xs_all = [x for pts in kept for x, _ in pts]
    ys_all = [y for pts in kept for _, y in pts] + ([goal] if goal is not None else [])
    top = y_max if y_max is not None else _nice_max(max(ys_all, default=1.0))
    lo, hi = min(xs_all, default=0.0), max(xs_all, default=1.0)
    step = _nice_step(hi - lo if hi > lo else abs(hi) or 1.0)
    x0 = math.floor(lo / step) * step
    x1 = max(math.ceil(hi / step) * step, x0 + step)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    height = H + 14 + 14 * len(groups) + 4  # x title and legend under the axis

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return TOP + ph - min(max(y, 0.0), top) / top * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>',
    ]
    for i in range(5):
        y = top * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_f(py(y))}" y2="{_f(py(y))}" class="g"/>'
            f'<text x="{LEFT - 4}" y="{_f(py(y) + 4)}" class="a" text-anchor="end">'
            f"{escape(y_fmt(y))}</text>"
        )
    n = round((x1 - x0) / step)
    for i in range(n + 1):
        x = x0 + i * step
        anchor = "end" if i == n else "middle"  # the last label stays inside the chart
        parts.append(
            f'<line x1="{_f(px(x))}" x2="{_f(px(x))}" y1="{TOP}" y2="{TOP + ph}" class="g"/>'
            f'<text x="{_f(px(x))}" y="{H - BOTTOM + 14}" class="a" text-anchor="{anchor}">'
            f"{escape(x_fmt(x))}</text>"
        )
    parts.append(
        f'<text x="{LEFT + pw / 2:.1f}" y="{H - BOTTOM + 28}" class="a" '
        f'text-anchor="middle">{escape(x_title)}</text>'
    )
    if goal is not None and _finite([goal]):
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_f(py(goal))}" y2="{_f(py(goal))}" '
            'stroke="#555" stroke-dasharray="5 4"/>'
            f'<text x="{W - RIGHT - 2}" y="{_f(py(goal) - 4)}" class="a" text-anchor="end">'
            f"goal {escape(y_fmt(goal))}</text>"
        )
    for g, pts in zip(groups, kept, strict=True):
        if g.joined and len(pts) > 1:
            line = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in pts)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{g.color}" '
                         'stroke-width="1.5"/>')
        for x, y in pts:
            if g.ring:
                parts.append(f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="6" fill="none" '
                             f'stroke="{g.color}" stroke-width="2.5"/>')
            else:
                parts.append(f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="3" '
                             f'fill="{g.color}"/>')
    for k, g in enumerate(groups):
        y = H + 14 + 14 * k
        parts.append(
            f'<circle cx="{LEFT + 5}" cy="{y - 3}" r="4" fill="{"none" if g.ring else g.color}"'
            f' stroke="{g.color}" stroke-width="2"/>'
            f'<text x="{LEFT + 14}" y="{y + 1}" class="a">{escape(g.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


STEP_STYLES = (
    'stroke-width="6" stroke-opacity="0.35"',
    'stroke-width="2"',
    'stroke-width="1.5" stroke-dasharray="5 3"',
)
"""The first series as a wide pale band, the second a line over it, the third dashed, so
lines that coincide (scheduled exactly as required) stay visible."""


def step_chart(
    title: str,
    edges: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str],
) -> str:
    """One value per interval, drawn flat across it: ``edges`` labels the interval
    boundaries (one more than the values), every series has a value per interval."""
    n = len(edges) - 1
    data = [v for s in series for v in _finite(s.values)]
    top = _nice_max(max(data, default=1.0))
    right = 2 * RIGHT  # room for the last boundary's label, centred on the axis' end
    pw, ph = W - LEFT - right, H - TOP - BOTTOM
    height = H + 14 * len(series) + 4

    def px(i: float) -> float:
        return LEFT + i / max(n, 1) * pw

    def py(y: float) -> float:
        return TOP + ph - min(max(y, 0.0), top) / top * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>',
    ]
    for i in range(5):
        y = top * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{W - right}" y1="{_f(py(y))}" y2="{_f(py(y))}" class="g"/>'
            f'<text x="{LEFT - 4}" y="{_f(py(y) + 4)}" class="a" text-anchor="end">'
            f"{escape(fmt(y))}</text>"
        )
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(edges):
        if i % every == 0:
            parts.append(
                f'<text x="{_f(px(i))}" y="{H - BOTTOM + 14}" class="a" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        style = STEP_STYLES[min(k, len(STEP_STYLES) - 1)]
        pts: list[str] = []
        for i, v in enumerate(s.values[:n]):
            if math.isnan(v) or not math.isfinite(v):
                if len(pts) > 1:
                    parts.append(f'<polyline points="{" ".join(pts)}" fill="none" '
                                 f'stroke="{color}" {style}/>')
                pts = []
                continue
            pts += [f"{_f(px(i))},{_f(py(v))}", f"{_f(px(i + 1))},{_f(py(v))}"]
        if len(pts) > 1:
            parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" '
                         f"{style}/>")
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        style = STEP_STYLES[min(k, len(STEP_STYLES) - 1)]
        y = H + 14 * k
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + 18}" y1="{y - 3}" y2="{y - 3}" stroke="{color}" '
            f"{style}/>"
            f'<text x="{LEFT + 24}" y="{y + 1}" class="a">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
