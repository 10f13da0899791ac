"""Records: copies of entities spread over the sources, duplicates corrupted the way people do.

``plan_copies`` decides how many records each entity gets; ``customer_records`` copies the
entities' values onto records and corrupts every copy but the first: typos, dropped accents,
capitals, swapped names, nicknames, missing or mistyped documents, new or missing contact
details, legal-suffix and abbreviation variants. A few records of any role carry "junk" values
many customers share (placeholder e-mails, the call centre's own phone, 0000000).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from unifica.synth import vocab as v
from unifica.synth.documents import mistype
from unifica.synth.entities import CITY_NAMES, business_names, fold_lower

SOURCES = ("web_form", "whatsapp", "email", "call_centre", "erp")
SOURCE_WEIGHTS = {"person": (.30, .25, .15, .20, .10), "company": (.10, .03, .12, .10, .65)}
COPIES, COPY_WEIGHTS = np.array([2, 3, 4, 5]), np.array([.55, .25, .12, .08])
UPDATED_FROM, UPDATED_TO = np.datetime64("2023-01-01T00:00:00"), np.datetime64("2025-12-31T23:59:59")

# Chance that a duplicate record shows each corruption (independently).
P = {
    "nickname": .15, "drop_middle": .3, "drop_second_last": .25, "swap_names": .04, "typo_first": .1,
    "typo_last": .1, "typo_second_last": .04, "typo_business": .1, "fold_accents": .25, "upper": .08,
    "abbreviate": .25, "doc_missing": .22, "doc_mistyped": .12, "email_missing": .2, "email_new": .12,
    "email_invalid": .02, "mobile_missing": .12, "mobile_new": .1, "phone_invalid": .02, "fixed_missing": .3,
    "dob_missing": .15, "dob_day_month": .04, "dob_year": .03, "address_missing": .2, "complement_missing": .3,
    "city_missing": .1, "city_variant": .3, "tags_missing": .4,
}
P_JUNK = {"email": .015, "document": .004}
P_JUNK_PHONE = {"call_centre": .04, "web_form": .005, "erp": .005}
_CITY_VARIANTS = [(c.name,) + c.variants for c in v.CITIES]


def plan_copies(rng: np.random.Generator, records: int, share: float) -> np.ndarray:
    """Records per entity: 1, or 2-5 for round(share * entities) of them, summing to records."""
    mean = 1 - share + share * float(COPIES @ COPY_WEIGHTS)
    n = max(1, round(records / mean))
    copies = np.ones(n, dtype=np.int64)
    dup = rng.choice(n, size=round(share * n), replace=False)
    copies[dup] = rng.choice(COPIES, size=len(dup), p=COPY_WEIGHTS)
    while (diff := records - int(copies.sum())) != 0:
        movable = dup[copies[dup] < 5] if diff > 0 else dup[copies[dup] > 2]
        if len(movable) == 0:  # nothing left to stretch: add or drop single-record entities
            if diff > 0:
                copies = np.concatenate([copies, np.ones(diff, dtype=np.int64)])
            else:
                copies = np.delete(copies, np.flatnonzero(copies == 1)[:-diff])
            continue
        chosen = rng.choice(movable, size=min(abs(diff), len(movable)), replace=False)
        copies[chosen] += np.sign(diff)
    return copies


def assign_sources(rng: np.random.Generator, is_company: np.ndarray) -> np.ndarray:
    """A source index (into SOURCES) per record, by customer type."""
    out = np.zeros(len(is_company), dtype=np.int64)
    for kind, m in (("company", is_company), ("person", ~is_company)):
        p = np.array(SOURCE_WEIGHTS[kind])
        out[m] = rng.choice(len(SOURCES), size=int(m.sum()), p=p / p.sum())
    return out


def typo(word: str, r: int) -> str:
    """word with one letter inserted, deleted, substituted or two transposed (r: random int)."""
    if len(word) < 3:
        return word
    i = 1 + (r >> 2) % (len(word) - 1)
    letter = "abcdefghijklmnopqrstuvwxyz"[(r >> 12) % 26]
    if word.isupper():
        letter = letter.upper()
    op = r % 4
    if op == 0:
        return word[:i] + letter + word[i:]
    if op == 2 and letter != word[i]:
        return word[:i] + letter + word[i + 1:]
    if op == 3 and word[i] != word[i - 1]:
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    return word[:i] + word[i + 1:]


def _nicknames() -> dict[tuple[str, str], tuple[str, ...]]:
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for nick, formal, group in v.NICKNAMES:
        table[(group, formal)] = table.get((group, formal), ()) + (nick,)
    return table


_NICKNAMES = _nicknames()


def _apply(rng: np.random.Generator, df: pd.DataFrame, col: str, mask: np.ndarray,
           fn: Callable[[str, int], str]) -> None:
    """df[col][mask] = fn(value, a random int) row by row, only where the value is not empty."""
    mask = mask & (df[col].to_numpy() != "")
    if mask.any():
        values = df[col].to_numpy()[mask]
        r = rng.integers(0, 2**31, len(values))
        df.loc[mask, col] = np.array([fn(s, int(x)) for s, x in zip(values, r)], dtype=object)


def _given_names(rng: np.random.Generator, df: pd.DataFrame, dup: np.ndarray) -> None:
    group = np.where(df["country"].to_numpy() == "BR", "BR", "CO")
    first, middle = df["first_name"].to_numpy(), df["middle_name"].to_numpy()
    use = dup & (rng.random(len(df)) < P["nickname"])
    for i in np.flatnonzero(use):  # a few % of the rows; dictionary look-ups
        both = _NICKNAMES.get((group[i], f"{first[i]} {middle[i]}"))
        nicks = both or _NICKNAMES.get((group[i], first[i]))
        if nicks:
            first[i] = nicks[i % len(nicks)]
            if both:
                middle[i] = ""
    df["first_name"], df["middle_name"] = first, middle


def customer_records(rng: np.random.Generator, ent: pd.DataFrame, entity: np.ndarray, source: np.ndarray,
                     dup: np.ndarray) -> pd.DataFrame:
    """The canonical values of each record (entity[i] in SOURCES[source[i]]), dup rows corrupted."""
    n = len(entity)
    df = ent.take(entity).reset_index(drop=True)
    df["source"] = source
    company = df["is_company"].to_numpy()

    def rand() -> np.ndarray:  # one uniform per record, drawn in a fixed order
        return rng.random(n)

    hit = {name: dup & (rand() < p) for name, p in P.items()}

    _given_names(rng, df, dup)
    df.loc[hit["drop_middle"], "middle_name"] = ""
    df.loc[hit["drop_second_last"], "second_last_name"] = ""
    swap = hit["swap_names"] & ~company
    df.loc[swap, ["first_name", "last_name"]] = df.loc[swap, ["last_name", "first_name"]].to_numpy()
    prefix_form = (hit["abbreviate"]).astype(int)
    suffix_form = np.where(dup, rng.integers(0, 5, n), np.where(source == SOURCES.index("erp"), 0, rng.integers(0, 3, n)))
    df["business_name"] = business_names(df, prefix_form, suffix_form)
    for col, key in (("first_name", "typo_first"), ("last_name", "typo_last"),
                     ("second_last_name", "typo_second_last"), ("business_name", "typo_business")):
        _apply(rng, df, col, hit[key], typo)
    names = ["first_name", "middle_name", "last_name", "second_last_name", "business_name"]
    for col in names:
        _apply(rng, df, col, hit["fold_accents"], lambda s, _: s.translate(v.ACCENT_FOLD))
        _apply(rng, df, col, hit["upper"], lambda s, _: s.upper())

    df["customer_type"] = np.where(company, "company", "person").astype(object)
    df.loc[hit["doc_missing"], ["doc_type", "doc_number"]] = ""
    _apply(rng, df, "doc_number", hit["doc_mistyped"] & ~hit["doc_missing"],
           lambda s, r: mistype(s, r >> 4, r % 10, bool(r & 16)))
    junk_doc = (rand() < P_JUNK["document"]) & (df["doc_type"].to_numpy() == "CC")
    df.loc[junk_doc, "doc_number"] = np.array(v.JUNK_DOCUMENTS, dtype=object)[rng.integers(0, 2, junk_doc.sum())]

    # e-mails are the e-mail source's key, as phones are WhatsApp's: always there and real
    by_mail = source == SOURCES.index("email")
    email = np.where(df["has_email"].to_numpy() | by_mail, df["email"].to_numpy(), "")
    # a new address: persons' from their first name, companies' from their name (a free mailbox)
    local = fold_lower(np.where(company, df["business_name"], df["first_name"])[hit["email_new"]])
    domains = np.array(list(v.EMAIL_DOMAINS["XX"]), dtype=object)
    email[hit["email_new"]] = np.array(local, dtype=object) + rng.integers(10, 9999, hit["email_new"].sum()).astype(str) \
        + "@" + domains[rng.integers(0, len(domains), hit["email_new"].sum())]
    email[hit["email_missing"] & ~by_mail] = ""
    df["email"] = email
    _apply(rng, df, "email", hit["email_invalid"] & ~by_mail, lambda s, r: (
        s.replace("@", "@@"), s.replace("@", " "), s.rsplit(".", 1)[0], s.replace(".", "..", 1))[r % 4])
    junk_email = (rand() < P_JUNK["email"]) & ~by_mail
    df.loc[junk_email, "email"] = np.array(v.JUNK_EMAILS, dtype=object)[rng.integers(0, 3, junk_email.sum())]
    df["email2"] = np.where(dup & (rand() < .5), "", df["email2"].to_numpy())

    whatsapp = source == SOURCES.index("whatsapp")
    calling = df["country"].map(v.CALLING_CODES).to_numpy(dtype=object)
    mobile = df["mobile"].to_numpy().astype(str).astype(object)
    new_mobile = df["mobile"].to_numpy() + rng.integers(1, 99_999, n)  # same region, another line
    mobile = np.where(hit["mobile_new"], new_mobile.astype(str).astype(object), mobile)
    keep_mobile = (df["has_mobile"].to_numpy() & ~hit["mobile_missing"]) | whatsapp
    df["mobile"] = np.where(keep_mobile, mobile, "")
    _apply(rng, df, "mobile", hit["phone_invalid"] & ~whatsapp, lambda s, _: s[:-2])
    df["fixed"] = np.where(df["has_fixed"].to_numpy() & ~hit["fixed_missing"], df["fixed"].astype(str), "")
    df["mobile_cc"], df["fixed_cc"] = calling, calling
    junk_phone = np.zeros(n, dtype=bool)
    for name, p in P_JUNK_PHONE.items():
        junk_phone |= (source == SOURCES.index(name)) & (rand() < p)
    df.loc[junk_phone, ["mobile", "fixed", "fixed_cc"]] = ("", v.CALL_CENTRE_OWN_PHONE, "57")

    dob = df["dob"].to_numpy().astype("datetime64[D]")
    month = dob.astype("datetime64[M]")
    day = (dob - month).astype(np.int64) + 1
    mon = month.astype(np.int64) % 12 + 1
    swap_dm = hit["dob_day_month"] & (day <= 12) & (day != mon)
    year_shift = np.where(hit["dob_year"], rng.choice([-10, -1, 1, 10], n), 0)
    new_month = month + (year_shift * 12) + np.where(swap_dm, day - mon, 0)
    new_day = np.where(swap_dm, mon, day)
    days_in = ((new_month + 1).astype("datetime64[D]") - new_month.astype("datetime64[D]")).astype(np.int64)
    dob = new_month.astype("datetime64[D]") + (np.minimum(new_day, days_in) - 1).astype("timedelta64[D]")
    dob[hit["dob_missing"]] = np.datetime64("NaT")
    df["dob"] = dob
    df["dob_text"] = ""  # set only on planted bad dates

    df["addr_missing"] = hit["address_missing"]
    df.loc[hit["complement_missing"], "addr_comp"] = ""
    variant = hit["city_variant"] | (rand() < .1)
    city = df["city"].to_numpy()
    pick = rng.integers(0, 8, n)
    df["city"] = [_CITY_VARIANTS[c][p % len(_CITY_VARIANTS[c])] if use else CITY_NAMES[c]
                  for c, p, use in zip(city, pick, variant)]
    df.loc[hit["city_missing"], "city"] = ""
    df.loc[hit["tags_missing"], "tags"] = ""
    span = int((UPDATED_TO - UPDATED_FROM).astype(np.int64))
    df["updated_at"] = UPDATED_FROM + rng.integers(0, span, n).astype("timedelta64[s]")
    return df
