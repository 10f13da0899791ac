"""The supervised model against the truth: generated records, scored unsupervised, a steward
deciding the review report's pairs as the truth says, scored again. What the stewards teach
must make the result better, never worse: the first supervised model (naive Bayes on the
decided pairs alone) took the band's pairs for all pairs and auto-merged a generated 10,000
records at precision 0.962 with 82 % of them in review."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.accuracy import decide_from_truth, measure
from dedupe.scoring import score_candidates
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from unifica.config import MatchingConfig, load_config
from unifica.synth import generate

RECORDS, SEED = 10_000, 23


def test_the_stewards_decisions_shrink_the_review_band_and_keep_precision(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import dedupe.scoring as scoring

    monkeypatch.setattr(scoring, "MIN_DECISIONS_PER_CLASS", 10)   # a small base gives a small report
    generate(tmp_path, customers=RECORDS, seed=SEED)
    config = load_config(tmp_path / "unifica.toml")
    truth = tmp_path / "truth.csv"
    with open_warehouse(config.warehouse) as con:
        ingest_sources(con, config)
        score_candidates(con, MatchingConfig(model="unsupervised"))
        before = measure(con, truth, "unsupervised")
        decided = decide_from_truth(con, 50)   # half the report's pairs, as the truth says
        con.execute("CHECKPOINT")
        shutil.copy(config.warehouse, tmp_path / "unsupervised.duckdb")
        summary = score_candidates(con, MatchingConfig(model="auto"))
        after = measure(con, truth, "supervised")
    # the same decisions, scored again by the unsupervised model alone: the rejected pairs are
    # not proposed again there either, so only the steward layer makes a difference beyond
    with open_warehouse(tmp_path / "unsupervised.duckdb") as con:
        score_candidates(con, MatchingConfig(model="unsupervised"), refit=True)
        alone = measure(con, truth, "unsupervised, after the decisions")
    assert decided.get("merge", 0) >= 10 and decided.get("not_duplicate", 0) >= 10, decided
    assert summary.models["person"] == "supervised"
    for other in (before, alone):
        assert after.precision >= other.precision - 0.002, (other.row(), after.row())
        assert after.recall >= other.recall - 0.002, (other.row(), after.row())
    # fewer pairs for the stewards: those they rejected, and the undecided ones like them
    assert after.review_band < before.review_band, (before.row(), after.row())
    assert after.review_band < alone.review_band, (alone.row(), after.row())
