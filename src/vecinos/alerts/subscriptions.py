"""Subscribing without an account: double opt-in, confirmation, unsubscribing, STOP by SMS.

Services take a session and never commit. What a resident needs to hold is returned once as
plain tokens (a handle for the SMS code, the unsubscribe token); only their hashes are kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel import Locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, object_session

from vecinos import keyring
from vecinos.alerts import areas, contacts
from vecinos.alerts.areas import Area
from vecinos.alerts.contacts import Contact
from vecinos.alerts.models import (
    TEXT_CHANNELS,
    AreaKind,
    ChannelKind,
    Subscription,
    SubscriptionCell,
    SubscriptionStatus,
)
from vecinos.config import Settings
from vecinos.crypto import blind_index, constant_time_equal, new_token, token_hash
from vecinos.errors import Conflict, Gone, InvalidInput, NotFound, TooManyRequests
from vecinos.i18n import N_, is_language
from vecinos.keyring import Vault

CODE_PURPOSE = "alert-opt-in-code"
# Channels whose owner proves control of the contact with a code or link before alerts flow.
NEEDS_OPT_IN = frozenset({ChannelKind.SMS, ChannelKind.WHATSAPP, ChannelKind.EMAIL})


@dataclass(frozen=True)
class Wants:
    rumour_control: bool = False
    all_clear: bool = False


@dataclass(frozen=True)
class NewSubscription:
    """The stored row plus the secrets that leave exactly once."""

    subscription: Subscription
    handle: str  # identifies the pending subscription to the browser that made it
    unsubscribe_token: str
    opt_in_secret: str | None  # the SMS code or the e-mail link token; None when active


def language_tag(code: str) -> str:
    """A canonical tag (`es`, `es-MX`, `zh-Hant`) for any language Babel knows."""
    if not is_language(code.replace("-", "_")):
        raise InvalidInput(
            N_("Unknown language '{language}'."), params={"language": code}, code="unknown_language"
        )
    return str(Locale.parse(code.replace("-", "_"))).replace("_", "-")


def subscribe(
    db: Session,
    contact: Contact,
    area: Area,
    language: str,
    wants: Wants,
    *,
    now: datetime,
    settings: Settings,
    vault: Vault,
    organization_id: int | None = None,
) -> NewSubscription:
    tag = language_tag(language)  # every check before the first write
    index = contacts.index_of(contact, settings)
    _clear_the_way(db, contact.channel, index, now)
    handle, unsubscribe = new_token("sh_"), new_token("su_")
    sealed, key_id = contacts.seal(contact.value, vault, now)
    opt_in = contact.channel in NEEDS_OPT_IN
    subscription = Subscription(
        channel=contact.channel,
        # Pending from the first write: an active row would collide with the contact's live one.
        status=SubscriptionStatus.PENDING if opt_in else SubscriptionStatus.ACTIVE,
        language=tag,
        contact_encrypted=sealed,
        contact_key=key_id,
        contact_index=index,
        area_kind=area.kind,
        lat=area.lat,
        lon=area.lon,
        radius_m=area.radius_m,
        home_cell=_home_cell(area),
        zone_ids=list(area.zone_ids) or None,
        wants_rumour_control=wants.rumour_control,
        wants_all_clear=wants.all_clear,
        organization_id=organization_id,
        handle_hash=token_hash(handle),
        unsubscribe_hash=token_hash(unsubscribe),
        created_at=now,
        confirmed_at=now,
        confirm_attempts=0,
    )
    db.add(subscription)
    db.flush()
    secret = _start_opt_in(subscription, now, settings) if opt_in else None
    _store_zone_cells(db, subscription, area, settings.alert_h3_resolution)
    return NewSubscription(subscription, handle, unsubscribe, secret)


def _clear_the_way(db: Session, channel: ChannelKind, index: str, now: datetime) -> None:
    """Earlier subscriptions of this contact that are over go (their contacts with them).

    A live one stays, and the answer is the same as for a new contact, so the form never tells
    whether a phone or e-mail is subscribed: with an opt-in the new request waits for its code
    and replaces the live one once confirmed (`_activate`); a push endpoint belongs to the
    browser that sends it, so its new subscription replaces the old at once. A partner's
    webhook is a coordinator's business and refused as a duplicate.
    """
    earlier = db.scalars(
        select(Subscription).where(
            Subscription.channel == channel, Subscription.contact_index == index
        )
    ).all()
    for row in earlier:
        live = row.status == SubscriptionStatus.ACTIVE or (
            row.status == SubscriptionStatus.PENDING and not _lapsed(row, now)
        )
        if live and channel in NEEDS_OPT_IN:
            continue
        if live and channel == ChannelKind.WEBHOOK:
            raise Conflict(
                N_("This contact is already subscribed; unsubscribe first to change it."),
                code="duplicate_subscription",
            )
        db.delete(row)
    db.flush()  # before the insert: one active subscription per contact (a unique index)


def _lapsed(subscription: Subscription, now: datetime) -> bool:
    expires = subscription.confirm_expires_at
    return expires is not None and expires <= now


def _start_opt_in(subscription: Subscription, now: datetime, settings: Settings) -> str:
    subscription.status = SubscriptionStatus.PENDING
    subscription.confirmed_at = None
    subscription.confirm_expires_at = now + timedelta(minutes=settings.alert_confirm_minutes)
    if subscription.channel in TEXT_CHANNELS:
        code = f"{secrets.randbelow(1_000_000):06d}"
        subscription.confirm_hash = _code_hash(settings, subscription.id, code)
        return code
    token = new_token("sc_")
    subscription.confirm_hash = token_hash(token)
    return token


def _code_hash(settings: Settings, subscription_id: int, code: str) -> str:
    # Keyed: six digits hashed plainly would fall to a table of a million hashes.
    return blind_index(settings.secret, CODE_PURPOSE, f"{subscription_id}:{code}")


def _home_cell(area: Area) -> str | None:
    if area.lat is None or area.lon is None or area.radius_m is None:
        return None  # zones: their cells go in their own table
    return areas.home_cell(area.lat, area.lon, area.radius_m)


def _store_zone_cells(db: Session, subscription: Subscription, area: Area, resolution: int) -> None:
    db.add_all(
        SubscriptionCell(cell=cell, subscription_id=subscription.id)
        for cell in sorted(areas.zone_cover(db, area.zone_ids, resolution))
    )


def by_handle(db: Session, handle: str) -> Subscription:
    found = db.scalar(select(Subscription).where(Subscription.handle_hash == token_hash(handle)))
    if found is None:
        raise NotFound(N_("No subscription has this code."), code="subscription_not_found")
    return found


def check_code(subscription: Subscription, code: str, *, now: datetime, settings: Settings) -> bool:
    """True and the subscription is active; False and one attempt is spent (the caller commits
    that before answering, so wrong guesses count even though the request fails)."""
    _check_confirmable(subscription, now, settings)
    expected = subscription.confirm_hash or ""
    if constant_time_equal(_code_hash(settings, subscription.id, code.strip()), expected):
        _activate(subscription, now)
        return True
    subscription.confirm_attempts += 1
    return False


def confirm_link(db: Session, token: str, *, now: datetime, settings: Settings) -> Subscription:
    found = db.scalar(select(Subscription).where(Subscription.confirm_hash == token_hash(token)))
    if found is None or found.channel != ChannelKind.EMAIL:
        raise NotFound(N_("This confirmation link is not valid."), code="confirmation_not_found")
    _check_confirmable(found, now, settings)
    _activate(found, now)
    return found


def _check_confirmable(subscription: Subscription, now: datetime, settings: Settings) -> None:
    if subscription.status != SubscriptionStatus.PENDING:
        raise Conflict(N_("This subscription is not waiting for confirmation."), code="not_pending")
    if _lapsed(subscription, now):
        raise Gone(
            N_("The confirmation has expired; subscribe again."), code="confirmation_expired"
        )
    if subscription.confirm_attempts >= settings.alert_confirm_attempts:
        raise TooManyRequests(
            N_("Too many wrong codes; subscribe again in {seconds} seconds."),
            retry_after=max(1, int((subscription.confirm_expires_at - now).total_seconds()))
            if subscription.confirm_expires_at
            else 60,
            code="too_many_attempts",
        )


def _activate(subscription: Subscription, now: datetime) -> None:
    """The confirmed subscription becomes the contact's one active subscription."""
    db = object_session(subscription)
    assert db is not None
    replaced = db.scalars(
        select(Subscription).where(
            Subscription.channel == subscription.channel,
            Subscription.contact_index == subscription.contact_index,
            Subscription.status == SubscriptionStatus.ACTIVE,
            Subscription.id != subscription.id,
        )
    )
    for earlier in replaced:
        _end(earlier, now)
    db.flush()  # ended before this one turns active: the unique index allows one at a time
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.confirmed_at = now
    subscription.confirm_hash = None
    subscription.confirm_expires_at = None


