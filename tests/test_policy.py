"""Authorization in one place: every route declares a policy, and none is left out."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext

from vecinos.web.policy import (
    FRAMEWORK_ROUTES,
    Policy,
    UnguardedRouteError,
    api_routes,
    check_every_route_has_a_policy,
    policy_of,
    registered_routes,
    routes_of,
    unguarded_routes,
)


def test_every_registered_route_declares_a_policy(app: FastAPI) -> None:
    routes = api_routes(app)
    assert len(routes) > 15
    assert unguarded_routes(app) == []
    for route in routes:
        assert isinstance(policy_of(route), Policy), route.path


def test_a_route_without_a_policy_is_caught(app: FastAPI) -> None:
    @app.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "data"}

    assert unguarded_routes(app) == ["GET /api/forgotten"]
    with pytest.raises(UnguardedRouteError, match="/api/forgotten"):
        check_every_route_has_a_policy(registered_routes(app))


def test_the_app_factory_refuses_to_start_with_an_unguarded_route(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi import APIRouter

    from vecinos.app import factory as app_module

    stray = APIRouter()

    @stray.get("/api/stray")
    def stray_route() -> dict[str, str]:
        return {}

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, stray))
    settings = app.state.context.settings
    with pytest.raises(UnguardedRouteError, match="/api/stray"):
        app_module.create_app(settings, engine=app.state.engine)


def test_policies_describe_themselves_for_the_route_listing(app: FastAPI) -> None:
    described = {
        r.path: policy_of(r).describe()  # type: ignore[union-attr]
        for r in api_routes(app)
        if "GET" in (r.methods or ()) or r.path == "/api/auth/totp"
    }
    assert described["/api/health"] == "public"
    assert described["/api/organizations/{org_id}/members"] == "role in organization: coordinator"
    assert described["/api/auth/totp"] == "signed in (before two-factor)"


def test_the_table_the_factory_checks_is_every_route_the_app_serves(app: FastAPI) -> None:
    """The factory checks ROUTERS' table, walked once per process; the app must serve no
    route of ours outside it, or a route could skip the check."""
    from vecinos.app.factory import ROUTERS

    def described(routes: list[RouteContext]) -> set[tuple[str, str]]:
        return {(",".join(sorted(r.methods or ())), r.path or "") for r in routes}

    framework = {r.path for r in registered_routes(app) if r.path in FRAMEWORK_ROUTES}
    served = described(registered_routes(app))
    table = described(routes_of(ROUTERS))
    assert served - table == {("GET,HEAD", p) for p in framework} | {("", "/static")}
    assert routes_of(ROUTERS) is routes_of(ROUTERS)  # walked once
