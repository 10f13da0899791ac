"""``unifica review``, ``unifica export`` and ``unifica query``: the steward's review report,
the Excel exports and the analyst's read-only queries (thin commands over merge/)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from unifica.cli_common import (ActorOption, Bars, ConfigOption, RoleOption, authorised, err, out, progress_bars,
                                 user_errors)
from unifica.errors import UnificaError

review_app = typer.Typer(help="The steward's review report: export the pairs to decide to Excel, apply the "
                              "decisions handed back.", no_args_is_help=True)
MAX_PROBLEM_LINES = 30


@review_app.command("export")
@user_errors
def review_export(
    config: ConfigOption = Path("unifica.toml"),
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="The .xlsx to write (default: review-<date>.xlsx in the [review] folder, "
                            "beside the config).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file if it exists.")] = False,
    user: ActorOption = None,
    role: RoleOption = None,
) -> None:
    """Write the candidate pairs in the review band to an Excel report for a data steward.

    One row per pair, grouped in clusters, strongest first: both customers side by side, the
    evidence each field gives, and a decision (merge / not_duplicate / skip) and main customer
    (left / right, prefilled by survivorship) to fill in. Hand it back with `unifica review apply`.
    """
    from merge.review_export import default_report_path, export_review
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    if out_file is not None and out_file.exists() and not force:
        raise UnificaError(f"{out_file} exists already (a steward may be filling it in); choose another --out, "
                           f"or --force")
    path = out_file if out_file is not None else default_report_path(cfg.review_folder)
    if path.suffix.lower() != ".xlsx":
        raise UnificaError(f"--out {path}: a review report is an Excel workbook; name it ….xlsx")
    with open_warehouse(cfg.warehouse) as con, progress_bars() as progress:
        authorised(con, cfg, user, role, "review", f"review export --out {path}")
        summary = export_review(con, path, review=cfg.matching.review, auto_merge=cfg.matching.auto_merge,
                                survivorship=cfg.merge.survivorship, warehouse_path=str(cfg.warehouse),
                                progress=Bars(progress))
    out.print(summary.line(), highlight=False, soft_wrap=True)


@review_app.command("apply")
@user_errors
def review_apply(
    report: Annotated[Path, typer.Argument(help="The review report (.xlsx) with the steward's decisions.")],
    steward: Annotated[str, typer.Option("--steward", help="Who decided: recorded with every decision and merge.")],
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Apply the decisions of a review report, all in one transaction.

    merge: the pairs marked merge are grouped into disjoint merges, each into the main customer
    chosen on its strongest pair; not_duplicate: the pair is rejected and never proposed again;
    skip or empty: nothing. Rows changed since the export (stale), from another warehouse,
    already applied, conflicting or unreadable are reported and not applied.
    """
    from merge.review_apply import apply_review, check_report, check_steward
    from merge.warehouse import open_warehouse, transaction
    from unifica.config import load_config
    from unifica.roles import record

    cfg = load_config(config)
    check_steward(steward)
    check_report(report)
    command = f"review apply {report}"
    with open_warehouse(cfg.warehouse) as con, progress_bars() as progress:
        actor = authorised(con, cfg, steward, role, "review", command)
        with transaction(con):
            summary = apply_review(con, report, steward=steward, fill_missing=cfg.merge.fill_missing,
                                   survivorship=cfg.merge.survivorship, progress=Bars(progress))
            if summary.merged_pairs or summary.rejected:  # a second apply of the same file changes nothing
                record(con, actor, "review", command,
                       after={"merges": summary.merges, "merged_pairs": summary.merged_pairs,
                              "rejected": summary.rejected})
    for problem in summary.problems[:MAX_PROBLEM_LINES]:
        err.print(f"[yellow]{problem.kind}:[/yellow] {problem.line()}", highlight=False, soft_wrap=True)
    if len(summary.problems) > MAX_PROBLEM_LINES:
        err.print(f"... and {len(summary.problems) - MAX_PROBLEM_LINES:,} more rows not applied", highlight=False)
    out.print(summary.line(), highlight=False, soft_wrap=True)


export_app = typer.Typer(help="Exports of the customer base to Excel, for the roles in [export] allowed_roles.",
                         no_args_is_help=True)


