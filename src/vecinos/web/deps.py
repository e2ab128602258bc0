"""Typed dependencies that keep route signatures short: the database, settings, clock, caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session, sessionmaker

from vecinos import events
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import MAX_ROW_ID, read_sessions
from vecinos.i18n import negotiate
from vecinos.identity import Principal
from vecinos.ratelimit import RateLimits
from vecinos.web.prerender import Prerendered
from vecinos.web.sse import Streams


class Identify(Protocol):
    """Finds who sent a request; `accounts.callers.caller_of` is the one the app uses."""

    def __call__(self, request: Request, db: Session, context: AppContext) -> Principal | None: ...


@dataclass
class AppContext:
    """What the app factory builds once and every request shares."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    identify: Identify
    _encryptors: dict[str, Encryptor] = field(default_factory=dict, init=False, repr=False)
    limits: RateLimits = field(init=False, repr=False)
    streams: Streams = field(init=False, repr=False)
    reads: sessionmaker[Session] = field(init=False, repr=False)
    # The public read side (alert feeds and page), rendered once per alert published.
    public_bodies: Prerendered = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # On PostgreSQL several web processes serve: their limits are kept in the database.
        postgresql = self.sessions.kw["bind"].dialect.name == "postgresql"
        self.limits = RateLimits(self.settings, shared=self.sessions if postgresql else None)
        self.streams = Streams(self.settings.sse_max_streams)
        self.reads = read_sessions(self.sessions.kw["bind"])
        hears = events.hears_everything(self.sessions.kw["bind"])
        self.public_bodies = Prerendered(events.Topic.ALERTS, self.clock, hears)

    def encryptor(self, purpose: str) -> Encryptor:
        """Made once per purpose: building the keys' Fernets took a share of every report."""
        found = self._encryptors.get(purpose)
        if found is None:
            found = Encryptor(self.settings.secret, purpose, self.settings.old_secrets)
            self._encryptors[purpose] = found
        return found


# Small dependencies are `async def`: FastAPI runs a plain `def` one in a worker thread, a hop
# that costs more than the work. Only those that touch the database stay synchronous.
async def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_db(context: ContextDep) -> Iterator[Session]:
    """One transaction per request, committed before the response leaves (scope=function)."""
    session = context.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbDep = Annotated[Session, Depends(get_db, scope="function")]


def get_read_db(context: ContextDep) -> Iterator[Session]:
    """A session for a route that only reads: on SQLite it never waits for the writer."""
    with context.reads() as session:
        yield session


ReadDbDep = Annotated[Session, Depends(get_read_db, scope="function")]


async def get_settings(context: ContextDep) -> Settings:
    return context.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_clock(context: ContextDep) -> Clock:
    return context.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_language(request: Request, settings: SettingsDep) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("vecinos_lang")
    return negotiate(chosen or request.headers.get("accept-language"), settings.default_language)


LanguageDep = Annotated[str, Depends(get_language)]


def resolve_principal(request: Request, db: DbDep, context: ContextDep) -> Principal | None:
    """The caller, as `accounts` finds them (the app factory hands its finder to the context)."""
    return context.identify(request, db, context)


MaybePrincipalDep = Annotated[Principal | None, Depends(resolve_principal)]

# Every `{…_id}` in a path: a word or a number no row can have is a 422, never a database error.
PathId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
