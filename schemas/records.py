"""Canonical input records (DESIGN.md, "Input").

Every source maps its own headers onto these names in ``unifica.toml``. All input values
are text; normalisation (``dedupe.normalise``) turns them into typed, comparable values.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum


class RecordKind(StrEnum):
    """The kinds of file a source can deliver."""

    CUSTOMERS = "customers"
    ACCOUNTS = "accounts"
    TICKETS = "tickets"
    ATTACHMENTS = "attachments"
    RELATIONS = "relations"


class CustomerType(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    MERGED = "merged"
    DELETED = "deleted"


class PairState(StrEnum):
    """Where a candidate pair stands (candidate_pairs.state)."""

    AUTO_MERGE = "auto_merge"      # at or above auto-merge, in a cluster, not merged yet
    AUTO_MERGED = "auto_merged"    # merged by the auto-merge step
    REVIEW = "review"              # for the steward's report
    ACCEPTED = "accepted"          # a steward said merge
    REJECTED = "rejected"          # a steward said not a duplicate: never proposed again
    NON_MATCH = "non_match"


class OnExisting(StrEnum):
    """Identity rule: what to do when a record's identity already has a customer."""

    SKIP = "skip"
    REPLACE = "replace"
    FAIL = "fail"


MULTI_VALUE_SEPARATOR = ";"


@dataclass(frozen=True)
class CustomerRecord:
    """One customer row as a source sent it (all text, empty string when absent)."""

    source_system: str
    source_record_id: str
    customer_type: str = ""
    document_type: str = ""
    document_number: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    second_last_name: str = ""
    business_name: str = ""
    date_of_birth: str = ""
    gender: str = ""
    email: str = ""  # several values separated by ";"
    phone: str = ""  # several values separated by ";"
    address: str = ""
    city: str = ""
    country: str = ""
    tags: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class AccountRecord:
    source_system: str
    source_record_id: str
    account_number: str = ""
    account_type: str = ""
    status: str = ""
    opened_at: str = ""


@dataclass(frozen=True)
class TicketRecord:
    source_system: str
    source_record_id: str
    ticket_number: str = ""
    status: str = ""
    campaign: str = ""
    channel: str = ""
    assigned_agent: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class AttachmentRecord:
    source_system: str
    source_record_id: str
    ticket_number: str = ""
    file_name: str = ""


@dataclass(frozen=True)
class RelationRecord:
    source_system: str
    source_record_id: str
    related_source_record_id: str = ""
    tags: str = ""


RECORD_TYPES: dict[RecordKind, type] = {
    RecordKind.CUSTOMERS: CustomerRecord,
    RecordKind.ACCOUNTS: AccountRecord,
    RecordKind.TICKETS: TicketRecord,
    RecordKind.ATTACHMENTS: AttachmentRecord,
    RecordKind.RELATIONS: RelationRecord,
}

# Columns a row must carry a value in, per kind (beyond the keys).
REQUIRED_VALUES: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.CUSTOMERS: ("source_record_id",),
    RecordKind.ACCOUNTS: ("source_record_id", "account_number"),
    RecordKind.TICKETS: ("source_record_id", "ticket_number"),
    RecordKind.ATTACHMENTS: ("source_record_id", "ticket_number", "file_name"),
    RecordKind.RELATIONS: ("source_record_id", "related_source_record_id"),
}


def canonical_columns(kind: RecordKind) -> tuple[str, ...]:
    """The canonical column names of one record kind, in DESIGN.md order."""
    return tuple(f.name for f in fields(RECORD_TYPES[kind]))


CUSTOMER_COLUMNS = canonical_columns(RecordKind.CUSTOMERS)
