"""The page shell over plain HTTP forms: sign-in with two-factor, language, redirects."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.cast import PASSWORD, Cast


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def sign_in_by_form(
    client: TestClient, email: str, password: str = PASSWORD, next_url: str = "/account"
) -> object:
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={
            "email": email,
            "password": password,
            "next": next_url,
            "csrf_token": form_token(page.text),
        },
        follow_redirects=False,
    )


def test_home_page_is_served_with_strict_headers(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Verified alerts, not rumours" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/static/app.css").status_code == 200


def test_language_switch_sets_a_cookie_and_stays_on_the_page(client: TestClient) -> None:
    switched = client.get("/language/es?next=/signin", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/signin"
    page = client.get("/signin", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.text and "Iniciar sesión" in page.text
    client.get("/language/en")
    assert "Sign in" in client.get("/signin").text


def test_redirects_never_leave_the_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        answer = client.get(f"/language/en?next={target}", follow_redirects=False)
        assert answer.headers["location"] == "/"


def test_responder_signs_in_with_the_form(client: TestClient, cast: Cast) -> None:
    answer = sign_in_by_form(client, cast.rosa.email)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == "/account"  # type: ignore[attr-defined]
    page = client.get("/account", headers={"Accept-Language": "en"})
    assert "Hello, Rosa" in page.text and "Eastside Response" in page.text


def test_staff_pass_the_totp_form(client: TestClient, cast: Cast) -> None:
    answer = sign_in_by_form(client, cast.dario.email)
    assert answer.headers["location"] == "/signin/totp?next=/account"  # type: ignore[attr-defined]
    # Anything else first sends Dario back to the code form.
    bounced = client.get("/account", follow_redirects=False)
    assert bounced.headers["location"].startswith("/signin/totp")
    form = client.get("/signin/totp")
    wrong = client.post(
        "/signin/totp",
        data={"code": "000000", "csrf_token": form_token(form.text)},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 401 and "wrong or was already used" in wrong.text
    passed = client.post(
        "/signin/totp",
        data={"code": cast.totp_code(cast.dario), "csrf_token": form_token(form.text)},
        follow_redirects=False,
    )
    assert passed.status_code == 303
    assert client.get("/account").status_code == 200


def test_sign_in_form_without_its_cookie_token_is_refused(client: TestClient, cast: Cast) -> None:
    client.get("/signin")
    forged = client.post(
        "/signin",
        data={"email": cast.rosa.email, "password": PASSWORD, "csrf_token": "guessed"},
        headers={"Accept-Language": "en"},
        follow_redirects=False,
    )
    assert forged.status_code == 400 and "expired" in forged.text
    assert "vecinos_session" not in forged.cookies


def test_wrong_password_shows_the_form_again(client: TestClient, cast: Cast) -> None:
    answer = client.post(
        "/signin",
        data={
            "email": cast.rosa.email,
            "password": "nope",
            "csrf_token": form_token(client.get("/signin").text),
        },
        headers={"Accept-Language": "es"},
    )
    assert answer.status_code == 401
    assert "Correo o contraseña incorrectos." in answer.text
    assert f'value="{cast.rosa.email}"' in answer.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/account"


def test_sign_out_ends_the_session(client: TestClient, cast: Cast) -> None:
    sign_in_by_form(client, cast.rosa.email)
    token = form_token(client.get("/account").text)
    assert (
        client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/account", follow_redirects=False).status_code == 303
