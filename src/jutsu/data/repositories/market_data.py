"""The only code that reads or writes ``market_data``, ``data_metadata`` and ``data_audit_log``.

Rules it enforces (platform spec §2.2 rules 3 and 4, §2.3):

* A daily bar is stored at its session's official close instant in UTC (``calendar``).
* Stored bars are immutable. Re-importing an identical bar is a no-op. A *conflicting* bar
  (any of open/high/low/close/volume differs) is refused: the whole import writes no bar and
  one ``data_audit_log`` row (``error``) names the symbol, date, field, old and new value.
  With ``correct=True`` (an explicit admin operation) the bar is updated and a ``correct`` row
  records old → new values. Sync uses ``on_conflict="skip"``: new bars are stored, conflicting
  ones are left alone and logged as ``warning``.
* ``data_metadata.last_bar_timestamp`` never moves backwards.

Speed: the existing bars of the symbol are selected once and compared in Python; new bars go
in with one executemany per chunk of Core ``insert()`` (SQLAlchemy batches them into
multi-row ``INSERT ... VALUES`` on PostgreSQL), so the nine shared files (~45k bars) load in
well under the 3 s budget on SQLite and PostgreSQL (``bench/data_load.py``).

Prices are rounded half-up to the column scale (6 decimals, like PostgreSQL's ``NUMERIC``)
*before* comparing, so a vendor value with more digits (``89.83999633789062``) compares equal
to what was stored from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from jutsu.core.bars import PRICE_COLUMNS
from jutsu.data.calendar import ET, close_instants, missing_sessions
from jutsu.data.models import DataAuditLog, DataMetadata, MarketData
from jutsu.data.sources.base import make_bar_frame
from jutsu.data.validation import validate_bar_frame, validate_symbol
from jutsu.errors import DataConflictError, DataError

__all__ = [
    "ImportReport",
    "SymbolSummary",
    "audit_rows",
    "delete_symbol",
    "first_bar_date",
    "import_bars",
    "last_bar_date",
    "list_symbols",
    "load_bars",
    "quantize_price",
    "record_operation",
    "touch_metadata",
]

PRICE_SCALE = Decimal("0.000001")
CHUNK = 5_000
MESSAGE_LIMIT = 500
_FIELDS = (*PRICE_COLUMNS, "volume")

_BARS: Table = MarketData.__table__  # type: ignore[assignment]
_META: Table = DataMetadata.__table__  # type: ignore[assignment]
_AUDIT: Table = DataAuditLog.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: bars inserted, identical bars skipped, bars corrected, conflicts left."""

    inserted: int
    unchanged: int
    corrected: int
    conflicting: int = 0


@dataclass(frozen=True, slots=True)
class SymbolSummary:
    """One row of ``jutsu data list``: coverage of a symbol's daily bars."""

    symbol: str
    first: date
    last: date
    rows: int
    missing_sessions: int
    source: str


def quantize_price(value: Decimal) -> Decimal:
    """Round to the storage scale (``NUMERIC(18,6)``), half-up like PostgreSQL."""
    return value.quantize(PRICE_SCALE, rounding=ROUND_HALF_UP)


@contextmanager
def _connection(target: Engine | Session | Connection) -> Iterator[Connection]:
    """One transaction for an Engine; the caller's transaction for a Session or Connection."""
    if isinstance(target, Engine):
        with target.begin() as conn:
            yield conn
    elif isinstance(target, Session):
        yield target.connection()
    else:
        yield target


def _audit(
    conn: Connection,
    *,
    symbol: str | None,
    timeframe: str | None,
    operation: str,
    status: str,
    message: str,
    bars: int,
) -> None:
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 3] + "..."
    conn.execute(
        insert(_AUDIT).values(
            symbol=symbol,
            timeframe=timeframe,
            operation=operation,
            status=status,
            message=message,
            bars_affected=bars,
            timestamp=datetime.now(UTC),
        )
    )


def _diff(symbol: str, day: date, old: tuple[Any, ...], new: tuple[Any, ...]) -> str:
    parts = [f"{name} {o} -> {n}" for name, o, n in zip(_FIELDS, old, new, strict=True) if o != n]
    return f"{symbol} {day.isoformat()}: " + ", ".join(parts)


