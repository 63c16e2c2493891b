"""Several service processes on one database: leases and athlete versions.

``outbox`` and ``alerts`` (an alert's plan job) get ``claimed_by`` and ``lease_until``
(a worker's claim, free when NULL or past); ``athletes`` gets ``version`` (optimistic
concurrency of the transactions that store an athlete's records).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as b:
        b.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    for table in ("outbox", "alerts"):
        with op.batch_alter_table(table) as b:
            b.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
            b.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in ("alerts", "outbox"):
        with op.batch_alter_table(table) as b:
            b.drop_column("lease_until")
            b.drop_column("claimed_by")
    with op.batch_alter_table("athletes") as b:
        b.drop_column("version")
