"""Entities: the real customers behind the records, drawn a column at a time with numpy.

One row per entity, canonical values only (full names, bare document numbers, national phone
numbers, address parts); records.py copies and corrupts them, sources.py writes them in each
source's style. Hard negatives (relatives, namesakes, look-alike companies) are planted here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from unifica.synth import vocab as v
from unifica.synth.documents import draw_documents, unique_ints

REF_DATE = np.datetime64("2026-01-01")  # "today" for every seed: ages, update times
COMPANY_SHARE = 0.15
MIDDLE_NAME_SHARE = {"CO": 0.55, "BR": 0.35}
SECOND_SURNAME_SHARE = {"CO": 0.93, "BR": 0.35}
COMPOUND_GIVEN_SHARE = 0.08
HARD_NEGATIVE_SHARE = {"relative": 0.03, "namesake": 0.02, "similar_company": 0.04}

_CITY_COUNTRY = np.array([c.country for c in v.CITIES], dtype=object)
CITY_NAMES = np.array([c.name for c in v.CITIES], dtype=object)
_CITY_AREA = np.array([int(c.area) for c in v.CITIES])


_SLUG = str.maketrans(v.ACCENTED, v.ACCENTED.translate(v.ACCENT_FOLD), " -.&'/")


def fold_lower(values: np.ndarray) -> list[str]:
    """Names as e-mail local parts: accents, spaces and punctuation dropped, lower case."""
    return [s.translate(_SLUG).lower() for s in values]


def choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """n keys of weights drawn with their weights (object array)."""
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _cities(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    city = np.zeros(len(country), dtype=np.int64)
    for code in np.unique(country):
        idx = np.flatnonzero(_CITY_COUNTRY == code)
        p = np.array([v.CITIES[i].weight for i in idx])
        m = country == code
        city[m] = idx[rng.choice(len(idx), size=m.sum(), p=p / p.sum())]
    return city


def _person_names(rng: np.random.Generator, df: pd.DataFrame, m: np.ndarray) -> None:
    """First, middle, last and second last names of the persons in mask m, in place."""
    group = np.where(df["country"] == "BR", "BR", "CO")
    for (g, sex), words in v.FIRST_NAMES.items():
        sel = m & (group == g) & (df["gender"].to_numpy() == sex)
        k = int(sel.sum())
        first = words.draw(rng, k)
        middle = words.draw(rng, k)
        middle[(middle == first) | (rng.random(k) >= MIDDLE_NAME_SHARE[g])] = ""
        compound = np.array([c.split(" ", 1) for c in v.COMPOUND_GIVEN[(g, sex)]], dtype=object)
        use = rng.random(k) < COMPOUND_GIVEN_SHARE
        pick = compound[rng.integers(0, len(compound), use.sum())]
        first[use], middle[use] = pick[:, 0], pick[:, 1]
        df.loc[sel, "first_name"], df.loc[sel, "middle_name"] = first, middle
    for g, words in v.LAST_NAMES.items():
        sel = m & (group == g)
        k = int(sel.sum())
        last, second = words.draw(rng, k), words.draw(rng, k)
        second[(second == last) | (rng.random(k) >= SECOND_SURNAME_SHARE[g])] = ""
        df.loc[sel, "last_name"], df.loc[sel, "second_last_name"] = last, second


def _company_names(rng: np.random.Generator, df: pd.DataFrame, m: np.ndarray) -> None:
    """Business-name parts of the companies in mask m: prefix index, core, qualifier, suffix."""
    country = df["country"].to_numpy()
    for lang, sel in (("BR", m & (country == "BR")), ("ES", m & (country != "BR"))):
        k = int(sel.sum())
        surnames = v.LAST_NAMES["BR" if lang == "BR" else "CO"]
        a, b = surnames.draw(rng, k), surnames.draw(rng, k)
        words = np.array(v.COMPANY_CORES[lang], dtype=object)[rng.integers(0, len(v.COMPANY_CORES[lang]), k)]
        kind = rng.random(k)
        core = np.where(kind < 0.5, a, np.where(kind < 0.65, a + np.where(rng.random(k) < .5, " & ", " y ") + b, words))
        quals = np.array(v.COMPANY_QUALIFIERS[lang], dtype=object)
        qual = np.where(rng.random(k) < 0.25, quals[rng.integers(0, len(quals), k)], "")
        df.loc[sel, "biz_prefix"] = rng.integers(0, len(v.COMPANY_PREFIXES[lang]), k)
        df.loc[sel, "biz_core"], df.loc[sel, "biz_qual"] = core, qual
    for code, suffixes in v.COMPANY_SUFFIXES.items():
        sel = m & (country == code)
        p = np.array([w for _, w in suffixes])
        df.loc[sel, "biz_suffix"] = rng.choice(len(suffixes), size=int(sel.sum()), p=p / p.sum())


def business_names(df: pd.DataFrame, prefix_form: np.ndarray, suffix_form: np.ndarray) -> np.ndarray:
    """Business names from their parts: prefix_form 0 full / 1 abbreviated; suffix_form indexes
    the legal suffix's spellings (clipped to the last, "left out")."""
    out = []
    for country, p, core, qual, s, pf, sf in zip(df["country"], df["biz_prefix"], df["biz_core"], df["biz_qual"],
                                                  df["biz_suffix"], prefix_form, suffix_form):
        if core == "":
            out.append("")
            continue
        prefix = v.COMPANY_PREFIXES["BR" if country == "BR" else "ES"][p][pf]
        spellings = v.COMPANY_SUFFIXES[country][s][0]
        suffix = spellings[min(sf, len(spellings) - 1)]
        out.append(f"{prefix} {core}{qual} {suffix}".rstrip())
    return np.array(out, dtype=object)


