"""Merges into a main customer and their exact undoing, on a real DuckDB file: what moves,
what stays, the refusals, the history, crashes in the middle, and merge/unmerge round trips."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import merge.merging as merging
from merge.ingest import ingest_sources
from merge.merging import auto_merge, merge_customers, unmerge
from merge.warehouse import open_warehouse
from tests.conftest import REPO, rows
from unifica.cli import app
from unifica.config import load_config
from unifica.errors import UnificaError

# Every table a merge may touch, and those it must never touch.
TABLES = ("customers", "customer_sources", "contact_details", "accounts", "tickets", "attachments",
          "customer_relations", "candidate_pairs", "review_decisions", "source_records")

CUSTOMERS = """\
source_record_id,customer_type,document_type,document_number,first_name,last_name,second_last_name,business_name,date_of_birth,email,phone,address,city
P1,person,CC,1001,Ana,Ríos,,,,ana@x.co,3001112233,,Bogotá
P2,person,CC,1002,Ana,Rios,Gómez,,1990-01-01,ANA@x.co;ana.rios@y.co,3004445555,Calle 1 # 2-3,
P3,person,CC,1003,Anita,Ríos,,,,,3004445555,,Cali
P4,person,CC,1004,Eva,Ríos,,,,,,,
P5,person,CC,1005,Ana,Ríos,,,,,,,
C1,company,NIT,900123456-8,,,,Andina SAS,,ventas@andina.co,,,Medellín
"""
RELATED = {
    "tickets.csv": "source_record_id,ticket_number,status,campaign,channel,assigned_agent,created_at\n"
                   "P3,T-1,open,cobranza,whatsapp,Luis,2024-11-29 10:00:00\n"
                   "P3,T-2,closed,cobranza,phone,Luis,2024-01-02\nP1,T-3,open,ventas,email,Ana,2024-03-02\n",
    "accounts.csv": "source_record_id,account_number,account_type,status,opened_at\n"
                    "P3,AC-3,savings,active,2020-01-05\nP2,AC-2,credit,active,2021-01-05\n",
    "attachments.csv": "source_record_id,ticket_number,file_name\nP3,T-1,cedula.pdf\n",
    "relations.csv": "source_record_id,related_source_record_id,tags\n"
                     "P2,P4,hermana\nP1,P4,hermana\nP3,P1,prima\nP4,P3,prima\n",
}
CONFIG = """\
[warehouse]
path = "wh.duckdb"
[sources.crm]
files = ["customers.csv"]
country = "CO"
accounts = ["accounts.csv"]
tickets = ["tickets.csv"]
attachments = ["attachments.csv"]
relations = ["relations.csv"]
"""
# Customer ids follow the file's order: P1..P5 are 1..5, the company C1 is 6.
P1, P2, P3, P4, P5, C1 = 1, 2, 3, 4, 5, 6


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table a merge may touch, in a stable order."""
    return {table: rows(con, f"SELECT * FROM {table} ORDER BY ALL") for table in TABLES}


