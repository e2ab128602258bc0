"""The hotline operator's intake form (the console itself is `vecinos.console`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from vecinos.accounts.models import Role
from vecinos.i18n import gettext
from vecinos.identity import Principal
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS
from vecinos.web.deps import LanguageDep
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


@router.get("/dispatch/hotline")
def hotline(request: Request, caller: Dispatcher, language: LanguageDep) -> Response:
    return render(
        request,
        "hotline.html",
        language,
        csrf_token=caller.csrf_token,
        activities=[(a.value, gettext(language, label)) for a, label in ACTIVITY_LABELS.items()],
        agencies=[(a.value, gettext(language, label)) for a, label in AGENCY_LABELS.items()],
    )
