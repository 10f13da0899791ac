"""An analyst's SQL on the warehouse, read-only (DESIGN.md, "query (read-only SQL)"; `unifica query`).

Three guards, each enough alone for what it covers: the text must be one read statement
(DuckDB's own parser says so: ``duckdb.extract_statements`` and the statement type); the
warehouse is opened read-only; and the connection gets no file system access (no
``read_csv('/etc/...')``, no ``COPY ... TO``, no ``ATTACH``), locked so that the query cannot
turn it back on. Results stream: the rows are fetched a batch at a time, whether shown,
counted or written to CSV / XLSX.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook

from merge.exports import FETCH_ROWS, batches, write_sheets
from unifica.errors import UnificaError

QUERY_SHEET = "query"
OUTPUT_FORMATS = (".csv", ".xlsx")
READ_STATEMENTS = (duckdb.StatementType.SELECT,)   # SELECT, WITH ... SELECT, FROM ..., VALUES, SHOW, DESCRIBE


@dataclass(frozen=True)
class QueryResult:
    """The first rows of a query's result, the column names and how many rows it has in all."""

    columns: list[str]
    rows: list[tuple]
    total: int


def read_statement(sql: str) -> str:
    """The text of ``sql`` once it is a single read statement; a ``UnificaError`` otherwise
    (nothing has run)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise UnificaError(f"the query is not valid SQL: {_first_line(exc)}") from None
    if not statements:
        raise UnificaError("the query is empty: give one SELECT statement")
    if len(statements) > 1:
        kinds = ", ".join(s.type.name for s in statements)
        raise UnificaError(f"give one statement, not {len(statements)} ({kinds}); nothing was run")
    statement = statements[0]
    if statement.type not in READ_STATEMENTS:
        raise UnificaError(f"query runs read statements only (SELECT, WITH ... SELECT); "
                           f"{statement.type.name} is refused and nothing was run")
    return statement.query


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Take file system access away from ``con`` (reading or writing files, attaching
    databases) and lock its configuration so that a query cannot give it back."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _execute(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(read_statement(sql))
    except duckdb.Error as exc:
        raise UnificaError(f"the query failed: {_first_line(exc)}") from None


def _rows(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple]]:
    try:
        yield from batches(cursor, FETCH_ROWS)
    except duckdb.Error as exc:
        raise UnificaError(f"the query failed: {_first_line(exc)}") from None


def run_query(con: duckdb.DuckDBPyConnection, sql: str, show: int = 50) -> QueryResult:
    """The first ``show`` rows of the query and its total row count (the rest is counted,
    streaming, not kept)."""
    cursor = _execute(con, sql)
    columns = [d[0] for d in cursor.description]
    shown: list[tuple] = []
    total = 0
    for chunk in _rows(cursor):
        if len(shown) < show:
            shown.extend(chunk[:show - len(shown)])
        total += len(chunk)
    return QueryResult(columns, shown, total)


def write_query(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    """Write the query's result to ``path`` (.csv or .xlsx, replaced once complete); returns the rows."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise UnificaError(f"--out {path}: write a .csv or an .xlsx file")
    cursor = _execute(con, sql)
    columns = [d[0] for d in cursor.description]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if suffix == ".csv":
            written = _write_csv(partial, columns, _rows(cursor))
        else:
            workbook = Workbook(write_only=True)
            written, _ = write_sheets(workbook, QUERY_SHEET, columns, _rows(cursor))
            workbook.save(partial)
        os.replace(partial, path)
    except OSError as exc:
        raise UnificaError(f"{path}: cannot write the result: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return written


def _write_csv(path: Path, columns: list[str], rows: Iterator[list[tuple]]) -> int:
    """UTF-8 with a BOM (Excel reads the accents right), a header row; lists as "a; b"."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for chunk in rows:
            writer.writerows([_csv_value(v) for v in row] for row in chunk)
            written += len(chunk)
    return written


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "; ".join("" if v is None else str(v) for v in value)
    return value


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
