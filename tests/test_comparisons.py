"""Comparison levels as tables: for every field of COMPARISONS, pairs of feature values
(as merge/sql/stage_comparison_customers.sql gives them) and the level label they reach,
covering every level, "different" and "missing"; and two properties: a value compared with
itself reaches the first level, and swapping left and right changes nothing."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.comparisons import COMPARISONS, DIFFERENT, MISSING, Comparison, with_word_codes

BY_FIELD = {c.field: c for c in COMPARISONS}

# Real check-digit-valid numbers, so "valid" below is what ingest would say of them.
CPF_A, CPF_B = "52998224725", "11144477735"
CNPJ = "11222333000181"


def _frames(comparison: Comparison, left: dict[str, Any], right: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One-row left and right feature frames holding every column the comparison reads
    (those a row does not give are NULL, as the feature query gives them)."""
    columns = [comparison.field, *comparison.columns]
    return (pd.DataFrame([{c: left.get(c) for c in columns}], dtype=object),
            pd.DataFrame([{c: right.get(c) for c in columns}], dtype=object))


def level(field: str, left: dict[str, Any] | Any, right: dict[str, Any] | Any) -> str:
    """The label a pair reaches on ``field``; a bare value stands for {field: value}."""
    comparison = BY_FIELD[field]
    left = left if isinstance(left, dict) else {field: left}
    right = right if isinstance(right, dict) else {field: right}
    l, r = _frames(comparison, left, right)
    return comparison.labels[comparison.codes(l, r)[0]]


def doc(number: str | None, document_type: str | None = "CC", check: str = "unchecked") -> dict[str, Any]:
    return {"document_number": number, "document_type": document_type, "document_check": check}


def given_names(given: str | None, full: str | None) -> dict[str, Any]:
    return {"given_names": given, "full_name": full}


def full(name: str | None) -> dict[str, Any]:
    return {"full_name": name, "name_count": 1}


def phones(numbers: list[str], mobiles: list[str]) -> dict[str, Any]:
    """A customer's own phones, and those of them that are mobile lines."""
    return {"phones": numbers, "mobiles": mobiles or None}


def person(given: str, surnames: str = "") -> dict[str, Any]:
    """A person's name features: given names, and the full name with the surnames."""
    return {"given_names": given, "full_name": f"{given} {surnames}".strip(), "name_count": 1}


