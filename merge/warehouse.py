"""The DuckDB warehouse: opening it, versioned migrations, and running the SQL in merge/sql/.

Every statement the product runs against the warehouse lives in ``merge/sql/<name>.sql``
(one file each) or ``merge/migrations/NNNN_<name>.sql``; Python runs them by name with
bound parameters: ``run_sql(con, "insert_customers", run_id=7)``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from unifica.errors import UnificaError

SQL_DIR = Path(__file__).parent / "sql"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations this code knows, oldest first."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append(Migration(int(match[1]), match[2], path))
    return found


@cache
def sql_text(name: str) -> str:
    """The text of ``merge/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def _parameters(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([a-z_][a-z0-9_]*)", sql_text(name)))


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Run the statement in ``merge/sql/<name>.sql`` with its ``$param`` values bound; returns the cursor.

    Only the parameters the statement names are bound; one it names but is not given is an error.
    """
    wanted = _parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"{name}.sql needs {', '.join(sorted(missing))}")
    bound = {k: v for k, v in params.items() if k in wanted}
    return con.execute(sql_text(name), bound) if bound else con.execute(sql_text(name))


def run_sql_template(con: duckdb.DuckDBPyConnection, name: str, fragments: dict[str, str],
                     **params: Any) -> duckdb.DuckDBPyConnection:
    """Run ``merge/sql/<name>.sql`` whose ``{fragment}`` placeholders are first replaced by SQL
    text the code holds as data (e.g. a blocking rule's key expression); returns the cursor.

    Only trusted text from the code goes into fragments, never user input: values are
    bound as ``$param`` as in ``run_sql``.
    """
    text = sql_text(name)
    for key, fragment in fragments.items():
        placeholder = "{" + key + "}"
        if placeholder not in text:
            raise TypeError(f"{name}.sql has no {placeholder}")
        text = text.replace(placeholder, fragment)
    wanted = frozenset(re.findall(r"\$([a-z_][a-z0-9_]*)", text))
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"{name}.sql needs {', '.join(sorted(missing))}")
    bound = {k: v for k, v in params.items() if k in wanted}
    return con.execute(text, bound) if bound else con.execute(text)


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | dict | None = None) -> Any:
    """The single value a query returns (the whole result is read, so no result is left open:
    DuckDB 2.0 results stream and an open one blocks the connection's relational API)."""
    rows = con.execute(query, params).fetchall() if params else con.execute(query).fetchall()
    return rows[0][0]


def fetch_sql(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    """Run a named query; returns all its rows."""
    return run_sql(con, name, **params).fetchall()


# Connections inside a transaction() block (by id): a block nested in another joins it.
_IN_TRANSACTION: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One all-or-nothing step: commits when the block ends, rolls back if it raises.

    A block inside another one on the same connection joins the outer transaction (so a
    command can make a merge and its audit row one transaction): the outer block commits.
    """
    if id(con) in _IN_TRANSACTION:
        yield con
        return
    con.begin()
    _IN_TRANSACTION.add(id(con))
    try:
        yield con
    except BaseException:
        _IN_TRANSACTION.discard(id(con))
        con.rollback()
        raise
    _IN_TRANSACTION.discard(id(con))
    con.commit()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """Frames (pandas or Arrow) visible to SQL under the given names for the block, then gone."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield con
    finally:
        for name in frames:
            con.unregister(name)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest migration applied to this warehouse; 0 for an empty file."""
    if not scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"):
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_migrations")


def migrate(con: duckdb.DuckDBPyConnection, path: Path | str = "warehouse",
            known: list[Migration] | None = None) -> list[Migration]:
    """Bring the warehouse up to the newest schema, one transaction per migration.

    Returns the migrations applied. A file made by a newer Unifica, or a DuckDB file that
    is not a Unifica warehouse, is refused rather than touched.
    """
    known = migrations() if known is None else known
    current = schema_version(con)
    if current == 0:
        if scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE NOT internal"):
            raise UnificaError(f"{path}: is a DuckDB file but not a Unifica warehouse "
                               f"(no schema_migrations table); choose another [warehouse] path")
    newest = known[-1].version if known else 0
    if current > newest:
        raise UnificaError(f"{path}: warehouse schema is version {current}, this Unifica knows up to "
                           f"{newest}; upgrade Unifica before using this file")
    applied = []
    for migration in known:
        if migration.version <= current:
            continue
        with transaction(con):
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)")
            con.execute(migration.path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [migration.version, migration.name, datetime.now()])
        applied.append(migration)
    return applied


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file; a file locked by another process is a one-line error."""
    if read_only and not path.exists():
        raise UnificaError(f"{path}: no warehouse here yet (run `unifica ingest` first)")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise UnificaError(f"{path}: the warehouse is in use by another Unifica run; "
                               f"wait for it to finish and try again") from None
        raise UnificaError(f"{path}: cannot open the warehouse: {exc}") from None


@contextmanager
def open_warehouse(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (creating or upgrading as needed) the warehouse; closes it when the block ends."""
    con = connect(path, read_only=read_only)
    try:
        if not read_only:
            migrate(con, path)
        yield con
    finally:
        con.close()


def next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """The first free id of a table's id column (ids are max + 1, so the same input gives the same ids)."""
    if not re.fullmatch(r"[a-z_]+", table + column):
        raise ValueError(f"not an identifier: {table}.{column}")
    return scalar(con, f"SELECT coalesce(max({column}), 0) + 1 FROM {table}")
