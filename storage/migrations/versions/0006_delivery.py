"""outbox: 429 holds per conversation, refused conversations told once, indexes for per-thread order

`conversation_holds`: after a 429 for a conversation no copy of the bot calls it before `until`.
`delivery_problems`: one row per conversation and cause Slack refuses, so the safety department is
told once, and the refused messages are sent once a message to that conversation gets through.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_holds",
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "delivery_problems",
        sa.Column("conversation", sa.String(32), primary_key=True),
        sa.Column("error", sa.String(64), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_probe_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_reply_to", "outbox", ["reply_to"])
    op.create_index("ix_outbox_recipient", "outbox", ["recipient", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_recipient", table_name="outbox")
    op.drop_index("ix_outbox_reply_to", table_name="outbox")
    op.drop_table("delivery_problems")
    op.drop_table("conversation_holds")
