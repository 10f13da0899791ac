"""Adding and editing customers by hand (`unifica customer add|edit`; DESIGN.md, "The domain").

The values a person types are normalised exactly as ingest normalises a source row
(``dedupe.customer_rows.customer_row``): document types and numbers, display and folded
names, phones, e-mails and addresses. A missing or invalid required field is a
``UnificaError`` and nothing changes. The identity rule applies as in ingest: an identity
that already exists (followed through merges) is never added twice.

Each change is one transaction together with its audit_log row (``unifica.roles.record``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from dedupe import normalise as n
from dedupe.customer_rows import RowContext, RowRejected, customer_row
from merge.warehouse import next_id, run_sql, transaction
from schemas.records import CustomerStatus, CustomerType
from unifica.errors import UnificaError
from unifica.roles import Actor, record

# The basic fields a person gives or edits (DESIGN.md's canonical column names).
BASIC_FIELDS = ("customer_type", "document_type", "document_number", "first_name", "middle_name", "last_name",
                "second_last_name", "business_name", "date_of_birth", "gender", "city", "country", "tags")
# What `customer add` also takes: contact details, several values separated by ";".
CONTACT_FIELDS = ("email", "phone", "address")
# Canonical columns a JSON file may hold that say nothing about the customer itself.
IGNORED_FIELDS = ("source_system", "source_record_id", "updated_at")
REQUIRED = {
    CustomerType.PERSON: ("document_type", "document_number", "first_name", "last_name"),
    CustomerType.COMPANY: ("document_type", "document_number", "business_name"),
}
# The customers columns a normalised record fills (display, folded and identity forms).
STORED_FIELDS = ("customer_type", "document_type", "document_number", "document_check", "identity_key",
                 "first_name", "middle_name", "last_name", "second_last_name", "business_name",
                 "first_name_folded", "middle_name_folded", "last_name_folded", "second_last_name_folded",
                 "business_name_folded", "business_name_core", "legal_form", "date_of_birth", "gender",
                 "city", "city_folded", "country", "tags")
ON_EXISTING = ("fail", "show", "skip", "replace")
SOURCE_SYSTEM = "unifica"  # who "sent" a customer typed by hand, for the shared normaliser


@dataclass(frozen=True)
class Normalised:
    """A customer as typed, normalised: the customers columns and its contact details."""

    fields: dict[str, Any]
    contacts: list[dict]

    @property
    def identity_key(self) -> str:
        return self.fields["identity_key"]


@dataclass(frozen=True)
class LiveCustomer:
    """A customers row (as a dict) that is neither merged nor deleted."""

    row: dict[str, Any]

    @property
    def customer_id(self) -> int:
        return self.row["customer_id"]


@dataclass(frozen=True)
class ExistingCustomer:
    """The customer an identity already lives in; ``holder_id`` holds the identity itself
    (another id when that customer was merged into ``customer_id``)."""

    customer_id: int
    holder_id: int
    name: str
    status: str

    def line(self, identity_key: str) -> str:
        via = f" (customer {self.holder_id} was merged into it)" if self.holder_id != self.customer_id else ""
        return (f"identity {identity_key} exists already: customer {self.customer_id} "
                f"({self.name}, {self.status}){via}")


@dataclass
class AddResult:
    """What ``add_customer`` did: ``outcome`` is added, replaced or existing (nothing changed)."""

    outcome: str
    customer_id: int
    fields: dict[str, Any]
    existing: ExistingCustomer | None = None
    contacts_added: list[int] = field(default_factory=list)

    def line(self) -> str:
        f = self.fields
        what = f"{f['customer_type']}, {f['document_type']} {f['document_number']}, {display_name(f)}"
        if self.outcome == "added":
            return f"added customer {self.customer_id} ({what})"
        if self.outcome == "replaced":
            return (f"replaced customer {self.customer_id}'s data ({what}); "
                    f"{_count(len(self.contacts_added), 'contact detail')} added")
        return f"customer {self.customer_id} unchanged ({self.existing.name}, {self.existing.status})"


@dataclass
class EditResult:
    """What ``edit_customer`` changed: field -> (before, after)."""

    customer_id: int
    changed: dict[str, tuple[Any, Any]]

    def line(self) -> str:
        if not self.changed:
            return f"customer {self.customer_id} unchanged: the values given are the ones it has"
        fields = ", ".join(f"{k}={_text(after)}" for k, (_, after) in self.changed.items())
        return f"edited customer {self.customer_id}: {fields}"


def display_name(fields: Mapping[str, Any]) -> str:
    """A company's business name, a person's full name."""
    if fields.get("customer_type") == CustomerType.COMPANY and fields.get("business_name"):
        return fields["business_name"]
    parts = (fields.get(k) for k in ("first_name", "middle_name", "last_name", "second_last_name"))
    return " ".join(p for p in parts if p)


def normalise_customer(values: Mapping[str, str], default_country: str | None = None) -> Normalised:
    """``values`` (canonical names -> text) checked and normalised as ingest does; a missing
    or invalid required field is a ``UnificaError`` naming it."""
    unknown = sorted(set(values) - set(BASIC_FIELDS) - set(CONTACT_FIELDS) - set(IGNORED_FIELDS))
    if unknown:
        raise UnificaError(f"{unknown[0]!r} is not a customer field "
                           f"(fields: {', '.join(BASIC_FIELDS + CONTACT_FIELDS)})")
    text = {k: " ".join(str(v).split()) for k, v in values.items() if k not in IGNORED_FIELDS and v is not None}
    try:
        doc_type = n.document_type(text.get("document_type", ""))
    except n.UnknownDocumentType as exc:
        raise UnificaError(f"document_type: {exc}") from None
    try:
        ctype = n.customer_type(text.get("customer_type", ""), doc_type, text.get("business_name", ""))
    except ValueError:
        raise UnificaError(f"customer_type {text['customer_type']!r}: choose person or company") from None
    missing = [k for k in REQUIRED[ctype] if not text.get(k)]
    if missing:
        raise UnificaError(f"a {ctype} needs {', '.join(REQUIRED[ctype])}: {', '.join(missing)} "
                           f"{'is' if len(missing) == 1 else 'are'} missing")
    if text.get("gender") and n.gender(text["gender"]) is None:
        raise UnificaError(f"gender {text['gender']!r}: write F, M or X (or femenino, masculino, otro)")
    try:
        row, contacts = customer_row({**text, "customer_type": str(ctype), "source_record_id": "manual"},
                                     RowContext(SOURCE_SYSTEM, default_country))
    except RowRejected as exc:
        raise UnificaError(str(exc)) from None
    if row["identity_key"] is None:
        raise UnificaError(f"document_number {text['document_number']!r} is not a valid {doc_type} "
                           f"(wrong check digit or a placeholder); check the number")
    for contact in contacts:
        if contact["kind"] == "email" and not contact["is_valid"]:
            raise UnificaError(f"email {contact['value']!r} is not a usable e-mail address")
    if len([c for c in contacts if c["kind"] == "phone"]) < len(n.split_values(text.get("phone", ""))):
        raise UnificaError(f"phone {text['phone']!r}: a phone number there cannot be read")
    return Normalised({k: row[k] for k in STORED_FIELDS}, contacts)


def _fetch_one(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> dict[str, Any] | None:
    cursor = run_sql(con, name, **params)
    found = cursor.fetchall()
    if not found:
        return None
    return dict(zip([d[0] for d in cursor.description], found[0]))


def find_identity(con: duckdb.DuckDBPyConnection, identity_key: str) -> ExistingCustomer | None:
    """The customer an identity lives in now (following merges), or None if no customer has it."""
    found = _fetch_one(con, "select_identity_owner", identity_key=identity_key)
    if found is None:
        return None
    return ExistingCustomer(found["surviving_id"], found["holder_id"], found["display_name"], found["status"])


def customer_row_of(con: duckdb.DuckDBPyConnection, customer_id: int) -> dict[str, Any]:
    """The customers row of ``customer_id`` with ``surviving_id`` and ``display_name``; an
    unknown id is a ``UnificaError``."""
    found = _fetch_one(con, "select_admin_customer", customer_id=customer_id)
    if found is None:
        raise UnificaError(f"no customer {customer_id} in the warehouse")
    return found


def live_customer(con: duckdb.DuckDBPyConnection, customer_id: int, doing: str) -> LiveCustomer:
    """Customer ``customer_id``, refused (``UnificaError``) when it is unknown, merged (saying
    where it lives now) or deleted: ``doing`` says what was asked, e.g. "edit"."""
    row = customer_row_of(con, customer_id)
    if row["status"] == CustomerStatus.MERGED:
        raise UnificaError(f"cannot {doing} customer {customer_id}: it was merged and now lives in customer "
                           f"{row['surviving_id']}; use that id")
    if row["status"] == CustomerStatus.DELETED:
        raise UnificaError(f"cannot {doing} customer {customer_id}: it is deleted")
    return LiveCustomer(row)


def add_customer(con: duckdb.DuckDBPyConnection, values: Mapping[str, str], *, actor: Actor, command: str,
                 on_existing: str = "fail", default_country: str | None = None,
                 now: datetime | None = None) -> AddResult:
    """Add a customer (status active, the next customer_id) with its contact details, in one
    transaction with its audit row; returns what was done.

    When the identity exists already: ``fail`` raises a ``UnificaError`` naming the customer;
    ``show`` / ``skip`` change nothing (outcome existing); ``replace`` updates it with the
    values given (empty ones keep its data) and adds the contact details it lacks.
    """
    if on_existing not in ON_EXISTING:
        raise UnificaError(f"--on-existing {on_existing!r}: choose fail, show or replace")
    new = normalise_customer(values, default_country)
    now = now or datetime.now()
    with transaction(con):
        existing = find_identity(con, new.identity_key)
        if existing is None:
            customer_id = next_id(con, "customers", "customer_id")
            run_sql(con, "insert_customer", customer_id=customer_id, now=now, **new.fields)
            contact_ids = _insert_contacts(con, customer_id, new.contacts, now)
            after = {**_basic(new.fields), "contact_ids": contact_ids}
            record(con, actor, "add", command, [customer_id], after=after, at=now)
            return AddResult("added", customer_id, new.fields, contacts_added=contact_ids)
        if on_existing == "fail":
            raise UnificaError(f"{existing.line(new.identity_key)}; nothing added (--on-existing show to see it, "
                               f"replace to update it)")
        if on_existing in ("show", "skip"):
            return AddResult("existing", existing.customer_id, new.fields, existing)
        current = live_customer(con, existing.customer_id, "replace").row
        merged = {k: new.fields[k] if new.fields[k] is not None else current[k] for k in STORED_FIELDS}
        # The identity stays the existing customer's (it may live in a customer merged into it).
        for k in ("customer_type", "document_type", "document_number", "document_check", "identity_key"):
            merged[k] = current[k]
        run_sql(con, "update_customer_basic", customer_id=existing.customer_id, now=now, **merged)
        have = {(c["kind"], c["value_norm"]) for c in _contacts_of(con, existing.customer_id)}
        contact_ids = _insert_contacts(con, existing.customer_id,
                                       [c for c in new.contacts if (c["kind"], c["value_norm"]) not in have], now)
        changed = _changes(current, merged)
        record(con, actor, "add", command, [existing.customer_id],
               before={k: b for k, (b, _) in changed.items()},
               after={**{k: a for k, (_, a) in changed.items()}, "contact_ids": contact_ids}, at=now)
        return AddResult("replaced", existing.customer_id, merged, existing, contact_ids)


def edit_customer(con: duckdb.DuckDBPyConnection, customer_id: int, changes: Mapping[str, str], *,
                  actor: Actor, command: str, now: datetime | None = None) -> EditResult:
    """Set basic fields of a customer (an empty value clears an optional one), validated and
    normalised as ``add_customer`` does, folded forms kept in sync; one transaction with its
    audit row. Refused when the customer is merged or deleted, or when the new identity
    belongs to another customer."""
    unknown = sorted(set(changes) - set(BASIC_FIELDS))
    if unknown:
        raise UnificaError(f"{unknown[0]!r} is not a field customer edit sets (fields: {', '.join(BASIC_FIELDS)})")
    now = now or datetime.now()
    with transaction(con):
        current = live_customer(con, customer_id, "edit").row
        values = {k: _as_text(current[k]) for k in BASIC_FIELDS}
        values.update(changes)
        # No default country: an edit changes only what it names.
        new = normalise_customer(values)
        if new.identity_key != current["identity_key"]:
            other = find_identity(con, new.identity_key)
            if other is not None and other.customer_id != customer_id:
                raise UnificaError(f"cannot edit customer {customer_id}: {other.line(new.identity_key)}; "
                                   f"merge the two instead (unifica merge)")
        changed = _changes(current, new.fields)
        if changed:
            run_sql(con, "update_customer_basic", customer_id=customer_id, now=now, **new.fields)
            record(con, actor, "edit", command, [customer_id], before={k: b for k, (b, _) in changed.items()},
                   after={k: a for k, (_, a) in changed.items()}, at=now)
    return EditResult(customer_id, {k: v for k, v in changed.items() if k in BASIC_FIELDS})


def _changes(current: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The basic fields (display forms) whose value differs, as (before, after)."""
    return {k: (current[k], new[k]) for k in BASIC_FIELDS if current[k] != new[k]}


