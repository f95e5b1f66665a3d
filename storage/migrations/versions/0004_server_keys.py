"""server keys (the key of keyed hashes, made once), and the kind and time index of wrong-code attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_server_keys_name")),
    )
    with op.batch_alter_table("invite_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="daftar", nullable=False))
        batch_op.create_index(batch_op.f("ix_invite_attempts_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invite_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_attempts_at"))
        batch_op.drop_column("kind")
    op.drop_table("server_keys")
