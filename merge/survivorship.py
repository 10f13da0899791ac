"""Survivorship: which customer of a group becomes the main customer (DESIGN.md, "Matching").

The rules are configurable (``[merge] survivorship``), applied in order, each breaking the
ties of the one before; the smallest customer id breaks the last tie, so the choice is
always the same for the same warehouse.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

from merge.warehouse import registered, run_sql, run_sql_template
from unifica.errors import UnificaError

# Rule name -> ORDER BY term over rank_main_customers.sql's `scored` columns.
SURVIVORSHIP_RULES: dict[str, str] = {
    "most_complete": "completeness DESC",      # most basic fields, valid document, contact kinds
    "most_recent": "last_updated DESC NULLS LAST",  # most recently updated by its sources
    "oldest": "created_at ASC",                 # first known to the warehouse
    "newest": "created_at DESC",
}
DEFAULT_SURVIVORSHIP = ("most_complete", "most_recent", "oldest")


def check_rules(rules: Sequence[str], where: str = "[merge] survivorship") -> tuple[str, ...]:
    """The rules, checked; an unknown one is a ``UnificaError`` naming the known ones."""
    for rule in rules:
        if rule not in SURVIVORSHIP_RULES:
            raise UnificaError(f"{where}: {rule!r} is not a survivorship rule "
                               f"(rules: {', '.join(SURVIVORSHIP_RULES)})")
    if not rules:
        raise UnificaError(f"{where}: name at least one rule (rules: {', '.join(SURVIVORSHIP_RULES)})")
    return tuple(rules)


def rank_groups(con: duckdb.DuckDBPyConnection, rules: Sequence[str] = DEFAULT_SURVIVORSHIP) -> pd.DataFrame:
    """Rank the customers of every group in the temp table ``survivor_groups``; returns
    group_id, customer_id, survivor_rank (1 = main customer), by group then rank."""
    order = ", ".join(SURVIVORSHIP_RULES[r] for r in check_rules(rules))
    return run_sql_template(con, "rank_main_customers", {"order": order}).df()


def rank_customers(con: duckdb.DuckDBPyConnection, customer_ids: Iterable[int],
                   rules: Sequence[str] = DEFAULT_SURVIVORSHIP) -> list[int]:
    """The given customers, best main customer first."""
    ids = [int(c) for c in customer_ids]
    groups = pd.DataFrame({"group_id": [0] * len(ids), "customer_id": ids}, dtype="int64")
    with registered(con, survivor_groups_in=groups):
        run_sql(con, "stage_survivor_groups")
    return [int(c) for c in rank_groups(con, rules).customer_id]


def main_customer(con: duckdb.DuckDBPyConnection, customer_ids: Iterable[int],
                  rules: Sequence[str] = DEFAULT_SURVIVORSHIP) -> int:
    """The customer survivorship chooses as main among ``customer_ids``."""
    return rank_customers(con, customer_ids, rules)[0]