def small_warehouse(folder: Path, extra_config: str = "") -> Path:
    """Write the six customers above and their related rows into ``folder``, with a config
    (CONFIG + ``extra_config``), and ingest them into ``folder``/wh.duckdb; returns the config."""
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    for name, text in RELATED.items():
        (folder / name).write_text(text, encoding="utf-8")
    config = folder / "unifica.toml"
    config.write_text(CONFIG + extra_config, encoding="utf-8")
    with open_warehouse(folder / "wh.duckdb") as con:
        ingest_sources(con, load_config(config))
    return config


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The config of a warehouse holding the six customers above and their related rows."""
    return small_warehouse(tmp_path)


@pytest.fixture
def con(small: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(small.parent / "wh.duckdb") as connection:
        yield connection


def test_merge_moves_the_chosen_elements_and_keeps_the_rest(con: duckdb.DuckDBPyConnection) -> None:
    result = merge_customers(con, P1, [P2, P3], elements=("contacts", "tickets"), actor="marta")
    # Contact details: ana@x.co is P1's already, and P2 and P3 share +573004445555: each value once.
    assert rows(con, "SELECT kind, value_norm FROM contact_details WHERE customer_id = ? ORDER BY ALL", [P1]) == [
        ("address", "calle 1 2 3"), ("email", "ana.rios@y.co"), ("email", "ana@x.co"),
        ("phone", "+573001112233"), ("phone", "+573004445555")]
    # The values not moved stay with the merged customers: nothing is lost.
    assert rows(con, "SELECT customer_id, value_norm FROM contact_details WHERE customer_id IN (?, ?) ORDER BY ALL",
                [P2, P3]) == [(P2, "ana@x.co"), (P3, "+573004445555")]
    # Tickets move with their attachments; accounts were not chosen and stay.
    assert rows(con, "SELECT ticket_number FROM tickets WHERE customer_id = ? ORDER BY 1", [P1]) == [
        ("T-1",), ("T-2",), ("T-3",)]
    assert rows(con, "SELECT t.customer_id FROM attachments a JOIN tickets t USING (ticket_id)") == [(P1,)]
    assert rows(con, "SELECT customer_id, account_number FROM accounts ORDER BY 2") == [(P2, "AC-2"), (P3, "AC-3")]
    assert rows(con, "SELECT customer_id, status, merged_into FROM customers WHERE customer_id IN (?, ?, ?) "
                     "ORDER BY 1", [P1, P2, P3]) == [(P1, "active", None), (P2, "merged", P1), (P3, "merged", P1)]
    # Their source records now resolve to the main customer.
    assert rows(con, "SELECT source_record_id, customer_id FROM record_resolution "
                     "WHERE source_record_id IN ('P1', 'P2', 'P3') ORDER BY 1") == [("P1", P1), ("P2", P1), ("P3", P1)]
    event = rows(con, "SELECT merge_id, main_customer_id, merged_customer_ids, elements, actor, reason, "
                      "undo->>'tickets' FROM merge_events")
    assert event == [(result.merge_id, P1, [P2, P3], ["contacts", "tickets"], "marta", "manual", "2")]


def test_relations_are_repointed_never_to_itself_and_never_twice(con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P2, P3], actor="marta")
    # P2->P4 hermana repeats P1->P4 hermana: dropped; P3->P1 prima would relate P1 to itself:
    # dropped; P4->P3 prima is re-pointed to P1, tags kept.
    assert rows(con, "SELECT customer_id, related_customer_id, tags FROM customer_relations ORDER BY ALL") == [
        (P1, P4, "hermana"), (P4, P1, "prima")]


def test_empty_fields_of_the_main_customer_are_filled_and_nothing_is_overwritten(
        con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P3, P2], actor="marta")
    # P1 had no second surname nor birth date: P2 gives them. P1's city stays Bogotá although
    # P3 (first in the list) says Cali; P1's spelling of its name stays.
    assert rows(con, "SELECT first_name, last_name, second_last_name, second_last_name_folded, date_of_birth::TEXT, "
                     "city FROM customers WHERE customer_id = ?", [P1]) == [
        ("Ana", "Ríos", "Gómez", "gomez", "1990-01-01", "Bogotá")]


def test_fill_missing_can_be_turned_off(con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P2], actor="marta", fill_missing=False)
    assert rows(con, "SELECT second_last_name, date_of_birth FROM customers WHERE customer_id = ?", [P1]) == [
        (None, None)]


@pytest.mark.parametrize(("main", "others", "message"), [
    (P1, [P1], "customer 1 cannot be merged into itself"),
    (P1, [99], "no customer 99 in the warehouse"),
    (99, [P1], "no customer 99 in the warehouse"),
    (P1, [C1], "customer 6 is a company and customer 1 a person: a person and a company are never merged"),
    (C1, [P1], "customer 1 is a person and customer 6 a company"),
])
def test_bad_requests_are_refused_and_change_nothing(con: duckdb.DuckDBPyConnection, main: int, others: list[int],
                                                      message: str) -> None:
    before = snapshot(con)
    with pytest.raises(UnificaError, match=message):
        merge_customers(con, main, others, actor="marta")
    assert snapshot(con) == before and rows(con, "SELECT count(*) FROM merge_events") == [(0,)]


def test_merged_and_deleted_customers_are_refused_naming_where_they_live(con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P2], actor="marta")
    merge_customers(con, P4, [P1], actor="marta")
    con.execute("UPDATE customers SET status = 'deleted' WHERE customer_id = ?", [P5])
    before = snapshot(con)
    with pytest.raises(UnificaError, match=r"customer 2 is already merged: it now lives in customer 4 \(merged into 1\)"):
        merge_customers(con, P3, [P2], actor="marta")
    with pytest.raises(UnificaError, match="customer 2 is already merged"):
        merge_customers(con, P2, [P3], actor="marta")
    with pytest.raises(UnificaError, match="customer 5 is deleted"):
        merge_customers(con, P3, [P5], actor="marta")
    with pytest.raises(UnificaError, match="'phones' is not one of contacts, accounts, tickets"):
        merge_customers(con, P3, [P4], elements=("phones",), actor="marta")
    assert snapshot(con) == before


def test_unmerge_restores_exactly_and_keeps_the_history(con: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(con)
    result = merge_customers(con, P1, [P2, P3], actor="marta")
    assert snapshot(con) != before
    undone = unmerge(con, result.merge_id, actor="luis")
    assert undone.merge_ids == (result.merge_id,)
    assert snapshot(con) == before
    assert rows(con, "SELECT unmerged_by, unmerged_at IS NOT NULL FROM merge_events") == [("luis", True)]
    with pytest.raises(UnificaError, match=f"merge {result.merge_id} was already undone"):
        unmerge(con, result.merge_id, actor="luis")
    with pytest.raises(UnificaError, match="no merge 99"):
        unmerge(con, 99, actor="luis")


def test_unmerge_keeps_what_an_ingest_changed_after_the_merge(con: duckdb.DuckDBPyConnection) -> None:
    """Undoing restores only what the merge changed: a later change to the main customer's
    fields (as an ingest's replace makes) and to a merged customer's stays."""
    merge_customers(con, P1, [P3, P2], actor="marta")   # fills P1's second surname and birth date from P2
    merge_id = rows(con, "SELECT max(merge_id) FROM merge_events")[0][0]
    con.execute("UPDATE customers SET city = 'Cali', date_of_birth = DATE '1991-02-02' WHERE customer_id = ?", [P1])
    con.execute("UPDATE customers SET gender = 'F' WHERE customer_id = ?", [P2])
    unmerge(con, merge_id, actor="luis")
    assert rows(con, "SELECT second_last_name, second_last_name_folded, date_of_birth::TEXT, city, status "
                     "FROM customers WHERE customer_id = ?", [P1]) == [(None, None, "1991-02-02", "Cali", "active")]
    assert rows(con, "SELECT gender, status, merged_into FROM customers WHERE customer_id = ?", [P2]) == [
        ("F", "active", None)]


def test_unmerge_refuses_when_later_merges_depend_on_it_unless_cascade(con: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(con)
    first = merge_customers(con, P1, [P2], actor="marta")
    second = merge_customers(con, P4, [P1], actor="marta")      # moves what P1 got from P2
    unrelated = merge_customers(con, P3, [P5], actor="marta")   # shares no row with the first
    with pytest.raises(UnificaError, match=f"merge {first.merge_id} cannot be undone on its own: "
                                           f"later merge {second.merge_id} changed the same"):
        unmerge(con, first.merge_id, actor="luis")
    unmerge(con, unrelated.merge_id, actor="luis")
    undone = unmerge(con, first.merge_id, actor="luis", cascade=True)
    assert undone.merge_ids == (second.merge_id, first.merge_id)
    assert snapshot(con) == before


def _fail_at(wanted: str):
    """An after_statement hook raising once the statement ``wanted`` has run."""
    def hook(step: str) -> None:
        if step == wanted:
            raise RuntimeError(f"disk full after {step} (injected)")
    return hook


def test_a_fault_between_two_statements_leaves_the_warehouse_unchanged(
        con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(con)
    # By then contact details, accounts and tickets have moved and relations are re-pointed.
    monkeypatch.setattr(merging, "after_statement", _fail_at("fill_main_customers"))
    with pytest.raises(RuntimeError, match="injected"):
        merge_customers(con, P1, [P2, P3], actor="marta")
    assert snapshot(con) == before
    assert rows(con, "SELECT count(*) FROM merge_events") == [(0,)]
    assert rows(con, "SELECT count(*) FROM merge_undo_customers") == [(0,)]
    monkeypatch.setattr(merging, "after_statement", None)
    result = merge_customers(con, P1, [P2, P3], actor="marta")  # and the same merge then succeeds
    merged = snapshot(con)
    monkeypatch.setattr(merging, "after_statement", _fail_at("unmerge tickets"))
    with pytest.raises(RuntimeError, match="injected"):
        unmerge(con, result.merge_id, actor="luis")
    assert snapshot(con) == merged
    assert rows(con, "SELECT unmerged_at FROM merge_events") == [(None,)]


KILLER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
import merge.merging as merging
from merge.merging import {call}
from merge.warehouse import open_warehouse
from pathlib import Path

def kill(step):
    if step == {step!r}:
        os.kill(os.getpid(), signal.SIGKILL)

with open_warehouse(Path({path!r})) as con:
    merging.after_statement = kill
    {statement}
"""


@pytest.mark.parametrize(("call", "statement", "step"), [
    ("merge_customers", "merge_customers(con, 1, [2, 3], actor='marta')", "mark_customers_merged"),
    ("unmerge", "unmerge(con, 1, actor='luis')", "unmerge tickets"),
])
def test_a_process_killed_in_the_middle_leaves_the_warehouse_as_before(small: Path, call: str, statement: str,
                                                                       step: str) -> None:
    path = small.parent / "wh.duckdb"
    if call == "unmerge":
        with open_warehouse(path) as con:
            merge_customers(con, P1, [P2, P3], actor="marta")
    with open_warehouse(path) as con:
        before = snapshot(con)
    script = KILLER.format(repo=str(REPO), call=call, step=step, path=str(path), statement=statement)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == -9, done.stderr       # killed, not finished
    with open_warehouse(path) as con:
        assert snapshot(con) == before


# Merge/unmerge round trips on generated multi-channel data: contact details, accounts,
# tickets, attachments, relations and scored candidate pairs, as the nightly run leaves them.

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated warehouse, ingested and scored (not merged); returns its config."""
    from dedupe.scoring import score_candidates
    from unifica.synth import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, customers=500, seed=5)
    config = load_config(folder / "unifica.toml")
    with open_warehouse(config.warehouse) as con:
        ingest_sources(con, config)
        score_candidates(con, config.matching)
    return folder / "unifica.toml"


@pytest.fixture(scope="module")
def generated_con(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the generated warehouse, shared by the round-trip examples: each one must leave
    it exactly as it found it, or the next ones fail too."""
    copy = tmp_path_factory.mktemp("roundtrip") / "wh.duckdb"
    shutil.copy(load_config(generated).warehouse, copy)
    with open_warehouse(copy) as connection:
        yield connection


def _pool(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """Active customers per type, those with relations, tickets or accounts first."""
    pools = {}
    for customer_type in ("person", "company"):
        pools[customer_type] = [r[0] for r in rows(con, """
            SELECT customer_id FROM customers c WHERE status = 'active' AND customer_type = ?
            ORDER BY (SELECT count(*) FROM customer_relations r WHERE c.customer_id IN (r.customer_id, r.related_customer_id))
                   + (SELECT count(*) FROM tickets t WHERE t.customer_id = c.customer_id)
                   + (SELECT count(*) FROM accounts a WHERE a.customer_id = c.customer_id) DESC, customer_id
            LIMIT 40""", [customer_type])]
    return pools


merge_plans = st.lists(
    st.tuples(st.sampled_from(["person", "person", "person", "company"]),
              st.lists(st.integers(0, 39), min_size=2, max_size=5, unique=True),
              st.sets(st.sampled_from(merging.ELEMENTS), min_size=1),
              st.booleans()),
    min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=merge_plans)
def test_random_merges_then_unmerges_in_reverse_restore_every_table(generated_con: duckdb.DuckDBPyConnection,
                                                                    plan: list) -> None:
    con = generated_con
    pools = _pool(con)
    before = snapshot(con)
    done = []
    for customer_type, picks, elements, fill in plan:
        # The pool is re-read: a customer merged by an earlier step is no longer active, and
        # the main customer of an earlier merge may be merged again (chains).
        active = {r[0] for r in rows(con, "SELECT customer_id FROM customers WHERE status = 'active'")}
        ids = [pools[customer_type][i] for i in picks if i < len(pools[customer_type])
               and pools[customer_type][i] in active]
        if len(ids) < 2:
            continue
        done.append(merge_customers(con, ids[0], ids[1:], elements=tuple(elements), actor="prop",
                                    fill_missing=fill).merge_id)
    for merge_id in reversed(done):
        unmerge(con, merge_id, actor="prop")
    assert snapshot(con) == before


def test_auto_merge_merges_every_cluster_into_its_survivor_and_unmerges_back(generated: Path,
                                                                             tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    shutil.copy(load_config(generated).warehouse, path)
    with open_warehouse(path) as con:
        before = snapshot(con)
        clusters = rows(con, """
            SELECT cluster_id, list(DISTINCT c ORDER BY c) FROM (
                SELECT cluster_id, unnest([customer_id_l, customer_id_r]) AS c FROM candidate_pairs
                WHERE state = 'auto_merge') GROUP BY cluster_id ORDER BY cluster_id""")
        # A cluster with a customer disabled since it was scored waits for the next dedupe.
        waiting_id, waiting = clusters[0]
        con.execute("UPDATE customers SET status = 'disabled' WHERE customer_id = ?", [waiting[0]])
        summary = auto_merge(con)
        assert summary.clusters_waiting == 1 and "1 clusters left for the next dedupe" in summary.line()
        clusters = clusters[1:]
        assert summary.merges == len(clusters) > 10
        events = {tuple(sorted([main, *merged])): (main, actor)
                  for main, merged, actor in rows(con, "SELECT main_customer_id, merged_customer_ids, actor "
                                                       "FROM merge_events")}
        # One merge per cluster, all of its customers, by the auto-merge step.
        assert sorted(events) == sorted(tuple(ids) for _, ids in clusters)
        assert {actor for _, actor in events.values()} == {"auto"}
        assert rows(con, "SELECT DISTINCT cluster_id FROM candidate_pairs WHERE state = 'auto_merge'") == [
            (waiting_id,)]
        # Each cluster's records resolve to its main customer.
        for ids, (main, _) in events.items():
            resolved = {r[0] for r in rows(con, "SELECT DISTINCT r.customer_id FROM record_resolution r "
                                                "JOIN customer_sources s USING (source_system, source_record_id) "
                                                "WHERE s.customer_id IN (SELECT unnest(?))", [list(ids)])}
            assert resolved == {main}
        for (merge_id,) in rows(con, "SELECT merge_id FROM merge_events ORDER BY merge_id DESC"):
            unmerge(con, merge_id, actor="test")
        con.execute("UPDATE customers SET status = 'active' WHERE customer_id = ?", [waiting[0]])
        assert snapshot(con) == before


def test_the_main_customer_is_the_most_complete_then_the_most_recent(con: duckdb.DuckDBPyConnection) -> None:
    from merge.survivorship import rank_customers

    # P2 has a second surname, a birth date, an address and two kinds of contact: most complete.
    assert rank_customers(con, [P1, P2, P3]) == [P2, P1, P3]
    con.execute("UPDATE customers SET source_updated_at = TIMESTAMP '2030-01-01' WHERE customer_id = ?", [P4])
    # P4 and P5 are equally complete: the most recently updated first, then the oldest.
    assert rank_customers(con, [P5, P4]) == [P4, P5]
    con.execute("UPDATE customers SET created_at = created_at - INTERVAL 1 DAY WHERE customer_id = ?", [P5])
    assert rank_customers(con, [P4, P5], ("oldest",)) == [P5, P4]
    assert rank_customers(con, [P5, P4], ("newest",)) == [P4, P5]


# Candidate pairs naming a customer already merged (dedupe scores customers as they were
# ingested): the merge side works with the customers they live in now.

def add_pairs(con: duckdb.DuckDBPyConnection, state: str, cluster_id: int | None,
              *pairs: tuple[int, int, float]) -> list[int]:
    """Store candidate pairs (customer, customer, probability) as dedupe stores them; returns their ids."""
    first = rows(con, "SELECT coalesce(max(pair_id), 0) + 1 FROM candidate_pairs")[0][0]
    for pair_id, (a, b, probability) in enumerate(pairs, first):
        con.execute("INSERT INTO candidate_pairs (pair_id, customer_id_l, customer_id_r, match_probability, levels, "
                    "blocking_rules, state, cluster_id, run_id, scored_at) "
                    "VALUES (?, ?, ?, ?, MAP {'full_name': 'same'}, ['phone'], ?, ?, NULL, now())",
                    [pair_id, min(a, b), max(a, b), probability, state, cluster_id])
    return list(range(first, first + len(pairs)))


def states(con: duckdb.DuckDBPyConnection, pair_ids: list[int]) -> list[str]:
    return [rows(con, "SELECT state FROM candidate_pairs WHERE pair_id = ?", [p])[0][0] for p in pair_ids]


def test_auto_merge_merges_a_new_customer_into_the_customer_a_merged_member_lives_in(
        con: duckdb.DuckDBPyConnection) -> None:
    first = merge_customers(con, P1, [P2], actor="marta")
    # A cluster scored on the customers as ingested: P2 (now in P1) with P1 and with P3.
    pairs = add_pairs(con, "auto_merge", P1, (P1, P2, 0.99), (P2, P3, 0.97))
    before = snapshot(con)
    summary = auto_merge(con)
    assert (summary.merges, summary.merged_customers, summary.clusters_waiting) == (1, 1, 0)
    (merge_id, reason), = rows(con, "SELECT merge_id, reason FROM merge_events WHERE merge_id <> ?", [first.merge_id])
    assert rows(con, "SELECT main_customer_id, merged_customer_ids, actor, pair_id FROM merge_events "
                     "WHERE merge_id = ?", [merge_id]) == [(P1, [P3], "auto", pairs[0])]
    assert reason.startswith("auto-merge: cluster of 2 customers, 2 candidate pairs")
    assert rows(con, "SELECT customer_id, status, merged_into FROM customers WHERE customer_id IN (?, ?, ?) "
                     "ORDER BY 1", [P1, P2, P3]) == [(P1, "active", None), (P2, "merged", P1), (P3, "merged", P1)]
    assert rows(con, "SELECT DISTINCT customer_id FROM tickets WHERE ticket_number IN ('T-1', 'T-2')") == [(P1,)]
    assert states(con, pairs) == ["auto_merged", "auto_merged"]
    assert rows(con, "SELECT undo->>'candidate_pairs' FROM merge_events WHERE merge_id = ?", [merge_id]) == [("2",)]
    # the first merge cannot be undone under the second; the second undoes back to the cluster
    with pytest.raises(UnificaError, match=f"later merge {merge_id} changed the same"):
        unmerge(con, first.merge_id, actor="luis")
    unmerge(con, merge_id, actor="luis")
    assert snapshot(con) == before


def test_a_cluster_living_in_one_customer_merges_nothing_and_its_pairs_are_settled(
        con: duckdb.DuckDBPyConnection) -> None:
    first = merge_customers(con, P1, [P2, P3], actor="marta")
    pairs = add_pairs(con, "auto_merge", P1, (P2, P3, 0.98), (P1, P3, 0.97))
    before = snapshot(con)
    summary = auto_merge(con)
    assert (summary.merges, summary.merged_customers, summary.clusters_waiting) == (0, 0, 0)
    assert states(con, pairs) == ["auto_merged", "auto_merged"]
    assert {t: v for t, v in snapshot(con).items() if t != "candidate_pairs"} == \
        {t: v for t, v in before.items() if t != "candidate_pairs"}
    assert rows(con, "SELECT merge_id FROM merge_events") == [(first.merge_id,)]
    # The pairs are kept with the merge that made P1, P2 and P3 one: undoing it puts them back.
    assert rows(con, "SELECT undo->>'candidate_pairs' FROM merge_events") == [("2",)]
    undone = unmerge(con, first.merge_id, actor="luis")
    assert undone.restored["candidate_pairs"] == 2
    assert states(con, pairs) == ["auto_merge", "auto_merge"]
    assert rows(con, "SELECT count(*) FROM customers WHERE status = 'merged'") == [(0,)]
    again = auto_merge(con)  # the cluster, three customers again, is merged again
    assert (again.merges, again.merged_customers) == (1, 2)
    assert states(con, pairs) == ["auto_merged", "auto_merged"]


def test_clusters_sharing_a_customer_are_merged_one_after_the_other_and_disabled_ones_wait(
        con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P2], actor="marta")
    con.execute("UPDATE customers SET status = 'disabled' WHERE customer_id = ?", [P4])
    # Clusters 2 and 1 both live partly in P1; cluster 4 has the disabled P4.
    first = add_pairs(con, "auto_merge", P2, (P2, P3, 0.97))
    second = add_pairs(con, "auto_merge", P1, (P1, P5, 0.96))
    waiting = add_pairs(con, "auto_merge", P4, (P2, P4, 0.99))
    before = snapshot(con)
    summary = auto_merge(con)
    assert (summary.merges, summary.merged_customers, summary.clusters_waiting) == (2, 2, 1)
    assert rows(con, "SELECT main_customer_id, merged_customer_ids FROM merge_events WHERE actor = 'auto' "
                     "ORDER BY merge_id") == [(P1, [P5]), (P1, [P3])]
    assert states(con, first + second + waiting) == ["auto_merged", "auto_merged", "auto_merge"]
    for (merge_id,) in rows(con, "SELECT merge_id FROM merge_events WHERE actor = 'auto' ORDER BY 1 DESC"):
        unmerge(con, merge_id, actor="luis")
    assert snapshot(con) == before


def test_a_merge_settles_the_pairs_of_customers_living_in_its_customers(con: duckdb.DuckDBPyConnection) -> None:
    merge_customers(con, P1, [P2], actor="marta")
    settled = add_pairs(con, "review", None, (P2, P4, 0.8), (P2, P1, 0.7))
    kept = add_pairs(con, "review", None, (P2, P5, 0.8))
    before = snapshot(con)
    result = merge_customers(con, P4, [P1], actor="marta")
    assert states(con, settled + kept) == ["accepted", "accepted", "review"]
    unmerge(con, result.merge_id, actor="luis")
    assert snapshot(con) == before


runner = CliRunner(env={"UNIFICA_ROLE": "steward"})


def test_merge_and_unmerge_from_the_command_line(small: Path) -> None:
    result = runner.invoke(app, ["merge", str(P1), str(P2), str(P3), "--elements", "tickets", "--as", "marta",
                                 "--config", str(small)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith(
        "merge 1: customers 2, 3 merged into 1 (0 contact details, 0 accounts, 2 tickets moved; "
        "3 relations re-pointed or dropped); undo with `unifica unmerge 1`")
    refused = runner.invoke(app, ["merge", str(P4), str(P2), "--config", str(small)])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: customer 2 is already merged: it now lives in customer 1 (merged into 1)"
    bad = runner.invoke(app, ["merge", str(P3), str(P4), "--elements", "phones", "--config", str(small)])
    assert bad.exit_code == 1 and len(bad.stderr.strip().splitlines()) == 1
    undone = runner.invoke(app, ["unmerge", "1", "--as", "luis", "--config", str(small)])
    assert undone.exit_code == 0, undone.output
    assert "undid merge 1: restored 3 customers" in undone.stdout
    with duckdb.connect(str(small.parent / "wh.duckdb"), read_only=True) as check:
        assert rows(check, "SELECT actor, unmerged_by FROM merge_events") == [("marta", "luis")]
        assert rows(check, "SELECT count(*) FROM customers WHERE status = 'merged'") == [(0,)]


def test_revision_undoes_an_auto_merge_only_when_the_pairs_it_settled_split(con: duckdb.DuckDBPyConnection) -> None:
    """An auto-merge built on a steward's merge (P2 merged into P1 by marta, then the cluster
    P2-P3 merges P3 into P1) holds while P2 and P3 stay in one cluster, P1 being in none; it
    is undone when they split, and a person's change since keeps it."""
    from merge.merging import revise_auto_merges

    merge_customers(con, P1, [P2], actor="marta")
    add_pairs(con, "auto_merge", P2, (P2, P3, 0.97))
    auto_merge(con)
    (merge_id,) = rows(con, "SELECT merge_id FROM merge_events WHERE actor = 'auto'")[0]
    held = revise_auto_merges(con, {P2: P2, P3: P2})
    assert (held.undone, held.kept) == ([], [])
    con.execute("INSERT INTO audit_log VALUES (1, now()::TIMESTAMP + INTERVAL 1 MINUTE, 'ana', 'admin', 'edit', "
                "'customer edit', [?], 'done', NULL, NULL, NULL)", [P3])
    assert revise_auto_merges(con, {P2: P2}).kept == [merge_id]          # ana changed P3 since
    con.execute("DELETE FROM audit_log")
    assert revise_auto_merges(con, {P2: P2}).undone == [merge_id]        # P3 apart now: undone
    assert rows(con, "SELECT status, unmerged_by FROM customers, merge_events WHERE customer_id = ? "
                     "AND merge_id = ?", [P3, merge_id]) == [("active", "auto")]
    assert rows(con, "SELECT status, merged_into FROM customers WHERE customer_id = ?", [P2]) == [("merged", P1)]


def test_unmerge_keeps_a_later_disable_and_returns_contacts_an_ingest_brought(con: duckdb.DuckDBPyConnection) -> None:
    first = merge_customers(con, P1, [P2], actor="marta")
    con.execute("UPDATE customers SET status = 'disabled' WHERE customer_id = ?", [P1])
    # as an ingest does for a new record version of P2 while merged: the contact goes to P1
    p2_source = rows(con, "SELECT source_system, source_record_id FROM customer_sources WHERE customer_id = ?", [P2])[0]
    con.execute("INSERT INTO contact_details (contact_id, customer_id, kind, value, value_norm, is_valid, "
                "source_system, source_record_id, created_at) "
                "SELECT max(contact_id) + 1, ?, 'phone', '+57 311 0000001', '+573110000001', true, ?, ?, now() "
                "FROM contact_details", [P1, *p2_source])
    unmerge(con, first.merge_id, actor="luis")
    assert rows(con, "SELECT customer_id, status FROM customers WHERE customer_id IN (?, ?) ORDER BY 1", [P1, P2]) == [
        (P1, "disabled"), (P2, "active")]
    assert rows(con, "SELECT customer_id FROM contact_details WHERE value_norm = '+573110000001'") == [(P2,)]
