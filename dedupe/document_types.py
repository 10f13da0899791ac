"""Identity documents: canonical type codes, bare numbers, check digits.

Customer type + document type + normalised document number identify a customer
(DESIGN.md, "The domain"), so the same document must come out identical whichever way a
source wrote it. Re-exported by ``dedupe.normalise``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import lru_cache

from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.mx import curp, rfc

from dedupe.folding import fold_name


class DocumentCheck(StrEnum):
    """What the check digit (or the plausibility rules) say about a document number."""

    VALID = "valid"
    INVALID = "invalid"
    UNCHECKED = "unchecked"  # the type has no check digit, or the type is unknown


class UnknownDocumentType(ValueError):
    """A document type no built-in or configured spelling matches."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        super().__init__(f"unknown document type {raw!r} (known codes: {', '.join(DOCUMENT_TYPES)})")


# Canonical code -> the ways sources write it. Matching ignores case, accents, punctuation,
# spaces and the filler words below, so "Cédula de Ciudadanía" only needs "cedula ciudadania".
DOCUMENT_TYPE_SPELLINGS: dict[str, tuple[str, ...]] = {
    # Colombia
    "CC": ("cédula", "cedula ciudadania", "cedula ciudadano", "ced", "ced ciudadania"),
    "CE": ("cedula extranjeria", "cedula extranjero", "ced extranjeria"),
    "TI": ("tarjeta identidad",),
    "RC": ("registro civil", "registro civil nacimiento"),
    "NUIP": ("numero unico identificacion personal",),
    "NIT": ("numero identificacion tributaria",),
    "PEP": ("permiso especial permanencia",),
    "PPT": ("permiso proteccion temporal", "permiso por proteccion temporal"),
    "TE": ("tarjeta extranjeria",),
    # Several countries
    "PAS": ("PA", "PP", "pasaporte", "passaporte", "passport"),
    "DNI": ("documento nacional identidad",),
    # Brazil
    "CPF": ("cadastro pessoas fisicas", "cadastro pessoa fisica"),
    "CNPJ": ("cadastro nacional pessoa juridica", "cadastro nacional pessoas juridicas"),
    "RG": ("registro geral", "carteira identidade", "identidade"),
    "CNH": ("carteira nacional habilitacao",),
    "RNM": ("RNE", "registro nacional migratorio", "registro nacional estrangeiro"),
    # Chile, Mexico, Peru/Ecuador/Paraguay, Argentina
    "RUT": ("rol unico tributario",),
    "RFC": ("registro federal contribuyentes",),
    "CURP": ("clave unica registro poblacion",),
    "RUC": ("registro unico contribuyentes", "registro unico contribuyente"),
    "CUIT": ("clave unica identificacion tributaria",),
    "CUIL": ("codigo unico identificacion laboral",),
}
DOCUMENT_TYPES: tuple[str, ...] = tuple(DOCUMENT_TYPE_SPELLINGS)

# Types only companies hold. RFC, RUT, RUC and CUIT are issued to people too.
COMPANY_DOCUMENT_TYPES: frozenset[str] = frozenset({"NIT", "CNPJ"})
# Types only people hold.
PERSON_DOCUMENT_TYPES: frozenset[str] = frozenset({
    "CC", "CE", "TI", "RC", "NUIP", "PEP", "PPT", "TE", "PAS", "DNI", "CPF", "RG", "CNH", "RNM",
    "CURP", "CUIL",
})

# Values that say "no document" rather than naming a type: read as no type at all.
NO_DOCUMENT_SPELLINGS: tuple[str, ...] = ("N/A", "NA", "ninguno", "sin documento", "no tiene")

# Dropped from multi-word spellings so "cédula de ciudadanía" matches "cedula ciudadania".
# Single letters are never dropped: "C. E." is a code, not "C" + filler.
_FILLER_WORDS = frozenset({"de", "del", "la", "el", "da", "do", "das", "dos", "of", "the"})


@lru_cache(maxsize=4096)
def _alias_key(raw: str) -> str:
    """Return the lookup key of a spelling: folded, filler words dropped, spaces removed."""
    words = fold_name(raw).split()
    kept = [word for word in words if word not in _FILLER_WORDS]
    return "".join(kept or words)