def _birth_dates(rng: np.random.Generator, n: int, minor: np.ndarray) -> np.ndarray:
    # adults' ages outside 18.2..88 are drawn again uniformly: clipping them would pile 8 % of
    # adults onto one birth date, which no real customer base has
    adult = rng.normal(41, 14, n)
    outside = (adult < 18.2) | (adult > 88)
    adult[outside] = rng.uniform(18.2, 88, int(outside.sum()))
    age_years = np.where(minor, rng.uniform(8, 17.9, n), adult)
    return REF_DATE - (age_years * 365.25).astype("timedelta64[D]")


def _phones(rng: np.random.Generator, country: np.ndarray, city: np.ndarray, mobile: bool) -> np.ndarray:
    """National numbers (int64, unique) for each row's country; fixed lines in the city's area."""
    n = len(country)
    area = _CITY_AREA[city]
    prefixes = np.array(v.CO_MOBILE_PREFIXES)[rng.integers(0, len(v.CO_MOBILE_PREFIXES), n)]
    if mobile:
        # ranges phonenumbers' metadata knows as mobile: CO 3xx, BR (DDD) 9 6-9xxx, EC 098/099, CL 9 5x
        kinds = [country == "CO", country == "BR", country == "MX", country == "EC", country == "CL"]
        low = np.select(kinds, [prefixes * 10**7 + 2_000_000, area * 10**9 + 960_000_000, 55 * 10**8 + 10_000_000,
                                980_000_000, 950_000_000], 900_000_000)  # PE: 9 digits starting with 9
        span = np.select(kinds, [8_000_000, 40_000_000, 90_000_000, 20_000_000, 15_000_000], 100_000_000)
    else:
        low = np.select([country == "CO", country == "BR", country == "MX", country == "CL"],
                        [(600 + area) * 10**7 + 2_000_000, area * 10**8 + 20_000_000, 55 * 10**8 + 10_000_000,
                         220_000_000], area * 10**7 + 2_000_000)  # PE (1), EC (2): 8 digits
        span = np.select([country == "CO", country == "BR", country == "MX", country == "CL"],
                         [6_000_000, 40_000_000, 90_000_000, 10_000_000], 6_000_000)
    return unique_ints(rng, low, low + span, n)  # one number, one entity


