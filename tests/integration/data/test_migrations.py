"""Alembic owns the schema: upgrade reaches head on both engines and never drifts from the models."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, inspect

from jutsu.data.database import create_db_engine
from jutsu.data.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    include_object,
    upgrade,
)
from jutsu.data.models import Base

ROOT = Path(__file__).resolve().parents[3]


def _diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "compare_server_default": True, "include_object": include_object},
        )
        return list(compare_metadata(context, metadata))


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_brings_an_empty_database_to_head(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        assert current_revision(engine) is None
        assert _tables(engine) == set()
        upgrade(db_url)  # by URL: the function builds and disposes its own engine
        assert current_revision(engine) == head_revision()
        assert _tables(engine) == set(Base.metadata.tables) | {"alembic_version"}
        upgrade(engine)  # already at head: a no-op
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(db_engine: Engine) -> None:
    """Any model change without a migration (or vice versa) fails here."""
    assert _diff(db_engine, Base.metadata) == []


def test_drift_check_detects_a_model_change(db_engine: Engine) -> None:
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["positions"].append_column(Column("notes", String(20)))
    Table("orphan_table", drifted, Column("id", Integer, primary_key=True))
    kinds = {(d[0], getattr(d[-1], "name", None)) for d in _diff(db_engine, drifted) if isinstance(d, tuple)}
    assert ("add_table", "orphan_table") in kinds
    assert ("add_column", "notes") in kinds


def test_apscheduler_table_is_ignored_by_the_drift_check(db_engine: Engine) -> None:
    foreign = MetaData()
    Table(
        "apscheduler_jobs",
        foreign,
        Column("id", String(191), primary_key=True),
        Column("next_run_time", Integer, index=True),
    )
    foreign.create_all(db_engine)
    assert _diff(db_engine, Base.metadata) == []


def test_downgrade_to_base_and_back(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert _tables(db_engine) == {"alembic_version"}
    assert current_revision(db_engine) is None
    upgrade(db_engine)
    assert _diff(db_engine, Base.metadata) == []


def test_migration_files_are_shipped_as_package_data() -> None:
    """Every file Alembic needs must be inside the wheel (pyproject package-data globs)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["jutsu.data"]
    data_dir = MIGRATIONS_DIR.parent
    needed = [MIGRATIONS_DIR / "script.py.mako", *sorted((MIGRATIONS_DIR / "versions").glob("*.py"))]
    assert len(needed) >= 2
    for path in needed:
        rel = path.relative_to(data_dir).as_posix()
        assert any(fnmatch(rel, g) for g in globs), f"{rel} is not covered by package-data {globs}"
    # env.py travels as a module of the jutsu.data.migrations package
    assert (MIGRATIONS_DIR / "__init__.py").is_file()
    assert (MIGRATIONS_DIR / "env.py").is_file()
