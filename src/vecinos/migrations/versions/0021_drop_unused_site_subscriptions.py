"""drop coverage_site_subscriptions: nothing ever wrote or read it

A resident subscribing to a site (parents to their school) gets an ordinary alert subscription
at the site's place and radius; which site it came from is not kept, and this table, made for
that in 0016, stayed empty. Minimum data: a table that keeps nothing goes.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-02 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coverage_site_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_site_subscriptions_site_id"))
    op.drop_table("coverage_site_subscriptions")


def downgrade() -> None:
    op.create_table(
        "coverage_site_subscriptions",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["coverage_sites.id"],
            name=op.f("fk_coverage_site_subscriptions_site_id_coverage_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["alert_subscriptions.id"],
            name=op.f("fk_coverage_site_subscriptions_subscription_id_alert_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_coverage_site_subscriptions")),
    )
    with op.batch_alter_table("coverage_site_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_site_subscriptions_site_id"), ["site_id"], unique=False
        )
