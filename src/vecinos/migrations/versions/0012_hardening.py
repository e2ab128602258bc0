"""hardening: idempotency fingerprints, a second-factor back-off of its own

- reports.idempotency_fingerprint: what was sent under a key; another report under it is a 409.
- members.totp_failures, members.totp_locked_until: the second factor's own back-off, which
  entering the password again does not reset.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vecinos.db

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("totp_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("totp_locked_until", vecinos.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("totp_locked_until")
        batch_op.drop_column("totp_failures")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("idempotency_fingerprint")
