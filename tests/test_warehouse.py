"""The warehouse: every DESIGN.md table and view exists, created by versioned migrations;
an older file is upgraded in place, never recreated."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from merge.warehouse import migrate, migrations, open_warehouse, schema_version
from unifica.errors import UnificaError

DESIGN_TABLES = {"source_records", "customers", "customer_sources", "contact_details", "accounts", "tickets",
                 "attachments", "customer_relations", "candidate_pairs", "review_decisions", "merge_events",
                 "quarantine", "runs"}
DESIGN_VIEWS = {"record_resolution", "customer_360", "tickets_by_status", "tickets_by_campaign",
                "channel_preferences"}


def test_fresh_warehouse_has_every_design_table_and_view(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables = {r[0] for r in warehouse.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    views = {r[0] for r in warehouse.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert DESIGN_TABLES <= tables
    assert DESIGN_VIEWS <= views
    for view in DESIGN_VIEWS:  # each view runs
        assert warehouse.execute(f"SELECT count(*) FROM {view}").fetchall() == [(0,)]
    assert schema_version(warehouse) == migrations()[-1].version


def test_record_resolution_follows_merge_chains(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("""
        INSERT INTO customers (customer_id, customer_type, document_check, status, merged_into, created_at, updated_at)
        VALUES (1, 'person', 'unchecked', 'active', NULL, now(), now()),
               (2, 'person', 'unchecked', 'merged', 1, now(), now()),
               (3, 'person', 'unchecked', 'merged', 2, now(), now());
        INSERT INTO customer_sources VALUES ('web', 'a', 1, 1, now()), ('web', 'b', 2, 2, now()), ('crm', 'c', 3, 3, now());
    """)
    resolved = warehouse.execute("SELECT source_record_id, customer_id FROM record_resolution ORDER BY 1").fetchall()
    assert resolved == [("a", 1), ("b", 1), ("c", 1)]


def test_older_warehouse_is_upgraded_in_place_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    first = migrations()[:1]
    con = duckdb.connect(str(path))
    migrate(con, path, known=first)  # a warehouse written by an older Unifica
    con.execute("INSERT INTO runs VALUES (1, 'ingest', 'succeeded', now(), now(), NULL, NULL)")
    con.close()
    with open_warehouse(path) as con:
        assert schema_version(con) == migrations()[-1].version
        assert con.execute("SELECT run_id, command FROM runs").fetchall() == [(1, "ingest")]
        assert con.execute("SELECT count(*) FROM record_resolution").fetchall() == [(0,)]
        applied = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        assert [v for (v,) in applied] == [m.version for m in migrations()]


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path):
        pass
    con = duckdb.connect(str(path))
    assert migrate(con, path) == []
    con.close()


def test_newer_warehouse_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', now())")
    with pytest.raises(UnificaError, match="version 999"):
        with open_warehouse(path):
            pass


def test_a_foreign_duckdb_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (id INTEGER)")
    con.close()
    with pytest.raises(UnificaError, match="not a Unifica warehouse"):
        with open_warehouse(path):
            pass
    con = duckdb.connect(str(path))
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("sales",)]
    con.close()
