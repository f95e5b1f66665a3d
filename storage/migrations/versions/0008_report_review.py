"""report review: the office's decisions on a report's revisions (verified, or sent back with a reason)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_reviews_report_id_reports")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["office_staff.id"], name=op.f("fk_report_reviews_staff_id_office_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reviews")),
    )
    op.create_index(op.f("ix_report_reviews_report_id"), "report_reviews", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_reviews_report_id"), table_name="report_reviews")
    op.drop_table("report_reviews")
