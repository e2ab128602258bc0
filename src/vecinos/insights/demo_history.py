"""Two weeks of invented but plausible history for the demo coalition, so the dashboards and
the transparency page have something to show.

Everything goes through the real service functions, in time order: responders check in and out
(their locations are deleted at check-out, as always), residents report (corroborating reports
join the incident), dispatchers ask for verification, responders accept, go, report what they
found, dispatchers publish the alert or mark a false alarm, the worker's sweep expires what
nobody could check. Places are random points inside the demo zones (real Los Angeles County
neighbourhoods); nobody here is real.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.alerts.models import AlertKind
from vecinos.alerts.publishing import NO_EDITS, publish
from vecinos.config import Settings
from vecinos.dispatch import offers, shifts
from vecinos.dispatch.models import DispatchRequest, Finding, Offer, OfferState, Shift
from vecinos.dispatch.ranking import Needs
from vecinos.dispatch.requests import request_verification
from vecinos.geo.distance import haversine_m
from vecinos.geo.models import Zone
from vecinos.identity import Principal
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import UNVERIFIED, expire_stale_incidents, transition_by
from vecinos.reports.intake import Sender, submit
from vecinos.reports.models import Source
from vecinos.reports.schemas import LocationIn, ReportFields
from vecinos.reports.sources import source_hash
from vecinos.shapes import Area, contains, shape_of
from vecinos.vocabulary import Activity, Agency

DAYS = 14
ACTIVITIES = (
    Activity.VEHICLES_STAGED,
    Activity.VEHICLES_STAGED,
    Activity.AGENTS_ON_FOOT,
    Activity.DOOR_KNOCKING,
    Activity.CHECKPOINT,
    Activity.SECOND_HAND_RUMOUR,
)
AGENCIES = (Agency.ICE, Agency.ICE, Agency.CBP, Agency.UNMARKED, Agency.UNKNOWN)


@dataclass
class Network:
    """One demo organization: its zone, its dispatcher, its volunteers."""

    organization_id: int
    area: Area
    dispatcher: Principal
    responders: list[int]


@dataclass(frozen=True)
class Event:
    at: datetime
    order: int  # check-outs before stories before check-ins at the same instant
    run: Callable[[], None]


def seed_history(
    db: Session, *, now: datetime, settings: Settings | None = None, days: int = DAYS
) -> int:
    """Play `days` days of history ending yesterday; returns how many incidents it opened."""
    settings = settings or Settings()
    rng = random.Random(1848)  # noqa: S311 - a reproducible demo, not secrets
    player = Player(db, settings, rng)
    networks = player.networks()
    tz = ZoneInfo(settings.alert_timezone)
    today = now.astimezone(tz).date()
    events: list[Event] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for index, network in enumerate(networks):
            events += player.plan_day(network, index, datetime.combine(day, time(), tzinfo=tz))
    for event in sorted(events, key=lambda e: (e.at, e.order)):
        event.run()
    return player.opened


class Player:
    def __init__(self, db: Session, settings: Settings, rng: random.Random) -> None:
        self.db, self.settings, self.rng = db, settings, rng
        self.contacts = keyring.report_contacts(settings)
        self.networks_by_org: dict[int, Network] = {}
        self.opened = 0

    def networks(self) -> list[Network]:
        zones = self.db.execute(select(Zone.organization_id, Zone.geometry).order_by(Zone.id))
        for organization_id, geometry in zones:
            if organization_id in self.networks_by_org:
                continue
            dispatcher = self._members(organization_id, Role.DISPATCHER)
            responders = self._members(organization_id, Role.RESPONDER)
            if not dispatcher or len(responders) < 3:
                continue
            member = self.db.get(Member, dispatcher[0])
            assert member is not None
            principal = Principal.of(member, via="token", totp_passed=True)
            self.networks_by_org[organization_id] = Network(
                organization_id, shape_of(geometry), principal, responders
            )
        return list(self.networks_by_org.values())

    def _members(self, organization_id: int, role: Role) -> list[int]:
        query = select(RoleGrant.member_id).where(
            RoleGrant.organization_id == organization_id, RoleGrant.role == role
        )
        return sorted(self.db.scalars(query))

    def plan_day(self, network: Network, index: int, midnight: datetime) -> list[Event]:
        """Shifts (a day crew and a thinner evening crew) and a few incidents."""
        weekend = midnight.weekday() >= 5
        day_crew = network.responders[: 2 if weekend else 4]
        # The last organization struggles to staff evenings: its coverage map shows the gap.
        evening_crew = network.responders[4:5] if index == 3 else network.responders[4:6]
        events: list[Event] = []
        for crew, start, end in ((day_crew, 8, 16), (evening_crew, 16, 22)):
            for member_id in crew:
                begin = midnight + timedelta(hours=start, minutes=self.rng.randint(0, 30))
                finish = midnight + timedelta(hours=end, minutes=self.rng.randint(0, 30))
                events.append(Event(begin, 2, self._check_in(network, member_id, begin)))
                events.append(Event(finish, 0, self._check_out(member_id, finish)))
        for _ in range(self.rng.choice((0, 1, 1, 2, 2))):
            at = midnight + timedelta(minutes=self.rng.randint(7 * 60, 21 * 60 + 30))
            events.append(Event(at, 1, self._story(network, at)))
        return events

    def point(self, network: Network) -> tuple[float, float]:
        """A random place inside the organization's zone."""
        west, south, east, north = network.area.bounds
        while True:
            lon, lat = self.rng.uniform(west, east), self.rng.uniform(south, north)
            if contains(network.area, lon, lat):
                return round(lat, 5), round(lon, 5)

    def _check_in(self, network: Network, member_id: int, at: datetime) -> Callable[[], None]:
        def run() -> None:
            lat, lon = self.point(network)
            capabilities = shifts.Capabilities(has_car=self.rng.random() < 0.7, languages=("es",))
            shifts.check_in(
                self.db, member_id, network.organization_id, lat, lon, capabilities, now=at
            )

        return run

    def _check_out(self, member_id: int, at: datetime) -> Callable[[], None]:
        def run() -> None:
            shift = shifts.open_shift_of(self.db, member_id)
            if shift is not None:
                offers.release_member(self.db, member_id, now=at, settings=self.settings)
                shifts.check_out(self.db, shift, now=at)

        return run

    def _story(self, network: Network, at: datetime) -> Callable[[], None]:
        return lambda: Story(self, network, at).play()


