"""The daily regime of a backtest run, read from its decisions journal (``decisions.csv``'s source).

The equity endpoint serves a recorded run from its stored summary, long after the engine's
result is gone; so the regime cell of each day is copied next to that day's equity when the run
finishes. Strategies without regimes (buy-and-hold, SMA crossover) journal no ``cell`` and get
``None`` — the dashboard then says the run has no regime timeline instead of drawing a blank one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from jutsu.core.decision import JournalValue
from jutsu.core.result import DecisionRecord

__all__ = ["RegimeDay", "empty_regime", "regime_days", "regime_of_journal"]

RegimeDay = dict[str, int | str | None]
"""``{"strategy_cell": 1..6 | None, "trend_state": str | None, "vol_state": str | None}``."""

_EMPTY: RegimeDay = {"strategy_cell": None, "trend_state": None, "vol_state": None}


def _cell(value: JournalValue) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        cell = int(value)
    except (TypeError, ValueError):
        return None
    return cell if 1 <= cell <= 6 else None


def _text(value: JournalValue) -> str | None:
    return value if isinstance(value, str) and value else None


def regime_of_journal(journal: Mapping[str, JournalValue]) -> RegimeDay:
    """The regime columns of one journal row (missing or malformed values become ``None``)."""
    return {
        "strategy_cell": _cell(journal.get("cell")),
        "trend_state": _text(journal.get("trend_state")),
        "vol_state": _text(journal.get("vol_state")),
    }


def regime_days(decisions: Iterable[DecisionRecord]) -> dict[dt.date, RegimeDay]:
    """``{date: regime}`` for every decision of a run."""
    return {d.date: regime_of_journal(d.journal) for d in decisions}


def empty_regime() -> RegimeDay:
    """The regime of a day the journal does not cover."""
    return dict(_EMPTY)