def unsubscribe(db: Session, token: str, *, now: datetime) -> Subscription:
    found = db.scalar(
        select(Subscription).where(Subscription.unsubscribe_hash == token_hash(token))
    )
    if found is None:
        raise NotFound(N_("This unsubscribe link is not valid."), code="subscription_not_found")
    _end(found, now)
    return found


def _end(subscription: Subscription, now: datetime) -> None:
    if subscription.status != SubscriptionStatus.UNSUBSCRIBED:
        subscription.status = SubscriptionStatus.UNSUBSCRIBED
        subscription.ended_at = now
    _forget_contact(subscription)


def _forget_contact(subscription: Subscription) -> None:
    """An ended subscription keeps no contact: erased from the row at once, and any copy the
    database keeps elsewhere dies with its data key (`rotate_contact_keys`)."""
    subscription.contact_encrypted = None
    subscription.contact_key = None


def _texter_rows(db: Session, texter: Contact, settings: Settings) -> list[Subscription]:
    """Every subscription of a number on its channel (SMS or WhatsApp: each is its own), the
    active one first, then the newest."""
    index = contacts.index_of(texter, settings)
    rows = db.scalars(
        select(Subscription)
        .where(Subscription.channel == texter.channel, Subscription.contact_index == index)
        .order_by(Subscription.id.desc())
    ).all()
    return sorted(rows, key=lambda r: r.status != SubscriptionStatus.ACTIVE)


