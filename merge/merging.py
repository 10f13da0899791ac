"""Merges into a main customer, and their undoing (DESIGN.md, "The domain" and "Merge").

A merge moves the chosen elements of the merged customers (contact details, accounts,
tickets; attachments follow their tickets) to the main customer, re-points their relations,
fills the main customer's empty basic fields (``[merge] fill_missing``), marks them
``merged`` into the main customer and settles the candidate pairs among them (pairs whose
two customers live in its customers: a pair may name a customer merged earlier). Before it
changes a row it saves the row as it was (migration 0004), so ``unmerge`` restores exactly.

The SQL is set-based: one merge from the command line and a hundred thousand from the
auto-merge step run the same statements over the temp tables ``merge_requests`` and
``merge_members``. ``apply_merges`` runs inside the caller's transaction;
``merge_customers``, ``unmerge`` and ``auto_merge`` are each one transaction.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from merge.survivorship import DEFAULT_SURVIVORSHIP, rank_groups
from merge.warehouse import fetch_sql, next_id, registered, run_sql, run_sql_template, transaction
from schemas.records import CustomerStatus
from unifica.errors import UnificaError

ELEMENTS = ("contacts", "accounts", "tickets")
AUTO_ACTOR = "auto"
MANUAL_REASON = "manual"

# The tables a merge changes, with their row key: what unmerge restores (migration 0004).
UNDO_TABLES: dict[str, str] = {
    "customers": "customer_id",
    "contact_details": "contact_id",
    "accounts": "account_id",
    "tickets": "ticket_id",
    "customer_relations": "relation_id",
    "candidate_pairs": "pair_id",
}

# The statements of a merge, in order: first decide and save, then change.
_MERGE_STEPS = (
    "stage_merge_contact_moves",
    "stage_merge_relation_changes",
    "stage_merged_pairs",
    *(f"save_merge_undo_{table}" for table in UNDO_TABLES),
    "move_contact_details",
    "move_accounts",
    "move_tickets",
    "repoint_customer_relations",
    "drop_merged_relations",
    "fill_main_customers",
    "mark_customers_merged",
    "mark_merged_pairs",
    "insert_merge_events",
)

# Called with each statement's name after it ran, inside the merge's transaction. Tests set
# it to inject a fault (an exception, or killing the process) between two statements.
after_statement: Callable[[str], None] | None = None


@dataclass(frozen=True)
class MergeRequest:
    """One merge: the customers that end merged into the main customer, and why."""

    main_customer_id: int
    merged_customer_ids: tuple[int, ...]
    elements: tuple[str, ...] = ELEMENTS
    actor: str = AUTO_ACTOR
    reason: str = MANUAL_REASON
    pair_id: int | None = None
    match_probability: float | None = None


@dataclass(frozen=True)
class MergeResult:
    """What one merge did; ``undo`` counts the rows saved per table (the rows it changed)."""

    merge_id: int
    main_customer_id: int
    merged_customer_ids: tuple[int, ...]
    undo: dict[str, int]

    def line(self) -> str:
        """The closing summary of ``unifica merge``."""
        merged = ", ".join(str(c) for c in self.merged_customer_ids)
        moved = (f"{self.undo.get('contact_details', 0):,} contact details, {self.undo.get('accounts', 0):,} "
                 f"accounts, {self.undo.get('tickets', 0):,} tickets moved; "
                 f"{self.undo.get('customer_relations', 0):,} relations re-pointed or dropped")
        return (f"merge {self.merge_id}: customer{'s' if len(self.merged_customer_ids) > 1 else ''} {merged} "
                f"merged into {self.main_customer_id} ({moved}); undo with `unifica unmerge {self.merge_id}`")


@dataclass(frozen=True)
class UnmergeResult:
    """The merges undone, newest first (more than one with ``cascade``)."""

    merge_ids: tuple[int, ...]
    restored: dict[str, int]

    def line(self) -> str:
        """The closing summary of ``unifica unmerge``."""
        merges = ", ".join(str(m) for m in self.merge_ids)
        rows = ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in self.restored.items() if n)
        return f"undid merge{'s' if len(self.merge_ids) > 1 else ''} {merges}: restored {rows}"


@dataclass
class AutoMergeSummary:
    """What the auto-merge step did."""

    merges: int = 0
    merged_customers: int = 0
    clusters_waiting: int = 0     # clusters with a customer no longer active: left for the next run
    seconds: float = 0.0

    def line(self) -> str:
        """The closing summary of the auto-merge step."""
        waiting = (f"; {self.clusters_waiting:,} clusters left for the next dedupe (a customer of theirs is "
                   f"no longer active)" if self.clusters_waiting else "")
        return (f"auto-merged {self.merges:,} clusters: {self.merged_customers:,} customers merged into "
                f"their main customer{waiting} ({self.seconds:.1f} s)")

    def as_dict(self) -> dict:
        return {"merges": self.merges, "merged_customers": self.merged_customers,
                "clusters_waiting": self.clusters_waiting, "seconds": round(self.seconds, 2)}


def check_elements(elements: Iterable[str]) -> tuple[str, ...]:
    """The elements to move, checked and in the canonical order."""
    chosen = {e.strip() for e in elements if e.strip()}
    unknown = sorted(chosen - set(ELEMENTS))
    if unknown:
        raise UnificaError(f"--elements: {unknown[0]!r} is not one of {', '.join(ELEMENTS)}")
    return tuple(e for e in ELEMENTS if e in chosen)


def check_merge(con: duckdb.DuckDBPyConnection, main_id: int, merged_ids: Sequence[int]) -> tuple[int, ...]:
    """Refuse a merge that must not happen, in one line naming the customer: into itself, an
    unknown id, a customer already merged (and where it lives now), a deleted customer, a
    person and a company. Returns the merged ids without repeats, in the order given."""
    merged = tuple(dict.fromkeys(int(c) for c in merged_ids))
    if not merged:
        raise UnificaError("name at least one customer to merge into the main customer")
    if main_id in merged:
        raise UnificaError(f"customer {main_id} cannot be merged into itself")
    found = {row[0]: row for row in fetch_sql(con, "select_merge_customers", customer_ids=[main_id, *merged])}
    for customer_id in (main_id, *merged):
        if customer_id not in found:
            raise UnificaError(f"no customer {customer_id} in the warehouse")
        _, _, status, merged_into, surviving_id, _ = found[customer_id]
        if status == CustomerStatus.MERGED:
            raise UnificaError(f"customer {customer_id} is already merged: it now lives in customer "
                               f"{surviving_id} (merged into {merged_into})")
        if status == CustomerStatus.DELETED:
            raise UnificaError(f"customer {customer_id} is deleted; a deleted customer takes part in no merge")
    main_type = found[main_id][1]
    for customer_id in merged:
        if found[customer_id][1] != main_type:
            raise UnificaError(f"customer {customer_id} is a {found[customer_id][1]} and customer {main_id} "
                               f"a {main_type}: a person and a company are never merged")
    return merged


def merge_customers(con: duckdb.DuckDBPyConnection, main_id: int, merged_ids: Sequence[int], *,
                    elements: Sequence[str] = ELEMENTS, actor: str, reason: str = MANUAL_REASON,
                    pair_id: int | None = None, match_probability: float | None = None,
                    fill_missing: bool = True) -> MergeResult:
    """Merge ``merged_ids`` into ``main_id`` in one transaction (checked first: see
    ``check_merge``); returns what the merge did."""
    merged = check_merge(con, main_id, merged_ids)
    request = MergeRequest(main_id, merged, check_elements(elements), actor, reason, pair_id, match_probability)
    with transaction(con):
        (merge_id,) = apply_merges(con, [request], fill_missing=fill_missing)
    return MergeResult(merge_id, main_id, merged, _undo_counts(con, merge_id))


def apply_merges(con: duckdb.DuckDBPyConnection, requests: Sequence[MergeRequest], *,
                 fill_missing: bool = True, now: datetime | None = None) -> list[int]:
    """Apply checked merges inside the caller's transaction; returns their merge ids, in order.

    No customer may appear in two requests (the callers group pairs into disjoint merges).
    """
    if not requests:
        return []
    seen: set[int] = set()
    for r in requests:
        ids = (r.main_customer_id, *r.merged_customer_ids)
        if seen.intersection(ids) or len(set(ids)) != len(ids):
            raise ValueError(f"customer in two merges of one batch: {ids}")
        seen.update(ids)
    first = next_id(con, "merge_events", "merge_id")
    merge_ids = list(range(first, first + len(requests)))
    frame = pd.DataFrame({
        "merge_id": merge_ids,
        "main_customer_id": [r.main_customer_id for r in requests],
        "elements": [list(r.elements) for r in requests],
        "actor": [r.actor for r in requests],
        "reason": [r.reason for r in requests],
        "pair_id": pd.array([r.pair_id for r in requests], dtype="Int64"),
        "match_probability": pd.array([r.match_probability for r in requests], dtype="Float64"),
        "fill_missing": fill_missing,
    })
    members = pd.DataFrame(
        [(m, c, rank) for m, r in zip(merge_ids, requests) for rank, c in enumerate(r.merged_customer_ids, 1)],
        columns=["merge_id", "customer_id", "member_rank"]).astype("int64")
    with registered(con, merge_requests_in=frame, merge_members_in=members):
        run_sql(con, "stage_merge_requests")
        run_sql(con, "stage_merge_members")
    now = now or datetime.now()
    for step in _MERGE_STEPS:
        run_sql(con, step, now=now)
        if after_statement is not None:
            after_statement(step)
    return merge_ids


def unmerge(con: duckdb.DuckDBPyConnection, merge_id: int, *, actor: str, cascade: bool = False) -> UnmergeResult:
    """Undo merge ``merge_id`` in one transaction, restoring every row it changed exactly as it
    was. Later merges that changed the same rows must be undone first: refused, naming them,
    unless ``cascade``, which undoes them first (newest first)."""
    event = fetch_sql(con, "select_merge_event", merge_id=merge_id)
    if not event:
        raise UnificaError(f"no merge {merge_id} in the warehouse (merge ids are in merge_events)")
    if event[0][6] is not None:
        raise UnificaError(f"merge {merge_id} was already undone ({event[0][6]:%Y-%m-%d %H:%M} by {event[0][7]})")
    order = _undo_order(con, merge_id)
    if len(order) > 1 and not cascade:
        later = ", ".join(str(m) for m in sorted(order[:-1]))
        raise UnificaError(f"merge {merge_id} cannot be undone on its own: later merge{'s' if len(order) > 2 else ''} "
                           f"{later} changed the same customers or rows; undo them first, or use --cascade")
    return _undo(con, order, actor)


def _undo(con: duckdb.DuckDBPyConnection, order: list[int], actor: str) -> UnmergeResult:
    """Undo the merges ``order`` (newest first, each depending on none left after it) in one
    transaction."""
    restored = dict.fromkeys(UNDO_TABLES, 0)
    now = datetime.now()
    with transaction(con):
        for undo_id in order:
            for table, n in _undo_counts(con, undo_id).items():
                restored[table] += n
            for table, key in UNDO_TABLES.items():
                if table == "customers":  # only what the merge changed: later changes stay
                    run_sql(con, "restore_undone_customers", merge_id=undo_id)
                else:
                    run_sql_template(con, "delete_undone_rows", {"table": table, "key": key}, merge_id=undo_id)
                    run_sql_template(con, "restore_undone_rows", {"table": table}, merge_id=undo_id)
                run_sql_template(con, "forget_merge_undo", {"table": table}, merge_id=undo_id)
                if after_statement is not None:
                    after_statement(f"unmerge {table}")
            run_sql(con, "mark_merge_undone", merge_id=undo_id, actor=actor, now=now)
        # contact details an ingest brought for a merged customer while it was merged sit on
        # the customer it lived in: back to the customer their record belongs to
        run_sql(con, "rehome_contact_details",
                customer_ids=sorted({int(c) for m in order for c in _merge_customers(con, m)}))
    return UnmergeResult(tuple(order), restored)


@dataclass
class RevisionSummary:
    """Auto-merges the latest clustering contradicts: undone, or kept because a person changed
    their customers since, or merged on top of them."""

    undone: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


def revise_auto_merges(con: duckdb.DuckDBPyConnection, cluster_of: Mapping[int, int]) -> RevisionSummary:
    """Undo the auto-merges whose cluster ``cluster_of`` (customer -> cluster, from the latest
    clustering of every pair) no longer holds together: the customers of the pairs a merge
    settled are no longer all in one cluster, as newer records showed that part of a merged
    customer belongs elsewhere. So merging as records arrive ends as merging once at the end
    would. Only the nightly run's own merges are revised, and only when no person changed
    their customers since and no person's merge depends on them; each undo (with the later
    auto-merges that depend on it) is one transaction (``unmerge``)."""
    summary = RevisionSummary()
    live = fetch_sql(con, "select_live_auto_merges")
    changed = {merge_id: changed_since for merge_id, _, changed_since in live}
    for merge_id, clustered, _ in live:
        clusters = {cluster_of.get(int(c)) for c in clustered}
        if len(clusters) <= 1 and None not in clusters:
            continue
        if merge_id in summary.undone:  # undone already, with one it depends on
            continue
        order = _undo_order(con, merge_id)
        actors = {fetch_sql(con, "select_merge_event", merge_id=m)[0][3] for m in order}
        if actors != {AUTO_ACTOR} or any(changed.get(m, True) for m in order):
            summary.kept.append(merge_id)
            continue
        summary.undone.extend(_undo(con, order, AUTO_ACTOR).merge_ids)  # as unmerge --cascade
    return summary


def _merge_customers(con: duckdb.DuckDBPyConnection, merge_id: int) -> list[int]:
    main, merged = fetch_sql(con, "select_merge_event", merge_id=merge_id)[0][1:3]
    return [main, *merged]


def auto_merge(con: duckdb.DuckDBPyConnection, *, survivorship: Sequence[str] = DEFAULT_SURVIVORSHIP,
               fill_missing: bool = True) -> AutoMergeSummary:
    """Merge every auto-merge cluster (candidate pairs in state auto_merge) into the main
    customer survivorship chooses, recorded with actor ``auto``; one transaction for all.

    A cluster is the customers its pairs' customers live in now (a pair may name a customer
    merged earlier): two or more, all active, are merged; a cluster living in one customer
    only has its pairs settled (auto_merged); one with a customer disabled or deleted waits.
    Two clusters living partly in the same customer cannot be one batch of merges: the
    second is merged in a next round, into what the first became."""
    started = time.perf_counter()
    summary = AutoMergeSummary()
    with transaction(con):
        while True:
            _settle_merged_clusters(con)
            run_sql(con, "stage_auto_merge_clusters")
            ranked = rank_groups(con, survivorship)
            why = {row[0]: row[1:] for row in fetch_sql(con, "select_auto_merge_pairs")}
            requests, taken = [], set()
            for group_id, group in ranked.groupby("group_id", sort=True):
                ids = [int(c) for c in group.customer_id]
                if taken.intersection(ids):
                    continue  # shares a customer with a cluster of this round: the next round
                taken.update(ids)
                pair_id, strongest, weakest, pairs = why[group_id]
                reason = (f"auto-merge: cluster of {len(ids)} customers, {pairs} candidate "
                          f"pair{'s' if pairs > 1 else ''} with match probability {weakest:.4f} to {strongest:.4f}")
                requests.append(MergeRequest(ids[0], tuple(ids[1:]), ELEMENTS, AUTO_ACTOR, reason,
                                             int(pair_id), float(weakest)))
            if not requests:
                break
            apply_merges(con, requests, fill_missing=fill_missing)
            summary.merges += len(requests)
            summary.merged_customers += sum(len(r.merged_customer_ids) for r in requests)
        summary.clusters_waiting = fetch_sql(con, "count_waiting_clusters")[0][0]
    summary.seconds = time.perf_counter() - started
    return summary


def _settle_merged_clusters(con: duckdb.DuckDBPyConnection) -> None:
    """The auto-merge clusters whose customers all live in one customer already: their pairs
    become auto_merged, kept for undo with the newest merge into it (stage_settled_clusters.sql)."""
    for step in ("stage_settled_clusters", "save_merge_undo_candidate_pairs", "mark_merged_pairs",
                 "update_merge_undo_counts"):
        run_sql(con, step)


def _undo_order(con: duckdb.DuckDBPyConnection, merge_id: int) -> list[int]:
    """``merge_id`` and every later merge that depends on it, directly or not, newest first."""
    found = {merge_id}
    frontier = [merge_id]
    while frontier:
        current = frontier.pop()
        for row in fetch_sql(con, "select_dependent_merges", merge_id=current):
            if row[0] not in found:
                found.add(row[0])
                frontier.append(row[0])
    return sorted(found, reverse=True)


def _undo_counts(con: duckdb.DuckDBPyConnection, merge_id: int) -> dict[str, int]:
    event = fetch_sql(con, "select_merge_undo_counts", merge_id=merge_id)
    return {k: int(v) for k, v in json.loads(event[0][0]).items()} if event else {}

