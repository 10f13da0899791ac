"""Has anything changed since the last consolidation? (The nightly run does no work when not.)

The state is a text summarising the customer base as matching sees it (merge/sql/
select_customer_base_state.sql) and the matching and merge settings; the consolidation flow
stores it in its run's summary after its last step, and compares it after the next ingest.
"""
from __future__ import annotations

import duckdb

from merge.warehouse import fetch_sql
from unifica.config import Config


def base_state(con: duckdb.DuckDBPyConnection, config: Config) -> str:
    """The customer base and the settings that decide what matching does with it, as one text."""
    (state,) = fetch_sql(con, "select_customer_base_state")[0]
    return f"{state}|{config.matching}|{config.merge}"


def last_consolidated(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """The state the last successful consolidation left, and its run id; None before the first."""
    rows = fetch_sql(con, "select_last_consolidated_state")
    return (rows[0][0], rows[0][1]) if rows else None
