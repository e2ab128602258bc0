"""Every page, in Spanish, with the demo coalition's data and a day of its work: no raw code
(`dispatch.en_route`, `vehicles_staged`) and no English (a sentence of the interface left
untranslated, "hace 13001 min", "1 reports") anywhere a person reads, text or attributes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.demo_day import DemoDay, play_demo_day
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import overflow, spanish
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.demo.seed import DEMO_PASSWORD
from vecinos.i18n import merged_catalog

pytestmark = pytest.mark.browser

# Codes as the database and the API write them: snake_case words, dotted event kinds.
RAW_CODE = re.compile(
    r"\b[a-z]+(?:_[a-z]+)+\b"
    r"|\b(?:dispatch|alert|login|invite|member|evidence|api_token|organization|totp|landmark)"
    r"\.[a-z_]+\b"
)
# English words no Spanish sentence has (interface words, and the codes that read as English).
ENGLISH = re.compile(
    r"\b(the|and|with|your|you|from|ago|minutes?|hours?|days?|reports|sources|recipients?"
    r"|reported|verifying|confirmed|unfounded|expired|unverified|dispatcher|coordinator|offered"
    r"|accepted"
    r"|declined|withdrawn|unreviewed|photo|sign in|sign out)\b",
    re.IGNORECASE,
)
# Where people's own data lives (addresses, links): not interface text.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/[\w/?=&.-]+")
READ = """() => {
  const foreign = (el) =>
    el.closest('[lang]:not([lang^="es"]), textarea, script, style, .leaflet-control-attribution');
  const found = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !foreign(parent)) found.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
    if (foreign(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      if (el.getAttribute(name)) found.push(el.getAttribute(name));
    }
  }
  const description = document.querySelector('meta[name=description]');
  if (description) found.push(description.content);
  return found.join('\\n');
}"""


def english_sentences() -> list[str]:
    """Pieces of three words or more of every interface string whose Spanish differs."""
    pieces: set[str] = set()
    for message in merged_catalog("es"):
        ids = [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
        if not message.id or message.string == message.id:
            continue
        for msgid in ids:
            for piece in re.split(r"%\(\w+\)s|\{\w+\}", msgid):
                piece = " ".join(piece.split()).strip(" .,:;·()")
                if len(piece.split()) >= 3:
                    pieces.add(piece)
    return sorted(pieces)


def problems_on(page: Page, sentences: list[str]) -> list[str]:
    text = " ".join(page.evaluate(READ).split())
    words = NOT_WORDS.sub(" ", text)
    found = [f"code {m}" for m in sorted(set(RAW_CODE.findall(words)))]
    found += [f"English word {m!r}" for m in sorted({m.lower() for m in ENGLISH.findall(words)})]
    found += [f"English {s!r}" for s in sentences if s in text]
    return found


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"demo_inbox": True, "cookie_secure": False, "public_url": "http://127.0.0.1"}
    )


@pytest.fixture
def demo_app(demo_settings: Settings, engine: Engine, clock: FrozenClock) -> FastAPI:
    return create_app(demo_settings, engine=engine, clock=clock, allow_placeholder_secret=True)


@pytest.fixture
def demo_server(demo_app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(demo_app) as server:
        yield server


@pytest.fixture
def day(
    demo_app: FastAPI,
    sessions: sessionmaker[Session],
    demo_settings: Settings,
    clock: FrozenClock,
) -> DemoDay:
    return play_demo_day(demo_app, sessions, demo_settings, clock)


def sign_in(page: Page, server: LiveServer, day: DemoDay, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server.url}/signin")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    if day.logins[email].totp_secret:
        page.get_by_label("El código de 6 dígitos").fill(day.code(email))
        page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(f"{server.url}/account")


def staff_pages(day: DemoDay) -> dict[str, list[tuple[str, str]]]:
    """Each staff role's pages (signed in by e-mail), each with what shows it is ready."""
    return {
        day.email("dispatcher"): [
            ("/account", "h1"),
            ("/dispatch", ".cards > li"),
            ("/dispatch/hotline", ".place-picker"),
            ("/demo/inbox", ".thread"),
        ],
        day.email("coordinator"): [
            (f"/admin/{day.organization}", "#audit li"),
            (f"/organizations/{day.organization}/insights", "figure"),
            (f"/organizations/{day.organization}/coverage", "table.calendar"),
            (f"/organizations/{day.organization}/training", "#courses li"),
        ],
        f"admin@{'demo.vecinos.example'}": [("/coalition/insights", "figure")],
        day.email("legal"): [
            ("/legal", ".legal-incident"),
            (f"/evidence/incidents/{day.incident}", "h1"),
        ],
        day.responder(): [
            ("/responder", "#shift-indicator:not(:empty)"),
            ("/coverage", ".slot"),
        ],
    }


