"""The public report page: big tap targets, a map pin, and an outbox that survives offline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vecinos.i18n import N_, gettext
from vecinos.maps.view import map_view
from vecinos.reports.models import Activity, Agency
from vecinos.web.deps import LanguageDep, SettingsDep
from vecinos.web.policy import PUBLIC
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)

ACTIVITY_LABELS: dict[Activity, str] = {
    Activity.VEHICLES_STAGED: N_("Vehicles staged"),
    Activity.AGENTS_ON_FOOT: N_("Agents on foot"),
    Activity.DOOR_KNOCKING: N_("Knocking on doors"),
    Activity.ARREST_IN_PROGRESS: N_("Arrest in progress"),
    Activity.CHECKPOINT: N_("Checkpoint"),
    Activity.SECOND_HAND_RUMOUR: N_("Heard it from someone"),
    Activity.OTHER: N_("Something else"),
}
AGENCY_LABELS: dict[Agency, str] = {
    Agency.ICE: N_("ICE"),
    Agency.HSI: N_("HSI"),
    Agency.CBP: N_("Border Patrol (CBP)"),
    Agency.FBI: N_("FBI"),
    Agency.LOCAL_POLICE: N_("Local police"),
    Agency.UNMARKED: N_("Unmarked"),
    Agency.UNKNOWN: N_("Not sure"),
}


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
