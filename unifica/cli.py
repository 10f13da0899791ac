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
    from merge.warehouse import connect
    from pipelines.consolidate import consolidate
    from unifica.config import load_config

    cfg = load_config(config)
    connect(cfg.warehouse).close()  # another run holding the warehouse: one line now, before Prefect starts
    started = time.perf_counter()
    result = consolidate(str(config))
    out.print(f"consolidation run {result['run_id']}: {result['ingest_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['dedupe_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['auto_merge_line']}", highlight=False, soft_wrap=True)
    out.print(f"  {result['review_report_line']}", highlight=False, soft_wrap=True)
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
    from prefect import serve as serve_deployments

    from pipelines.nightly import DEPLOYMENT_NAME, local_timezone, nightly_deployment
    from unifica.config import load_config

    cfg = load_config(config)
    timezone = cfg.schedule_timezone or local_timezone()
    deployment = nightly_deployment(config, cfg.schedule_cron, timezone)
    out.print(f"serving consolidate/{DEPLOYMENT_NAME}: cron {cfg.schedule_cron!r} ({timezone}) with {config}; "
              f"Ctrl-C stops", highlight=False, soft_wrap=True)
    serve_deployments(deployment)


# `unifica customer ...`: one customer at a time (DESIGN.md, "Command line").
customer_app = typer.Typer(help="Customers: show a profile, add one, edit its basic fields; assign, disable, "
                                "enable, delete one; act on a selection at once (massive).", no_args_is_help=True)
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


def _default_country(cfg: Any) -> str | None:
    """The country phones and document types default to for a customer typed by hand: the one
    country every source shares, else none (a phone then needs its "+" code)."""
    countries = {s.country for s in cfg.sources.values() if s.country}
    return countries.pop() if len(countries) == 1 else None


def _json_values(path: Path) -> dict[str, str]:
    """The customer fields of a JSON object file (canonical column names -> text)."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnificaError(f"--json {path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise UnificaError(f"--json {path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UnificaError(f"--json {path}: must hold one object of canonical column names, e.g. "
                           f'{{"customer_type": "person", "document_type": "CC", ...}}')
    values: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        values[str(key)] = "" if value is None else str(value)
    return values


def _command_line(command: str, *arguments: Any) -> str:
    """What was asked, for the audit trail: ``command`` and its arguments quoted as a shell would."""
    import shlex

    return " ".join([command, *(shlex.quote(str(a)) for a in arguments if a is not None)])


TextOption = Annotated[str | None, typer.Option(show_default=False)]


@customer_app.command("add")
@user_errors
def customer_add(
    customer_type: Annotated[str | None, typer.Option("--type", help="person | company (default: from the "
                                                                     "document type and names).")] = None,
    document_type: Annotated[str | None, typer.Option(help='CC, NIT, CPF, ... or as written ("cédula").')] = None,
    document_number: TextOption = None,
    first_name: TextOption = None,
    middle_name: TextOption = None,
    last_name: TextOption = None,
    second_last_name: TextOption = None,
    business_name: TextOption = None,
    date_of_birth: TextOption = None,
    gender: Annotated[str | None, typer.Option(help="F, M or X.")] = None,
    city: TextOption = None,
    country: Annotated[str | None, typer.Option(help="Country (also reads phones written without +).")] = None,
    tags: TextOption = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="An e-mail (repeatable).")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="A phone (repeatable).")] = None,
    address: TextOption = None,
    json_file: Annotated[Path | None, typer.Option(
        "--json", help="A JSON object of canonical column names (customer_type, document_type, ...); "
                       "options given win over it.")] = None,
    on_existing: Annotated[str, typer.Option(
        "--on-existing", help="The identity exists already: fail (change nothing, exit 1) | show (print its "
                              "profile, change nothing) | replace (update it with the data given).")] = "fail",
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Add a customer by hand, normalised as ingest normalises a source row.

    A person needs document type and number, first and last name; a company document type and
    number and business name. If the identity (customer type + document type + number)
    exists, even in a customer merged into another, the existing customer is reported and
    --on-existing decides. The new customer is active, with the next customer_id.
    """
    from merge.customer_admin import add_customer
    from merge.profile import customer_profile
    from merge.warehouse import open_warehouse
    from unifica.config import load_config
    from unifica.profile_view import render_profile

    cfg = load_config(config)
    values = _json_values(json_file) if json_file is not None else {}
    given = {"customer_type": customer_type, "document_type": document_type, "document_number": document_number,
             "first_name": first_name, "middle_name": middle_name, "last_name": last_name,
             "second_last_name": second_last_name, "business_name": business_name, "date_of_birth": date_of_birth,
             "gender": gender, "city": city, "country": country, "tags": tags, "address": address,
             "email": ";".join(email) if email else None, "phone": ";".join(phone) if phone else None}
    values.update({k: v for k, v in given.items() if v is not None})
    options = [(f"--{k.replace('_', '-')}", v) for k, v in values.items() if v]
    command = _command_line("customer add", *(part for pair in options for part in pair), "--on-existing",
                            on_existing)
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "add", command)
        result = add_customer(con, values, actor=actor, command=command, on_existing=on_existing,
                              default_country=_default_country(cfg))
        profile = customer_profile(con, result.customer_id) if result.outcome == "existing" else None
    if result.existing is not None:
        out.print(result.existing.line(result.fields["identity_key"]), highlight=False, soft_wrap=True)
    if profile is not None and on_existing == "show":
        for part in render_profile(profile):
            out.print(part)
            out.print()
    out.print(result.line(), highlight=False, soft_wrap=True)


