"""The composer trap of issue 12, in Spanish, on a phone and a laptop: a draft written for
incident A never goes out as incident B's alert, a preview that fails leaves nothing to
publish, and publishing names the incident, the kind and the count before it sends.

Without the fix (one draft shared by every incident, kept when a preview fails, no
confirmation) the boxes still hold A's draft when B opens, and step 2 fails.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import publish_now, subscriber
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.signin import sign_in
from tests.cast import Cast
from tests.dispatch.factories import client_for, make_incident, on_shift
from tests.geo.factories import MARIACHI_PLAZA, add_gazetteer
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.incidents.models import Incident, IncidentState

pytestmark = pytest.mark.browser
DOWNTOWN = (34.0522, -118.2437)
AT_SEA = (33.75, -118.90)  # inside the service area, no place the gazetteer can name
CONFIRMED = IncidentState.CONFIRMED


def dispatch_page(browser: Browser, live_server: LiveServer, cast: Cast, width: int) -> Page:
    """Dario's dispatch console in Spanish, at this width."""
    page = browser.new_context(locale="es-MX", viewport={"width": width, "height": 1000}).new_page()
    sign_in(page, live_server, cast, cast.dario)
    page.goto(f"{live_server.url}/dispatch")
    return page


def card(page: Page, incident_id: int) -> None:
    shown = page.locator(f'li[data-incident="{incident_id}"] .card')
    shown.click()
    expect(shown).to_have_attribute("aria-pressed", "true")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_draft_for_one_incident_is_never_published_for_another(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
    width: int,
) -> None:
    add_gazetteer(sessions, cast, settings)
    a = make_incident(sessions, cast, at=MARIACHI_PLAZA, state=CONFIRMED)
    b = make_incident(sessions, cast, at=DOWNTOWN, state=CONFIRMED)
    c = make_incident(sessions, cast, at=AT_SEA, state=CONFIRMED)
    subscriber(sessions, settings, clock, DOWNTOWN, language="es")
    publish_now(sessions, settings, clock, b)  # B already has its confirmed alert
    page = dispatch_page(browser, live_server, cast, width)
    verdict, english = page.locator("#alert-verdict"), page.locator("#alert-text-en")

    # 1. Incident A: its own draft, edited by the dispatcher.
    card(page, a)
    expect(english).to_have_value(re.compile("Mariachi Plaza"))
    english.fill("Only for A: agents near Mariachi Plaza.")

    # 2. Incident B: B's draft, never A's words; only the kinds B may still get.
    card(page, b)
    expect(english).not_to_have_value(re.compile("Only for A"))
    expect(english).not_to_have_value(re.compile("Mariachi"))
    expect(page.locator("#compose-for")).to_contain_text(f"n.º {b}:")
    expect(page.locator("#alert-kind")).to_have_value("update")
    expect(page.locator('#alert-kind option[value="confirmed"]')).to_be_disabled()
    expect(verdict).to_contain_text("Lista para publicar a 1 destinatario.")
    expect(english).not_to_have_value(re.compile("Mariachi"))
    expect(page.locator("#alert-messages")).to_contain_text("ACTUALIZACIÓN")
    screenshot(page, f"composer-b-es-{width}")

    # 3. Publishing asks first, naming B, the kind and the count.
    page.get_by_role("button", name="Publicar alerta…").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"n.º {b}")
    expect(dialog).to_contain_text("Actualización")
    expect(dialog).to_contain_text("para 1 destinatario?")
    screenshot(page, f"composer-confirm-es-{width}")
    dialog.get_by_role("button", name="Sí, publicarla").click()
    expect(verdict).to_contain_text("Publicada para 1 destinatario.")
    db.rollback()
    update = db.scalar(select(Alert).where(Alert.incident_id == b, Alert.kind == "update"))
    assert update is not None
    assert "Mariachi" not in " ".join(update.texts.values())
    assert "Only for A" not in " ".join(update.texts.values())
    assert db.scalar(select(Alert.id).where(Alert.incident_id == a)) is None

    # 4. Back to A: A's own draft is still there, and it needs a preview before Publish.
    card(page, a)
    expect(english).to_have_value("Only for A: agents near Mariachi Plaza.")
    expect(verdict).to_contain_text("Primero la vista previa")
    expect(page.get_by_role("button", name="Publicar alerta…")).to_be_disabled()

    # 5. Incident C, whose preview fails: the draft is cleared, nothing can be published.
    card(page, c)
    expect(verdict).to_contain_text("Se borró el borrador")
    expect(english).to_have_value("")
    expect(page.locator("#alert-text-es")).to_have_value("")
    expect(page.get_by_role("button", name="Publicar alerta…")).to_be_disabled()
    screenshot(page, f"composer-cleared-es-{width}")
    db.rollback()
    assert db.scalar(select(Alert.id).where(Alert.incident_id == c)) is None
    assert [k for (k,) in db.execute(select(Alert.kind).where(Alert.incident_id == b))] == [
        AlertKind.CONFIRMED.value,
        AlertKind.UPDATE.value,
    ]
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_publish_still_finishing_never_writes_its_verdict_over_another_incident(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    width: int,
) -> None:
    """After a publish, the composer loads the incident's next draft. A dispatcher who opens
    another incident meanwhile must read that incident's state, not 'Publicada' (a CI run
    caught 'Publicada para 1 destinatario' under incident A's draft)."""
    add_gazetteer(sessions, cast, settings)
    a = make_incident(sessions, cast, at=MARIACHI_PLAZA, state=CONFIRMED)
    b = make_incident(sessions, cast, at=DOWNTOWN, state=CONFIRMED)
    subscriber(sessions, settings, clock, DOWNTOWN, language="es")
    publish_now(sessions, settings, clock, b)
    page = dispatch_page(browser, live_server, cast, width)
    verdict, composer = page.locator("#alert-verdict"), page.locator("#composer")
    card(page, a)
    page.locator("#alert-text-en").fill("Only for A.")  # waits until A's draft can be typed in
    expect(verdict).to_contain_text("Primero la vista previa")
    card(page, b)
    expect(verdict).to_contain_text("Lista para publicar a 1 destinatario.")

    # B's next draft is held back after its alert goes out; the dispatcher goes back to A.
    held: list[Route] = []
    page.route(f"**/api/incidents/{b}/alerts/kinds", lambda route: held.append(route))
    page.get_by_role("button", name="Publicar alerta…").click()
    with page.expect_request(f"**/api/incidents/{b}/alerts/kinds"):
        page.get_by_role("alertdialog").get_by_role("button", name="Sí, publicarla").click()
    expect(verdict).to_contain_text("Publicada para 1 destinatario.")
    expect(composer).to_have_attribute("aria-busy", "true")
    card(page, a)
    expect(verdict).to_contain_text("Primero la vista previa")
    held[0].continue_()
    expect(composer).not_to_have_attribute("aria-busy", "true")  # the publish has finished
    expect(verdict).to_contain_text("Primero la vista previa")
    expect(page.locator("#alert-text-en")).to_have_value("Only for A.")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_nothing_can_be_typed_into_a_draft_still_loading(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    width: int,
) -> None:
    """Words typed before the incident's draft arrived were replaced by it, and lost (a CI
    run on PostgreSQL lost 'Only for A.' this way)."""
    add_gazetteer(sessions, cast, settings)
    incident = make_incident(sessions, cast, at=MARIACHI_PLAZA, state=CONFIRMED)
    page = dispatch_page(browser, live_server, cast, width)
    english = page.locator("#alert-text-en")
    held: list[Route] = []
    page.route(f"**/api/incidents/{incident}/alerts/kinds", lambda route: held.append(route))
    with page.expect_request(f"**/api/incidents/{incident}/alerts/kinds"):
        card(page, incident)
    expect(page.locator("#compose-for")).to_contain_text(f"n.º {incident}:")
    expect(english).not_to_be_editable()
    expect(page.get_by_label("Nombrar las calles en esta alerta")).to_be_disabled()
    screenshot(page, f"composer-loading-es-{width}")
    held[0].continue_()
    expect(english).to_have_value(re.compile("Mariachi Plaza"))
    expect(english).to_be_editable()
    english.fill("Agents near Mariachi Plaza.")
    expect(page.locator("#alert-verdict")).to_contain_text("Primero la vista previa")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_words_typed_while_a_preview_loads_are_never_published_unpreviewed(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    width: int,
) -> None:
    """A preview answered after the dispatcher typed previewed the words before the edit:
    it must not enable Publish, which would send those words and not the ones on screen."""
    add_gazetteer(sessions, cast, settings)
    incident = make_incident(sessions, cast, at=DOWNTOWN, state=CONFIRMED)
    subscriber(sessions, settings, clock, DOWNTOWN, language="es")
    publish_now(sessions, settings, clock, incident)
    page = dispatch_page(browser, live_server, cast, width)
    verdict, composer = page.locator("#alert-verdict"), page.locator("#composer")
    publish = page.get_by_role("button", name="Publicar alerta…")
    card(page, incident)
    expect(verdict).to_contain_text("Lista para publicar a 1 destinatario.")

    held: list[Route] = []
    page.route(f"**/api/incidents/{incident}/alerts/preview", lambda route: held.append(route))
    with page.expect_request(f"**/api/incidents/{incident}/alerts/preview"):
        page.get_by_role("button", name="Ver destinatarios").click()
    page.locator("#alert-text-en").fill("Agents left toward Union Station.")
    held[0].continue_()
    expect(composer).not_to_have_attribute("aria-busy", "true")  # the preview was answered
    expect(verdict).to_contain_text("Primero la vista previa")
    expect(publish).to_be_disabled()
    expect(page.locator("#alert-text-en")).to_have_value("Agents left toward Union Station.")
    screenshot(page, f"composer-typed-during-preview-es-{width}")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_not_found_finding_proposes_rumour_control(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
    width: int,
) -> None:
    add_gazetteer(sessions, cast, settings)
    incident_id = make_incident(sessions, cast, at=MARIACHI_PLAZA)
    on_shift(sessions, cast, cast.rosa, (MARIACHI_PLAZA[0] + 0.002, MARIACHI_PLAZA[1]))
    with client_for(app, cast, cast.dario) as dario:
        assert dario.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        assert rosa.post(f"/api/offers/{offer_id}/accept").status_code == 200
        found = rosa.post(f"/api/offers/{offer_id}/finding", json={"finding": "not_found"})
        assert found.status_code == 200, found.text
    page = dispatch_page(browser, live_server, cast, width)
    card(page, incident_id)
    proposal = page.locator("#compose-proposal")
    expect(proposal).to_contain_text("no encontró nada")
    expect(page.locator("#alert-kind")).to_have_value("unconfirmed")  # all it may get now
    proposal.get_by_role(
        "button", name="Marcar sin fundamento y escribir control de rumores"
    ).click()
    expect(proposal).to_be_hidden()
    expect(page.locator("#alert-kind")).to_have_value("rumour_control")
    expect(page.locator("#alert-text-es")).to_have_value(re.compile("CONTROL DE RUMORES"))
    expect(page.locator("#alert-verdict")).to_contain_text("Lista para publicar")
    expect(page.get_by_role("button", name="Marcar como falsa alarma")).to_be_disabled()
    screenshot(page, f"composer-rumour-es-{width}")
    db.rollback()
    incident = db.get(Incident, incident_id)
    assert incident is not None and incident.state == IncidentState.UNFOUNDED
