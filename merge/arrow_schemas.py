"""Arrow schemas of the frames ingest stages for its SQL (explicit, so an all-empty column
still has its type)."""
from __future__ import annotations

import pyarrow as pa

from schemas.records import RecordKind

_text = pa.string()

STAGED_CUSTOMERS = pa.schema([
    ("line", pa.int64()), ("raw", _text), ("source_system", _text), ("source_record_id", _text),
    ("content_hash", _text), ("customer_type", _text), ("document_type", _text), ("document_number", _text),
    ("document_check", _text), ("first_name", _text), ("middle_name", _text), ("last_name", _text),
    ("second_last_name", _text), ("business_name", _text), ("first_name_folded", _text),
    ("middle_name_folded", _text), ("last_name_folded", _text), ("second_last_name_folded", _text),
    ("business_name_folded", _text), ("business_name_core", _text), ("legal_form", _text),
    ("date_of_birth", pa.date32()), ("gender", _text), ("emails", pa.list_(_text)), ("phones", pa.list_(_text)),
    ("address", _text), ("address_folded", _text), ("city", _text), ("city_folded", _text), ("country", _text),
    ("tags", _text), ("updated_at", pa.timestamp("us")), ("flags", pa.list_(_text)), ("identity_key", _text),
])

STAGED_CONTACTS = pa.schema([
    ("line", pa.int64()), ("position", pa.int32()), ("kind", _text), ("value", _text), ("value_norm", _text),
    ("country_code", pa.int32()), ("area_code", _text), ("number", _text), ("line_type", _text),
    ("city", _text), ("country", _text), ("is_valid", pa.bool_()),
])

QUARANTINE = pa.schema([("line", pa.int64()), ("raw", _text), ("reason", _text)])

_KEYS = [("line", pa.int64()), ("raw", _text), ("source_system", _text), ("source_record_id", _text)]
STAGED_RELATED = {
    RecordKind.ACCOUNTS: pa.schema(_KEYS + [("account_number", _text), ("account_type", _text), ("status", _text),
                                            ("opened_at", pa.date32())]),
    RecordKind.TICKETS: pa.schema(_KEYS + [("ticket_number", _text), ("status", _text), ("campaign", _text),
                                           ("channel", _text), ("assigned_agent", _text),
                                           ("created_at", pa.timestamp("us"))]),
    RecordKind.ATTACHMENTS: pa.schema(_KEYS + [("ticket_number", _text), ("file_name", _text)]),
    RecordKind.RELATIONS: pa.schema(_KEYS + [("related_source_record_id", _text), ("tags", _text)]),
}
