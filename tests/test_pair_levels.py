"""benchmarks/pair_levels.py: the pairs it watches are the pairs dedupe scores (the same
customers, at the same probabilities, as an ordinary dedupe of the same data stores), with
valid level labels and truth; and the level-pattern ceiling on a frame small enough to check
by hand."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from benchmarks.pair_levels import calibration, pair_levels, pattern_ceiling, report
from dedupe import scoring
from dedupe.comparisons import COMPARISONS
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from unifica.config import load_config
from unifica.synth import generate


def test_watched_pairs_are_the_scored_pairs(tmp_path: Path) -> None:
    generate(tmp_path, customers=600, seed=5)
    watched_at = scoring._scored_pairs
    pairs = pair_levels(tmp_path)
    assert scoring._scored_pairs is watched_at  # put back

    # an ordinary dedupe of a copy of the same warehouse
    shutil.copy(tmp_path / "accuracy.duckdb", tmp_path / "plain.duckdb")
    config = load_config(tmp_path / "unifica.toml")
    with open_warehouse(tmp_path / "plain.duckdb") as con:
        summary = scoring.score_candidates(con, config.matching)
        stored = con.execute("SELECT customer_id_l, customer_id_r, match_probability FROM candidate_pairs").df()
    assert len(pairs) == summary.blocking.pairs
    kept = pairs[pairs.match_probability >= config.matching.review]
    both = stored.merge(kept, on=["customer_id_l", "customer_id_r"], suffixes=("_stored", "_watched"))
    assert len(both) == len(stored) == len(kept)
    assert (both.match_probability_stored - both.match_probability_watched).abs().max() < 1e-9

    for comparison in COMPARISONS:
        of_type = pairs.customer_type.isin(comparison.customer_types)
        assert pairs.loc[of_type, comparison.field].isin(comparison.labels).all(), comparison.field
        assert pairs.loc[~of_type, comparison.field].isna().all(), comparison.field
    # the truth: nearly all pairs at auto-merge are one entity, most pairs under review not
    strong = pairs.match_probability >= config.matching.auto_merge
    assert pairs.truth[strong].mean() > 0.95
    assert pairs.truth[pairs.match_probability < config.matching.review].mean() < 0.5
    assert calibration(pairs).pairs.sum() == len(pairs)   # every pair in a bin, probability 1 too
    lines = report(pairs, config.matching.auto_merge)
    assert lines[0].startswith("company: ") and any(line.startswith("person: ") for line in lines)


def test_pattern_ceiling_takes_the_truest_patterns_first() -> None:
    pairs = pd.DataFrame({
        "customer_type": "person",
        "match_probability": 0.5,
        "full_name": ["same name"] * 10 + ["one typo"] * 10 + ["different"] * 10,
        "birth_date": ["same date"] * 10 + ["missing"] * 10 + ["different"] * 10,
        "truth": [True] * 10 + [True] * 7 + [False] * 3 + [True] * 1 + [False] * 9,
        "customer_id_l": range(30), "customer_id_r": range(30, 60),
    })
    assert pattern_ceiling(pairs) == 10            # the one pattern wholly true
    assert pattern_ceiling(pairs, precision=0.8) == 17    # and the next: 17 of 20
    assert pattern_ceiling(pairs, precision=0.5) == 18    # everything: 18 of 30
