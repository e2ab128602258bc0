"""Writing many rows of one table fast, inside the caller's transaction.

A fan-out writes up to hundreds of thousands of deliveries in the publishing transaction.
SQLAlchemy's executemany spends most of that time in Python, building and processing one
parameter dict per row. Here the values every row shares (the alert, the time, the status)
pass through their column types' bind processors once, each row is a plain tuple, and the
driver does the rest: `COPY … FROM STDIN` on PostgreSQL (psycopg 3), one `executemany` on
SQLite. Both run on the session's own connection, so the rows commit or roll back with
everything else the caller wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import ColumnElement, Integer, Table, any_, bindparam, insert, literal, update
from sqlalchemy import text as sa_text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session


def insert_rows(
    db: Session,
    table: Table,
    shared: Mapping[str, Any],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    """INSERT one row per tuple of `rows` (values of `columns`), each with the `shared` values.

    Values go through their column types as SQLAlchemy would pass them (a UTC datetime
    becomes SQLite's string, for one); the shared ones once, not once per row.
    """
    connection = db.connection()
    dialect = connection.dialect
    names = [*shared, *columns]
    if dialect.name not in ("postgresql", "sqlite") or dialect.driver not in (
        "psycopg",
        "pysqlite",
    ):
        # Any other driver: SQLAlchemy's own executemany (slower, same rows).
        db.execute(
            insert(table), [dict(zip(names, [*shared.values(), *row], strict=True)) for row in rows]
        )
        return
    fixed = tuple(_processed(table, dialect, shared).values())
    full = _full_rows(table, dialect, fixed, columns, rows)
    preparer = dialect.identifier_preparer
    target = f"{preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)})"
    try:
        if dialect.name == "postgresql":
            _copy(connection, target, full)
        else:
            _executemany(connection, target, len(names), full)
    except dialect.loaded_dbapi.Error as error:
        # The driver's own error, as SQLAlchemy would have raised it (IntegrityError, …).
        raise DBAPIError.instance(
            f"INSERT INTO {target}", None, error, dialect.loaded_dbapi.Error
        ) from error


def _processed(table: Table, dialect: Dialect, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        out[name] = process(value) if process is not None and value is not None else value
    return out


def _full_rows(
    table: Table,
    dialect: Dialect,
    fixed: tuple[Any, ...],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> Iterable[tuple[Any, ...]]:
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    if any(processors):  # a column that needs converting: per row, as SQLAlchemy would
        steps: list[Callable[[Any], Any]] = [p or _same for p in processors]
        rows = (
            tuple(s(v) if v is not None else v for s, v in zip(steps, r, strict=True)) for r in rows
        )
    return map(tuple.__add__, repeat(fixed), rows) if fixed else rows


def _same(value: Any) -> Any:
    return value


def _copy(connection: Connection, target: str, rows: Iterable[tuple[Any, ...]]) -> None:
    # psycopg 3's COPY on the connection the session holds, inside its open transaction.
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(
    connection: Connection, target: str, width: int, rows: Iterable[tuple[Any, ...]]
) -> None:
    raw: Any = connection.connection.driver_connection
    marks = ", ".join("?" * width)
    cursor = raw.cursor()
    try:
        # `target` is quoted table and column names from the model, never input.
        cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)  # noqa: S608
    finally:
        cursor.close()


def among(
    db: Session, column: ColumnElement[int] | InstrumentedAttribute[int], ids: Sequence[int]
) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`: one parameter, not thousands for the
    driver to splice in and the server to parse."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(ids)


def update_by_id(
    db: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    also: Mapping[str, Any],
    guard: Mapping[str, Any],
) -> None:
    """Each row is (id, *values of `columns`); `also` is set on every row, and a row changes
    only while `guard` (column = value) still holds for it.

    On PostgreSQL one UPDATE for all rows, their values passed as one array per column;
    elsewhere one executemany. The ids must be distinct.
    """
    if not rows:
        return
    dialect = db.get_bind().dialect
    if dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), *(table.c[k] == v for k, v in guard.items()))
            .values({c: bindparam(f"v_{c}") for c in columns} | dict(also))
        )
        names = ["b_id", *(f"v_{c}" for c in columns)]
        db.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])
        return
    preparer, types = dialect.identifier_preparer, dialect.type_compiler_instance
    params: dict[str, Any] = {}
    sets = []
    # No join (its plan would hang on statistics, stale right after a fan-out): each row
    # takes its values from the arrays at the position of its id, and the primary key
    # finds the rows.
    position = "array_position(CAST(:a0 AS INTEGER[]), t.id)"
    for n, (name, values) in enumerate(zip(["id", *columns], zip(*rows, strict=True), strict=True)):
        type_ = table.c[name].type.dialect_impl(dialect)
        process = type_.bind_processor(dialect)
        if process is not None:
            values = tuple(process(v) if v is not None else v for v in values)
        params[f"a{n}"] = list(values)
        if n:
            array = f"CAST(:a{n} AS {types.process(type_)}[])"
            sets.append(f"{preparer.quote(name)} = ({array})[{position}]")
    for n, (name, value) in enumerate(also.items()):
        params[f"s{n}"] = value
        sets.append(f"{preparer.quote(name)} = :s{n}")
    checks = ["t.id = ANY(CAST(:a0 AS INTEGER[]))"]
    for n, (name, value) in enumerate(guard.items()):
        params[f"g{n}"] = value
        checks.append(f"t.{preparer.quote(name)} = :g{n}")
    # Only quoted names from the model and numbered parameters go into the text.
    target = f"{preparer.format_table(table)} AS t SET {', '.join(sets)}"
    sql = f"UPDATE {target} WHERE {' AND '.join(checks)}"
    db.execute(sa_text(sql), params)
