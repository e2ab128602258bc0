"""Finding 5: the second factor has a back-off of its own, per account, that entering the
password again cannot reset (15 code guesses in 58 s, sustained, before)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.cast import PASSWORD, Cast, Person

WRONG = "000000"


def password_again(client: TestClient, person: Person) -> str:
    answer = client.post("/api/auth/login", json={"email": person.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["csrf_token"]
    return token


def guess(client: TestClient, csrf: str, code: str = WRONG, path: str = "/api/auth/totp") -> int:
    answer = client.post(path, json={"code": code}, headers={"X-CSRF-Token": csrf})
    return answer.status_code


def test_signing_in_again_does_not_reset_the_code_back_off(client: TestClient, cast: Cast) -> None:
    tried = []
    for _ in range(15):
        tried.append(guess(client, password_again(client, cast.dario)))
        cast.clock.advance(seconds=4)  # 15 guesses in a minute, as in the finding
    assert tried[:5] == [401] * 5  # the free attempts
    assert tried[5:8] == [429] * 3  # then a wait that a new password entry does not lift
    assert tried.count(401) == 6  # one more guess after 15 s, none during the next 30 s

    refused = client.post(
        "/api/auth/totp",
        json={"code": cast.totp_code(cast.dario)},
        headers={"X-CSRF-Token": password_again(client, cast.dario)},
    )
    assert refused.status_code == 429  # even the right code waits out the lock
    assert refused.json()["error"]["code"] == "totp_locked"


def test_the_wait_doubles_and_the_right_code_clears_it(client: TestClient, cast: Cast) -> None:
    csrf = password_again(client, cast.dario)
    for _ in range(5):
        assert guess(client, csrf) == 401
    waits = []
    for _ in range(3):
        locked = client.post("/api/auth/totp", json={"code": WRONG}, headers={"X-CSRF-Token": csrf})
        assert locked.status_code == 429
        waits.append(int(locked.headers["retry-after"]))
        cast.clock.advance(seconds=waits[-1])
        assert guess(client, csrf) == 401  # evaluated once the wait is over
    assert waits == [15, 30, 60]
    cast.clock.advance(seconds=120)  # the wait set by the last wrong guess

    ok = client.post(
        "/api/auth/totp", json={"code": cast.totp_code(cast.dario)}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200, ok.text
    cast.clock.advance(seconds=30)
    assert guess(client, password_again(client, cast.dario)) == 401  # counting afresh


def test_recovery_codes_share_the_code_back_off(client: TestClient, cast: Cast) -> None:
    csrf = password_again(client, cast.dario)
    for _ in range(5):
        assert guess(client, csrf, "aaaa-bbbb-cccc", "/api/auth/recovery") == 401
    assert guess(client, password_again(client, cast.dario)) == 429


def test_the_password_back_off_is_separate_from_the_code_one(
    client: TestClient, cast: Cast
) -> None:
    csrf = password_again(client, cast.dario)
    for _ in range(6):
        guess(client, csrf)
    # A locked second factor does not lock the password step (nor tell an attacker more).
    assert (
        client.post(
            "/api/auth/login", json={"email": cast.dario.email, "password": PASSWORD}
        ).status_code
        == 200
    )
