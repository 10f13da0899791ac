"""The steward's review report: exported from a real warehouse (the bundled sample, ingested and
scored), edited with openpyxl as a steward would, and applied back."""
from __future__ import annotations

import dataclasses
import math
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart
from typer.testing import CliRunner

from dedupe.scoring import score_candidates
from merge.ingest import ingest_sources
from merge.merging import merge_customers
from merge.review_apply import apply_review
from merge.review_export import KEY_COLUMNS, REVIEW_SHEET, SHOWN_FIELDS, SUMMARY_SHEET, _evidence, export_review
from merge.survivorship import main_customer
from merge.warehouse import open_warehouse
from tests.conftest import REPO, rows, write_config
from tests.test_merge import P1, P2, P3, P4, P5, add_pairs, small_warehouse
from unifica.cli import app
from unifica.config import Config, load_config
from unifica.errors import UnificaError

RED, GREEN = "FFC7CE", "C6EFCE"


@pytest.fixture(scope="module")
def scored_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample ingested and scored once (about 109 review pairs); tests copy the file."""
    path = tmp_path_factory.mktemp("sample") / "unifica.duckdb"
    config = dataclasses.replace(load_config(REPO / "unifica.toml"), warehouse=path)
    with open_warehouse(path) as con:
        ingest_sources(con, config)
        score_candidates(con, config.matching)
    return path


@pytest.fixture
def config(tmp_path: Path, scored_sample: Path) -> Config:
    """A config whose warehouse is this test's own copy of the scored sample."""
    shutil.copy(scored_sample, tmp_path / "unifica.duckdb")
    return dataclasses.replace(load_config(REPO / "unifica.toml"), warehouse=tmp_path / "unifica.duckdb",
                               review_folder=tmp_path)


@pytest.fixture
def con(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(config.warehouse) as connection:
        yield connection


def export(con: duckdb.DuckDBPyConnection, config: Config, name: str = "report.xlsx") -> Path:
    path = config.review_folder / name
    export_review(con, path, review=config.matching.review, auto_merge=config.matching.auto_merge,
                  survivorship=config.merge.survivorship)
    return path


def apply(con: duckdb.DuckDBPyConnection, config: Config, path: Path, steward: str = "ana"):
    return apply_review(con, path, steward=steward, fill_missing=config.merge.fill_missing,
                        survivorship=config.merge.survivorship)


def report_rows(path: Path) -> list[dict]:
    """The Review sheet's rows as {header: value}, in sheet order."""
    ws = load_workbook(path)[REVIEW_SHEET]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, values)) for values in ws.iter_rows(min_row=2, values_only=True)]


def steward_edits(path: Path, decisions: dict[int, tuple[str | None, str | None]],
                  delete: frozenset[int] = frozenset()) -> None:
    """Edit the report as a steward would: type decisions (and main) on the rows of the given
    pair ids, delete the rows of ``delete``, sort the rows by the left name, move the decision
    and main columns to the end; save in place."""
    workbook = load_workbook(path)
    ws = workbook[REVIEW_SHEET]
    header = [c.value for c in ws[1]]
    at = {h: i for i, h in enumerate(header)}
    kept = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        values = list(values)
        pair_id = values[at["pair_id"]]
        if pair_id in delete:
            continue
        decision, main = decisions.get(pair_id, (None, None))
        values[at["decision"]] = decision
        if main is not None:
            values[at["main"]] = main
        kept.append(values)
    kept.sort(key=lambda v: (str(v[at["Name (left)"]] or ""), -v[at["match probability"]]))
    order = [h for h in header if h not in ("decision", "main")] + ["decision", "main"]
    ws.delete_rows(1, ws.max_row)
    for c, h in enumerate(order, 1):
        ws.cell(1, c, h)
    for r, values in enumerate(kept, 2):
        for c, h in enumerate(order, 1):
            ws.cell(r, c, values[at[h]])
    workbook.save(path)


