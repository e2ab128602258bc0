"""The base layer every map draws: the service area's outline and the coalition's zones, by
name. It is what a map shows when there are no tiles at all, and it is public: zone names are
already on the subscription page, and outlines of whole neighbourhoods say nothing about anyone.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Organization
from vecinos.geo.models import Zone
from vecinos.shapes import parse_area


def base_layer(db: Session, service_area_geojson: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: the service area first, then every zone."""
    area = parse_area(json.loads(service_area_geojson))
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": area.__geo_interface__, "properties": {"kind": "area"}}
    ]
    rows = db.execute(
        select(Zone.id, Zone.name, Zone.geometry, Zone.organization_id, Organization.name)
        .join(Organization, Organization.id == Zone.organization_id)
        .order_by(Zone.name, Zone.id)
    )
    for zone_id, name, geometry, organization_id, organization in rows:
        properties = {
            "kind": "zone",
            "id": zone_id,
            "name": name,
            "organization_id": organization_id,
            "organization": organization,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
