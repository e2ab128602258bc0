"""The dispatcher console and the fragments it swaps in: the board, named cards, a detail.

The page is whole when it arrives (no script needed to read the board). The event stream then
names what changed, and the page asks for just those cards; the whole board is fetched again
only when the stream (re)connects, so nothing that happened while it was away is missed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.db import RowId
from vecinos.dispatch.requests import request_of
from vecinos.dispatch.views import dispatch_out
from vecinos.evidence.models import Media
from vecinos.geo.gazetteer import public_place
from vecinos.i18n import N_, gettext
from vecinos.identity import Principal
from vecinos.incidents import board as boards
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import ALLOWED
from vecinos.maps.view import map_view
from vecinos.reports import sources
from vecinos.reports.incident_detail import incident_detail
from vecinos.web.deps import AppContext, ContextDep, DbDep, LanguageDep, PathId
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render
from vecinos.words import words

router = APIRouter(include_in_schema=False)
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
LANE_TITLES = {
    IncidentState.REPORTED: N_("Reported"),
    IncidentState.VERIFYING: N_("Verifying"),
    IncidentState.CONFIRMED: N_("Confirmed"),
    IncidentState.UNFOUNDED: N_("Unfounded"),
    IncidentState.ENDED: N_("Ended"),
    IncidentState.EXPIRED: N_("Expired"),
}
MOST_CARDS = 100  # per fragment request: a burst of events is asked for in one go


def place_of(db: Session, incident: Incident) -> str:
    """Where, for staff eyes: the cross streets given, and the gazetteer's name for the spot
    ("Mariachi Plaza, Boyle Heights (90033)"); the coordinates where it knows none."""
    named = public_place(db, incident.lat, incident.lon, organization_id=incident.organization_id)
    parts = [incident.cross_streets, named.label()]
    return " · ".join(p for p in parts if p) or f"{incident.lat:.4f}, {incident.lon:.4f}"


def places(db: Session, incidents: Iterable[Incident]) -> dict[int, str]:
    return {incident.id: place_of(db, incident) for incident in incidents}


def lanes(language: str) -> list[tuple[str, str]]:
    return [(state.value, gettext(language, LANE_TITLES[state])) for state in boards.ORDER]


def _board(db: Session, caller: Principal, context: AppContext, language: str) -> dict[str, Any]:
    """What the board's template needs: the lanes, their incidents, and their places."""
    settings = context.settings
    board = boards.board(
        db,
        caller,
        now=context.clock.now(),
        timezone=settings.alert_timezone,
        flood_threshold=settings.board_flood_threshold,
        vouched=lambda ids: sources.vouched_for(db, ids),
    )
    shown = [i for lane in board.lists.values() for i in lane] + board.possible_flood
    return {
        "board": board,
        "lanes": lanes(language),
        "places": places(db, shown),
        "versions": board.versions,
    }


@router.get("/dispatch")
def console(
    request: Request, caller: Dispatcher, db: DbDep, context: ContextDep, language: LanguageDep
) -> Response:
    return render(
        request,
        "console.html",
        language,
        csrf_token=caller.csrf_token,
        member_id=caller.member_id,  # the approvals panel: nobody approves their own request
        # The composer names the incident it drafts for by its activity, in words.
        activity_labels=json.dumps(words(language, "activity")["activity"], ensure_ascii=False),
        organizations=json.dumps(sorted(caller.organizations_where(Role.DISPATCHER))),
        # The composer enables only the buttons of the moves a state allows.
        transitions_json=json.dumps(
            {s.value: sorted(t.value for t in to) for s, to in ALLOWED.items()}
        ),
        map=map_view(context.settings),
        **_board(db, caller, context, language),
    )


@router.get("/dispatch/board")
def board_fragment(
    request: Request, caller: Dispatcher, db: DbDep, context: ContextDep, language: LanguageDep
) -> Response:
    return render(request, "console/board.html", language, **_board(db, caller, context, language))


@router.get("/dispatch/cards")
def cards_fragment(
    request: Request,
    caller: Dispatcher,
    db: DbDep,
    context: ContextDep,
    language: LanguageDep,
    incident: Annotated[list[RowId], Query(max_length=MOST_CARDS)],
) -> Response:
    """The named incidents' cards as they stand; those the board drops come back `gone`."""
    now, timezone = context.clock.now(), context.settings.alert_timezone
    found, versions = boards.cards(db, caller, incident)
    shown = [i for i in found if boards.shown(i, now, timezone)]
    kept = {i.id for i in shown}
    fold = boards.folded(
        db,
        caller,
        shown,
        now=now,
        timezone=timezone,
        flood_threshold=context.settings.board_flood_threshold,
        vouched=lambda ids: sources.vouched_for(db, ids),
    )
    return render(
        request,
        "console/cards.html",
        language,
        shown=shown,
        gone=sorted(set(incident) - kept),
        fold=fold,
        places=places(db, shown),
        versions=versions,
    )


@router.get("/dispatch/incidents/{incident_id}/detail")
def detail_fragment(
    incident_id: PathId,
    request: Request,
    caller: Dispatcher,
    db: DbDep,
    context: ContextDep,
    language: LanguageDep,
) -> Response:
    detail = incident_detail(db, caller, incident_id, keyring.report_contacts(context.settings))
    incident = db.get(Incident, incident_id)
    assert incident is not None  # incident_detail found it
    verification = request_of(db, incident_id)
    offers = dispatch_out(db, verification).offers if verification else []
    return render(
        request,
        "console/detail.html",
        language,
        detail=detail,
        place=place_of(db, incident),
        offers=offers,
        media_count=_media_count(db, incident_id),
    )


def _media_count(db: Session, incident_id: int) -> int:
    return db.scalar(select(func.count()).where(Media.incident_id == incident_id)) or 0
