"""The demo inbox page: staff read what the demo's phones, mailboxes and browsers received,
and can text back from a phone (STOP, AYUDA, DERECHOS). Absent outside `vecinos demo`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from vecinos.alerts import inbox
from vecinos.config import Settings
from vecinos.errors import NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.web.deps import AppContext, ContextDep, DbDep, LanguageDep
from vecinos.web.policy import SignedInMember
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)


def _only_in_the_demo(settings: Settings) -> None:
    if not settings.demo_inbox:
        raise NotFound(N_("There is nothing at this address."), code="not_found")


@router.get("/demo/inbox")
def inbox_page(
    request: Request, caller: SignedInMember, db: DbDep, context: ContextDep, language: LanguageDep
) -> Response:
    return _inbox(request, "inbox.html", caller, db, context, language)


@router.get("/demo/inbox/threads")
def inbox_threads(
    request: Request, caller: SignedInMember, db: DbDep, context: ContextDep, language: LanguageDep
) -> Response:
    """The threads alone, for the page to refresh itself."""
    return _inbox(request, "inbox_threads.html", caller, db, context, language)


def _inbox(
    request: Request,
    template: str,
    caller: Principal,
    db: Session,
    context: AppContext,
    language: str,
) -> Response:
    _only_in_the_demo(context.settings)
    threads = inbox.threads(db, context.settings)
    return render(request, template, language, threads=threads, csrf_token=caller.csrf_token)


@router.post("/demo/inbox/text")
def text_back(
    caller: SignedInMember,
    db: DbDep,
    context: ContextDep,
    phone: Annotated[str, Form(max_length=40)],
    body: Annotated[str, Form(max_length=160)],
) -> Response:
    _only_in_the_demo(context.settings)
    inbox.text_back(db, context.settings, phone, body, now=context.clock.now())
    return RedirectResponse("/demo/inbox", status_code=303)
