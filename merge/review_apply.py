"""The steward's review report, handed back: its decisions applied (`unifica review apply`).

The report (merge/review_export.py) is read back with openpyxl, every column found by its
header, so rows may be sorted, filtered or deleted and columns moved; decisions are read in
any case and with stray spaces ("Not duplicate" is not_duplicate). Each row ends as one of:

- skipped: no decision, or skip (nothing is recorded: the pair comes back in the next report);
- unreadable: a decision or main that is not one of the choices, or key columns that are not
  the report's (reported by row, nothing applied);
- stale: the row is from another warehouse, the pair is gone or no longer in review, its
  customers no longer live in the two customers the row shows (one was merged since, or a
  merge undone), one of those was disabled or deleted, or the pair's fingerprint (what the
  steward saw) changed;
- already applied: this decision is recorded for this pair (the same report applied again);
- conflicting: merges that would join the two customers of a pair the steward marked
  not_duplicate (every row of that group), or one pair given two different decisions;
- merged or rejected: applied, all in one transaction.

A row's customers are the two customers the pair's customers live in (the report shows a
pair naming a merged customer as the customer it was merged into): merges and decisions are
about them. Merges are grouped into disjoint merges (the connected components of the pairs
marked merge); a group's main customer is the ``main`` chosen on its strongest pair
(survivorship when left empty); each group is one merge (merge.merging.apply_merges) by the
steward. not_duplicate makes the pair ``rejected``, and with it every pair in review leading
to the same two customers (the report showed them as one row): never proposed again. Every
applied decision is a review_decisions row, with the customers the row showed.
"""
from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from merge.merging import ELEMENTS, MergeRequest, apply_merges
from merge.review_export import (DECISION, KEY_COLUMNS, KEY_FINGERPRINT, KEY_LEFT, KEY_PAIR, KEY_RIGHT,
                                 KEY_WAREHOUSE, MAIN, MAIN_CHOICES, Decision, components, fingerprint,
                                 review_pairs, warehouse_id)
from merge.survivorship import DEFAULT_SURVIVORSHIP, rank_customers
from merge.warehouse import fetch_sql, next_id, registered, run_sql, transaction
from schemas.records import CustomerStatus, PairState
from unifica.errors import UnificaError

Progress = Callable[[str, int, int], None]  # (what, done, total)

STALE, CONFLICTING, UNREADABLE = "stale", "conflicting", "unreadable"


@dataclass(frozen=True)
class ReportRow:
    """One decided row of a review report (row: its number in the sheet)."""

    row: int
    pair_id: int
    customer_id_l: int
    customer_id_r: int
    fingerprint: str
    warehouse_id: str
    decision: Decision
    main: str | None      # left | right | None (survivorship chooses)
    match_probability: float | None = None   # the pair's, from the warehouse, once checked


@dataclass(frozen=True)
class RowProblem:
    """A row not applied, and why, in words a steward can act on."""

    row: int
    kind: str             # stale | conflicting | unreadable
    reason: str

    def line(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ReadReport:
    """What a report holds: its decided rows, the skipped count, the unreadable rows."""

    rows: list[ReportRow] = field(default_factory=list)
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class ApplySummary:
    """What one ``review apply`` did."""

    report: Path
    steward: str
    merged_pairs: int = 0
    merges: int = 0
    merged_customers: int = 0
    rejected: int = 0
    skipped: int = 0
    stale: int = 0
    already_applied: int = 0
    conflicting: int = 0
    unreadable: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The closing summary of ``unifica review apply``."""
        return (f"review apply {self.report.name} by {self.steward}: {self.merged_pairs:,} pairs merged "
                f"({self.merges:,} merges, {self.merged_customers:,} customers merged into their main customer), "
                f"{self.rejected:,} rejected, {self.skipped:,} skipped, {self.stale:,} stale, "
                f"{self.already_applied:,} already applied, {self.conflicting:,} conflicting, "
                f"{self.unreadable:,} unreadable ({self.seconds:.1f} s)")


def check_report(path: Path) -> None:
    """Refuse, in one line, a file that is not a review report (before any work starts)."""
    workbook = _open(path)
    try:
        _find_review_sheet(workbook, path)
    finally:
        workbook.close()


def check_steward(steward: str) -> str:
    """The steward's name, trimmed; an empty one is refused."""
    if not steward.strip():
        raise UnificaError("--steward: give the name of the steward who decided (it is recorded with each decision)")
    return steward.strip()


def read_report(path: Path, progress: Progress | None = None) -> ReadReport:
    """The decisions of a review report; a file that is not one is a ``UnificaError``."""
    workbook = _open(path)
    try:
        sheet, columns = _find_review_sheet(workbook, path)
        total = max((sheet.max_row or 1) - 1, 0)
        read = ReadReport()
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2):
            _read_row(number, values, columns, read)
            if progress and (number % 1000 == 0 or number - 1 == total):
                progress("reading the review report", number - 1, total)
        return read
    finally:
        workbook.close()


