"""office web app: staff logins and passwords, one-time login links, failed sign-ins and the index
the office's counts read

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("office_staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_office_staff_login"), ["login"])
    op.create_table(
        "staff_login_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["office_staff.id"], name=op.f("fk_staff_login_links_staff_id_office_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_login_links_token_hash")),
    )
    op.create_index(op.f("ix_staff_login_links_staff_id"), "staff_login_links", ["staff_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=60), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_login_at", "login_failures", ["login", "at"], unique=False)
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"], unique=False)
    op.create_index(
        "ix_assessments_office", "assessments", ["framework", "period", "cooperative_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_office", table_name="assessments")
    op.drop_index("ix_login_failures_address_at", table_name="login_failures")
    op.drop_index("ix_login_failures_login_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_staff_login_links_staff_id"), table_name="staff_login_links")
    op.drop_table("staff_login_links")
    with op.batch_alter_table("office_staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_office_staff_login"), type_="unique")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("login")
