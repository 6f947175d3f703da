"""plans, their occurrences and reminder jobs

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(500), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("time_of_day", sa.Time(), nullable=False),
        sa.Column("offsets", sa.JSON(), nullable=False),
        sa.Column("move_off_holidays", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.Column("materialized_until", sa.DateTime(timezone=True)),
        sa.Column("scheduled_since", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_plans_key"),
    )
    op.create_table(
        "occurrences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", name="fk_occurrences_plan_id_plans"),
                  nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("done_by", sa.String(32)),
        sa.Column("notes", sa.Text()),
        sa.Column("attendance", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.UniqueConstraint("plan_id", "due_at", name="uq_occurrences_plan_due"),
    )
    op.create_table(
        "reminder_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurrence_id", sa.Integer(),
                  sa.ForeignKey("occurrences.id", name="fk_reminder_jobs_occurrence_id_occurrences")),
        sa.Column("hazard_ref", sa.String(32)),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("key", name="uq_reminder_jobs_key"),
    )
    op.create_index("ix_reminder_jobs_due", "reminder_jobs", ["state", "fire_at"])


def downgrade() -> None:
    op.drop_index("ix_reminder_jobs_due", table_name="reminder_jobs")
    op.drop_table("reminder_jobs")
    op.drop_table("occurrences")
    op.drop_table("plans")
