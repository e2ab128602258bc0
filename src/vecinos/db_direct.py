"""Core statements run straight on the database driver, for the few hottest writes.

Under load, SQLAlchemy's execution machinery (execution context, parameter expansion, result
wrapping) cost the intake writer more than the database did: about a tenth of a millisecond
per statement, half a dozen statements per report. A `Direct` statement is compiled once per
dialect by SQLAlchemy, with SQLAlchemy's own bind and result processors, so the SQL and the
values that reach the driver are the ones `Connection.execute` would send; only the machinery
around them is skipped. It runs on the driver connection of an open `Connection`, inside its
transaction. No events fire (nothing in vecinos listens to statement events), and Python-side
column defaults are not applied: an INSERT must give every column that has one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    compiled: SQLCompiler
    positional: bool
    expanding: bool  # an IN (...) of a list: the SQL depends on the list's length
    binds: dict[str, Processor]
    results: list[Processor | None]  # filled in by the first run (`_results`)


class Direct:
    """One Core statement; `rows` runs it with one set of parameters, returns plain tuples."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}
        self._defaulted: frozenset[str] = frozenset()
        if isinstance(statement, Insert):
            table = cast(Table, statement.table)
            self._defaulted = frozenset(c.key for c in table.columns if c.default is not None)

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        missing = self._defaulted.difference(params)
        if missing:
            raise ValueError(f"give {', '.join(sorted(missing))}: defaults are not applied here")
        plan = self._plan(connection.dialect, params)
        sql, values = _bound(plan, params)
        dialect = connection.dialect
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, values)
            fetched = cursor.fetchall() if cursor.description else []
            results = plan.results or _results(plan, dialect, cursor.description)
        except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy's: IntegrityError and the rest
            raise DBAPIError.instance(
                sql, values, exc, dialect.loaded_dbapi.Error, dialect=dialect
            ) from exc
        finally:
            cursor.close()
        if not any(results):
            return [tuple(row) for row in fetched]
        return [
            tuple(p(v) if p else v for p, v in zip(results, row, strict=True)) for row in fetched
        ]

    def _plan(self, dialect: Dialect, params: dict[str, Any]) -> _Compiled:
        # An INSERT without .values() writes the columns given; its SQL depends on their names.
        keys = tuple(sorted(params)) if isinstance(self.statement, Insert) else ()
        plan = self._compiled.get((dialect.name, keys))
        if plan is None:
            plan = self._compiled[(dialect.name, keys)] = _compile(self.statement, dialect, keys)
        return plan


def _compile(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler)
    return _Compiled(
        compiled,
        compiled.positional,
        any(bind.expanding for bind in compiled.binds.values()),
        dict(compiled._bind_processors),  # type: ignore[arg-type]
        [],
    )


def _results(plan: _Compiled, dialect: Dialect, description: Any) -> list[Processor | None]:
    """The columns' result processors, which may depend on the types the driver reports."""
    columns = plan.compiled._result_columns
    found: list[Processor | None] = [
        column.type._cached_result_processor(dialect, described[1])
        for column, described in zip(columns, description or (), strict=True)
    ]
    plan.results[:] = found  # one replacement: two threads at once write the same list
    return found


def _bound(plan: _Compiled, params: dict[str, Any]) -> tuple[str, Sequence[Any] | dict[str, Any]]:
    compiled = plan.compiled
    values: dict[str, Any] = dict(compiled.construct_params(params, _check=False))
    names: Sequence[str] | None = compiled.positiontup
    sql, processors = compiled.string, plan.binds
    if plan.expanding:  # each item of the list gets a parameter of its own
        expanded = compiled._process_parameters_for_postcompile(values)
        sql, values, names = expanded.statement, dict(expanded.parameters), expanded.positiontup
        processors = {**plan.binds, **expanded.processors}
    for name, process in processors.items():
        if name in values:
            values[name] = process(values[name])
    if plan.positional:
        assert names is not None
        return sql, tuple(values[name] for name in names)
    return sql, values
