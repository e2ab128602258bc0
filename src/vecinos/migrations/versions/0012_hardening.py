"""hardening: idempotency fingerprints, a second-factor back-off of its own

- reports.idempotency_fingerprint: what was sent under a key; another report under it is a 409.
- members.totp_failures, members.totp_locked_until: the second factor's own back-off, which
  entering the password again does not reset.
- evidence_media.report_id: the resident's report a photo came with; a report holds a few.
- alert_subscriptions: one *active* subscription per contact (a partial unique index) instead
  of one row per contact, so a new request can wait for its code beside the live one and the
  answer never tells whether a contact is subscribed. The contact is sealed under a data key of
  the keyring (`contact_key`), and erased (NULL) once the subscription has ended.

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vecinos.db

revision: str = "0012"
down_revision: str | None = "0014"
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

    with op.batch_alter_table("evidence_media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_media_report_id"), ["report_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_media_report_id_reports"),
            "reports",
            ["report_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_alert_subscriptions_channel_contact_index", type_="unique")
        batch_op.alter_column("contact_encrypted", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("contact_key", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_alert_subscriptions_contact_key"), ["contact_key"], unique=False
        )
        batch_op.create_index(
            "ix_alert_subscriptions_contact", ["channel", "contact_index"], unique=False
        )
        batch_op.create_index(
            "uq_alert_subscriptions_active_contact",
            ["channel", "contact_index"],
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_media", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_media_report_id_reports"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_media_report_id"))
        batch_op.drop_column("report_id")
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("uq_alert_subscriptions_active_contact")
        batch_op.drop_index("ix_alert_subscriptions_contact")
        batch_op.drop_index(batch_op.f("ix_alert_subscriptions_contact_key"))
        batch_op.drop_column("contact_key")
        batch_op.alter_column("contact_encrypted", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_alert_subscriptions_channel_contact_index", ["channel", "contact_index"]
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("totp_locked_until")
        batch_op.drop_column("totp_failures")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("idempotency_fingerprint")
