"""``unifica customer``, ``unifica contact`` and ``unifica relation``: the customer base, one
customer or a selection at a time (thin commands over merge/profile.py, customer_admin.py,
contact_admin.py, customer_status.py and massive.py)."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from unifica.cli_common import ActorOption, ConfigOption, RoleOption, act, authorised, err, out, user_errors
from unifica.errors import UnificaError

# `unifica customer ...`: one customer at a time (DESIGN.md, "Command line").
customer_app = typer.Typer(help="Customers: show a profile, add one, edit its basic fields; assign, disable, "
                                "enable, delete one; act on a selection at once (massive).", no_args_is_help=True)


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
        actor = authorised(con, cfg, user, role, "add", command)
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
        actor = authorised(con, cfg, user, role, "edit", command, [customer_id])
        result = edit_customer(con, customer_id, changes, actor=actor, command=command)
    out.print(result.line(), highlight=False, soft_wrap=True)


# `unifica contact ...` and `unifica relation ...`: a customer's contact details and related customers.
contact_app = typer.Typer(help="A customer's contact details: add, edit, delete (phones, e-mails, addresses, "
                               "social profiles).", no_args_is_help=True)
relation_app = typer.Typer(help="Related customers: add, edit, delete a relation and its tags.",
                           no_args_is_help=True)


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

    command = _command_line("contact add", customer_id, "--kind", kind, "--value", value)
    act(config, user, role, "contacts", command,
        lambda con, cfg, actor: add_contact(con, customer_id, kind, value, actor=actor, command=command,
                                            default_country=_default_country(cfg)),
        [customer_id])


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

    command = _command_line("contact edit", contact_id, "--value", value)
    act(config, user, role, "contacts", command,
        lambda con, cfg, actor: edit_contact(con, contact_id, value, actor=actor, command=command,
                                             default_country=_default_country(cfg)))


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

    command = f"contact delete {contact_id}"
    act(config, user, role, "contacts", command,
        lambda con, cfg, actor: delete_contact(con, contact_id, actor=actor, command=command))


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

    command = _command_line("relation add", customer_id, other_id, *(("--tags", tags) if tags else ()))
    act(config, user, role, "relations", command,
        lambda con, cfg, actor: add_relation(con, customer_id, other_id, tags, actor=actor, command=command),
        [customer_id, other_id])


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

    command = _command_line("relation edit", relation_id, "--tags", tags)
    act(config, user, role, "relations", command,
        lambda con, cfg, actor: edit_relation(con, relation_id, tags, actor=actor, command=command))


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

    command = f"relation delete {relation_id}"
    act(config, user, role, "relations", command,
        lambda con, cfg, actor: delete_relation(con, relation_id, actor=actor, command=command))


CustomerIdArgument = Annotated[int, typer.Argument(metavar="ID", help="The customer's id (customers.customer_id).",
                                                    show_default=False)]


def _change_status(action: str, customer_id: int, user: str | None, role: str | None, config: Path) -> None:
    from merge.customer_status import change_status
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    command = f"customer {action} {customer_id}"
    with open_warehouse(cfg.warehouse) as con:
        actor = authorised(con, cfg, user, role, action, command, [customer_id])
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
        actor = authorised(con, cfg, user, role, "assign", command, [customer_id])
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
        actor = authorised(con, cfg, user, role, PERMISSION[action], command)
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
