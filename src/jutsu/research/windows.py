"""Walk-forward window arithmetic (pure): in-sample / out-of-sample session ranges.

Rolling: the in-sample window keeps its length and moves by ``step``. Anchored: the
in-sample window always starts at the first session and grows by ``step``. In both the
out-of-sample period directly follows the in-sample one, and windows are emitted while the
out-of-sample period fits in the data.

Units: ``sessions`` counts trading sessions of the timeline; ``years`` uses 365.25-day years
on the calendar (backtest-semantics §12.2): in-sample = sessions in ``[from, from + IS)``,
out-of-sample = sessions in ``[from + IS, from + IS + OOS)``, stop when that end passes the
last configured date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from jutsu.errors import ConfigError
from jutsu.research.config import WalkForwardSection

__all__ = ["DAYS_PER_YEAR", "Window", "make_windows"]

DAYS_PER_YEAR = Decimal("365.25")
MIN_IN_SAMPLE_SESSIONS = 2
MIN_OUT_OF_SAMPLE_SESSIONS = 2


@dataclass(frozen=True, slots=True)
class Window:
    """One walk-forward step; all four dates are trading sessions, ranges inclusive."""

    index: int
    is_start: dt.date
    is_end: dt.date
    oos_start: dt.date
    oos_end: dt.date
    is_sessions: int
    oos_sessions: int


def _by_sessions(sessions: Sequence[dt.date], spec: WalkForwardSection) -> list[tuple[int, int, int, int]]:
    n = len(sessions)
    ins, oos, step = int(spec.in_sample), int(spec.out_of_sample), int(spec.effective_step)
    out: list[tuple[int, int, int, int]] = []
    k = 0
    while True:
        lo = 0 if spec.mode == "anchored" else k * step
        is_hi = (ins - 1 + k * step) if spec.mode == "anchored" else lo + ins - 1
        oos_lo, oos_hi = is_hi + 1, is_hi + oos
        if oos_hi > n - 1:
            return out
        out.append((lo, is_hi, oos_lo, oos_hi))
        k += 1


def _by_years(
    sessions: Sequence[dt.date], spec: WalkForwardSection, first: dt.date, last: dt.date
) -> list[tuple[int, int, int, int]]:
    def days(years: Decimal) -> dt.timedelta:
        return dt.timedelta(days=float(years * DAYS_PER_YEAR))

    origin = dt.datetime.combine(first, dt.time())
    limit = dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1)
    stamps = [dt.datetime.combine(d, dt.time()) for d in sessions]
    out: list[tuple[int, int, int, int]] = []
    k = 0
    while True:
        shift = days(spec.effective_step * k)
        is_from = origin if spec.mode == "anchored" else origin + shift
        oos_from = (
            (origin + days(spec.in_sample) + shift)
            if spec.mode == "anchored"
            else is_from + days(spec.in_sample)
        )
        oos_to = oos_from + days(spec.out_of_sample)
        if oos_to > limit:
            return out
        is_idx = [i for i, s in enumerate(stamps) if is_from <= s < oos_from]
        oos_idx = [i for i, s in enumerate(stamps) if oos_from <= s < oos_to]
        if not is_idx or not oos_idx:
            raise ConfigError(
                f"walk_forward: window {k + 1} ({is_from.date()} .. {oos_to.date()}) holds no "
                f"{'in-sample' if not is_idx else 'out-of-sample'} session"
            )
        out.append((is_idx[0], is_idx[-1], oos_idx[0], oos_idx[-1]))
        k += 1


def make_windows(
    sessions: Sequence[dt.date], spec: WalkForwardSection, first: dt.date, last: dt.date
) -> list[Window]:
    """The windows over ``sessions`` (the trading dates between ``first`` and ``last``).

    Raises:
        ConfigError: not even one window fits, or a window is too short to measure.
    """
    if not sessions:
        raise ConfigError(f"walk_forward: no trading sessions between {first} and {last}")
    spans = (
        _by_sessions(sessions, spec) if spec.unit == "sessions" else _by_years(sessions, spec, first, last)
    )
    unit = spec.unit
    if not spans:
        raise ConfigError(
            f"walk_forward: the windows do not fit the data: {first} .. {last} holds {len(sessions)} "
            "sessions, "
            f"one window needs in_sample {spec.in_sample} + out_of_sample {spec.out_of_sample} {unit}"
        )
    windows: list[Window] = []
    for k, (a, b, c, d) in enumerate(spans):
        w = Window(
            index=k,
            is_start=sessions[a],
            is_end=sessions[b],
            oos_start=sessions[c],
            oos_end=sessions[d],
            is_sessions=b - a + 1,
            oos_sessions=d - c + 1,
        )
        if w.is_sessions < MIN_IN_SAMPLE_SESSIONS or w.oos_sessions < MIN_OUT_OF_SAMPLE_SESSIONS:
            raise ConfigError(
                f"walk_forward: window {k + 1} has {w.is_sessions} in-sample and {w.oos_sessions} "
                f"out-of-sample sessions; each needs at least {MIN_OUT_OF_SAMPLE_SESSIONS}"
            )
        windows.append(w)
    return windows
