"""two-way texts and the hotline: REPORT conversations, status lines owed to texters,
hotline operators (sealed phones), the call log (callers as keyed indexes) and bans

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vecinos.db

revision: str = "0015"
down_revision: str | None = "0012"
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

    op.create_table(
        "hotline_operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("phone_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("duty_since", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_hotline_operators_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_operators")),
        sa.UniqueConstraint("member_id", name=op.f("uq_hotline_operators_member_id")),
    )
    op.create_index(op.f("ix_hotline_operators_on_duty"), "hotline_operators", ["on_duty"])
    op.create_table(
        "hotline_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("caller_index", sa.String(length=64), nullable=True),
        sa.Column("caller_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("caller_purge_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("choice", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rung_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recording_sid", sa.String(length=64), nullable=True),
        sa.Column("recording_seconds", sa.Integer(), nullable=True),
        sa.Column("recording_state", sa.String(length=16), nullable=True),
        sa.Column("recording_next_at", vecinos.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recording_key", sa.String(length=120), nullable=True),
        sa.Column("recording_sha256", sa.String(length=64), nullable=True),
        sa.Column("captcha_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["members.id"],
            name=op.f("fk_hotline_calls_answered_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_calls")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_hotline_calls_call_sid")),
    )
    op.create_index(op.f("ix_hotline_calls_caller_index"), "hotline_calls", ["caller_index"])
    op.create_index(op.f("ix_hotline_calls_caller_purge_at"), "hotline_calls", ["caller_purge_at"])
    op.create_index(op.f("ix_hotline_calls_started_at"), "hotline_calls", ["started_at"])
    op.create_index(
        op.f("ix_hotline_calls_recording_next_at"), "hotline_calls", ["recording_next_at"]
    )
    op.create_table(
        "hotline_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caller_index", sa.String(length=64), nullable=False),
        sa.Column("banned_by_id", sa.Integer(), nullable=True),
        sa.Column("banned_at", vecinos.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["banned_by_id"],
            ["members.id"],
            name=op.f("fk_hotline_bans_banned_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_bans")),
        sa.UniqueConstraint("caller_index", name=op.f("uq_hotline_bans_caller_index")),
    )


def downgrade() -> None:
    op.drop_table("hotline_bans")
    op.drop_table("hotline_calls")
    op.drop_table("hotline_operators")
    op.drop_table("hotline_text_followups")
    op.drop_table("hotline_text_conversations")
