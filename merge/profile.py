"""A customer's profile (DESIGN.md, "The domain"; `unifica customer show`): everything the
warehouse knows about one customer, as frozen dataclasses. No printing here:
``unifica/profile_view.py`` renders a profile for the command line.

The id of a merged customer leads to the customer it now lives in (view customer_survivors);
the profile then says which merge put it there (``merged_from``). A deleted or disabled
customer is shown as it is: its status says so. Reading a profile never writes.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

import duckdb

from merge.warehouse import fetch_sql, run_sql
from schemas.records import CustomerStatus, CustomerType
from unifica.errors import UnificaError

R = TypeVar("R")


@dataclass(frozen=True)
class MergedFrom:
    """Why another customer than the one asked for is shown: ``customer_id`` was merged into
    ``merged_into`` by merge ``merge_id`` (None if no merge event records it) and now lives in
    the profile's customer (the end of the chain when the main customer was merged in turn)."""

    customer_id: int
    merged_into: int
    merge_id: int | None
    merged_at: datetime | None
    merged_by: str | None


@dataclass(frozen=True)
class Customer:
    """A customer's basic information (the ``customers`` row)."""

    customer_id: int
    customer_type: str                  # person | company
    document_type: str | None
    document_number: str | None
    document_check: str                 # valid | invalid | unchecked (no check digit to verify)
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    second_last_name: str | None
    business_name: str | None
    legal_form: str | None
    date_of_birth: date | None
    gender: str | None
    city: str | None
    country: str | None
    tags: str | None
    status: str                         # active | disabled | merged | deleted
    merged_into: int | None
    assigned_user: str | None
    source_updated_at: datetime | None  # the newest updated_at its sources gave
    created_at: datetime
    updated_at: datetime
    merged_customer_ids: tuple[int, ...]  # the customers merged directly into this one

    @property
    def name(self) -> str:
        """The business name of a company, the full name of a person ("" if none)."""
        if self.customer_type == CustomerType.COMPANY and self.business_name:
            return self.business_name
        parts = (self.first_name, self.middle_name, self.last_name, self.second_last_name)
        return " ".join(p for p in parts if p) or (self.business_name or "")

    @property
    def check_digit_valid(self) -> bool | None:
        """Whether the document number's check digit is valid; None when its type has none."""
        return {"valid": True, "invalid": False}.get(self.document_check)


@dataclass(frozen=True)
class ContactDetail:
    """A phone, e-mail, address or social profile; phones carry their parts and line type."""

    contact_id: int
    kind: str                 # phone | email | address | facebook | instagram | linkedin | telegram | whatsapp
    value: str                # as received
    value_norm: str           # E.164, lower-case e-mail, folded address
    country_code: int | None
    area_code: str | None
    number: str | None
    line_type: str | None     # mobile | fixed | unknown (phones)
    city: str | None          # addresses
    country: str | None
    is_valid: bool
    source_system: str | None
    source_record_id: str | None


@dataclass(frozen=True)
class Account:
    account_id: int
    account_number: str
    account_type: str | None
    status: str | None
    opened_at: date | None
    source_system: str
    source_record_id: str


@dataclass(frozen=True)
class Ticket:
    """A ticket with its attachments' file names."""

    ticket_id: int
    ticket_number: str
    status: str | None
    campaign: str | None
    channel: str | None
    assigned_agent: str | None
    created_at: datetime | None
    source_system: str
    source_record_id: str
    attachments: tuple[str, ...]


@dataclass(frozen=True)
class RelatedCustomer:
    """The other customer of a relation: ``direction`` 'to' when this customer's record names
    it, 'from' when its record names this customer; ``tags`` describe the relation."""

    relation_id: int
    direction: str
    customer_id: int
    name: str | None
    status: str | None
    tags: str | None


@dataclass(frozen=True)
class SourceRecord:
    """A source record the customer came from; ``linked_customer_id`` is another customer's id
    when the record came with a customer merged into this one."""

    source_system: str
    source_record_id: str
    linked_customer_id: int
    file: str | None
    line: int | None
    linked_at: datetime


@dataclass(frozen=True)
class TicketCount:
    """One row of an indicator: tickets with this status or campaign."""

    value: str
    tickets: int


@dataclass(frozen=True)
class ChannelPreference:
    channel: str
    tickets: int
    share: float
    preference_rank: int


