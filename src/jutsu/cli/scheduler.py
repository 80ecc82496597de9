"""``jutsu scheduler status|trigger JOB``: the scheduler's view from the database, and one job now.

``status`` needs no running server: the effective execution time, each job's next fire time
(from the NYSE calendar triggers), the stored job-store times and the last result of each job
all come from the database. ``trigger`` runs a job's body in this process and records it in
``job_runs`` like a scheduled run (the trading run's once-per-session guard still applies).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jutsu.errors import ConfigError, JutsuError

__all__ = ["app", "run_job_now"]

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
RegistryOpt = Annotated[Path, typer.Option("--registry", help="Strategy registry YAML.")]
_REGISTRY = Path("config/strategies_registry.yaml")


def _engine() -> object:
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine

    return create_db_engine(load_settings().database_url)


def run_job_now(engine: object, job_id: str, registry: Path, now: dt.datetime) -> tuple[str, str]:
    """Run one job body synchronously and record it in ``job_runs``; returns (status, message)."""
    from sqlalchemy import Engine

    from jutsu.scheduler.bodies import JobContext, default_bodies
    from jutsu.scheduler.state import finish_job_run, start_job_run

    assert isinstance(engine, Engine)
    bodies = default_bodies()
    if job_id not in bodies:
        raise ConfigError(f"unknown job {job_id!r}; jobs: {', '.join(sorted(bodies))}")
    run_id = start_job_run(engine, job_id, "manual", now)
    outcome = bodies[job_id](JobContext(engine=engine, registry_path=registry, now=now, trigger="manual"))
    errors = dict(outcome.errors)
    if outcome.status == "skipped":
        errors["_skipped"] = outcome.message
    status = "completed" if outcome.status == "skipped" else outcome.status
    finish_job_run(engine, run_id, status, dt.datetime.now(dt.UTC), errors)
    return outcome.status, outcome.message


@app.command("status")
def status_command() -> None:
    """Execution time and its source, next fire of every job, last result of every job."""
    from sqlalchemy import Engine

    from jutsu.data.calendar import ET
    from jutsu.scheduler.jobs import job_specs
    from jutsu.scheduler.overrides import effective_execution_time
    from jutsu.scheduler.state import last_job_runs, read_scheduler_state

    console, err = Console(), Console(stderr=True)
    try:
        engine = _engine()
        assert isinstance(engine, Engine)
        now = dt.datetime.now(dt.UTC)
        state = read_scheduler_state(engine)
        effective = effective_execution_time(engine, now)
        last = last_job_runs(engine)
    except JutsuError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"trading job {'enabled' if state['enabled'] else 'disabled'}; execution time "
        f"{effective.key} (source: {effective.source}); last run {state['last_run'] or 'never'} "
        f"[{state['last_run_status'] or '-'}]"
    )
    table = Table("job", "next run (ET)", "last status", "last finished")
    for spec in job_specs(effective.key, trading_enabled=bool(state["enabled"])):
        nxt = spec.trigger.get_next_fire_time(None, now)
        info = last.get(spec.job_id, {})
        table.add_row(
            spec.job_id,
            "-" if nxt is None else nxt.astimezone(ET).strftime("%Y-%m-%d %H:%M"),
            str(info.get("status", "-")),
            str(info.get("finished_at") or "-"),
        )
    console.print(table)


@app.command("trigger")
def trigger_command(
    job: Annotated[str, typer.Argument(help="Job id, e.g. daily_trading_job or eod_finalization_job.")],
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Run one job now in this process (recorded in job_runs)."""
    console, err = Console(), Console(stderr=True)
    try:
        status, message = run_job_now(_engine(), job, registry, dt.datetime.now(dt.UTC))
    except JutsuError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    color = {"completed": "green", "skipped": "yellow"}.get(status, "red")
    console.print(f"[{color}]{job}: {status}[/{color}] {message}")
    if status not in ("completed", "skipped"):
        raise typer.Exit(1)