TABLES: dict[str, list[tuple[Any, Any, str]]] = {
    "document_number": [
        (doc("12345678"), doc("12345678"), "same number"),
        (doc("12345678"), doc("12345687"), "one digit off"),          # adjacent digits swapped
        (doc("12345678"), doc("12345679"), "one digit off"),          # one digit mistyped
        (doc("12345678"), doc("1234567"), "one digit off"),           # one digit dropped
        (doc(CPF_A, "CPF", "valid"), doc(CPF_B, "CPF", "valid"), "both valid, different"),
        (doc(CPF_A, "CPF", "valid"), doc("52998224726", "CPF", "invalid"), "one digit off"),
        (doc(CPF_A, "CPF", "valid"), doc(CNPJ, "CNPJ", "valid"), DIFFERENT),   # two types: no claim
        (doc("12345678"), doc("87654321"), DIFFERENT),
        (doc("1234"), doc("1235"), DIFFERENT),                        # too short for "one digit off"
        (doc(None), doc("12345678"), MISSING),
        (doc("12345678"), doc(None), MISSING),
    ],
    "full_name": [
        (full("maria jose garcia lopez"), full("maria jose garcia lopez"), "same name"),
        (full("maria jose garcia lopez"), full("lopez garcia maria jose"), "same names, other order"),
        (full("maria garcia lopez"), full("maria jose garcia lopez"), "a name missing on one side"),
        (full("maria jose garcia lopez"), full("maria jose garcia lopes"), "one typo"),
        (full("juan mcgilc hrist"), full("juan mcgilchrist"), "one typo"),          # a space too many
        (full("julia freitass"), full("julia giovanna freitas"), "a name missing and a typo"),
        (person("julia", "freitass"), person("julia giovanna", "freitas"), "a name missing and a typo"),
        # one typo in a short word, which Jaro-Winkler scores low (0.83)
        (person("jose", "dimz marin"), person("jose", "diaz"), "a name missing and a typo"),
        # two typos are not "a typo": a weaker level
        (person("julai", "freitass"), person("julia giovanna", "freitas"),
         "first name and surname alike, other names differ"),
        (person("castillo", "david"), person("david", "castillo mejia"), "a name missing on one side"),  # swapped
        (person("luz marina"), person("luz marina", "guzman"), "a name missing on one side"),  # no surname
        (person("", "quintero parra"), person("juan", "quintero parra"), "a name missing on one side"),  # no given name
        # the words within, but not the first given name and first surname: a middle name and a
        # second surname ("lorena parra"), or another first surname, are namesakes' as often
        (person("lorena", "parra"), person("maria lorena", "quintero parra"), DIFFERENT),
        (person("maria", "jaimes"), person("maria", "ortega jaimes"), DIFFERENT),
        # with a typo the places are not checked: the few random pairs that reach the level
        # then measured its u as a quarter, overstating such pairs in one city
        (person("lorena", "parrra"), person("maria lorena", "quintero parra"), "a name missing and a typo"),
        # a nickname for the first name, the other names of one side among the other's
        (person("pepe", "orozco"), person("jose abraham", "orozco parra"), "a nickname, the other names within"),
        (full("lucho lozano osorio"), full("luis lozano"), "a nickname, the other names within"),
        (full("pepe orozco"), full("jose garcia"), DIFFERENT),             # other surnames: another person
        # one record without the middle name, the other without the second surname
        (person("amanda lavinia", "simoes"), person("amanda", "simoes farias"),
         "same first name and surname, other names differ"),
        (person("carlos", "cardenas nunez"), person("carlos andres", "cardenas"),
         "same first name and surname, other names differ"),
        (person("andres", "castillo castillo"), person("andres", "castillo rivera"),
         "same first name and surname, other names differ"),
        # ... and either of the two one typo away, or the first name a nickname
        (person("ana lucia", "caballero"), person("ana", "clballero polo"),
         "first name and surname alike, other names differ"),
        (person("djego", "contreras ramirez"), person("diego giovanny", "contreras"),
         "first name and surname alike, other names differ"),
        (person("pepe", "rivrea"), person("jose", "rivera soto"), "first name and surname alike, other names differ"),
        # a nickname with a typo ("nacndo": nando, fernando)
        (person("nacndo", "buitrago"), person("fernando eduard", "buitrago jaramillo"),
         "first name and surname alike, other names differ"),
        # a nickname the table gives, though it looks like the other sex's form ("marian")
        (person("marian andrea", "rojas"), person("mariana", "rojas perez"),
         "first name and surname alike, other names differ"),
        (person("ana", "caballero polo"), person("ana", "castillo polo"), DIFFERENT),   # another surname
        # the masculine and feminine forms of a first name are two people (siblings), no typo
        (person("daniela", "vanegas"), person("daniel hernando", "vanegas murillo"), DIFFERENT),
        (person("bruna", "correia"), person("bruno", "correia rosa"), DIFFERENT),
        # as surnames, the two forms are one typo ("moreno" and "morena")
        (person("julia", "morena"), person("julia giovanna", "moreno"), "a name missing and a typo"),
        (person("mario", "garcia lopez"), person("maria", "garcia lopez"), "similar"),
        (person("carlos andres", "cardenas"), person("carlos", "nunez cardenas"), DIFFERENT),   # another first surname
        (person("carlos andres", "cardenas"), person("andres", "cardenas nunez"), DIFFERENT),  # another first name
        (person("amanda lavinia"), person("amanda", "simoes"), "given names only, the first alike"),  # no surname
        (full("pepe castillo castillo"), full("jose castillo rivera"), DIFFERENT),   # as long: each within the other
        (full("ana maria ruiz gomez"), full("eva maria ruiz gomez"), "similar"),
        (full("maria garcia"), full("pedro ramirez"), DIFFERENT),
        (full("maria garcia"), full("carlos ramirez"), DIFFERENT),
        # a lone "maria" within "maria garcia" is not "a name missing on one side" (within half
        # the customer base): a level of its own, weaker
        (full("bryan"), full("bryan arrieta rojas"), "one name only, found in the other"),
        (full("maria"), full("pedro garcia"), DIFFERENT),
        # given names only on one side (a WhatsApp profile): its first name like the other's
        (person("luaura"), person("laura cecilia", "acosta figueroa"), "given names only, the first alike"),
        (person("mafe"), person("maria fernanda", "cortes"), "given names only, the first alike"),
        (person("lz"), person("luz marina", "contreras"), "given names only, the first alike"),  # a letter lost
        # given names only against surnames only
        ({"given_names": None, "full_name": "quintero", "name_count": 1}, person("juan"), DIFFERENT),
        (person("mariana karina"), person("mariana", "sanchez"), "given names only, the first alike"),
        (person("pedro"), person("maria", "pedro garcia"), "one name only, found in the other"),
        (person("pedro"), person("maria", "garcia"), DIFFERENT),
        (person("maria", "garcia"), person("mariana", "garcia"), "one typo"),    # both have surnames
        (person("laura", "gomez"), person("lara", "ruiz"), DIFFERENT),
        (full("carlos alberto ramirez soto"), full("lucia soto ramirez"), DIFFERENT),   # relatives
        # as many words on both sides: no name is missing, so each must lie within the other
        # (either way round: a repeated word or a surname close to another is not enough)
        (full("andres castillo castillo"), full("andres castillo rivera"), DIFFERENT),
        (full("andres castillo rivera"), full("andres castillo castillo"), DIFFERENT),
        (full("rodrigo morales mora"), full("rodrigo paz mora"), DIFFERENT),
        (full(None), full("maria garcia"), MISSING),
    ],
    "given_names": [
        (given_names("maria jose", "maria jose garcia"), given_names("maria jose", "maria jose lopez"),
         "same given names"),
        (given_names("pepe", "pepe garcia"), given_names("jose", "jose garcia"), "same first name or its nickname"),
        (given_names("lucho", "lucho perez"), given_names("luis", "luis perez"), "same first name or its nickname"),
        (given_names("maria jose", "maria jose garcia"), given_names("maria", "maria garcia"),
         "same first name or its nickname"),
        (given_names("cristian", "cristian rojas"), given_names("christian", "christian rojas"),
         "similar first name"),
        # a typo in a short name, which Jaro-Winkler tells apart by its first letters; a nickname
        # with a typo ("ppe": pepe, jose); a nickname against a name with a typo ("amria": maria, mafe)
        (given_names("naa", "naa torres"), given_names("ana", "ana torres castillo"), "similar first name"),
        (given_names("ppe raul", "ppe raul osaya"), given_names("jose", "jose olaya"), "similar first name"),
        (given_names("amria fernanda", "amria fernanda meza"), given_names("mafe", "mafe"), "similar first name"),
        (given_names("lu", "lu rojas"), given_names("li", "li rojas"), "same initial"),  # too short for a typo
        # other names, not typos: another first letter ("mario" and "dario"); two names sharing a
        # nickname ("roberto" and "alberto": beto); a nickname of the other sex's name ("paco":
        # francisco, not francisca)
        (given_names("mario", "mario rojas"), given_names("dario", "dario rojas"), DIFFERENT),
        (given_names("roberto", "roberto rojas"), given_names("alberto", "alberto rojas"), DIFFERENT),
        (given_names("paco", "paco rojas"), given_names("francisca", "francisca rojas"), DIFFERENT),
        (given_names("bruno", "bruno rosa"), given_names("bruna", "bruna rosa"), "same initial"),
        (given_names("daniel", "daniel santos"), given_names("daniela aylla", "daniela aylla santos"), "same initial"),
        (given_names("fernanda", "fernanda neves"), given_names("fernando", "fernando neves"), "same initial"),  # "fer"
        (given_names("lopez", "lopez maria"), given_names("maria", "maria lopez"), "first name written as a surname"),
        (given_names("juan", "juan rojas"), given_names("jorge", "jorge rojas"), "same initial"),
        (given_names("juan", "juan rojas"), given_names("pedro", "pedro rojas"), DIFFERENT),
        (given_names(None, "rojas"), given_names("pedro", "pedro rojas"), MISSING),
    ],
    "birth_date": [
        ("1980-03-04", "1980-03-04", "same date"),
        ("1980-03-04", "1980-04-03", "day and month swapped"),
        ("1980-03-04", "1980-03-05", "one digit off"),
        ("1980-03-04", "1981-03-04", "one digit off"),
        ("1980-03-04", "1980-11-20", "same year"),
        ("1980-03-04", "1975-07-19", DIFFERENT),
        (None, "1980-03-04", MISSING),
    ],
    "business_name": [  # the core: folded, legal form removed
        ("distribuidora andina", "distribuidora andina", "same name"),
        ("distribuidora andina", "distribuidora andna", "one typo"),
        ("andina distribuidora", "distribuidora andina", "same words"),
        ("distribuidora andina", "distribuidora andina del caribe", "same words"),
        # a word abbreviated on one side, the others the same or one typo apart
        ("dist santa fe", "distribuidora santa fe", "same words, some abbreviated"),
        ("agropecuaria pires", "agrop pires", "same words, some abbreviated"),
        ("gpo perdomo", "grupo perdomo", "same words, some abbreviated"),
        ("auto pc mendes", "auto pecas mendes", "same words, some abbreviated"),
        ("dist colombiatna", "distribuidora colombiana", "same words, some abbreviated"),
        ("dist santa fe", "distribuidora santa rosa", DIFFERENT),           # another word, not a typo
        ("dist santa fe", "importadora santa fe", DIFFERENT),                # not an abbreviation of it
        ("dist", "distribuidora", DIFFERENT),                                # a lone word: too little
        ("ferreteria el tornillo", "ferreteria tornillo feliz", "similar"),
        ("distribuidora andina", "panaderia la espiga", DIFFERENT),
        ("distribuidora andina", None, MISSING),
    ],
    "legal_form": [
        ("SAS", "SAS", "same legal form"),
        ("SAS", "LTDA", DIFFERENT),
        (None, "SAS", MISSING),
    ],
    "emails": [
        (["ana.perez@gmail.com"], ["ana.perez@gmail.com"], "an e-mail in common"),
        (["ana.perez@gmail.com", "ventas@andina.co"], ["ventas@andina.co"], "an e-mail in common"),
        (["ana.perez@gmail.com"], ["ana.perez@hotmail.com"], "same user name elsewhere"),
        (["ana.perez@gmail.com"], ["perez.ana@gmail.com"], DIFFERENT),
        (None, ["ana.perez@gmail.com"], MISSING),
    ],
    "phones": [
        # a mobile line is one person's; a landline (or a line of unknown type) a household's
        (phones(["+573001234567"], ["+573001234567"]), phones(["+573001234567"], ["+573001234567"]),
         "a mobile in common"),
        (phones(["+573001234567", "+576012345678"], ["+573001234567"]),
         phones(["+573009876543", "+576012345678"], ["+573009876543"]), "a phone in common"),
        (["+573001234567"], ["+573001234567"], "a phone in common"),  # line types not known
        (["+573001234567", "+576012345678"], ["+576012345678"], "a phone in common"),
        (["+573001234567"], ["+573001234568"], DIFFERENT),
        # the last digits lost on one side (an invalid number), even among other phones
        (["+573001234567"], ["+5730012345"], "a phone in common, cut short on one side"),
        (["+576012345678", "+5730012345"], ["+573001234567"], "a phone in common, cut short on one side"),
        (["+573001234567"], ["+57300123"], DIFFERENT),               # too little of it left
        (["+573001234567", "+57300123"], ["+573001234599"], DIFFERENT),   # ... beside a neighbouring line
        (["+573001234567"], ["+5730012346"], DIFFERENT),             # another start
        (["+573001234567"], None, MISSING),
    ],
    "address": [  # contact_details.value_norm of the latest address
        ("calle 10 20 30", "calle 10 20 30", "same address"),
        ("calle 10 20 30 apartamento 401", "calle 10 20 30", "same address"),
        ("calle 10 20 30", "calle 10 20 31", "similar address"),
        ("calle 10 20 30", "carrera 10 20 30", "similar address"),
        ("calle 10 20 30", "calle 45 12 8", "partly similar address"),
        ("calle 10 20 30", "rua visconde de piraja 1092", DIFFERENT),
        (None, "calle 10 20 30", MISSING),
    ],
    "city": [
        ("bogota", "bogota", "same city"),
        ("bogota", "bogta", "similar city"),
        ("bogota", "medellin", DIFFERENT),
        ("bogota", None, MISSING),
    ],
}


