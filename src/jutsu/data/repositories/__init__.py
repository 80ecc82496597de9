"""Repositories: the only modules that issue SQL (routers and the CLI call these)."""
