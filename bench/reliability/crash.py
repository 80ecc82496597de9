"""Crash safety of the daily trading run (issue #10, item 1): SIGKILL at every point, restart, check.

How the points are found. A *recording* run of the real pipeline counts every opportunity to die,
in order, through three injected hooks (nothing in the pipeline is patched):

* ``LiveContext.crash_hook`` — the pipeline's own named points (``before_place``/``after_place``);
* a broker wrapper — before and after ``place_order``/``get_order``/``cancel_order`` (the fill
  wait) and before ``account``/``positions``/``quotes``;
* SQLAlchemy engine events — before every INSERT/UPDATE/DELETE and before every COMMIT (the
  persistence steps: intents, fills, run journal, reconciliation report, snapshot, state).

Point *k* is "the k-th opportunity of the run" (its label says where). For each chosen point a
forked child replays the same run and ``os.kill(getpid(), SIGKILL)`` at that point; then a second
child restarts the run to completion (the same deterministic execution ids, so it resumes).

Checks after each restart, against a reference run that was never interrupted:

* no order placed twice — paper: one ``live_trades`` row per (execution, symbol, side) and the
  final book (cash, positions) equal to the reference; Schwab: the fake server's order log holds
  exactly one order per filled row, no (symbol, side) twice;
* positions reconcile — the book equals the broker's positions and the reference book;
* no lost trade rows — no row left ``intent``/``submitted``, the reference's fills all present;
* journal complete — every strategy's run row ``success`` with planned/filled counts equal to the
  reference's, and a performance snapshot.

    .venv/bin/python bench/reliability/crash.py [--max-points N] [--json out.json] [--no-schwab]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "tests", ROOT / "tests" / "integration" / "live"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from sqlalchemy import Engine, event, func, select  # noqa: E402

DAY = dt.date(2023, 1, 3)
PAPER_STRATEGIES = ("v3_5b", "sma_crossover", "buy_and_hold")
SCHWAB_STRATEGY = "v3_5b"


# -- the point counter ----------------------------------------------------------------------------


class Points:
    """Counts crash opportunities; SIGKILLs the process at ``target`` (1-based), records labels."""

    def __init__(self, target: int | None) -> None:
        self.target = target
        self.labels: list[str] = []

    def tick(self, label: str) -> None:
        self.labels.append(label)
        if self.target is not None and len(self.labels) == self.target:
            os.kill(os.getpid(), signal.SIGKILL)


def instrument_engine(engine: Engine, points: Points) -> None:
    """A point before every write statement and before every commit."""

    @event.listens_for(engine, "before_cursor_execute")
    def _write(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        words = statement.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if verb in ("INSERT", "DELETE") and len(words) > 2 else words[1]
            points.tick(f"db:{verb.lower()} {table.strip(chr(34))}")

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        points.tick("db:commit")


class CrashingBroker:
    """A broker wrapper with a point around each call (the fill wait included)."""

    def __init__(self, inner: Any, points: Points, sid: str) -> None:
        self._inner = inner
        self._points = points
        self._sid = sid

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in ("place_order", "get_order", "cancel_order", "account", "positions", "quotes"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self._points.tick(f"broker:{self._sid}:{name}:before")
            out = attr(*args, **kwargs)
            if name in ("place_order", "get_order", "cancel_order"):
                self._points.tick(f"broker:{self._sid}:{name}:after")
            return out

        return call


# -- one scenario (paper or schwab) ------------------------------------------------------------


@dataclass
class Scenario:
    """How to build a context for one run of the scenario, in a child process."""

    name: str
    strategies: tuple[str, ...]
    mode: str
    make: Callable[[Engine, Points], Any]
    """``(engine, points) -> (ctx, jobs)``"""


def paper_scenario() -> Scenario:
    from live_helpers import Clock, context, full_bar, job

    def make(engine: Engine, points: Points) -> Any:
        ctx, _, _ = context(
            engine, Clock(DAY), today_bar=full_bar, crash_hook=lambda p, cid: points.tick(f"hook:{p}:{cid}")
        )
        inner = ctx.broker_for
        ctx.broker_for = lambda sid, mode: CrashingBroker(inner(sid, mode), points, sid)
        return ctx, [job(s) for s in PAPER_STRATEGIES]

    return Scenario("paper", PAPER_STRATEGIES, "paper", make)


@dataclass
class SchwabWorld:
    server: Any
    env: dict[str, str]
    secrets_dir: Path


def schwab_scenario(world: SchwabWorld) -> Scenario:
    from live_helpers import full_bar, history, job

    from jutsu.live.brokers import default_broker_factory
    from jutsu.live.pipeline import LiveContext

    def make(engine: Engine, points: Points) -> Any:
        factory = default_broker_factory(engine, world.env, secrets_dir=world.secrets_dir)
        ctx = LiveContext(
            engine=engine,
            broker_for=lambda sid, mode: CrashingBroker(factory(sid, mode), points, sid),
            history=history,
            live_confirmed=True,
            sleep=lambda _s: None,
            today_bar=full_bar,
            crash_hook=lambda p, cid: points.tick(f"hook:{p}:{cid}"),
        )
        return ctx, [job(SCHWAB_STRATEGY, mode="live")]

    return Scenario("schwab", (SCHWAB_STRATEGY,), "live", make)


def _run_once(url: str, scenario: Scenario, target: int | None, labels_out: Path | None) -> None:
    """Child body: one run of every job (killed at ``target`` if given); labels to a file."""
    from jutsu.data.database import create_db_engine
    from jutsu.live.pipeline import run_strategy

    engine = create_db_engine(url)
    points = Points(target)
    instrument_engine(engine, points)
    ctx, jobs = scenario.make(engine, points)
    statuses = []
    for j in jobs:
        outcome = run_strategy(ctx, j, session=DAY, trigger="manual")
        statuses.append(f"{outcome.strategy_id}:{outcome.status}:{outcome.message}")
    if labels_out is not None:
        labels_out.write_text(json.dumps({"labels": points.labels, "statuses": statuses}), encoding="utf-8")
    engine.dispose()
    os._exit(0)


def _child(url: str, scenario: Scenario, target: int | None, labels_out: Path | None) -> int:
    ctx = mp.get_context("fork")
    proc = ctx.Process(target=_run_once, args=(url, scenario, target, labels_out))
    proc.start()
    proc.join(timeout=300)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return -999
    return int(proc.exitcode or 0)


# -- state read-back and checks ------------------------------------------------------------


@dataclass(frozen=True)
class Final:
    books: Mapping[str, tuple[Decimal, Mapping[str, int]]]
    rows: tuple[tuple[str, str, str, str, int], ...]
    """(strategy, symbol, side, status, filled) per live_trades row, sorted."""
    runs: Mapping[str, tuple[str, int | None, int | None]]
    snapshots: Mapping[str, int]
    broker_orders: tuple[tuple[str, str, int], ...] = ()


def read_final(engine: Engine, scenario: Scenario, server: Any | None) -> Final:
    from jutsu.data.models import LiveTrade, PerformanceSnapshot
    from jutsu.data.repositories.live_ledger import read_book
    from jutsu.data.repositories.live_runs import last_runs

    books = {}
    runs = {}
    snapshots = {}
    for sid in scenario.strategies:
        book = read_book(engine, sid, scenario.mode)
        books[sid] = (book.cash, book.quantities()) if book is not None else (Decimal(-1), {})
        found = [r for r in last_runs(engine, limit=20, strategy_id=sid) if r.trading_date == DAY]
        runs[sid] = (
            (found[0].status, found[0].orders_planned, found[0].orders_filled)
            if found
            else ("none", None, None)
        )
        with engine.connect() as conn:
            snapshots[sid] = int(
                conn.execute(
                    select(func.count())
                    .select_from(PerformanceSnapshot)
                    .where(PerformanceSnapshot.strategy_id == sid)
                ).scalar_one()
            )
    with engine.connect() as conn:
        rows = tuple(
            sorted(
                (r.strategy_id, r.symbol, r.action, r.status, int(r.filled_quantity or 0))
                for r in conn.execute(select(LiveTrade).where(LiveTrade.mode == scenario.mode))
            )
        )
    orders: tuple[tuple[str, str, int], ...] = ()
    if server is not None:
        orders = tuple(
            sorted(
                (
                    o["orderLegCollection"][0]["instrument"]["symbol"],
                    o["orderLegCollection"][0]["instruction"],
                    int(o["orderLegCollection"][0]["quantity"]),
                )
                for o in server.received_orders
            )
        )
    return Final(books, rows, runs, snapshots, orders)


def violations(final: Final, reference: Final, scenario: Scenario) -> list[tuple[str, str]]:
    """``(category, detail)`` for every broken promise; categories are the report's columns."""
    out: list[tuple[str, str]] = []
    keys = [(s, sym, side) for s, sym, side, _, _ in final.rows]
    if len(keys) != len(set(keys)):
        out.append(("duplicate_order", "two order rows for one (strategy, symbol, side)"))
    if scenario.name == "schwab":
        if len(final.broker_orders) != len(set(final.broker_orders)):
            out.append(("duplicate_order", f"order placed twice at the broker: {final.broker_orders}"))
        elif final.broker_orders != reference.broker_orders:
            out.append(("lost_trade", f"broker orders {final.broker_orders} != {reference.broker_orders}"))
    stuck = [r for r in final.rows if r[3] in ("intent", "submitted", "partially_filled")]
    if stuck:
        out.append(("lost_trade", f"rows left unfinished: {stuck}"))
    if final.rows != reference.rows:
        out.append(("lost_trade", f"trade rows {final.rows} != reference {reference.rows}"))
    if final.books != reference.books:
        out.append(("reconciliation", f"book {final.books} != reference {reference.books}"))
    for sid, run in final.runs.items():
        if run[0] != "success":
            out.append(("journal", f"{sid}: run status {run[0]}"))
        elif run != reference.runs[sid]:
            out.append(
                (
                    "journal",
                    f"{sid}: run row (status, planned, filled) {run} != reference {reference.runs[sid]}",
                )
            )
        if final.snapshots.get(sid, 0) < 1:
            out.append(("journal", f"{sid}: no performance snapshot"))
    return out