def _open(path: Path) -> Any:
    if not path.is_file():
        raise UnificaError(f"{path}: no such file (the review report to apply, from `unifica review export`)")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UnificaError(f"{path}: not a review report (not an Excel .xlsx workbook); "
                           f"export one with `unifica review export`") from None


def _find_review_sheet(workbook: Any, path: Path) -> tuple[Any, dict[str, int]]:
    """The sheet whose header row has the report's key columns and decision, with the index of
    every column by its (trimmed, lower-case) header."""
    wanted = {*KEY_COLUMNS, DECISION}
    for sheet in workbook.worksheets:
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        columns: dict[str, int] = {}
        for i, name in enumerate(header):
            if isinstance(name, str):
                columns.setdefault(name.strip().lower(), i)
        if wanted <= columns.keys():
            return sheet, columns
    raise UnificaError(f"{path}: not a review report (no sheet with the columns {', '.join(sorted(wanted))}); "
                       f"export one with `unifica review export`")


def _read_row(number: int, values: tuple, columns: dict[str, int], read: ReadReport) -> None:
    def cell(name: str) -> Any:
        i = columns.get(name)
        return values[i] if i is not None and i < len(values) else None

    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
        return  # an emptied row
    decision = _choice(cell(DECISION))
    if decision in ("", Decision.SKIP):
        read.skipped += 1
        return
    if decision not in (Decision.MERGE, Decision.NOT_DUPLICATE):
        read.problems.append(RowProblem(number, UNREADABLE, f"decision {cell(DECISION)!r} is not one of "
                                                            f"{', '.join(Decision)} (empty: skip)"))
        return
    main = _choice(cell(MAIN)) or None
    if decision == Decision.MERGE and main not in (None, *MAIN_CHOICES):
        read.problems.append(RowProblem(number, UNREADABLE, f"main {cell(MAIN)!r} is not left or right"))
        return
    keys = [_integer(cell(k)) for k in (KEY_PAIR, KEY_LEFT, KEY_RIGHT)]
    marks = [cell(k) for k in (KEY_FINGERPRINT, KEY_WAREHOUSE)]
    if None in keys or not all(isinstance(m, str) and m for m in marks):
        read.problems.append(RowProblem(number, UNREADABLE, "its hidden key columns (pair_id, customer ids, "
                                                            "fingerprint, warehouse_id) are not the report's"))
        return
    read.rows.append(ReportRow(number, *keys, marks[0].strip(), marks[1].strip(), Decision(decision), main))


def _choice(value: Any) -> str:
    """A typed choice as the report's words: trimmed, lower-case, spaces and dashes as "_"."""
    if value is None:
        return ""
    return "_".join(str(value).strip().lower().replace("-", " ").split())


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def apply_review(con: duckdb.DuckDBPyConnection, path: Path, *, steward: str, fill_missing: bool = True,
                 survivorship: Sequence[str] = DEFAULT_SURVIVORSHIP, progress: Progress | None = None,
                 now: datetime | None = None) -> ApplySummary:
    """Apply the decisions of the review report at ``path`` by ``steward``, all in one
    transaction; returns what happened to its rows (see the module's docstring)."""
    started = time.perf_counter()
    steward = check_steward(steward)
    read = read_report(path, progress)
    summary = ApplySummary(path, steward, skipped=read.skipped, problems=list(read.problems))
    now = now or datetime.now()
    with transaction(con):
        fresh, summary.already_applied = _fresh_rows(con, read.rows, summary)
        groups = _merge_groups(fresh, summary)
        conflicting = {p.row for p in summary.problems if p.kind == CONFLICTING}
        rejected = [r for r in fresh if r.decision == Decision.NOT_DUPLICATE and r.row not in conflicting]
        requests, mains = _merge_requests(con, groups, steward, survivorship)
        merged_rows = [row for group in groups for row in group]
        # before the merges: a rejected pair's customers are found by the customers they live in now
        _record(con, merged_rows, mains, rejected, steward, path, now)
        apply_merges(con, requests, fill_missing=fill_missing, now=now)
    summary.merged_pairs = len(merged_rows)
    summary.merges = len(requests)
    summary.merged_customers = sum(len(r.merged_customer_ids) for r in requests)
    summary.rejected = len(rejected)
    summary.stale = sum(p.kind == STALE for p in summary.problems)
    summary.conflicting = len(conflicting)
    summary.unreadable = sum(p.kind == UNREADABLE for p in summary.problems)
    summary.problems.sort(key=lambda p: p.row)
    summary.seconds = time.perf_counter() - started
    return summary


