"""The steward's review report, written (DESIGN.md, "Matching": the pairs between review and
auto-merge go to the steward report; `unifica review export`).

One row per candidate pair in the review band, shown as the two customers its customers
live in (a pair may name a customer merged since it was scored, or before: the customer it
was merged into stands for it), when those are two distinct active customers; pairs leading
to the same two customers make one row, the strongest pair's. Rows are grouped in clusters
(the connected components of those pairs), the strongest cluster first and the strongest pair
first within it. Each row shows both customers' values side by side for every compared
field, the level label the field reached (between the pair's own customers, as scored) and
the weight of that level, log2(m/u) in the model of the dedupe run that scored the pair,
coloured green (agree), amber (partly), red (disagree, or evidence against). The steward
fills ``decision`` (merge / not_duplicate / skip) and ``main`` (left / right, prefilled by
survivorship) and hands the file back to ``unifica review apply`` (merge/review_apply.py).

Hidden key columns name the pair, both customers, the warehouse, and a fingerprint of what
the steward saw (the pair's probability, both customers' status, updated_at and shown
values): apply refuses a row whose fingerprint no longer matches. The sheet is not
protected: Excel refuses to sort or delete rows holding locked cells, which a steward must
be able to do; an edited key column reads as stale instead.

Values from customers are written as text that Excel never evaluates: a value starting with
``= + - @``, a tab or a carriage return is a string cell with the quote prefix set.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dedupe.comparisons import COMPARISONS, DIFFERENT, MISSING
from merge.survivorship import DEFAULT_SURVIVORSHIP, rank_customers
from merge.warehouse import fetch_sql, registered, run_sql
from unifica.errors import UnificaError

Progress = Callable[[str, int, int], None]  # (what, done, total)

REVIEW_SHEET = "Review"
SUMMARY_SHEET = "Summary"


class Decision(StrEnum):
    """What a steward decides about a pair (review_decisions.decision)."""

    MERGE = "merge"
    NOT_DUPLICATE = "not_duplicate"
    SKIP = "skip"


MAIN_CHOICES = ("left", "right")

# The visible columns before the fields, and the hidden key columns after them: apply finds
# every column by its header, so a steward may move columns and sort or delete rows.
CLUSTER, CLUSTER_SIZE, PROBABILITY, DECISION, MAIN = "cluster", "customers in cluster", "match probability", \
    "decision", "main"
TYPE, LEFT, RIGHT = "type", "left customer", "right customer"
FOUND_BY = "found by"
KEY_PAIR, KEY_LEFT, KEY_RIGHT, KEY_FINGERPRINT, KEY_WAREHOUSE = \
    "pair_id", "customer_id_left", "customer_id_right", "fingerprint", "warehouse_id"
KEY_COLUMNS = (KEY_PAIR, KEY_LEFT, KEY_RIGHT, KEY_FINGERPRINT, KEY_WAREHOUSE)


@dataclass(frozen=True)
class ShownField:
    """A compared field as the report shows it: ``field`` in candidate_pairs.levels and
    match_levels, its header, and the value column of select_review_pairs.sql (_l, _r)."""

    field: str
    header: str
    value: str


SHOWN_FIELDS = (
    ShownField("full_name", "Name", "name"),
    ShownField("given_names", "Given names", "given_names"),
    ShownField("document_number", "Document", "document"),
    ShownField("birth_date", "Birth date", "birth_date"),
    ShownField("business_name", "Business name", "business_name"),
    ShownField("emails", "E-mails", "emails"),
    ShownField("phones", "Phones", "phones"),
    ShownField("address", "Address", "address"),
    ShownField("city", "City", "city"),
)
_SILENT = {(c.field, level.label) for c in COMPARISONS for level in c.levels if not level.weighs}
_IMPLIED = {c.field: c.implied_by for c in COMPARISONS if c.implied_by}  # field -> its Implied rules
_HEADER_OF = {f.field: f.header for f in SHOWN_FIELDS}

# Cell colours, Excel's own good / neutral / bad
AGREE, PARTLY, DISAGREE = "agree", "partly", "disagree"
_FILLS = {AGREE: PatternFill("solid", fgColor="C6EFCE"), PARTLY: PatternFill("solid", fgColor="FFEB9C"),
          DISAGREE: PatternFill("solid", fgColor="FFC7CE")}
_FONTS = {AGREE: Font(color="006100"), PARTLY: Font(color="9C5700"), DISAGREE: Font(color="9C0006"),
          MISSING: Font(color="808080", italic=True)}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_KEY_FILL = PatternFill("solid", fgColor="808080")
_INPUT_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
# A text starting with one of these is a formula to Excel (or to a CSV made from the sheet)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 45


@dataclass
class ExportSummary:
    """What ``export_review`` wrote."""

    path: Path
    pairs: int = 0
    clusters: int = 0
    customers: int = 0
    bands: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The closing summary of ``unifica review export``."""
        return (f"review report: {self.pairs:,} pairs in {self.clusters:,} clusters of {self.customers:,} customers "
                f"-> {self.path} ({self.seconds:.1f} s)")

    def as_dict(self) -> dict:
        """Counts and the report's path, for the runs table."""
        return {"path": str(self.path), "pairs": self.pairs, "clusters": self.clusters,
                "customers": self.customers, "seconds": round(self.seconds, 2)}


