"""`Direct` statements: what reaches the database is what `Connection.execute` would send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vecinos.db_direct import Direct
from vecinos.incidents.models import Incident

INCIDENTS = cast(Table, Incident.__table__)
SEEN = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)
NEW = Direct(insert(INCIDENTS).returning(INCIDENTS.c.id, INCIDENTS.c.last_seen_at))
IN_CELLS = Direct(
    select(INCIDENTS.c.id, INCIDENTS.c.last_seen_at)
    .where(
        INCIDENTS.c.h3_cell.in_(bindparam("cells", expanding=True)),
        INCIDENTS.c.last_seen_at >= bindparam("since"),
    )
    .order_by(INCIDENTS.c.id)
)


def incident(cell: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organization_id": None,
        "state": "reported",
        "lat": 34.05,
        "lon": -118.25,
        "h3_cell": cell,
        "public_cell": cell,
        "public_lat": 34.0,
        "public_lon": -118.2,
        "cross_streets": None,
        "activity": "checkpoint",
        "report_count": 1,
        "source_count": 1,
        "opened_at": SEEN,
        "last_seen_at": SEEN,
        "state_changed_at": SEEN,
        "closed_at": None,
        "verdict": None,
    }
    return {**values, **changes}


def test_rows_go_in_and_come_back_as_sqlalchemy_writes_and_reads_them(engine: Engine) -> None:
    with engine.begin() as connection:
        ((first, returned_at),) = NEW.rows(connection, incident("a"))
        NEW.rows(connection, incident("b", last_seen_at=SEEN + timedelta(hours=1)))
        NEW.rows(connection, incident("c"))
        assert returned_at == SEEN and returned_at.tzinfo is not None
        # Lists of different lengths each get their own SQL; the datetime bound is processed.
        assert [r[0] for r in IN_CELLS.rows(connection, {"cells": ["a"], "since": SEEN})] == [first]
        later = IN_CELLS.rows(
            connection, {"cells": ["a", "b", "c"], "since": SEEN.replace(hour=13)}
        )
        assert [at for _, at in later] == [SEEN + timedelta(hours=1)]
    with Session(engine) as session:  # the ORM reads the row as if it had written it
        stored = session.get(Incident, first)
        assert stored is not None
        assert stored.last_seen_at == SEEN and stored.opened_at.tzinfo is not None
        assert stored.h3_cell == "a" and stored.report_count == 1


def test_an_insert_must_give_the_columns_that_have_defaults(engine: Engine) -> None:
    values = incident("a")
    del values["report_count"]  # a Python-side default that would be skipped here
    with engine.begin() as connection, pytest.raises(ValueError, match="report_count"):
        NEW.rows(connection, values)


def test_a_missing_value_is_refused(engine: Engine) -> None:
    with engine.begin() as connection, pytest.raises(ValueError, match="since"):
        IN_CELLS.rows(connection, {"cells": ["a"]})


def test_driver_errors_are_raised_as_sqlalchemys(engine: Engine) -> None:
    with engine.connect() as connection, connection.begin(), pytest.raises(IntegrityError):
        NEW.rows(connection, incident("a", organization_id=987_654))  # no such organization