def review_pair_ids(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {p for (p,) in rows(con, """
        SELECT pair_id FROM candidate_pairs p
        JOIN customers l ON l.customer_id = p.customer_id_l JOIN customers r ON r.customer_id = p.customer_id_r
        WHERE p.state = 'review'
          AND l.status NOT IN ('merged', 'deleted') AND r.status NOT IN ('merged', 'deleted')""")}


def clusters_of(report: list[dict]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for row in report:
        found.setdefault(row["cluster"], []).append(row)
    return found


def triangle(report: list[dict]) -> list[dict]:
    """The rows of a cluster of three customers all paired with each other."""
    for rows_ in clusters_of(report).values():
        customers = {c for r in rows_ for c in (r["customer_id_left"], r["customer_id_right"])}
        if len(customers) == 3 and len(rows_) == 3:
            return rows_
    raise AssertionError("the sample has no cluster of three customers all paired")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = ("customers", "candidate_pairs", "review_decisions", "merge_events", "contact_details", "accounts",
              "tickets", "customer_relations", "merge_undo_customers")
    return {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


# ---- export ------------------------------------------------------------------------------

def test_export_has_one_row_per_review_pair_by_cluster_strongest_first(con, config) -> None:
    gone = report_rows(export(con, config, "before.xlsx"))[-1]  # merged by hand: its pairs leave the report
    merge_customers(con, gone["customer_id_right"], [gone["customer_id_left"]], actor="someone")
    report = report_rows(export(con, config))
    assert len(report) == len({r["pair_id"] for r in report}) == len(review_pair_ids(con)) > 50
    assert {r["pair_id"] for r in report} == review_pair_ids(con)
    assert all(gone["customer_id_left"] not in (r["customer_id_left"], r["customer_id_right"]) for r in report)
    # a cluster's rows are together, strongest first; clusters by their strongest pair
    numbers = [r["cluster"] for r in report]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, numbers[-1] + 1))
    groups = clusters_of(report)
    for rows_ in groups.values():
        probabilities = [r["match probability"] for r in rows_]
        assert probabilities == sorted(probabilities, reverse=True)
        customers = {c for r in rows_ for c in (r["customer_id_left"], r["customer_id_right"])}
        assert all(r["customers in cluster"] == len(customers) for r in rows_)
    strongest = [groups[n][0]["match probability"] for n in sorted(groups)]
    assert strongest == sorted(strongest, reverse=True)
    seen: dict[int, int] = {}  # clusters are connected components: no customer in two
    for r in report:
        for c in (r["customer_id_left"], r["customer_id_right"]):
            assert seen.setdefault(c, r["cluster"]) == r["cluster"]
    assert any(len(rows_) >= 3 for rows_ in groups.values())


def test_export_shows_the_evidence_and_prefills_main_by_survivorship(con, config) -> None:
    report = report_rows(export(con, config))
    pairs = {p: (levels, run) for p, levels, run in rows(con, "SELECT pair_id, levels, run_id FROM candidate_pairs")}
    weights = {(run, t, f, label): math.log2(m / u) for run, t, f, label, m, u in rows(
        con, "SELECT run_id, customer_type, field, label, m_probability, u_probability FROM match_levels")}
    for r in report:
        levels, run = pairs[r["pair_id"]]
        for f in SHOWN_FIELDS:
            label = levels.get(f.field)
            shown = r[f"{f.header}: level"]
            if label is None:
                assert shown is None
            elif label == "missing":
                assert shown == "missing" or shown.startswith("counted in")
                assert r[f"{f.header}: weight"] == 0
            else:
                assert shown == label
                assert r[f"{f.header}: weight"] == pytest.approx(weights[(run, r["type"], f.field, label)], abs=0.006)
    for r in report[:30]:
        main = main_customer(con, [r["customer_id_left"], r["customer_id_right"]], config.merge.survivorship)
        assert r["main"] == ("left" if main == r["customer_id_left"] else "right")
    left, right = rows(con, "SELECT first_name, last_name FROM customers WHERE customer_id = ?",
                       [report[0]["customer_id_left"]])[0], report[0]["Name (left)"]
    assert right.startswith(left[0]) and left[1] in right


def test_a_field_set_aside_for_another_reads_counted_in_it_only_when_both_sides_give_it() -> None:
    """A landline both give at the same address was compared and set aside ("counted in
    Address"); with no phone on a side there was nothing to compare: "missing"."""
    phones = next(f for f in SHOWN_FIELDS if f.field == "phones")
    pair = {"levels": {"phones": "missing", "address": "same address"},
            "phones_l": "+576012345678", "phones_r": "+576012345678"}
    assert _evidence(pair, phones, {})[0] == "counted in Address"
    assert _evidence({**pair, "phones_r": None}, phones, {})[0] == "missing"
    assert _evidence({**pair, "levels": {"phones": "missing", "address": "different"}}, phones, {})[0] == "missing"


def test_export_has_dropdowns_frozen_header_filter_hidden_keys_colours_and_summary_chart(con, config) -> None:
    path = export(con, config)
    workbook = load_workbook(path)
    ws = workbook[REVIEW_SHEET]
    n = ws.max_row - 1
    header = [c.value for c in ws[1]]
    letter = {h: ws.cell(1, i + 1).column_letter for i, h in enumerate(header)}
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations[f"{letter['decision']}2:{letter['decision']}{n + 1}"] == '"merge,not_duplicate,skip"'
    assert validations[f"{letter['main']}2:{letter['main']}{n + 1}"] == '"left,right"'
    assert ws.freeze_panes == f"{letter['type']}2"
    assert ws.auto_filter.ref == f"A1:{letter[header[-1]]}{n + 1}"
    assert {h for h in header if ws.column_dimensions[letter[h]].hidden} == set(KEY_COLUMNS)
    assert all(ws.column_dimensions[letter[h]].width >= 10 for h in ("Name (left)", "Address (left)"))
    colours = {}
    for row in ws.iter_rows(min_row=2):
        cells = dict(zip(header, row))
        for f in SHOWN_FIELDS:
            cell = cells[f"{f.header}: level"]
            colours.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None)
    assert colours["different"] == {RED} and colours["same city"] == {GREEN}
    assert colours["missing"] == {None}

    summary = workbook[SUMMARY_SHEET]
    values = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r[0]}
    assert values["pairs to review"] == n
    assert values["clusters"] == max(r["cluster"] for r in report_rows(path))
    assert values["customers"] == len({c for r in report_rows(path) for c in (r["customer_id_left"],
                                                                               r["customer_id_right"])})
    bands = {k: v for k, v in values.items() if k[:2] == "0." and "–" in k}
    assert len(bands) == 8 and sum(bands.values()) == n
    assert [type(c) for c in summary._charts] == [BarChart]


