"""Pydantic request/response models of the resource routers, one module per area."""
