"""review state kept on the report: a submitted report's review state ("waiting": no decision on its latest
revision; else the latest revision's last decision, "sent_back" or "verified") replaces the waiting mark of 0017,
with an index by state and period (covering the review list's columns on PostgreSQL), so that the review list finds
the reports of any state (sent back, verified) without probing the decisions of every report, and reads a period's
reports from the index, not from a heap page each (docs/benchmarks.md)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a submitted report's state: its latest revision's last decision, or waiting when it has none
BACKFILL = """
UPDATE reports SET review_state = COALESCE((
    SELECT d.action FROM report_reviews AS d
    WHERE d.report_id = reports.id AND d.revision = reports.latest_revision
    ORDER BY d.id DESC LIMIT 1
), 'waiting')
WHERE status = 'submitted'
"""


def upgrade() -> None:
    op.add_column("reports", sa.Column("review_state", sa.String(16), nullable=True))
    op.execute(BACKFILL)
    op.drop_index("ix_reports_waiting", table_name="reports")
    op.execute("ALTER TABLE reports DROP COLUMN waiting")  # no table rebuild on SQLite (3.35+ drops a column)
    op.create_index(
        "ix_reports_review_state",
        "reports",
        ["review_state", "period", "id"],
        unique=False,
        postgresql_include=["cooperative_id", "latest_revision", "first_submitted_at"],  # the review list's columns
    )


def downgrade() -> None:
    op.drop_index("ix_reports_review_state", table_name="reports")
    op.add_column("reports", sa.Column("waiting", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE reports SET waiting = true WHERE review_state = 'waiting'")
    op.create_index(
        "ix_reports_waiting",
        "reports",
        ["period", "id"],
        unique=False,
        postgresql_where=sa.text("waiting"),
        sqlite_where=sa.text("waiting"),
    )
    op.execute("ALTER TABLE reports DROP COLUMN review_state")