def test_formula_like_customer_values_are_written_as_text(con, config) -> None:
    first = report_rows(export(con, config, "before.xlsx"))[0]
    left, right = first["customer_id_left"], first["customer_id_right"]
    con.execute("UPDATE customers SET first_name = ?, middle_name = NULL, last_name = ?, second_last_name = NULL, "
                "city = ? WHERE customer_id = ?", ['=HYPERLINK("http://x","y")', "+1", "@SUM(1)", left])
    con.execute("UPDATE customers SET first_name = ?, middle_name = NULL, last_name = NULL, second_last_name = NULL,"
                " city = ? WHERE customer_id = ?", ["-2+3", "\t=1+1", right])
    path = export(con, config, "after.xlsx")
    ws = load_workbook(path)[REVIEW_SHEET]
    header = [c.value for c in ws[1]]
    row = next(dict(zip(header, r)) for r in ws.iter_rows(min_row=2) if r[header.index("pair_id")].value
               == first["pair_id"])
    expected = {"Name (left)": '=HYPERLINK("http://x","y") +1', "Given names (left)": '=HYPERLINK("http://x","y")',
                "City (left)": "@SUM(1)", "Name (right)": "-2+3", "City (right)": "\t=1+1"}
    for column, text in expected.items():
        cell = row[column]
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, column
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in z.read(n).decode() or "<f " in z.read(n).decode() for n in sheets)
        assert 'HYPERLINK("http://x","y")' in "".join(z.read(n).decode().replace("&quot;", '"') for n in sheets)


