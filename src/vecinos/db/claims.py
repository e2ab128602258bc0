"""Claiming work atomically, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm import Session


def rowcount(db: Session, statement: Executable) -> int:
    """Rows a conditional UPDATE changed: 1 means this caller won the claim, 0 that another
    transaction got there first (its WHERE no longer matched)."""
    result = cast(CursorResult[Any], db.execute(statement))
    return result.rowcount