def broker_positions_match(url: str, scenario: Scenario) -> list[tuple[str, str]]:
    """Reconciliation: the stored book equals what the (paper) broker reports."""
    if scenario.name != "paper":
        return []
    from jutsu.data.database import create_db_engine
    from jutsu.data.repositories.live_ledger import read_book

    engine = create_db_engine(url)
    try:
        points = Points(None)
        ctx, _ = scenario.make(engine, points)
        out: list[tuple[str, str]] = []
        for sid in scenario.strategies:
            broker = ctx.broker_for(sid, scenario.mode)
            held = {s: p.quantity for s, p in broker.positions().items() if p.quantity}
            book = read_book(engine, sid, scenario.mode)
            if book is None or held != book.quantities() or broker.account().cash != book.cash:
                out.append(("reconciliation", f"{sid}: broker and book differ"))
        return out
    finally:
        engine.dispose()


# -- the campaign ------------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    name: str
    points_available: int
    points_tested: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    not_killed: list[int] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(
        default_factory=lambda: {c: 0 for c in ("duplicate_order", "reconciliation", "lost_trade", "journal")}
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "points_available": self.points_available,
            "points_tested": self.points_tested,
            "violations": len(self.violations),
            "violations_by_category": self.by_category,
            "violation_details": self.violations[:20],
            "not_killed": self.not_killed,
            "point_kinds": self.labels,
        }


