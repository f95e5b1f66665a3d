"""name sort index: the office's list sorts by lower(name), then id; an index on both reads a page from the index
instead of sorting 30,000 names (docs/benchmarks.md)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cooperatives_name_lower", "cooperatives", [sa.text("lower(name)"), "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cooperatives_name_lower", table_name="cooperatives")