# ---- apply -------------------------------------------------------------------------------

def test_a_steward_edited_report_is_applied(con, config) -> None:
    path = export(con, config)
    report = report_rows(path)
    big = next(rows_ for rows_ in clusters_of(report).values()
               if len({c for r in rows_ for c in (r["customer_id_left"], r["customer_id_right"])}) >= 3
               and len(rows_) >= 2)
    strongest, second = big[0], big[1]
    others = [rows_[0] for rows_ in clusters_of(report).values() if len(rows_) == 1]
    rejected, typo, deleted = others[0], others[1], others[2]
    decisions = {
        strongest["pair_id"]: ("  Merge ", " RIGHT"),  # the group's main: the right customer of its strongest pair
        second["pair_id"]: ("MERGE", "left"),          # ignored: not the strongest pair
        rejected["pair_id"]: ("Not Duplicate", None),
        typo["pair_id"]: ("merg", None),
        others[3]["pair_id"]: ("skip", None),
        deleted["pair_id"]: ("merge", None),
    }
    steward_edits(path, decisions, delete=frozenset({deleted["pair_id"]}))
    summary = apply(con, config, path)

    assert (summary.merged_pairs, summary.merges, summary.rejected, summary.unreadable) == (2, 1, 1, 1)
    assert summary.skipped == len(report) - 1 - 4 and summary.stale == summary.conflicting == 0
    main = strongest["customer_id_right"]
    group = {c for r in (strongest, second) for c in (r["customer_id_left"], r["customer_id_right"])} - {main}
    assert rows(con, "SELECT customer_id, status, merged_into FROM customers WHERE customer_id IN "
                     "(SELECT unnest(?)) ORDER BY 1", [sorted(group | {main})]) == \
        sorted([(c, "merged", main) for c in group] + [(main, "active", None)])
    assert rows(con, "SELECT actor, reason, pair_id, main_customer_id FROM merge_events") == [
        ("ana", f"review: pair {strongest['pair_id']}, match probability {strongest['match probability']:.4f}",
         strongest["pair_id"], main)]
    states = dict(rows(con, "SELECT pair_id, state FROM candidate_pairs WHERE pair_id IN (SELECT unnest(?))",
                       [[r["pair_id"] for r in (strongest, second, rejected, typo, deleted)]]))
    assert states == {strongest["pair_id"]: "accepted", second["pair_id"]: "accepted",
                      rejected["pair_id"]: "rejected", typo["pair_id"]: "review", deleted["pair_id"]: "review"}
    assert rows(con, "SELECT pair_id, decision, main_customer_id, steward, report_file FROM review_decisions "
                     "ORDER BY pair_id") == sorted([
        (strongest["pair_id"], "merge", main, "ana", str(path.resolve())),
        (second["pair_id"], "merge", main, "ana", str(path.resolve())),
        (rejected["pair_id"], "not_duplicate", None, "ana", str(path.resolve()))])
    assert [p.row for p in summary.problems] and "merg" in summary.problems[0].reason

    # a new dedupe run never proposes the rejected pair again
    again = score_candidates(con, config.matching, refit=True)  # compares every pair again
    assert again.rejected_skipped >= 1
    pair = (rejected["customer_id_left"], rejected["customer_id_right"])
    assert rows(con, "SELECT pair_id, state FROM candidate_pairs WHERE customer_id_l = ? AND customer_id_r = ?",
                list(pair)) == [(rejected["pair_id"], "rejected")]
    assert rejected["pair_id"] not in {r["pair_id"] for r in report_rows(export(con, config, "next.xlsx"))}