def _fresh_rows(con: duckdb.DuckDBPyConnection, rows: list[ReportRow],
                summary: ApplySummary) -> tuple[list[ReportRow], int]:
    """The rows still to apply: from this warehouse, about a pair still in review whose
    customers are unchanged since the export, not already applied; the others go to the
    summary's problems. Returns them and the count of rows already applied."""
    here = warehouse_id(con)
    by_pair: dict[int, list[ReportRow]] = {}
    for row in rows:
        if row.warehouse_id != here:
            summary.problems.append(RowProblem(row.row, STALE, f"from another warehouse (id {row.warehouse_id}, "
                                                               f"this one is {here}); export a report from this one"))
        else:
            by_pair.setdefault(row.pair_id, []).append(row)
    current = {p["pair_id"]: p for p in review_pairs(con, by_pair)}
    recorded = {tuple(r) for r in fetch_sql(con, "select_recorded_review_decisions")}
    shown = sorted({c for same in by_pair.values() for r in same for c in (r.customer_id_l, r.customer_id_r)})
    living = {c: (status, surviving_id) for c, _, status, _, surviving_id, _ in
              (fetch_sql(con, "select_merge_customers", customer_ids=shown) if shown else [])}
    fresh, already = [], 0
    for pair_id, same_pair in sorted(by_pair.items()):
        row = same_pair[0]  # copies of one row (pasted twice) count once
        if len({(r.decision, r.main, r.customer_id_l, r.customer_id_r, r.fingerprint) for r in same_pair}) > 1:
            where = ", ".join(str(r.row) for r in same_pair)
            summary.problems.extend(RowProblem(r.row, CONFLICTING, f"pair {pair_id} is decided differently on rows "
                                                                   f"{where}") for r in same_pair)
            continue
        if (pair_id, row.customer_id_l, row.customer_id_r, row.decision.value) in recorded:
            already += 1
            continue
        why = _stale(row, current.get(pair_id), here, living)
        if why:
            summary.problems.append(RowProblem(row.row, STALE, why))
        else:
            fresh.append(replace(row, match_probability=current[pair_id]["match_probability"]))
    return fresh, already


def _stale(row: ReportRow, pair: dict[str, Any] | None, here: str,
           living: dict[int, tuple[str, int]]) -> str | None:
    """Why a row can no longer be applied, or None. ``living``: each customer the report
    names, its status and the customer it lives in now."""
    if pair is None:
        return (f"pair {row.pair_id} of customers {row.customer_id_l} and {row.customer_id_r} is no longer a "
                f"candidate pair (re-scored by a later dedupe?); decide it in a new report")
    if pair["state"] != PairState.REVIEW:
        return f"pair {row.pair_id} is {pair['state']} now, no longer in review"
    if (pair["customer_id_l"], pair["customer_id_r"]) != (row.customer_id_l, row.customer_id_r):
        for customer_id in (row.customer_id_l, row.customer_id_r):
            status, surviving_id = living.get(customer_id, (None, None))
            if status == CustomerStatus.MERGED:
                return (f"customer {customer_id} was merged since the export: it now lives in customer "
                        f"{surviving_id}; decide it in a new report")
        return (f"pair {row.pair_id} is now between customers {pair['customer_id_l']} and {pair['customer_id_r']}, "
                f"not {row.customer_id_l} and {row.customer_id_r} (a merge undone since the export?); decide it "
                f"in a new report")
    for side in ("l", "r"):
        if pair[f"status_{side}"] != CustomerStatus.ACTIVE:
            return f"customer {pair[f'customer_id_{side}']} was {pair[f'status_{side}']} since the export"
    if fingerprint(here, pair) != row.fingerprint:
        return (f"customers {row.customer_id_l} and {row.customer_id_r} or their pair changed since the export; "
                f"decide it in a new report")
    return None


