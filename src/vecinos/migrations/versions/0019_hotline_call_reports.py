"""the hotline's calls become reports: the report a dispatcher wrote from a call (or from its
voicemail), so a voicemail leaves the board once it is written up

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hotline_calls") as batch:
        batch.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_hotline_calls_report_id_reports"),
            "reports",
            ["report_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("hotline_calls") as batch:
        batch.drop_constraint(op.f("fk_hotline_calls_report_id_reports"), type_="foreignkey")
        batch.drop_column("report_id")
