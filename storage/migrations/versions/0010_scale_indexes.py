"""scale indexes: the office's counts read the latest assessment per cooperative and period, and who reported a
period, from an index alone (measured with EXPLAIN ANALYZE at 30,000 cooperatives, docs/benchmarks.md)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_assessments_office", table_name="assessments")
    op.create_index(
        "ix_assessments_latest",
        "assessments",
        ["framework", "period", "cooperative_id", "id", "category"],
        unique=False,
    )
    op.create_index(
        "ix_reports_period_status",
        "reports",
        ["period", "status", "cooperative_id", "first_submitted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reports_period_status", table_name="reports")
    op.drop_index("ix_assessments_latest", table_name="assessments")
    op.create_index(
        "ix_assessments_office", "assessments", ["framework", "period", "cooperative_id", "id"], unique=False
    )
