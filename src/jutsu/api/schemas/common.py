"""Shared response shapes: a plain message, pagination fields, the regime triple."""

from __future__ import annotations

import math

from pydantic import BaseModel

__all__ = ["Message", "Page", "total_pages"]


class Message(BaseModel):
    message: str


class Page(BaseModel):
    """Pagination fields of every paged list (platform.md §3.1)."""

    total: int
    page: int
    page_size: int
    total_pages: int


def total_pages(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / page_size)) if total else 0
