"""Alembic environment of the platform schema, shipped inside the package (see ``jutsu.data.migrate``)."""
