"""Dashboards (an organization's coordinators; the coalition's admins), their charts as SVG and
CSV, coordinators' incident exports, and the public transparency page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Organization
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.errors import NotFound
from vecinos.i18n import N_
from vecinos.insights import charts, exports, hotline, transparency
from vecinos.insights import facts as data
from vecinos.insights.metrics import OUTCOMES
from vecinos.insights.window import DEFAULT_DAYS, MAX_DAYS, Window
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import PUBLIC, CoalitionAdmin, Coordinator
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Days = Annotated[int, Query(ge=1, le=MAX_DAYS)]
# Organization data: never cached by a shared proxy, never guessed into HTML by a browser.
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
SVG_HEADERS = {**PRIVATE, "Content-Security-Policy": "default-src 'none'"}


def _window(clock: Clock, settings: Settings, days: int) -> Window:
    return Window.ending(clock.now(), days, settings.alert_timezone)


def _one(
    db: Session, scope: data.Scope, window: Window, settings: Settings, language: str, slug: str
) -> charts.Chart:
    board = charts.build(db, scope, window, settings, language, only=slug)
    chart = board.charts.get(slug)
    if chart is None:
        raise NotFound(N_("No such chart."), code="chart_not_found")
    return chart


def _svg(chart: charts.Chart) -> Response:
    return _file(chart.svg, "image/svg+xml", f"{chart.slug}.svg", SVG_HEADERS)


def _csv(chart: charts.Chart) -> Response:
    body = exports.to_csv(chart.columns, chart.rows)
    return _file(body, "text/csv; charset=utf-8", f"{chart.slug}.csv", PRIVATE)


def _file(body: str, media_type: str, filename: str, headers: dict[str, str]) -> Response:
    disposition = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(body, media_type=media_type, headers={**headers, **disposition})


def _page(
    request: Request,
    language: str,
    board: charts.Dashboard,
    calls: hotline.HotlineSection,
    base: str,
    heading: str,
    **extra: bool,
) -> Response:
    # svg.py escapes every text it writes, so the markup is safe to put in the page as is.
    figures = [(chart, Markup(chart.svg)) for chart in board.charts.values()]  # noqa: S704
    return render(
        request,
        "insights.html",
        language,
        board=board,
        figures=figures,
        hotline=calls,
        base=base,
        heading=heading,
        days=board.window.days,
        day_choices=(7, 28, MAX_DAYS),
        **extra,
    )


@router.get("/organizations/{org_id}/insights")
def organization_dashboard(
    org_id: PathId,
    request: Request,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    name = db.scalar(select(Organization.name).where(Organization.id == org_id))
    window = _window(clock, settings, days)
    board = charts.build(db, data.Scope(org_id), window, settings, language)
    base = f"/organizations/{org_id}/insights"
    calls = hotline.build(db, window, language)
    return _page(request, language, board, calls, base, name or "", exports=True)


@router.get("/organizations/{org_id}/insights/charts/{slug}.svg")
def organization_chart_svg(
    org_id: PathId,
    slug: str,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    return _svg(
        _one(db, data.Scope(org_id), _window(clock, settings, days), settings, language, slug)
    )


@router.get("/organizations/{org_id}/insights/charts/{slug}.csv")
def organization_chart_csv(
    org_id: PathId,
    slug: str,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    return _csv(
        _one(db, data.Scope(org_id), _window(clock, settings, days), settings, language, slug)
    )


@router.get("/organizations/{org_id}/insights/incidents.csv")
def incidents_csv(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    found = data.incidents(db, data.Scope(org_id), _window(clock, settings, days))
    body = exports.incidents_csv(found)
    return _file(body, "text/csv; charset=utf-8", "incidents.csv", PRIVATE)


@router.get("/organizations/{org_id}/insights/incidents.geojson")
def incidents_geojson(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    found = data.incidents(db, data.Scope(org_id), _window(clock, settings, days))
    body = exports.incidents_geojson(found)
    return _file(body, "application/geo+json", "incidents.geojson", PRIVATE)


@router.get("/coalition/insights")
def coalition_dashboard(
    request: Request,
    caller: CoalitionAdmin,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    window = _window(clock, settings, days)
    board = charts.build(db, data.Scope(), window, settings, language)
    calls = hotline.build(db, window, language)
    base, heading = "/coalition/insights", settings.coalition_name
    return _page(request, language, board, calls, base, heading, exports=False)


@router.get("/coalition/insights/charts/{slug}.svg")
def coalition_chart_svg(
    slug: str,
    caller: CoalitionAdmin,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    return _svg(_one(db, data.Scope(), _window(clock, settings, days), settings, language, slug))


@router.get("/coalition/insights/charts/{slug}.csv")
def coalition_chart_csv(
    slug: str,
    caller: CoalitionAdmin,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    days: Days = DEFAULT_DAYS,
) -> Response:
    return _csv(_one(db, data.Scope(), _window(clock, settings, days), settings, language, slug))


@router.get("/transparency", dependencies=[PUBLIC.dependency()])
def transparency_page(
    request: Request, db: DbDep, clock: ClockDep, settings: SettingsDep, language: LanguageDep
) -> Response:
    table = transparency.public_table(db, now=clock.now(), settings=settings)
    return render(
        request,
        "transparency.html",
        language,
        table=table,
        outcome_names=dict(OUTCOMES),
        coalition=settings.coalition_name,
    )


@router.get("/transparency.csv", dependencies=[PUBLIC.dependency()])
def transparency_csv(db: DbDep, clock: ClockDep, settings: SettingsDep) -> Response:
    table = transparency.public_table(db, now=clock.now(), settings=settings)
    rows = [
        [week.isoformat(), *(_public(table.cells[(week, o)], table.k) for o in table.outcomes)]
        for week in table.weeks
    ]
    body = exports.to_csv(["week", *table.outcomes], rows)
    return _file(body, "text/csv; charset=utf-8", "transparency.csv", {})


def _public(count: int | None, k: int) -> str | int:
    return count if count is not None else f"<{k}"
