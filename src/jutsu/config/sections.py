"""Typed sections of ``config/config.yaml`` (platform.md §8.1).

Every model forbids unknown keys: a misspelt key must stop the program with a message naming it,
not be silently ignored while the default applies.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = [
    "ApiConfig",
    "ApplicationConfig",
    "BacktestDefaults",
    "BacktestingConfig",
    "CsvSourceConfig",
    "DataSourcesConfig",
    "DatabaseConfig",
    "PerformanceConfig",
    "PostgresConfig",
    "RiskManagementConfig",
    "SchwabSourceConfig",
    "SqliteConfig",
    "StrictModel",
    "YamlConfig",
]


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are errors; values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ApplicationConfig(StrictModel):
    name: str = "Jutsu Labs"
    version: str = "0.1.0"
    environment: Literal["development", "staging", "production"] = "development"


class SqliteConfig(StrictModel):
    database: Path = Path("data/jutsu.db")
    echo: bool = False


class PostgresConfig(StrictModel):
    host: str = "localhost"
    port: int = Field(5432, ge=1, le=65535)
    user: str = "jutsu"
    password: SecretStr | None = None
    database: str = "jutsu_labs"
    pool_size: int = Field(10, ge=1)
    max_overflow: int = Field(20, ge=0)
    pool_timeout: int = Field(30, ge=1)
    pool_recycle: int = Field(3600, ge=-1)
    echo: bool = False


class DatabaseConfig(StrictModel):
    type: Literal["sqlite", "postgresql"] = "sqlite"
    url: SecretStr | None = None
    """A full SQLAlchemy URL (``DATABASE_URL``); wins over the parts below."""
    sqlite: SqliteConfig = SqliteConfig()
    postgresql: PostgresConfig = PostgresConfig()


class SchwabRateLimit(StrictModel):
    requests_per_second: int = Field(2, ge=1)
    requests_per_minute: int = Field(120, ge=1)


class SchwabRetry(StrictModel):
    max_attempts: int = Field(3, ge=1)
    backoff_factor: float = Field(2.0, ge=0)


class SchwabSourceConfig(StrictModel):
    enabled: bool = False
    rate_limit: SchwabRateLimit = SchwabRateLimit()
    timeout: int = Field(30, ge=1)
    retry: SchwabRetry = SchwabRetry()


class CsvSourceConfig(StrictModel):
    enabled: bool = True
    default_directory: Path = Path("data/csv/")


class DataSourcesConfig(StrictModel):
    schwab: SchwabSourceConfig = SchwabSourceConfig()
    csv: CsvSourceConfig = CsvSourceConfig()


class BacktestDefaults(StrictModel):
    initial_capital: Decimal = Field(Decimal("100000"), gt=0)
    commission_per_share: Decimal = Field(Decimal("0.01"), ge=0)
    slippage_percent: Decimal = Field(Decimal("0.0"), ge=0)
    position_size_percent: Decimal = Field(Decimal("1.0"), gt=0)


class RiskManagementConfig(StrictModel):
    max_position_size_percent: Decimal = Decimal("0.20")
    max_drawdown_percent: Decimal = Decimal("0.15")
    stop_loss_percent: Decimal = Decimal("0.05")


class BacktestingConfig(StrictModel):
    defaults: BacktestDefaults = BacktestDefaults()
    risk_management: RiskManagementConfig = RiskManagementConfig()


class PerformanceConfig(StrictModel):
    metrics: list[str] = Field(default_factory=list)
    risk_free_rate: Decimal = Decimal("0.04")
    """Backtest reports only; live EOD KPIs use 0 (DECISIONS.md 1)."""


class ApiConfig(StrictModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)
    cors_origins: list[str] = Field(default_factory=list)


class YamlConfig(StrictModel):
    """The whole of ``config/config.yaml``; ``logging`` is a ``logging.config.dictConfig`` document."""

    application: ApplicationConfig = ApplicationConfig()
    database: DatabaseConfig = DatabaseConfig()
    data_sources: DataSourcesConfig = DataSourcesConfig()
    backtesting: BacktestingConfig = BacktestingConfig()
    performance: PerformanceConfig = PerformanceConfig()
    api: ApiConfig = ApiConfig()
    logging: dict[str, Any] | None = None
