"""Golden cases: small situations a steward knows the answer to (tests/data/<case>/), ingested
through the real ingest on top of generated background customers (tests/golden.py) and scored
with the default [matching] thresholds; each expected pair must end in its expected state."""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dedupe.blocking import BLOCKING_RULES, candidate_pairs, drop_blocking_tables, drop_fresh_features
from dedupe.scoring import COMMON_CONTACT_CUSTOMERS, COMMON_DATE_TIMES, score_candidates
from merge.warehouse import open_warehouse, run_sql
from tests.golden import EXPECTATIONS, build_background, customer_of, golden_cases, ingest_cases, pair_state
from unifica.config import MatchingConfig

CASES = golden_cases()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The background and every golden case in one warehouse, scored once."""
    folder = tmp_path_factory.mktemp("golden")
    warehouse = ingest_cases(build_background(folder / "background"), CASES, folder / "warehouse")
    with open_warehouse(warehouse) as con:
        score_candidates(con, MatchingConfig())
        yield con


def _params() -> list:
    params = []
    for case in CASES:
        for left, right, expected, known_bug in case.expected_pairs():
            marks = [pytest.mark.xfail(strict=True, reason=known_bug)] if known_bug else []
            params.append(pytest.param(case.name, left, right, expected, marks=marks,
                                       id=f"{case.name}: {left}-{right} {expected}"))
    return params


def test_there_are_golden_cases() -> None:
    assert {c.name for c in CASES} >= {"accent_and_typo", "swapped_names", "compound_surnames", "mistyped_document",
                                       "relatives", "namesakes", "company_legal_suffix", "person_and_company"}


@pytest.mark.parametrize("case, left, right, expected", _params())
def test_expected_pair_state(scored: duckdb.DuckDBPyConnection, case: str, left: str, right: str,
                             expected: str) -> None:
    state, probability, levels = pair_state(scored, customer_of(scored, case, left), customer_of(scored, case, right))
    assert state in EXPECTATIONS[expected], f"{case} {left}-{right}: {state} at {probability}, levels {levels}"


def test_company_suffix_variants_are_one_name(scored: duckdb.DuckDBPyConnection) -> None:
    """"Distribuidora Andina S.A.S." and "DISTRIBUIDORA ANDINA SAS" agree on the whole name."""
    _, _, levels = pair_state(scored, customer_of(scored, "company_legal_suffix", "CL1"),
                              customer_of(scored, "company_legal_suffix", "CL2"))
    assert levels["business_name"] == "same name"


def test_a_person_and_a_company_are_never_one_pair(scored: duckdb.DuckDBPyConnection) -> None:
    """Not in this case only: no candidate pair anywhere mixes the two customer types."""
    mixed = scored.execute("""
        SELECT count(*) FROM candidate_pairs p
        JOIN customers l ON l.customer_id = p.customer_id_l
        JOIN customers r ON r.customer_id = p.customer_id_r
        WHERE l.customer_type <> r.customer_type""").fetchall()[0][0]
    assert mixed == 0


def test_a_phone_many_customers_give_is_no_customers_own(scored: duckdb.DuckDBPyConnection) -> None:
    """The call centre's own phone, typed in for 15 callers: kept with the model as too common,
    and two namesakes sharing it do not agree on a phone (they would be auto-merged)."""
    _, probability, levels = pair_state(scored, customer_of(scored, "call_centre_phone", "CC01"),
                                        customer_of(scored, "call_centre_phone", "CC02"))
    assert levels is None or levels["phones"] not in ("a mobile in common", "a phone in common"), (probability, levels)
    common = dict(scored.execute("SELECT contact, customers FROM match_common_contacts").fetchall())
    assert common.get("+576015550000", 0) >= 15


def test_a_birth_date_far_more_customers_give_is_no_ones_own(scored: duckdb.DuckDBPyConnection) -> None:
    """A form's default date, given by 22 customers: kept with the model as too common, and
    two namesakes giving it do not agree on a date of birth (they would be auto-merged)."""
    _, probability, levels = pair_state(scored, customer_of(scored, "placeholder_birth_date", "PB01"),
                                        customer_of(scored, "placeholder_birth_date", "PB02"))
    assert levels is None or levels["birth_date"] == "missing", (probability, levels)
    common = {(t, d): n for t, d, n in scored.execute(
        "SELECT customer_type, birth_date, customers FROM match_common_birth_dates").fetchall()}
    assert common == {("person", "1900-01-01"): 22}   # no real date of the background stands out


def test_a_city_written_another_way_is_the_same_city(scored: duckdb.DuckDBPyConnection) -> None:
    """"Santiago de Cali" and "CALI", "São Paulo - SP" and "Sao Paulo", "B/quilla" and
    "Barranquilla": each pair agrees on its city, which matching keeps by one name."""
    for left, right, city in (("OC1", "OC2", "cali"), ("OC3", "OC4", "sao paulo"), ("OC5", "OC6", "barranquilla")):
        ids = [customer_of(scored, "one_city_other_names", left), customer_of(scored, "one_city_other_names", right)]
        _, probability, levels = pair_state(scored, *ids)
        assert levels is not None and levels["city"] == "same city", (left, right, probability, levels)
        kept = scored.execute("SELECT DISTINCT city FROM match_features WHERE customer_id IN (?, ?)", ids).fetchall()
        assert kept == [(city,)]


@contextlib.contextmanager
def _comparison_customers(scored: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """``comparison_customers`` as an incremental run's comparisons read it (the name shares
    and common contacts kept with the model), dropped again after."""
    candidate_pairs(scored, BLOCKING_RULES, only_changed=False)
    try:
        run_sql(scored, "stage_name_counts", frozen=True)
        run_sql(scored, "stage_name_words", frozen=True)
        run_sql(scored, "stage_common_contacts", frozen=True, most=COMMON_CONTACT_CUSTOMERS)
        run_sql(scored, "stage_common_birth_dates", frozen=True, most=COMMON_CONTACT_CUSTOMERS, times=COMMON_DATE_TIMES)
        run_sql(scored, "stage_comparison_customers", auto_merge=MatchingConfig().auto_merge)
        yield
    finally:
        drop_blocking_tables(scored)
        drop_fresh_features(scored)
        for table in ("name_counts", "name_words", "common_contacts", "common_birth_dates", "comparison_customers"):
            scored.execute(f"DROP TABLE IF EXISTS {table}")


def test_a_customers_mobiles_are_its_own_phones_of_mobile_lines(scored: duckdb.DuckDBPyConnection) -> None:
    """What "a mobile in common" compares: of each customer's own phones, those whose line
    type (phonenumbers, at ingest) is mobile; a landline is left out."""
    with _comparison_customers(scored):
        rows = scored.execute("SELECT customer_id, phones, mobiles FROM comparison_customers "
                              "WHERE phones IS NOT NULL").fetchall()
    line_types = dict(scored.execute("SELECT DISTINCT value_norm, line_type FROM contact_details "
                                     "WHERE kind = 'phone'").fetchall())
    landlines = 0
    for customer, phones, mobiles in rows:
        own = phones.split()
        assert (mobiles or "").split() == sorted(p for p in own if line_types.get(p) == "mobile"), customer
        landlines += sum(line_types.get(p) == "fixed" for p in own)
    assert len(rows) > 100 and landlines > 10


def test_a_names_share_is_the_product_of_its_words_shares(scored: duckdb.DuckDBPyConnection) -> None:
    """How rare a whole name is (comparisons' "same name"): each word's share of the persons
    whose name holds it, kept with the model, multiplied over the name's distinct words."""
    shares = dict(scored.execute("SELECT word, share FROM match_name_words WHERE customer_type = 'person'").fetchall())
    persons = scored.execute("""
        SELECT count(*) FROM match_features JOIN customers c USING (customer_id)
        WHERE c.customer_type = 'person' AND c.status IN ('active', 'merged')""").fetchall()[0][0]
    for word in ("maria", "garcia", "marquez"):   # compound_surnames: "García Márquez"
        holders = scored.execute("""
            SELECT count(*) FROM match_features f JOIN customers c USING (customer_id)
            WHERE c.customer_type = 'person' AND c.status IN ('active', 'merged')
              AND list_contains(f.given_names || f.surnames, ?)""", [word]).fetchall()[0][0]
        assert holders > 0 and shares[word] == pytest.approx(holders / persons), word
    with _comparison_customers(scored):
        names = scored.execute("""
            SELECT full_name, name_share FROM comparison_customers
            WHERE customer_type = 'person' AND full_name IS NOT NULL""").fetchall()
    assert len(names) > 100
    for full_name, name_share in names:
        assert name_share == pytest.approx(sum(math.log(shares[w]) for w in set(full_name.split()))), full_name
