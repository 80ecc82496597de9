"""Which broker a strategy's run talks to: simulated books for dry-run/paper, Schwab for live.

One factory for the CLI and the scheduler, so "live means the real Schwab account, and only
after an explicit confirmation" is decided in one place. The Schwab broker is opened lazily —
the first time a live strategy (or a simulated one borrowing Schwab quotes) needs it — and then
shared by every strategy of the run: one token read, one account-hash lookup.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine

from jutsu.brokers.base import Broker, Quote
from jutsu.brokers.dry_run import DryRunBroker
from jutsu.brokers.paper import PaperBroker
from jutsu.brokers.schwab_broker import SchwabBroker, open_schwab_broker
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.simulated import QuoteSource
from jutsu.core.costs import CostModel
from jutsu.errors import ConfigError
from jutsu.live.safety import LiveNotConfirmed

__all__ = ["LIVE_CONFIRM_VARIABLES", "default_broker_factory", "live_confirmed"]

LIVE_CONFIRM_VARIABLES = ("LIVE_TRADING_CONFIRMED", "ENGINE_AUTO_START_CONFIRM_LIVE")
_TRUE = frozenset({"1", "true", "yes", "on"})


def live_confirmed(env: Mapping[str, str] | None = None) -> bool:
    """True when the environment explicitly allows real orders (``LIVE_TRADING_CONFIRMED=true``)."""
    environ: Mapping[str, str] = os.environ if env is None else env
    return any(environ.get(k, "").strip().lower() in _TRUE for k in LIVE_CONFIRM_VARIABLES)


def default_broker_factory(
    engine: Engine,
    env: Mapping[str, str] | None = None,
    *,
    quotes: QuoteSource | None = None,
    costs: CostModel | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    secrets_dir: Path = Path("/run/secrets"),
    confirmed: bool | None = None,
) -> Callable[[str, str], Broker]:
    """``(strategy_id, mode) -> Broker`` for :class:`~jutsu.live.pipeline.LiveContext`.

    * ``live``: ``open_schwab_broker(SchwabConfig.from_env(env), engine)``, refused with
      :class:`LiveNotConfirmed` unless live trading is confirmed (``confirmed``, else the
      environment, see :func:`live_confirmed`).
    * ``paper`` / ``dry_run``: the simulated book in the database, quoted by ``quotes`` or, when
      none is given, by the Schwab broker's quotes (needs the Schwab settings and token).

    Raises (from the returned callable):
        LiveNotConfirmed, ConfigError (unknown mode, missing Schwab settings), BrokerError.
    """
    allow_live = live_confirmed(env) if confirmed is None else confirmed
    lock = threading.Lock()
    opened: list[SchwabBroker] = []

    def schwab() -> SchwabBroker:
        with lock:
            if not opened:
                config = SchwabConfig.from_env(env, secrets_dir)
                if clock is None:
                    opened.append(open_schwab_broker(config, engine))
                else:
                    opened.append(open_schwab_broker(config, engine, clock=clock))
            return opened[0]

    def schwab_quotes(symbols: Sequence[str]) -> Mapping[str, Quote]:
        return schwab().quotes(symbols)

    def factory(strategy_id: str, mode: str) -> Broker:
        if mode == "live":
            if not allow_live:
                raise LiveNotConfirmed(
                    f"strategy {strategy_id} is in live mode but live trading is not confirmed: "
                    "set LIVE_TRADING_CONFIRMED=true to allow real orders"
                )
            return schwab()
        source: QuoteSource = quotes if quotes is not None else schwab_quotes
        if mode == "paper":
            return PaperBroker(engine, strategy_id, source, costs=costs, clock=clock)
        if mode == "dry_run":
            return DryRunBroker(engine, strategy_id, source, clock=clock)
        raise ConfigError(f"strategy {strategy_id}: unknown trading mode {mode!r} (dry_run, paper, live)")

    return factory