def _summarise(symbol: str, diffs: Sequence[str], verb: str) -> str:
    head = f"{symbol}: {len(diffs)} bar(s) {verb}; stored bars are immutable. "
    shown: list[str] = []
    for d in diffs:
        if len(head) + len("; ".join([*shown, d])) > MESSAGE_LIMIT - 20:
            break
        shown.append(d)
    more = len(diffs) - len(shown)
    return head + "; ".join(shown) + (f" (+{more} more)" if more else "")


def _update_metadata(conn: Connection, symbol: str, timeframe: str) -> None:
    total, newest = conn.execute(
        select(func.count(), func.max(_BARS.c.timestamp)).where(
            _BARS.c.symbol == symbol, _BARS.c.timeframe == timeframe
        )
    ).one()
    now = datetime.now(UTC)
    row = conn.execute(
        select(_META.c.id, _META.c.last_bar_timestamp).where(
            _META.c.symbol == symbol, _META.c.timeframe == timeframe
        )
    ).first()
    if row is None:
        conn.execute(
            insert(_META).values(
                symbol=symbol,
                timeframe=timeframe,
                last_bar_timestamp=newest,
                total_bars=total,
                last_updated=now,
            )
        )
        return
    last = row.last_bar_timestamp
    if newest is not None and (last is None or newest > last):
        last = newest  # never moves backwards
    conn.execute(
        update(_META)
        .where(_META.c.id == row.id)
        .values(last_bar_timestamp=last, total_bars=total, last_updated=now)
    )


_COPY_COLUMNS = (
    "symbol",
    "timeframe",
    "timestamp",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "data_source",
    "is_valid",
)


def _bulk_insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new bars as fast as the dialect allows.

    PostgreSQL: ``COPY ... FROM STDIN`` on the same psycopg connection (same transaction);
    executemany there costs one round trip per row even in pipeline mode. SQLite:
    ``executemany`` in chunks, which its driver runs in C. Timestamps are already aware UTC and
    prices already at the column scale, so bypassing the ORM types changes nothing stored.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        driver_conn = conn.connection.driver_connection
        assert driver_conn is not None
        columns = ", ".join(f'"{c}"' for c in _COPY_COLUMNS)
        with driver_conn.cursor() as cursor, cursor.copy(f"COPY {_BARS.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in _COPY_COLUMNS])
        return
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(_BARS), rows[start : start + CHUNK])