def _merge_groups(fresh: list[ReportRow], summary: ApplySummary) -> list[list[ReportRow]]:
    """The rows marked merge in disjoint groups (connected components over their customers),
    without the groups that would join the customers of a pair marked not_duplicate (their
    rows go to the summary as conflicting)."""
    merges = [r for r in fresh if r.decision == Decision.MERGE]
    component = components((r.customer_id_l, r.customer_id_r) for r in merges)
    groups: dict[int, list[ReportRow]] = {}
    for r in merges:
        groups.setdefault(component[r.customer_id_l], []).append(r)
    for r in fresh:
        joined = component.get(r.customer_id_l)
        if r.decision == Decision.NOT_DUPLICATE and joined is not None and joined == component.get(r.customer_id_r):
            for other in groups.pop(joined, []):
                summary.problems.append(RowProblem(other.row, CONFLICTING, _conflict(other, r)))
            summary.problems.append(RowProblem(r.row, CONFLICTING, f"pair {r.pair_id} is not_duplicate but the merges "
                                               f"marked on other rows join customers {r.customer_id_l} and "
                                               f"{r.customer_id_r}; nothing of that group is applied"))
    return list(groups.values())


def _conflict(merge: ReportRow, not_duplicate: ReportRow) -> str:
    return (f"merge of pair {merge.pair_id} would join customers {not_duplicate.customer_id_l} and "
            f"{not_duplicate.customer_id_r}, marked not_duplicate on row {not_duplicate.row}; nothing of that "
            f"group is applied")


def _merge_requests(con: duckdb.DuckDBPyConnection, groups: list[list[ReportRow]], steward: str,
                    survivorship: Sequence[str]) -> tuple[list[MergeRequest], dict[int, int]]:
    """One merge per group, into the main chosen on its strongest pair (survivorship when left
    empty); the merged customers in survivorship order (the first fills the main customer's
    empty fields first). Returns the requests and each group row's main customer by pair id."""
    customers = sorted({c for group in groups for r in group for c in (r.customer_id_l, r.customer_id_r)})
    rank = {c: i for i, c in enumerate(rank_customers(con, customers, survivorship))} if customers else {}
    requests, mains = [], {}
    for group in groups:
        strongest = min(group, key=lambda r: (-(r.match_probability or 0.0), r.pair_id))
        members = {c for r in group for c in (r.customer_id_l, r.customer_id_r)}
        if strongest.main is None:
            main = min((strongest.customer_id_l, strongest.customer_id_r), key=rank.__getitem__)
        else:
            main = strongest.customer_id_l if strongest.main == "left" else strongest.customer_id_r
        merged = tuple(sorted(members - {main}, key=rank.__getitem__))
        requests.append(MergeRequest(main, merged, ELEMENTS, steward,
                                     f"review: pair {strongest.pair_id}, match probability "
                                     f"{strongest.match_probability:.4f}", strongest.pair_id,
                                     strongest.match_probability))
        mains.update({r.pair_id: main for r in group})
    return requests, mains


def _record(con: duckdb.DuckDBPyConnection, merged: list[ReportRow], mains: dict[int, int],
            rejected: list[ReportRow], steward: str, path: Path, now: datetime) -> None:
    """Reject the not_duplicate pairs (and the pairs in review leading to the same two customers)
    and write a review_decisions row per applied decision; before the report's merges."""
    rows = merged + rejected
    if not rows:
        return
    first = next_id(con, "review_decisions", "decision_id")
    frame = pd.DataFrame({
        "decision_id": pd.array(range(first, first + len(rows)), dtype="int64"),
        "pair_id": pd.array([r.pair_id for r in rows], dtype="int64"),
        "customer_id_l": pd.array([r.customer_id_l for r in rows], dtype="int64"),
        "customer_id_r": pd.array([r.customer_id_r for r in rows], dtype="int64"),
        "decision": pd.array([r.decision.value for r in rows], dtype="object"),
        "main_customer_id": pd.array([mains.get(r.pair_id) if r.decision == Decision.MERGE else None
                                      for r in rows], dtype="Int64"),
        "steward": steward,
        "report_file": str(path.resolve()),
        "decided_at": now,
    })
    with registered(con, review_decisions_in=frame):
        run_sql(con, "reject_review_pairs")
        run_sql(con, "insert_review_decisions")
