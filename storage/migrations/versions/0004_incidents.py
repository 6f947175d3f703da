"""incidents; rectifications linked to incidents; outbox calls other than posts

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("injured", sa.Integer(), nullable=False),
        sa.Column("injured_names", sa.Text(), nullable=False),
        sa.Column("immediate_actions", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.String(32), nullable=False),
        sa.Column("department_key", sa.String(64)),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("channel_failed", sa.Text()),
        sa.Column("thread_channel", sa.String(32)),
        sa.Column("thread_ts", sa.String(32)),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("authority_report", sa.JSON()),
        sa.Column("root_cause", sa.Text()),
        sa.Column("lessons", sa.Text()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.UniqueConstraint("reference", name="uq_incidents_reference"),
    )
    op.create_index("ix_incidents_channel_id", "incidents", ["channel_id"])
    with op.batch_alter_table("hazards") as batch:
        batch.add_column(sa.Column("incident_ref", sa.String(32)))
        batch.create_index("ix_hazards_incident_ref", ["incident_ref"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("method", sa.String(64), nullable=False, server_default="chat.postMessage"))
        batch.add_column(sa.Column("on_failed", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("on_failed")
        batch.drop_column("method")
    with op.batch_alter_table("hazards") as batch:
        batch.drop_index("ix_hazards_incident_ref")
        batch.drop_column("incident_ref")
    op.drop_index("ix_incidents_channel_id", table_name="incidents")
    op.drop_table("incidents")
