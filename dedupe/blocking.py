"""Blocking: which pairs of customers are worth comparing (DESIGN.md, "Matching").

``BLOCKING_RULES`` are named rules, unioned. Each rule is a key expression — DuckDB SQL over
one row of ``blocking_customers`` (merge/sql/stage_blocking_customers.sql) giving a LIST of
text keys — and a maximum block size. Two customers of the same type, active or merged (as
they were ingested), that share a key of a rule are a candidate pair; the pair remembers
every rule that found it. A key shared by more customers than its rule's maximum (a call
centre's phone, a shop's shared mailbox, a very common name) is too common to mean anything:
it gives no pairs and is reported instead. (A placeholder such as ``sin@correo.com`` never
gets that far: it is no valid e-mail, so no key.)

Everything is set-based in DuckDB (key tables and a self-join on the key); nothing loops
over pairs in Python.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from dedupe.cities import city_key
from dedupe.names import NAME_PARTICLES
from merge.warehouse import fetch_sql, run_sql, run_sql_template

BLOCKING_MEMORY = "2GB"
CANDIDATES_TABLE = "blocking_candidates"  # temp table: customer_id_l, customer_id_r, rule_mask, blocking_rules


@dataclass(frozen=True)
class BlockingRule:
    """One named way of proposing pairs: customers sharing a key of ``keys`` are candidates.

    ``keys`` is a DuckDB expression over a ``blocking_customers`` row giving a LIST of text
    (NULL or empty keys are ignored); ``max_block_size`` is the most customers one key may
    have and still give pairs. ``fields`` names the comparisons (dedupe/comparisons.py) its
    pairs agree on because of the key: the model does not learn those fields from this
    rule's pairs (dedupe/model.py).
    """

    name: str
    keys: str
    max_block_size: int
    description: str = ""
    fields: tuple[str, ...] = ()  # comparison fields the rule's pairs agree on by construction


# Building blocks of the key expressions (columns of blocking_customers: document_number,
# given_names, surnames, name_tokens, birth_date, business_tokens, phones, emails).
_ONE_DELETED = "[document_number[:i - 1] || document_number[i + 1:] FOR i IN range(1, length(document_number) + 1)]"
_NAME_PAIRS = "flatten([[least(g, s) || ' ' || greatest(g, s) FOR s IN surnames] FOR g IN given_names])"


# The street and number of an address: its words up to the first one holding a digit and the
# next word when it holds one too ("carrera 11c 77 20 apartamento 1404" -> "carrera 11c 77",
# "rua augusta 1261 conj 1504 moema" -> "rua augusta 1261"): what stays when one record adds
# the flat, the office or the neighbourhood and the other leaves it out. NULL without a digit.
_STREET = r"nullif(regexp_extract(address, '^\D*?\S*\d\S*(?: \S*\d\S*)?'), '')"


def _one_deleted(token: str) -> str:
    """SQL: the LIST of ``token`` with each one letter deleted (empty for tokens under 4 letters:
    deleting from a 3-letter token leaves too little to mean anything)."""
    return (f"CASE WHEN length({token}) >= 4 THEN [{token}[:i - 1] || {token}[i + 1:] "
            f"FOR i IN range(1, length({token}) + 1)] ELSE [] END")


def _pair(a: str, b: str) -> str:
    return f"least({a}, {b}) || ' ' || greatest({a}, {b})"


# A (given, surname) pair as it is, with one letter of the given name deleted, or one of the
# surname: two pairs one typo apart in one of the names (substitution, insertion, deletion,
# adjacent transposition) share a key.
_NAME_PAIRS_ONE_OFF = (
    f"flatten(flatten([[[{_pair('g', 's')}] || [{_pair('x', 's')} FOR x IN {_one_deleted('g')}] "
    f"|| [{_pair('g', 'x')} FOR x IN {_one_deleted('s')}] FOR s IN surnames] FOR g IN given_names]))")

BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(
        "document_number", "[document_number]", 8,
        "same document number (any document type)",
        fields=("document_number",)),
    BlockingRule(
        "document_number_one_off", f"[document_number] || {_ONE_DELETED}", 8,
        "document numbers one substitution, insertion, deletion or adjacent transposition apart: "
        "the number with each one position deleted, plus the number itself",
        fields=("document_number",)),
    BlockingRule(
        "phone", "phones", 12,
        "a phone number in common (E.164)",
        fields=("phones",)),
    BlockingRule(
        "email", "emails", 12,
        "a valid e-mail address in common",
        fields=("emails",)),
    BlockingRule(
        "name_pair", _NAME_PAIRS, 25,
        "a given-name token and a surname token in common, in either role (swapped names, "
        "compound names written in one field or two, a missing middle or second surname)",
        fields=("full_name", "given_names")),
    BlockingRule(
        "name_pair_one_off", _NAME_PAIRS_ONE_OFF, 12,
        "a given-name token and a surname token in common, one of them with one typo",
        fields=("full_name", "given_names")),
    BlockingRule(
        "name_triple",
        "CASE WHEN len(name_tokens) >= 3 THEN flatten(flatten([[[a || ' ' || b || ' ' || c "
        "FOR c IN name_tokens IF b < c] FOR b IN name_tokens IF a < b] FOR a IN name_tokens])) END", 20,
        "three name tokens in common: still rare when a given name and surname pair is common "
        "(a third name missing or misspelt on one side)",
        fields=("full_name", "given_names")),
    BlockingRule(
        "name_pair_city", "[p || ' ' || city FOR p IN " + _NAME_PAIRS + "]", 20,
        "a given-name token and a surname token in common, in the same city",
        fields=("full_name", "city")),
    BlockingRule(
        "surname_pair", "CASE WHEN len(surnames) >= 2 THEN [array_to_string(list_sort(surnames[:2]), ' ')] END", 30,
        "both surnames in common (a nickname or a typo in the given names)",
        fields=("full_name",)),
    BlockingRule(
        "name_token_birth_date", "[t || ' ' || birth_date FOR t IN name_tokens]", 20,
        "a name token and the date of birth in common (a typo or nickname in the other names)",
        fields=("full_name", "given_names", "birth_date")),
    BlockingRule(
        "birth_date_initial", "[birth_date || ' ' || given_names[1][1]]", 20,
        "date of birth and the first given name's initial",
        fields=("given_names", "birth_date")),
    BlockingRule(
        "birth_date_city", "[birth_date || ' ' || city]", 20,
        "date of birth and city in common (names too mangled, or too short, for a name key)",
        fields=("birth_date", "city")),
    BlockingRule(
        "name_word_street", f"[w || ' ' || {_STREET} FOR w IN name_tokens || coalesce(business_tokens, [])]", 12,
        "a name word (a person's given name or surname, a word of a company's name) and the "
        "street and number in common: a common name whose other words are misspelt, at the "
        "address the customer gave each time",
        fields=("full_name", "given_names", "business_name", "address")),
    BlockingRule(
        "company_name", "[business_name]", 12,
        "same business name without its legal form",
        fields=("business_name",)),
    BlockingRule(
        "company_name_tokens",
        "[array_to_string(business_tokens[:2], ' '), array_to_string(list_sort(business_tokens), ' '), "
        "CASE WHEN len(business_tokens) >= 2 "
        "THEN business_tokens[1][:3] || ' ' || array_to_string(business_tokens[2:], ' ') END]", 12,
        "business name's first two words, its words sorted, or its first word cut to three letters "
        "and the others (an abbreviated first word: 'Dist.' for 'Distribuidora')",
        fields=("business_name",)),
    BlockingRule(
        "company_name_one_off", f"[business_name] || {_one_deleted('business_name')}", 12,
        "business names one typo apart",
        fields=("business_name",)),
)


@dataclass
class BlockingResult:
    """The candidate pairs of one blocking run and what each rule contributed.

    ``table`` names a temp table of the connection (customer_id_l, customer_id_r,
    rule_mask BIGINT with bit i set for rule i, blocking_rules TEXT[]); ``pairs_per_rule`` counts the pairs each rule found (a pair
    found by two rules counts for both); ``oversized_keys`` counts per rule the keys skipped
    for being shared by too many customers and ``largest_skipped`` shows the biggest few.
    """

    table: str
    customers: int
    pairs: int
    pairs_per_rule: dict[str, int]
    oversized_keys: dict[str, int]
    largest_skipped: dict[str, list[tuple[str, int]]]
    seconds: float
    seconds_per_step: dict[str, float] = field(default_factory=dict)

    def arrow(self, con: duckdb.DuckDBPyConnection) -> pa.Table:
        """The candidate pairs as an Arrow table, ordered by the pair."""
        return con.execute(f"SELECT * FROM {self.table} ORDER BY customer_id_l, customer_id_r").fetch_arrow_table()

    def line(self) -> str:
        """One line for a command's summary."""
        per_rule = ", ".join(f"{name} {n:,}" for name, n in self.pairs_per_rule.items())
        skipped = sum(self.oversized_keys.values())
        return (f"{self.pairs:,} candidate pairs among {self.customers:,} customers ({per_rule}); "
                f"{skipped:,} over-common keys skipped; {self.seconds:.1f} s")


