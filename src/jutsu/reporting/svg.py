"""Tiny inline-SVG chart primitives for the offline HTML report.

Why hand-written SVG: the report must be one file that opens offline, forever, with no CDN,
font or script. A few hundred lines of Python that emit ``<svg>`` elements are smaller and
more durable than embedding a charting library. Long series are thinned to at most
``MAX_POINTS`` points per line so a 15-year daily run still gives a file of a few hundred KB.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

__all__ = [
    "MAX_POINTS",
    "PALETTE",
    "heatmap",
    "line_chart",
    "stacked_area_chart",
    "timeline",
]

MAX_POINTS = 800
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")

_W, _H = 900, 260
_L, _R, _T, _B = 64, 12, 12, 26  # plot margins


def _thin(n: int, limit: int = MAX_POINTS) -> list[int]:
    """Indices to draw: every k-th point plus the last, so the end value is always exact."""
    if n <= limit:
        return list(range(n))
    step = math.ceil(n / limit)
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return idx


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10^k) covering [lo, hi]."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


class _Frame:
    """Maps dates and values into the plot box and draws the axes."""

    def __init__(self, dates: Sequence[dt.date], lo: float, hi: float) -> None:
        self.d0 = dates[0].toordinal()
        self.span = max(dates[-1].toordinal() - self.d0, 1)
        self.ticks = _nice_ticks(lo, hi)
        self.lo, self.hi = min(self.ticks[0], lo), max(self.ticks[-1], hi)
        if self.hi <= self.lo:
            self.hi = self.lo + 1.0
        self.dates = dates

    def x(self, d: dt.date) -> float:
        return _L + (d.toordinal() - self.d0) / self.span * (_W - _L - _R)

    def y(self, v: float) -> float:
        return _T + (self.hi - v) / (self.hi - self.lo) * (_H - _T - _B)

    def axes(self, y_fmt: Callable[[float], str]) -> list[str]:
        out: list[str] = []
        for t in self.ticks:
            t = t + 0.0  # no "-0%" label
            yy = self.y(t)
            out.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{yy:.1f}" y2="{yy:.1f}" class="grid"/>')
            out.append(f'<text x="{_L - 4}" y="{yy + 4:.1f}" text-anchor="end">{escape(y_fmt(t))}</text>')
        years = range(self.dates[0].year + 1, self.dates[-1].year + 1)
        stride = max(1, math.ceil(len(years) / 12))
        for year in list(years)[::stride]:
            xx = self.x(dt.date(year, 1, 1))
            out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{_T}" y2="{_H - _B}" class="grid"/>')
            out.append(f'<text x="{xx:.1f}" y="{_H - 8}" text-anchor="middle">{year}</text>')
        if not years:
            for d in (self.dates[0], self.dates[-1]):
                anchor = "start" if d is self.dates[0] else "end"
                out.append(
                    f'<text x="{self.x(d):.1f}" y="{_H - 8}" text-anchor="{anchor}">{d.isoformat()}</text>'
                )
        return out


def _svg(body: Sequence[str], title: str, height: int = _H, width: int = _W) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _legend(items: Sequence[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    x = _L + 6
    for label, color in items:
        out.append(f'<rect x="{x}" y="{_T + 2}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="{_T + 11}">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return out


def line_chart(
    title: str,
    dates: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    fill_to_zero: bool = False,
) -> str:
    """One or more lines over common dates (None = gap). ``fill_to_zero`` shades the area
    between the first line and 0 (drawdown charts)."""
    values = [v for _, ys in series for v in ys if v is not None and math.isfinite(v)]
    if not dates or not values:
        return _svg(['<text x="20" y="40">no data</text>'], title, 60)
    lo, hi = min(values), max(values)
    if fill_to_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    frame = _Frame(dates, lo, hi)
    body = frame.axes(y_fmt)
    idx = _thin(len(dates))
    for k, (_, ys) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        pts: list[str] = []
        segments: list[str] = []
        for i in idx:
            v = ys[i]
            if v is None or not math.isfinite(v):
                if pts:
                    segments.append(" ".join(pts))
                    pts = []
                continue
            pts.append(f"{frame.x(dates[i]):.1f},{frame.y(v):.1f}")
        if pts:
            segments.append(" ".join(pts))
        for seg in segments:
            if fill_to_zero and k == 0:
                first, last = seg.split(" ")[0].split(",")[0], seg.split(" ")[-1].split(",")[0]
                zero = f"{frame.y(0.0):.1f}"
                body.append(
                    f'<polygon points="{first},{zero} {seg} {last},{zero}" fill="{color}" '
                    f'fill-opacity="0.35" stroke="none"/>'
                )
            body.append(f'<polyline points="{seg}" fill="none" stroke="{color}" stroke-width="1.3"/>')
    body += _legend([(label, PALETTE[k % len(PALETTE)]) for k, (label, _) in enumerate(series)])
    return _svg(body, title)


def stacked_area_chart(
    title: str, dates: Sequence[dt.date], layers: Sequence[tuple[str, Sequence[float]]]
) -> str:
    """Weights stacked bottom-up per date (allocation over time); the gap to 1 is cash."""
    if not dates or not layers:
        return _svg(['<text x="20" y="40">no data</text>'], title, 60)
    idx = _thin(len(dates))
    top = max(1.0, max(sum(ys[i] for _, ys in layers) for i in idx))
    frame = _Frame(dates, 0.0, top)
    body = frame.axes(lambda v: f"{v:.0%}")
    base = [0.0] * len(idx)
    for k, (_, ys) in enumerate(layers):
        upper = [b + ys[i] for b, i in zip(base, idx, strict=True)]
        fwd = [f"{frame.x(dates[i]):.1f},{frame.y(u):.1f}" for i, u in zip(idx, upper, strict=True)]
        back = [f"{frame.x(dates[i]):.1f},{frame.y(b):.1f}" for i, b in zip(idx, base, strict=True)]
        color = PALETTE[k % len(PALETTE)]
        body.append(f'<polygon points="{" ".join(fwd + back[::-1])}" fill="{color}" fill-opacity="0.8"/>')
        base = upper
    body += _legend([(label, PALETTE[k % len(PALETTE)]) for k, (label, _) in enumerate(layers)])
    return _svg(body, title)


def _heat_color(v: float | None, scale: float) -> str:
    if v is None:
        return "#f4f4f4"
    t = max(-1.0, min(1.0, v / scale)) if scale > 0 else 0.0
    if t >= 0:  # white -> green
        r, g, b = 255 - int(155 * t), 255 - int(55 * t), 255 - int(155 * t)
    else:  # white -> red
        r, g, b = 255 + int(25 * t), 255 + int(155 * t), 255 + int(155 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    title: str, by_year: Mapping[int, Sequence[float | None]], year_total: Mapping[int, float]
) -> str:
    """Monthly returns: one row per year, Jan..Dec plus the year's return."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Year")
    cw, ch, left, top = 62, 20, 48, 22
    years = sorted(by_year)
    vals = [abs(v) for y in years for v in by_year[y] if v is not None]
    scale = max(0.05, sorted(vals)[int(0.95 * (len(vals) - 1))]) if vals else 0.05
    width, height = left + cw * 13 + 4, top + ch * len(years) + 4
    body = [
        f'<text x="{left + cw * j + cw / 2}" y="{top - 7}" text-anchor="middle">{m}</text>'
        for j, m in enumerate(months)
    ]
    for i, year in enumerate(years):
        yy = top + ch * i
        body.append(f'<text x="{left - 6}" y="{yy + 14}" text-anchor="end">{year}</text>')
        cells = [*by_year[year], year_total.get(year)]
        for j, v in enumerate(cells):
            xx = left + cw * j
            body.append(
                f'<rect x="{xx}" y="{yy}" width="{cw - 2}" height="{ch - 2}" '
                f'fill="{_heat_color(v, scale * (3 if j == 12 else 1))}"/>'
            )
            if v is not None:
                body.append(f'<text x="{xx + cw / 2 - 1}" y="{yy + 13}" text-anchor="middle">{v:.1%}</text>')
    return _svg(body, title, height, width)


