"""closed loop: assessment, rectification and verification fields; outbox threads and updates

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazards") as batch:
        batch.add_column(sa.Column("severity", sa.String(32)))
        batch.add_column(sa.Column("deadline_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("measures", sa.Text()))
        batch.add_column(sa.Column("assignee_id", sa.String(32)))
        batch.add_column(sa.Column("rounds", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("completion_note", sa.Text()))
        batch.add_column(sa.Column("completion_photos", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("extension_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("extension_reason", sa.Text()))
        batch.add_column(sa.Column("last_reason", sa.Text()))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("prompt_key", sa.String(200)))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_hazards_assignee_id", ["assignee_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("thread_of", sa.String(32)))
        batch.add_column(sa.Column("update_of", sa.String(200)))
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for name in ("generation", "update_of", "thread_of"):
            batch.drop_column(name)
    with op.batch_alter_table("hazards") as batch:
        batch.drop_index("ix_hazards_assignee_id")
        for name in ("revision", "prompt_key", "closed_at", "last_reason", "extension_reason", "extension_until",
                     "completion_photos", "completion_note", "rounds", "assignee_id", "measures", "deadline_at",
                     "severity"):
            batch.drop_column(name)