def texter_subscription(db: Session, texter: Contact, settings: Settings) -> Subscription | None:
    """The number's subscription on the channel it texted by: the active one, else its latest."""
    rows = _texter_rows(db, texter, settings)
    return rows[0] if rows else None


def stop_texts(db: Session, texter: Contact, *, now: datetime, settings: Settings) -> bool:
    """STOP / ALTO: the number's subscriptions on the channel it texted by end. True when there
    was one to end."""
    live = [
        row
        for row in _texter_rows(db, texter, settings)
        if row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING)
    ]
    for subscription in live:
        _end(subscription, now)
    return bool(live)


def restart_texts(db: Session, texter: Contact, *, now: datetime, settings: Settings) -> bool:
    """START: a number that sent STOP gets its alerts back (it proved control by texting, and
    its number, erased at STOP, comes again with the text)."""
    subscription = texter_subscription(db, texter, settings)
    if subscription is None or subscription.status != SubscriptionStatus.UNSUBSCRIBED:
        return False
    _reseal(subscription, texter, settings, now)
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.ended_at = None
    subscription.confirmed_at = subscription.confirmed_at or now
    return True


def disable(db: Session, subscription_id: int, *, now: datetime) -> None:
    """A channel's permanent failure (an invalid number): stop sending there. A subscription
    whose opt-in could not be delivered goes altogether: its contact is of no use."""
    subscription = db.get(Subscription, subscription_id)
    if subscription is None:
        return
    if subscription.status == SubscriptionStatus.ACTIVE:
        subscription.status = SubscriptionStatus.DISABLED
        subscription.ended_at = now
        _forget_contact(subscription)
    elif subscription.status == SubscriptionStatus.PENDING:
        db.delete(subscription)  # its deliveries and cells go with it (ON DELETE CASCADE)


def purge_lapsed(db: Session, *, now: datetime) -> int:
    """Pending subscriptions nobody confirmed in time hold an encrypted contact for nothing."""
    lapsed = select(Subscription.id).where(
        Subscription.status == SubscriptionStatus.PENDING, Subscription.confirm_expires_at <= now
    )
    result = db.execute(delete(Subscription).where(Subscription.id.in_(lapsed)))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_lapsed_job(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's form of `purge_lapsed`."""
    return purge_lapsed(db, now=now)


def subscribe_by_text(
    db: Session,
    texter: Contact,
    area: Area,
    language: str,
    *,
    now: datetime,
    settings: Settings,
    vault: Vault,
) -> Subscription:
    """ALERTAS <place> texted from the phone itself (by SMS or WhatsApp: the subscription is on
    the channel it came by): the text proves control of the number, so it is the opt-in and
    the subscription is active at once. A number that already has one keeps it with the new
    area; a neighbourhood joins the neighbourhoods it had."""
    tag = language_tag(language)
    current = texter_subscription(db, texter, settings)
    if current is None:
        made = subscribe(
            db,
            texter,
            area,
            tag,
            Wants(True, True),
            now=now,
            settings=settings,
            vault=vault,
        )
        _activate(made.subscription, now)
        return made.subscription
    if current.area_kind == AreaKind.ZONES and area.kind == AreaKind.ZONES:
        area = areas.zones(db, [*(current.zone_ids or []), *area.zone_ids])
    _set_area(db, current, area, settings)
    current.language = tag
    current.ended_at = None
    if current.contact_encrypted is None:  # erased at STOP: the text brings the number again
        _reseal(current, texter, settings, now)
    _activate(current, now)
    return current


def _reseal(subscription: Subscription, texter: Contact, settings: Settings, now: datetime) -> None:
    sealed, key_id = contacts.seal(texter.value, keyring.subscribers(settings), now)
    subscription.contact_encrypted, subscription.contact_key = sealed, key_id


def _set_area(db: Session, subscription: Subscription, area: Area, settings: Settings) -> None:
    subscription.area_kind = area.kind
    subscription.lat, subscription.lon, subscription.radius_m = area.lat, area.lon, area.radius_m
    subscription.home_cell = _home_cell(area)
    subscription.zone_ids = list(area.zone_ids) or None
    db.execute(delete(SubscriptionCell).where(SubscriptionCell.subscription_id == subscription.id))
    _store_zone_cells(db, subscription, area, settings.alert_h3_resolution)
