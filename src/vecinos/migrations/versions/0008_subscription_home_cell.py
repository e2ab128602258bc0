"""subscription home cell: a circle is found by one cell, not by the hundreds it covers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 01:39:07.311533
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vecinos.alerts.areas import home_cell
from vecinos.geo.cells import cells_within

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

subscriptions = sa.table(
    "alert_subscriptions",
    sa.column("id", sa.Integer),
    sa.column("area_kind", sa.String),
    sa.column("lat", sa.Float),
    sa.column("lon", sa.Float),
    sa.column("radius_m", sa.Integer),
    sa.column("home_cell", sa.String),
)
cells = sa.table(
    "alert_subscription_cells",
    sa.column("cell", sa.String),
    sa.column("subscription_id", sa.Integer),
)
circles = sa.select(
    subscriptions.c.id, subscriptions.c.lat, subscriptions.c.lon, subscriptions.c.radius_m
).where(subscriptions.c.area_kind == "circle")
HOME_INDEX = [
    "home_cell",
    "radius_m",
    "lat",
    "lon",
    "status",
    "channel",
    "language",
    "wants_rumour_control",
    "wants_all_clear",
]
DOWNGRADE_RESOLUTION = 7  # the default alert_h3_resolution the old covers were stored at


def upgrade() -> None:
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_cell", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_alert_subscriptions_home", HOME_INDEX, unique=False)
    connection = op.get_bind()
    for id_, lat, lon, radius_m in connection.execute(circles).all():
        connection.execute(
            subscriptions.update()
            .where(subscriptions.c.id == id_)
            .values(home_cell=home_cell(lat, lon, radius_m))
        )
    connection.execute(
        cells.delete().where(
            cells.c.subscription_id.in_(circles.with_only_columns(subscriptions.c.id))
        )
    )


def downgrade() -> None:
    connection = op.get_bind()
    kept = [dict(row._mapping) for row in connection.execute(sa.select(cells))]
    covers = [
        {"cell": cell, "subscription_id": id_}
        for id_, lat, lon, radius_m in connection.execute(circles).all()
        for cell in sorted(set(cells_within(lat, lon, radius_m, DOWNGRADE_RESOLUTION)))
    ]
    # On SQLite the batch operation rebuilds the table, and dropping the old copy cascades to
    # the cells: they are written again afterwards.
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_subscriptions_home")
        batch_op.drop_column("home_cell")
    connection.execute(cells.delete())
    if kept or covers:
        connection.execute(cells.insert(), kept + covers)
