"""Authorization in one place. Every route declares a policy; a route without one is refused.

A policy is a FastAPI dependency that returns the caller (or None for public routes) and
raises before the handler runs when the caller may not go on. `check_every_route_has_a_policy`
runs in the app factory, so an unguarded route stops the app from starting (deny by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import TypeAdapter, ValidationError
from starlette.routing import Mount

from vecinos.crypto import constant_time_equal
from vecinos.db import RowId
from vecinos.errors import Forbidden, InvalidInput, NotAuthenticated
from vecinos.i18n import N_
from vecinos.identity import Principal, Role
from vecinos.web.deps import MaybePrincipalDep

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
ORG_PARAM = "org_id"
ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)


class UnguardedRouteError(RuntimeError):
    """A route was registered without a policy."""


class Policy:
    """Base of every policy; `describe()` is what the route listing and docs show."""

    def describe(self) -> str:
        raise NotImplementedError

    def dependency(self) -> Any:
        """For `dependencies=[...]` when the handler does not need the caller."""
        return Depends(self)  # type: ignore[arg-type]  # every subclass defines __call__


class Public(Policy):
    """Anyone, signed in or not. The caller is passed on when known."""

    async def __call__(self, principal: MaybePrincipalDep) -> Principal | None:
        return principal

    def describe(self) -> str:
        return "public"


class Anonymous(Policy):
    """Anyone, and the handler never asks who: no session or token is looked up at all.

    For hot public endpoints (report intake) where `Public`'s lookup would be wasted work.
    """

    async def __call__(self) -> None:
        return None

    def describe(self) -> str:
        return "public"


class SignedIn(Policy):
    """A member who has passed two-factor where their roles require it."""

    def __init__(self, *, before_totp: bool = False) -> None:
        self.before_totp = before_totp

    async def __call__(self, request: Request, principal: MaybePrincipalDep) -> Principal:
        if principal is None:
            raise NotAuthenticated(N_("Sign in first."))
        if not (self.before_totp or principal.fully_signed_in):
            raise Forbidden(N_("Enter your two-factor code first."), code="totp_required")
        await _check_csrf(request, principal)
        self.authorize(request, principal)
        return principal

    def authorize(self, request: Request, principal: Principal) -> None:
        """Subclasses narrow who may go on."""

    def describe(self) -> str:
        return "signed in (before two-factor)" if self.before_totp else "signed in"


class OrgRole(SignedIn):
    """One of `roles` in the organization named by the route's `{org_id}`."""

    def __init__(self, *roles: Role) -> None:
        super().__init__()
        self.roles = roles

    def authorize(self, request: Request, principal: Principal) -> None:
        organization_id = organization_in_path(request)
        if not principal.roles_in(organization_id):
            raise Forbidden(
                N_("You are not a member of this organization."), code="not_in_organization"
            )
        if not principal.has_role(organization_id, *self.roles):
            raise Forbidden(N_("Your role does not allow this."), code="missing_role")

    def describe(self) -> str:
        return f"role in organization: {', '.join(r.value for r in self.roles)}"


def organization_in_path(request: Request) -> int:
    """`{org_id}` as a row id; the route's own validation comes after its policy, too late."""
    raw = request.path_params[ORG_PARAM]
    try:
        return ROW_ID.validate_python(raw)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]["msg"]
        raise InvalidInput(
            N_("Some fields are wrong: {summary}"),
            params={"summary": f"{ORG_PARAM}: {problem}"},
            details={"fields": [{"field": ORG_PARAM, "problem": problem}]},
        ) from None


class AnyOrgRole(SignedIn):
    """One of `roles` in at least one organization; the handler scopes data to those."""

    def __init__(self, *roles: Role) -> None:
        super().__init__()
        self.roles = roles

    def authorize(self, request: Request, principal: Principal) -> None:
        if not principal.organizations_where(*self.roles):
            raise Forbidden(N_("Your role does not allow this."), code="missing_role")

    def describe(self) -> str:
        return f"role in any organization: {', '.join(r.value for r in self.roles)}"


