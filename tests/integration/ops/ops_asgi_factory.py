"""Zero-argument app factory for uvicorn, used only while ``jutsu serve`` does not exist yet."""

from __future__ import annotations

from fastapi import FastAPI

from jutsu.api.app import create_app
from jutsu.config import configure_logging, load_settings


def app() -> FastAPI:
    settings = load_settings()
    configure_logging(settings)
    return create_app(settings)
