"""Turn one source row (canonical names -> text) into the normalised customer record the
warehouse stores, and its contact details. Pure: no I/O.

A row that breaks the customer schema raises ``RowRejected`` with a reason a person can act
on; it goes to the quarantine. Invalid document numbers, e-mails and phones are *flagged*
(``flags``), never rejected: a steward can still use the rest of the row.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dedupe import normalise as n
from schemas.records import CustomerType

# The document type a bare number takes when the source does not say, by country and customer type.
DEFAULT_DOCUMENT_TYPES: dict[tuple[str, str], str] = {
    ("CO", CustomerType.PERSON): "CC", ("CO", CustomerType.COMPANY): "NIT",
    ("BR", CustomerType.PERSON): "CPF", ("BR", CustomerType.COMPANY): "CNPJ",
    ("CL", CustomerType.PERSON): "RUT", ("CL", CustomerType.COMPANY): "RUT",
    ("MX", CustomerType.PERSON): "CURP", ("MX", CustomerType.COMPANY): "RFC",
    ("PE", CustomerType.PERSON): "DNI", ("AR", CustomerType.PERSON): "DNI",
}


class RowRejected(ValueError):
    """The row breaks the customer schema; the message is the quarantine reason."""


@dataclass(frozen=True)
class RowContext:
    """What a source tells about its rows."""

    source_system: str
    country: str | None = None
    date_formats: Sequence[str] = ()
    document_aliases: Mapping[str, str] = field(default_factory=dict)


def content_hash(values: Mapping[str, str]) -> str:
    """A short stable hash of a row as received: the same row sent twice has the same hash."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _clean(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def _or_none(value: str) -> str | None:
    return value or None


def _date(column: str, raw: str, formats: Sequence[str]):
    try:
        return n.parse_date(raw, formats or None)
    except ValueError:
        raise RowRejected(f"{column} {raw.strip()!r} is not a date") from None


def _timestamp(column: str, raw: str, formats: Sequence[str]):
    try:
        return n.parse_timestamp(raw, formats or None)
    except ValueError:
        raise RowRejected(f"{column} {raw.strip()!r} is not a date or timestamp") from None


def identity_key(customer_type: str, document_type: str | None, document_number: str | None,
                 check: n.DocumentCheck) -> str | None:
    """The identity rule's key, or None when the row has no usable document (missing, or a
    number that fails its check digit or is a placeholder such as 0000000)."""
    if not document_type or not document_number or check is n.DocumentCheck.INVALID:
        return None
    return f"{customer_type}|{document_type}|{document_number}"


