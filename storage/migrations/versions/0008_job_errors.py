"""reminder_jobs: the error of a job set aside (state `failed`)

A plan, a case or a job that raises while the scheduler handles it is recorded FAILED with its reason, so
one bad row no longer stops every tick.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.add_column(sa.Column("error", sa.Text, nullable=True))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM reminder_jobs WHERE state = 'failed'"))
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.drop_column("error")
