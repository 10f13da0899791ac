"""Golden cases for matching (tests/data/<case>/customers.csv + expected_pairs.csv),
ingested through the real ingest into a real DuckDB file on top of a background of generated
customers, so that the unsupervised model has data to learn from (a warehouse of a few rows
teaches it nothing).

Every case is its own source (source_system = the case's name), so the cases' record ids
never collide; all of them go into one warehouse scored once, as a real warehouse holds all
these situations at once (and scoring one warehouse per case would cost seconds each)."""
from __future__ import annotations

import csv
import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dedupe.blocking import candidate_pairs

from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from tests.conftest import write_config
from unifica.config import load_config
from unifica.synth import generate

DATA = Path(__file__).resolve().parent / "data"
BACKGROUND_CUSTOMERS = 1000   # with 300 (23 companies) the company model is too weak: see company_legal_suffix
BACKGROUND_SEED = 5

# customers.csv of every case uses these headers; its source maps them one to one
CASE_COLUMNS = """\
source_record_id = "id"
customer_type = "customer_type"
document_type = "document_type"
document_number = "document_number"
first_name = "first_name"
middle_name = "middle_name"
last_name = "last_name"
second_last_name = "second_last_name"
business_name = "business_name"
date_of_birth = "date_of_birth"
email = "email"
phone = "phone"
address = "address"
city = "city"
"""

# What expected_pairs.csv may say of a pair: a candidate_pairs state, or a bound on it.
# A pair below review is not stored, so "non_match" means "no row in candidate_pairs".
EXPECTATIONS = {
    "auto_merge": {"auto_merge"},
    "review": {"review"},
    "review_or_better": {"review", "auto_merge"},
    "not_auto_merge": {"review", "non_match"},
    "non_match": {"non_match"},
    "never_compared": {"never_compared"},   # not even a blocking candidate
}


@dataclass(frozen=True)
class GoldenCase:
    name: str
    folder: Path

    @property
    def customers(self) -> Path:
        return self.folder / "customers.csv"

    def expected_pairs(self) -> list[tuple[str, str, str, str]]:
        """(left source_record_id, right source_record_id, expectation, known bug or "") rows."""
        with open(self.folder / "expected_pairs.csv", newline="", encoding="utf-8") as f:
            rows = [(r["left"], r["right"], r["expected"], r.get("known_bug") or "") for r in csv.DictReader(f)]
        unknown = {e for _, _, e, _ in rows} - set(EXPECTATIONS)
        assert not unknown, f"{self.name}/expected_pairs.csv: unknown expectation(s) {unknown}"
        return rows


def golden_cases() -> list[GoldenCase]:
    return [GoldenCase(p.name, p) for p in sorted(DATA.iterdir()) if (p / "expected_pairs.csv").exists()]


def build_background(folder: Path, customers: int = BACKGROUND_CUSTOMERS) -> Path:
    """Generate and ingest ``customers`` background customers into ``folder``/background.duckdb."""
    generate(folder / "generated", customers=customers, seed=BACKGROUND_SEED)
    config = load_config(folder / "generated" / "unifica.toml")
    warehouse = folder / "background.duckdb"
    with open_warehouse(warehouse) as con:
        ingest_sources(con, dataclasses.replace(config, warehouse=warehouse))
    return warehouse


def ingest_cases(background: Path, cases: list[GoldenCase], folder: Path) -> Path:
    """A copy of the background warehouse in ``folder`` with every case's customers.csv
    ingested on top, as users do it (a unifica.toml naming the files); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = folder / "unifica.duckdb"
    shutil.copy(background, warehouse)
    body = f'[warehouse]\npath = "{warehouse}"\n'
    for case in cases:
        body += (f'\n[sources.{case.name}]\nfiles = ["{case.customers}"]\ncountry = "CO"\n\n'
                 f'[sources.{case.name}.columns]\n{CASE_COLUMNS}')
    config = load_config(write_config(folder, body))
    with open_warehouse(warehouse) as con:
        summary = ingest_sources(con, config)
    assert summary.as_dict()["rows_quarantined"] == 0, summary.as_dict()
    return warehouse


def customer_of(con: duckdb.DuckDBPyConnection, source_system: str, source_record_id: str) -> int:
    found = con.execute("SELECT customer_id FROM customer_sources WHERE source_system = ? AND source_record_id = ?",
                        [source_system, source_record_id]).fetchall()
    assert len(found) == 1, f"{source_system}/{source_record_id}: {found}"
    return found[0][0]


def pair_state(con: duckdb.DuckDBPyConnection, left: int, right: int) -> tuple[str, float | None, dict | None]:
    """(state, match_probability, levels) of a pair after score_candidates: its
    candidate_pairs row, "non_match" when blocking proposed it but it scored below review,
    "never_compared" when blocking did not propose it."""
    a, b = min(left, right), max(left, right)
    row = con.execute("SELECT state, match_probability, levels FROM candidate_pairs "
                      "WHERE customer_id_l = ? AND customer_id_r = ?", [a, b]).fetchall()
    if row:
        return row[0]
    # score_candidates drops its blocking tables once read: block again to tell the two apart
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'blocking_candidates'").fetchall()[0][0]:
        candidate_pairs(con)
    blocked = con.execute("SELECT count(*) FROM blocking_candidates WHERE customer_id_l = ? AND customer_id_r = ?",
                          [a, b]).fetchall()[0][0]
    return ("non_match" if blocked else "never_compared"), None, None
