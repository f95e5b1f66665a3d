"""outbox fan-out: an announcement's INSERT ... SELECT checks no foreign key per recipient and maintains one index
fewer: the outbox records its officer, staff member, chat account and announcement without foreign keys (each row is
written from those rows, which are never deleted; a key checked per row locked each recipient's officer and chat
account), and the delivery-receipt index holds only rows a platform gave an id (docs/benchmarks.md)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_ID = "provider_message_id IS NOT NULL"
REFERENCES = (  # column, table referred to
    ("identity_id", "channel_identities"),
    ("officer_id", "officers"),
    ("staff_id", "office_staff"),
    ("announcement_id", "announcements"),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for column, table in REFERENCES:
            batch_op.drop_constraint(f"fk_outbox_{column}_{table}", type_="foreignkey")
        batch_op.drop_index("ix_outbox_provider")
        batch_op.create_index(
            "ix_outbox_provider",
            ["channel", "provider_message_id"],
            unique=False,
            postgresql_where=sa.text(HAS_ID),
            sqlite_where=sa.text(HAS_ID),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_provider")
        batch_op.create_index("ix_outbox_provider", ["channel", "provider_message_id"], unique=False)
        for column, table in REFERENCES:
            batch_op.create_foreign_key(f"fk_outbox_{column}_{table}", table, [column], ["id"])