@export_app.command("customers")
@user_errors
def export_customers(
    role: RoleOption = None,
    user: ActorOption = None,
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="The .xlsx to write (default: customers-<date>.xlsx here).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file if it exists.")] = False,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Export the customer base to an Excel workbook (roles in [export] allowed_roles only).

    One sheet per entity: customers (not merged, not deleted), contact details, accounts,
    tickets; a sheet past Excel's 1,048,576 rows continues on the next ("customers (2)"). A
    dashboard sheet charts tickets by status, tickets by campaign and channel preferences.
    The export, or its refusal, is recorded in audit_log.
    """
    from merge.exports import authorise_export, export_customers as export, record_export
    from merge.warehouse import open_warehouse
    from unifica.config import load_config
    from unifica.roles import actor_from

    cfg = load_config(config)
    path = out_file if out_file is not None else Path(f"customers-{time.strftime('%Y%m%d-%H%M')}.xlsx")
    if path.suffix.lower() != ".xlsx":
        raise UnificaError(f"--out {path}: the export is an Excel workbook; name it ….xlsx")
    command = f"export customers --out {path}"
    if not cfg.warehouse.exists():
        raise UnificaError(f"{cfg.warehouse}: no warehouse here yet (run `unifica ingest` first)")
    with open_warehouse(cfg.warehouse) as con:
        actor = actor_from(user, role)
        authorise_export(con, cfg.roles, cfg.allowed_export_roles, actor, command)
        if path.exists() and not force:
            raise UnificaError(f"{path} exists already; choose another --out, or --force")
        with progress_bars() as progress:
            summary = export(con, path, progress=Bars(progress), warehouse_path=str(cfg.warehouse))
        record_export(con, actor, command, summary)
    out.print(summary.line(), highlight=False, soft_wrap=True)


MAX_SHOWN_ROWS = 50


@user_errors
def query(
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One read statement: SELECT ... or WITH ... SELECT ...")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the whole result to this .csv or .xlsx instead of showing it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file if it exists.")] = False,
    role: RoleOption = None,
    user: ActorOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Run one read-only SQL statement on the warehouse; show the first rows, or write them all.

    Anything but a single read statement (INSERT, UPDATE, DELETE, CREATE, ATTACH, COPY,
    PRAGMA, SET, several statements...) is refused and nothing runs. The warehouse is
    opened read-only, without file access. Tables and views: docs/warehouse.md.
    """
    from merge.analyst_query import OUTPUT_FORMATS, lock_down, read_statement, run_query, write_query
    from merge.warehouse import open_warehouse, transaction
    from unifica.config import load_config
    from unifica.roles import record

    statement = read_statement(sql)
    cfg = load_config(config)
    if out_file is not None:
        if out_file.suffix.lower() not in OUTPUT_FORMATS:
            raise UnificaError(f"--out {out_file}: write a .csv or an .xlsx file")
        if out_file.exists() and not force:
            raise UnificaError(f"{out_file} exists already; choose another --out, or --force")
    if not cfg.warehouse.exists():
        raise UnificaError(f"{cfg.warehouse}: no warehouse here yet (run `unifica ingest` first)")
    command = f"query {' '.join(statement.split())}" + (f" --out {out_file}" if out_file else "")
    with open_warehouse(cfg.warehouse) as con:   # the audit trail: the only write, before and after
        actor = authorised(con, cfg, user, role, "query", command)
    started = time.perf_counter()
    with open_warehouse(cfg.warehouse, read_only=True) as con:
        lock_down(con)
        if out_file is not None:
            total = write_query(con, statement, out_file)
        else:
            result = run_query(con, statement, show=MAX_SHOWN_ROWS)
            total = result.total
    with open_warehouse(cfg.warehouse) as con, transaction(con):
        record(con, actor, "query", command, after={"rows": total})
    seconds = time.perf_counter() - started
    if out_file is not None:
        out.print(f"{total:,} rows -> {out_file} ({seconds:.1f} s)", highlight=False, soft_wrap=True)
        return
    out.print(_result_table(result))
    shown = f"showing the first {len(result.rows):,} of {total:,} rows; --out FILE.csv for all" \
        if total > len(result.rows) else f"{total:,} rows"
    out.print(f"{shown} ({seconds:.1f} s)", highlight=False, soft_wrap=True)


def _result_table(result: Any) -> Any:
    """A query's first rows as a rich table (values as text, NULL shown dim)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold")
    for name in result.columns:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(Text("NULL", style="dim") if v is None else Text(str(v)) for v in row))
    return table
