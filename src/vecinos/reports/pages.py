"""The public report page: big tap targets, a map pin, and an outbox that survives offline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vecinos.errors import NotFound
from vecinos.i18n import N_, gettext
from vecinos.incidents.models import Incident, IncidentState
from vecinos.maps.view import map_view
from vecinos.reports import sources
from vecinos.reports.models import Report
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS
from vecinos.web.deps import DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import PUBLIC
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)

# What became of a report, as the person who sent it reads it.
STATUS_WORDS = {
    IncidentState.REPORTED: N_(
        "Received. Volunteers nearby have been told and will check it. Until they do, it is"
        " unverified."
    ),
    IncidentState.VERIFYING: N_("Volunteers are on their way to check it. It is still unverified."),
    IncidentState.CONFIRMED: N_(
        "Volunteers checked and confirmed it. People who get alerts for this area are told."
    ),
    IncidentState.UNFOUNDED: N_(
        "Volunteers checked and did not find it. Thank you all the same: checking is how rumours"
        " stop."
    ),
    IncidentState.ENDED: N_("It has ended, as far as the volunteers could see."),
    IncidentState.EXPIRED: N_("Nobody could check it in time. It stays unverified."),
}


@router.get("/report/status/{token}", dependencies=[PUBLIC.dependency()])
def status_page(token: str, request: Request, db: DbDep, language: LanguageDep) -> Response:
    """The reporter's status link: a page in their language, not the API's JSON."""
    settings = request.app.state.context.settings
    report_id = sources.report_id_of(settings, token)
    report = db.get(Report, report_id) if report_id else None
    if report is None:
        raise NotFound(N_("No report has this status code."), code="report_not_found")
    incident = db.get(Incident, report.incident_id)
    state = IncidentState(incident.state) if incident else IncidentState.REPORTED
    return render(
        request,
        "report_status.html",
        language,
        report=report,
        state=state,
        says=gettext(language, STATUS_WORDS[state]),
        confirmed=state is IncidentState.CONFIRMED,
    )


@router.get("/report", dependencies=[PUBLIC.dependency()])
def report_page(request: Request, language: LanguageDep, settings: SettingsDep) -> Response:
    return render(
        request,
        "report.html",
        language,
        activities=[(a.value, gettext(language, label)) for a, label in ACTIVITY_LABELS.items()],
        agencies=[(a.value, gettext(language, label)) for a, label in AGENCY_LABELS.items()],
        map=map_view(settings),
        retention_hours=settings.contact_retention_hours,
    )