def _addresses(rng: np.random.Generator, df: pd.DataFrame) -> None:
    """Address parts: via index, a, b, c and complement (meaning depends on the country)."""
    n = len(df)
    country = df["country"].to_numpy()
    company = df["is_company"].to_numpy()
    n1 = np.minimum(rng.geometric(1 / 45, n), 199)
    letter = np.array(["", "A", "B", " Bis", "C"], dtype=object)[rng.choice(5, n, p=[.78, .1, .06, .03, .03])]
    co_via = rng.choice(len(v.CO_VIAS), n, p=v.CO_VIA_WEIGHTS)
    br_via = rng.choice(len(v.BR_VIAS), n, p=v.BR_VIA_WEIGHTS)
    streets = np.array(v.BR_STREETS, dtype=object)[rng.integers(0, len(v.BR_STREETS), n)]
    bairro = np.where(rng.random(n) < 0.35, np.array(v.BR_BAIRROS, dtype=object)[rng.integers(0, len(v.BR_BAIRROS), n)], "")
    unit = (rng.integers(1, 26, n) * 100 + rng.integers(1, 5, n)).astype(str).astype(object)
    is_co, is_br = country == "CO", country == "BR"
    words = {key: np.array(w, dtype=object)[rng.integers(0, len(w), n)] for key, w in (
        ("person", ("Apto ", "Apto. ", "Casa ", "Int. ", "Torre 2 Apto ")), ("company", ("Oficina ", "Local ", "Bodega ")),
        ("pessoa", ("Apto ", "Casa ", "Bloco B Apto ", "ap. ")), ("empresa", ("Sala ", "Loja ", "Conj. ")))}
    unit_word = np.where(is_br, np.where(company, words["empresa"], words["pessoa"]),
                         np.where(company, words["company"], words["person"]))
    comp = np.where(rng.random(n) < 0.45, np.where(is_br, " - ", " ") + unit_word + unit, "")
    other = np.full(n, "", dtype=object)
    for code, names in v.OTHER_STREETS.items():
        m = country == code
        other[m] = np.array(names, dtype=object)[rng.integers(0, len(names), m.sum())]
    df["addr_via"] = np.where(is_co, co_via, np.where(is_br, br_via, 0))
    df["addr_a"] = np.where(is_co, n1.astype(str).astype(object) + letter, np.where(is_br, streets, other))
    df["addr_b"] = np.where(is_co, rng.integers(1, 160, n), rng.integers(10, 3500, n)).astype(str).astype(object)
    df["addr_c"] = np.where(is_co, np.char.zfill(rng.integers(1, 99, n).astype(str), 2).astype(object),
                            np.where(is_br, bairro, ""))
    df["addr_comp"] = np.where(is_co | is_br, comp, "")