def test_applying_a_report_twice_changes_nothing_the_second_time(con, config) -> None:
    path = export(con, config)
    report = report_rows(path)
    singles = [rows_[0] for rows_ in clusters_of(report).values() if len(rows_) == 1]
    steward_edits(path, {singles[0]["pair_id"]: ("merge", " "), singles[1]["pair_id"]: ("not_duplicate", None),
                         singles[2]["pair_id"]: ("merge", "left")})
    chosen = main_customer(con, [singles[0]["customer_id_left"], singles[0]["customer_id_right"]],
                           config.merge.survivorship)  # main left empty: survivorship's choice
    first = apply(con, config, path)
    assert (first.merged_pairs, first.rejected, first.already_applied) == (2, 1, 0)
    assert rows(con, "SELECT pair_id, main_customer_id FROM merge_events ORDER BY pair_id") == sorted([
        (singles[0]["pair_id"], chosen), (singles[2]["pair_id"], singles[2]["customer_id_left"])])
    before = snapshot(con)
    second = apply(con, config, path)
    assert snapshot(con) == before
    assert (second.merged_pairs, second.rejected, second.stale, second.already_applied) == (0, 0, 0, 3)


def test_stale_rows_are_reported_and_not_applied(con, config) -> None:
    path = export(con, config)
    singles = [rows_[0] for rows_ in clusters_of(report_rows(path)).values() if len(rows_) == 1]
    merged_meanwhile, changed_meanwhile, fresh = singles[:3]
    steward_edits(path, {r["pair_id"]: ("merge", None) for r in singles[:3]})
    # after the export: one customer merged by hand, another edited
    merge_customers(con, 1, [merged_meanwhile["customer_id_left"]], actor="someone else")
    con.execute("UPDATE customers SET city = 'Pasto', updated_at = now() WHERE customer_id = ?",
                [changed_meanwhile["customer_id_right"]])
    before = rows(con, "SELECT customer_id, status FROM customers WHERE customer_id IN (?, ?)",
                  [changed_meanwhile["customer_id_left"], changed_meanwhile["customer_id_right"]])
    summary = apply(con, config, path)
    assert (summary.merged_pairs, summary.stale) == (1, 2)
    reasons = {p.row: p.reason for p in summary.problems}
    assert any("was merged since the export" in r for r in reasons.values())
    assert any("changed since the export" in r for r in reasons.values())
    assert rows(con, "SELECT customer_id, status FROM customers WHERE customer_id IN (?, ?)",
                [changed_meanwhile["customer_id_left"], changed_meanwhile["customer_id_right"]]) == before
    assert rows(con, "SELECT pair_id FROM review_decisions") == [(fresh["pair_id"],)]
    assert rows(con, "SELECT state FROM candidate_pairs WHERE pair_id = ?", [fresh["pair_id"]]) == [("accepted",)]


def test_a_report_from_another_warehouse_applies_nothing(con, config, tmp_path: Path) -> None:
    path = export(con, config)
    singles = [rows_[0] for rows_ in clusters_of(report_rows(path)).values() if len(rows_) == 1]
    steward_edits(path, {singles[0]["pair_id"]: ("merge", None), singles[1]["pair_id"]: ("not_duplicate", None)})
    # the same data made into another warehouse: the same pairs, another warehouse id
    other = dataclasses.replace(config, warehouse=tmp_path / "other.duckdb")
    con.execute("CHECKPOINT")
    shutil.copy(config.warehouse, other.warehouse)
    with open_warehouse(other.warehouse) as other_con:
        other_con.execute("UPDATE warehouse_info SET warehouse_id = uuid()::TEXT")
        before = snapshot(other_con)
        summary = apply(other_con, other, path)
        assert snapshot(other_con) == before
    assert (summary.merged_pairs, summary.rejected, summary.stale) == (0, 0, 2)
    assert all("another warehouse" in p.reason for p in summary.problems)


def close_a_triangle(con: duckdb.DuckDBPyConnection, report: list[dict]) -> None:
    """Make a cluster of three customers paired in a chain (a-b, b-c) a triangle: a review
    pair a-c, a copy of a-b's (the sample need not hold a triangle)."""
    for rows_ in clusters_of(report).values():
        ends = [c for r in rows_ for c in (r["customer_id_left"], r["customer_id_right"])]
        if len(set(ends)) == 3 and len(rows_) == 2:
            left, right = sorted(c for c in set(ends) if ends.count(c) == 1)
            con.execute("INSERT INTO candidate_pairs SELECT (SELECT max(pair_id) + 1 FROM candidate_pairs), ?, ?, "
                        "match_probability, levels, blocking_rules, 'review', NULL, run_id, scored_at "
                        "FROM candidate_pairs WHERE pair_id = ?", [left, right, rows_[0]["pair_id"]])
            return
    raise AssertionError("the sample has no cluster of three customers paired in a chain")


