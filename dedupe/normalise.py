"""Normalisation: raw source text -> canonical, comparable values (DESIGN.md, "Normalisation").

Pure functions, no I/O. This module is the one entry point ingest uses; the larger
topics live next to it and are re-exported here:

- ``dedupe.document_types``: document types, numbers, check digits;
- ``dedupe.folding``: ``fold_name`` and ``fold_text`` (addresses, cities);
- ``dedupe.names``: person and company names;
- ``dedupe.contacts``: phones, e-mails, multi-value cells;
- ``dedupe.dates``: dates and timestamps.
"""
from __future__ import annotations

from enum import StrEnum

from dedupe.contacts import (
    PLACEHOLDER_EMAILS,
    PLACEHOLDER_LOCAL_PARTS,
    Email,
    LineType,
    Phone,
    email,
    phone,
    split_values,
)
from dedupe.dates import UnreadableDate, parse_date, parse_timestamp
from dedupe.document_types import (
    COMPANY_DOCUMENT_TYPES,
    DOCUMENT_TYPES,
    PERSON_DOCUMENT_TYPES,
    DocumentCheck,
    UnknownDocumentType,
    document_check,
    document_number,
    document_type,
)
from dedupe.folding import fold_key, fold_name, fold_text
from dedupe.names import CompanyName, company_name, person_name
from schemas.records import CustomerType

__all__ = [
    "COMPANY_DOCUMENT_TYPES", "DOCUMENT_TYPES", "PERSON_DOCUMENT_TYPES", "PLACEHOLDER_EMAILS",
    "PLACEHOLDER_LOCAL_PARTS", "COUNTRIES", "CompanyName", "CustomerType", "DocumentCheck",
    "Email", "Gender", "LineType", "Phone", "UnknownDocumentType", "UnreadableDate",
    "company_name", "country", "customer_type", "document_check", "document_number",
    "document_type", "email", "fold_name", "fold_text", "gender", "parse_date",
    "parse_timestamp", "person_name", "phone", "split_values",
]


class Gender(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


_GENDER_SPELLINGS: dict[Gender, tuple[str, ...]] = {
    Gender.FEMALE: ("f", "fem", "femenino", "feminino", "mujer", "mulher", "female", "woman"),
    # "H" is "hombre" in Spanish forms.
    Gender.MALE: ("m", "masc", "masculino", "hombre", "h", "homem", "male", "man"),
    Gender.OTHER: ("x", "otro", "otra", "outro", "outra", "no binario", "nao binario", "non binary", "other"),
}
_GENDERS = {fold_key(spelling): g for g, spellings in _GENDER_SPELLINGS.items() for spelling in spellings}


def gender(raw: str) -> Gender | None:
    """Return F, M or X (a ``Gender``, equal to those strings); None if empty or unknown.

    Unknown words give None rather than an error: gender never decides identity, and
    the row keeps its raw value in ``source_records``.
    """
    return _GENDERS.get(fold_key(raw))


_CUSTOMER_TYPE_SPELLINGS: dict[CustomerType, tuple[str, ...]] = {
    CustomerType.PERSON: (
        "person", "persona", "natural", "persona natural", "pessoa", "pessoa fisica", "PF",
        "individual", "fisica", "persona fisica", "P",
    ),
    CustomerType.COMPANY: (
        "company", "empresa", "juridica", "persona juridica", "pessoa juridica", "PJ",
        "organization", "organisation", "organizacion", "business", "sociedad", "J",
    ),
}
_CUSTOMER_TYPES = {
    fold_key(spelling): kind for kind, spellings in _CUSTOMER_TYPE_SPELLINGS.items() for spelling in spellings
}


def customer_type(raw: str, doc_type: str | None, business_name: str) -> CustomerType:
    """Return "person" or "company" (a ``CustomerType``).

    From ``raw`` when given ("persona natural", "PJ", ...). When empty: company if the
    canonical ``doc_type`` only companies hold (NIT, CNPJ), or if there is a
    ``business_name`` and the document is not a person's (CC, CPF, ...); person otherwise.
    Raises ValueError naming ``raw`` and the accepted words when it is none of them.
    """
    if raw.strip():
        kind = _CUSTOMER_TYPES.get(fold_key(raw))
        if kind is None:
            accepted = ", ".join(s for spellings in _CUSTOMER_TYPE_SPELLINGS.values() for s in spellings)
            raise ValueError(f"unknown customer type {raw.strip()!r} (accepted: {accepted})")
        return kind
    if doc_type in COMPANY_DOCUMENT_TYPES:
        return CustomerType.COMPANY
    if business_name.strip() and doc_type not in PERSON_DOCUMENT_TYPES:
        return CustomerType.COMPANY
    return CustomerType.PERSON


# ISO 3166 alpha-2 -> names and codes sources write (Latin America, Spain, Portugal, US).
COUNTRIES: dict[str, tuple[str, ...]] = {
    "CO": ("colombia", "COL", "republica de colombia"),
    "BR": ("brasil", "brazil", "BRA", "republica federativa do brasil"),
    "MX": ("mexico", "MEX"),
    "AR": ("argentina", "ARG"),
    "CL": ("chile", "CHL"),
    "PE": ("peru", "PER"),
    "EC": ("ecuador", "ECU"),
    "VE": ("venezuela", "VEN"),
    "BO": ("bolivia", "BOL"),
    "PY": ("paraguay", "paraguai", "PRY"),
    "UY": ("uruguay", "uruguai", "URY"),
    "PA": ("panama", "PAN"),
    "CR": ("costa rica", "CRI"),
    "GT": ("guatemala", "GTM"),
    "HN": ("honduras", "HND"),
    "SV": ("el salvador", "SLV"),
    "NI": ("nicaragua", "NIC"),
    "CU": ("cuba", "CUB"),
    "DO": ("republica dominicana", "DOM"),
    "PR": ("puerto rico", "PRI"),
    "ES": ("espana", "spain", "espanha", "ESP"),
    "PT": ("portugal", "PRT"),
    "US": ("estados unidos", "united states", "united states of america", "USA", "EEUU", "EUA"),
}
_COUNTRIES = {
    fold_key(spelling): code for code, spellings in COUNTRIES.items() for spelling in (code, *spellings)
}


def country(raw: str, default: str | None) -> str | None:
    """Return the ISO 3166 alpha-2 code of a written country ("Brasil", "col" -> "BR", "CO").

    ``default`` (the source's country) when ``raw`` is empty, or when it is an unknown name
    that is not itself a two-letter code; an unknown two-letter text is taken as a code.
    """
    key = fold_key(raw)
    if not key:
        return default
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if len(key) == 2 and key.isascii() and key.isalpha():
        return key.upper()
    return default
