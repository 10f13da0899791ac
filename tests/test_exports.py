"""The analyst's side: `unifica export customers` (role-guarded, streaming, split sheets,
formula-safe, dashboard charts), `unifica query` (read-only) and the example queries of
docs/warehouse.md, all on a generated warehouse, ingested, scored and auto-merged."""
from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, PieChart
from typer.testing import CliRunner

import merge.exports as exports
from merge.exports import DASHBOARD_SHEET, ENTITY_SHEETS
from merge.warehouse import open_warehouse
from tests.conftest import REPO, rows, write_config
from unifica.cli import app

BASE = "status NOT IN ('merged', 'deleted')"
# The rows each entity sheet must hold, counted straight from the tables.
EXPECTED = {
    "customers": f"SELECT count(*) FROM customers WHERE {BASE}",
    "contact details": f"SELECT count(*) FROM contact_details JOIN customers c USING (customer_id) WHERE c.{BASE}",
    "accounts": f"SELECT count(*) FROM accounts JOIN customers c USING (customer_id) WHERE c.{BASE}",
    "tickets": f"SELECT count(*) FROM tickets JOIN customers c USING (customer_id) WHERE c.{BASE}",
}
TABLES = ("customers", "contact_details", "tickets", "audit_log", "candidate_pairs", "merge_events")
CONFIG = """\
[warehouse]
path = "wh.duckdb"

[export]
allowed_roles = ["admin", "steward"]

[roles]
auditor = ["export", "query"]
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated warehouse (300 records, 5 channels), ingested, scored and auto-merged."""
    from dedupe.scoring import score_candidates
    from merge.ingest import ingest_sources
    from merge.merging import auto_merge
    from unifica.config import load_config
    from unifica.synth import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, customers=300, seed=11)
    config = load_config(folder / "unifica.toml")
    with open_warehouse(config.warehouse) as con:
        ingest_sources(con, config)
        score_candidates(con, config.matching)
        auto_merge(con, survivorship=config.merge.survivorship, fill_missing=config.merge.fill_missing)
    return config.warehouse


@pytest.fixture
def config(tmp_path: Path, generated: Path) -> Path:
    """A unifica.toml whose warehouse is this test's own copy of the generated one."""
    shutil.copy(generated, tmp_path / "wh.duckdb")
    return write_config(tmp_path, CONFIG)


def read(config: Path, query: str, params: list | None = None) -> list[tuple]:
    with open_warehouse(config.parent / "wh.duckdb", read_only=True) as con:
        return rows(con, query, params)


