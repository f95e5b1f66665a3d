"""platform files: the id Telegram or WhatsApp gave a stored file, so it is uploaded once, not once per recipient

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=300), nullable=False),
        sa.Column("platform_id", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_files.id"], name=op.f("fk_platform_files_stored_file_id_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_files")),
        sa.UniqueConstraint(
            "stored_file_id",
            "channel",
            "account",
            "variant",
            name=op.f("uq_platform_files_stored_file_id_channel_account_variant"),
        ),
    )


def downgrade() -> None:
    op.drop_table("platform_files")
