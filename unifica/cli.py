"""The ``unifica`` command line: a thin layer over plain functions.

A user mistake is one line on stderr (``Error: ...``) and exit code 1; ``--debug`` shows the
traceback. Every command ends with a one-line summary.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from unifica.errors import UnificaError

app = typer.Typer(
    help="Unifica: find and merge duplicate customers from every channel into one DuckDB warehouse.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
)
out = Console()
err = Console(stderr=True)
_state = {"debug": False}

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The unifica.toml to use.",
                                            envvar="UNIFICA_CONFIG")]
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn a ``UnificaError`` into one line on stderr and exit code 1 (``--debug``: traceback)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UnificaError as exc:
            if _state["debug"]:
                raise
            err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper  # type: ignore[return-value]


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False) -> None:
    _state["debug"] = debug


def _progress() -> Progress:
    """Progress bars on stderr, drawn only on a terminal (a log or a pipe gets the summary alone)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


class _Bars:
    """A progress callback (what, done, total) drawing one bar per ``what``."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(what, total=total)
        self.progress.update(self.tasks[what], completed=done, total=total)


@app.command()
@user_errors
def init(config: ConfigOption = Path("unifica.toml"),
         force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False) -> None:
    """Write a commented starter unifica.toml to adapt to your sources."""
    if config.exists() and not force:
        raise UnificaError(f"{config} exists already; edit it, or use --force to overwrite it")
    text = resources.files("unifica").joinpath("templates/unifica.toml").read_text(encoding="utf-8")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    out.print(f"wrote {config}: map your sources under [sources.NAME], then run `unifica ingest`")


@app.command()
@user_errors
def ingest(
    config: ConfigOption = Path("unifica.toml"),
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    on_existing: Annotated[str | None, typer.Option(
        "--on-existing", help="A record whose identity already exists: skip | replace | fail "
                              "(default: each source's on_existing).")] = None,
) -> None:
    """Read every configured source file into the warehouse, normalised.

    Bad rows and unreadable files go to the quarantine table with a reason; files already
    ingested (same bytes) are skipped. Each file is loaded in one transaction.
    """
    from merge.ingest import ingest_sources
    from merge.warehouse import open_warehouse
    from schemas.records import OnExisting
    from unifica.config import load_config

    cfg = load_config(config)
    policy = _on_existing(on_existing)
    for name in source or []:
        if name not in cfg.sources:
            raise UnificaError(f"{config}: no source {name!r} (sources: {', '.join(cfg.sources)})")
    started = time.perf_counter()
    with open_warehouse(cfg.warehouse) as con, _progress() as progress:
        summary = ingest_sources(con, cfg, only=source, on_existing=policy, progress=_Bars(progress))
    for f in summary.unreadable:
        err.print(f"[yellow]unreadable:[/yellow] {f.reason}", highlight=False, soft_wrap=True)
    out.print(f"{summary.line()} -> {cfg.warehouse} ({time.perf_counter() - started:.1f} s)", highlight=False,
              soft_wrap=True)


@app.command()
@user_errors
def dedupe(
    config: ConfigOption = Path("unifica.toml"),
    no_merge: Annotated[bool, typer.Option("--no-merge", help="Only score and cluster; merge nothing.")] = False,
) -> None:
    """Find the duplicate customers and merge the certain ones, as the nightly run does.

    Candidate pairs come from the blocking rules, are compared field by field, scored (match
    probability) and clustered. Pairs at or above [matching] auto_merge form clusters, each
    merged into the main customer survivorship chooses (actor `auto`; undo with `unifica
    unmerge`); pairs between review and auto_merge go to the steward's review report (state
    review); the rest are non-matches. Pairs a steward rejected are never proposed again.
    With --no-merge the clusters wait (state auto_merge) for a later dedupe or run.
    """
    from dedupe.scoring import score_candidates
    from merge.merging import auto_merge
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    with open_warehouse(cfg.warehouse) as con:
        with _progress() as progress:
            summary = score_candidates(con, cfg.matching, progress=_Bars(progress))
        merged = None if no_merge else auto_merge(con, survivorship=cfg.merge.survivorship,
                                                  fill_missing=cfg.merge.fill_missing)
    out.print(summary.line(), highlight=False, soft_wrap=True)
    if merged is not None:
        out.print(f"{merged.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)
    else:
        out.print(f"nothing merged (--no-merge): the clusters wait in candidate_pairs -> {cfg.warehouse}",
                  highlight=False, soft_wrap=True)


ActorOption = Annotated[str | None, typer.Option("--as", help="Who is acting (default: $UNIFICA_USER, "
                                                              "else your login name); recorded with what is done.")]
RoleOption = Annotated[str | None, typer.Option("--role", help="The role you act in (default: $UNIFICA_ROLE); "
                                                               "[roles] in unifica.toml says what each may do.")]


def _authorised(con: Any, cfg: Any, user: str | None, role: str | None, action: str, command: str,
                customer_ids: list[int] | tuple[int, ...] = ()) -> Any:
    """The acting user and role, once allowed to take ``action`` (a refusal is audited and is
    one line); returns the ``Actor``."""
    from unifica.roles import actor_from, authorise

    actor = actor_from(user, role)
    authorise(con, cfg.roles, actor, action, command, customer_ids)
    return actor


@app.command()
@user_errors
def merge(
    main_customer: Annotated[int, typer.Argument(metavar="MAIN", help="The main customer: the one that stays.")],
    others: Annotated[list[int], typer.Argument(metavar="OTHER...", help="The customers merged into MAIN.")],
    elements: Annotated[str, typer.Option(
        "--elements", help="Which of the others' elements move to MAIN, comma-separated: contacts, accounts, "
                           "tickets (attachments follow their tickets). Those not chosen stay with the merged "
                           "customer.")] = "contacts,accounts,tickets",
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Merge customers into a main customer, in one transaction.

    The others end `merged` into MAIN: their chosen elements move to it (a contact detail MAIN
    already has is not duplicated), their relations are re-pointed, MAIN's empty basic fields
    are filled from them ([merge] fill_missing). The merge is recorded in merge_events;
    `unifica unmerge MERGE_ID` restores everything it changed.
    """
    from merge.merging import check_elements, merge_customers
    from merge.warehouse import open_warehouse, transaction
    from unifica.config import load_config
    from unifica.roles import record

    cfg = load_config(config)
    chosen = check_elements(elements.split(","))
    command = f"merge {main_customer} {' '.join(map(str, others))} --elements {','.join(chosen)}"
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "merge", command, [main_customer, *others])
        with transaction(con):
            result = merge_customers(con, main_customer, others, elements=chosen, actor=actor.user,
                                     fill_missing=cfg.merge.fill_missing)
            record(con, actor, "merge", command, [main_customer, *result.merged_customer_ids],
                   after={"merge_id": result.merge_id})
    out.print(f"{result.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def unmerge(
    merge_id: Annotated[int, typer.Argument(metavar="MERGE_ID", help="The merge to undo (merge_events.merge_id).")],
    cascade: Annotated[bool, typer.Option(
        "--cascade", help="Also undo the later merges that depend on it (newest first).")] = False,
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Undo a merge: every row it changed is restored exactly as it was, in one transaction.

    Refused, naming them, when later merges changed the same customers or rows, unless
    --cascade. The merge stays in merge_events, marked undone. An auto-merged pair may be
    proposed again by the next dedupe: to keep two customers apart, mark the pair
    not_duplicate in the review report.
    """
    from merge.merging import unmerge as undo
    from merge.warehouse import open_warehouse, transaction
    from unifica.config import load_config
    from unifica.roles import record

    cfg = load_config(config)
    command = f"unmerge {merge_id}" + (" --cascade" if cascade else "")
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "unmerge", command)
        with transaction(con):
            result = undo(con, merge_id, actor=actor.user, cascade=cascade)
            record(con, actor, "unmerge", command, after={"merge_ids": list(result.merge_ids)})
    out.print(f"{result.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)


def _on_existing(value: str | None):
    from schemas.records import OnExisting

    if value is None:
        return None
    try:
        return OnExisting(value)
    except ValueError:
        raise UnificaError(f"--on-existing {value!r}: choose skip, replace or fail") from None


@app.command()
@user_errors
def generate(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the files into.")] = Path("generated"),
    customers: Annotated[int, typer.Option("--customers", "-n", min=1,
                                           help="Customer records to write (rows, across all sources).")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    duplicate_share: Annotated[float, typer.Option(
        "--duplicate-share", min=0.0, max=1.0, help="Share of real customers that appear 2-5 times.")] = 0.3,
    bad_rows: Annotated[int | None, typer.Option("--bad-rows", min=0,
                                                 help="Deliberately bad rows to plant (default ~0.1 %).")] = None,
) -> None:
    """Write seeded synthetic multi-channel CRM data with ground truth (truth.csv, bad_rows.csv)
    and a unifica.toml that maps it: for demos, tests and benchmarks."""
    from unifica.synth import generate as make

    started = time.perf_counter()
    with _progress() as progress:
        summary = make(out_dir, customers=customers, seed=seed, duplicate_share=duplicate_share,
                       bad_rows=bad_rows, progress=_Bars(progress))
    out.print(f"{summary} -> {out_dir}/ "
              f"({time.perf_counter() - started:.1f} s)", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def run(config: ConfigOption = Path("unifica.toml")) -> None:
    """Run the whole consolidation as a Prefect flow: ingest every source, score and cluster the
    duplicates, merge the certain ones, write the steward's review report (the exports follow
    as they are built).
    Without a Prefect server a temporary local one starts (~20 s)."""
    from pipelines.consolidate import consolidate

    started = time.perf_counter()
    result = consolidate(str(config))
    out.print(f"consolidation run {result['run_id']}: {result['ingest_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['dedupe_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['auto_merge_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['review_report_line']}", highlight=False, soft_wrap=True)
    out.print(f"  -> {result['warehouse']} ({time.perf_counter() - started:.1f} s)", highlight=False, soft_wrap=True)


# `unifica customer ...`: one customer at a time (DESIGN.md, "Command line").
customer_app = typer.Typer(help="One customer at a time: show its profile.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")


@customer_app.command("show")
@user_errors
def customer_show(
    customer_id: Annotated[int, typer.Argument(metavar="ID", help="The customer's id (customers.customer_id).",
                                               show_default=False)],
    config: ConfigOption = Path("unifica.toml"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as JSON, nothing else on stdout.")] = False,
) -> None:
    """Show one customer's profile (read-only).

    Basic information and assigned user, contact details by kind, accounts,
    tickets (most recent first) with their attachments, related customers,
    the source records it came from, and the indicators: tickets by status,
    tickets by campaign, channel preferences. The id of a merged customer
    shows the customer it now lives in, and says so first; a deleted
    customer is shown marked deleted.
    """
    from merge.profile import customer_profile
    from merge.warehouse import open_warehouse, schema_version
    from unifica.config import load_config
    from unifica.profile_view import merge_notice, render_profile

    cfg = load_config(config)
    with open_warehouse(cfg.warehouse, read_only=True) as con:
        if schema_version(con) == 0:
            raise UnificaError(f"{cfg.warehouse}: not a Unifica warehouse (no schema_migrations table); "
                               f"check [warehouse] path in {config}")
        profile = customer_profile(con, customer_id)
    notice = merge_notice(profile)
    if as_json:
        if notice:
            err.print(notice, highlight=False, markup=False, soft_wrap=True)
        out.print(profile.to_json(), highlight=False, markup=False, soft_wrap=True)
        return
    if notice:
        out.print(notice, style="yellow", highlight=False, markup=False, soft_wrap=True)
    for part in render_profile(profile):
        out.print(part)
        out.print()
    out.print(profile.line(), highlight=False, soft_wrap=True)


review_app = typer.Typer(help="The steward's review report: export the pairs to decide to Excel, apply the "
                              "decisions handed back.", no_args_is_help=True)
app.add_typer(review_app, name="review")
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
    with open_warehouse(cfg.warehouse) as con, _progress() as progress:
        _authorised(con, cfg, user, role, "review", f"review export --out {path}")
        summary = export_review(con, path, review=cfg.matching.review, auto_merge=cfg.matching.auto_merge,
                                survivorship=cfg.merge.survivorship, warehouse_path=str(cfg.warehouse),
                                progress=_Bars(progress))
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
    with open_warehouse(cfg.warehouse) as con, _progress() as progress:
        actor = _authorised(con, cfg, steward, role, "review", command)
        with transaction(con):
            summary = apply_review(con, report, steward=steward, fill_missing=cfg.merge.fill_missing,
                                   survivorship=cfg.merge.survivorship, progress=_Bars(progress))
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
app.add_typer(export_app, name="export")


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
        with _progress() as progress:
            summary = export(con, path, progress=_Bars(progress), warehouse_path=str(cfg.warehouse))
        record_export(con, actor, command, summary)
    out.print(summary.line(), highlight=False, soft_wrap=True)


MAX_SHOWN_ROWS = 50


@app.command()
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
        actor = _authorised(con, cfg, user, role, "query", command)
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


if __name__ == "__main__":  # `python -m unifica.cli` runs the worktree's code, whatever is installed
    app()
