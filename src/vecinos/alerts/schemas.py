"""Request and response bodies of the alerts API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vecinos.alerts.models import RADII_M
from vecinos.db import RowId
from vecinos.i18n import document_language

STRICT = ConfigDict(extra="forbid")


class CircleIn(BaseModel):
    model_config = STRICT
    # Bounds checked by `areas.circle` (its own code); the document states them.
    lat: float = Field(json_schema_extra={"minimum": -90, "maximum": 90})
    lon: float = Field(json_schema_extra={"minimum": -180, "maximum": 180})
    radius_m: int = Field(json_schema_extra={"enum": list(RADII_M)})


class ZonesIn(BaseModel):
    model_config = STRICT
    zone_ids: list[RowId] = Field(min_length=1, max_length=200)


# What each channel needs, as the route checks it (`alerts.routes._contact`).
CHANNEL_NEEDS: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"channel": {"const": "push"}}},
            "then": {
                "required": ["push_subscription"],
                "properties": {"push_subscription": {"type": "object"}},
            },
            "else": {
                "required": ["contact"],
                "properties": {"contact": {"type": "string", "minLength": 1}},
            },
        },
        {
            "if": {"properties": {"channel": {"const": "email"}}},
            "then": {"properties": {"contact": {"format": "email"}}},
        },
    ]
}


class SubscriptionFields(BaseModel):
    model_config = STRICT
    language: str = Field(min_length=2, max_length=35, json_schema_extra=document_language)
    area: CircleIn | ZonesIn
    wants_rumour_control: bool = False
    wants_all_clear: bool = False


class PushKeysIn(BaseModel):
    model_config = STRICT
    p256dh: str = Field(min_length=1, max_length=128)  # a P-256 key: 87 characters
    auth: str = Field(min_length=1, max_length=64)  # 16 bytes: 22 characters


class PushSubscriptionIn(BaseModel):
    """What a browser's `PushSubscription.toJSON()` gives, and nothing more (a few hundred
    bytes: a 20 MB subscription was once stored whole)."""

    model_config = STRICT
    # https only, checked by `contacts.push` (its own code): the document says so.
    endpoint: str = Field(min_length=8, max_length=2000, json_schema_extra={"pattern": "^https://"})
    expirationTime: float | None = None
    keys: PushKeysIn


class SubscribeIn(SubscriptionFields):
    """A resident's subscription; `contact` for SMS and e-mail, `push_subscription` for push."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=CHANNEL_NEEDS)

    channel: Literal["sms", "email", "push"]
    contact: str | None = Field(None, max_length=320)
    push_subscription: PushSubscriptionIn | None = None


class SubscribeOut(BaseModel):
    status: str
    channel: str
    handle: str
    unsubscribe_token: str
    confirm_expires_at: datetime | None


class ConfirmCodeIn(BaseModel):
    model_config = STRICT
    handle: str = Field(max_length=200)
    code: str = Field(max_length=12)


class TokenIn(BaseModel):
    model_config = STRICT
    token: str = Field(max_length=200)


class ScrubIn(BaseModel):
    model_config = STRICT
    text: str = Field(max_length=2000)


class StatusOut(BaseModel):
    status: str


class WebhookIn(SubscriptionFields):
    url: str = Field(max_length=2000)


class WebhookOut(BaseModel):
    subscription_id: int
    secret: str  # shown once: the partner verifies our signatures with it
    unsubscribe_token: str


class SubscriberCounts(BaseModel):
    """Counts only: a coordinator never sees a subscriber's contact."""

    by_status: dict[str, int]
    active_by_channel: dict[str, int]
    active_by_language: dict[str, int]
