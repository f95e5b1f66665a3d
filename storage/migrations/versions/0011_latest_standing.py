"""latest standing: each cooperative's latest assessment per framework, kept when an assessment is stored, so that
the office's list, filters and export join it instead of ranking every assessment (docs/benchmarks.md)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the latest of each cooperative and framework: its latest period, in it the newest assessment
BACKFILL = """
INSERT INTO latest_standings (cooperative_id, framework, assessment_id, period, total, category)
SELECT cooperative_id, framework, id, period, total, category FROM (
    SELECT cooperative_id, framework, id, period, total, category,
           row_number() OVER (PARTITION BY cooperative_id, framework ORDER BY period DESC, id DESC) AS rank
    FROM assessments
) AS ranked WHERE rank = 1
"""


def upgrade() -> None:
    op.create_table(
        "latest_standings",
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("total", storage.types.ExactDecimal(precision=18, scale=2), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_latest_standings_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"], ["cooperatives.id"], name=op.f("fk_latest_standings_cooperative_id_cooperatives")
        ),
        sa.PrimaryKeyConstraint("cooperative_id", "framework", name=op.f("pk_latest_standings")),
    )
    op.create_index(
        "ix_latest_standings_framework_category",
        "latest_standings",
        ["framework", "category", "cooperative_id"],
        unique=False,
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_latest_standings_framework_category", table_name="latest_standings")
    op.drop_table("latest_standings")