def test_every_page_reads_in_spanish(
    browser: Browser, demo_server: LiveServer, day: DemoDay
) -> None:
    sentences = english_sentences()
    url = demo_server.url
    status_path = day.status_url.split("://", 1)[1].split("/", 1)[1]
    public = [
        ("/", "h1"),
        ("/report", ".zone-label"),
        ("/alerts", ".alert"),
        ("/alerts/subscribe", ".zone-label"),
        ("/alerts/confirm?token=x", "h1"),
        ("/alerts/unsubscribe?token=x", "h1"),
        (f"/{status_path}", ".status-now"),
        ("/rights", "h1"),
        ("/rights/es/at-home", "h1"),
        ("/transparency", "table"),
        ("/join", "h1"),
        ("/accompaniment", "form"),
        ("/signin", "h1"),
        ("/nothing-here", "h1"),
    ]
    signed = staff_pages(day)
    page = spanish(browser, "desk").new_page()
    found: dict[str, list[str]] = {}

    def look(path: str, ready: str) -> None:
        page.goto(f"{url}{path}")
        expect(page.locator(ready).first).to_be_attached()
        if path == "/dispatch":  # the detail of an incident too: its timeline, reports, offers
            page.locator(f"#incident-{day.incident} .card").click()
            expect(page.locator("#detail-timeline li").first).to_be_visible()
            expect(page.locator("#alert-verdict")).not_to_be_empty()
            page.get_by_role("button", name="Ver destinatarios").click()  # the scrubber, refusals
            expect(page.locator("#alert-verdict")).not_to_be_empty()
        if problems := problems_on(page, sentences):
            found[path] = problems
        name = path.strip("/").split("?")[0].replace("/", "-") or "home"
        screenshot(page, f"es-{name[:40]}")

    for path, ready in public:
        look(path, ready)
    for email, paths in signed.items():
        sign_in(page, demo_server, day, email)
        for path, ready in paths:
            look(path, ready)
    assert found == {}, "\n".join(f"{path}: {problems}" for path, problems in found.items())


PUBLIC_PAGES = (
    "/",
    "/report",
    "/alerts",
    "/alerts/subscribe",
    "/transparency",
    "/rights/es/at-home",
    "/accompaniment",
)


def test_public_pages_fit_a_phone(browser: Browser, demo_server: LiveServer, day: DemoDay) -> None:
    # One demo day for all of them: playing it takes ten seconds on a loaded machine.
    page = spanish(browser, "phone").new_page()
    wide = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{demo_server.url}{path}")
        page.wait_for_load_state("load")
        wide[path] = overflow(page)
    assert {path: found for path, found in wide.items() if found} == {}


def test_staff_pages_fit_a_phone(browser: Browser, demo_server: LiveServer, day: DemoDay) -> None:
    """Coordinators, dispatchers and legal support work from their phones too: no page makes
    them scroll sideways to reach a button."""
    page = spanish(browser, "phone").new_page()
    wide = {}
    for email, paths in staff_pages(day).items():
        sign_in(page, demo_server, day, email)
        for path, ready in paths:
            page.goto(f"{demo_server.url}{path}")
            expect(page.locator(ready).first).to_be_attached()
            wide[path] = overflow(page)
    assert {path: found for path, found in wide.items() if found} == {}
