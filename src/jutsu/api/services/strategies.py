"""The strategy registry as the API sees it: ids, modes, primary, parameter schemas.

The registry file is re-read on each call (it is small) so an edited file is picked up
without a restart; a missing or invalid file is a 503 (platform.md §3.12).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jutsu.api.services.errors import NotFound, Unavailable
from jutsu.errors import ConfigError
from jutsu.strategies.base import Strategy
from jutsu.strategies.catalog import STRATEGY_CLASSES
from jutsu.strategies.registry import Registry, load_registry, load_strategy_file, resolve_strategy_class

__all__ = ["StrategyCatalog", "params_schema"]


def params_schema(cls: type[Strategy[Any]]) -> dict[str, Any]:
    """JSON schema of the strategy's pydantic ``Params`` model (drives the dashboard's form)."""
    schema: dict[str, Any] = cls.Params.model_json_schema()
    return schema


@dataclass(slots=True)
class StrategyCatalog:
    """Registry access bound to one registry file, re-read only when the file changes."""

    registry_path: Path
    _cache: tuple[float, Registry] | None = None

    def registry(self) -> Registry:
        """The validated registry, or 503 when it is missing or invalid."""
        try:
            mtime = self.registry_path.stat().st_mtime
        except OSError:
            raise Unavailable("Strategy registry not configured") from None
        cached = self._cache
        if cached is not None and cached[0] == mtime:
            return cached[1]
        try:
            registry = load_registry(self.registry_path)
        except ConfigError:
            raise Unavailable("Strategy registry not configured") from None
        self._cache = (mtime, registry)
        return registry

    def require(self, strategy_id: str | None) -> str:
        """``strategy_id`` if registered, the primary when ``None``; 404 lists the known ids."""
        reg = self.registry()
        if strategy_id is None:
            return reg.primary_id
        if strategy_id not in reg.strategies:
            known = ", ".join(sorted(reg.strategies))
            raise NotFound(f"Strategy {strategy_id!r} not found. Available: {known}")
        return strategy_id

    def strategy_class(self, strategy_id: str) -> type[Strategy[Any]]:
        entry = self.registry().strategies[self.require(strategy_id)]
        return resolve_strategy_class(entry.strategy_class)

    def file_parameters(self, strategy_id: str) -> dict[str, Any]:
        """Parameters of the strategy file (empty when the file is missing)."""
        reg = self.registry()
        path = reg.config_path(self.require(strategy_id))
        if not path.is_file():
            return {}
        try:
            return dict(load_strategy_file(path).strategy.parameters)
        except ConfigError:
            raise Unavailable(f"Strategy {strategy_id!r} configuration is invalid") from None

    def effective_parameters(self, strategy_id: str) -> dict[str, Any]:
        """Every parameter: class defaults overlaid with the file's values (JSON mode)."""
        cls = self.strategy_class(strategy_id)
        defaults = {
            name: info.get_default(call_default_factory=True)
            for name, info in cls.Params.model_fields.items()
        }
        values = {**defaults, **self.file_parameters(strategy_id)}
        try:
            dumped: dict[str, Any] = cls.Params.model_validate(values).model_dump(mode="json")
            return dumped
        except ValueError:
            return {k: v for k, v in values.items()}

    @staticmethod
    def catalog_class(name: str) -> type[Strategy[Any]]:
        """A shipped strategy class by catalog id (research endpoints); 404 when unknown."""
        cls = STRATEGY_CLASSES.get(name)
        if cls is None:
            known = ", ".join(sorted(STRATEGY_CLASSES))
            raise NotFound(f"Strategy {name!r} not found. Available: {known}")
        return cls
