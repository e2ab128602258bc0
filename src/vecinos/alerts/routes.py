"""Alerts over HTTP: subscribe, confirm, unsubscribe (public); partner webhooks and subscriber
counts (coordinators); Twilio's inbound SMS webhook (public, signature-checked).

Never reads `request.client`: no IP address reaches this code. Nothing is sent from here; the
opt-in message is written for the worker.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import func, or_, select

from vecinos import keyring, scrubber
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
from vecinos.errors import InvalidInput
from vecinos.i18n import N_
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
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
        return contacts.push(body.push_subscription.model_dump(), context.settings)
    if not body.contact:
        raise InvalidInput(N_("Give a phone number or an e-mail address."), code="missing_contact")
    return contacts.phone(body.contact) if body.channel == "sms" else contacts.email(body.contact)


def _wants(fields: SubscriptionFields) -> Wants:
    return Wants(fields.wants_rumour_control, fields.wants_all_clear)


OptInLimit = Annotated[Limit, Depends(RateLimited("opt-in-contact"))]


@router.post("/alerts/subscriptions", status_code=status.HTTP_201_CREATED, dependencies=Public)
def subscribe(body: SubscribeIn, db: DbDep, context: ContextDep, limit: OptInLimit) -> SubscribeOut:
    """Answered alike whether or not the contact is subscribed: the code goes to the contact.
    A public form that texts any number is what SMS-pumping fraud looks for, so every channel
    has its own ceilings, and one contact gets a few codes an hour at most (beyond that, the
    request is answered as usual and nothing is sent, so the answer shows nothing)."""
    now, settings = context.clock.now(), context.settings
    contact = _contact(body, context)
    area = _area(db, body)
    limit.of(f"opt-in:{contact.channel}").check("*")
    quiet = limit.refusal(contacts.index_of(contact, settings)) is not None
    vault = keyring.subscribers(settings)
    made = subscriptions.subscribe(
        db, contact, area, body.language, _wants(body), now=now, settings=settings, vault=vault
    )
    if made.opt_in_secret is not None and not quiet:
        text = optin.compose(
            made.subscription, made.opt_in_secret, made.unsubscribe_token, settings
        )
        optin.enqueue(db, made.subscription, text, settings, now)
    return SubscribeOut(
        status=made.subscription.status,
        channel=made.subscription.channel,
        handle=made.handle,
        unsubscribe_token=made.unsubscribe_token,
        confirm_expires_at=made.subscription.confirm_expires_at,
    )


TokenLimit = Annotated[Limit, Depends(RateLimited("confirm"))]


@router.post("/alerts/subscriptions/confirm", dependencies=Public, responses=refusals(404))
def confirm_code(
    body: ConfirmCodeIn, db: DbDep, context: ContextDep, limit: TokenLimit
) -> StatusOut:
    limit.check(body.handle)
    now, settings = context.clock.now(), context.settings
    subscription = subscriptions.by_handle(db, body.handle)
    if not subscriptions.check_code(subscription, body.code, now=now, settings=settings):
        db.commit()  # the spent attempt must count although this request fails
        raise InvalidInput(N_("That code is not right."), code="wrong_code")
    return StatusOut(status=subscription.status)


@router.post("/alerts/subscriptions/confirm-link", dependencies=Public, responses=refusals(404))
def confirm_link(body: TokenIn, db: DbDep, context: ContextDep, limit: TokenLimit) -> StatusOut:
    limit.check(body.token)
    now = context.clock.now()
    found = subscriptions.confirm_link(db, body.token, now=now, settings=context.settings)
    return StatusOut(status=found.status)


@router.post("/alerts/unsubscribe", dependencies=Public, responses=refusals(404))
def unsubscribe(
    body: TokenIn,
    db: DbDep,
    context: ContextDep,
    limit: Annotated[Limit, Depends(RateLimited("unsubscribe"))],
) -> StatusOut:
    limit.check(body.token)
    found = subscriptions.unsubscribe(db, body.token, now=context.clock.now())
    return StatusOut(status=found.status)


@router.post("/organizations/{org_id}/alerts/webhooks", status_code=status.HTTP_201_CREATED)
def register_webhook(
    org_id: PathId, body: WebhookIn, caller: Coordinator, db: DbDep, context: ContextDep
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
        vault=keyring.subscribers(context.settings),
        organization_id=org_id,
    )
    return WebhookOut(
        subscription_id=made.subscription.id,
        secret=secret,
        unsubscribe_token=made.unsubscribe_token,
    )


@router.get("/organizations/{org_id}/alerts/subscribers")
def subscriber_counts(org_id: PathId, caller: Coordinator, db: DbDep) -> SubscriberCounts:
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
