"""`vecinos demo` seeds a realistic coalition whose printed logins work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from typer.testing import CliRunner

from vecinos.accounts.models import Member, Organization, Role, RoleGrant
from vecinos.app.factory import create_app
from vecinos.cli import app as cli
from vecinos.config import ConfigError, Settings, load_settings
from vecinos.db import make_engine, utcnow
from vecinos.demo.seed import DEMO_PASSWORD
from vecinos.geo.models import Landmark, Zone
from vecinos.hotline import calls
from vecinos.hotline.call_models import HotlineOperator


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VECINOS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VECINOS_DATABASE_URL", raising=False)
    monkeypatch.delenv("VECINOS_SECRET_KEY", raising=False)
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_seeds_a_realistic_coalition_once(demo_dir: Path) -> None:
    first = run("demo", "--no-serve")
    assert "Demo coalition seeded" in first
    assert DEMO_PASSWORD in first
    assert "dispatcher@boyle-heights.demo.vecinos.example" in first
    second = run("demo", "--no-serve")
    assert "already in place" in second

    engine = make_engine(f"sqlite:///{demo_dir / 'vecinos.db'}")
    with Session(engine) as db:
        organizations = db.scalars(select(Organization)).all()
        assert len(organizations) >= 3
        zones = {z.name for z in db.scalars(select(Zone))}
        assert {"Boyle Heights", "Alhambra", "San Fernando", "South LA"} <= zones
        landmarks = {landmark.name for landmark in db.scalars(select(Landmark))}
        assert {"Mariachi Plaza", "Exposition Park"} <= landmarks  # alerts name them
        responders = db.scalar(
            select(func.count()).select_from(RoleGrant).where(RoleGrant.role == Role.RESPONDER)
        )
        assert responders is not None and responders >= 20
        for org in organizations:
            roles = set(
                db.scalars(select(RoleGrant.role).where(RoleGrant.organization_id == org.id))
            )
            assert {Role.DISPATCHER, Role.COORDINATOR} <= roles, org.name
        assert db.scalar(select(func.count()).select_from(Member)) == len(
            set(db.scalars(select(Member.email)))
        )


def test_printed_demo_logins_work(demo_dir: Path) -> None:
    run("demo", "--no-serve")
    email = "dispatcher@boyle-heights.demo.vecinos.example"
    code = run("demo", "code", email).strip()
    assert re.fullmatch(r"\d{6}", code)
    app = create_app(load_settings(), allow_placeholder_secret=True)
    with TestClient(app, base_url="https://testserver") as client:
        signed = client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert signed.status_code == 200
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        assert client.post("/api/auth/totp", json={"code": code}, headers=csrf).status_code == 200
        names = [o["name"] for o in client.get("/api/organizations").json()]
        assert names == ["Boyle Heights Rapid Response"]


def test_demo_code_is_refused_on_a_real_deployment(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("demo", "--no-serve")
    monkeypatch.setenv("VECINOS_SECRET_KEY", "x" * 40)
    result = CliRunner().invoke(cli, ["demo", "code", "admin@demo.vecinos.example"])
    assert result.exit_code == 2


def test_the_demo_says_where_it_serves_and_what_goes_to_the_inbox(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VECINOS_PUBLIC_URL", raising=False)
    output = run("demo", "--no-serve", "--host", "0.0.0.0", "--port", "8123")  # noqa: S104
    assert "curl http://127.0.0.1:8123/api/health" in output
    for channel in ("SMS (Twilio)", "WhatsApp (Twilio)", "E-mail (SMTP)", "Web Push (VAPID)"):
        line = next(line for line in output.splitlines() if channel in line)
        assert "not configured: to http://127.0.0.1:8123/demo/inbox" in line
    assert "zones and the service area only" in output

    monkeypatch.setenv("VECINOS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("VECINOS_PUBLIC_URL", "https://vecinos.example.org")
    output = run("demo", "--no-serve", "--port", "8123")
    assert "curl https://vecinos.example.org/api/health" in output
    assert re.search(r"E-mail \(SMTP\) +configured: sent for real", output)


def test_the_inbox_is_for_the_demo_only(demo_dir: Path) -> None:
    settings = load_settings(demo_inbox=True, secret_key="x" * 40)
    with pytest.raises(ConfigError, match="VECINOS_DEMO_INBOX"):
        create_app(settings)


def test_the_demo_has_a_hotline_operator_on_shift_who_a_call_rings(demo_dir: Path) -> None:
    """Walking `make demo` with the phone simulator: press 1 and an operator is rung."""
    run("demo", "--no-serve")
    settings = load_settings()
    engine = make_engine(f"sqlite:///{demo_dir / 'vecinos.db'}")
    with Session(engine) as db:
        rings = calls.on_duty(db, settings, utcnow())
        assert [ring.phone for ring in rings] == ["+13235550148"]
        operator = db.get(HotlineOperator, rings[0].operator_id)
        assert operator is not None
        member = db.get(Member, operator.member_id)
        assert (
            member is not None and member.email == "dispatcher@boyle-heights.demo.vecinos.example"
        )
    settings = settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})
    app = create_app(settings, allow_placeholder_secret=True)
    with TestClient(app, base_url="https://testserver") as client:
        form = {"CallSid": "CA" + "d" * 32, "From": "+13235550177", "To": "+12135550100"}
        twiml = signed_hotline_post(client, settings, "incoming", form)
        assert "<Gather" in twiml
        signed_hotline_post(client, settings, "language", {**form, "Digits": "1"})
        ring = signed_hotline_post(client, settings, "menu", {**form, "Digits": "1"})
        assert "<Dial" in ring and "+13235550148" in ring


TOKEN = "demo-hotline-token"


def signed_hotline_post(
    client: TestClient, settings: Settings, step: str, form: dict[str, str]
) -> str:
    """A voice webhook as Twilio posts it, signed with its own RequestValidator."""
    path = f"/api/hotline/voice/{step}"
    url = settings.public_url.rstrip("/") + path
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    return answer.text