def candidate_pairs(con: duckdb.DuckDBPyConnection, rules: tuple[BlockingRule, ...] = BLOCKING_RULES, *,
                    only_changed: bool = False, refresh_all: bool = False) -> BlockingResult:
    """Block the warehouse's active and merged customers with ``rules`` (their union).

    Blocking reads the features matching kept of each customer (``match_features``), taking
    them afresh (temp table ``fresh_features``, merge/sql/stage_fresh_features.sql) for the
    customers that are new or changed since, or for all with ``refresh_all``; the caller
    keeps them when it stores its result.

    Returns a BlockingResult whose ``table`` is the temp table ``blocking_candidates`` of
    ``con``. With ``only_changed``, only pairs with a new or changed customer (one of
    ``fresh_features``) on a side are kept: the others were proposed before. Block sizes are
    still counted over all customers.
    """
    if not rules:
        raise ValueError("candidate_pairs needs at least one blocking rule")
    if len(rules) > 63:
        raise ValueError("at most 63 blocking rules (one bit each)")
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = steps.get(name, 0.0) + now - since
        return now

    # DuckDB may take 80 % of the machine by default; blocking a million customers peaks near
    # 4 GB unbounded, so it is held to BLOCKING_MEMORY and spills to disk beyond
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{BLOCKING_MEMORY}'")
    try:
        return _block(con, rules, only_changed, refresh_all, started, steps, step)
    finally:
        con.execute(f"SET memory_limit = '{limit}'")


