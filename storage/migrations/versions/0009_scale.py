"""reminder_jobs.chain and the indexes the scheduler and `/hazard mine` claim and filter through

A job's chain (what it is about: `occ:12`, `hz:HZ-2026-0001:r1:<deadline>`) gets its own column, so "is a
later job of this chain due too?" is an index lookup instead of `key LIKE ? || '%'` over the whole table, and a
case's pending jobs are found by `hazard_ref` when its deadline changes. Existing rows get their chain from
their key (`<chain>:<kind>:<step>`).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 1000

INDEXES = [
    ("reminder_jobs", "ix_reminder_jobs_chain_fire", ["chain", "fire_at"]),
    ("reminder_jobs", "ix_reminder_jobs_hazard_state", ["hazard_ref", "state"]),
    ("reminder_jobs", "ix_reminder_jobs_occurrence", ["occurrence_id"]),
    ("hazards", "ix_hazards_status_deadline", ["status", "deadline_at"]),
    ("hazards", "ix_hazards_department_status", ["department_key", "status"]),
    ("hazards", "ix_hazards_assignee_status", ["assignee_id", "status"]),
    ("hazards", "ix_hazards_reporter_status", ["reporter_id", "status"]),
    ("plans", "ix_plans_materialized_until", ["materialized_until"]),
]


def upgrade() -> None:
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.add_column(sa.Column("chain", sa.String(200), nullable=True))
    jobs = sa.table("reminder_jobs", sa.column("id", sa.Integer), sa.column("key", sa.String),
                    sa.column("chain", sa.String))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.select(jobs.c.id, jobs.c.key).where(jobs.c.id > last)
                                  .order_by(jobs.c.id).limit(BACKFILL_BATCH)).all()
        if not rows:
            break
        connection.execute(jobs.update().where(jobs.c.id == sa.bindparam("row_id"))
                           .values(chain=sa.bindparam("row_chain")),
                           [{"row_id": row.id, "row_chain": row.key.rsplit(":", 2)[0]} for row in rows])
        last = rows[-1].id
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.drop_column("chain")
