"""benchmarks/accuracy.py's own figures: a threshold run at the configured thresholds gives
the ordinary run's figures, a lower threshold moves pairs from review to auto-merge, and the
lone-name bound counts the true pairs missed at review whose one name is a single word."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.accuracy import LONE_NAME_SQL, at_thresholds, dedupe_folder, lone_name_bound
from merge.warehouse import open_warehouse
from unifica.config import load_config
from unifica.synth import generate

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, customers=3_000, seed=5)
    return folder

def test_thresholds_at_the_configured_one_repeat_the_ordinary_run(generated: Path) -> None:
    config = generated / "unifica.toml"
    auto_merge = load_config(config).matching.auto_merge
    ordinary = dedupe_folder(config, "ordinary")
    same, low = at_thresholds(config, [auto_merge, 0.3])
    assert (same.precision, same.recall, same.review_recall, same.review_band) == \
        (ordinary.precision, ordinary.recall, ordinary.review_recall, ordinary.review_band)
    assert ordinary.review_band > 0
    # at 0.3 the review threshold is 0.3 too: the band holds only pairs clustering held back
    # (DESIGN.md: no chaining), and the band's true pairs are merged
    assert low.review_band < same.review_band
    assert low.recall > same.recall and low.precision < same.precision, (same.row(), low.row())
    assert not list(generated.glob("thresholds*"))
    assert at_thresholds(config, []) == [] and not list(generated.glob("thresholds*"))   # nothing ingested

def test_the_lone_name_bound_counts_missed_true_pairs_with_a_one_word_name(generated: Path) -> None:
    figures = dedupe_folder(generated / "unifica.toml", "ordinary")
    truth = generated / "truth.csv"
    with open_warehouse(generated / "accuracy.duckdb", read_only=True) as con:
        lines = lone_name_bound(con, truth, figures)
        lone = con.execute(LONE_NAME_SQL).df()
        assert len(lone) > 0
        for row in lone.itertuples():
            entities = _entities(con, row.customer_id_l) & _entities(con, row.customer_id_r)
            assert entities, "a true pair"
            assert not con.execute("SELECT count(*) FROM candidate_pairs WHERE customer_id_l = ? AND customer_id_r = ? "
                                   "AND match_probability >= ?", [row.customer_id_l, row.customer_id_r,
                                                                  load_config(generated / "unifica.toml").matching.review]
                                   ).fetchall()[0][0], "missed at review"
            tokens = [con.execute("SELECT name_tokens FROM match_features WHERE customer_id = ?", [c]).fetchall()[0][0]
                      for c in (row.customer_id_l, row.customer_id_r)]
            assert min(len(t) for t in tokens) == 1 and row.word in min(tokens, key=len)
            assert tokens[0 if row.lone_customer == row.customer_id_l else 1] == [row.word]
            l, r = (con.execute("SELECT date_of_birth, document_number FROM customers WHERE customer_id = ?", [c]
                                ).fetchall()[0] for c in (row.customer_id_l, row.customer_id_r))
            assert not any(a is not None and a == b for a, b in zip(l, r)), "nothing else in common"
            assert not _contacts(con, row.customer_id_l) & _contacts(con, row.customer_id_r)
            holders = con.execute("SELECT count(*) FROM match_features WHERE customer_type = 'person' "
                                  "AND list_contains(name_tokens, ?) AND (? IS NULL OR city = ?)",
                                  [row.word, row.city, row.city]).fetchall()[0][0]
            assert row.alike == holders - 1
    assert lines[0].startswith("    missed at review: ")
    assert f"{int(lone.record_pairs.sum()):,} of them in {len(lone):,} pairs of persons" in lines[0]
    # a lone record missing several customers of its entity is proposed once: its alike pairs
    # count once
    assert len(lines) == 2 and f"proposing their {lone.lone_customer.nunique():,} lone records" in lines[1], lines

def _contacts(con: duckdb.DuckDBPyConnection, customer_id: int) -> set[tuple[str, str]]:
    return set(con.execute("SELECT kind, value_norm FROM contact_details WHERE customer_id = ? "
                           "AND kind IN ('phone', 'email')", [customer_id]).fetchall())


def _entities(con: duckdb.DuckDBPyConnection, customer_id: int) -> set[str]:
    return {row[0] for row in con.execute("SELECT entity_id FROM entity_customers WHERE customer_id = ?",
                                          [customer_id]).fetchall()}
