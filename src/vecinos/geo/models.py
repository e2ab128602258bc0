"""Zones: named areas an organization covers, drawn on the map or uploaded as GeoJSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime, utcnow


class Zone(Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)  # GeoJSON Polygon / MultiPolygon
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
