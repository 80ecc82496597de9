"""Files written by ``jutsu grid`` and ``jutsu wfo``: HTML report, CSV tables, JSON summary.

The HTML follows the backtest report's rules (offline: inline CSS and SVG, no script) and
reuses :mod:`jutsu.reporting.svg`. A grid's heat maps show, for each pair of varied
parameters, the *best* objective over all other parameters in each cell: a broad region of
good cells is a plateau (robust), one bright cell among poor neighbours is a spike (likely
overfit).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from jutsu.core.metrics import METRIC_KEYS
from jutsu.reporting import svg
from jutsu.reporting.atomic import write_files_atomically
from jutsu.reporting.html import _CSS, format_metric
from jutsu.research.grid import GridResult, GridRow, objective_value
from jutsu.research.walkforward import WalkForwardResult

__all__ = [
    "grid_heatmap_svg",
    "render_grid_csv",
    "render_grid_html",
    "render_wfo_html",
    "write_grid_outputs",
    "write_wfo_outputs",
]

_TABLE_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "calmar", "fills")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (repr(v) if isinstance(v, float) else str(v)) for v in row])
    return buf.getvalue()


def _page(title: str, sections: Sequence[tuple[str, str]], meta: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in meta)
    body = "".join(f"<section><h2>{escape(t)}</h2>{b}</section>" for t, b in sections)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<table class="meta">{rows}</table>{body}</body></html>\n'
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


# --------------------------------------------------------------------------- grid
def render_grid_csv(result: GridResult) -> str:
    """All combinations in grid order: index, key, status, parameters, every metric, error."""
    names = result.grid.varied_names
    header = ["index", "combo_key", "status", *names, *METRIC_KEYS, "error"]
    rows = [
        [
            r.index,
            r.key,
            r.status,
            *(r.params.get(n) for n in names),
            *((r.metrics or {}).get(m) for m in METRIC_KEYS),
            r.error,
        ]
        for r in result.rows
    ]
    return _csv(header, rows)


def _heat_color(v: float | None, lo: float, hi: float) -> str:
    if v is None:
        return "#f4f4f4"
    t = 0.5 if hi <= lo else (v - lo) / (hi - lo)
    r, g, b = int(215 - 189 * t), int(48 + 104 * t), int(39 + 41 * t)  # red (worst) → green (best)
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_heatmap_svg(result: GridResult, x_name: str, y_name: str) -> str:
    """Best objective per (x, y) cell over all other parameters, as an inline SVG."""
    objective = result.config.objective
    best: dict[tuple[str, str], float] = {}
    xs: list[str] = []
    ys: list[str] = []
    for row in result.rows:
        x, y = str(row.params.get(x_name)), str(row.params.get(y_name))
        if x not in xs:
            xs.append(x)
        if y not in ys:
            ys.append(y)
        v = objective_value(row, objective)
        if v is None:
            continue
        cur = best.get((x, y))
        better = cur is None or (v > cur if objective.direction == "maximize" else v < cur)
        if better:
            best[(x, y)] = v
    if not best:
        return "<p>no values</p>"
    values = list(best.values())
    lo, hi = min(values), max(values)
    if objective.direction == "minimize":
        lo, hi = hi, lo
    cw, ch, left, top = 64, 22, 70, 34
    width, height = left + cw * len(xs) + 8, top + ch * len(ys) + 8
    body = [f'<text x="{left}" y="12">{escape(x_name)} →   ↓ {escape(y_name)}</text>']
    body += [
        f'<text x="{left + cw * j + cw / 2}" y="{top - 6}" text-anchor="middle">{escape(x)}</text>'
        for j, x in enumerate(xs)
    ]
    for i, y in enumerate(ys):
        yy = top + ch * i
        body.append(f'<text x="{left - 6}" y="{yy + 15}" text-anchor="end">{escape(y)}</text>')
        for j, x in enumerate(xs):
            v = best.get((x, y))
            xx = left + cw * j
            body.append(
                f'<rect x="{xx}" y="{yy}" width="{cw - 2}" height="{ch - 2}" fill="{_heat_color(v, lo, hi)}">'
                f"<title>{escape(x_name)}={escape(x)}, {escape(y_name)}={escape(y)}: "
                f"{'n/a' if v is None else f'{v:.4g}'}</title></rect>"
            )
            if v is not None:
                body.append(f'<text x="{xx + cw / 2 - 1}" y="{yy + 15}" text-anchor="middle">{v:.3g}</text>')
    title = f"Best {objective.metric} by {x_name} × {y_name}"
    return svg._svg(body, title, height, width)


def _pairs(result: GridResult) -> list[tuple[str, str]]:
    if result.config.heatmaps:
        return [(a, b) for a, b in result.config.heatmaps]
    varied = [n for n in result.grid.varied_names if len({str(r.params.get(n)) for r in result.rows}) > 1]
    return list(itertools.combinations(varied, 2))[:6]


def _row_cells(row: GridRow, names: Sequence[str], rank: int) -> list[str]:
    return [
        str(rank),
        *(str(row.params.get(n)) for n in names),
        *(format_metric(m, (row.metrics or {}).get(m)) for m in _TABLE_METRICS),
    ]


def render_grid_html(result: GridResult) -> str:
    cfg = result.config
    names = result.grid.varied_names
    top = result.top()
    top_table = _table(
        ["#", *names, *_TABLE_METRICS], [_row_cells(r, names, i + 1) for i, r in enumerate(top)]
    )
    base = result.baseline_metrics or {}
    baseline = _table(
        ["", *_TABLE_METRICS[:-1]],
        [
            [
                f"Buy & hold {result.baseline_symbol}",
                *(format_metric(m, base.get(m)) for m in _TABLE_METRICS[:-1]),
            ]
        ],
    )
    sections = [(f"Top {len(top)} by {cfg.objective.metric} ({cfg.objective.direction})", top_table)]
    sections.append(("Baseline over the same period", baseline))
    for x, y in _pairs(result):
        sections.append((f"Heat map: {x} × {y}", grid_heatmap_svg(result, x, y)))
    failed = [r for r in result.rows if r.status == "failed"]
    if failed:
        sections.append(
            (
                "Failed combinations",
                _table(["index", "error"], [[str(r.index), r.error or ""] for r in failed[:50]]),
            )
        )
    meta = [
        ("Strategy", cfg.strategy),
        ("Period", f"{cfg.start} → {cfg.end}"),
        (
            "Combinations",
            f"{len(result.rows)} stored of {len(result.grid.combos)} ({result.grid.skipped} skipped)",
        ),
        ("Capital / costs", f"{cfg.initial_capital} / {cfg.commission_per_share} per share / {cfg.slippage}"),
        ("Run id", result.run_id),
        ("Data fingerprint", result.data_fingerprint),
    ]
    return _page(f"Grid search: {cfg.strategy}", sections, meta)


def _grid_json(result: GridResult) -> dict[str, Any]:
    cfg = result.config
    return {
        "run_id": result.run_id,
        "strategy": cfg.strategy,
        "start": cfg.start.isoformat(),
        "end": cfg.end.isoformat(),
        "objective": cfg.objective.model_dump(),
        "combinations": len(result.grid.combos),
        "skipped_invalid": result.grid.skipped,
        "stored": len(result.rows),
        "evaluated_now": result.evaluated,
        "data_fingerprint": result.data_fingerprint,
        "baseline_symbol": result.baseline_symbol,
        "baseline_metrics": result.baseline_metrics,
        "top": [
            {"index": r.index, "combo_key": r.key, "params": dict(r.params), "metrics": r.metrics}
            for r in result.top()
        ],
    }


def _write(out_dir: Path, files: Mapping[str, str]) -> list[Path]:
    """All files or none (a full disk is one ``OutputWriteError`` line, no partial result)."""
    return write_files_atomically(out_dir, files)


def _json(data: object) -> str:
    return json.dumps(data, indent=2, default=str) + "\n"


def write_grid_outputs(result: GridResult, out_dir: Path) -> list[Path]:
    """``results.csv``, ``summary.json`` and ``report.html`` in ``out_dir``."""
    return _write(
        out_dir,
        {
            "results.csv": render_grid_csv(result),
            "summary.json": _json(_grid_json(result)),
            "report.html": render_grid_html(result),
        },
    )


# --------------------------------------------------------------------------- walk-forward
def _windows_csv(result: WalkForwardResult) -> str:
    names = [s.name for s in result.stability]
    metric = result.config.objective.metric
    header = [
        "window",
        "is_start",
        "is_end",
        "oos_start",
        "oos_end",
        *names,
        f"is_{metric}",
        "is_cagr",
        "oos_cagr",
        f"oos_{metric}",
        "efficiency",
        "error",
    ]
    rows = []
    for r in result.windows:
        w = r.window
        im, om = r.is_metrics or {}, r.oos_metrics or {}
        rows.append(
            [
                w.index + 1,
                w.is_start,
                w.is_end,
                w.oos_start,
                w.oos_end,
                *((r.params or {}).get(n) for n in names),
                im.get(metric),
                im.get("cagr"),
                om.get("cagr"),
                om.get(metric),
                r.efficiency,
                r.error,
            ]
        )
    return _csv(header, rows)


def _equity_csv(result: WalkForwardResult) -> str:
    return _csv(
        ["date", "oos_equity", "baseline_equity"],
        zip(result.dates, result.equity, result.baseline_equity, strict=True),
    )


def _wfo_json(result: WalkForwardResult) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "strategy": result.config.strategy,
        "objective": result.config.objective.model_dump(),
        "walk_forward": json.loads(result.config.walk_forward.model_dump_json())
        if result.config.walk_forward
        else None,
        "oos_metrics": dict(result.metrics),
        "baseline_symbol": result.baseline_symbol,
        "baseline_metrics": result.baseline_metrics,
        "efficiency": result.efficiency,
        "parameter_stability": [
            {"name": s.name, "values": list(s.values), "mean": s.mean, "std": s.std, "cv": s.cv}
            for s in result.stability
        ],
        "windows": len(result.windows),
        "evaluated_now": result.evaluated,
    }


def render_wfo_html(result: WalkForwardResult) -> str:
    cfg = result.config
    chart = svg.line_chart(
        "Stitched out-of-sample equity vs baseline",
        result.dates,
        [
            ("OOS (stitched)", list(result.equity)),
            (f"Buy & hold {result.baseline_symbol}", list(result.baseline_equity)),
        ],
    )
    base = result.baseline_metrics or {}
    kpis = _table(
        ["", *_TABLE_METRICS[:-1]],
        [
            ["Walk-forward OOS", *(format_metric(m, result.metrics.get(m)) for m in _TABLE_METRICS[:-1])],
            [
                f"Buy & hold {result.baseline_symbol}",
                *(format_metric(m, base.get(m)) for m in _TABLE_METRICS[:-1]),
            ],
        ],
    )
    names = [s.name for s in result.stability]
    log_rows = []
    for r in result.windows:
        w, im, om = r.window, r.is_metrics or {}, r.oos_metrics or {}
        log_rows.append(
            [
                str(w.index + 1),
                f"{w.is_start} → {w.is_end}",
                f"{w.oos_start} → {w.oos_end}",
                *(str((r.params or {}).get(n, "")) for n in names),
                format_metric(cfg.objective.metric, im.get(cfg.objective.metric)),
                format_metric("cagr", im.get("cagr")),
                format_metric("cagr", om.get("cagr")),
                "n/a" if r.efficiency is None else f"{r.efficiency:.2f}",
                r.error or "",
            ]
        )
    log = _table(
        [
            "#",
            "in-sample",
            "out-of-sample",
            *names,
            f"IS {cfg.objective.metric}",
            "IS CAGR",
            "OOS CAGR",
            "WFE",
            "error",
        ],
        log_rows,
    )
    stab = _table(
        ["parameter", "values per window", "mean", "std", "CV"],
        [
            [
                s.name,
                ", ".join(str(v) for v in s.values),
                "n/a" if s.mean is None else f"{s.mean:.4g}",
                "n/a" if s.std is None else f"{s.std:.4g}",
                "n/a" if s.cv is None else f"{s.cv:.2%}",
            ]
            for s in result.stability
        ],
    )
    wfe = "n/a" if result.efficiency is None else f"{result.efficiency:.2f}"
    spec = cfg.walk_forward
    meta = [
        ("Strategy", cfg.strategy),
        ("Period", f"{cfg.start} → {cfg.end}"),
        (
            "Windows",
            ""
            if spec is None
            else f"{spec.mode}, IS {spec.in_sample} / OOS {spec.out_of_sample} / "
            f"step {spec.effective_step} {spec.unit}",
        ),
        ("Objective", f"{cfg.objective.metric} ({cfg.objective.direction})"),
        ("Walk-forward efficiency (overall)", wfe),
        ("Run id", result.run_id),
    ]
    sections = [
        ("Out-of-sample vs baseline", kpis + chart),
        ("Parameter log and efficiency per window", log),
        ("Parameter stability", stab),
    ]
    return _page(f"Walk-forward: {cfg.strategy}", sections, meta)


def write_wfo_outputs(result: WalkForwardResult, out_dir: Path) -> list[Path]:
    """``windows.csv``, ``oos_equity.csv``, ``summary.json`` and ``report.html`` in ``out_dir``."""
    return _write(
        out_dir,
        {
            "windows.csv": _windows_csv(result),
            "oos_equity.csv": _equity_csv(result),
            "summary.json": _json(_wfo_json(result)),
            "report.html": render_wfo_html(result),
        },
    )