def timeline(
    title: str, dates: Sequence[dt.date], states: Sequence[str | None], colors: Mapping[str, str]
) -> str:
    """A band of coloured runs: one rectangle per stretch of consecutive equal states."""
    if not dates:
        return _svg(['<text x="20" y="40">no data</text>'], title, 60)
    height = 70
    d0, span = dates[0].toordinal(), max(dates[-1].toordinal() - dates[0].toordinal(), 1)

    def x(d: dt.date) -> float:
        return _L + (d.toordinal() - d0) / span * (_W - _L - _R)

    body: list[str] = []
    start = 0
    for i in range(1, len(dates) + 1):
        if i < len(dates) and states[i] == states[start]:
            continue
        state = states[start]
        x0 = x(dates[start])
        x1 = x(dates[i]) if i < len(dates) else _W - _R
        color = colors.get(state, "#dddddd") if state is not None else "#ffffff"
        body.append(
            f'<rect x="{x0:.1f}" y="22" width="{max(x1 - x0, 0.3):.1f}" height="24" fill="{color}">'
            f"<title>{escape(str(state))}: {dates[start].isoformat()}</title></rect>"
        )
        start = i
    lx = _L
    for state, color in colors.items():
        body.append(f'<rect x="{lx}" y="54" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{lx + 14}" y="63">{escape(state)}</text>')
        lx += 30 + 7 * len(state)
    body.append(f'<text x="{_L}" y="16">{dates[0].isoformat()}</text>')
    body.append(f'<text x="{_W - _R}" y="16" text-anchor="end">{dates[-1].isoformat()}</text>')
    return _svg(body, title, height)
