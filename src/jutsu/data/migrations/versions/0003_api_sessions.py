"""API sessions: token families, refresh tokens, auth challenges; wider security severities.

security_events.severity also accepts the issue's LOW/MEDIUM/HIGH levels next to the spec's
INFO/WARNING/CRITICAL (rows already stored stay valid).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jutsu.data.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "severity IN ('INFO', 'WARNING', 'CRITICAL')"
_NEW = "severity IN ('INFO', 'WARNING', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL')"


def upgrade() -> None:
    op.create_table(
        "token_families",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("auth_method", sa.String(length=10), nullable=False),
        sa.Column(
            "created_at",
            jutsu.data.types.UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("revoked_at", jutsu.data.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "auth_method IN ('password', 'passkey')", name=op.f("ck_token_families_auth_method")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_token_families_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_families")),
    )
    with op.batch_alter_table("token_families", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_token_families_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("jti", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column(
            "issued_at",
            jutsu.data.types.UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", jutsu.data.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", jutsu.data.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["token_families.id"],
            name=op.f("fk_refresh_tokens_family_id_token_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False)

    op.create_table(
        "auth_challenges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=True),
        sa.Column("ticket_jti", sa.String(length=36), nullable=True),
        sa.Column("device_name", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            jutsu.data.types.UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", jutsu.data.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('login_ticket', 'passkey_register', 'passkey_auth')",
            name=op.f("ck_auth_challenges_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_challenges_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_challenges")),
    )
    with op.batch_alter_table("auth_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_challenges_key"), ["key"], unique=True)
        batch_op.create_index(batch_op.f("ix_auth_challenges_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_security_events_severity"), type_="check")
        batch_op.create_check_constraint("severity", _NEW)


def downgrade() -> None:
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_security_events_severity"), type_="check")
        batch_op.create_check_constraint("severity", _OLD)
    op.drop_table("auth_challenges")
    op.drop_table("refresh_tokens")
    op.drop_table("token_families")