def snapshot(config: Path) -> dict[str, list[tuple]]:
    return {t: read(config, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def count_rows(ws) -> int:
    """The rows of a sheet, read (a write-only sheet records no dimension)."""
    return sum(1 for _ in ws.iter_rows(values_only=True))


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


# ---- export customers ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "analyst", "auditor"])
def test_a_role_not_allowed_to_export_gets_one_line_no_file_and_an_audit_row(config: Path, role: str) -> None:
    out = config.parent / "customers.xlsx"
    result = invoke("export", "customers", "--role", role, "--as", "bob", "--out", str(out), "--config", str(config))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: bob as role") and "export" in result.output
    assert not out.exists() and not list(config.parent.glob("*.xlsx*")) and not list(config.parent.glob(".*partial"))
    audit = read(config, "SELECT user_name, role, action, outcome, reason FROM audit_log")
    assert len(audit) == 1 and audit[0][:4] == ("bob", role, "export", "refused") and role in audit[0][4]
    if role == "auditor":   # may export by [roles], but is not in [export] allowed_roles
        assert "allowed_roles" in audit[0][4]


def test_an_allowed_role_exports_every_sheet_with_the_warehouse_counts(config: Path) -> None:
    out = config.parent / "customers.xlsx"
    result = invoke("export", "customers", "--role", "steward", "--as", "ana", "--out", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == [DASHBOARD_SHEET, *EXPECTED]
    counts = {title: read(config, q)[0][0] for title, q in EXPECTED.items()}
    assert all(counts.values())
    for title, n in counts.items():
        assert count_rows(workbook[title]) == n + 1, title        # header + one row each
        assert f"{n:,} {title}" in result.output
    assert str(out) in result.output.replace("\n", "")
    sheet = list(workbook["customers"].iter_rows(values_only=True))
    header = sheet[0]
    ids = [r[header.index("customer_id")] for r in sheet[1:]]
    assert ids == [r[0] for r in read(config, f"SELECT customer_id FROM customers WHERE {BASE} ORDER BY 1")]
    merged = read(config, "SELECT customer_id FROM customers WHERE status = 'merged'")
    assert merged and not {m for (m,) in merged} & set(ids)
    audit = read(config, "SELECT user_name, role, action, outcome, after FROM audit_log")
    assert len(audit) == 1 and audit[0][:4] == ("ana", "steward", "export", "done") and '"customers"' in audit[0][4]
    refused = invoke("export", "customers", "--role", "steward", "--out", str(out), "--config", str(config))
    assert refused.exit_code == 1 and "exists already" in refused.output


def test_a_sheet_past_the_row_limit_continues_on_the_next(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_SHEET_ROWS", 101)     # 100 rows + header per sheet
    monkeypatch.setattr(exports, "FETCH_ROWS", 37)          # batches that do not line up with sheets
    out = config.parent / "split.xlsx"
    with open_warehouse(config.parent / "wh.duckdb") as con:
        summary = exports.export_customers(con, out)
        expected = {title: rows(con, q)[0][0] for title, q in EXPECTED.items()}
    workbook = load_workbook(out, read_only=True)
    for title, n in expected.items():
        parts = [title] + [f"{title} ({i})" for i in range(2, (n + 99) // 100 + 1)]
        assert summary.sheets[title] == parts and summary.rows[title] == n
        assert [count_rows(workbook[p]) - 1 for p in parts] == [100] * (len(parts) - 1) + [n - 100 * (len(parts) - 1)]
        assert all(next(workbook[p].iter_rows(max_row=1, values_only=True)) ==
                   next(workbook[title].iter_rows(max_row=1, values_only=True)) for p in parts)
    assert len(summary.sheets["contact details"]) > 2
    ids = [r[0] for p in summary.sheets["customers"] for r in workbook[p].iter_rows(min_row=2, values_only=True)]
    assert len(ids) == len(set(ids)) == expected["customers"] and ids == sorted(ids)


def test_formula_like_values_are_exported_as_text(config: Path) -> None:
    values = ['=HYPERLINK("http://x","y")', "+57 1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1"]
    with open_warehouse(config.parent / "wh.duckdb") as con:
        first, second = (r[0] for r in rows(con, f"SELECT customer_id FROM customers WHERE {BASE} ORDER BY 1 LIMIT 2"))
        con.execute("UPDATE customers SET first_name = ?, last_name = ?, city = ? WHERE customer_id = ?",
                    [*values[:3], first])
        con.execute("UPDATE customers SET first_name = ?, last_name = ?, city = ? WHERE customer_id = ?",
                    [*values[3:], second])
        exports.export_customers(con, config.parent / "f.xlsx")
    ws = load_workbook(config.parent / "f.xlsx")["customers"]
    header = [c.value for c in ws[1]]
    seen = []
    for row in ws.iter_rows(min_row=2, max_row=3):
        for column in ("first_name", "last_name", "city"):
            cell = row[header.index(column)]
            assert cell.data_type == "s" and cell.quotePrefix, (column, cell.value)
            seen.append(cell.value)
    assert seen == values   # even a bare CR: lxml writes it as &#13; (openpyxl's own writer lost it to LF)
    with zipfile.ZipFile(config.parent / "f.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() or "<f " in z.read(n).decode() for n in sheets)


def test_the_dashboard_charts_tickets_by_status_campaign_and_channel(config: Path) -> None:
    out = config.parent / "d.xlsx"
    with open_warehouse(config.parent / "wh.duckdb") as con:
        exports.export_customers(con, out)
    ws = load_workbook(out)[DASHBOARD_SHEET]
    assert [type(c) for c in ws._charts] == [BarChart, BarChart, PieChart]
    cells = [r for r in ws.iter_rows(values_only=True)]
    labels = [r[0] for r in cells]
    status = labels.index("tickets by status")
    by_status = {}
    for r in cells[status + 2:]:
        if r[0] is None:
            break
        by_status[r[0]] = r[1]
    expected = dict(read(config, f"""SELECT t.status, count(*) FROM tickets t JOIN customers c USING (customer_id)
                                     WHERE c.{BASE} GROUP BY 1"""))
    assert by_status == expected and sum(by_status.values()) > 0
    assert "tickets by campaign" in labels and "channel preferences" in labels


# ---- query -------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "INSERT INTO customers SELECT * FROM customers",
    "UPDATE customers SET first_name = 'x'",
    "DELETE FROM tickets",
    "CREATE TABLE x AS SELECT 1",
    "ATTACH 'other.duckdb' AS other",
    "COPY customers TO 'out.csv'",
    "SELECT 1; DELETE FROM customers",
    "PRAGMA show_tables",
    "DROP VIEW customer_360",
])
def test_query_refuses_anything_but_one_read_statement_and_changes_nothing(config: Path, sql: str) -> None:
    before = snapshot(config)
    result = invoke("query", sql, "--role", "analyst", "--config", str(config))
    assert result.exit_code == 1 and result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "nothing was run" in result.output
    assert snapshot(config) == before
    assert not list(config.parent.glob("*.csv")) and not (config.parent / "other.duckdb").exists()


def test_query_cannot_read_or_write_files(config: Path) -> None:
    (config.parent / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    result = invoke("query", f"SELECT * FROM read_csv('{config.parent / 'secret.csv'}')", "--role", "analyst",
                    "--config", str(config))
    assert result.exit_code == 1 and "file system operations are disabled" in result.output


def test_query_shows_the_first_rows_and_the_total(config: Path) -> None:
    result = invoke("query", f"SELECT customer_id FROM customers WHERE {BASE} ORDER BY 1", "--role", "analyst",
                    "--config", str(config))
    assert result.exit_code == 0, result.output
    total = read(config, f"SELECT count(*) FROM customers WHERE {BASE}")[0][0]
    assert f"showing the first 50 of {total:,} rows" in result.output
    first = read(config, f"SELECT customer_id FROM customers WHERE {BASE} ORDER BY 1 LIMIT 51")
    assert f"│ {first[49][0]} " in result.output and f"│ {first[50][0]} " not in result.output


def test_query_writes_csv_and_is_audited_and_role_guarded(config: Path) -> None:
    out = config.parent / "q.csv"
    sql = "SELECT customer_id, first_name, source_systems FROM customer_360 ORDER BY customer_id"
    result = invoke("query", sql, "--out", str(out), "--role", "analyst", "--as", "eva", "--config", str(config))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    expected = read(config, sql)
    assert got[0] == ["customer_id", "first_name", "source_systems"] and len(got) == len(expected) + 1
    assert [(int(r[0]), r[1] or None, r[2]) for r in got[1:]] == [(i, n, "; ".join(s)) for i, n, s in expected]
    assert f"{len(expected):,} rows -> {out}" in result.output.replace("\n", "")
    refused = invoke("query", sql, "--out", str(config.parent / "r.csv"), "--role", "agent", "--config", str(config))
    assert refused.exit_code == 1 and "may not query" in refused.output and not (config.parent / "r.csv").exists()
    audit = read(config, "SELECT user_name, role, action, outcome FROM audit_log ORDER BY audit_id")
    assert audit[0] == ("eva", "analyst", "query", "done") and audit[1][1:] == ("agent", "query", "refused")


# ---- docs/warehouse.md -------------------------------------------------------------------

DOC = REPO / "docs" / "warehouse.md"


def doc_queries() -> dict[str, str]:
    """The fenced sql blocks of the examples section, by the heading above each."""
    text = DOC.read_text(encoding="utf-8").split("## Example queries", 1)[1]
    return {m[1].strip(): m[2] for m in re.finditer(r"^### (.+?)\n.*?```sql\n(.*?)```", text, re.S | re.M)}


def run_doc_query(config: Path, sql: str) -> list[dict]:
    """Run an example as an analyst would (`unifica query`'s guards and all); rows as dicts."""
    from merge.analyst_query import lock_down, read_statement

    with open_warehouse(config.parent / "wh.duckdb", read_only=True) as con:
        lock_down(con)
        cursor = con.execute(read_statement(sql))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]


def test_the_docs_name_every_table_and_view() -> None:
    text = DOC.read_text(encoding="utf-8")
    con = duckdb.connect()
    from merge.warehouse import migrate
    migrate(con)
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() UNION ALL "
                                       "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    assert len(names) > 25
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing
    columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE table_name = 'customers'").fetchall()
    assert all(f"`{c}`" in text for _, c in columns)


def test_the_docs_example_queries_answer_their_questions(config: Path) -> None:
    queries = doc_queries()
    assert len(queries) == 5, list(queries)
    q = iter(queries.values())

    # customers per source: the distinct surviving customers each source's records resolve to
    per_source = {r["source_system"]: r["customers"] for r in run_doc_query(config, next(q))}
    expected = dict(read(config, """SELECT cs.source_system, count(DISTINCT s.surviving_id)
        FROM customer_sources cs JOIN customer_survivors s USING (customer_id)
        JOIN customers c ON c.customer_id = s.surviving_id WHERE c.status <> 'deleted' GROUP BY 1"""))
    assert per_source == expected and len(per_source) == 5

    # duplicates per channel: records merged into another customer, per source
    dup = run_doc_query(config, next(q))
    merged_records = read(config, "SELECT count(*) FROM customer_sources JOIN customers USING (customer_id) "
                                  "WHERE status = 'merged'")[0][0]
    assert merged_records > 0 and sum(r["merged_records"] for r in dup) == merged_records
    assert all(r["records"] >= r["customers"] for r in dup)

    # the merge history of a customer: the example's customer replaced by one with two merges or more
    main = read(config, """SELECT main_customer_id FROM merge_events GROUP BY 1 ORDER BY count(*) DESC,
                           sum(len(merged_customer_ids)) DESC LIMIT 1""")[0][0]
    sql = next(q)
    assert re.search(r"SELECT \d+ AS customer_id", sql)
    history = run_doc_query(config, re.sub(r"SELECT \d+ AS customer_id", f"SELECT {main} AS customer_id", sql))
    merged_into_main = read(config, "SELECT merged_customer_ids FROM merge_events WHERE main_customer_id = ?", [main])
    assert len(history) == len(merged_into_main) > 0 and all(r["main_customer_id"] == main for r in history)

    # customers with open tickets in a campaign
    sql = next(q)
    campaign = re.search(r"SELECT '([^']+)' AS campaign", sql)[1]
    found = {r["customer_id"]: r["open_tickets"] for r in run_doc_query(config, sql)}
    expected = dict(read(config, f"""SELECT customer_id, count(*) FROM tickets JOIN customers c USING (customer_id)
        WHERE campaign = ? AND tickets.status IN ('open', 'in_progress', 'escalated') AND c.{BASE} GROUP BY 1""",
                         [campaign]))
    assert found == expected and found

    # the channel each customer prefers
    preferred = {r["channel"]: r["customers"] for r in run_doc_query(config, next(q))}
    with_tickets = read(config, f"""SELECT count(DISTINCT customer_id) FROM tickets JOIN customers c
                                   USING (customer_id) WHERE c.{BASE}""")[0][0]
    assert sum(preferred.values()) == with_tickets > 0 and len(preferred) > 1
