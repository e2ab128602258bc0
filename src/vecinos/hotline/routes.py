"""The provider's webhooks: texts to our number (and, later, calls), signed by Twilio."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from vecinos.alerts import inbound
from vecinos.db import transaction
from vecinos.hotline import texting
from vecinos.web.deps import AppContext, ContextDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import ANONYMOUS

router = APIRouter(prefix="/api", tags=["hotline"])
# The provider never signs in: looking for a caller would open a session (two hops to a worker
# thread and a query) for every text back.
Anonymous = [ANONYMOUS.dependency()]


async def form_fields(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


def signed_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


@router.post("/alerts/sms/inbound", dependencies=Anonymous, responses=refusals(403))
def inbound_sms(
    request: Request,
    form: Annotated[dict[str, str], Depends(form_fields)],
    context: ContextDep,
    limit: Annotated[Limit, Depends(RateLimited("inbound-sms"))],
) -> Response:
    """Twilio's webhook for texts (SMS and WhatsApp) to our number; refused unless Twilio's
    signature matches. Answers in TwiML."""
    inbound.check_signature(
        context.settings, signed_path(request), form, request.headers.get(inbound.SIGNATURE_HEADER)
    )
    if not inbound.is_stop(form):  # carriers require every STOP honoured: none is refused
        limit.check(form.get("From", ""))
    return Response(inbound.twiml(answer(context, form)), media_type="application/xml")


def answer(context: AppContext, form: dict[str, str]) -> str | None:
    """Most texts back after an alert only read (thanks, HELP, RIGHTS, ZONES): they are
    answered from a read session, and only the others take a write transaction (on SQLite
    writers queue one behind the other). The sessions are opened here, not as dependencies:
    each dependency that opens one costs two hops to a worker thread and back."""
    now = context.clock.now()
    with context.reads() as reads:
        answered = texting.read_only_reply(reads, form, now=now, settings=context.settings)
    if answered is not texting.Needs.WRITE:
        return answered
    with transaction(context.sessions) as db:
        return texting.reply(db, form, now=now, settings=context.settings)
