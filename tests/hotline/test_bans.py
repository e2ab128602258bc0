"""The ban list: a coordinator sees who is banned (by their calls, never a number) and lifts
a ban; the caller is served again. Dispatchers cannot."""

from __future__ import annotations

from fastapi import FastAPI

from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import CALLER, Webhook, says


def test_a_coordinator_lifts_a_ban_and_the_caller_is_served_again(
    app: FastAPI, hook: Webhook, cast: Cast
) -> None:
    hook("incoming")
    with client_for(app, cast, cast.elena) as elena, client_for(app, cast, cast.dario) as dario:
        call_id = dario.get("/api/hotline/calls").json()[0]["id"]
        assert elena.post(f"/api/hotline/calls/{call_id}/ban").status_code == 204
        _, refused = hook("incoming", sid="CA" + "8" * 32)
        assert refused.find("Gather") is None
        page = elena.get("/dispatch/hotline/bans", headers={"Accept-Language": "es"})
        assert page.status_code == 200 and CALLER[2:] not in page.text and "555" not in page.text
        assert "Personas bloqueadas" in page.text and "Bloqueada a las" in page.text
        assert f"la última L-{call_id}" in page.text
        assert dario.get("/dispatch/hotline/bans").status_code == 403
        ban_id = int(page.text.split('data-lift="')[1].split('"')[0])
        assert dario.delete(f"/api/hotline/bans/{ban_id}").status_code == 403
        assert elena.delete(f"/api/hotline/bans/{ban_id}").status_code == 204
        gone = elena.delete(f"/api/hotline/bans/{ban_id}")
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "ban_not_found")
        assert (
            "Nadie está bloqueado."
            in elena.get("/dispatch/hotline/bans", headers={"Accept-Language": "es"}).text
        )
    _, menu = hook("incoming", sid="CA" + "9" * 32)
    assert menu.find("Gather") is not None and says(menu)[0][1] == "Para español, oprima 1."