class Story:
    """One incident, from the first report to its verdict and alert."""

    def __init__(self, player: Player, network: Network, at: datetime) -> None:
        self.player, self.network, self.at = player, network, at
        self.db, self.rng, self.settings = player.db, player.rng, player.settings

    def play(self) -> None:
        lat, lon = self.player.point(self.network)
        incident = self._report(lat, lon, self.at, self.rng.choice(ACTIVITIES))
        for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
            later = self.at + timedelta(minutes=self.rng.uniform(1, 12))
            self._report(
                lat + self.rng.uniform(-0.002, 0.002), lon, later, Activity(incident.activity)
            )
        if self.rng.random() < 0.9:
            self._verify(incident, lat, lon)
        self.db.refresh(incident)
        if IncidentState(incident.state) in UNVERIFIED:
            sweep = incident.opened_at + timedelta(
                minutes=self.settings.incident_expiry_minutes + 1
            )
            expire_stale_incidents(self.db, sweep, self.settings)

    def _report(self, lat: float, lon: float, at: datetime, activity: Activity) -> Incident:
        fields = ReportFields(
            activity=activity,
            agency=self.rng.choice(AGENCIES),
            agents=self.rng.randint(2, 8),
            vehicles=self.rng.randint(1, 4),
            location=LocationIn(lat=lat, lon=lon),
        )
        sender = Sender(Source.WEB, source_hash(self.settings, secrets.token_hex(16), at))
        report, _new = submit(
            self.db, fields, sender, now=at, settings=self.settings, contacts=self.player.contacts
        )
        incident = self.db.get(Incident, report.incident_id)
        assert incident is not None
        if incident.report_count == 1:
            self.player.opened += 1
        return incident

    def _verify(self, incident: Incident, lat: float, lon: float) -> None:
        asked = self.at + timedelta(minutes=self.rng.uniform(1, 6))
        self._patrol(asked)
        request_verification(
            self.db,
            self.network.dispatcher,
            incident.id,
            Needs(),
            organization_id=None,
            now=asked,
            settings=self.settings,
        )
        offer = self._first_offer(incident.id)
        if offer is None:
            return  # nobody on shift anywhere: the incident will expire
        shift = self.db.get(Shift, offer.shift_id) if offer.shift_id else None
        km = haversine_m(lat, lon, shift.lat or lat, shift.lon or lon) / 1000 if shift else 5.0
        member = offer.member_id
        accepted = asked + timedelta(minutes=self.rng.uniform(0.2, 1.5))
        offers.accept(self.db, member, offer.id, now=accepted)
        offers.advance(self.db, member, offer.id, OfferState.EN_ROUTE, now=accepted)
        arrived = accepted + timedelta(minutes=2 + km * 2.4 + self.rng.uniform(0, 4))
        offers.advance(self.db, member, offer.id, OfferState.ON_SCENE, now=arrived)
        found = arrived + timedelta(minutes=self.rng.uniform(2, 9))
        self._finish(incident, member, offer.id, found)

    def _finish(self, incident: Incident, member: int, offer_id: int, found: datetime) -> None:
        roll = self.rng.random()
        dispatcher = self.network.dispatcher
        if roll < 0.62:
            offers.file_finding(self.db, member, offer_id, Finding.CONFIRMED, None, now=found)
            sent = found + timedelta(minutes=self.rng.uniform(0.5, 3))
            self.db.refresh(incident)
            publish(
                self.db,
                incident,
                AlertKind.CONFIRMED,
                NO_EDITS,
                now=sent,
                settings=self.settings,
                actor_id=dispatcher.member_id,
            )
            ended = sent + timedelta(minutes=self.rng.uniform(40, 150))
            transition_by(self.db, dispatcher, incident.id, IncidentState.ENDED, now=ended)
            return
        offers.file_finding(self.db, member, offer_id, Finding.NOT_FOUND, None, now=found)
        if roll < 0.85:  # the dispatcher calls it a false alarm; otherwise it expires
            decided = found + timedelta(minutes=self.rng.uniform(2, 10))
            transition_by(self.db, dispatcher, incident.id, IncidentState.UNFOUNDED, now=decided)

    def _first_offer(self, incident_id: int) -> Offer | None:
        request = self.db.scalar(
            select(DispatchRequest).where(DispatchRequest.incident_id == incident_id)
        )
        if request is None:
            return None
        query = select(Offer).where(
            Offer.request_id == request.id, Offer.state == OfferState.OFFERED.value
        )
        return self.db.scalar(query.order_by(Offer.round.desc(), Offer.rank).limit(1))

    def _patrol(self, at: datetime) -> None:
        """Every responder on shift reports a fresh position somewhere in their own zone."""
        for shift in self.db.scalars(select(Shift).where(Shift.ended_at.is_(None))):
            network = self.player.networks_by_org.get(shift.organization_id)
            if network is not None:
                lat, lon = self.player.point(network)
                shifts.move(self.db, shift, lat, lon, now=at)
