"""waiting reports: a report whose latest revision has no decision yet is marked (set by a submission, cleared by
a verification or a send-back), with a partial index of the marked ones, so that the review list finds the waiting
reports of every period without probing the decisions of every report ever decided (docs/benchmarks.md)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a submitted report waits when its latest revision has no decision
BACKFILL = """
UPDATE reports SET waiting = true
WHERE status = 'submitted' AND NOT EXISTS (
    SELECT 1 FROM report_reviews AS d WHERE d.report_id = reports.id AND d.revision = reports.latest_revision
)
"""


def upgrade() -> None:
    op.add_column("reports", sa.Column("waiting", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(BACKFILL)
    op.create_index(
        "ix_reports_waiting",
        "reports",
        ["period", "id"],
        unique=False,
        postgresql_where=sa.text("waiting"),
        sqlite_where=sa.text("waiting"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_waiting", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("waiting")
