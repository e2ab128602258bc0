"""Alerts over HTTP: subscribe, confirm, unsubscribe (public); partner webhooks and subscriber
counts (coordinators); Twilio's inbound SMS webhook (public, signature-checked).

Never reads `request.client`: no IP address reaches this code. Nothing is sent from here; the
opt-in message is written for the worker.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy import func, or_, select

from vecinos import scrubber
from vecinos.accounts.models import Role
from vecinos.alerts import areas, contacts, optin, subscriptions
from vecinos.alerts.areas import Area
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.alerts.schemas import (
    CircleIn,
    ConfirmCodeIn,
    ScrubIn,
    StatusOut,
    SubscribeIn,
    SubscribeOut,
    SubscriberCounts,
    SubscriptionFields,
    TokenIn,
    WebhookIn,
    WebhookOut,
)
from vecinos.alerts.subscriptions import Wants
from vecinos.crypto import new_token
from vecinos.errors import InvalidInput, TooManyRequests
from vecinos.i18n import N_
from vecinos.reports.ratelimit import TokenBuckets
from vecinos.web.deps import ContextDep, DbDep
from vecinos.web.policy import PUBLIC, AnyOrgRole, Coordinator

router = APIRouter(prefix="/api", tags=["alerts"])
Public = [PUBLIC.dependency()]
Writers = [AnyOrgRole(Role.DISPATCHER, Role.COORDINATOR).dependency()]
SUBSCRIBER_PURPOSE = "subscriber"


def _area(db: DbDep, fields: SubscriptionFields) -> Area:
    if isinstance(fields.area, CircleIn):
        return areas.circle(fields.area.lat, fields.area.lon, fields.area.radius_m)
    return areas.zones(db, fields.area.zone_ids)


def _contact(body: SubscribeIn, context: ContextDep) -> contacts.Contact:
    if body.channel == "push":
        if body.push_subscription is None:
            raise InvalidInput(
                N_("The push subscription needs an endpoint and its keys."), code="invalid_push"
            )
        return contacts.push(body.push_subscription, context.settings)
    if not body.contact:
        raise InvalidInput(N_("Give a phone number or an e-mail address."), code="missing_contact")
    return contacts.phone(body.contact) if body.channel == "sms" else contacts.email(body.contact)


def _wants(fields: SubscriptionFields) -> Wants:
    return Wants(fields.wants_rumour_control, fields.wants_all_clear)


def opt_in_limit(request: Request, context: ContextDep) -> TokenBuckets:
    """One bucket per app for every opt-in message: a public form that texts any number is
    what SMS-pumping fraud looks for. Keyed by nothing about the sender (no IP address)."""
    state = request.app.state
    if not hasattr(state, "alert_opt_in_limit"):
        per_minute = context.settings.alert_optins_per_minute
        state.alert_opt_in_limit = TokenBuckets(per_minute, per_minute / 60)
    limit: TokenBuckets = state.alert_opt_in_limit
    return limit


@router.post("/alerts/subscriptions", status_code=status.HTTP_201_CREATED, dependencies=Public)
def subscribe(
    body: SubscribeIn,
    db: DbDep,
    context: ContextDep,
    limit: Annotated[TokenBuckets, Depends(opt_in_limit)],
) -> SubscribeOut:
    now, settings = context.clock.now(), context.settings
    if body.channel in ("sms", "email") and (wait := limit.take("opt-in", now)):
        raise TooManyRequests(
            N_("Too many people are subscribing right now; try again in {seconds} seconds."),
            retry_after=wait,
            code="rate_limited",
        )
    sealer = context.encryptor(SUBSCRIBER_PURPOSE)
    contact = _contact(body, context)
    area = _area(db, body)
    made = subscriptions.subscribe(
        db, contact, area, body.language, _wants(body), now=now, settings=settings, encryptor=sealer
    )
    if made.opt_in_secret is not None:
        text = optin.compose(
            made.subscription, made.opt_in_secret, made.unsubscribe_token, settings
        )
        optin.enqueue(db, made.subscription, text, sealer, now)
    return SubscribeOut(
        status=made.subscription.status,
        channel=made.subscription.channel,
        handle=made.handle,
        unsubscribe_token=made.unsubscribe_token,
        confirm_expires_at=made.subscription.confirm_expires_at,
    )


@router.post("/alerts/subscriptions/confirm", dependencies=Public)
def confirm_code(body: ConfirmCodeIn, db: DbDep, context: ContextDep) -> StatusOut:
    now, settings = context.clock.now(), context.settings
    subscription = subscriptions.by_handle(db, body.handle)
    if not subscriptions.check_code(subscription, body.code, now=now, settings=settings):
        db.commit()  # the spent attempt must count although this request fails
        raise InvalidInput(N_("That code is not right."), code="wrong_code")
    return StatusOut(status=subscription.status)


@router.post("/alerts/subscriptions/confirm-link", dependencies=Public)
def confirm_link(body: TokenIn, db: DbDep, context: ContextDep) -> StatusOut:
    now = context.clock.now()
    found = subscriptions.confirm_link(db, body.token, now=now, settings=context.settings)
    return StatusOut(status=found.status)


@router.post("/alerts/unsubscribe", dependencies=Public)
def unsubscribe(body: TokenIn, db: DbDep, context: ContextDep) -> StatusOut:
    found = subscriptions.unsubscribe(db, body.token, now=context.clock.now())
    return StatusOut(status=found.status)


@router.post("/organizations/{org_id}/alerts/webhooks", status_code=status.HTTP_201_CREATED)
def register_webhook(
    org_id: int, body: WebhookIn, caller: Coordinator, db: DbDep, context: ContextDep
) -> WebhookOut:
    """A partner organization's signed webhook: active at once (a coordinator vouches for it)."""
    secret = new_token("whsec_")
    contact = contacts.webhook(body.url, secret, context.settings)
    made = subscriptions.subscribe(
        db,
        contact,
        _area(db, body),
        body.language,
        _wants(body),
        now=context.clock.now(),
        settings=context.settings,
        encryptor=context.encryptor(SUBSCRIBER_PURPOSE),
        organization_id=org_id,
    )
    return WebhookOut(
        subscription_id=made.subscription.id,
        secret=secret,
        unsubscribe_token=made.unsubscribe_token,
    )


@router.get("/organizations/{org_id}/alerts/subscribers")
def subscriber_counts(org_id: int, caller: Coordinator, db: DbDep) -> SubscriberCounts:
    """Residents' subscriptions and this organization's webhooks, counted, never listed."""
    visible = or_(Subscription.organization_id.is_(None), Subscription.organization_id == org_id)
    active = visible & (Subscription.status == SubscriptionStatus.ACTIVE)

    def count_by(column: object, where: object) -> dict[str, int]:
        rows = db.execute(select(column, func.count()).where(where).group_by(column))  # type: ignore[call-overload]
        return {str(key): int(n) for key, n in rows}

    return SubscriberCounts(
        by_status=count_by(Subscription.status, visible),
        active_by_channel=count_by(Subscription.channel, active),
        active_by_language=count_by(Subscription.language, active),
    )


@router.post("/alerts/scrub", dependencies=Writers)
def check_public_text(body: ScrubIn) -> StatusOut:
    """What an alert editor calls as the dispatcher types: 422 `text_refused` with the kind and
    span of each finding, so the page can point at the words to change."""
    scrubber.check(body.text)
    return StatusOut(status="ok")
