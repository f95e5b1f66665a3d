"""the clinic's record: each assessment's diagnosis, prescription and standing (provisional, verified, official);
action plans; follow-ups tied to their plan or visit; a cooperative's founding date

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["cooperative_id"], ["cooperatives.id"], name=op.f("fk_action_plans_cooperative_id_cooperatives")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["office_staff.id"], name=op.f("fk_action_plans_created_by_office_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plans")),
    )
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_plans_cooperative_id"), ["cooperative_id"], unique=False)
        batch_op.create_index("ix_action_plans_status_due_on", ["status", "due_on"], unique=False)

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("standing", sa.String(length=16), nullable=False, server_default="provisional"))
        batch_op.add_column(sa.Column("verified_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("book_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("special_flag", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("diagnosis", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("prescription", sa.JSON(), nullable=True))
        batch_op.create_index(
            "ix_assessments_cooperative_framework_period", ["cooperative_id", "framework", "period"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assessments_verified_by_office_staff"), "office_staff", ["verified_by"], ["id"]
        )

    op.execute("UPDATE assessments SET standing = 'official' WHERE official")
    # the defaults filled the existing rows; new rows get theirs from the models, as every other column does
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.alter_column("standing", server_default=None)
        batch_op.alter_column("special_flag", server_default=None)

    with op.batch_alter_table("coaching_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_coaching_entries_follows_id"), ["follows_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coaching_entries_plan_id"), ["plan_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_coaching_entries_plan_id_action_plans"), "action_plans", ["plan_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_coaching_entries_follows_id_coaching_entries"), "coaching_entries", ["follows_id"], ["id"]
        )

    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("founded_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        batch_op.drop_column("founded_on")

    with op.batch_alter_table("coaching_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_coaching_entries_follows_id_coaching_entries"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_coaching_entries_plan_id_action_plans"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_coaching_entries_plan_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_entries_follows_id"))
        batch_op.drop_column("follows_id")
        batch_op.drop_column("plan_id")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assessments_verified_by_office_staff"), type_="foreignkey")
        batch_op.drop_index("ix_assessments_cooperative_framework_period")
        batch_op.drop_column("prescription")
        batch_op.drop_column("diagnosis")
        batch_op.drop_column("special_flag")
        batch_op.drop_column("book_year")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verified_by")
        batch_op.drop_column("standing")

    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_action_plans_status_due_on")
        batch_op.drop_index(batch_op.f("ix_action_plans_cooperative_id"))

    op.drop_table("action_plans")
