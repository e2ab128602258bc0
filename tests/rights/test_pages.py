"""Public rights pages: one per topic and language, phone-readable, English fallback with notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.rights.conftest import HOTLINE, write_override
from vecinos.config import Settings
from vecinos.rights.content import TOPICS
from vecinos.rights.errors import UnknownTopic
from vecinos.web.policy import api_routes, policy_of


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The shared test settings, plus a coalition override with a hotline and a partner."""
    return settings.model_copy(update={"rights_overrides": write_override(tmp_path / "rights")})


def test_rights_routes_are_public(app: FastAPI) -> None:
    routes = [r for r in api_routes(app) if (r.path or "").startswith("/rights")]
    assert len(routes) == 3
    for route in routes:
        policy = policy_of(route)
        assert policy is not None
        assert policy.describe() == "public"


@pytest.mark.parametrize("topic", TOPICS)
def test_every_spanish_topic_has_its_page(client: TestClient, topic: str) -> None:
    response = client.get(f"/rights/es/{topic}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="es" dir="ltr">' in page
    assert 'name="viewport" content="width=device-width' in page
    assert "no ha sido revisada" in page  # unreviewed notice, visible
    assert HOTLINE in page
    assert "Community Legal Aid Clinic" in page
    assert "https://www." in page  # cites its sources by URL
    assert "se muestra en inglés" not in page.lower()
    assert "· v1</p>" in page  # the content version; its review state is the notice above
    assert "unreviewed" not in page  # no English word on a Spanish page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<span aria-current="page" lang="es" dir="ltr">Español</span>' in page
    assert '<a href="/rights/fa" lang="fa" hreflang="fa" dir="rtl">' in page  # the language bar


def test_at_home_page_explains_judicial_and_administrative_warrants(client: TestClient) -> None:
    page = client.get("/rights/en/at-home").text
    assert "signed by a judge" in page
    assert "I-205" in page
    assert 'role="note"' not in page  # English is the source: no notice


def test_a_topic_not_yet_translated_is_english_with_a_notice(client: TestClient) -> None:
    page = client.get("/rights/ko/in-a-car").text
    assert '<html lang="ko"' in page
    assert "영어로 표시됩니다" in page  # "shown in English", in Korean
    assert '<article lang="en" dir="ltr">' in page
    assert "Pull over in a safe place" in page


def test_farsi_is_right_to_left(client: TestClient) -> None:
    page = client.get("/rights/fa/at-home").text
    assert '<html lang="fa" dir="rtl">' in page
    assert '<article lang="fa" dir="rtl">' in page


def test_a_language_without_material_falls_back_to_english(client: TestClient) -> None:
    page = client.get("/rights/fr/if-detained").text
    assert "This is not yet available in French. It is shown in English." in page
    assert "Remain silent, sign nothing and ask for a lawyer." in page


def test_aliases_and_case_find_the_language(client: TestClient) -> None:
    assert "了解您的權利" in client.get("/rights/zh-TW").text
    assert "了解您的权利" in client.get("/rights/ZH_hans").text


def test_the_index_follows_accept_language(client: TestClient) -> None:
    page = client.get("/rights", headers={"accept-language": "vi-VN,vi;q=0.9"}).text
    assert "Hiểu rõ quyền của bạn" in page
    for name in ("English", "Español", "한국어", "فارسی", "Հայերեն", "Русский", "Tagalog"):
        assert name in page


def test_unknown_topic_and_language_are_clear_errors(client: TestClient) -> None:
    english = {"accept-language": "en"}
    response = client.get("/rights/es/dance", headers=english)
    assert response.status_code == 404
    assert "Unknown topic &#39;dance&#39;. Topics are: at-home, on-the-street" in response.text
    response = client.get("/rights/q!q/at-home", headers=english)
    assert response.status_code == 404
    assert "Unknown language &#39;q!q&#39;" in response.text


def test_errors_speak_spanish() -> None:
    error = UnknownTopic("baile", ["at-home"])
    assert error.message_in("es") == "Tema desconocido «baile». Los temas son: at-home."
