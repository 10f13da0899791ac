"""A customer's contact details and related customers, by hand (`unifica contact ...`,
`unifica relation ...`; DESIGN.md, "The domain").

Values are normalised as ingest normalises them (``dedupe.normalise``): phones to E.164 with
country code, area code and fixed/mobile, e-mails lower-cased and checked, addresses folded.
A customer has several contact details of a kind, but never the same normalised value twice
in a kind, and at most one profile on each social network. Merged and deleted customers are
refused. Each change is one transaction with its audit_log row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from dedupe import normalise as n
from merge.customer_admin import live_customer
from merge.warehouse import next_id, run_sql, transaction
from unifica.errors import UnificaError
from unifica.roles import Actor, record

SOCIAL_NETWORKS = ("facebook", "instagram", "linkedin", "telegram", "whatsapp")
KINDS = ("phone", "email", "address", *SOCIAL_NETWORKS)
_CONTACT_COLUMNS = ("kind", "value", "value_norm", "country_code", "area_code", "number", "line_type",
                    "city", "country", "is_valid")


@dataclass(frozen=True)
class Change:
    """What a contact or relation command did, as its summary line says."""

    text: str

    def line(self) -> str:
        return self.text


def contact_value(kind: str, raw: str, country: str | None, city: str | None = None) -> dict[str, Any]:
    """A contact detail's columns for ``raw`` of ``kind`` (``country`` reads phones written
    without "+"); a value that cannot be read is a ``UnificaError``."""
    if kind not in KINDS:
        raise UnificaError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    value = " ".join(raw.split())
    if not value:
        raise UnificaError(f"--value is empty: give the {kind}")
    columns: dict[str, Any] = {c: None for c in _CONTACT_COLUMNS}
    columns.update(kind=kind, value=value, is_valid=True)
    if kind in ("phone", "whatsapp"):
        tel = n.phone(value, country)
        if tel is None or tel.e164 is None:
            raise UnificaError(f"{kind} {value!r} cannot be read as a phone number")
        columns.update(value_norm=tel.e164, country_code=tel.country_code, area_code=tel.area_code,
                       number=tel.number, line_type=str(tel.line_type), is_valid=tel.valid)
    elif kind == "email":
        mail = n.email(value)
        if mail is None or not mail.valid:
            raise UnificaError(f"email {value!r} is not a usable e-mail address")
        columns.update(value_norm=mail.value)
    elif kind == "address":
        columns.update(value_norm=n.fold_text(value) or value, city=city, country=country)
    else:  # a profile name or address on a social network: compared without case
        columns.update(value_norm=value.lower())
    return columns


def _contact(con: duckdb.DuckDBPyConnection, contact_id: int) -> dict[str, Any]:
    cursor = run_sql(con, "select_contact_detail", contact_id=contact_id)
    found = cursor.fetchall()
    if not found:
        raise UnificaError(f"no contact detail {contact_id} in the warehouse")
    return dict(zip([d[0] for d in cursor.description], found[0]))


def _check_clash(con: duckdb.DuckDBPyConnection, customer_id: int, columns: dict[str, Any],
                 contact_id: int = -1) -> None:
    kind = columns["kind"]
    clash = run_sql(con, "select_contact_clashes", customer_id=customer_id, kind=kind,
                    value_norm=columns["value_norm"], single_per_kind=kind in SOCIAL_NETWORKS,
                    contact_id=contact_id).fetchall()
    if not clash:
        return
    other_id, _, other_value, same_value = clash[0]
    if same_value:
        raise UnificaError(f"customer {customer_id} already has this {kind} ({other_value!r}, "
                           f"contact {other_id}); nothing changed")
    raise UnificaError(f"customer {customer_id} already has a {kind} profile ({other_value!r}, contact "
                       f"{other_id}): one per network; change it with `unifica contact edit {other_id}`")


def _shown(columns: dict[str, Any]) -> dict[str, Any]:
    return {k: columns[k] for k in ("kind", "value", "value_norm", "line_type") if columns.get(k) is not None}


def add_contact(con: duckdb.DuckDBPyConnection, customer_id: int, kind: str, value: str, *, actor: Actor,
                command: str, default_country: str | None = None, now: datetime | None = None) -> Change:
    """Give a customer one more contact detail; returns the summary."""
    now = now or datetime.now()
    with transaction(con):
        customer = live_customer(con, customer_id, "add a contact detail to").row
        columns = contact_value(kind, value, customer["country"] or default_country, customer["city"])
        _check_clash(con, customer_id, columns)
        contact_id = next_id(con, "contact_details", "contact_id")
        run_sql(con, "insert_contact_detail", contact_id=contact_id, customer_id=customer_id, now=now, **columns)
        record(con, actor, "contacts", command, [customer_id], after={"contact_id": contact_id, **_shown(columns)},
               at=now)
    return Change(f"added {kind} {columns['value_norm']} to customer {customer_id} (contact {contact_id})")


def edit_contact(con: duckdb.DuckDBPyConnection, contact_id: int, value: str, *, actor: Actor, command: str,
                 default_country: str | None = None) -> Change:
    """Change a contact detail's value (normalised again; its kind stays); returns the summary."""
    with transaction(con):
        current = _contact(con, contact_id)
        customer_id = current["customer_id"]
        customer = live_customer(con, customer_id, "change the contact details of").row
        columns = contact_value(current["kind"], value, customer["country"] or default_country, customer["city"])
        _check_clash(con, customer_id, columns, contact_id)
        run_sql(con, "update_contact_detail", contact_id=contact_id, **columns)
        record(con, actor, "contacts", command, [customer_id], before={"contact_id": contact_id, **_shown(current)},
               after={"contact_id": contact_id, **_shown(columns)})
    return Change(f"changed contact {contact_id} of customer {customer_id}: {current['kind']} "
                  f"{current['value_norm']} -> {columns['value_norm']}")