def test_merges_joining_a_pair_marked_not_duplicate_are_conflicting(con, config) -> None:
    path = export(con, config)
    try:
        triangle(report_rows(path))
    except AssertionError:
        close_a_triangle(con, report_rows(path))
        path = export(con, config)
    a, b, c = triangle(report_rows(path))
    steward_edits(path, {a["pair_id"]: ("merge", None), b["pair_id"]: ("merge", None),
                         c["pair_id"]: ("not_duplicate", None)})
    before = snapshot(con)
    summary = apply(con, config, path)
    assert (summary.merged_pairs, summary.rejected, summary.conflicting) == (0, 0, 3)
    assert snapshot(con) == before


def test_cli_exports_and_applies_and_refuses_a_file_that_is_not_a_report(config, tmp_path: Path) -> None:
    runner = CliRunner(env={"UNIFICA_ROLE": "steward"})
    for command, option in (("export", "--out"), ("apply", "--steward")):
        shown = runner.invoke(app, ["review", command, "--help"])
        assert shown.exit_code == 0 and option in shown.output
    cfg = write_config(tmp_path, f'[warehouse]\npath = "{config.warehouse}"\n[review]\nfolder = "reports"\n')
    exported = runner.invoke(app, ["review", "export", "--config", str(cfg)])
    assert exported.exit_code == 0, exported.output
    reports = list((tmp_path / "reports").glob("review-*.xlsx"))
    assert len(reports) == 1 and exported.stdout.strip().splitlines()[-1].startswith("review report: ")
    refused = runner.invoke(app, ["review", "export", "--config", str(cfg), "--out", str(reports[0])])
    assert refused.exit_code == 1 and "exists already" in refused.stderr
    first = report_rows(reports[0])[0]["pair_id"]
    steward_edits(reports[0], {first: ("merge", None)})
    applied = runner.invoke(app, ["review", "apply", str(reports[0]), "--steward", "Ana Ríos", "--config", str(cfg)])
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.strip().splitlines()[-1].startswith(f"review apply {reports[0].name} by Ana Ríos: "
                                                              f"1 pairs merged (1 merges")

    not_xlsx = tmp_path / "decisions.xlsx"
    not_xlsx.write_text("pair_id,decision\n1,merge\n", encoding="utf-8")
    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    for path in (not_xlsx, other, tmp_path / "missing.xlsx"):
        result = runner.invoke(app, ["review", "apply", str(path), "--steward", "ana", "--config", str(cfg)])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    with pytest.raises(UnificaError, match="not a review report"):
        with open_warehouse(config.warehouse) as con:
            apply(con, config, other)


# ---- pairs naming a customer already merged ------------------------------------------------
# dedupe scores customers as they were ingested, so a review pair may name a customer merged
# into another: the report shows, and apply decides, the customers they live in.

@pytest.fixture
def lived_in(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Config, dict[str, int]]]:
    """The six-customer warehouse of test_merge with P2 merged into P1 and P5 disabled, and
    review pairs scored on the customers as ingested; yields it, its config and the pair ids."""
    config = load_config(small_warehouse(tmp_path))
    with open_warehouse(config.warehouse) as con:
        merge_customers(con, P1, [P2], actor="marta")
        con.execute("UPDATE customers SET status = 'disabled' WHERE customer_id = ?", [P5])
        names = ("strongest", "weaker", "one_customer", "disabled", "other")
        ids = add_pairs(con, "review", None, (P2, P3, 0.85), (P1, P3, 0.70), (P1, P2, 0.80), (P4, P5, 0.90),
                        (P3, P4, 0.65))
        yield con, config, dict(zip(names, ids))


