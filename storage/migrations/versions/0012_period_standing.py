"""period standing: each cooperative's newest assessment per framework and period, and on the latest standing the
latest assessment's DPK flag and the totals of the two assessed periods before it, kept when an assessment is
stored, so that the overview's trend and worklist read small rows instead of ranking every assessment
(docs/benchmarks.md)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the newest assessment of each cooperative, framework and period
PERIODS = """
INSERT INTO period_standings (cooperative_id, framework, period, assessment_id, total, category, special_flag)
SELECT cooperative_id, framework, period, id, total, category, special_flag FROM (
    SELECT cooperative_id, framework, period, id, total, category, special_flag,
           row_number() OVER (PARTITION BY cooperative_id, framework, period ORDER BY id DESC) AS rank
    FROM assessments
) AS newest WHERE rank = 1
"""

# the latest period of each cooperative and framework, with the totals of the two periods before it
LATEST = """
INSERT INTO latest_standings (cooperative_id, framework, period, assessment_id, total, category, special_flag,
                              previous_total, earlier_total)
SELECT cooperative_id, framework, period, assessment_id, total, category, special_flag, previous_total, earlier_total
FROM (
    SELECT cooperative_id, framework, period, assessment_id, total, category, special_flag,
           lead(total, 1) OVER w AS previous_total, lead(total, 2) OVER w AS earlier_total,
           row_number() OVER w AS age
    FROM period_standings
    WINDOW w AS (PARTITION BY cooperative_id, framework ORDER BY period DESC)
) AS aged WHERE age = 1
"""


def upgrade() -> None:
    op.create_table(
        "period_standings",
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("total", storage.types.ExactDecimal(precision=18, scale=2), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("special_flag", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_period_standings_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"], ["cooperatives.id"], name=op.f("fk_period_standings_cooperative_id_cooperatives")
        ),
        sa.PrimaryKeyConstraint("cooperative_id", "framework", "period", name=op.f("pk_period_standings")),
    )
    op.create_index(
        "ix_period_standings_counts",
        "period_standings",
        ["framework", "period", "category", "cooperative_id"],
        unique=False,
    )
    with op.batch_alter_table("latest_standings") as batch:
        batch.add_column(sa.Column("special_flag", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("previous_total", storage.types.ExactDecimal(precision=18, scale=2), nullable=True))
        batch.add_column(sa.Column("earlier_total", storage.types.ExactDecimal(precision=18, scale=2), nullable=True))
    op.execute(PERIODS)
    op.execute("DELETE FROM latest_standings")
    op.execute(LATEST)


def downgrade() -> None:
    with op.batch_alter_table("latest_standings") as batch:
        batch.drop_column("earlier_total")
        batch.drop_column("previous_total")
        batch.drop_column("special_flag")
    op.drop_index("ix_period_standings_counts", table_name="period_standings")
    op.drop_table("period_standings")
