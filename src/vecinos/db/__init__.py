"""Database plumbing shared by every domain: the declarative base, column types, engines.

Service functions take a `Session` and never commit: the caller (a route, a CLI command,
the worker) owns the transaction, so related writes land together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.types import TypeDecorator

from vecinos.db.embedded import READ_ONLY, make_sqlite_engine

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Primary keys are INTEGER columns: 32 bits on PostgreSQL. An id beyond this names no row, and
# handed to the database it is an overflow error, not an answer; inputs are checked against it.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# PostgreSQL connections a process keeps open once it has needed them. With SQLAlchemy's
# default of 5, a burst of requests on AnyIO's route threads opened (and authenticated) a new
# connection per request beyond the fifth and closed it after, milliseconds each (profiles of
# intake under load). A pool grows only as far as the process's busiest moment, so a worker
# keeps a handful; size `max_connections` by docs/deploy.md.
PG_POOL_SIZE = 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        return make_sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_size", PG_POOL_SIZE)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that only reads (on PostgreSQL the same as any other)."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def utcnow() -> datetime:
    return datetime.now(UTC)


T = TypeVar("T")
Handler = Callable[[Session, list[T]], None]


class AtTransactionEnd(Generic[T]):
    """What a session gathers during a transaction, handed on when the transaction ends:
    to `on_commit` once it committed, to `on_rollback` if it rolled back, else dropped.

    For side effects that must follow the data: a board hears of a change only once it is
    committed, a file stored for a rolled-back row is deleted. Make one per kind, at import.
    """

    def __init__(
        self,
        name: str,
        *,
        on_commit: Handler[T] | None = None,
        on_rollback: Handler[T] | None = None,
    ) -> None:
        self.key = f"vecinos.{name}"
        self.on_commit, self.on_rollback = on_commit, on_rollback
        event.listen(Session, "after_commit", self._committed)
        event.listen(Session, "after_soft_rollback", self._rolled_back)

    def add(self, session: Session, item: T) -> None:
        session.info.setdefault(self.key, []).append(item)

    def _committed(self, session: Session) -> None:
        items: list[T] = session.info.pop(self.key, [])
        if items and self.on_commit is not None:
            self.on_commit(session, items)

    def _rolled_back(self, session: Session, previous_transaction: SessionTransaction) -> None:
        # Every rollback of the whole transaction, even one that never reached the database.
        if previous_transaction.nested:
            return
        items: list[T] = session.info.pop(self.key, [])
        if items and self.on_rollback is not None:
            self.on_rollback(session, items)


def insert_missing(db: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose primary key is not there yet; those that exist stay as they are.

    For rows several processes may create at the same moment (a worker's job schedule, a rate
    bucket): a plain INSERT would fail the loser with a unique violation.
    """
    if not rows:
        return
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    db.execute(dialect.insert(model).values(rows).on_conflict_do_nothing())


def commit_without_flush_to_disk(db: Session) -> None:
    """On PostgreSQL, this transaction's commit does not wait for its WAL to reach the disk.

    Only for a transaction of its own whose loss in a crash costs nothing, such as a rate
    limit's tokens: a commit that waits for the disk takes milliseconds, and intake took
    several of them per report. Other transactions keep waiting. SQLite commits in WAL mode
    without a flush (`synchronous=NORMAL`) already.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))