def choose(total: int, limit: int | None) -> list[int]:
    """All points, or ``limit`` of them spread evenly (first and last included)."""
    if limit is None or limit >= total:
        return list(range(1, total + 1))
    if limit <= 1:
        return [1]
    return sorted({1 + round(i * (total - 1) / (limit - 1)) for i in range(limit)})


def run_scenario(
    scenario: Scenario,
    template: Path,
    work: Path,
    limit: int | None,
    *,
    server: Any | None = None,
    reset: Callable[[], None] | None = None,
    url_for: Callable[[Path], str] | None = None,
) -> ScenarioResult:
    from jutsu.data.database import create_db_engine

    def fresh(name: str) -> str:
        if reset is not None:
            reset()
        target = work / f"{scenario.name}_{name}.db"
        shutil.copyfile(template, target)
        return url_for(target) if url_for else f"sqlite:///{target}"

    url = fresh("reference")
    labels_file = work / f"{scenario.name}_labels.json"
    code = _child(url, scenario, None, labels_file)
    if code != 0:
        raise RuntimeError(f"{scenario.name}: the reference run exited with {code}")
    recorded = json.loads(labels_file.read_text(encoding="utf-8"))
    labels: list[str] = recorded["labels"]
    engine = create_db_engine(url)
    reference = read_final(engine, scenario, server)
    engine.dispose()
    bad_ref = [d for _, d in violations(reference, reference, scenario)]
    if bad_ref:
        raise RuntimeError(
            f"{scenario.name}: the reference run itself is wrong: {bad_ref} {recorded['statuses']}"
        )
    result = ScenarioResult(scenario.name, len(labels))
    for label in labels:
        kind = (
            label.split(":")[0]
            + ":"
            + label.split(":")[-2 if label.startswith("broker") else 1].split(" ")[0]
        )
        result.labels[kind] = result.labels.get(kind, 0) + 1
    for k in choose(len(labels), limit):
        url = fresh(f"p{k}")
        died = _child(url, scenario, k, None)
        if died != -signal.SIGKILL:
            result.not_killed.append(k)
        restarted = _child(url, scenario, None, None)
        engine = create_db_engine(url)
        try:
            final = read_final(engine, scenario, server)
        finally:
            engine.dispose()
        found = violations(final, reference, scenario) + broker_positions_match(url, scenario)
        if restarted != 0:
            found.append(("journal", f"restart exited with {restarted}"))
        result.points_tested += 1
        if found:
            for category in {c for c, _ in found}:
                result.by_category[category] = result.by_category.get(category, 0) + 1
            result.violations.append(
                {"point": k, "label": labels[k - 1], "problems": [f"{c}: {d}" for c, d in found]}
            )
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    return result


