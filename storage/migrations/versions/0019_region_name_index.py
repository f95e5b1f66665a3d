"""region name index: one period's page of the review list walks the kecamatan in name order and stops at the page's
end; read from an index on the regions' names, the walk reaches the first kecamatan without sorting every region and
asking of each whether it is a cooperative's kecamatan first (docs/benchmarks.md)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_regions_name", "regions", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_regions_name", table_name="regions")
