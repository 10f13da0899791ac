"""A customer's status and assigned user, one at a time and massive, on a real DuckDB file:
assign/unassign (the assigned user or admin only), disable/enable/delete (out of matching,
tombstones), selections by file or filter (read-only), all-or-nothing, and the audit trail."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import merge.customer_status as customer_status
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from tests.conftest import rows
from tests.test_merge import CONFIG, CUSTOMERS, P1, P2, P3, P4, P5, RELATED, C1, snapshot
from unifica.cli import app
from unifica.config import MatchingConfig, load_config

runner = CliRunner()
# This file's agents may also assign customers.
ROLES = '[roles]\nagent = ["add", "edit", "contacts", "relations", "assign"]\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    for name, text in RELATED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "unifica.toml"
    path.write_text(CONFIG + ROLES, encoding="utf-8")
    with open_warehouse(tmp_path / "wh.duckdb") as con:
        ingest_sources(con, load_config(path))
    return path


def cli(config: Path, *args: str, user: str = "root", role: str = "admin", input: str | None = None):
    return runner.invoke(app, [*args, "--as", user, "--role", role, "--config", str(config)], input=input)


def query(config: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        return rows(con, sql, params)


def audit(config: Path) -> list[tuple]:
    return query(config, "SELECT user_name, action, command, customer_ids, outcome, reason, before, after "
                         "FROM audit_log ORDER BY audit_id")


def statuses(config: Path) -> dict[int, str]:
    return dict(query(config, "SELECT customer_id, status FROM customers"))


def state(config: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        return snapshot(con) | {"merge_events": rows(con, "SELECT * FROM merge_events ORDER BY ALL")}


# --- assign / unassign -----------------------------------------------------------------------

def test_assign_then_only_the_assigned_user_or_admin_may_change_it(config: Path) -> None:
    first = cli(config, "customer", "assign", str(P1), "luis", user="luis", role="agent")
    assert first.exit_code == 0, first.output
    assert "customer 1 assigned to luis" in first.stdout
    refused = cli(config, "customer", "assign", str(P1), "pedro", user="pedro", role="agent")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Error: customer 1 is assigned to luis: only luis or the admin role may "
                                      "change that")
    also_refused = cli(config, "customer", "unassign", str(P1), user="pedro", role="agent")
    assert also_refused.exit_code == 1
    assert query(config, "SELECT assigned_user FROM customers WHERE customer_id = 1") == [("luis",)]
    by_owner = cli(config, "customer", "assign", str(P1), "marta", user="luis", role="agent")
    assert by_owner.exit_code == 0, by_owner.output
    by_admin = cli(config, "customer", "unassign", str(P1), user="root", role="admin")
    assert by_admin.exit_code == 0, by_admin.output
    assert "customer 1 unassigned" in by_admin.stdout
    assert query(config, "SELECT assigned_user FROM customers WHERE customer_id = 1") == [(None,)]
    trail = [(u, a, c, ids, o, r, json.loads(b) if b else None, json.loads(af) if af else None)
             for u, a, c, ids, o, r, b, af in audit(config)]
    assert trail == [
        ("luis", "assign", "customer assign 1 luis", [1], "done", None,
         {"1": {"assigned_user": None}}, {"1": {"assigned_user": "luis"}}),
        ("pedro", "assign", "customer assign 1 pedro", [1], "refused",
         "customer 1 is assigned to luis: only luis or the admin role may change that", None, None),
        ("pedro", "assign", "customer unassign 1", [1], "refused",
         "customer 1 is assigned to luis: only luis or the admin role may change that", None, None),
        ("luis", "assign", "customer assign 1 marta", [1], "done", None,
         {"1": {"assigned_user": "luis"}}, {"1": {"assigned_user": "marta"}}),
        ("root", "assign", "customer unassign 1", [1], "done", None,
         {"1": {"assigned_user": "marta"}}, {"1": {"assigned_user": None}}),
    ]


def test_a_role_without_the_action_is_refused_audited_and_changes_nothing(config: Path) -> None:
    before = state(config)
    for args in (["assign", str(P1), "ana"], ["disable", str(P1)], ["delete", str(P2)], ["enable", str(P3)]):
        result = cli(config, "customer", *args, user="eva", role="steward")
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1 and f"eva as role 'steward' may not {args[0]}" in result.stderr
    assert state(config) == before
    assert [(u, a, ids, o) for u, a, _, ids, o, *_ in audit(config)] == [
        ("eva", "assign", [1], "refused"), ("eva", "disable", [1], "refused"),
        ("eva", "delete", [2], "refused"), ("eva", "enable", [3], "refused")]


# --- disable / enable / delete ---------------------------------------------------------------

def test_disable_enable_delete_and_a_tombstone_stays_deleted(config: Path) -> None:
    disabled = cli(config, "customer", "disable", str(P2))
    assert disabled.exit_code == 0, disabled.output
    assert disabled.stdout.startswith("customer 2 disabled (kept, out of matching)")
    assert statuses(config)[P2] == "disabled"
    enabled = cli(config, "customer", "enable", str(P2))
    assert enabled.exit_code == 0 and statuses(config)[P2] == "active"
    again = cli(config, "customer", "enable", str(P2))
    assert again.exit_code == 0 and "customer 2 already so, unchanged" in again.stdout
    deleted = cli(config, "customer", "delete", str(P5))
    assert deleted.exit_code == 0 and statuses(config)[P5] == "deleted"
    assert query(config, "SELECT count(*) FROM customers WHERE customer_id = 5") == [(1,)]   # never removed
    revive = cli(config, "customer", "enable", str(P5))
    assert revive.exit_code == 1
    assert revive.stderr.strip() == ("Error: customer 5 is deleted: a deleted customer is a tombstone and stays "
                                     "deleted (enable does not revive it)")
    assert statuses(config)[P5] == "deleted"
    trail = audit(config)
    assert [(a, o) for _, a, _, _, o, *_ in trail] == [
        ("disable", "done"), ("enable", "done"), ("enable", "done"), ("delete", "done"), ("enable", "refused")]
    assert json.loads(trail[0][6]) == {"2": {"status": "active"}} and json.loads(trail[0][7]) == {
        "2": {"status": "disabled"}}


def test_a_merged_customer_is_refused_naming_where_it_lives(config: Path) -> None:
    assert cli(config, "merge", str(P1), str(P2)).exit_code == 0
    for action in ("disable", "delete", "enable"):
        result = cli(config, "customer", action, str(P2))
        assert result.exit_code == 1
        assert result.stderr.strip() == ("Error: customer 2 is merged: it now lives in customer 1 (merged into 1); "
                                         "act on 1 instead")
    refused = cli(config, "customer", "assign", str(P2), "luis")
    assert refused.exit_code == 1 and "lives in customer 1" in refused.stderr
    unknown = cli(config, "customer", "disable", "99")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "Error: no customer 99 in the warehouse"
    assert statuses(config)[P2] == "merged"
    assert [(a, o) for _, a, _, _, o, *_ in audit(config)] == [
        ("merge", "done"), ("disable", "refused"), ("delete", "refused"), ("enable", "refused"),
        ("assign", "refused"), ("disable", "refused")]


def test_matching_skips_disabled_and_deleted_customers(config: Path) -> None:
    from dedupe.scoring import score_candidates

    def paired(con: duckdb.DuckDBPyConnection) -> set[int]:
        found = rows(con, "SELECT customer_id_l, customer_id_r FROM candidate_pairs")
        return {c for pair in found for c in pair}

    matching = MatchingConfig(auto_merge=0.999, review=0.0)   # keep every pair scored, merge none
    with open_warehouse(config.parent / "wh.duckdb") as con:
        score_candidates(con, matching)
        assert {P2, P5} <= paired(con)          # both are someone's candidate duplicate while active
    assert cli(config, "customer", "disable", str(P2)).exit_code == 0
    assert cli(config, "customer", "delete", str(P5)).exit_code == 0
    with open_warehouse(config.parent / "wh.duckdb") as con:
        con.execute("DELETE FROM candidate_pairs")
        summary = score_candidates(con, matching)
        assert summary.customers == 4            # P1, P3, P4 and C1
        assert paired(con) and not paired(con) & {P2, P5}
