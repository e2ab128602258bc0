"""ALERTAS / ALERTS <place> [language] and ZONAS / ZONES by text: the text is the opt-in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hotline.conftest import NUMBER, Texter
from vecinos.alerts import contacts
from vecinos.alerts.models import AreaKind, Subscription, SubscriptionCell, SubscriptionStatus
from vecinos.config import Settings
from vecinos.hotline.text_alerts import split_language


def subscription(db: Session) -> Subscription:
    db.rollback()
    return db.scalars(select(Subscription)).one()


def test_a_zip_code_subscribes_a_circle_at_once_and_zones_lists_it(
    text: Texter, db: Session, settings: Settings, places: dict[str, int]
) -> None:
    assert (
        text("ZONAS") == "vecinos: este número no recibe alertas. Envíe ALERTAS y un código postal."
    )
    answer = text("ALERTAS 90033")
    assert answer.startswith("vecinos: alertas para 90033 Los Angeles (solo actividad confirmada).")
    made = subscription(db)
    assert made.status == SubscriptionStatus.ACTIVE and made.confirmed_at is not None
    assert (made.area_kind, made.radius_m, made.language) == (AreaKind.CIRCLE, 2000, "es")
    assert made.contact_encrypted is not None
    assert contacts.opened(made.contact_encrypted, settings) == NUMBER
    assert text("zonas").startswith("vecinos: alertas para 2 km alrededor de ")


def test_neighbourhoods_join_and_a_language_word_changes_the_language(
    text: Texter, db: Session, places: dict[str, int]
) -> None:
    assert "Boyle Heights" in text("ALERTAS boyle heights")
    assert "Eastside Wide" in text("ALERTS Eastside Wide english")
    made = subscription(db)
    assert made.area_kind == AreaKind.ZONES and made.language == "en"
    assert sorted(made.zone_ids or []) == sorted([places["heights"], places["wide"]])
    cells = db.scalars(
        select(SubscriptionCell.cell).where(SubscriptionCell.subscription_id == made.id)
    )
    assert len(list(cells)) > 0
    assert text("ZONES") == "vecinos: alerts for Boyle Heights, Eastside Wide. Text STOP to end."
    # A ZIP code replaces neighbourhoods (a circle and zones do not mix).
    text("ALERTS 90033")
    assert subscription(db).area_kind == AreaKind.CIRCLE


def test_stop_ends_texted_alerts_and_alertas_brings_them_back(
    text: Texter, db: Session, places: dict[str, int]
) -> None:
    text("ALERTAS 90033")
    assert "no more alerts" in text("STOP")
    assert subscription(db).status == SubscriptionStatus.UNSUBSCRIBED
    assert text("ZONES").startswith("vecinos: this number gets no alerts")
    text("ALERTAS boyle heights es")
    assert subscription(db).status == SubscriptionStatus.ACTIVE


def test_an_unknown_or_missing_place_explains_how(
    text: Texter, db: Session, places: dict[str, int]
) -> None:
    how = "vecinos: text ALERTS and a neighbourhood or ZIP code, e.g. ALERTS 90033."
    assert text("ALERTS") == how
    assert text("ALERTS Nowhere Springs Gulch") == how
    assert (
        text("ALERTAS")
        == "vecinos: envíe ALERTAS y un barrio o código postal, p. ej. ALERTAS 90033."
    )
    db.rollback()
    assert db.scalars(select(Subscription)).first() is None


def test_a_last_word_that_names_no_language_stays_part_of_the_place() -> None:
    assert split_language("Boyle Heights") == ("Boyle Heights", None)
    assert split_language("90033 es") == ("90033", "es")
    assert split_language("90033 Español") == ("90033", "es")
    assert split_language("Lincoln Heights zh") == ("Lincoln Heights", "zh")
    assert split_language("90033") == ("90033", None)
