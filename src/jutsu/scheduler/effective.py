"""``GET /api/config/effective``: every effective value and where it came from.

Sources (spec §8.6): ``env`` and ``secret`` for settings named by environment variables,
``override`` for a non-expired runtime override, ``yaml`` for a value set in a YAML file,
``default`` for the code default. Secret values are never shown (``****``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jutsu.data.repositories import config_overrides as repo
from jutsu.scheduler.overrides import LIVE_TRADING_YAML, effective_execution_time

__all__ = ["effective_values"]

_MASK = "****"


def _setting_source(names: tuple[str, ...], secret: bool, environ: Mapping[str, str]) -> str | None:
    if any(environ.get(n) for n in names):
        return "env"
    if secret and (
        any((Path("/run/secrets") / n.lower()).is_file() for n in names)
        or any(environ.get(f"{n}_FILE") for n in names)
    ):
        return "secret"
    return None


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = getattr(obj, key, None)
    return obj


def effective_values(
    engine: Engine,
    settings: Any,
    strategy_parameters: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    now: dt.datetime,
    environ: Mapping[str, str] | None = None,
    yaml_path: Path = LIVE_TRADING_YAML,
) -> list[dict[str, Any]]:
    """Rows ``{name, strategy_id, value, source, expires_at}``.

    ``strategy_parameters`` maps strategy id → (effective file/default values, file values).
    """
    from jutsu.config.settings import ENV_VARIABLES

    env = os.environ if environ is None else environ
    defaults = type(settings).model_construct()
    rows: list[dict[str, Any]] = []
    for path, names, secret in ENV_VARIABLES:
        value = _get(settings, path)
        source = _setting_source(names, secret, env) or (
            "default" if value == _get(defaults, path) else "yaml"
        )
        shown = _MASK if secret and value is not None else (None if value is None else str(value))
        rows.append({"name": ".".join(path), "strategy_id": None, "value": shown, "source": source})
    execution = effective_execution_time(engine, now, yaml_path)
    rows.append(
        {
            "name": "execution_time",
            "strategy_id": "*",
            "value": execution.key,
            "source": execution.source,
            "expires_at": execution.expires_at.isoformat() if execution.expires_at else None,
        }
    )
    with Session(engine) as session:
        for sid, (values, from_file) in strategy_parameters.items():
            overrides = {
                o.parameter_name: o for o in repo.active_overrides(session, sid, now) if o.strategy_id == sid
            }
            for name, value in values.items():
                o = overrides.get(name)
                if o is not None:
                    row = {
                        "value": o.override_value,
                        "source": "override",
                        "expires_at": o.expires_at.isoformat() if o.expires_at else None,
                    }
                else:
                    row = {"value": value, "source": "yaml" if name in from_file else "default"}
                rows.append({"name": name, "strategy_id": sid, **row})
    return rows