def test_a_pair_naming_a_merged_customer_is_shown_and_merged_as_the_customer_it_lives_in(lived_in) -> None:
    con, config, pair = lived_in
    path = export(con, config)
    report = report_rows(path)
    # (P2, P3) and (P1, P3) both lead to P1 and P3: one row, the strongest pair's; (P1, P2) is
    # one customer now, and P5 is disabled.
    assert {r["pair_id"]: (r["customer_id_left"], r["customer_id_right"], r["left customer"]) for r in report} == {
        pair["strongest"]: (P1, P3, P1), pair["other"]: (P3, P4, P3)}
    row = next(r for r in report if r["pair_id"] == pair["strongest"])
    # P1's values, as the merge with P2 left them (second surname and e-mail from P2)
    assert row["Name (left)"] == "Ana Ríos Gómez" and "ana.rios@y.co" in row["E-mails (left)"]
    assert row["match probability"] == 0.85 and row["customers in cluster"] == 3
    steward_edits(path, {pair["strongest"]: ("merge", "left")})
    summary = apply(con, config, path)
    assert (summary.merged_pairs, summary.merges, summary.merged_customers, summary.stale) == (1, 1, 1, 0)
    assert rows(con, "SELECT main_customer_id, merged_customer_ids, actor, pair_id FROM merge_events "
                     "WHERE actor = 'ana'") == [(P1, [P3], "ana", pair["strongest"])]
    assert rows(con, "SELECT customer_id, status, merged_into FROM customers WHERE customer_id IN (?, ?, ?) "
                     "ORDER BY 1", [P1, P2, P3]) == [(P1, "active", None), (P2, "merged", P1), (P3, "merged", P1)]
    assert dict(rows(con, "SELECT pair_id, state FROM candidate_pairs")) == {
        pair["strongest"]: "accepted", pair["weaker"]: "accepted", pair["one_customer"]: "accepted",
        pair["disabled"]: "review", pair["other"]: "review"}
    assert rows(con, "SELECT pair_id, customer_id_l, customer_id_r, decision, main_customer_id "
                     "FROM review_decisions") == [(pair["strongest"], P1, P3, "merge", P1)]
    assert apply(con, config, path).already_applied == 1


def test_not_duplicate_rejects_every_pair_leading_to_the_same_two_customers(lived_in) -> None:
    con, config, pair = lived_in
    path = export(con, config)
    steward_edits(path, {pair["strongest"]: ("not_duplicate", None)})
    summary = apply(con, config, path)
    assert (summary.rejected, summary.merges) == (1, 0)
    assert dict(rows(con, "SELECT pair_id, state FROM candidate_pairs")) == {
        pair["strongest"]: "rejected", pair["weaker"]: "rejected", pair["one_customer"]: "review",
        pair["disabled"]: "review", pair["other"]: "review"}
    assert rows(con, "SELECT pair_id, customer_id_l, customer_id_r, decision FROM review_decisions") == [
        (pair["strongest"], P1, P3, "not_duplicate")]
    assert [r["pair_id"] for r in report_rows(export(con, config, "next.xlsx"))] == [pair["other"]]


def test_a_row_whose_customer_was_merged_since_the_export_is_stale(lived_in) -> None:
    con, config, pair = lived_in
    path = export(con, config)
    steward_edits(path, {pair["strongest"]: ("merge", None), pair["other"]: ("merge", None)})
    merge_customers(con, P4, [P1], actor="someone else")        # P1, shown on the first row, now in P4
    con.execute("UPDATE customers SET city = 'Pasto', updated_at = now() WHERE customer_id = ?", [P3])
    before = snapshot(con)
    summary = apply(con, config, path)
    assert (summary.merged_pairs, summary.stale) == (0, 2)
    assert sorted(p.reason for p in summary.problems) == [
        f"customer {P1} was merged since the export: it now lives in customer {P4}; decide it in a new report",
        f"customers {P3} and {P4} or their pair changed since the export; decide it in a new report"]
    assert snapshot(con) == before