def _pairs(rng: np.random.Generator, candidates: np.ndarray, country: np.ndarray, share: float,
           taken: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(base, look-alike) index pairs within one country, about share of the candidates."""
    bases, looks = [], []
    for code in np.unique(country[candidates]):
        pool = candidates[(country[candidates] == code) & ~taken[candidates]]
        k = min(int(round(share * len(pool))), len(pool) // 2)
        if k == 0:
            continue
        chosen = rng.permutation(pool)[:2 * k]
        bases.append(chosen[:k])
        looks.append(chosen[k:])
        taken[chosen] = True
    if not bases:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(bases), np.concatenate(looks)


def _plant_hard_negatives(rng: np.random.Generator, df: pd.DataFrame) -> None:
    """Turn a few % of entities into look-alikes of others (role, lookalike_of, family)."""
    n = len(df)
    country = df["country"].to_numpy()
    adults = np.flatnonzero(~df["is_company"].to_numpy() & (df["doc_type"].to_numpy() != "TI"))
    companies = np.flatnonzero(df["is_company"].to_numpy())
    taken = np.zeros(n, dtype=bool)
    copy = ["city", "last_name", "addr_via", "addr_a", "addr_b", "addr_c", "addr_comp", "fixed"]

    base, rel = _pairs(rng, adults, country, HARD_NEGATIVE_SHARE["relative"], taken)
    sibling = rng.random(len(rel)) < 0.6
    for col in copy:
        df.iloc[rel, df.columns.get_loc(col)] = df[col].to_numpy()[base]
    df.iloc[rel[sibling], df.columns.get_loc("second_last_name")] = df["second_last_name"].to_numpy()[base[sibling]]
    df.iloc[np.concatenate([base, rel]), df.columns.get_loc("has_fixed")] = True
    # a relative never has the base's first name; ages plausible for siblings or a child
    base_first = df["first_name"].to_numpy()[base]
    same = df["first_name"].to_numpy()[rel] == base_first
    female = df["gender"].to_numpy()[rel] == "F"
    other = np.where(female, np.where(base_first == "Luz", "Gloria", "Luz"), np.where(base_first == "Jorge", "Mario", "Jorge"))
    df.iloc[rel[same], df.columns.get_loc("first_name")] = other[same]
    years = np.where(sibling, rng.choice([-1, 1], len(rel)) * rng.uniform(1, 12, len(rel)), rng.uniform(20, 35, len(rel)))
    dob = df["dob"].to_numpy()[base] + (years * 365.25).astype("timedelta64[D]")
    latest = REF_DATE - np.timedelta64(6600, "D")  # 18 years and a bit
    family = np.where(sibling, "sibling", "child")
    too_young = dob > latest
    dob[too_young] = df["dob"].to_numpy()[base[too_young]] - (years[too_young] * 365.25).astype("timedelta64[D]")
    family[too_young & ~sibling] = "parent"
    df.iloc[rel, df.columns.get_loc("dob")] = dob
    df.iloc[rel, df.columns.get_loc("role")] = "relative"
    df.iloc[rel, df.columns.get_loc("family")] = family
    df.iloc[rel, df.columns.get_loc("lookalike_of")] = base

    base, ns = _pairs(rng, adults, country, HARD_NEGATIVE_SHARE["namesake"], taken)
    for col in ("city", "first_name", "last_name", "second_last_name"):
        df.iloc[ns, df.columns.get_loc(col)] = df[col].to_numpy()[base]
    df.iloc[ns, df.columns.get_loc("role")] = "namesake"
    df.iloc[ns, df.columns.get_loc("lookalike_of")] = base

    base, co = _pairs(rng, companies, country, HARD_NEGATIVE_SHARE["similar_company"], taken)
    for col in ("city", "biz_prefix", "biz_core", "biz_suffix"):
        df.iloc[co, df.columns.get_loc(col)] = df[col].to_numpy()[base]
    lang_quals = [v.COMPANY_QUALIFIERS["BR" if c == "BR" else "ES"] for c in country[co]]
    base_qual = df["biz_qual"].to_numpy()[base]
    df.iloc[co, df.columns.get_loc("biz_qual")] = np.array(
        [q[i % len(q)] if b == "" or q[i % len(q)] != b else "" for q, i, b in
         zip(lang_quals, rng.integers(0, 100, len(co)), base_qual)], dtype=object)
    df.iloc[co, df.columns.get_loc("role")] = "similar_company"
    df.iloc[co, df.columns.get_loc("lookalike_of")] = base


def _emails(rng: np.random.Generator, df: pd.DataFrame) -> None:
    n = len(df)
    country = df["country"].to_numpy()
    company = df["is_company"].to_numpy()
    first, last = fold_lower(df["first_name"].to_numpy()), fold_lower(df["last_name"].to_numpy())
    year = df["dob"].to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
    pattern = rng.integers(0, 6, n)
    number = rng.integers(1, 999, n)
    local = [
        (f"{f}.{l}", f"{f}{l}", f"{f[:1]}{l}", f"{f}_{l}{d}", f"{f}{l}{y % 100:02d}", f"{l}.{f}{d}")[p]
        for f, l, d, y, p in zip(first, last, number, year, pattern)
    ]
    domain = np.empty(n, dtype=object)
    for code, domains in v.EMAIL_DOMAINS.items():
        m = (country == code) if code != "XX" else ~np.isin(country, ("CO", "BR"))
        domain[m] = choose(rng, domains, int(m.sum()))
    slug = fold_lower(np.array([f"{v.COMPANY_PREFIXES['BR' if c == 'BR' else 'ES'][p][0]} {core}"
                                if co else "" for c, p, core, co in
                                zip(country, df["biz_prefix"], df["biz_core"], company)], dtype=object))
    boxes = np.where(country == "BR", np.array(v.COMPANY_MAILBOXES_BR, dtype=object)[rng.integers(0, 6, n)],
                     np.array(v.COMPANY_MAILBOXES, dtype=object)[rng.integers(0, 7, n)])
    tld = np.array([v.COMPANY_TLD.get(c, ".com") for c in country], dtype=object)
    email = np.where(company, boxes + "@" + np.array(slug, dtype=object) + tld, np.array(local, dtype=object) + "@" + domain)
    # an address belongs to one entity: number the later holders of a taken one
    series = pd.Series(email)
    while (dup := series.duplicated()).any():
        idx = np.flatnonzero(dup.to_numpy())
        series.iloc[idx] = [e.replace("@", f"{i % 9973}@", 1) for e, i in zip(series.iloc[idx], idx)]
    df["email"] = series.to_numpy(dtype=object)
    second_box = np.where(country == "BR", "financeiro", "facturacion")
    second = np.where(company & (rng.random(n) < 0.3), second_box + "@" + np.array(slug, dtype=object) + tld, "")
    # the billing mailbox too belongs to one company, or is shared by planted sister companies
    # (similar_company, one name): a later unrelated holder of a taken one is numbered (of the
    # 1,014 addresses two companies held at 100,000 records, seed 31, 927 were unrelated ones')
    group = np.where(df["role"].to_numpy() == "similar_company", df["lookalike_of"].to_numpy(), np.arange(n))
    holder = dict(zip(df["email"], group))
    for i in np.flatnonzero(second != ""):
        address = second[i]
        while holder.setdefault(address, group[i]) != group[i]:
            address = address.replace("@", f"{i % 9973}@", 1)
        second[i] = address
    df["email2"] = second


def draw_entities(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """n entities with their canonical values, hard negatives planted (see module doc)."""
    df = pd.DataFrame({"entity": np.arange(n)})
    df["is_company"] = rng.random(n) < COMPANY_SHARE
    r = rng.random(n)
    country = np.where(r < 0.6, "CO", np.where(r < 0.95, "BR", choose(rng, v.OTHER_COUNTRIES, n))).astype(object)
    country[df["is_company"].to_numpy() & ~np.isin(country, ("CO", "BR"))] = "CL"
    df["country"] = country
    df["city"] = _cities(rng, country)
    person = ~df["is_company"].to_numpy()
    df["gender"] = np.where(person, np.where(rng.random(n) < 0.52, "F", "M"), "").astype(object)
    for col in ("first_name", "middle_name", "last_name", "second_last_name", "biz_core", "biz_qual"):
        df[col] = np.full(n, "", dtype=object)
    df["biz_prefix"], df["biz_suffix"] = 0, 0
    _person_names(rng, df, person)
    _company_names(rng, df, ~person)

    co_doc = choose(rng, {"CC": .93, "CE": .025, "PAS": .02, "TI": .025}, n)
    doc = np.select([country == "CO", country == "BR", country == "PE", country == "CL"],
                    [co_doc, "CPF", np.where(rng.random(n) < .8, "DNI", "PAS"),
                     np.where(rng.random(n) < .85, "RUT", "PAS")], "PAS").astype(object)
    doc[~person] = np.select([country[~person] == "CO", country[~person] == "BR"], ["NIT", "CNPJ"], "RUT")
    df["doc_type"] = doc
    df["dob"] = _birth_dates(rng, n, doc == "TI")
    df.loc[~person, "dob"] = np.datetime64("NaT")

    df["has_mobile"] = np.where(person, rng.random(n) < 0.97, rng.random(n) < 0.5)
    df["has_fixed"] = np.where(person, rng.random(n) < 0.25, rng.random(n) < 0.9)
    df["mobile"] = _phones(rng, country, df["city"].to_numpy(), mobile=True)
    df["fixed"] = _phones(rng, country, df["city"].to_numpy(), mobile=False)
    _addresses(rng, df)
    tags = np.where(person[:, None], np.array(v.PERSON_TAGS, dtype=object)[rng.integers(0, 7, (n, 2))],
                    np.array(v.COMPANY_TAGS, dtype=object)[rng.integers(0, 6, (n, 2))])
    k = rng.choice(3, n, p=[.5, .35, .15])
    df["tags"] = np.where(k == 0, "", np.where((k == 1) | (tags[:, 0] == tags[:, 1]), tags[:, 0],
                                               tags[:, 0] + ";" + tags[:, 1]))
    df["role"], df["family"], df["lookalike_of"] = "original", "", -1
    _plant_hard_negatives(rng, df)

    birth_year = df["dob"].to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
    df["doc_number"] = draw_documents(rng, doc, birth_year)
    _emails(rng, df)
    df["has_email"] = rng.random(n) < np.where(person, 0.85, 0.92)
    return df