def _build_aliases() -> dict[str, str | None]:
    aliases: dict[str, str | None] = {_alias_key(s): None for s in NO_DOCUMENT_SPELLINGS}
    for code, spellings in DOCUMENT_TYPE_SPELLINGS.items():
        for spelling in (code, *spellings):
            key = _alias_key(spelling)
            if aliases.get(key, code) != code:
                # Two codes claiming one spelling would make the result depend on table order.
                raise ValueError(f"document type spelling {spelling!r} is claimed twice")
            aliases[key] = code
    return aliases


_ALIASES = _build_aliases()


@lru_cache(maxsize=64)
def _configured_aliases(items: frozenset[tuple[str, str]]) -> dict[str, str | None]:
    """Fold a source's extra aliases once; their targets may be codes or built-in spellings."""
    folded: dict[str, str | None] = {}
    for spelling, target in items:
        target_key = _alias_key(target)
        if target_key and target_key not in _ALIASES:
            raise UnknownDocumentType(target)
        folded[_alias_key(spelling)] = _ALIASES.get(target_key)  # empty target: no document
    return folded


def document_type(raw: str, extra_aliases: Mapping[str, str] | None = None) -> str | None:
    """Return the canonical code (one of ``DOCUMENT_TYPES``) of a written document type.

    None for empty text and for "no document" placeholders ("N/A", "ninguno").
    ``extra_aliases`` (a source's configured spellings -> code, folded the same way) win
    over the built-in table; an empty target means "no document".
    Raises ``UnknownDocumentType`` for any other text, or for an extra alias whose target is
    not a known code.
    """
    # Not lru_cached itself because a Mapping is not hashable; the folding underneath is.
    configured = _configured_aliases(frozenset(extra_aliases.items())) if extra_aliases else {}
    key = _alias_key(raw)
    if not key:
        return None
    if key in configured:
        return configured[key]
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownDocumentType(raw.strip())


_NOT_DOCUMENT_CHAR = re.compile(r"[^0-9A-ZÑ]+")  # Ñ: Mexican RFCs contain it


def document_number(raw: str) -> str | None:
    """Return the number's bare digits and upper-case letters, or None if none are left.

    "900.123.456-7" -> "9001234567", " ab 123-45 " -> "AB12345". Leading zeros are kept:
    they are part of the number. Idempotent.
    """
    # NFKC turns full-width and other compatibility digits into plain ones.
    bare = _NOT_DOCUMENT_CHAR.sub("", unicodedata.normalize("NFKC", raw).upper())
    return bare or None


# Types whose number carries a check digit, and the python-stdnum check for it.
# NIT, RUT and CUIT/CUIL numbers include their check digit as the last character.
CHECK_DIGITS: dict[str, Callable[[str], bool]] = {
    "CPF": cpf.is_valid,
    "CNPJ": cnpj.is_valid,
    "NIT": nit.is_valid,
    "RUT": rut.is_valid,
    # stdnum checks the RFC's shape and embedded date; its final check digit is not
    # verified by default because many RFCs in use fail it.
    "RFC": rfc.is_valid,
    "CURP": curp.is_valid,
    "CUIT": cuit.is_valid,
    "CUIL": cuit.is_valid,
}
MIN_DOCUMENT_LENGTH = 4


def document_check(number: str | None, doc_type: str | None) -> DocumentCheck:
    """Return whether ``number`` is a plausible document of ``doc_type``.

    INVALID for obviously fake numbers of any type (shorter than ``MIN_DOCUMENT_LENGTH``,
    or one character repeated: "0000000") and for a wrong check digit; VALID when the
    type's check digit matches; UNCHECKED when there is no number or the type has no
    check digit (CC, CE, PAS, DNI, RG, ...) or is unknown.
    """
    bare = document_number(number) if number is not None else None
    if bare is None:
        return DocumentCheck.UNCHECKED
    if len(bare) < MIN_DOCUMENT_LENGTH or len(set(bare)) == 1:
        return DocumentCheck.INVALID
    check = CHECK_DIGITS.get(doc_type or "")
    if check is None:
        return DocumentCheck.UNCHECKED
    return DocumentCheck.VALID if check(bare) else DocumentCheck.INVALID
