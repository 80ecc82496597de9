"""Inline-SVG charts of the research reports: fan chart, histogram, scatter.

Same approach as :mod:`jutsu.reporting.svg` (hand-written SVG so a report is one offline file)
and the same palette; separate because these charts have a numeric x axis (steps, values)
where the backtest charts have dates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

import numpy as np
import numpy.typing as npt

from jutsu.reporting.svg import PALETTE

__all__ = ["fan_chart", "histogram", "scatter"]

FloatArray = npt.NDArray[np.float64]
Fmt = Callable[[float], str]

_W, _H = 900, 280
_L, _R, _T, _B = 72, 14, 14, 30


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    v, out = math.floor(lo / step) * step, []
    while v <= hi + step * 1e-9:
        out.append(round(v, 12) + 0.0)
        v += step
    return out


class _Box:
    """Linear maps of both axes into the plot box, and the axes themselves."""

    def __init__(self, x_lo: float, x_hi: float, y_lo: float, y_hi: float) -> None:
        self.xt, self.yt = _ticks(x_lo, x_hi), _ticks(y_lo, y_hi)
        self.x0, self.x1 = min(self.xt[0], x_lo), max(self.xt[-1], x_hi)
        self.y0, self.y1 = min(self.yt[0], y_lo), max(self.yt[-1], y_hi)
        self.x1 = self.x1 if self.x1 > self.x0 else self.x0 + 1.0
        self.y1 = self.y1 if self.y1 > self.y0 else self.y0 + 1.0

    def x(self, v: float) -> float:
        return _L + (v - self.x0) / (self.x1 - self.x0) * (_W - _L - _R)

    def y(self, v: float) -> float:
        return _T + (self.y1 - v) / (self.y1 - self.y0) * (_H - _T - _B)

    def axes(self, x_fmt: Fmt, y_fmt: Fmt) -> list[str]:
        out: list[str] = []
        for t in self.yt:
            yy = self.y(t)
            out.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{yy:.1f}" y2="{yy:.1f}" class="grid"/>')
            out.append(f'<text x="{_L - 4}" y="{yy + 4:.1f}" text-anchor="end">{escape(y_fmt(t))}</text>')
        for t in self.xt:
            xx = self.x(t)
            out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{_T}" y2="{_H - _B}" class="grid"/>')
            out.append(f'<text x="{xx:.1f}" y="{_H - 10}" text-anchor="middle">{escape(x_fmt(t))}</text>')
        return out


def _svg(title: str, body: Sequence[str], height: int = _H) -> str:
    return (
        f'<svg viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(title: str) -> str:
    return _svg(title, ['<text x="20" y="40">no data</text>'], 60)


def _legend(items: Sequence[tuple[str, str]], opacity: Sequence[float] = ()) -> list[str]:
    out, x = [], _L + 6
    for i, (label, color) in enumerate(items):
        alpha = opacity[i] if i < len(opacity) else 1.0
        out.append(
            f'<rect x="{x}" y="{_T + 2}" width="10" height="10" fill="{color}" fill-opacity="{alpha:.2f}"/>'
        )
        out.append(f'<text x="{x + 14}" y="{_T + 11}">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return out


def fan_chart(
    title: str,
    steps: Sequence[int] | npt.NDArray[np.intp],
    bands: FloatArray,
    percentiles: Sequence[float],
    *,
    original: Sequence[float] | None = None,
    y_fmt: Fmt = lambda v: f"{v:,.0f}",
) -> str:
    """Percentile bands of equity paths: shaded outer/inner ranges, the median as a line.

    ``bands`` is ``len(percentiles) × len(steps)`` in ascending percentile order; pairs are
    shaded from the outside in. ``original`` (one value per step) is drawn on top.
    """
    xs = np.asarray(steps, dtype=np.float64)
    if xs.shape[0] < 2 or bands.size == 0:
        return _empty(title)
    values = bands[np.isfinite(bands)]
    lo, hi = float(values.min()), float(values.max())
    if original is not None:
        lo, hi = min(lo, min(original)), max(hi, max(original))
    box = _Box(float(xs[0]), float(xs[-1]), lo, hi + 0.08 * (hi - lo))  # headroom: legend
    body = box.axes(lambda v: f"{v:,.0f}", y_fmt)
    k = len(percentiles)
    color = PALETTE[0]
    for i in range(k // 2):
        upper, lower = bands[k - 1 - i], bands[i]
        fwd = [f"{box.x(x):.1f},{box.y(v):.1f}" for x, v in zip(xs, upper, strict=True)]
        back = [f"{box.x(x):.1f},{box.y(v):.1f}" for x, v in zip(xs, lower, strict=True)][::-1]
        opacity = 0.15 + 0.15 * i
        body.append(f'<polygon points="{" ".join(fwd + back)}" fill="{color}" fill-opacity="{opacity:.2f}"/>')
    legend = [(f"p{percentiles[i]:g}–p{percentiles[k - 1 - i]:g}", color) for i in range(k // 2)]
    # inner bands are drawn over the outer ones: the legend shows the combined opacity
    alphas = [1.0 - math.prod(1.0 - (0.15 + 0.15 * j) for j in range(i + 1)) for i in range(k // 2)]
    if k % 2:
        mid = bands[k // 2]
        pts = " ".join(f"{box.x(x):.1f},{box.y(v):.1f}" for x, v in zip(xs, mid, strict=True))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.6"/>')
        legend.append((f"median (p{percentiles[k // 2]:g})", color))
    if original is not None:
        pts = " ".join(f"{box.x(x):.1f},{box.y(v):.1f}" for x, v in zip(xs, original, strict=True))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{PALETTE[1]}" stroke-width="1.3"/>')
        legend.append(("original order", PALETTE[1]))
    return _svg(title, body + _legend(legend, alphas))


def histogram(
    title: str,
    values: Sequence[float] | FloatArray,
    *,
    bins: int = 50,
    x_fmt: Fmt = lambda v: f"{v:.2f}",
    markers: Sequence[tuple[str, float]] = (),
) -> str:
    """Counts of ``values`` in ``bins`` equal bins; vertical ``markers`` (label, x) on top."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.shape[0] == 0:
        return _empty(title)
    lo, hi = float(v.min()), float(v.max())
    if hi - lo <= 1e-9 * max(abs(lo), abs(hi), 1e-12):  # one value up to rounding (a shuffle's CAGR)
        lo, hi = lo - 0.5 * (abs(lo) or 1.0), hi + 0.5 * (abs(hi) or 1.0)
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    marks = [(label, x) for label, x in markers if math.isfinite(x)]
    x_lo = min([lo, *(x for _, x in marks)])
    x_hi = max([hi, *(x for _, x in marks)])
    box = _Box(x_lo, x_hi, 0.0, float(counts.max()) * 1.1)  # headroom: legend
    body = box.axes(x_fmt, lambda c: f"{c:,.0f}")
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if c == 0:
            continue
        x0, x1, y0 = box.x(float(a)), box.x(float(b)), box.y(float(c))
        body.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0 - 0.5, 0.5):.1f}" '
            f'height="{box.y(0.0) - y0:.1f}" fill="{PALETTE[0]}" fill-opacity="0.75"/>'
        )
    legend: list[tuple[str, str]] = []
    for i, (label, x) in enumerate(marks):
        color = PALETTE[(i + 1) % len(PALETTE)]
        xx = box.x(x)
        body.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{_T}" y2="{_H - _B}" '
            f'stroke="{color}" stroke-width="1.5"/>'
        )
        legend.append((f"{label} {x_fmt(x)}", color))
    return _svg(title, body + _legend(legend))