def test_every_field_has_a_table_reaching_every_level() -> None:
    assert set(TABLES) == set(BY_FIELD)
    for field, rows in TABLES.items():
        assert {label for _, _, label in rows} == set(BY_FIELD[field].labels), field


def _shown(value: Any, field: str) -> str:
    return str(value.get(field) if isinstance(value, dict) else value)


@pytest.mark.parametrize("field, left, right, expected", [
    pytest.param(f, l, r, e, id=f"{f}: {_shown(l, f)} ~ {_shown(r, f)} -> {e}")
    for f, rows in TABLES.items() for l, r, e in rows])
def test_level_table(field: str, left: Any, right: Any, expected: str) -> None:
    assert level(field, left, right) == expected
    assert level(field, right, left) == expected  # either side first


def test_codes_over_a_batch_match_one_by_one() -> None:
    """The levels are computed over the whole batch, each level only on the pairs still
    undecided: a batch gives what each pair gives alone."""
    for field, rows in TABLES.items():
        comparison = BY_FIELD[field]
        frames = [_frames(comparison, *(v if isinstance(v, dict) else {field: v} for v in (l, r))) for l, r, _ in rows]
        left = pd.concat([f[0] for f in frames], ignore_index=True)
        right = pd.concat([f[1] for f in frames], ignore_index=True)
        assert [comparison.labels[c] for c in comparison.codes(left, right)] == [e for _, _, e in rows], field