@dataclass(frozen=True)
class CustomerProfile:
    """Everything about one customer; ``merged_from`` is set when the id asked for was merged."""

    customer: Customer
    merged_from: MergedFrom | None
    contact_details: tuple[ContactDetail, ...]
    accounts: tuple[Account, ...]
    tickets: tuple[Ticket, ...]              # most recent first
    related_customers: tuple[RelatedCustomer, ...]
    source_records: tuple[SourceRecord, ...]
    tickets_by_status: tuple[TicketCount, ...]
    tickets_by_campaign: tuple[TicketCount, ...]
    channel_preferences: tuple[ChannelPreference, ...]

    @property
    def customer_id(self) -> int:
        """The id of the customer shown (the survivor when a merged id was asked for)."""
        return self.customer.customer_id

    def contact_details_by_kind(self) -> dict[str, tuple[ContactDetail, ...]]:
        """The contact details grouped by kind, in the profile's order (phones first)."""
        groups: dict[str, list[ContactDetail]] = {}
        for detail in self.contact_details:
            groups.setdefault(detail.kind, []).append(detail)
        return {kind: tuple(details) for kind, details in groups.items()}

    def line(self) -> str:
        """The closing summary of ``unifica customer show``."""
        status = "" if self.customer.status == CustomerStatus.ACTIVE else f" ({self.customer.status})"
        counts = ", ".join(_count(n, what) for n, what in (
            (len(self.contact_details), "contact detail"), (len(self.accounts), "account"),
            (len(self.tickets), "ticket"), (len(self.related_customers), "related customer"),
            (len(self.source_records), "source record")))
        return f"customer {self.customer_id}{status}: {counts}"

    def as_dict(self) -> dict[str, Any]:
        """The profile as plain data (dates as ISO text), for ``--json``."""
        return json.loads(self.to_json())

    def to_json(self) -> str:
        """The profile as JSON text (dates and times in ISO format, UTF-8 kept)."""
        data = asdict(self)
        data["customer"]["name"] = self.customer.name
        data["customer"]["check_digit_valid"] = self.customer.check_digit_valid
        return json.dumps(data, ensure_ascii=False, indent=2, default=_iso)


def customer_profile(con: duckdb.DuckDBPyConnection, customer_id: int) -> CustomerProfile:
    """The profile of customer ``customer_id``, or of the customer it now lives in if it was
    merged; an id the warehouse does not have is a ``UnificaError``."""
    found = fetch_sql(con, "select_profile_resolution", customer_id=customer_id)
    if not found:
        raise UnificaError(f"no customer {customer_id} in the warehouse")
    _, status, merged_into, surviving_id, merge_id, merged_at, merged_by = found[0]
    merged_from = None
    if status == CustomerStatus.MERGED and surviving_id != customer_id:
        merged_from = MergedFrom(customer_id, merged_into, merge_id, merged_at, merged_by)
    shown = surviving_id
    (customer,) = _records(con, "select_profile_customer", Customer, customer_id=shown)
    return CustomerProfile(
        customer=customer,
        merged_from=merged_from,
        contact_details=_records(con, "select_profile_contact_details", ContactDetail, customer_id=shown),
        accounts=_records(con, "select_profile_accounts", Account, customer_id=shown),
        tickets=_records(con, "select_profile_tickets", Ticket, customer_id=shown),
        related_customers=_records(con, "select_profile_relations", RelatedCustomer, customer_id=shown),
        source_records=_records(con, "select_profile_source_records", SourceRecord, customer_id=shown),
        tickets_by_status=_records(con, "select_profile_tickets_by_status", TicketCount, customer_id=shown),
        tickets_by_campaign=_records(con, "select_profile_tickets_by_campaign", TicketCount, customer_id=shown),
        channel_preferences=_records(con, "select_profile_channel_preferences", ChannelPreference,
                                     customer_id=shown),
    )


def _records(con: duckdb.DuckDBPyConnection, name: str, cls: type[R], **params: Any) -> tuple[R, ...]:
    """The rows of ``merge/sql/<name>.sql`` as ``cls`` instances (columns named as its fields;
    lists become tuples, so the records stay hashable)."""
    cursor = run_sql(con, name, **params)
    columns = [d[0] for d in cursor.description]
    expected = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if columns != expected:
        raise TypeError(f"{name}.sql returns {columns}, {cls.__name__} has {expected}")
    return tuple(cls(*(tuple(v) if isinstance(v, list) else v for v in row)) for row in cursor.fetchall())


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