def import_bars(
    session_or_engine: Engine | Session | Connection,
    symbol: str,
    frame: pd.DataFrame,
    source: str,
    timeframe: str = "1D",
    correct: bool = False,
    *,
    on_conflict: Literal["refuse", "skip"] = "refuse",
    operation: str = "update",
) -> ImportReport:
    """Store a bar frame for ``symbol`` in one transaction; see the module docstring for rules.

    ``on_conflict="refuse"`` (imports) raises ``DataConflictError`` after writing only the audit
    row; ``"skip"`` (sync) keeps stored values and logs a ``warning``. ``correct=True`` overrides
    both and rewrites conflicting bars. With an Engine the function commits; with a Session or
    Connection the caller owns the transaction (commit it to keep the audit row on conflict).
    """
    validate_symbol(symbol)
    if timeframe != "1D":
        raise DataError(f"timeframe {timeframe!r} is not supported for bar import (only '1D')")
    validate_bar_frame(frame, symbol)
    if frame.empty:
        return ImportReport(0, 0, 0)
    try:
        stamps = close_instants(frame["date"])
    except DataError as exc:
        raise DataError(f"{symbol}: {exc}") from None
    instants = [ts.to_pydatetime() for ts in stamps]
    incoming: list[tuple[datetime, tuple[Decimal, Decimal, Decimal, Decimal, int]]] = []
    for instant, o, h, lo, c, v in zip(
        instants,
        frame["open"],
        frame["high"],
        frame["low"],
        frame["close"],
        frame["volume"].tolist(),
        strict=True,
    ):
        incoming.append(
            (instant, (quantize_price(o), quantize_price(h), quantize_price(lo), quantize_price(c), int(v)))
        )
    first, last = instants[0], instants[-1]

    conflict_error: DataConflictError | None = None
    with _connection(session_or_engine) as conn:
        existing: dict[datetime, tuple[int, tuple[Any, ...]]] = {
            r.timestamp: (r.id, (r.open, r.high, r.low, r.close, int(r.volume)))
            for r in conn.execute(
                select(
                    _BARS.c.id,
                    _BARS.c.timestamp,
                    _BARS.c.open,
                    _BARS.c.high,
                    _BARS.c.low,
                    _BARS.c.close,
                    _BARS.c.volume,
                ).where(
                    _BARS.c.symbol == symbol,
                    _BARS.c.timeframe == timeframe,
                    _BARS.c.timestamp >= first,
                    _BARS.c.timestamp <= last,
                )
            )
        }
        new_rows: list[dict[str, Any]] = []
        conflicts: list[tuple[int, datetime, tuple[Any, ...], tuple[Any, ...]]] = []
        unchanged = 0
        for instant, values in incoming:
            found = existing.get(instant)
            if found is None:
                o, h, lo, c, v = values
                new_rows.append(
                    {
                        "symbol": symbol,
                        "timeframe": timeframe,
                        "timestamp": instant,
                        "open": o,
                        "high": h,
                        "low": lo,
                        "close": c,
                        "volume": v,
                        "data_source": source,
                        "is_valid": True,
                    }
                )
            elif found[1] == values:
                unchanged += 1
            else:
                conflicts.append((found[0], instant, found[1], values))

        diffs = [_diff(symbol, instant.astimezone(ET).date(), old, new) for _, instant, old, new in conflicts]
        if conflicts and not correct and on_conflict == "refuse":
            message = _summarise(symbol, diffs, "conflict with stored data; import refused")
            _audit(
                conn,
                symbol=symbol,
                timeframe=timeframe,
                operation=operation,
                status="error",
                message=message,
                bars=len(conflicts),
            )
            conflict_error = DataConflictError(
                message + " Nothing was imported; use --correct to overwrite the stored bars."
            )
        else:
            _bulk_insert(conn, new_rows)
            corrected = 0
            if conflicts and correct:
                for (row_id, _, _old, new), diff in zip(conflicts, diffs, strict=True):
                    o, h, lo, c, v = new
                    conn.execute(
                        update(_BARS)
                        .where(_BARS.c.id == row_id)
                        .values(open=o, high=h, low=lo, close=c, volume=v, data_source=source)
                    )
                    _audit(
                        conn,
                        symbol=symbol,
                        timeframe=timeframe,
                        operation="correct",
                        status="success",
                        message=f"corrected {diff}",
                        bars=1,
                    )
                    corrected += 1
            elif conflicts:
                _audit(
                    conn,
                    symbol=symbol,
                    timeframe=timeframe,
                    operation=operation,
                    status="warning",
                    message=_summarise(symbol, diffs, "differ from stored data and were left alone"),
                    bars=len(conflicts),
                )
            _update_metadata(conn, symbol, timeframe)
            report = ImportReport(
                inserted=len(new_rows),
                unchanged=unchanged,
                corrected=corrected,
                conflicting=len(conflicts) - corrected,
            )
            _audit(
                conn,
                symbol=symbol,
                timeframe=timeframe,
                operation=operation,
                status="success",
                message=(
                    f"{symbol}: {report.inserted} inserted, {report.unchanged} unchanged, "
                    f"{report.corrected} corrected, {report.conflicting} conflicting (source {source})"
                ),
                bars=report.inserted + report.corrected,
            )
    if conflict_error is not None:
        raise conflict_error
    return report


def _day_bounds(start: date | None, end: date | None) -> list[Any]:
    """Timestamp conditions covering ET calendar days ``start..end``."""
    conds: list[Any] = []
    if start is not None:
        conds.append(_BARS.c.timestamp >= datetime.combine(start, time(0), tzinfo=ET).astimezone(UTC))
    if end is not None:
        after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=ET).astimezone(UTC)
        conds.append(_BARS.c.timestamp < after)
    return conds


def load_bars(
    engine: Engine | Connection,
    symbol: str,
    start: date | None = None,
    end: date | None = None,
    timeframe: str = "1D",
) -> pd.DataFrame:
    """Stored valid bars of ``symbol`` (``start <= session date <= end``) as a bar frame."""
    query = (
        select(_BARS.c.timestamp, _BARS.c.open, _BARS.c.high, _BARS.c.low, _BARS.c.close, _BARS.c.volume)
        .where(
            _BARS.c.symbol == symbol,
            _BARS.c.timeframe == timeframe,
            or_(_BARS.c.is_valid.is_(True), _BARS.c.is_valid.is_(None)),
            *_day_bounds(start, end),
        )
        .order_by(_BARS.c.timestamp)
    )
    with _connection(engine) as conn:
        rows = conn.execute(query).all()
    return make_bar_frame(
        [r.timestamp.astimezone(ET).date() for r in rows],
        [r.open for r in rows],
        [r.high for r in rows],
        [r.low for r in rows],
        [r.close for r in rows],
        [int(r.volume) for r in rows],
    )