def migrated_template(work: Path) -> Path:
    """A migrated SQLite file; every run starts from a byte copy of it."""
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    path = work / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@contextmanager
def schwab_world(work: Path) -> Iterator[SchwabWorld]:
    """The fake Schwab server with the strategy's quotes at ``DAY``'s closes (cf. the live tests)."""
    from cryptography.fernet import Fernet
    from live_helpers import SYMBOLS, close_of

    import fakes.schwab_server as fake

    saved = dict(fake.QUOTES)
    with fake.fake_schwab() as server:
        for symbol in SYMBOLS:
            entry = copy.deepcopy(fake.QUOTES["NVDA"])
            entry["quote"]["lastPrice"] = float(close_of(symbol, DAY))
            fake.QUOTES[symbol] = entry
            server.state.fill_prices[symbol] = close_of(symbol, DAY) - Decimal("0.10")
        env = {
            "SCHWAB_API_KEY": fake.APP_KEY,
            "SCHWAB_API_SECRET": fake.APP_SECRET,
            "SCHWAB_ACCOUNT_NUMBER": server.account_number,
            "SCHWAB_BASE_URL": server.base_url,
            "BROKER_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SCHWAB_TIMEOUT_SECONDS": "2",
            "LIVE_TRADING_CONFIRMED": "true",
        }
        try:
            yield SchwabWorld(server, env, work)
        finally:
            fake.QUOTES.clear()
            fake.QUOTES.update(saved)


def schwab_template(work: Path, world: SchwabWorld) -> Path:
    """The migrated template plus the encrypted Schwab token (as after ``jutsu broker login``)."""
    from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
    from jutsu.data.database import create_db_engine

    path = work / "schwab_template.db"
    shutil.copyfile(migrated_template(work), path)
    engine = create_db_engine(f"sqlite:///{path}")
    SchwabTokenStore(engine, TokenCipher(world.env["BROKER_TOKEN_ENCRYPTION_KEY"])).write(
        world.server.issue_token(expires_in=3600)
    )
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def reset_fake(server: Any) -> None:
    """A new day at the broker for each trial: forget orders (the account itself is static)."""
    with server.lock:
        server.state.orders.clear()
        server.state.received_orders.clear()
        server.state.requests.clear()


def run_campaign(
    paper_points: int | None, schwab_points: int | None, *, schwab: bool = True
) -> dict[str, Any]:
    """Both scenarios; ``None`` tests every point. Returns the figures for the report."""
    from live_helpers import full_market

    full_market()  # load the shared prices once, before forking
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = migrated_template(work)
        results.append(run_scenario(paper_scenario(), template, work, paper_points).as_dict())
        if schwab:
            with schwab_world(work) as world:
                results.append(
                    run_scenario(
                        schwab_scenario(world),
                        schwab_template(work, world),
                        work,
                        schwab_points,
                        server=world.server,
                        reset=lambda: reset_fake(world.server),
                    ).as_dict()
                )
    categories: dict[str, int] = {}
    for r in results:
        for c, n in r["violations_by_category"].items():
            categories[c] = categories.get(c, 0) + n
    return {
        "day": DAY.isoformat(),
        "violations_by_category": categories,
        "points_tested": sum(r["points_tested"] for r in results),
        "violations": sum(r["violations"] for r in results),
        "scenarios": results,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--max-points", type=int, default=None, help="per scenario (default: all)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-schwab", action="store_true")
    args = parser.parse_args(argv)
    figures = run_campaign(args.max_points, args.max_points, schwab=not args.no_schwab)
    print(json.dumps(figures, indent=2, default=str))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    return 0 if figures["violations"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
