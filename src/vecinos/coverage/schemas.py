"""Request and response bodies of the coverage API."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from vecinos.alerts.schemas import PushSubscriptionIn
from vecinos.coverage.calendar import SlotView
from vecinos.coverage.models import AccompanimentKind, SiteKind
from vecinos.coverage.schedules import ScheduleFields
from vecinos.coverage.sites import SiteView
from vecinos.coverage.wording import SITE_KINDS
from vecinos.i18n import gettext
from vecinos.training.models import Duty, VettingLevel

STRICT = ConfigDict(extra="forbid")


class SiteIn(BaseModel):
    model_config = STRICT
    landmark_id: int
    kind: SiteKind
    radius_m: int = 1000


class SiteOut(BaseModel):
    id: int
    organization_id: int
    kind: SiteKind
    name: str
    lat: float
    lon: float
    radius_m: int
    kind_name: str  # the kind in the caller's language

    @classmethod
    def of(cls, view: SiteView, language: str = "en") -> SiteOut:
        return cls(
            kind_name=gettext(language, SITE_KINDS[SiteKind(view.site.kind)]),
            id=view.site.id,
            organization_id=view.site.organization_id,
            kind=SiteKind(view.site.kind),
            name=view.name,
            lat=view.lat,
            lon=view.lon,
            radius_m=view.site.radius_m,
        )


class ScheduleIn(BaseModel):
    model_config = STRICT
    title: str = Field(max_length=240)
    starts_on: date
    ends_on: date | None = None
    start_time: time
    duration_minutes: int
    needed: int
    weekdays: list[str] = Field(default_factory=list, max_length=7)
    every_weeks: int = 1
    zone_id: int | None = None
    site_id: int | None = None
    timezone: str | None = Field(None, max_length=64)
    duty: Duty | None = None
    min_level: VettingLevel = VettingLevel.NEW

    def fields(self) -> ScheduleFields:
        return ScheduleFields(
            title=self.title,
            starts_on=self.starts_on,
            start_time=self.start_time,
            duration_minutes=self.duration_minutes,
            needed=self.needed,
            weekdays=tuple(self.weekdays),
            every_weeks=self.every_weeks,
            ends_on=self.ends_on,
            zone_id=self.zone_id,
            site_id=self.site_id,
            timezone=self.timezone,
            duty=self.duty,
            min_level=self.min_level,
        )


class ScheduleOut(BaseModel):
    id: int
    title: str
    rrule: str
    timezone: str
    start_time: time
    duration_minutes: int
    needed: int
    zone_id: int | None
    site_id: int | None
    duty: str | None
    min_level: str


class Volunteer(BaseModel):
    member_id: int
    display_name: str


class SlotOut(BaseModel):
    id: int
    schedule_id: int
    title: str
    place: str | None
    starts_at: datetime
    ends_at: datetime
    needed: int
    filled: int
    short_by: int
    cancelled: bool
    volunteers: list[Volunteer]
    my_signup_id: int | None

    @classmethod
    def of(cls, view: SlotView) -> SlotOut:
        return cls(
            id=view.slot.id,
            schedule_id=view.schedule.id,
            title=view.schedule.title,
            place=view.place,
            starts_at=view.slot.starts_at,
            ends_at=view.slot.ends_at,
            needed=view.slot.needed,
            filled=view.slot.filled,
            short_by=view.short_by,
            cancelled=view.slot.cancelled_at is not None,
            volunteers=[Volunteer(member_id=m, display_name=n) for m, n in view.volunteers],
            my_signup_id=view.mine.id if view.mine else None,
        )


class SignupOut(BaseModel):
    id: int
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    checked_in_at: datetime | None


class CheckInIn(BaseModel):
    model_config = STRICT
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class SwapIn(BaseModel):
    model_config = STRICT
    to_member_id: int
    exchange_signup_id: int | None = None


class SwapOut(BaseModel):
    id: int
    signup_id: int
    from_member_id: int
    to_member_id: int
    exchange_signup_id: int | None
    state: str


class ContactIn(BaseModel):
    """`contact` for text messages and e-mail, `push_subscription` for notifications."""

    model_config = STRICT
    contact: str | None = Field(None, max_length=320)
    push_subscription: PushSubscriptionIn | None = None
    language: str = Field(max_length=16)


class PreferencesIn(BaseModel):
    model_config = STRICT
    languages: list[str] = Field(default_factory=list, max_length=12)
    wants_short_notices: bool = True


class BroadcastIn(BaseModel):
    model_config = STRICT
    text: str = Field(min_length=1, max_length=320)
    zone_id: int | None = None
    site_id: int | None = None


class BroadcastOut(BaseModel):
    id: int
    recipients: int
    created_at: datetime


class PlaceRef(BaseModel):
    model_config = STRICT
    kind: str = Field(max_length=16)
    key: str = Field(max_length=40)


class AccompanimentIn(BaseModel):
    """No field for anyone's immigration status: none is asked, none is kept."""

    model_config = STRICT
    kind: AccompanimentKind
    at: datetime
    place: PlaceRef
    language: str = Field(min_length=2, max_length=16)
    channel: str = Field(max_length=8)
    contact: str = Field(max_length=320)
    note: str | None = Field(None, max_length=1000)
    needed: int = 1


class AccompanimentOut(BaseModel):
    id: int
    kind: str
    at: datetime
    place: str
    language: str
    state: str
    needed: int
    accepted: int


class AccompanimentDetail(AccompanimentOut):
    """For the organization's dispatchers and the accepted volunteers only."""

    channel: str
    contact: str
    note: str | None


class AccompanimentOfferOut(BaseModel):
    id: int
    state: str
    accompaniment: AccompanimentOut
