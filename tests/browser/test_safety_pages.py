"""Against a hijacked account, as people see it in Spanish on a phone and a laptop: a
coordinator stops every outgoing alert and resumes; a dispatcher's unconfirmed notice waits
for a second dispatcher, who reads it and approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.signin import sign_in
from tests.cast import PASSWORD, Cast, Person
from tests.dispatch.factories import make_incident
from tests.geo.factories import MARIACHI_PLAZA, add_gazetteer
from vecinos.accounts import passwords, totp
from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.alerts.outbox_models import Alert
from vecinos.alerts.safety_models import DeliveryHold
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.incidents.models import IncidentState

pytestmark = pytest.mark.browser


def second_dispatcher(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> Person:
    """Another Eastside dispatcher (the cast has one), with a second factor."""
    now = cast.clock.now()
    secret = totp.new_secret()
    with transaction(sessions) as db:
        member = Member(
            email="ines@example.org",
            display_name="Ines",
            password_hash=passwords.hash_password(PASSWORD),
            created_at=now,
            totp_secret=Encryptor(settings.secret, "totp", settings.old_secrets).encrypt(secret),
            totp_enabled_at=now,
        )
        member.grants = [
            RoleGrant(organization_id=cast.eastside, role=Role.DISPATCHER, granted_at=now)
        ]
        db.add(member)
        db.flush()
        return Person(member.email, member.id, secret)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_stops_every_alert_and_resumes(
    browser: Browser, live_server: LiveServer, cast: Cast, db: Session, width: int
) -> None:
    page = browser.new_context(locale="es-MX", viewport={"width": width, "height": 900}).new_page()
    sign_in(page, live_server, cast, cast.elena)
    page.goto(f"{live_server.url}/admin/{cast.eastside}")
    section = page.locator("#deliveries-section")
    expect(section.get_by_role("heading", name="Alertas salientes")).to_be_visible()
    status = page.locator("#deliveries-status")
    expect(status).to_have_text("Enviando con normalidad.")
    section.get_by_label("Por qué (queda en el registro de auditoría)").fill("teléfono robado")
    section.get_by_role("button", name="Detener todas las alertas salientes").click()
    expect(status).to_contain_text("DETENIDAS desde")
    expect(status).to_contain_text("detenidas por coordinación: teléfono robado")
    expect(section.get_by_role("button", name="Reanudar el envío")).to_be_visible()
    db.rollback()
    hold = db.scalar(select(DeliveryHold))
    assert hold is not None and hold.ended_at is None and hold.started_by == cast.elena.member_id
    screenshot(page, f"admin-halted-es-{width}")
    section.get_by_role("button", name="Reanudar el envío").click()
    expect(status).to_have_text("Enviando con normalidad.")
    db.rollback()
    assert db.scalar(select(DeliveryHold.ended_at)) is not None
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_an_unconfirmed_notice_waits_for_a_second_dispatcher(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    width: int,
) -> None:
    add_gazetteer(sessions, cast, settings)
    incident_id = make_incident(sessions, cast, at=MARIACHI_PLAZA, state=IncidentState.VERIFYING)
    ines = second_dispatcher(sessions, settings, cast)
    viewport = ViewportSize(width=width, height=1000)
    asker = browser.new_context(locale="es-MX", viewport=viewport).new_page()
    sign_in(asker, live_server, cast, cast.dario)
    asker.goto(f"{live_server.url}/dispatch")
    asker.locator(f'li[data-incident="{incident_id}"] .card').click()
    verdict = asker.locator("#alert-verdict")
    expect(verdict).to_contain_text("Otra persona de despacho o de coordinación debe aprobarla")
    asker.get_by_role("button", name="Publicar alerta…").click()
    asker.get_by_role("button", name="Sí, publicarla").click()
    expect(verdict).to_contain_text("Enviada para aprobación")
    mine = asker.locator("#approval-list li")
    expect(mine).to_contain_text("pedida por usted")
    expect(mine.get_by_role("button", name="Aprobar y publicar")).to_be_hidden()
    expect(mine.get_by_role("button", name="Retirar mi solicitud")).to_be_visible()
    db.rollback()
    assert db.scalar(select(Alert.id)) is None  # nothing went out on one person's word

    approver = browser.new_context(locale="es-MX", viewport=viewport).new_page()
    sign_in(approver, live_server, cast, ines)
    approver.goto(f"{live_server.url}/dispatch")
    waiting = approver.locator("#approval-list li")
    expect(waiting).to_contain_text(f"Incidente n.º {incident_id}")
    expect(waiting).to_contain_text("Aviso sin confirmar")
    expect(waiting).to_contain_text("pedida por Dario")
    expect(waiting.locator('blockquote[lang="es"]')).to_contain_text("SIN CONFIRMAR")
    expect(waiting.locator('blockquote[lang="es"]')).to_contain_text("Mariachi Plaza")
    screenshot(approver, f"approvals-es-{width}")
    waiting.get_by_role("button", name="Aprobar y publicar").click()
    expect(approver.locator("#approval-message")).to_have_text("Aprobada y publicada.")
    expect(approver.locator("#approval-list li")).to_have_count(0)
    db.rollback()
    alert = db.scalar(select(Alert))
    assert alert is not None and alert.kind == "unconfirmed"
    assert alert.published_by == cast.dario.member_id and "Mariachi Plaza" in alert.texts["es"]
    asker.context.close()
    approver.context.close()
