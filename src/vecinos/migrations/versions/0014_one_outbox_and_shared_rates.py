"""one outbox and shared rates: opt-in messages become deliveries; rate buckets for every process

Opt-in codes and links had an outbox of their own; they are deliveries now, with their sealed
text in `message_encrypted` and no alert, and so is any direct message to a person who is not
a subscriber (its contact sealed on the delivery). Messages not sent yet move over.
`rate_buckets` holds the token buckets every worker takes from (channel rates, intake limits).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vecinos.db

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refreshed_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("contact_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=24), nullable=False, server_default="alert")
        )
        batch_op.add_column(
            sa.Column("expires_at", vecinos.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("subscription_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.alter_column("purpose", server_default=None)
    # Opt-in messages still waiting go over as deliveries, keyed by their old id.
    op.execute(
        "INSERT INTO alert_deliveries (alert_id, message_encrypted, subscription_id, purpose,"
        " expires_at, channel, language, status, attempts, next_attempt_at, idempotency_key,"
        " created_at)"
        " SELECT NULL, m.message_encrypted, m.subscription_id, 'optin', s.confirm_expires_at,"
        " s.channel, s.language, 'queued', 0, m.created_at, 'optin-' || m.id, m.created_at"
        " FROM alert_optin_messages m JOIN alert_subscriptions s ON s.id = m.subscription_id"
        " WHERE m.sent_at IS NULL AND s.status = 'pending'"
    )
    with op.batch_alter_table("alert_optin_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_optin_messages_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_alert_optin_messages_sent_at"))
    op.drop_table("alert_optin_messages")


def downgrade() -> None:
    op.create_table(
        "alert_optin_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("message_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["alert_subscriptions.id"],
            name=op.f("fk_alert_optin_messages_subscription_id_alert_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_optin_messages")),
    )
    with op.batch_alter_table("alert_optin_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_optin_messages_sent_at"), ["sent_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alert_optin_messages_subscription_id"), ["subscription_id"], unique=False
        )
    op.execute(
        "INSERT INTO alert_optin_messages (subscription_id, message_encrypted, created_at)"
        " SELECT subscription_id, message_encrypted, created_at FROM alert_deliveries"
        " WHERE purpose = 'optin' AND status = 'queued'"
    )
    op.execute("DELETE FROM alert_deliveries WHERE alert_id IS NULL")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.alter_column("subscription_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("expires_at")
        batch_op.drop_column("purpose")
        batch_op.drop_column("contact_encrypted")
        batch_op.drop_column("message_encrypted")
    op.drop_table("rate_buckets")
