"""The customer base exported to Excel (DESIGN.md, "Export ... is guarded by a role permission";
`unifica export customers`).

One sheet per entity: customers (customer_360, neither merged nor deleted), their contact
details, accounts and tickets; and a dashboard sheet first, with the row count of every sheet
and charts of tickets by status, tickets by campaign and channel preferences over the base.

The workbook is written streaming: rows come from DuckDB ``FETCH_ROWS`` at a time and go
straight into a write-only openpyxl sheet (inline strings, no shared-string table), so memory
stays bounded whatever the size of the base. A sheet that would pass Excel's row limit
(``MAX_SHEET_ROWS``, header included) continues on the next one: "customers (2)". Values are
written as in the steward's review report: a text starting with ``= + - @``, a tab or a
carriage return stays text, never a formula.

Only the roles in ``[export] allowed_roles`` whose ``[roles]`` actions include ``export`` may
export; a refusal and a permitted export are both recorded in audit_log.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.utils import get_column_letter

from merge.review_export import _Cells
from merge.warehouse import fetch_sql, run_sql, transaction
from unifica.errors import UnificaError
from unifica.roles import Actor, authorise, record

Progress = Callable[[str, int, int], None]  # (what, done, total)

MAX_SHEET_ROWS = 1_048_576   # Excel's rows per sheet, the header row included (tests lower it)
FETCH_ROWS = 10_000          # rows fetched from DuckDB at a time
DASHBOARD_SHEET = "dashboard"
MAX_WIDTH = 40


@dataclass(frozen=True)
class EntitySheet:
    """One entity of the export: its sheet title, the query of its rows, its key in select_export_counts."""

    title: str
    sql: str
    count: str


ENTITY_SHEETS = (
    EntitySheet("customers", "select_export_customers", "customers"),
    EntitySheet("contact details", "select_export_contact_details", "contact_details"),
    EntitySheet("accounts", "select_export_accounts", "accounts"),
    EntitySheet("tickets", "select_export_tickets", "tickets"),
)


@dataclass
class CustomerExport:
    """What ``export_customers`` wrote: rows per entity, and the sheets (titles) each filled."""

    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    sheets: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """The closing summary of ``unifica export customers``."""
        counts = ", ".join(f"{n:,} {title}" + (f" ({len(self.sheets[title])} sheets)"
                                               if len(self.sheets[title]) > 1 else "")
                           for title, n in self.rows.items())
        return f"exported {counts} -> {self.path} ({self.seconds:.1f} s)"

    def as_dict(self) -> dict:
        """Counts and the path, for the audit log."""
        return {"path": str(self.path), "rows": self.rows, "sheets": self.sheets}


def authorise_export(con: duckdb.DuckDBPyConnection, roles: Mapping[str, frozenset[str]],
                     allowed_roles: Sequence[str], actor: Actor, command: str) -> None:
    """Return if ``actor`` may export the customer base: its role's [roles] actions include
    export and it is one of [export] allowed_roles. Otherwise the refusal is recorded in
    audit_log and a ``UnificaError`` says so."""
    authorise(con, roles, actor, "export", command)
    if actor.role not in allowed_roles:
        reason = (f"role {actor.role!r} may not export customers "
                  f"([export] allowed_roles: {', '.join(allowed_roles) or 'none'})")
        with transaction(con):
            record(con, actor, "export", command, outcome="refused", reason=reason)
        raise UnificaError(f"{actor.user} as {reason}; ask an admin, or act in another role")


def record_export(con: duckdb.DuckDBPyConnection, actor: Actor, command: str, export: CustomerExport) -> None:
    """Record a done export in audit_log (its own transaction)."""
    with transaction(con):
        record(con, actor, "export", command, after=export.as_dict())


def batches(cursor: duckdb.DuckDBPyConnection, size: int = FETCH_ROWS) -> Iterator[list[tuple]]:
    """The rows of an executed query, ``size`` at a time (the result streams: never all in memory)."""
    while chunk := cursor.fetchmany(size):
        yield chunk


def sheet_title(title: str, part: int) -> str:
    """The title of the ``part``-th sheet of an entity: "customers", "customers (2)", ..."""
    return title if part == 1 else f"{title} ({part})"


def write_sheets(workbook: Workbook, title: str, headers: Sequence[str], rows: Iterator[list[tuple]],
                 progress: Progress | None = None, total: int = 0) -> tuple[int, list[str]]:
    """Append ``rows`` (batches of tuples) to write-only sheets titled ``title``, a new sheet
    ("title (2)", ...) each time one is full; returns the rows written and the sheet titles."""
    per_sheet = MAX_SHEET_ROWS - 1
    titles: list[str] = []
    ws: Any = None
    cell: _Cells | None = None
    written = in_sheet = 0

    def new_sheet() -> None:
        nonlocal ws, cell, in_sheet
        ws = workbook.create_sheet(sheet_title(title, len(titles) + 1))
        titles.append(ws.title)
        cell = _Cells(ws)
        for i, header in enumerate(headers):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(len(header), 10), MAX_WIDTH) + 2
        ws.freeze_panes = "A2"
        ws.append([cell(h, "header") for h in headers])
        in_sheet = 0

    new_sheet()
    for chunk in rows:
        for row in chunk:
            if in_sheet == per_sheet:
                new_sheet()
            ws.append([v if type(v) in _PLAIN else _excel_value(cell, v) for v in row])
            in_sheet += 1
        written += len(chunk)
        if progress:
            progress(f"exporting {title}", written, max(total, written))
    return written, titles


_PLAIN = frozenset({int, float, bool, Decimal, date, type(None)})


def _excel_value(cell: _Cells, value: Any) -> Any:
    """A value Excel can hold: text as text (never a formula), a list as "a; b", a datetime
    without its time zone (Excel has none), anything else as its text."""
    if isinstance(value, str):
        return cell(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is None else cell(value.isoformat())
    if isinstance(value, (list, tuple)):
        return cell("; ".join("" if v is None else str(v) for v in value))
    if isinstance(value, (int, float, Decimal, date, time_of_day, timedelta)):
        return value
    return cell(str(value))


def export_customers(con: duckdb.DuckDBPyConnection, path: Path, progress: Progress | None = None,
                     warehouse_path: str = "") -> CustomerExport:
    """Write the customer base to the Excel workbook ``path`` (replacing it once complete: a
    failed export leaves no file); returns what was written."""
    started = time.perf_counter()
    summary = CustomerExport(path=path)
    counts = dict(zip((e.count for e in ENTITY_SHEETS), fetch_sql(con, "select_export_counts")[0]))
    workbook = Workbook(write_only=True)
    _write_dashboard(workbook.create_sheet(DASHBOARD_SHEET), con, counts, warehouse_path)
    for entity in ENTITY_SHEETS:
        cursor = run_sql(con, entity.sql)
        headers = [d[0] for d in cursor.description]
        summary.rows[entity.title], summary.sheets[entity.title] = write_sheets(
            workbook, entity.title, headers, batches(cursor), progress, counts[entity.count])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UnificaError(f"{path}: cannot write the export: {exc.strerror or exc}") from None
    summary.seconds = time.perf_counter() - started
    return summary


def _write_dashboard(ws: Any, con: duckdb.DuckDBPyConnection, counts: dict[str, int], warehouse_path: str) -> None:
    """The dashboard: what the workbook holds, and three small tables over the base, each with its chart."""
    cell = _Cells(ws)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 22
    row = 0

    def line(*values: Any, style: str | None = None) -> int:
        nonlocal row
        ws.append([cell(v, style) for v in values])
        row += 1
        return row

    line("Unifica customer export", style="title")
    line("exported at", datetime.now().strftime("%Y-%m-%d %H:%M"))
    if warehouse_path:
        line("warehouse", warehouse_path)
    line("")
    line("sheet", "rows", style="bold")
    for entity in ENTITY_SHEETS:
        line(entity.title, counts[entity.count])
    anchor = 2
    for title, sql, chart_kind, what in (
        ("tickets by status", "select_export_tickets_by_status", "bar", "status"),
        ("tickets by campaign", "select_export_tickets_by_campaign", "bar", "campaign"),
        ("channel preferences", "select_export_channel_preferences", "pie", "channel"),
    ):
        cursor = run_sql(con, sql)
        headers = [d[0].replace("_", " ") for d in cursor.description]
        data = cursor.fetchall()
        line("")
        line(title, style="bold")
        header_row = line(*headers, style="bold")
        for values in data:
            line(*values)
        if not data:
            line("(no tickets)")
            continue
        last = header_row + len(data)
        if chart_kind == "bar":
            chart: Any = BarChart()
            chart.type = "col"
            chart.y_axis.title = "tickets"
            chart.x_axis.title = what
            chart.legend = None
            chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=last), titles_from_data=True)
        else:
            chart = PieChart()
            # customers by the channel they use most (column C)
            chart.add_data(Reference(ws, min_col=3, min_row=header_row, max_row=last), titles_from_data=True)
        chart.title = title if chart_kind == "bar" else "customers by preferred channel"
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
        chart.width, chart.height = 16, 8
        ws.add_chart(chart, f"E{anchor}")
        anchor += 17
