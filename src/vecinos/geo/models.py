"""The coalition's named places: zones (areas an organization covers, drawn on the map or
uploaded as GeoJSON) and landmarks (schools, parks, stores: a name and a point). Together with
US ZIP codes (`postal`) they are the gazetteer public texts name places from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, validates

from vecinos.db import Base, UTCDateTime, utcnow
from vecinos.geo.names import fold

LANDMARK_NAME_MAX = 80  # a public place's name, short enough for a 90-character alert


def _folded_name(context: DefaultExecutionContext) -> str:
    # From the row's own name on a Core insert; ORM objects set it as their name changes
    # (`_NamedPlace`). Every writer (services, tests, the demo) keeps it right unknowingly.
    return fold(str(context.get_current_parameters()["name"]))  # type: ignore[no-untyped-call]


class _NamedPlace:
    name: Mapped[str]
    search_key: Mapped[str]

    @validates("name")
    def _keep_search_key(self, _key: str, name: str) -> str:
        self.search_key = fold(name)
        return name


class Zone(_NamedPlace, Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120), default=_folded_name, index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)  # GeoJSON Polygon / MultiPolygon
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Landmark(_NamedPlace, Base):
    """A public place the coalition names in alerts: never a home, never a person."""

    __tablename__ = "landmarks"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(LANDMARK_NAME_MAX))
    search_key: Mapped[str] = mapped_column(
        String(LANDMARK_NAME_MAX), default=_folded_name, index=True
    )
    lat: Mapped[float] = mapped_column(Float, index=True)
    lon: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
