"""Massive actions: one action on a selection of customers (``unifica customer massive``).

The selection is a file of customer ids (one a line, or a CSV with a ``customer_id`` column)
or a filter over the ``customer_360`` view (``city = 'Bogotá' AND status = 'active'``). A
filter is evaluated read-only: refused if it holds ``;`` or a DML/DDL keyword, or if the query
it makes is anything but one SELECT; run in a transaction that is always rolled back.

Each action on the selection is one transaction (all or nothing) with one audit_log row
listing the customers: disable, enable, delete, assign, unassign (merge/customer_status.py),
merge into a main customer (merge/merging.py), export to Excel (one row per customer from
customer_360, merged ones included as such; deleted customers are left out).
"""
from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from openpyxl import Workbook

from merge.customer_status import refusals_audited
from merge.exports import write_sheets
from merge.merging import ELEMENTS, MergeResult, check_merge, merge_customers
from merge.warehouse import fetch_sql, run_sql, sql_text, transaction
from unifica.errors import UnificaError
from unifica.roles import Actor, record

MASSIVE_ACTIONS = ("disable", "enable", "delete", "assign", "unassign", "export", "merge")
# The roles.ACTIONS permission each massive action needs.
PERMISSION = {action: action for action in MASSIVE_ACTIONS} | {"unassign": "assign"}
# Words that have no place in a filter: statements that write, change the schema or the session.
FORBIDDEN_WORDS = ("insert", "update", "delete", "merge", "upsert", "drop", "create", "alter", "truncate",
                   "attach", "detach", "copy", "export", "import", "install", "load", "pragma", "set", "reset",
                   "call", "checkpoint", "vacuum", "begin", "commit", "rollback", "abort", "grant", "revoke",
                   "use", "execute", "prepare", "deallocate", "into", "returning")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_WORD = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class ExportResult:
    """What a massive export wrote."""

    path: Path
    exported: int
    deleted_left_out: int

    def line(self) -> str:
        left_out = f" ({self.deleted_left_out:,} deleted left out)" if self.deleted_left_out else ""
        return f"exported {self.exported:,} customers{left_out} -> {self.path}"


def selection_from_file(path: Path) -> list[int]:
    """The customer ids a file names, in its order without repeats: one id a line, or a CSV
    whose header has a ``customer_id`` column."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise UnificaError(f"--ids {path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UnificaError(f"--ids {path}: not a UTF-8 text file of customer ids") from None
    header = next(csv.reader(lines[:1]), []) if lines else []
    column = [h.strip().lower() for h in header].index("customer_id") if "customer_id" in [
        h.strip().lower() for h in header] else None
    ids: list[int] = []
    for number, row in enumerate(csv.reader(lines), 1):
        if (column is not None and number == 1) or not any(cell.strip() for cell in row):
            continue
        cell = (row[column] if column is not None and column < len(row) else row[0] if column is None else "").strip()
        if column is None and len(row) > 1:
            raise UnificaError(f"--ids {path}:{number}: one customer id a line, or a CSV with a customer_id "
                               f"column (got {','.join(row)!r})")
        if not cell.isdigit():
            raise UnificaError(f"--ids {path}:{number}: {cell!r} is not a customer id")
        ids.append(int(cell))
    return list(dict.fromkeys(ids))


def filter_query(con: duckdb.DuckDBPyConnection, where: str) -> str:
    """The query selecting the customers of ``customer_360`` that pass ``where``, once checked:
    no ``;``, no DML/DDL keyword (outside quotes), and the whole is one SELECT."""
    text = where.strip()
    if not text:
        raise UnificaError("--where: the filter is empty; e.g. --where \"city = 'Bogotá' AND status = 'active'\"")
    if ";" in text:
        raise UnificaError("--where: a filter is one condition over customer_360; ';' is refused")
    bare = _QUOTED.sub(" ", text.lower())
    if "--" in bare or "/*" in bare:
        raise UnificaError("--where: comments are refused in a filter")
    words = set(_WORD.findall(bare)) & set(FORBIDDEN_WORDS)
    if words:
        raise UnificaError(f"--where: {sorted(words)[0].upper()} is refused: a filter only selects customers "
                           f"(a condition over customer_360's columns), it never changes anything")
    query = sql_text("select_filtered_customers").replace("{filter}", text)
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise UnificaError(f"--where: not a valid filter: {_first_line(exc)}") from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise UnificaError("--where: a filter must be a condition over customer_360 that selects customers")
    return query


def selection_from_filter(con: duckdb.DuckDBPyConnection, where: str) -> list[int]:
    """The ids of the customers of ``customer_360`` that pass the filter, evaluated read-only
    (in a transaction always rolled back: nothing it could do is kept)."""
    query = filter_query(con, where)
    con.begin()
    try:
        found = con.execute(query).fetchall()
    except duckdb.Error as exc:
        raise UnificaError(f"--where: not a valid filter over customer_360: {_first_line(exc)}") from None
    finally:
        con.rollback()
    return [int(row[0]) for row in found]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def merge_selection(con: duckdb.DuckDBPyConnection, main_id: int, customer_ids: Sequence[int], *, actor: Actor,
                    command: str, elements: Sequence[str] = ELEMENTS, fill_missing: bool = True) -> MergeResult:
    """Merge the selection (``main_id`` left out of it) into ``main_id``: one merge, one
    transaction with its audit row. A refusal (see ``merging.check_merge``) is audited."""
    others = [c for c in customer_ids if c != main_id]
    with refusals_audited(con, actor, "merge", command, [main_id, *others]):
        if not others:
            raise UnificaError(f"the selection holds no customer besides the main customer {main_id}: nothing to merge")
        check_merge(con, main_id, others)   # unknown, merged, deleted, person and company: refused
    with transaction(con):
        result = merge_customers(con, main_id, others, elements=elements, actor=actor.user, fill_missing=fill_missing)
        record(con, actor, "merge", command, [main_id, *result.merged_customer_ids],
               after={"merge_id": result.merge_id})
    return result


def export_selection(con: duckdb.DuckDBPyConnection, customer_ids: Sequence[int], path: Path, *, actor: Actor,
                     command: str) -> ExportResult:
    """Write the selection's customer_360 rows (deleted customers left out) to an Excel
    workbook, one row per customer; the export is audited. Returns what was written."""
    ids = [int(c) for c in customer_ids]
    with refusals_audited(con, actor, "export", command, ids):
        if path.suffix.lower() != ".xlsx":
            raise UnificaError(f"--out {path}: an export is an Excel workbook; name it ….xlsx")
        known = {row[0] for row in fetch_sql(con, "select_status_customers", customer_ids=ids)}
        unknown = [c for c in ids if c not in known]
        if unknown:
            raise UnificaError(f"no customer {unknown[0]} in the warehouse"
                               + (f" (and {len(unknown) - 1:,} more unknown ids)" if len(unknown) > 1 else ""))
    cursor = run_sql(con, "select_selection_export", customer_ids=ids)
    columns = [d[0] for d in cursor.description]
    found = cursor.fetchall()
    book = Workbook(write_only=True)
    write_sheets(book, "customers", columns, iter([found]))  # text never runs as a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book.save(partial)
    exported = [int(row[0]) for row in found]
    with transaction(con):
        record(con, actor, "export", command, exported, after={"file": str(path), "customers": len(exported)})
        os.replace(partial, path)   # the file appears only once its audit row is written
    return ExportResult(path, len(exported), len(ids) - len(exported))