def warehouse_id(con: duckdb.DuckDBPyConnection) -> str:
    """This warehouse's id (migration 0005)."""
    rows = fetch_sql(con, "select_warehouse_id")
    if len(rows) != 1:
        raise UnificaError("the warehouse has no single warehouse_info row; it was changed by hand")
    return rows[0][0]


def review_pairs(con: duckdb.DuckDBPyConnection, pair_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """The pairs to review now (``pair_ids`` None) or the given pairs whatever their state, as
    select_review_pairs.sql shows them, by pair id: customer_id_l and customer_id_r are the
    customers the pair's customers live in now, smaller id left."""
    if pair_ids is None:
        run_sql(con, "stage_review_export_pairs")
    else:
        with registered(con, review_rows_in=pd.DataFrame({"pair_id": list(pair_ids)}, dtype="int64")):
            run_sql(con, "stage_review_apply_pairs")
    cursor = run_sql(con, "select_review_pairs")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def fingerprint(warehouse: str, pair: dict[str, Any]) -> str:
    """A hash of what the steward saw of a pair: the warehouse, the pair, its probability and
    both customers' status, updated_at and shown values. Any change gives another hash."""
    seen = [warehouse, pair["pair_id"], pair["customer_id_l"], pair["customer_id_r"], repr(pair["match_probability"])]
    for side in ("l", "r"):
        seen += [pair[f"status_{side}"], _iso(pair[f"updated_at_{side}"])]
        seen += [pair[f"{f.value}_{side}"] for f in SHOWN_FIELDS]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()[:32]


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def components(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Connected components of customers joined by pairs: each customer of ``edges`` -> the
    smallest customer id of its component."""
    parent: dict[int, int] = {}

    def root(c: int) -> int:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for left, right in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {c: root(c) for c in list(parent)}


def clusters(pairs: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The pairs in clusters (connected components over their customers), the cluster with the
    strongest pair first, its pairs strongest first (ties: smaller pair id first)."""
    component = components((p["customer_id_l"], p["customer_id_r"]) for p in pairs)
    groups: dict[int, list[dict[str, Any]]] = {}
    for p in pairs:
        groups.setdefault(component[p["customer_id_l"]], []).append(p)
    strongest_first = [sorted(g, key=lambda p: (-p["match_probability"], p["pair_id"])) for g in groups.values()]
    return sorted(strongest_first, key=lambda g: (-g[0]["match_probability"], g[0]["pair_id"]))


def probability_bands(review: float) -> list[tuple[float, float]]:
    """The report's probability bands: 0.05 wide, from the one holding ``review`` up to 1."""
    start = math.floor(round(review * 20, 9)) / 20
    edges = [round(start + 0.05 * i, 2) for i in range(int(round((1 - start) * 20)) + 1)]
    return list(zip(edges[:-1], edges[1:])) or [(start, 1.0)]


def band_counts(probabilities: Iterable[float], review: float) -> list[tuple[str, int]]:
    """How many pairs fall in each band of ``probability_bands`` ("0.60–0.65", n); a
    probability outside them counts in the nearest (1.0 in the last band)."""
    bands = probability_bands(review)
    counts = [0] * len(bands)
    for p in probabilities:
        counts[next((i for i, (lo, hi) in enumerate(bands) if p < hi), len(bands) - 1)] += 1
    return [(f"{lo:.2f}–{hi:.2f}", n) for (lo, hi), n in zip(bands, counts)]


def default_report_path(folder: Path, today: date | None = None, stem: str = "review") -> Path:
    """``<stem>-<date>.xlsx`` in ``folder``; ``<stem>-<date>-2.xlsx`` and on when taken (a
    report a steward is still filling in is never overwritten)."""
    stem = f"{stem}-{(today or date.today()):%Y-%m-%d}"
    path, n = folder / f"{stem}.xlsx", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.xlsx"
    return path


def export_review(con: duckdb.DuckDBPyConnection, path: Path, *, review: float = 0.60, auto_merge: float = 0.95,
                  survivorship: Sequence[str] = DEFAULT_SURVIVORSHIP, warehouse_path: str = "",
                  progress: Progress | None = None) -> ExportSummary:
    """Write the review report of the warehouse's review-band pairs to ``path`` (.xlsx);
    returns its counts. ``review`` and ``auto_merge`` are the thresholds the bands and the
    summary sheet show; ``survivorship`` prefills each pair's main customer."""
    started = time.perf_counter()
    if path.suffix.lower() != ".xlsx":
        raise UnificaError(f"{path}: a review report is an Excel workbook; name it ….xlsx")
    warehouse = warehouse_id(con)
    pairs = review_pairs(con)
    weights = {(run, ctype, f, label): (level, weight)
               for run, ctype, f, label, level, weight in fetch_sql(con, "select_review_weights")}
    grouped = clusters(pairs)
    customers = sorted({c for p in pairs for c in (p["customer_id_l"], p["customer_id_r"])})
    rank = {c: i for i, c in enumerate(rank_customers(con, customers, survivorship))} if customers else {}
    summary = ExportSummary(path, len(pairs), len(grouped), len(customers))
    summary.bands = band_counts([p["match_probability"] for p in pairs], review)

    rows = []
    for number, group in enumerate(grouped, 1):
        size = len({c for p in group for c in (p["customer_id_l"], p["customer_id_r"])})
        for p in group:
            main = "left" if rank[p["customer_id_l"]] < rank[p["customer_id_r"]] else "right"
            rows.append((number, size, p, main, fingerprint(warehouse, p)))
    workbook = Workbook(write_only=True)
    _write_review_sheet(workbook.create_sheet(REVIEW_SHEET), rows, weights, warehouse, progress)
    _write_summary_sheet(workbook.create_sheet(SUMMARY_SHEET), summary, grouped, review, auto_merge, survivorship,
                         warehouse, warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        workbook.save(path)
    except OSError as exc:
        raise UnificaError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    summary.seconds = time.perf_counter() - started
    return summary


def _headers() -> list[str]:
    fields = [h for f in SHOWN_FIELDS for h in (f"{f.header} (left)", f"{f.header} (right)", f"{f.header}: level",
                                                 f"{f.header}: weight")]
    return [CLUSTER, CLUSTER_SIZE, PROBABILITY, DECISION, MAIN, TYPE, LEFT, RIGHT, *fields, FOUND_BY, *KEY_COLUMNS]


def _evidence(pair: dict[str, Any], shown: ShownField,
              weights: dict[tuple, tuple[int, float]]) -> tuple[str | None, float | None, str | None]:
    """The level label a field reached, its weight, and its colour (None: not compared)."""
    levels = pair["levels"] or {}
    label = levels.get(shown.field)
    if label is None:
        return None, None, None
    if label == MISSING:
        # both sides give it, so it was compared and set aside: another field said as much
        given = all(pair.get(f"{shown.value}_{side}") not in (None, "", []) for side in "lr")
        implied = next((rule.field for rule in _IMPLIED.get(shown.field, ()) if levels.get(rule.field) in rule.levels), None)
        if implied and given:
            label = f"counted in {_HEADER_OF.get(implied, implied)}"
        return label, 0.0, MISSING
    level, weight = weights.get((pair["run_id"], pair["customer_type"], shown.field, label), (None, None))
    if (shown.field, label) in _SILENT:  # shown, no evidence either way (Level.weighs)
        return label, 0.0, PARTLY
    if label == DIFFERENT or (weight is not None and weight < 0):
        colour = DISAGREE
    elif level == 0:
        colour = AGREE
    else:
        colour = PARTLY
    return label, weight, colour


_STYLES: dict[str, dict[str, Any]] = {
    **{c: {"fill": _FILLS[c], "font": _FONTS[c]} for c in _FILLS},
    MISSING: {"font": _FONTS[MISSING]},
    "input": {"fill": _INPUT_FILL},
    "probability": {"number_format": "0.0000"},
    "weight": {"number_format": "+0.0;-0.0;0.0"},
    "bold": {"font": Font(bold=True)},
    "title": {"font": Font(bold=True, size=14)},
    "header": {"font": _HEADER_FONT, "fill": _HEADER_FILL, "alignment": _WRAP},
    "key header": {"font": _HEADER_FONT, "fill": _KEY_FILL, "alignment": _WRAP},
}


class _Cells:
    """Cells for one write-only sheet. Customer values are written so that Excel never
    evaluates them; each style is made once and copied onto its cells (assigning a Fill or
    Font object hashes it every time: a third of the export's time at 5,000 pairs)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.styles: dict[tuple[str | None, bool], Any] = {}

    def __call__(self, value: Any, style: str | None = None) -> Any:
        """``value`` as a cell in ``style`` (a key of _STYLES), or as itself when it needs none."""
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        quoted = isinstance(value, str) and value.startswith(_FORMULA_STARTS)
        if style is None and not quoted:
            return value
        cell = WriteOnlyCell(self.ws, value)
        if quoted:
            cell.data_type = "s"      # openpyxl took "=..." for a formula
        cell._style = copy(self._style(style, quoted))
        return cell

    def _style(self, style: str | None, quoted: bool) -> Any:
        if (style, quoted) not in self.styles:
            template = WriteOnlyCell(self.ws)
            for attribute, value in _STYLES.get(style or "", {}).items():
                setattr(template, attribute, value)
            template.quotePrefix = quoted   # Excel keeps the text a text when the cell is edited
            self.styles[style, quoted] = template._style
        return self.styles[style, quoted]


def _write_review_sheet(ws: Any, rows: list[tuple], weights: dict[tuple, tuple[int, float]], warehouse: str,
                        progress: Progress | None) -> None:
    headers = _headers()
    column = {h: get_column_letter(i) for i, h in enumerate(headers, 1)}
    last_row = max(len(rows), 1) + 1
    widths = {h: max(len(h) // 2, 8) for h in headers}
    for _, _, p, _, _ in rows:
        for f in SHOWN_FIELDS:
            for side, header in (("l", f"{f.header} (left)"), ("r", f"{f.header} (right)")):
                widths[header] = max(widths[header], len(p[f"{f.value}_{side}"] or ""))
            level = (p["levels"] or {}).get(f.field) or ""
            widths[f"{f.header}: level"] = max(widths[f"{f.header}: level"], len(level))
        widths[FOUND_BY] = max(widths[FOUND_BY], len(", ".join(p["blocking_rules"] or [])))
    widths.update({CLUSTER: 8, CLUSTER_SIZE: 10, PROBABILITY: 11, DECISION: 15, MAIN: 8, TYPE: 9, LEFT: 10,
                   RIGHT: 10, KEY_FINGERPRINT: 34, KEY_WAREHOUSE: 38})
    for h in headers:
        dimension = ws.column_dimensions[column[h]]
        dimension.width = min(widths[h], MAX_WIDTH) + 2
        dimension.hidden = h in KEY_COLUMNS
    ws.freeze_panes = f"{column[TYPE]}2"   # the header, and the pair's cluster, probability and decision
    ws.auto_filter.ref = f"A1:{column[headers[-1]]}{last_row}"
    decision = DataValidation(type="list", formula1=f'"{",".join(Decision)}"', allow_blank=True,
                              showErrorMessage=True, errorStyle="warning", errorTitle="decision",
                              error="merge, not_duplicate or skip (empty: skip)", promptTitle="decision",
                              prompt="merge: the same customer; not_duplicate: never propose again; "
                                     "skip or empty: decide later", showInputMessage=True)
    decision.add(f"{column[DECISION]}2:{column[DECISION]}{last_row}")
    main = DataValidation(type="list", formula1=f'"{",".join(MAIN_CHOICES)}"', allow_blank=True,
                          showErrorMessage=True, errorStyle="warning", errorTitle="main",
                          error="left or right: the customer the other is merged into", promptTitle="main",
                          prompt="the customer that stays when merging: left or right", showInputMessage=True)
    main.add(f"{column[MAIN]}2:{column[MAIN]}{last_row}")
    ws.data_validations.append(decision)
    ws.data_validations.append(main)

    cell = _Cells(ws)
    ws.append([cell(h, "key header" if h in KEY_COLUMNS else "header") for h in headers])
    for done, (number, size, p, main_side, print_) in enumerate(rows, 1):
        cells: list[Any] = [number, size, cell(p["match_probability"], "probability"), cell(None, "input"),
                            cell(main_side, "input"), p["customer_type"], p["customer_id_l"], p["customer_id_r"]]
        for f in SHOWN_FIELDS:
            label, weight, colour = _evidence(p, f, weights)
            value_colour = colour if colour != MISSING else None
            cells += [cell(p[f"{f.value}_l"], value_colour), cell(p[f"{f.value}_r"], value_colour),
                      cell(label, colour), None if weight is None else cell(round(weight, 2), "weight")]
        cells += [", ".join(p["blocking_rules"] or []), p["pair_id"], p["customer_id_l"], p["customer_id_r"],
                  print_, warehouse]
        ws.append(cells)
        if progress and (done % 1000 == 0 or done == len(rows)):
            progress("writing the review report", done, len(rows))


def _write_summary_sheet(ws: Any, summary: ExportSummary, grouped: list[list[dict[str, Any]]], review: float,
                         auto_merge: float, survivorship: Sequence[str], warehouse: str, warehouse_path: str) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 48
    cell = _Cells(ws)
    written = [0]

    def line(label: str, value: Any = None, style: str | None = None) -> int:
        """Append a row; returns its number."""
        ws.append([cell(label, style), cell(value, style)])
        written[0] += 1
        return written[0]

    line("Unifica review report", None, "title")
    line("exported at", datetime.now().strftime("%Y-%m-%d %H:%M"))
    line("warehouse", warehouse_path)
    line("warehouse id", warehouse)
    line("thresholds", f"review {review:.2f}, auto-merge {auto_merge:.2f}")
    line("main customer prefilled by", ", ".join(survivorship))
    line("")
    line("pairs to review", summary.pairs, "bold")
    line("clusters", summary.clusters, "bold")
    line("customers", summary.customers, "bold")
    line("clusters of 3 or more customers",
         sum(len({c for p in g for c in (p["customer_id_l"], p["customer_id_r"])}) > 2 for g in grouped), "bold")
    line("")
    header_row = line("match probability", "pairs", "bold")
    last_band = header_row
    for label, count in summary.bands:
        last_band = line(label, count)
    line("")
    for text in (
        "How to decide: on the Review sheet, set decision on each row (drop-down):",
        "  merge: the two are one customer; main says which one stays (left or right, prefilled by survivorship)",
        "  not_duplicate: two different customers; the pair is never proposed again",
        "  skip, or empty: decide later; the pair comes back in the next report",
        "Sort, filter, delete rows and move columns freely; do not edit the hidden key columns.",
        "Hand it back with: unifica review apply <this file> --steward <your name>",
        "Colours: green agrees, amber agrees partly, red disagrees (or counts against), grey missing.",
        "weight: log2(m/u) of the level reached, the evidence it gives (positive for, negative against).",
        "With [matching] model supervised, the stewards' past decisions set the match probability of the",
        "pairs here (match_steward_weights); the weights are those of the model fitted without them.",
    ):
        line(text)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Pairs to review by match probability"
    chart.y_axis.title = "pairs"
    chart.x_axis.title = "match probability"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=last_band), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_band))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, "D2")
