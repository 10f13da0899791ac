"""Generated data through the real ingest: quarantine holds exactly the planted bad rows,
and the identity rule never puts two real customers (truth entities) into one customer."""
from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import duckdb
import pytest

from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from tests.conftest import REPO
from unifica.config import load_config
from unifica.synth import generate


def _ingest_into(config_path: Path, warehouse: Path) -> duckdb.DuckDBPyConnection:
    config = dataclasses.replace(load_config(config_path), warehouse=warehouse)
    with open_warehouse(warehouse) as con:
        ingest_sources(con, config)
    con = duckdb.connect(str(warehouse))
    truth = config_path.parent / "data" / "sample" / "truth.csv" if config_path.parent == REPO \
        else config_path.parent / "truth.csv"
    con.execute("CREATE TEMP TABLE truth AS SELECT * FROM read_csv(?, all_varchar = true) WHERE role <> 'bad'",
                [str(truth)])
    return con


def _planted(folder: Path) -> set[tuple[str, int]]:
    with (folder / "bad_rows.csv").open(encoding="utf-8") as f:
        return {(row["file"], int(row["line"])) for row in csv.DictReader(f)}


def _check(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    quarantined = {(Path(f).name, line) for f, line in con.execute("SELECT file, line FROM quarantine").fetchall()}
    assert quarantined == _planted(folder)
    impure = con.execute("""
        SELECT cs.customer_id, list(DISTINCT t.entity_id) FROM customer_sources cs
        JOIN truth t USING (source_system, source_record_id) GROUP BY 1 HAVING count(DISTINCT t.entity_id) > 1
    """).fetchall()
    assert impure == []
    unresolved = con.execute("""SELECT count(*) FROM truth t ANTI JOIN record_resolution r
                                USING (source_system, source_record_id)""").fetchall()[0][0]
    assert unresolved == 0  # every good record landed and resolves to a customer


def test_bundled_sample(tmp_path: Path) -> None:
    con = _ingest_into(REPO / "unifica.toml", tmp_path / "wh.duckdb")
    _check(con, REPO / "data" / "sample")
    sources = {s for (s,) in con.execute("SELECT DISTINCT source_system FROM source_records").fetchall()}
    assert sources == {"web_form", "whatsapp", "email", "call_centre", "erp"}
    for table in ("accounts", "tickets", "attachments", "customer_relations", "contact_details"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0, table
    # the identity rule joined records of one customer across channels
    assert con.execute("SELECT count(*) FROM customers").fetchall()[0][0] < \
        con.execute("SELECT count(*) FROM customer_sources").fetchall()[0][0]


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_data_with_other_seeds(tmp_path: Path, seed: int) -> None:
    generate(tmp_path / "gen", customers=3000, seed=seed)
    con = _ingest_into(tmp_path / "gen" / "unifica.toml", tmp_path / "wh.duckdb")
    _check(con, tmp_path / "gen")
