"""The ``unifica`` command line: a thin layer over plain functions.

A user mistake is one line on stderr (``Error: ...``) and exit code 1; ``--debug`` shows the
traceback. Every command ends with a one-line summary. This module holds the app and the
pipeline commands (init, ingest, dedupe, merge, unmerge, generate, run, serve); the customer
commands are in cli_customers.py, the review report, exports and query in cli_reports.py,
what they share in cli_common.py.
"""
from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from unifica.cli_common import (ActorOption, Bars, ConfigOption, RoleOption, state, authorised, err, out,
                                 progress_bars, user_errors)
from unifica.errors import UnificaError

app = typer.Typer(
    help="Unifica: find and merge duplicate customers from every channel into one DuckDB warehouse.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
)


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False) -> None:
    state["debug"] = debug


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
    with open_warehouse(cfg.warehouse) as con, progress_bars() as progress:
        summary = ingest_sources(con, cfg, only=source, on_existing=policy, progress=Bars(progress))
    for f in summary.unreadable:
        err.print(f"[yellow]unreadable:[/yellow] {f.reason}", highlight=False, soft_wrap=True)
    out.print(f"{summary.line()} -> {cfg.warehouse} ({time.perf_counter() - started:.1f} s)", highlight=False,
              soft_wrap=True)


@app.command()
@user_errors
def dedupe(
    config: ConfigOption = Path("unifica.toml"),
    no_merge: Annotated[bool, typer.Option("--no-merge", help="Only score and cluster; merge nothing, and undo no "
                                                                 "auto-merge the new pairs contradict.")] = False,
    refit: Annotated[bool, typer.Option(
        "--refit", help="Take every customer's features again, fit the model again and compare every pair "
                        "(otherwise only new and changed customers are compared, with the kept model).")] = False,
    model_from: Annotated[Path | None, typer.Option(
        "--model-from", metavar="WAREHOUSE", help="First adopt the model another warehouse fitted, and score "
                                                  "with it.")] = None,
) -> None:
    """Find the duplicate customers and merge the certain ones, as the nightly run does.

    Candidate pairs come from the blocking rules, are compared field by field, scored (match
    probability) and clustered. Pairs at or above [matching] auto_merge form clusters, each
    merged into the main customer survivorship chooses (actor `auto`; undo with `unifica
    unmerge`); pairs between review and auto_merge go to the steward's review report (state
    review); the rest are non-matches. Pairs a steward rejected are never proposed again.
    With --no-merge the clusters wait (state auto_merge) for a later dedupe or run.

    Incremental: once a model is fitted, a dedupe compares only the customers that are new
    or changed since the last one, against every customer and each other, and clusters
    them with the pairs kept from before. The model is fitted again (and every pair
    compared) on --refit, when [matching] model asks for another kind, when a customer
    type has grown by more than [matching] refit_growth (default 1.0: doubled), when the
    stewards' decisions on a type's pairs have grown by as much since the model learnt
    them or the thresholds moved from the band it learnt, when model = "auto" finds 50
    decisions of each kind for an unsupervised type, when pairs of a customer type without
    a model yet turn up, or when this version compares differently from the one that
    fitted it.
    """
    from dedupe.scoring import score_candidates
    from merge.merging import auto_merge
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    with open_warehouse(cfg.warehouse) as con:
        if model_from is not None:
            from dedupe.scoring import adopt_model
            adopt_model(con, model_from)
            out.print(f"adopted the model of {model_from}", highlight=False)
        with progress_bars() as progress:
            summary = score_candidates(con, cfg.matching, progress=Bars(progress), refit=refit, revise=not no_merge)
        merged = None if no_merge else auto_merge(con, survivorship=cfg.merge.survivorship,
                                                  fill_missing=cfg.merge.fill_missing)
    out.print(summary.line(), highlight=False, soft_wrap=True)
    if merged is not None:
        out.print(f"{merged.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)
    else:
        out.print(f"nothing merged (--no-merge): the clusters wait in candidate_pairs -> {cfg.warehouse}",
                  highlight=False, soft_wrap=True)

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
        actor = authorised(con, cfg, user, role, "merge", command, [main_customer, *others])
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
        actor = authorised(con, cfg, user, role, "unmerge", command)
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
    with progress_bars() as progress:
        summary = make(out_dir, customers=customers, seed=seed, duplicate_share=duplicate_share,
                       bad_rows=bad_rows, progress=Bars(progress))
    out.print(f"{summary} -> {out_dir}/ "
              f"({time.perf_counter() - started:.1f} s)", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def run(config: ConfigOption = Path("unifica.toml")) -> None:
    """Run the whole consolidation as a Prefect flow: ingest every source, score and cluster the
    duplicates, merge the certain ones, write the steward's review report (the exports follow
    as they are built).
    Without a Prefect server a temporary local one starts (~20 s)."""
    from merge.warehouse import connect
    from pipelines.consolidate import consolidate
    from unifica.config import load_config

    cfg = load_config(config)
    connect(cfg.warehouse).close()  # another run holding the warehouse: one line now, before Prefect starts
    from pipelines.scale_out import with_task_runner

    started = time.perf_counter()
    result = with_task_runner(consolidate, cfg.runtime)(str(config))
    lines = result["lines"]
    out.print(f"consolidation run {result['run_id']}: {lines['ingest']}", highlight=False, soft_wrap=True)
    for step in ("skipped", "dedupe", "auto_merge", "review_report", "export"):
        if step in lines:
            out.print(f"  {lines[step]}", highlight=False, soft_wrap=True)
    out.print(f"  -> {result['warehouse']} ({time.perf_counter() - started:.1f} s)", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def serve(config: ConfigOption = Path("unifica.toml")) -> None:
    """Serve the consolidation as the Prefect deployment `nightly-consolidation`, on the
    [schedule] cron (default 02:00 every night, this machine's time zone, or [schedule]
    timezone), until stopped with Ctrl-C.

    For the Prefect UI and a history that outlives it, start a server first
    (`.venv/bin/prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api;
    without one, a temporary server lives as long as this command. Trigger a run by hand
    with `.venv/bin/prefect deployment run consolidate/nightly-consolidation`; past runs are
    in the Prefect UI (http://127.0.0.1:4200) under Runs, and in the warehouse's runs table.
    """
    from pipelines.nightly import DEPLOYMENT_NAME, local_timezone, nightly_deployment  # first: see pipelines/
    from prefect import serve as serve_deployments
    from unifica.config import load_config

    cfg = load_config(config)
    timezone = cfg.schedule_timezone or local_timezone()
    deployment = nightly_deployment(config, cfg.schedule_cron, timezone, cfg.runtime)
    out.print(f"serving consolidate/{DEPLOYMENT_NAME}: cron {cfg.schedule_cron!r} ({timezone}) with {config}; "
              f"Ctrl-C stops", highlight=False, soft_wrap=True)
    serve_deployments(deployment)


# The sub-commands live in their own modules.
from unifica import cli_customers, cli_reports  # noqa: E402

app.add_typer(cli_customers.customer_app, name="customer")
app.add_typer(cli_customers.contact_app, name="contact")
app.add_typer(cli_customers.relation_app, name="relation")
app.add_typer(cli_reports.review_app, name="review")
app.add_typer(cli_reports.export_app, name="export")
app.command("query")(cli_reports.query)


if __name__ == "__main__":  # `python -m unifica.cli` runs the worktree's code, whatever is installed
    app()
