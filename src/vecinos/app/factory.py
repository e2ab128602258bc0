"""The app factory: settings, database and clock come in; a guarded FastAPI app comes out."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware

from vecinos import __version__
from vecinos.accounts.callers import caller_of
from vecinos.accounts.pages import router as admin_pages_router
from vecinos.accounts.routes import router as accounts_router
from vecinos.alerts.feed_routes import router as alert_feeds_router
from vecinos.alerts.inbox_routes import router as demo_inbox_router
from vecinos.alerts.pages import router as alerts_pages_router
from vecinos.alerts.publish_routes import router as alert_publish_router
from vecinos.alerts.routes import router as alerts_router
from vecinos.alerts.safety_routes import router as alert_safety_router
from vecinos.app.answers import EveryAnswer
from vecinos.app.lifespan import listening, run_beside
from vecinos.app.pages import router as pages_router
from vecinos.cases.pages import router as case_pages_router
from vecinos.cases.routes import router as cases_router
from vecinos.clock import Clock, SystemClock
from vecinos.config import ConfigError, Settings, load_settings
from vecinos.console.pages import router as console_pages_router
from vecinos.coverage.org_pages import router as coverage_org_pages_router
from vecinos.coverage.pages import router as coverage_pages_router
from vecinos.coverage.public_pages import router as coverage_public_router
from vecinos.coverage.routes import router as coverage_router
from vecinos.db import make_engine, make_session_factory
from vecinos.dispatch.pages import router as responder_pages_router
from vecinos.dispatch.routes import router as dispatch_router
from vecinos.evidence.legal_pages import router as legal_pages_router
from vecinos.evidence.legal_routes import router as evidence_legal_router
from vecinos.evidence.pages import router as evidence_pages_router
from vecinos.evidence.report_photo_routes import router as report_photo_router
from vecinos.evidence.routes import router as evidence_router
from vecinos.geo import postal
from vecinos.geo.map_routes import router as base_layer_router
from vecinos.geo.place_routes import places_router
from vecinos.geo.place_routes import router as landmarks_router
from vecinos.geo.routes import router as zones_router
from vecinos.hotline.ban_routes import router as hotline_ban_router
from vecinos.hotline.message_routes import router as hotline_message_router
from vecinos.hotline.operator_routes import router as hotline_operator_router
from vecinos.hotline.routes import router as hotline_router
from vecinos.hotline.simulator_routes import router as phone_simulator_router
from vecinos.hotline.voice_routes import router as hotline_voice_router
from vecinos.hotline.writeup_routes import router as hotline_writeup_router
from vecinos.incidents.pages import router as hotline_pages_router
from vecinos.incidents.routes import router as incidents_router
from vecinos.insights.routes import router as insights_router
from vecinos.maps.routes import router as maps_router
from vecinos.reports.incident_routes import router as incident_detail_router
from vecinos.reports.pages import router as report_pages_router
from vecinos.reports.routes import router as reports_router
from vecinos.rights.routes import router as rights_router
from vecinos.training.pages import router as training_pages_router
from vecinos.training.routes import me_router as training_me_router
from vecinos.training.routes import router as training_router
from vecinos.web.bodylimit import BodyLimitMiddleware, streamed_paths
from vecinos.web.deps import AppContext
from vecinos.web.errors import install_error_handlers
from vecinos.web.health import router as health_router
from vecinos.web.limits import check_every_public_write_is_limited
from vecinos.web.openapi import document_errors
from vecinos.web.policy import check_every_route_has_a_policy, routes_of

ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    # The hot public routes first: a request tries every route of each router before its own
    # (a fifth of a report's CPU when intake came ninth). Intake's four routes cost readers
    # little; in a spike of readers, few routers are tried before the feeds.
    reports_router,
    alert_feeds_router,
    # Likewise the texts webhook: a broad alert brings thousands of replies in a minute.
    hotline_router,
    alerts_pages_router,
    accounts_router,
    zones_router,
    landmarks_router,
    places_router,
    incidents_router,
    incident_detail_router,
    dispatch_router,
    rights_router,
    pages_router,
    report_pages_router,
    report_photo_router,
    alerts_router,
    alert_publish_router,
    alert_safety_router,
    responder_pages_router,
    console_pages_router,
    hotline_pages_router,
    admin_pages_router,
    evidence_router,
    evidence_legal_router,
    evidence_pages_router,
    legal_pages_router,
    cases_router,
    case_pages_router,
    insights_router,
    maps_router,
    base_layer_router,
    demo_inbox_router,
    training_router,
    training_me_router,
    training_pages_router,
    coverage_router,
    coverage_pages_router,
    coverage_org_pages_router,
    coverage_public_router,
    hotline_voice_router,
    hotline_operator_router,
    hotline_message_router,
    hotline_writeup_router,
    hotline_ban_router,
    phone_simulator_router,
)


def public_files() -> StaticFiles:
    """The app's own CSS, scripts and icons: no CDN, no third party sees our visitors."""
    files = StaticFiles(packages=[("vecinos.web", "static")])
    files.vecinos_public_files = True  # type: ignore[attr-defined]  # read by the policy check
    return files


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    allow_placeholder_secret: bool = False,
) -> FastAPI:
    settings = settings or load_settings()
    if not allow_placeholder_secret:
        settings.require_real_secrets()
        if settings.demo_inbox:
            raise ConfigError("VECINOS_DEMO_INBOX is for `vecinos demo` only.")
    engine = engine or make_engine(settings.effective_database_url)
    app = FastAPI(
        title="vecinos",
        version=__version__,
        summary="Community rapid-response: verified alerts instead of rumours.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        # No OpenTelemetry here: off, FastAPI also skips looking for a provider on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.context = AppContext(
        settings=settings,
        sessions=make_session_factory(engine),
        clock=clock or SystemClock(),
        identify=caller_of,
    )
    app.state.engine = engine
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # Cheap phones on weak connections: compress everything worth compressing.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    # Every route of ours comes from ROUTERS: their table is walked once per process.
    routes = routes_of(ROUTERS)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.request_max_bytes, streamed=streamed_paths(routes)
    )
    app.add_middleware(EveryAnswer, settings=settings, clock=app.state.context.clock)
    app.mount("/static", public_files(), name="static")
    # Alerts name places from ZIP codes: loaded beside the serving app.
    run_beside(app, postal.warmed(settings.data_dir))
    run_beside(app, listening(engine))  # boards and alerts pages hear every process
    check_every_route_has_a_policy(routes)
    check_every_public_write_is_limited(routes)
    document_errors(app)
    return app