def customer_row(values: Mapping[str, str], ctx: RowContext) -> tuple[dict, list[dict]]:
    """Normalise one customer row given by canonical column name.

    Returns the record (a dict of source_records columns, without file/line/raw) and its
    contact details (dicts of contact_details columns). Raises ``RowRejected``.
    """
    get = lambda column: _clean(values.get(column))  # noqa: E731
    source_system = get("source_system") or ctx.source_system
    record_id = get("source_record_id")
    if not record_id:
        raise RowRejected("source_record_id is empty: every row needs its id in the source system")
    try:
        doc_type = n.document_type(get("document_type"), ctx.document_aliases)
    except ValueError as exc:
        raise RowRejected(f"document_type: {exc}; map it under [sources.<name>.document_types]") from None
    business_raw = get("business_name")
    try:
        ctype = n.customer_type(get("customer_type"), doc_type, business_raw)
    except ValueError as exc:
        raise RowRejected(f"customer_type: {exc}") from None
    country = n.country(get("country"), ctx.country)
    doc_number = n.document_number(get("document_number"))
    if doc_number and not doc_type:
        doc_type = DEFAULT_DOCUMENT_TYPES.get((country or "", ctype))
    check = n.document_check(doc_number, doc_type)

    names = {c: get(c) for c in ("first_name", "middle_name", "last_name", "second_last_name")}
    company = n.company_name(business_raw) if business_raw else None
    if ctype == CustomerType.PERSON and not (names["first_name"] or names["last_name"]):
        raise RowRejected("a person needs a name: first_name and last_name are both empty")
    if ctype == CustomerType.COMPANY and company is None:
        raise RowRejected("a company needs a business_name, and it is empty")

    flags: list[str] = []
    if check is n.DocumentCheck.INVALID:
        flags.append("document_invalid")
    contacts: list[dict] = []
    emails: list[str] = []
    for position, raw in enumerate(n.split_values(values.get("email") or "")):
        mail = n.email(raw)
        if mail is None:
            continue
        emails.append(mail.value)
        if not mail.valid:
            flags.append("email_invalid")
        contacts.append(_contact("email", raw, mail.value, mail.valid, position))
    phones: list[str] = []
    for position, raw in enumerate(n.split_values(values.get("phone") or ""), start=100):
        tel = n.phone(raw, country)
        if tel is None:
            continue
        norm = tel.e164 or "".join(ch for ch in raw if ch.isdigit())
        if not norm:
            flags.append("phone_invalid")
            continue
        phones.append(norm)
        if not tel.valid:
            flags.append("phone_invalid")
        contacts.append(_contact("phone", raw, norm, tel.valid, position, country_code=tel.country_code,
                                 area_code=tel.area_code, number=tel.number, line_type=str(tel.line_type)))
    address = get("address")
    city = get("city")
    address_folded = n.fold_text(address) if address else None
    if address:
        contacts.append(_contact("address", address, address_folded or address, True, 200,
                                 city=_or_none(city), country=country))

    record = {
        "source_system": source_system,
        "source_record_id": record_id,
        "content_hash": content_hash(values),
        "customer_type": str(ctype),
        "document_type": doc_type,
        "document_number": doc_number,
        "document_check": str(check),
        **{c: _or_none(n.person_name(v)) if v else None for c, v in names.items()},
        "business_name": company.display if company else None,
        **{f"{c}_folded": _or_none(n.fold_name(v)) if v else None for c, v in names.items()},
        "business_name_folded": company.folded if company else None,
        "business_name_core": company.core if company else None,
        "legal_form": company.legal_form if company else None,
        "date_of_birth": _date("date_of_birth", get("date_of_birth"), ctx.date_formats),
        "gender": n.gender(get("gender")),
        "emails": list(dict.fromkeys(emails)),
        "phones": list(dict.fromkeys(phones)),
        "address": _or_none(address),
        "address_folded": address_folded,
        "city": _or_none(city),
        "city_folded": _or_none(n.fold_text(city)) if city else None,
        "country": country,
        "tags": _or_none(get("tags")),
        "updated_at": _timestamp("updated_at", get("updated_at"), ctx.date_formats),
        "flags": sorted(set(flags)),
        "identity_key": identity_key(str(ctype), doc_type, doc_number, check),
    }
    return record, contacts


def _contact(kind: str, raw: str, norm: str, valid: bool, position: int, **parts: object) -> dict:
    return {"kind": kind, "value": raw.strip(), "value_norm": norm, "is_valid": valid, "position": position,
            "country_code": parts.get("country_code"), "area_code": parts.get("area_code"),
            "number": parts.get("number"), "line_type": parts.get("line_type"),
            "city": parts.get("city"), "country": parts.get("country")}


Normalised = tuple[int, dict | None, list[dict], str | None]  # (line, record, contacts, rejection reason)


def normalise_batch(batch: Sequence[tuple[int, dict[str, str]]], ctx: RowContext) -> list[Normalised]:
    """``customer_row`` over a batch of (line, canonical values); a rejected row carries its
    reason instead of a record. Module-level, so worker processes can run it."""
    done: list[Normalised] = []
    for line, values in batch:
        try:
            record, contacts = customer_row(values, ctx)
        except RowRejected as exc:
            done.append((line, None, [], str(exc)))
            continue
        done.append((line, record, contacts, None))
    return done
