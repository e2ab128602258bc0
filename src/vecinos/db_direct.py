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
_REQUIRED = object()  # a bound parameter without a value of its own in the statement


@dataclass(frozen=True)
class _Slot:
    """Where one driver parameter comes from: a given value (an item of it, for a list
    expanded into IN (...)), or the statement's own literal; and its bind processor."""

    name: str  # the driver's name for it (named paramstyles)
    source: str
    index: int | None
    literal: Any
    process: Processor | None


@dataclass(frozen=True)
class _Compiled:
    compiled: SQLCompiler
    sql: str
    positional: bool
    slots: tuple[_Slot, ...]
    results: list[Processor | None]  # filled in by the first run (`_results`)


class Direct:
    """One Core statement; `rows` runs it with one set of parameters, returns plain tuples."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[Any, ...], _Compiled] = {}
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
        # An INSERT without .values() writes the columns given, and an IN (...) of a list has
        # a parameter per item: the SQL depends on the names given and the lists' lengths.
        insert = isinstance(self.statement, Insert)
        keys = tuple(sorted(params)) if insert else ()
        shape = (dialect.name, keys, *(len(v) for v in params.values() if isinstance(v, list)))
        plan = self._compiled.get(shape)
        if plan is None:
            plan = self._compiled[shape] = _compile(self.statement, dialect, keys, params)
        return plan


def _compile(
    statement: Executable, dialect: Dialect, keys: tuple[str, ...], params: dict[str, Any]
) -> _Compiled:
    """SQLAlchemy compiles (and expands lists) once; `_bound` then only fills the slots."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler)
    values = compiled.construct_params(params, _check=False)
    expanded = compiled._process_parameters_for_postcompile(values)
    processors = {**compiled._bind_processors, **expanded.processors}
    items = {
        name: (source, index)
        for source, names in expanded.parameter_expansion.items()
        for index, name in enumerate(names)
    }
    names = expanded.positiontup if compiled.positional else list(expanded.parameters)
    assert names is not None
    slots = []
    for name in names:
        source, index = items.get(name, (name, None))
        bind = compiled.binds[source]
        literal = _REQUIRED if bind.required else bind.effective_value
        slots.append(_Slot(name, source, index, literal, cast(Processor, processors.get(name))))
    return _Compiled(compiled, expanded.statement, compiled.positional, tuple(slots), [])


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
    values = []
    for slot in plan.slots:
        value = params.get(slot.source, slot.literal)
        if value is _REQUIRED:
            raise ValueError(f"a value is required for the parameter {slot.source!r}")
        if slot.index is not None:
            value = value[slot.index]
        values.append(slot.process(value) if slot.process else value)
    if plan.positional:
        return plan.sql, values
    return plan.sql, {slot.name: value for slot, value in zip(plan.slots, values, strict=True)}
