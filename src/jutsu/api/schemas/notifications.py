"""Payloads of ``/api/notifications``: configured channels (secrets masked) and a test send."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

__all__ = ["ChannelPublic", "ChannelResult", "ChannelsPublic", "TestAlertRequest", "TestAlertResult"]


class ChannelPublic(BaseModel):
    name: str = Field(description="Channel name as alerts report it: slack, discord or webhook")
    type: str = Field(description="slack, discord or generic (NOTIFICATION_WEBHOOK_TYPE, else from the URL)")
    enabled: bool
    target: str = Field(description="Webhook URL with its secret part masked")


class ChannelsPublic(BaseModel):
    enabled: bool = Field(description="NOTIFICATION_ENABLED (default: on when a URL is set)")
    trade_summary: bool
    channels: list[ChannelPublic]
    message: str


class TestAlertRequest(BaseModel):
    message: str = Field(default="Test alert from Jutsu Labs", min_length=1, max_length=500)


class ChannelResult(BaseModel):
    channel: str
    delivered: bool


class TestAlertResult(BaseModel):
    success: bool = Field(description="Every configured channel delivered the alert")
    results: list[ChannelResult]
    message: str
    timestamp: dt.datetime
