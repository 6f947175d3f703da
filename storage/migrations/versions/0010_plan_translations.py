"""plans: the title and details in each language (`translations`), for plans written in both

The default plans read in each person's language (消防演练 for one, Fire drill for the other) instead of
"消防演练 / Fire drill" for everyone. Empty for plans written in one language, as all were before.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("translations", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("translations")