@customer_app.command("edit")
@user_errors
def customer_edit(
    customer_id: Annotated[int, typer.Argument(metavar="ID", help="The customer to edit.", show_default=False)],
    sets: Annotated[list[str], typer.Option(
        "--set", help="FIELD=VALUE (repeatable): customer_type, document_type, document_number, first_name, "
                      "middle_name, last_name, second_last_name, business_name, date_of_birth, gender, city, "
                      "country, tags. An empty VALUE clears an optional field.", show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Change a customer's basic fields, validated and normalised as `customer add` does.

    A new identity that another customer has is refused, naming it; a merged customer is
    refused saying where it lives now, a deleted one is refused.
    """
    from merge.customer_admin import edit_customer
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    changes: dict[str, str] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UnificaError(f"--set {item!r}: write FIELD=VALUE, e.g. --set city=Cali")
        changes[name.strip()] = value
    command = _command_line("customer edit", customer_id,
                            *(part for k, v in changes.items() for part in ("--set", f"{k}={v}")))
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "edit", command, [customer_id])
        result = edit_customer(con, customer_id, changes, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


# `unifica contact ...` and `unifica relation ...`: a customer's contact details and related customers.
contact_app = typer.Typer(help="A customer's contact details: add, edit, delete (phones, e-mails, addresses, "
                               "social profiles).", no_args_is_help=True)
app.add_typer(contact_app, name="contact")
relation_app = typer.Typer(help="Related customers: add, edit, delete a relation and its tags.",
                           no_args_is_help=True)
app.add_typer(relation_app, name="relation")


@contact_app.command("add")
@user_errors
def contact_add(
    customer_id: Annotated[int, typer.Argument(metavar="ID", help="The customer.", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="phone | email | address | facebook | instagram | linkedin | "
                                                     "telegram | whatsapp", show_default=False)],
    value: Annotated[str, typer.Option("--value", help="The phone, e-mail, address or profile.",
                                       show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Give a customer a contact detail, normalised as ingest does (phones to E.164 with
    fixed/mobile). Several of a kind are allowed, never the same value twice, and at most one
    profile per social network."""
    from merge.contact_admin import add_contact
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = _command_line("contact add", customer_id, "--kind", kind, "--value", value)
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "contacts", command, [customer_id])
        result = add_contact(con, customer_id, kind, value, actor=actor, command=command,
                             default_country=_default_country(cfg))
    out.print(result.line(), highlight=False, soft_wrap=True)


@contact_app.command("edit")
@user_errors
def contact_edit(
    contact_id: Annotated[int, typer.Argument(metavar="CONTACT_ID", help="contact_details.contact_id",
                                              show_default=False)],
    value: Annotated[str, typer.Option("--value", help="The new value (its kind stays).", show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Change a contact detail's value, normalised again."""
    from merge.contact_admin import edit_contact
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = _command_line("contact edit", contact_id, "--value", value)
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "contacts", command)
        result = edit_contact(con, contact_id, value, actor=actor, command=command,
                              default_country=_default_country(cfg))
    out.print(result.line(), highlight=False, soft_wrap=True)


@contact_app.command("delete")
@user_errors
def contact_delete(
    contact_id: Annotated[int, typer.Argument(metavar="CONTACT_ID", help="contact_details.contact_id",
                                              show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Remove a contact detail."""
    from merge.contact_admin import delete_contact
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = f"contact delete {contact_id}"
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "contacts", command)
        result = delete_contact(con, contact_id, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


@relation_app.command("add")
@user_errors
def relation_add(
    customer_id: Annotated[int, typer.Argument(metavar="ID", help="The customer.", show_default=False)],
    other_id: Annotated[int, typer.Argument(metavar="OTHER_ID", help="The customer it is related to.",
                                            show_default=False)],
    tags: Annotated[str | None, typer.Option("--tags", help='What the relation is, e.g. "conyuge".')] = None,
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Relate two customers (neither merged nor deleted; never a customer to itself)."""
    from merge.contact_admin import add_relation
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = _command_line("relation add", customer_id, other_id, *(("--tags", tags) if tags else ()))
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "relations", command, [customer_id, other_id])
        result = add_relation(con, customer_id, other_id, tags, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


@relation_app.command("edit")
@user_errors
def relation_edit(
    relation_id: Annotated[int, typer.Argument(metavar="RELATION_ID", help="customer_relations.relation_id",
                                               show_default=False)],
    tags: Annotated[str, typer.Option("--tags", help="The new tags (empty: none).", show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Change the tags describing a relation."""
    from merge.contact_admin import edit_relation
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = _command_line("relation edit", relation_id, "--tags", tags)
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "relations", command)
        result = edit_relation(con, relation_id, tags, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


@relation_app.command("delete")
@user_errors
def relation_delete(
    relation_id: Annotated[int, typer.Argument(metavar="RELATION_ID", help="customer_relations.relation_id",
                                               show_default=False)],
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Remove a relation between two customers."""
    from merge.contact_admin import delete_relation
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = f"relation delete {relation_id}"
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "relations", command)
        result = delete_relation(con, relation_id, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


CustomerIdArgument = Annotated[int, typer.Argument(metavar="ID", help="The customer's id (customers.customer_id).",
                                                    show_default=False)]


def _change_status(action: str, customer_id: int, user: str | None, role: str | None, config: Path) -> None:
    from merge.customer_status import change_status
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = f"customer {action} {customer_id}"
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, action, command, [customer_id])
        result = change_status(con, [customer_id], action, actor=actor, command=command)
    out.print(f"{result.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)


@customer_app.command("disable")
@user_errors
def customer_disable(customer_id: CustomerIdArgument, user: ActorOption = None, role: RoleOption = None,
                     config: ConfigOption = Path("unifica.toml")) -> None:
    """Disable a customer: kept as it is, but out of matching (dedupe) until enabled again."""
    _change_status("disable", customer_id, user, role, config)


@customer_app.command("enable")
@user_errors
def customer_enable(customer_id: CustomerIdArgument, user: ActorOption = None, role: RoleOption = None,
                    config: ConfigOption = Path("unifica.toml")) -> None:
    """Enable a disabled customer: active again, matched by the next dedupe. A deleted customer
    stays deleted."""
    _change_status("enable", customer_id, user, role, config)


@customer_app.command("delete")
@user_errors
def customer_delete(customer_id: CustomerIdArgument, user: ActorOption = None, role: RoleOption = None,
                    config: ConfigOption = Path("unifica.toml")) -> None:
    """Delete a customer: it stays in the warehouse as a tombstone (status deleted), out of
    matching and exports, and cannot be enabled again."""
    _change_status("delete", customer_id, user, role, config)


def _change_assignment(customer_id: int, assignee: str | None, user: str | None, role: str | None,
                       config: Path) -> None:
    from merge.customer_status import change_assignment
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = f"customer assign {customer_id} {assignee}" if assignee is not None else f"customer unassign {customer_id}"
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, "assign", command, [customer_id])
        result = change_assignment(con, [customer_id], assignee, actor=actor, command=command)
    out.print(f"{result.line()} -> {cfg.warehouse}", highlight=False, soft_wrap=True)


@customer_app.command("assign")
@user_errors
def customer_assign(customer_id: CustomerIdArgument,
                    assignee: Annotated[str, typer.Argument(metavar="USER", help="The user to assign it to.",
                                                            show_default=False)],
                    user: ActorOption = None, role: RoleOption = None,
                    config: ConfigOption = Path("unifica.toml")) -> None:
    """Assign a customer to a user. A customer assigned already may be reassigned only by its
    assigned user or by the admin role."""
    _change_assignment(customer_id, assignee, user, role, config)


@customer_app.command("unassign")
@user_errors
def customer_unassign(customer_id: CustomerIdArgument, user: ActorOption = None, role: RoleOption = None,
                      config: ConfigOption = Path("unifica.toml")) -> None:
    """Leave a customer without an assigned user (its assigned user or the admin role only)."""
    _change_assignment(customer_id, None, user, role, config)


@customer_app.command("massive")
@user_errors
def customer_massive(
    action: Annotated[str, typer.Argument(metavar="ACTION", help="disable | enable | delete | assign | unassign | "
                                                                 "merge | export", show_default=False)],
    ids_file: Annotated[Path | None, typer.Option(
        "--ids", help="The selection: a file of customer ids, one a line, or a CSV with a customer_id column.")] = None,
    where: Annotated[str | None, typer.Option(
        "--where", help="The selection: a filter over the customer_360 view, read-only, e.g. "
                        "\"city = 'Bogotá' AND status = 'active'\".")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    assignee: Annotated[str | None, typer.Option("--user", help="assign: the user to assign them to.")] = None,
    main_customer: Annotated[int | None, typer.Option("--main", help="merge: the main customer they merge into.")] = None,
    elements: Annotated[str, typer.Option("--elements", help="merge: which elements move to the main customer "
                                                             "(contacts, accounts, tickets).")] = "contacts,accounts,tickets",
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="export: the .xlsx to write.")] = None,
    force: Annotated[bool, typer.Option("--force", help="export: overwrite the --out file if it exists.")] = False,
    user: ActorOption = None,
    role: RoleOption = None,
    config: ConfigOption = Path("unifica.toml"),
) -> None:
    """Take one action on a selection of customers, all or nothing, in one transaction.

    The selection is --ids FILE or --where FILTER (a condition over customer_360, evaluated
    read-only: ';' and DML/DDL are refused). Says how many customers it holds and asks before
    acting (--yes: do not ask). One audit row lists the customers. The role needs the
    action's own permission (unassign: assign). merge: the selection into --main (one merge,
    undo with `unifica unmerge`); export: one row per customer from customer_360 to --out
    (deleted customers left out).
    """
    from merge.customer_status import change_assignment, change_status, refusals_audited
    from merge.massive import (MASSIVE_ACTIONS, PERMISSION, export_selection, merge_selection, selection_from_file,
                               selection_from_filter)
    from merge.merging import check_elements
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    if action not in MASSIVE_ACTIONS:
        raise UnificaError(f"{action!r} is not a massive action (actions: {', '.join(MASSIVE_ACTIONS)})")
    if (ids_file is None) == (where is None):
        raise UnificaError("say which customers: --ids FILE or --where FILTER (one of them)")
    if action == "assign" and not assignee:
        raise UnificaError("massive assign: say to whom, --user USER")
    if action == "merge" and main_customer is None:
        raise UnificaError("massive merge: say into which customer, --main ID")
    if action == "export" and out_file is None:
        raise UnificaError("massive export: say where, --out FILE.xlsx")
    if action == "export" and out_file is not None and out_file.exists() and not force:
        raise UnificaError(f"{out_file} exists already; choose another --out, or --force")
    chosen = check_elements(elements.split(",")) if action == "merge" else ()
    cfg = load_config(config)
    command = " ".join(["customer massive", action,
                        f"--ids {ids_file}" if ids_file is not None else f"--where {where!r}",
                        *([f"--user {assignee}"] if action == "assign" else []),
                        *([f"--main {main_customer}", f"--elements {','.join(chosen)}"] if action == "merge" else []),
                        *([f"--out {out_file}"] if action == "export" else [])])
    with open_warehouse(cfg.warehouse) as con:
        actor = _authorised(con, cfg, user, role, PERMISSION[action], command)
        if action == "export":  # the export guard: [export] allowed_roles too, as `export customers`
            from merge.exports import authorise_export

            authorise_export(con, cfg.roles, cfg.allowed_export_roles, actor, command)
        with refusals_audited(con, actor, PERMISSION[action], command):
            ids = selection_from_file(ids_file) if ids_file is not None else selection_from_filter(con, where or "")
        if not ids:
            out.print("the selection holds no customers: nothing done", highlight=False)
            return
        shown = ", ".join(map(str, ids[:10])) + (", …" if len(ids) > 10 else "")
        out.print(f"the selection holds {len(ids):,} customer{'s' if len(ids) > 1 else ''}: {shown}",
                  highlight=False, soft_wrap=True)
        if not yes and not typer.confirm(f"{action} {len(ids):,} customer{'s' if len(ids) > 1 else ''}?"):
            out.print("nothing done", highlight=False)
            raise typer.Exit(1)
        if action in ("disable", "enable", "delete"):
            line = change_status(con, ids, action, actor=actor, command=command).line()
        elif action in ("assign", "unassign"):
            line = change_assignment(con, ids, assignee if action == "assign" else None, actor=actor,
                                     command=command).line()
        elif action == "merge":
            assert main_customer is not None
            line = merge_selection(con, main_customer, ids, actor=actor, command=command, elements=chosen,
                                   fill_missing=cfg.merge.fill_missing).line()
        else:
            assert out_file is not None
            line = export_selection(con, ids, out_file, actor=actor, command=command).line()
    out.print(f"{line} -> {cfg.warehouse}" if action != "export" else line, highlight=False, soft_wrap=True)


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