def last_bar_date(engine: Engine | Connection, symbol: str, timeframe: str = "1D") -> date | None:
    """Session date of the newest stored bar of ``symbol`` (``None`` if there is none)."""
    with _connection(engine) as conn:
        newest = conn.execute(
            select(func.max(_BARS.c.timestamp)).where(
                _BARS.c.symbol == symbol, _BARS.c.timeframe == timeframe
            )
        ).scalar_one_or_none()
    if newest is None:
        return None
    instant: datetime = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
    return instant.astimezone(ET).date()


def first_bar_date(engine: Engine | Connection, symbol: str, timeframe: str = "1D") -> date | None:
    """Session date of the oldest stored bar of ``symbol`` (``None`` if there is none)."""
    with _connection(engine) as conn:
        oldest = conn.execute(
            select(func.min(_BARS.c.timestamp)).where(
                _BARS.c.symbol == symbol, _BARS.c.timeframe == timeframe
            )
        ).scalar_one_or_none()
    if oldest is None:
        return None
    instant: datetime = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    return instant.astimezone(ET).date()


def list_symbols(engine: Engine | Connection, timeframe: str = "1D") -> list[SymbolSummary]:
    """Coverage of every stored symbol, sorted by symbol, with NYSE sessions missing inside it."""
    with _connection(engine) as conn:
        stamps: dict[str, list[datetime]] = {}
        for sym, ts in conn.execute(
            select(_BARS.c.symbol, _BARS.c.timestamp)
            .where(_BARS.c.timeframe == timeframe)
            .order_by(_BARS.c.symbol, _BARS.c.timestamp)
        ):
            stamps.setdefault(sym, []).append(ts)
        sources: dict[str, set[str]] = {}
        for sym, src in conn.execute(
            select(_BARS.c.symbol, _BARS.c.data_source).where(_BARS.c.timeframe == timeframe).distinct()
        ):
            sources.setdefault(sym, set()).add(src)
    out: list[SymbolSummary] = []
    for sym, values in stamps.items():
        days = [v.astimezone(ET).date() for v in values]
        out.append(
            SymbolSummary(
                symbol=sym,
                first=days[0],
                last=days[-1],
                rows=len(days),
                missing_sessions=len(missing_sessions(days, days[0], days[-1])),
                source=",".join(sorted(sources.get(sym, set()))),
            )
        )
    return out


def delete_symbol(engine: Engine | Session | Connection, symbol: str) -> int:
    """Delete every bar and the bookkeeping of ``symbol``; writes a ``delete`` audit row."""
    validate_symbol(symbol)
    with _connection(engine) as conn:
        deleted = conn.execute(delete(_BARS).where(_BARS.c.symbol == symbol)).rowcount or 0
        conn.execute(delete(_META).where(_META.c.symbol == symbol))
        _audit(
            conn,
            symbol=symbol,
            timeframe=None,
            operation="delete",
            status="success",
            message=f"{symbol}: deleted {deleted} bar(s) on request",
            bars=deleted,
        )
    return int(deleted)


def record_operation(
    engine: Engine | Session | Connection,
    symbol: str | None,
    timeframe: str | None,
    operation: str,
    status: str,
    message: str,
    bars: int = 0,
) -> None:
    """Append one ``data_audit_log`` row (e.g. a sync that found nothing new, or failed)."""
    with _connection(engine) as conn:
        _audit(
            conn,
            symbol=symbol,
            timeframe=timeframe,
            operation=operation,
            status=status,
            message=message,
            bars=bars,
        )


def touch_metadata(engine: Engine | Session | Connection, symbol: str, timeframe: str = "1D") -> None:
    """Refresh ``data_metadata`` for ``symbol`` (count, newest bar, ``last_updated`` = now)."""
    with _connection(engine) as conn:
        _update_metadata(conn, symbol, timeframe)


def audit_rows(engine: Engine | Connection, symbol: str | None = None) -> list[dict[str, Any]]:
    """Audit log rows (oldest first), optionally for one symbol — for the CLI and tests."""
    query = select(_AUDIT).order_by(_AUDIT.c.id)
    if symbol is not None:
        query = query.where(_AUDIT.c.symbol == symbol)
    with _connection(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
