"""Schemas of ``/api/config`` (platform.md §3.11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

__all__ = [
    "ConfigHistoryEntry",
    "ConfigHistoryPublic",
    "ConfigParameter",
    "ConfigResponse",
    "ConfigUpdate",
    "ConfigUpdateResponse",
    "OverridePublic",
    "ParameterConstraints",
]


class ParameterConstraints(BaseModel):
    min_value: float | None = None
    max_value: float | None = None
    allowed_values: list[Any] | None = None
    value_type: str


class ConfigParameter(BaseModel):
    name: str
    value: Any
    original_value: Any = None
    is_overridden: bool
    constraints: ParameterConstraints
    description: str | None = None


class OverridePublic(BaseModel):
    id: int
    parameter_name: str
    strategy_id: str
    original_value: str | None
    override_value: str
    value_type: str
    reason: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None


class ConfigResponse(BaseModel):
    strategy_id: str
    strategy_name: str
    parameters: list[ConfigParameter]
    active_overrides: list[OverridePublic]
    last_modified: dt.datetime | None


class ConfigUpdate(BaseModel):
    """An override. Unlike the reference, ``reason`` and ``expires_at`` are mandatory so no
    forgotten override silently changes trading forever."""

    parameter_name: str = Field(min_length=1, max_length=50)
    new_value: str | int | float | bool
    reason: str = Field(min_length=1, max_length=200)
    expires_at: AwareDatetime
    strategy_id: str | None = Field(default=None, max_length=50)


class ConfigUpdateResponse(BaseModel):
    success: bool
    parameter_name: str
    old_value: str | None
    new_value: str | None
    message: str


class ConfigHistoryEntry(BaseModel):
    timestamp: dt.datetime
    parameter_name: str
    strategy_id: str | None
    old_value: str | None
    new_value: str
    change_type: str
    changed_by: str | None
    reason: str | None


class ConfigHistoryPublic(BaseModel):
    history: list[ConfigHistoryEntry]
    count: int
