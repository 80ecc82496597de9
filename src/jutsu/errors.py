"""The platform's error tree, so callers catch at the right level.

    JutsuError                 anything the platform raises on purpose
    ├── ConfigError            a human must fix a setting or a file (stop)
    ├── DataError              market data is malformed, missing or conflicting
    │   └── DataConflictError  a stored bar differs from an incoming one
    ├── StrategyError          user strategy code failed (wrapped)
    ├── BacktestError          a backtest cannot run as asked (bad range, no data)
    ├── OutputWriteError       a result file cannot be written (disk full, no permission)
    └── BrokerError            the broker refused or failed
        └── BrokerUnavailable  a transient broker failure: retrying may help

Messages are written for the person reading them: they name the file, row, field or
parameter at fault and never contain a stack trace.
"""

from __future__ import annotations

__all__ = [
    "BacktestError",
    "BrokerError",
    "BrokerUnavailable",
    "ConfigError",
    "DataConflictError",
    "DataError",
    "JutsuError",
    "OutputWriteError",
    "StrategyError",
]


class JutsuError(Exception):
    """Base of every error the platform raises deliberately."""


class ConfigError(JutsuError):
    """A setting, a YAML file or a CLI argument is invalid; a human must fix it."""


class DataError(JutsuError):
    """Market data is malformed, missing or inconsistent."""


class DataConflictError(DataError):
    """An incoming bar differs from the stored one; stored bars are immutable."""


class StrategyError(JutsuError):
    """Strategy code failed; wraps the original exception."""


class BacktestError(JutsuError):
    """A backtest cannot run as requested (no data in range, end before start, ...)."""


class OutputWriteError(JutsuError):
    """A report or result file cannot be written (disk full, permission denied, read-only)."""


class BrokerError(JutsuError):
    """The broker refused a request or answered with an error."""


class BrokerUnavailable(BrokerError):
    """A transient broker failure (timeout, 5xx); the operation may be retried."""
