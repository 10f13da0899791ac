"""Contact details: phones to E.164, e-mails checked, multi-value cells split.

A contact detail that looks wrong is flagged (``valid=False``), never dropped: a steward
may still recognise it. Re-exported by ``dedupe.normalise``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

CONTACT_CACHE_SIZE = 1 << 16

# ";" is the canonical separator (DESIGN.md, "Input"); "," "|" and line breaks are what
# spreadsheets and CRMs use. None of them occurs inside a phone or an ordinary e-mail.
# "/" only counts with spaces around it ("300 123 4567 / 310 765 4321"), because
# "300/123/4567" is one phone written with slashes.
_SEPARATOR = re.compile(r"[;,|\r\n]|\s/\s")


def split_values(raw: str) -> list[str]:
    """Return the values of a multi-value cell: stripped, empties and exact repeats dropped,
    in their original order. Never splits on "." (e-mails contain it)."""
    return list(dict.fromkeys(part for part in (p.strip() for p in _SEPARATOR.split(raw)) if part))


class LineType(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
    UNKNOWN = "unknown"  # toll-free, VoIP, unparseable, or a number that may be either (US)


@dataclass(frozen=True)
class Phone:
    """A phone as written (``raw``) and as read; ``e164`` is None when it could not be read."""

    raw: str
    e164: str | None
    country_code: int | None
    area_code: str | None  # national destination code: "300" (CO mobile), "601" (Bogotá), "11" (São Paulo)
    number: str | None  # the national number after the area code
    line_type: LineType
    valid: bool


# phonenumbers classifies Colombian and Brazilian numbers exactly; FIXED_LINE_OR_MOBILE
# only comes from plans where the two share ranges (US, Canada), so it stays UNKNOWN.
_LINE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: LineType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE: LineType.FIXED,
}
# The phone itself inside labels and trailing words ("WhatsApp: +57 300 ...", "... (casa)").
_PHONE_TEXT = re.compile(r"\+?[\s(]*\d[\d\s().\-/]*")
_SPREADSHEET_FLOAT = re.compile(r"(\d+)\.0+")  # 3001234567.0 from a numeric Excel cell


@lru_cache(maxsize=CONTACT_CACHE_SIZE)
def phone(raw: str, country: str | None) -> Phone | None:
    """Return ``raw`` read as a phone of ``country`` (ISO alpha-2; numbers with "+" or "00"
    need none), or None if ``raw`` is empty.

    Unreadable text gives a Phone with ``e164`` None and ``valid`` False. A number that
    can be read but is not a valid number keeps its ``e164`` with ``valid`` False.
    """
    if not raw.strip():
        return None
    unread = Phone(raw, None, None, None, None, LineType.UNKNOWN, valid=False)
    found = _PHONE_TEXT.search(raw)
    if found is None:
        return unread
    text = found.group().rstrip(" -./(")
    if float_digits := _SPREADSHEET_FLOAT.fullmatch(text):
        text = float_digits.group(1)
    if text.startswith("00"):
        # "0057 300 ...": phonenumbers takes "005" (Colombia) or "0055" (Brazil) for the
        # international prefix with a carrier code and then reads the wrong country.
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, country.upper() if country else None)
    except phonenumbers.NumberParseException:
        return unread
    valid = phonenumbers.is_valid_number(parsed)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not valid:
        # Reading an invalid number's E.164 back can strip a national prefix once more
        # ("+82 0000000"): settle on the form that reads back as itself, as stored values must.
        parsed, e164 = _settled(parsed, e164)
        valid = phonenumbers.is_valid_number(parsed)
    national = phonenumbers.national_significant_number(parsed)
    area_length = phonenumbers.length_of_national_destination_code(parsed)
    return Phone(
        raw=raw,
        e164=e164,
        country_code=parsed.country_code,
        area_code=national[:area_length] or None,
        number=national[area_length:],
        line_type=_LINE_TYPES.get(phonenumbers.number_type(parsed), LineType.UNKNOWN),
        valid=valid,
    )


def _settled(parsed: phonenumbers.PhoneNumber, e164: str) -> tuple[phonenumbers.PhoneNumber, str]:
    """Return the number re-read from its E.164 until that E.164 no longer changes."""
    for _ in range(len(e164)):
        try:
            again = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            break
        again_e164 = phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164)
        if again_e164 == e164:
            break
        parsed, e164 = again, again_e164
    return parsed, e164


@dataclass(frozen=True)
class Email:
    """An e-mail as written (``raw``) and its comparable ``value`` (lower-case, bare address)."""

    raw: str
    value: str
    valid: bool


# What forms put in a required e-mail field when the customer has none.
PLACEHOLDER_EMAILS: frozenset[str] = frozenset({
    "sin@correo.com", "no@tiene.com", "no@correo.com", "sincorreo@correo.com", "correo@correo.com",
    "email@email.com", "test@test.com", "xx@xx.com", "a@a.com", "no@no.com", "na@na.com",
})
# Local parts (dots, hyphens and underscores ignored) that mean "no e-mail" at any domain.
PLACEHOLDER_LOCAL_PARTS: frozenset[str] = frozenset({
    "notiene", "sincorreo", "sinemail", "sinmail", "noaplica", "ninguno", "na", "no", "nn",
    "noemail", "nomail", "notengo", "nocorreo", "naotem", "sememail", "nenhum", "xxx", "x",
})
_WRAPPED = re.compile(r"<([^<>]*@[^<>]*)>")  # "Juan <juan@x.co>" and "<juan@x.co>"
_MAILTO = re.compile(r"^mailto:")
_IGNORED_IN_LOCAL = str.maketrans("", "", "._-")


def _is_placeholder(address: str) -> bool:
    local = address.rpartition("@")[0]
    return address in PLACEHOLDER_EMAILS or local.translate(_IGNORED_IN_LOCAL) in PLACEHOLDER_LOCAL_PARTS


@lru_cache(maxsize=CONTACT_CACHE_SIZE)
def email(raw: str) -> Email | None:
    """Return ``raw`` as an e-mail, or None if no address text is left after cleaning.

    ``value`` is the whole address lower-cased, without "mailto:", a display name, angle
    brackets or spaces. ``valid`` is email-validator's syntax check (no DNS) and False for
    placeholders ("sin@correo.com", "notiene@gmail.com"). Idempotent on ``value``.
    """
    text = raw.strip()
    if wrapped := _WRAPPED.search(text):
        text = wrapped.group(1)
    value = "".join(text.split()).lower()
    while (bare := _MAILTO.sub("", value.strip("<>"))) != value:
        value = bare  # until nothing is left to remove, so that e-mail(value) is value
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return Email(raw, value, valid=False)
    return Email(raw, value, valid=not _is_placeholder(value))