def delete_contact(con: duckdb.DuckDBPyConnection, contact_id: int, *, actor: Actor, command: str) -> Change:
    """Remove a contact detail; returns the summary."""
    with transaction(con):
        current = _contact(con, contact_id)
        customer_id = current["customer_id"]
        live_customer(con, customer_id, "change the contact details of")
        run_sql(con, "delete_contact_detail", contact_id=contact_id)
        record(con, actor, "contacts", command, [customer_id], before={"contact_id": contact_id, **_shown(current)})
    return Change(f"deleted contact {contact_id} ({current['kind']} {current['value_norm']}) of customer "
                  f"{customer_id}")


def _tags(tags: str | None) -> str | None:
    return " ".join(tags.split()) or None if tags else None


def _relation(con: duckdb.DuckDBPyConnection, relation_id: int) -> dict[str, Any]:
    found = run_sql(con, "select_customer_relation", relation_id=relation_id).fetchall()
    if not found:
        raise UnificaError(f"no relation {relation_id} in the warehouse")
    return dict(zip(("relation_id", "customer_id", "related_customer_id", "tags"), found[0]))


def add_relation(con: duckdb.DuckDBPyConnection, customer_id: int, related_customer_id: int, tags: str | None, *,
                 actor: Actor, command: str, now: datetime | None = None) -> Change:
    """Relate two customers (neither merged nor deleted, never one to itself, at most one
    relation between two customers); returns the summary."""
    if customer_id == related_customer_id:
        raise UnificaError(f"a customer cannot be related to itself (customer {customer_id})")
    now = now or datetime.now()
    with transaction(con):
        live_customer(con, customer_id, "relate")
        live_customer(con, related_customer_id, "relate")
        existing = run_sql(con, "select_relation_between", customer_id=customer_id,
                           related_customer_id=related_customer_id).fetchall()
        if existing:
            raise UnificaError(f"customers {customer_id} and {related_customer_id} are related already (relation "
                               f"{existing[0][0]}, tags {existing[0][3]!r}); change it with "
                               f"`unifica relation edit {existing[0][0]}`")
        relation_id = next_id(con, "customer_relations", "relation_id")
        run_sql(con, "insert_customer_relation", relation_id=relation_id, customer_id=customer_id,
                related_customer_id=related_customer_id, tags=_tags(tags), now=now)
        record(con, actor, "relations", command, [customer_id, related_customer_id],
               after={"relation_id": relation_id, "customer_id": customer_id,
                      "related_customer_id": related_customer_id, "tags": _tags(tags)}, at=now)
    return Change(f"related customer {customer_id} to {related_customer_id} (relation {relation_id}, "
                  f"tags {_tags(tags) or '(none)'})")


def edit_relation(con: duckdb.DuckDBPyConnection, relation_id: int, tags: str | None, *, actor: Actor,
                  command: str) -> Change:
    """Change the tags of a relation between two live customers; returns the summary."""
    with transaction(con):
        current = _relation(con, relation_id)
        ids = [current["customer_id"], current["related_customer_id"]]
        for cid in ids:
            live_customer(con, cid, "change the relations of")
        run_sql(con, "update_relation_tags", relation_id=relation_id, tags=_tags(tags))
        record(con, actor, "relations", command, ids, before=current, after={**current, "tags": _tags(tags)})
    return Change(f"changed relation {relation_id} ({ids[0]} - {ids[1]}): tags {current['tags'] or '(none)'} -> "
                  f"{_tags(tags) or '(none)'}")


def delete_relation(con: duckdb.DuckDBPyConnection, relation_id: int, *, actor: Actor, command: str) -> Change:
    """Remove a relation; returns the summary. Refused while either customer is merged (the
    merge's undo restores relations exactly)."""
    with transaction(con):
        current = _relation(con, relation_id)
        ids = [current["customer_id"], current["related_customer_id"]]
        for cid in ids:
            live_customer(con, cid, "change the relations of")
        run_sql(con, "delete_customer_relation", relation_id=relation_id)
        record(con, actor, "relations", command, ids, before=current)
    return Change(f"deleted relation {relation_id} between customers {ids[0]} and {ids[1]}")