def _block(con: duckdb.DuckDBPyConnection, rules: tuple[BlockingRule, ...], only_changed: bool, refresh_all: bool,
           started: float, steps: dict[str, float], step: Callable[[str, float], float]) -> BlockingResult:
    t = time.perf_counter()
    # each city folded as written, with the name matching compares it by (dedupe/cities.py)
    cities = [row[0] for row in fetch_sql(con, "select_customer_cities")]
    con.register("city_keys", pa.table({"city_folded": pa.array(cities, pa.string()),
                                        "city": pa.array([city_key(c) for c in cities], pa.string())}))
    try:
        run_sql(con, "stage_fresh_features", particles=sorted(NAME_PARTICLES), everything=refresh_all)
    finally:
        con.unregister("city_keys")
    run_sql(con, "stage_blocking_customers")
    t = step("features", t)
    con.execute("CREATE OR REPLACE TEMP TABLE blocking_keys "
                "(rule_no INTEGER NOT NULL, customer_type TEXT NOT NULL, key TEXT NOT NULL, customer_id BIGINT NOT NULL)")
    for rule_no, rule in enumerate(rules):
        run_sql_template(con, "insert_blocking_keys", {"keys": rule.keys}, rule_no=rule_no)
    t = step("keys", t)
    run_sql(con, "stage_blocking_blocks", max_sizes=[r.max_block_size for r in rules])
    t = step("blocks", t)
    run_sql(con, "stage_blocking_candidates", incremental=only_changed, rule_names=[r.name for r in rules])
    t = step("pairs", t)

    names = [r.name for r in rules]
    customers = con.execute("SELECT count(*) FROM blocking_customers").fetchall()[0][0]
    pairs = con.execute(f"SELECT count(*) FROM {CANDIDATES_TABLE}").fetchall()[0][0]
    found = dict(con.execute(f"SELECT rule, count(*) FROM (SELECT unnest(blocking_rules) AS rule "
                             f"FROM {CANDIDATES_TABLE}) GROUP BY rule").fetchall())
    oversized = dict(con.execute("SELECT rule_no, count(*) FROM blocking_blocks WHERE oversized "
                                 "GROUP BY rule_no").fetchall())
    largest: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
    for rule_no, key, size in con.execute(
            "SELECT rule_no, key, customers FROM blocking_blocks WHERE oversized "
            "QUALIFY row_number() OVER (PARTITION BY rule_no ORDER BY customers DESC, key) <= 3 "
            "ORDER BY rule_no, customers DESC, key").fetchall():
        largest[names[rule_no]].append((key, size))
    step("summary", t)
    return BlockingResult(
        table=CANDIDATES_TABLE, customers=customers, pairs=pairs,
        pairs_per_rule={name: found.get(name, 0) for name in names},
        oversized_keys={name: oversized.get(i, 0) for i, name in enumerate(names)},
        largest_skipped=largest, seconds=time.perf_counter() - started, seconds_per_step=steps)


def drop_blocking_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables blocking and comparing left on ``con`` (once they are read), but
    ``fresh_features``: the caller stores it with its result (``drop_fresh_features``)."""
    for table in ("blocking_customers", "blocking_keys", "blocking_blocks", CANDIDATES_TABLE,
                  "comparison_customers"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def drop_fresh_features(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the features blocking took of new and changed customers (once stored, or not wanted)."""
    con.execute("DROP TABLE IF EXISTS fresh_features")