# ---- properties ----------------------------------------------------------------------------

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
_words = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_digits = st.text(alphabet="0123456789", min_size=4, max_size=12)
_date = st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)).map(lambda d: d.strftime("%Y-%m-%d"))
_email = st.tuples(_word, _word).map(lambda t: f"{t[0]}@{t[1]}.com")
_phone = st.text(alphabet="0123456789", min_size=7, max_size=10).map(lambda d: "+57" + d)


def _value(field: str) -> st.SearchStrategy[dict[str, Any]]:
    """A feature row for ``field``, or NULL."""
    strategies: dict[str, st.SearchStrategy] = {
        "document_number": st.builds(doc, _digits, st.sampled_from(["CC", "CPF", "NIT"]),
                                     st.sampled_from(["valid", "invalid", "unchecked"])),
        "full_name": _words.map(full),
        "given_names": st.tuples(_words, _words).map(lambda t: given_names(t[0], f"{t[0]} {t[1]}")),
        "birth_date": _date.map(lambda d: {"birth_date": d}),
        "business_name": _words.map(lambda w: {"business_name": w}),
        "legal_form": st.sampled_from(["SAS", "SA", "LTDA", "EIRELI", "SPA"]).map(lambda f: {"legal_form": f}),
        "emails": st.lists(_email, min_size=1, max_size=3).map(lambda e: {"emails": e}),
        "phones": st.lists(_phone, min_size=1, max_size=3).map(lambda p: phones(p, p)),  # mobile lines
        "address": st.lists(st.one_of(_word, _digits), min_size=1, max_size=6).map(lambda w: {"address": " ".join(w)}),
        "city": _words.map(lambda w: {"city": w}),
    }
    return strategies[field]


