"""What a report looks like on the wire. Unknown fields are refused: nothing extra (a name, a
plate, a badge number) can ride along into the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from vecinos.db import RowId
from vecinos.reports.models import Source
from vecinos.vocabulary import Activity, Agency, Colour, VehicleType

STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VehicleIn(BaseModel):
    model_config = STRICT
    type: VehicleType
    colour: Colour = Colour.OTHER


class PlaceIn(BaseModel):
    """A place people know, as the gazetteer's pickers offer it (`GET /api/places?q=`)."""

    model_config = STRICT
    kind: Literal["zone", "landmark", "zip"]
    key: str = Field(min_length=1, max_length=16)


# As `intake` checks a location: a whole pin, a place or a zone; half a pin is refused.
NUMBER = {"type": "number"}
LOCATION_NEEDS: dict[str, Any] = {
    "anyOf": [
        {"required": ["lat", "lon"], "properties": {"lat": NUMBER, "lon": NUMBER}},
        {"required": ["place"], "properties": {"place": {"type": "object"}}},
        {"required": ["zone_id"], "properties": {"zone_id": {"type": "integer"}}},
    ],
    "allOf": [
        {
            "if": {"required": [given], "properties": {given: NUMBER}},
            "then": {"required": [other], "properties": {other: NUMBER}},
        }
        for given, other in (("lat", "lon"), ("lon", "lat"))
    ],
}


class LocationIn(BaseModel):
    """Where, one way or another: a pin; or a place people know (a neighbourhood, a landmark,
    a ZIP code) or a zone; with cross streets when known. Cross streets alone cannot be placed
    (there is no street map to look them up in), so they go with a pin or a place."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=LOCATION_NEEDS)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    cross_streets: str | None = Field(None, min_length=3, max_length=200)
    zone_id: RowId | None = None
    place: PlaceIn | None = None


class ReportFields(BaseModel):
    """The SALUTE habit: size, activity, location, uniform (agency as marked), time, equipment."""

    model_config = STRICT
    activity: Activity
    agency: Agency = Agency.UNKNOWN
    agents: int | None = Field(None, ge=0, le=500)
    vehicles: int | None = Field(None, ge=0, le=200)
    location: LocationIn
    observed_at: AwareDatetime | None = None
    equipment: list[VehicleIn] = Field(default_factory=list, max_length=20)
    description: str | None = Field(None, max_length=5000)  # the configured limit is checked too
    callback_contact: str | None = Field(None, min_length=3, max_length=100)
    idempotency_key: str | None = Field(None, min_length=8, max_length=100)


class PublicReportIn(ReportFields):
    device_token: str = Field(min_length=16, max_length=200)  # made by the app, kept on the device
    source: Literal[Source.WEB, Source.API] = Source.WEB
    # A solved ALTCHA challenge (base64 JSON: algorithm, challenge, number, salt, signature),
    # from GET /api/reports/challenge; required unless the deployment turns proofs off.
    proof: str | None = Field(None, max_length=2000)


class HotlineReportIn(ReportFields):
    caller_phone: str | None = Field(None, min_length=3, max_length=40)  # hashed, never stored


class ReportReceipt(BaseModel):
    report_id: int
    status_token: str
    status_url: str
    status: str
    verified: bool


class HotlineReceipt(ReportReceipt):
    incident_id: int
    low_trust: bool


class ReportStatus(BaseModel):
    status: str
    verified: bool
    received_at: datetime


class ChallengeOut(BaseModel):
    """An ALTCHA challenge (protocol v1): find `number` in 0..maxnumber such that
    SHA-256(salt + number) is `challenge`, then send the five fields back, base64 JSON, as
    the report's `proof`. Expires at `expires_at`; buys one report."""

    algorithm: str
    challenge: str
    maxnumber: int
    salt: str
    signature: str
    expires_at: datetime