def _basic(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in BASIC_FIELDS if fields.get(k) is not None}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return "(empty)" if value is None else str(value)


def _contacts_of(con: duckdb.DuckDBPyConnection, customer_id: int) -> list[dict]:
    return [dict(zip(("contact_id", "kind", "value_norm"), r))
            for r in run_sql(con, "select_customer_contacts", customer_id=customer_id).fetchall()]


def _insert_contacts(con: duckdb.DuckDBPyConnection, customer_id: int, contacts: list[dict],
                     now: datetime) -> list[int]:
    """Insert normalised contact details (``customer_row``'s dicts); returns their ids."""
    ids: list[int] = []
    seen: set[tuple[str, str]] = set()
    for c in contacts:
        if (c["kind"], c["value_norm"]) in seen:
            continue
        seen.add((c["kind"], c["value_norm"]))
        contact_id = next_id(con, "contact_details", "contact_id")
        run_sql(con, "insert_contact_detail", contact_id=contact_id, customer_id=customer_id, now=now,
                **{k: c[k] for k in ("kind", "value", "value_norm", "country_code", "area_code", "number",
                                     "line_type", "city", "country", "is_valid")})
        ids.append(contact_id)
    return ids


def _count(number: int, what: str) -> str:
    return f"{number:,} {what}{'' if number == 1 else 's'}"
