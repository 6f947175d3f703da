"""outbox: a message replies to an earlier message (its key), not to a case; no per-message method

`thread_of` held a case reference, and the sender looked the case's thread up in the hazards or
incidents table. `reply_to` holds the outbox key of the post whose thread the message goes in (the
case's safety-channel post, `<reference>:safety-post`), so the outbox needs no feature's table. Which
Web API method a message is sent with is now decided by its template, so `method` goes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PARENT = ":safety-post"
# What `method` was for the templates that were not posts, for a downgrade.
CALLS = {"incident.create_channel": "conversations.create", "incident.invite": "conversations.invite",
         "incident.pin": "pins.add", "incident.report_file": "files.upload"}


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("thread_of", new_column_name="reply_to", existing_type=sa.String(32),
                           type_=sa.String(200), existing_nullable=True)
    op.execute(sa.text("UPDATE outbox SET reply_to = reply_to || :parent WHERE reply_to IS NOT NULL")
               .bindparams(parent=PARENT))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("method")


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("method", sa.String(64), nullable=False, server_default="chat.postMessage"))
    outbox = sa.table("outbox", sa.column("template", sa.String), sa.column("method", sa.String))
    for template, method in CALLS.items():
        op.execute(outbox.update().where(outbox.c.template == template).values(method=method))
    op.execute(sa.text("UPDATE outbox SET reply_to = CASE WHEN reply_to LIKE :pattern "
                       "THEN substr(reply_to, 1, length(reply_to) - :n) END WHERE reply_to IS NOT NULL")
               .bindparams(pattern="%" + PARENT, n=len(PARENT)))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("reply_to", new_column_name="thread_of", existing_type=sa.String(200),
                           type_=sa.String(32), existing_nullable=True)
