"""SQLAlchemy models of every platform table (platform.md §2.3), split by area.

Import models from here (``from jutsu.data.models import MarketData``); ``Base.metadata`` is the
schema Alembic's migrations must match (the drift test enforces it). ``apscheduler_jobs`` is
owned by APScheduler and deliberately absent.
"""

from __future__ import annotations

from jutsu.data.models.auth import ROLES, BlacklistedToken, Passkey, User, UserInvitation
from jutsu.data.models.base import MODES, NAMING_CONVENTION, Base
from jutsu.data.models.configuration import ConfigHistory, ConfigOverride, SystemState
from jutsu.data.models.market import DataAuditLog, DataMetadata, MarketData
from jutsu.data.models.operations import SEVERITIES, BrokerToken, ReconciliationReport, SecurityEvent
from jutsu.data.models.performance import EOD_STATUSES, DailyPerformance, EodJobStatus, PerformanceSnapshot
from jutsu.data.models.runs import (
    JOB_RUN_STATUSES,
    RESEARCH_KINDS,
    RUN_STATUSES,
    BacktestRun,
    JobRun,
    ResearchResult,
    ResearchRun,
)
from jutsu.data.models.sessions import CHALLENGE_KINDS, AuthChallenge, RefreshToken, TokenFamily
from jutsu.data.models.trading import (
    EXECUTION_STATUSES,
    EXECUTION_TRIGGERS,
    ORDER_STATUSES,
    ExecutionRun,
    LiveTrade,
    Position,
    StrategyState,
)

__all__ = [
    "CHALLENGE_KINDS",
    "EOD_STATUSES",
    "EXECUTION_STATUSES",
    "EXECUTION_TRIGGERS",
    "JOB_RUN_STATUSES",
    "MODES",
    "NAMING_CONVENTION",
    "ORDER_STATUSES",
    "RESEARCH_KINDS",
    "ROLES",
    "RUN_STATUSES",
    "SEVERITIES",
    "AuthChallenge",
    "BacktestRun",
    "Base",
    "BlacklistedToken",
    "BrokerToken",
    "ConfigHistory",
    "ConfigOverride",
    "DailyPerformance",
    "DataAuditLog",
    "DataMetadata",
    "EodJobStatus",
    "ExecutionRun",
    "JobRun",
    "LiveTrade",
    "MarketData",
    "Passkey",
    "PerformanceSnapshot",
    "Position",
    "ReconciliationReport",
    "RefreshToken",
    "ResearchResult",
    "ResearchRun",
    "SecurityEvent",
    "StrategyState",
    "SystemState",
    "TokenFamily",
    "User",
    "UserInvitation",
]