def scatter(
    title: str,
    x: Sequence[float] | FloatArray,
    y: Sequence[float] | FloatArray,
    *,
    x_fmt: Fmt = lambda v: f"{v:.2f}",
    y_fmt: Fmt = lambda v: f"{v:.2f}",
    line: tuple[float, float] | None = None,
    max_points: int = 3000,
) -> str:
    """Points (x, y) (thinned evenly to ``max_points``) with an optional line ``y = a + b·x``."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.shape[0] == 0:
        return _empty(title)
    if xs.shape[0] > max_points:
        keep = np.linspace(0, xs.shape[0] - 1, max_points).round().astype(np.intp)
        xs, ys = xs[keep], ys[keep]
    y_lo, y_hi = min(float(ys.min()), 0.0), max(float(ys.max()), 0.0)
    box = _Box(float(xs.min()), float(xs.max()), y_lo, y_hi + 0.1 * (y_hi - y_lo))  # headroom: legend
    body = box.axes(x_fmt, y_fmt)
    zero = box.y(0.0)
    body.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#999"/>')
    body += [
        f'<circle cx="{box.x(a):.1f}" cy="{box.y(b):.1f}" r="2" fill="{PALETTE[0]}" fill-opacity="0.5"/>'
        for a, b in zip(xs.tolist(), ys.tolist(), strict=True)
    ]
    legend = [("combinations", PALETTE[0])]
    if line is not None and all(math.isfinite(v) for v in line):
        a, b = line
        x0, x1 = box.x0, box.x1
        y0, y1 = a + b * x0, a + b * x1
        body.append(
            f'<line x1="{box.x(x0):.1f}" y1="{box.y(y0):.1f}" x2="{box.x(x1):.1f}" y2="{box.y(y1):.1f}" '
            f'stroke="{PALETTE[3]}" stroke-width="1.5"/>'
        )
        legend.append((f"fit: OOS = {a:.3f} + {b:.3f}·IS", PALETTE[3]))
    return _svg(title, body + _legend(legend))
