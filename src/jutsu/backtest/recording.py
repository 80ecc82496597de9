"""Recording finished backtests in the ``backtest_runs`` table.

Separate from the runner because recording is optional (``--data-dir`` runs work without any
database) and because the API records runs it started itself. The row carries what is needed
to find and trust a result later: parameters, period, capital, the ``summary.json`` document,
the data fingerprint, the engine version and the output directory.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from jutsu.backtest.models import BacktestOutcome
from jutsu.reporting.files import json_default, render_summary_json

__all__ = ["BACKTEST_RUNS_TABLE", "has_backtest_runs_table", "record_run"]

BACKTEST_RUNS_TABLE = "backtest_runs"


def has_backtest_runs_table(engine: Engine) -> bool:
    """True when the schema has been migrated far enough to record runs."""
    return inspect(engine).has_table(BACKTEST_RUNS_TABLE)


def _json_safe(value: Any) -> Any:
    """Parameters as plain JSON (Decimals become numbers or exact strings, as in summary.json)."""
    return json.loads(json.dumps(value, default=json_default))


def record_run(
    engine: Engine,
    outcome: BacktestOutcome,
    *,
    out_dir: Path | None = None,
    run_id: str | None = None,
    finished_at: dt.datetime | None = None,
) -> str:
    """Insert one ``completed`` row for ``outcome`` and return its id (a UUID string).

    ``finished_at`` defaults to now (UTC); ``out_dir`` is stored as an absolute path.
    """
    from jutsu.data.models import BacktestRun

    res = outcome.result
    rid = run_id or str(uuid.uuid4())
    row = BacktestRun(
        id=rid,
        strategy_id=res.strategy_id,
        params=_json_safe(dict(res.params)),
        start_date=res.start,
        end_date=res.end,
        initial_capital=res.initial_capital,
        status="completed",
        finished_at=finished_at or dt.datetime.now(dt.UTC),
        summary=json.loads(render_summary_json(outcome)),
        data_fingerprint=outcome.data_fingerprint,
        engine_version=outcome.engine_version,
        out_dir=None if out_dir is None else str(out_dir.resolve()),
    )
    with Session(engine) as session, session.begin():
        session.add(row)
    return rid
