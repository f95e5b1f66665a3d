"""standing counts: how many cooperatives stand in each category per framework, period and cooperative type (of
the period standings and of the latest standings), kept when an assessment is stored or a cooperative's type
changes, so that the whole city's overview sums a few hundred rows instead of counting 350,000 standings
(docs/benchmarks.md)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every standing counted by its framework, period, cooperative type and category; paired: the cooperative has a
# standing of another framework too (in that period; for the latest standings, at all)
BACKFILL = """
INSERT INTO standing_counts (latest, framework, period, cooperative_type, category, paired, cooperatives)
SELECT latest, framework, period, cooperative_type, category, paired, count(*) FROM (
    SELECT false AS latest, s.framework, s.period, c.type AS cooperative_type, coalesce(s.category, '') AS category,
           EXISTS (SELECT 1 FROM period_standings AS o WHERE o.cooperative_id = s.cooperative_id
                   AND o.period = s.period AND o.framework <> s.framework) AS paired
    FROM period_standings AS s JOIN cooperatives AS c ON c.id = s.cooperative_id
    UNION ALL
    SELECT true, s.framework, s.period, c.type, coalesce(s.category, ''),
           EXISTS (SELECT 1 FROM latest_standings AS o WHERE o.cooperative_id = s.cooperative_id
                   AND o.framework <> s.framework)
    FROM latest_standings AS s JOIN cooperatives AS c ON c.id = s.cooperative_id
) AS each_standing
GROUP BY latest, framework, period, cooperative_type, category, paired
"""


def upgrade() -> None:
    op.create_table(
        "standing_counts",
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("cooperative_type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("paired", sa.Boolean(), nullable=False),
        sa.Column("cooperatives", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "latest", "framework", "period", "cooperative_type", "category", "paired", name=op.f("pk_standing_counts")
        ),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("standing_counts")