async def _check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (header or form field)."""
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not constant_time_equal(sent, principal.csrf_token or ""):
        raise Forbidden(
            N_("The form has expired; reload the page and try again."), code="csrf_failed"
        )


# Typed aliases so routes read as what they require.
PUBLIC = Public()
ANONYMOUS = Anonymous()
Anyone = Annotated[Principal | None, Depends(PUBLIC)]
SignedInMember = Annotated[Principal, Depends(SignedIn())]
MemberBeforeTotp = Annotated[Principal, Depends(SignedIn(before_totp=True))]
Coordinator = Annotated[Principal, Depends(OrgRole(Role.COORDINATOR))]
CoalitionAdmin = Annotated[Principal, Depends(AnyOrgRole(Role.ADMIN))]


def policy_of(route: APIRoute | RouteContext) -> Policy | None:
    return next(_policies_in(route.dependant), None)


def _policies_in(dependant: Dependant) -> Iterator[Policy]:
    if isinstance(dependant.call, Policy):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _policies_in(sub)


# Routes FastAPI or Starlette add themselves; all are public by nature (schema, docs, files).
FRAMEWORK_ROUTES = frozenset({"/api/openapi.json", "/api/docs"})


def registered_routes(app: FastAPI) -> list[RouteContext]:
    """Every route as the app serves it, through included routers. Walked once and kept on
    the app (again if routes were added since): each walk makes FastAPI build every route's
    dependencies anew, about a second of CPU for this app, and start-up asks three times."""
    walked: tuple[int, list[RouteContext]] | None = getattr(app.state, "route_contexts", None)
    if walked is None or walked[0] != len(app.routes):
        walked = (len(app.routes), list(iter_route_contexts(app.routes)))
        app.state.route_contexts = walked
    return walked[1]


# Walked tables by the routers' identities and sizes, with the routers themselves: kept
# alive here, an identity is never reused by another router while its table is kept.
_TABLES: dict[tuple[tuple[int, int], ...], tuple[Sequence[APIRouter], list[RouteContext]]] = {}


def routes_of(routers: Sequence[APIRouter]) -> list[RouteContext]:
    """The routes these routers serve, walked once per process: the route table is the
    code's, not an app's. An app then builds each route's dependencies only when a request
    first asks for it, so an app the test suite builds for one test costs a few ms, not the
    ~0.3 s of CPU a walk of every route takes."""
    key = tuple((id(router), len(router.routes)) for router in routers)
    if key not in _TABLES:
        walked = list(iter_route_contexts([r for router in routers for r in router.routes]))
        _TABLES[key] = (tuple(routers), walked)
    return _TABLES[key][1]


def api_routes(app: FastAPI) -> list[RouteContext]:
    return api_only(registered_routes(app))


def api_only(routes: Iterable[RouteContext]) -> list[RouteContext]:
    return [r for r in routes if isinstance(r.original_route, APIRoute)]


def unguarded_routes(app: FastAPI) -> list[str]:
    return unguarded(registered_routes(app))


def unguarded(routes: Iterable[RouteContext]) -> list[str]:
    return [_describe_route(route) for route in routes if not _is_guarded(route)]


def _is_guarded(route: RouteContext) -> bool:
    original = route.original_route
    if isinstance(original, APIRoute):
        return policy_of(route) is not None
    if isinstance(original, Mount):
        return bool(getattr(original.app, "vecinos_public_files", False))
    return route.path in FRAMEWORK_ROUTES


def _describe_route(route: RouteContext) -> str:
    methods = ",".join(sorted(route.methods or []))
    return f"{methods} {route.path}".strip()


def check_every_route_has_a_policy(routes: Iterable[RouteContext]) -> None:
    missing = unguarded(routes)
    if missing:
        raise UnguardedRouteError(
            "These routes declare no policy (vecinos.web.policy); add one: " + "; ".join(missing)
        )
