"""Enumerate the app's HTTP endpoints with the permission each one requires.

Used by the all-routes authorisation test (and handy for audits). FastAPI ≥ 0.16x keeps
included routers as lazy ``_IncludedRouter`` entries in ``app.routes`` instead of flattening
them, so this walks both shapes and reads each endpoint's resolved dependency tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from jutsu.api.deps import PermissionRequirement, get_current_user
from jutsu.api.permissions import Permission

__all__ = ["Endpoint", "iter_endpoints"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One HTTP endpoint: ``permission`` wins over ``authenticated`` (any logged-in user)."""

    path: str
    methods: frozenset[str]
    name: str
    permission: Permission | None
    authenticated: bool


def _walk(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _walk(dep)


def _endpoint(path: str, methods: set[str], name: str, dependant: Dependant) -> Endpoint:
    calls = list(_walk(dependant))
    perms = [c.permission for c in calls if isinstance(c, PermissionRequirement)]
    return Endpoint(
        path=path,
        methods=frozenset(methods),
        name=name,
        permission=perms[0] if perms else None,
        authenticated=bool(perms) or any(c is get_current_user for c in calls),
    )


def iter_endpoints(app: FastAPI) -> Iterator[Endpoint]:
    """Every HTTP API endpoint of ``app`` (docs routes and WebSockets excluded)."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield _endpoint(route.path, set(route.methods or ()), route.name, route.dependant)
            continue
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            continue
        for ctx in contexts():
            dependant = getattr(ctx, "dependant", None)
            methods = getattr(ctx, "methods", None)
            if isinstance(ctx.original_route, APIRoute) and dependant is not None and methods:
                yield _endpoint(str(ctx.path), set(methods), str(ctx.name), dependant)
