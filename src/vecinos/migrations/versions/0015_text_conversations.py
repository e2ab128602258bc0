"""two-way texts: REPORT conversations in progress and the status lines owed to texters

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vecinos.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_text_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_index", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_text_conversations")),
        sa.UniqueConstraint(
            "sender_index", name=op.f("uq_hotline_text_conversations_sender_index")
        ),
    )
    op.create_index(
        op.f("ix_hotline_text_conversations_expires_at"),
        "hotline_text_conversations",
        ["expires_at"],
    )
    op.create_table(
        "hotline_text_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("contact_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("purge_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_hotline_text_followups_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_text_followups")),
    )
    op.create_index(
        op.f("ix_hotline_text_followups_report_id"), "hotline_text_followups", ["report_id"]
    )
    op.create_index(
        op.f("ix_hotline_text_followups_purge_at"), "hotline_text_followups", ["purge_at"]
    )


def downgrade() -> None:
    op.drop_table("hotline_text_followups")
    op.drop_table("hotline_text_conversations")
