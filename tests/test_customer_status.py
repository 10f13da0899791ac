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
from merge.warehouse import open_warehouse
from tests.conftest import rows
from tests.test_merge import C1, P1, P2, P3, P4, P5, small_warehouse, snapshot
from unifica.cli import app
from unifica.config import MatchingConfig

runner = CliRunner()
# This file's agents may also assign customers.
ROLES = '[roles]\nagent = ["add", "edit", "contacts", "relations", "assign"]\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return small_warehouse(tmp_path, ROLES)


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
        summary = score_candidates(con, matching)   # incremental: their kept pairs go
        assert summary.customers == 4            # P1, P3, P4 and C1
        assert paired(con) and not paired(con) & {P2, P5}
        refitted = score_candidates(con, matching, refit=True)   # every pair compared again
        assert refitted.customers == 4 and paired(con) and not paired(con) & {P2, P5}


# --- massive actions -------------------------------------------------------------------------

def test_massive_disable_by_filter_is_one_change_with_one_audit_row(config: Path) -> None:
    result = cli(config, "customer", "massive", "disable", "--where", "city = 'Bogotá' OR city = 'Cali'", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "the selection holds 2 customers: 1, 3"
    assert statuses(config) == {P1: "disabled", P2: "active", P3: "disabled", P4: "active", P5: "active",
                                C1: "active"}
    trail = audit(config)
    assert len(trail) == 1
    user, action, command, ids, outcome, _, before, after = trail[0]
    assert (user, action, ids, outcome) == ("root", "disable", [P1, P3], "done")
    assert command == "customer massive disable --where \"city = 'Bogotá' OR city = 'Cali'\""
    assert json.loads(after) == {"1": {"status": "disabled"}, "3": {"status": "disabled"}}


def test_massive_assign_and_delete_from_an_ids_file(config: Path, tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("name,customer_id\nana,2\neva,4\n", encoding="utf-8")
    assigned = cli(config, "customer", "massive", "assign", "--ids", str(ids), "--user", "luis", "--yes")
    assert assigned.exit_code == 0, assigned.output
    assert query(config, "SELECT customer_id FROM customers WHERE assigned_user = 'luis' ORDER BY 1") == [(2,), (4,)]
    plain = tmp_path / "ids.txt"
    plain.write_text("4\n5\n\n", encoding="utf-8")
    taken = cli(config, "customer", "massive", "assign", "--ids", str(plain), "--user", "pedro", "--yes",
                user="pedro", role="agent")
    assert taken.exit_code == 1 and "customer 4 is assigned to luis" in taken.stderr
    assert query(config, "SELECT customer_id, assigned_user FROM customers WHERE customer_id IN (4, 5) ORDER BY 1") == [
        (4, "luis"), (5, None)]                    # all or nothing: 5 was free, yet unchanged
    deleted = cli(config, "customer", "massive", "delete", "--ids", str(plain), "--yes")
    assert deleted.exit_code == 0 and statuses(config)[4] == statuses(config)[5] == "deleted"
    bad = tmp_path / "bad.txt"
    bad.write_text("4\nfour\n", encoding="utf-8")
    unreadable = cli(config, "customer", "massive", "disable", "--ids", str(bad), "--yes")
    assert unreadable.exit_code == 1 and unreadable.stderr.strip() == f"Error: --ids {bad}:2: 'four' is not a customer id"
    assert [(a, ids, o) for _, a, _, ids, o, *_ in audit(config)] == [
        ("assign", [2, 4], "done"), ("assign", [4, 5], "refused"), ("delete", [4, 5], "done"),
        ("disable", [], "refused")]


@pytest.mark.parametrize("where, message", [
    ("1 = 1; DELETE FROM customers", "';' is refused"),
    ("customer_id IN (SELECT customer_id FROM customers) OR EXISTS (DELETE FROM customers RETURNING 1)",
     "DELETE is refused"),
    ("status = 'active') UNION ALL (SELECT 1", None),            # still one SELECT: allowed, read-only
    ("1 = 1) ; UPDATE customers SET status = 'deleted' WHERE (1 = 1", "';' is refused"),
    ("city = 'x' -- comment", "comments are refused"),
    ("no_such_column = 1", "not a valid filter over customer_360"),
])
def test_a_filter_that_could_write_is_refused_and_nothing_changes(config: Path, where: str,
                                                                   message: str | None) -> None:
    before = state(config)
    result = cli(config, "customer", "massive", "delete", "--where", where, "--yes")
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and message in result.stderr and result.stderr.count("\n") == 1
    assert state(config) == before
    assert [(a, o) for _, a, _, _, o, *_ in audit(config)] == [("delete", "refused")]


def test_a_filter_with_a_dml_word_in_a_quoted_value_is_only_a_value(config: Path) -> None:
    result = cli(config, "customer", "massive", "disable", "--where", "city = 'Delete; drop'", "--yes")
    assert result.exit_code == 1 and "';' is refused" in result.stderr
    fine = cli(config, "customer", "massive", "disable", "--where", "coalesce(city, 'update') <> 'update'", "--yes")
    assert fine.exit_code == 0, fine.output
    assert "the selection holds 3 customers: 1, 3, 6" in fine.stdout


def test_declining_the_confirmation_changes_nothing(config: Path) -> None:
    before = state(config)
    result = cli(config, "customer", "massive", "delete", "--where", "customer_type = 'person'", input="n\n")
    assert result.exit_code == 1
    assert "the selection holds 5 customers: 1, 2, 3, 4, 5" in result.stdout and "delete 5 customers?" in result.stdout
    assert result.stdout.strip().endswith("nothing done")
    assert state(config) == before and audit(config) == []
    accepted = cli(config, "customer", "massive", "delete", "--where", "customer_type = 'person'", input="y\n")
    assert accepted.exit_code == 0 and statuses(config)[P1] == "deleted"


def test_a_massive_action_that_fails_half_way_changes_nothing(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import merge.merging as merging

    before = state(config)

    def fault(step: str) -> None:
        raise RuntimeError(f"injected after {step}")

    monkeypatch.setattr(customer_status, "after_statement", fault)
    disabled = cli(config, "customer", "massive", "disable", "--where", "status = 'active'", "--yes")
    assert disabled.exit_code != 0 and "injected after set_customer_status" in str(disabled.exception)
    monkeypatch.setattr(merging, "after_statement",
                        lambda step: fault(step) if step == "mark_customers_merged" else None)
    merged = cli(config, "customer", "massive", "merge", "--where", "customer_type = 'person'", "--main", "1", "--yes")
    assert merged.exit_code != 0 and "injected after mark_customers_merged" in str(merged.exception)
    assert state(config) == before and audit(config) == []


def test_massive_merge_into_a_main_customer(config: Path) -> None:
    result = cli(config, "customer", "massive", "merge", "--where", "customer_type = 'person' AND last_name = 'Ríos'",
                 "--main", str(P1), "--yes", user="marta", role="steward")
    assert result.exit_code == 0, result.output
    assert "customers 3, 4, 5 merged into 1" in result.stdout
    assert query(config, "SELECT main_customer_id, merged_customer_ids, actor FROM merge_events") == [
        (P1, [P3, P4, P5], "marta")]
    assert [(a, ids, o, json.loads(af)) for _, a, _, ids, o, _, _, af in audit(config)] == [
        ("merge", [P1, P3, P4, P5], "done", {"merge_id": 1})]
    company = cli(config, "customer", "massive", "merge", "--where", "customer_id IN (2, 6)", "--main", "2", "--yes")
    assert company.exit_code == 1 and "a person and a company are never merged" in company.stderr
    assert audit(config)[-1][4] == "refused"


def test_massive_export_is_read_back_and_leaves_deleted_customers_out(config: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert cli(config, "customer", "delete", str(P5)).exit_code == 0
    assert cli(config, "merge", str(P1), str(P4)).exit_code == 0          # merged ones are exported as such
    with duckdb.connect(str(config.parent / "wh.duckdb")) as con:           # a value Excel would run
        con.execute("""UPDATE customers SET tags = '=HYPERLINK("http://x","y")' WHERE customer_id = ?""", [P2])
    out_file = tmp_path / "out" / "customers.xlsx"
    result = cli(config, "customer", "massive", "export", "--where", "customer_type = 'person'", "--out", str(out_file),
                 "--yes", user="marta", role="steward")
    assert result.exit_code == 0, result.output
    assert f"exported 4 customers (1 deleted left out) -> {out_file}" in result.stdout
    sheet = load_workbook(out_file, read_only=True)["customers"]
    found = list(sheet.iter_rows(values_only=True))
    header = found[0]
    assert header[:3] == ("customer_id", "customer_type", "status") and "emails" in header
    by_id = {row[0]: dict(zip(header, row)) for row in found[1:]}
    assert sorted(by_id) == [P1, P2, P3, P4]
    assert by_id[P2]["emails"] == "ana@x.co; ana.rios@y.co" and by_id[P3]["tickets"] == 2
    assert (by_id[P4]["status"], by_id[P4]["merged_into"]) == ("merged", P1)
    tags = load_workbook(out_file)["customers"].cell(row=1 + sorted(by_id).index(P2) + 1,
                                                      column=header.index("tags") + 1)
    assert (tags.value, tags.data_type) == ('=HYPERLINK("http://x","y")', "s")   # text, never a formula
    again = cli(config, "customer", "massive", "export", "--where", "true", "--out", str(out_file), "--yes")
    assert again.exit_code == 1 and "exists already" in again.stderr
    forbidden = cli(config, "customer", "massive", "export", "--where", "true", "--out", str(tmp_path / "b.xlsx"),
                    "--yes", user="pedro", role="agent")
    assert forbidden.exit_code == 1 and "may not export" in forbidden.stderr
    assert not (tmp_path / "b.xlsx").exists()
    # A role [roles] lets export but [export] allowed_roles does not list: refused too.
    config.write_text(config.read_text(encoding="utf-8") + '\n[export]\nallowed_roles = ["admin"]\n',
                      encoding="utf-8")
    unlisted = cli(config, "customer", "massive", "export", "--where", "true", "--out", str(tmp_path / "c.xlsx"),
                   "--yes", user="marta", role="steward")
    assert unlisted.exit_code == 1 and "allowed_roles" in unlisted.stderr and not (tmp_path / "c.xlsx").exists()
    assert [(u, a, ids, o) for u, a, _, ids, o, *_ in audit(config)] == [
        ("root", "delete", [P5], "done"), ("root", "merge", [P1, P4], "done"),
        ("marta", "export", [P1, P2, P3, P4], "done"),
        ("pedro", "export", [], "refused"), ("marta", "export", [], "refused")]


def test_massive_needs_the_actions_own_permission(config: Path) -> None:
    before = state(config)
    result = cli(config, "customer", "massive", "disable", "--where", "true", "--yes", user="marta", role="steward")
    assert result.exit_code == 1 and "marta as role 'steward' may not disable" in result.stderr
    assert state(config) == before
    assert [(a, o) for _, a, _, _, o, *_ in audit(config)] == [("disable", "refused")]