def _text_variant(data: st.DataObject, text: str) -> str:
    """``text`` as another record might write it: a letter dropped or doubled, two letters
    swapped, the words shuffled, a word dropped, or something else entirely."""
    how = data.draw(st.sampled_from(["same", "drop", "double", "swap", "shuffle", "drop word", "other"]))
    i = data.draw(st.integers(0, max(len(text) - 2, 0)))
    words = text.split()
    if how == "drop" and len(text) > 1:
        return text[:i] + text[i + 1:]
    if how == "double":
        return text[:i] + text[i] + text[i:]
    if how == "swap" and len(text) > 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if how == "shuffle":
        return " ".join(data.draw(st.permutations(words)))
    if how == "drop word" and len(words) > 1:
        return " ".join(w for k, w in enumerate(words) if k != i % len(words))
    if how == "other":
        return data.draw(_words)
    return text


def _variant(data: st.DataObject, field: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row compared with ``row``: often a variant of it, sometimes unrelated or missing."""
    kind = data.draw(st.sampled_from(["variant", "variant", "variant", "unrelated", "missing"]))
    if kind == "missing":
        return {}
    if kind == "unrelated":
        return data.draw(_value(field))
    out = dict(row)
    value = row[field]
    if isinstance(value, list):
        extra = data.draw(_value(field))[field]
        out[field] = data.draw(st.sampled_from([value + extra, value[1:] or extra,
                                                [v.replace(".com", ".co") for v in value], extra]))
    elif field == "birth_date":
        out[field] = data.draw(st.sampled_from([value, value[:5] + value[8:10] + "-" + value[5:7],
                                                value[:9] + str((int(value[9]) + 1) % 10), value[:4] + "-12-31"]))
    else:
        out[field] = _text_variant(data, value)
        if field == "given_names":
            out["full_name"] = f"{out[field]} {row['full_name'].split()[-1]}"
        if field == "document_number" and not out[field]:
            out[field] = value
    return out


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_value_compared_with_itself_reaches_the_first_level(data: st.DataObject) -> None:
    for comparison in COMPARISONS:
        rows = data.draw(st.lists(_value(comparison.field), min_size=1, max_size=10), label=comparison.field)
        frame = pd.concat([_frames(comparison, r, r)[0] for r in rows], ignore_index=True)
        assert (comparison.codes(frame, frame.copy()) == 0).all(), comparison.field


def _drawn_pairs(data: st.DataObject, comparison: Comparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Left and right feature frames of up to ten pairs: drawn values and variants of them."""
    field = comparison.field
    lefts = data.draw(st.lists(_value(field), min_size=1, max_size=10), label=f"{field} left")
    rights = [_variant(data, field, row) for row in lefts]
    pairs = [_frames(comparison, l, r) for l, r in zip(lefts, rights)]
    return pd.concat([p[0] for p in pairs], ignore_index=True), pd.concat([p[1] for p in pairs], ignore_index=True)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_levels_are_symmetric(data: st.DataObject) -> None:
    for comparison in COMPARISONS:
        left, right = _drawn_pairs(data, comparison)
        forward, backward = comparison.codes(left, right), comparison.codes(right, left)
        assert [comparison.labels[c] for c in forward] == [comparison.labels[c] for c in backward], \
            (comparison.field, left, right)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_word_codes_kept_for_a_run_give_the_levels_of_words_coded_per_batch(data: st.DataObject) -> None:
    """Scoring codes each customer's words once (with_word_codes) and the tests read those
    codes; a frame without them (as here above) is coded per batch. Both give one level."""
    for comparison in COMPARISONS:
        left, right = _drawn_pairs(data, comparison)
        per_batch = comparison.codes(left, right)
        customers = with_word_codes(pd.concat([left, right], ignore_index=True)
                                    .drop(columns=[c for c in left if c.endswith("_words")]))
        kept = comparison.codes(customers.iloc[:len(left)].reset_index(drop=True),
                                customers.iloc[len(left):].reset_index(drop=True))
        assert [comparison.labels[c] for c in kept] == [comparison.labels[c] for c in per_batch], \
            (comparison.field, left, right)


def test_words_are_coded_once_in_one_vocabulary_as_wide_as_each_fields_longest_value() -> None:
    """with_word_codes: a word is one code in every field (a name's "ana" is an e-mail's user
    name "ana"), split at any run of spaces, -1 past a value's last word or for a missing
    value, and each word field gets as many code columns as its longest value has words."""
    customers = pd.DataFrame({"full_name": [" ana  maria", "maria ana", None],
                              "emails": [["ana@x.co", "@y.co"], None, ["bo@z.co"]]})
    coded = with_word_codes(customers)
    names = coded[["full_name_words:0", "full_name_words:1"]].to_numpy()
    users = coded[["email_users_words:0"]].to_numpy()
    emails = coded[["emails_words:0", "emails_words:1"]].to_numpy()
    ana, maria = names[0]
    assert ana != maria and names[1].tolist() == [maria, ana] and names[2].tolist() == [-1, -1]
    assert "full_name_words:2" not in coded  # no name has three words
    assert "email_users_words:1" not in coded  # "@y.co" has no user name
    assert users[:, 0].tolist()[:2] == [ana, -1] and users[2][0] not in (ana, maria, -1)
    assert len({*emails[0], *emails[2]} - {ana, maria, users[2][0], -1}) == 3  # whole addresses: words of their own
    assert list(customers.columns) == ["full_name", "emails"]  # the caller's frame is left alone
    assert with_word_codes(coded) is coded  # coded once
