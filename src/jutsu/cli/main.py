"""The ``jutsu`` command: a thin Typer shell over the services (parse, call, print)."""

from __future__ import annotations

import typer

from jutsu.cli import backtest, broker, data, db, live, montecarlo, optimize, overfit, quickstart, serve
from jutsu.cli import config as config_cli
from jutsu.cli import eod as eod_cli
from jutsu.cli import scheduler as scheduler_cli

app = typer.Typer(
    name="jutsu",
    help="Jutsu Labs — research, backtest and trade with one strategy code base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db", help="Database schema and maintenance.")
app.add_typer(data.app, name="data", help="Market data: import, sync, list, delete.")
app.add_typer(live.app, name="live", help="Live trading: preview, run once, status.")
app.add_typer(broker.app, name="broker", help="Broker (Schwab) authorisation: login, status, logout.")
app.add_typer(scheduler_cli.app, name="scheduler", help="Scheduler: status, run a job now.")
app.add_typer(eod_cli.app, name="eod", help="EOD finalization: backfill a date range.")
app.add_typer(config_cli.app, name="config", help="Runtime configuration overrides.")
app.command(name="backtest")(backtest.backtest_command)
app.command(name="grid")(optimize.grid_command)
app.command(name="wfo")(optimize.wfo_command)
app.command(name="montecarlo")(montecarlo.montecarlo_command)
app.command(name="overfit")(overfit.overfit_command)
app.command(name="serve")(serve.serve_command)
app.command(name="quickstart")(quickstart.quickstart_command)

if __name__ == "__main__":  # pragma: no cover
    app()
