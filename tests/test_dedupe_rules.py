"""What score_candidates promises whatever the data (DESIGN.md, "Matching"): rejected pairs
are not proposed again, the same warehouse gives the same pairs, no pair mixes a person and
a company, every pair explains itself field by field, the model is stored, and
record_resolution puts every record of an auto-merge cluster in one cluster."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dedupe.comparisons import comparisons_for
from dedupe.scoring import score_candidates
from merge.warehouse import open_warehouse
from tests.golden import build_background
from unifica.config import MatchingConfig

PAIR_COLUMNS = "customer_id_l, customer_id_r, match_probability, levels, blocking_rules, state, cluster_id"


@pytest.fixture(scope="module")
def scored_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated customers ingested into a DuckDB file and scored once."""
    path = build_background(tmp_path_factory.mktemp("rules"), customers=300)
    with open_warehouse(path) as con:
        score_candidates(con, MatchingConfig())
    return path


@pytest.fixture(scope="module")
def scored(scored_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The scored warehouse, read-only."""
    con = duckdb.connect(str(scored_file), read_only=True)
    yield con
    con.close()


@pytest.fixture
def warehouse(scored_file: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the scored warehouse to change and score again."""
    path = tmp_path / "unifica.duckdb"
    shutil.copy(scored_file, path)
    with open_warehouse(path) as con:
        yield con


def pairs(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"SELECT {PAIR_COLUMNS} FROM candidate_pairs ORDER BY customer_id_l, customer_id_r").fetchall()


def test_scoring_again_gives_the_same_pairs_once_with_the_same_ids(warehouse: duckdb.DuckDBPyConnection) -> None:
    before = pairs(warehouse)
    pair_ids = warehouse.execute("SELECT customer_id_l, customer_id_r, pair_id FROM candidate_pairs "
                                 "ORDER BY ALL").fetchall()
    assert {state for *_, state, _ in before} == {"auto_merge", "review"}  # the background gives both
    again = score_candidates(warehouse, MatchingConfig())
    assert again.mode == "incremental" and again.scored == 0  # nothing new to compare
    assert pairs(warehouse) == before
    assert again.auto_merge + again.review + again.non_match == len(before)
    refitted = score_candidates(warehouse, MatchingConfig(), refit=True)
    assert refitted.mode.startswith("full") and refitted.scored >= len(before)
    # every pair compared counted once, the non-matches too though clustering never sees them
    assert refitted.auto_merge + refitted.review + refitted.non_match == refitted.scored
    assert pairs(warehouse) == before
    duplicated = warehouse.execute("SELECT customer_id_l, customer_id_r FROM candidate_pairs "
                                   "GROUP BY ALL HAVING count(*) > 1").fetchall()
    assert duplicated == []
    assert warehouse.execute("SELECT customer_id_l, customer_id_r, pair_id FROM candidate_pairs "
                             "ORDER BY ALL").fetchall() == pair_ids
    # A pair proposed again keeps its id even when pairs before it are gone (here: one customer
    # disabled): a review report exported before the run still names it.
    gone = pair_ids[0][0]
    warehouse.execute("UPDATE customers SET status = 'disabled' WHERE customer_id = ?", [gone])
    score_candidates(warehouse, MatchingConfig())
    now = {(l, r): i for l, r, i in warehouse.execute("SELECT customer_id_l, customer_id_r, pair_id "
                                                      "FROM candidate_pairs").fetchall()}
    earlier = {(l, r): i for l, r, i in pair_ids}
    both = now.keys() & earlier.keys()
    assert len(both) > 0.9 * len(earlier) and all(now[p] == earlier[p] for p in both)
    assert not any(gone in p for p in now) and len(set(now.values())) == len(now)


def test_rejected_pairs_are_not_proposed_again(warehouse: duckdb.DuckDBPyConnection) -> None:
    proposed = warehouse.execute("SELECT pair_id, customer_id_l, customer_id_r FROM candidate_pairs "
                                 "WHERE state = 'auto_merge' ORDER BY match_probability DESC, pair_id LIMIT 3").fetchall()
    assert len(proposed) == 3
    (by_state_id, a1, b1), (by_decision_id, a2, b2), (overridden_id, a3, b3) = proposed
    # one rejected in the report (state), one through a steward's decision row, written
    # right-left (the order must not matter), and one rejected and later accepted
    warehouse.execute("UPDATE candidate_pairs SET state = 'rejected' WHERE pair_id = ?", [by_state_id])
    warehouse.execute("INSERT INTO review_decisions VALUES "
                      "(1, ?, ?, ?, 'not_duplicate', NULL, 'ana', 'r.xlsx', ?), "
                      "(2, ?, ?, ?, 'not_duplicate', NULL, 'ana', 'r.xlsx', ?), "
                      "(3, ?, ?, ?, 'merge', ?, 'luis', 'r2.xlsx', ?)",
                      [by_decision_id, b2, a2, datetime(2026, 1, 5),
                       overridden_id, a3, b3, datetime(2026, 1, 5),
                       overridden_id, a3, b3, a3, datetime(2026, 1, 6)])

    incremental = score_candidates(warehouse, MatchingConfig())  # compares nothing, clusters again
    assert incremental.mode == "incremental" and incremental.scored == 0
    rejected_rows = warehouse.execute("SELECT customer_id_l, customer_id_r, state FROM candidate_pairs "
                                      "WHERE (customer_id_l, customer_id_r) IN ((?, ?), (?, ?)) ORDER BY ALL",
                                      [a1, b1, a2, b2]).fetchall()
    assert rejected_rows == [(a1, b1, "rejected")]
    summary = score_candidates(warehouse, MatchingConfig(), refit=True)  # compares every pair again

    assert summary.rejected_skipped == 2
    rows = warehouse.execute("SELECT customer_id_l, customer_id_r, state FROM candidate_pairs "
                             "WHERE (customer_id_l, customer_id_r) IN ((?, ?), (?, ?), (?, ?)) ORDER BY ALL",
                             [a1, b1, a2, b2, a3, b3]).fetchall()
    # the rejected row stays as decided; the other rejected pair is not proposed; the
    # later "merge" decision wins over the earlier rejection
    assert rows == sorted([(a1, b1, "rejected"), (a3, b3, "auto_merge")])
    # and neither rejected pair ends in one auto-merge cluster through other customers
    cluster = dict(warehouse.execute("SELECT DISTINCT customer_id, cluster_id FROM record_resolution").fetchall())
    assert cluster[a1] != cluster[b1] and cluster[a2] != cluster[b2]


def test_no_pair_mixes_a_person_and_a_company(scored: duckdb.DuckDBPyConnection) -> None:
    types = scored.execute("""
        SELECT l.customer_type, r.customer_type, count(*) FROM candidate_pairs p
        JOIN customers l ON l.customer_id = p.customer_id_l
        JOIN customers r ON r.customer_id = p.customer_id_r GROUP BY ALL ORDER BY ALL""").fetchall()
    assert {(l, r) for l, r, _ in types} == {("company", "company"), ("person", "person")}


def test_every_pair_explains_itself_field_by_field(scored: duckdb.DuckDBPyConnection) -> None:
    rows = scored.execute("""
        SELECT c.customer_type, p.levels, p.blocking_rules, p.match_probability, p.state, p.customer_id_l < p.customer_id_r
        FROM candidate_pairs p JOIN customers c ON c.customer_id = p.customer_id_l""").fetchall()
    assert rows
    for customer_type, levels, rules, probability, state, ordered in rows:
        comparisons = comparisons_for(customer_type)
        assert set(levels) == {c.field for c in comparisons}
        for c in comparisons:
            assert levels[c.field] in c.labels
        assert rules and ordered
        # only proposals are kept: clustering judges the pairs within a cluster afresh
        assert probability >= MatchingConfig().review
        # a strong pair kept out of a cluster by a cannot-link goes to review
        expected = ("auto_merge", "review") if probability >= MatchingConfig().auto_merge else ("review",)
        assert state in expected


def test_match_levels_holds_the_model(scored: duckdb.DuckDBPyConnection) -> None:
    stored = scored.execute("SELECT customer_type, model, field, level, label, m_probability, u_probability "
                            "FROM match_levels ORDER BY ALL").fetchall()
    for customer_type in ("person", "company"):
        expected = {(c.field, code, label) for c in comparisons_for(customer_type)
                    for code, label in enumerate(c.labels) if label != "missing"}
        of_type = [r for r in stored if r[0] == customer_type]
        assert {(f, level, label) for _, _, f, level, label, _, _ in of_type} == expected
        assert {model for _, model, *_ in of_type} == {"unsupervised"}
        for field in {c.field for c in comparisons_for(customer_type)}:
            assert sum(m for _, _, f, _, _, m, _ in of_type if f == field) == pytest.approx(1.0)
            assert sum(u for _, _, f, _, _, _, u in of_type if f == field) == pytest.approx(1.0)


def test_record_resolution_gives_a_cluster_one_id(scored: duckdb.DuckDBPyConnection) -> None:
    clusters = scored.execute("""
        SELECT cluster_id, list(DISTINCT customer_id ORDER BY customer_id) FROM (
            SELECT cluster_id, customer_id_l AS customer_id FROM candidate_pairs WHERE state = 'auto_merge'
            UNION ALL SELECT cluster_id, customer_id_r FROM candidate_pairs WHERE state = 'auto_merge')
        GROUP BY cluster_id""").fetchall()
    assert clusters
    resolution = scored.execute("SELECT customer_id, cluster_id FROM record_resolution").fetchall()
    cluster_of_record = {}
    for customer_id, cluster_id in resolution:
        cluster_of_record.setdefault(customer_id, set()).add(cluster_id)
    assert all(len(ids) == 1 for ids in cluster_of_record.values())
    clustered = set()
    for cluster_id, members in clusters:
        assert cluster_id == min(members)
        for customer_id in members:
            assert cluster_of_record[customer_id] == {cluster_id}
        clustered.update(members)
    for customer_id, ids in cluster_of_record.items():
        if customer_id not in clustered:
            assert ids == {customer_id}


def _decide(con: duckdb.DuckDBPyConnection, rows: list[tuple], decision: str, first_id: int) -> None:
    for n, (pair_id, left, right, *_rest) in enumerate(rows):
        con.execute("INSERT INTO review_decisions VALUES (?, ?, ?, ?, ?, NULL, 'ana', NULL, ?)",
                    [first_id + n, pair_id, left, right, decision, datetime(2026, 11, 23)])


def _person_pairs(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """The pairs of persons (pair id, customers, state), strongest first: those in auto_merge
    and those in review."""
    rows = con.execute(
        "SELECT p.pair_id, p.customer_id_l, p.customer_id_r, p.state FROM candidate_pairs p "
        "JOIN customers c ON c.customer_id = p.customer_id_l WHERE c.customer_type = 'person' "
        "ORDER BY p.match_probability DESC, p.pair_id").fetchall()
    return [r for r in rows if r[3] == "auto_merge"], [r for r in rows if r[3] == "review"]


def _fitted_layers(monkeypatch: pytest.MonkeyPatch) -> list:
    """The steward layers dedupe fits from now on, as fitted (before they are stored)."""
    import dedupe.scoring as scoring

    fitted, fit = [], scoring.fit_steward

    def watched(*args, **kwargs):
        model = fit(*args, **kwargs)
        fitted.append(model.steward)
        return model

    monkeypatch.setattr(scoring, "fit_steward", watched)
    return fitted


def _same_layer(a, b) -> bool:
    import numpy as np

    return ((a.decisions, a.score_weight, a.intercept, a.low, a.high) == (b.decisions, b.score_weight, b.intercept,
                                                                            b.low, b.high)
            and a.weights.keys() == b.weights.keys()
            and all(np.array_equal(a.weights[f], b.weights[f]) for f in a.weights))


def test_auto_model_turns_supervised_once_stewards_decided_enough_pairs(
        warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    import dedupe.scoring as scoring

    monkeypatch.setattr(scoring, "MIN_DECISIONS_PER_CLASS", 5)
    fitted = _fitted_layers(monkeypatch)
    strong, weak = _person_pairs(warehouse)
    merges, rejects = strong[:5], weak[-5:]
    assert len(merges) == 5 and len(rejects) == 5   # the background gives both kinds
    _decide(warehouse, merges[:4], "merge", 1)
    _decide(warehouse, rejects, "not_duplicate", 10)
    assert score_candidates(warehouse, MatchingConfig(model="auto")).models["person"] == "unsupervised"  # 4 < 5
    _decide(warehouse, merges[4:], "merge", 20)
    summary = score_candidates(warehouse, MatchingConfig(model="auto"))
    assert summary.models["person"] == "supervised"
    assert warehouse.execute("SELECT DISTINCT model FROM match_levels WHERE run_id = ? AND customer_type = 'person'",
                             [summary.run_id]).fetchall() == [("supervised",)]
    # its steward layer is kept: one weight per level, the unsupervised log-odds, the intercept
    # and the band it learnt
    layer = warehouse.execute("SELECT field, decisions FROM match_steward_weights WHERE run_id = ? "
                              "AND customer_type = 'person'", [summary.run_id]).fetchall()
    levels = warehouse.execute("SELECT count(*) FROM match_levels WHERE run_id = ? AND customer_type = 'person'",
                               [summary.run_id]).fetchall()[0][0]
    assert len(layer) == levels + 4 and {d for _, d in layer} == {10}
    # and the kept layer is the one fitted, weight for weight
    assert len(fitted) == 1 and fitted[0].intercept != 0 and fitted[0].score_weight != 1
    assert _same_layer(scoring.stored_models(warehouse)["person"].steward, fitted[0])
    again = score_candidates(warehouse, MatchingConfig(model="auto"))
    assert again.mode == "incremental" and again.models["person"] == "supervised"
    # twice the decisions it was learnt from ([matching] refit_growth = 1.0): learnt again
    more = strong[5:16]
    _decide(warehouse, more, "merge", 30)
    grown = score_candidates(warehouse, MatchingConfig(model="auto"))
    assert grown.mode == "full (steward decisions on person pairs grew from 10 to 21)"
    assert score_candidates(warehouse, MatchingConfig(model="unsupervised")).models["person"] == "unsupervised"


def test_a_customer_type_without_a_kept_model_is_fitted_on_all_its_pairs(warehouse: duckdb.DuckDBPyConnection) -> None:
    """As if the first runs had seen no pair of companies: once one arrives, the run is full,
    so the company model learns from every pair of companies, not only the new one's."""
    for table in ("match_models", "match_levels", "match_steward_weights"):
        warehouse.execute(f"DELETE FROM {table} WHERE customer_type = 'company'")
    company = warehouse.execute(
        "SELECT p.customer_id_l FROM candidate_pairs p JOIN customers c ON c.customer_id = p.customer_id_l "
        "WHERE c.customer_type = 'company' ORDER BY p.pair_id LIMIT 1").fetchall()[0][0]
    warehouse.execute("DELETE FROM match_features WHERE customer_id = ?", [company])   # new since: compared again
    companies = warehouse.execute("SELECT count(*) FROM customers WHERE customer_type = 'company'").fetchall()[0][0]
    summary = score_candidates(warehouse, MatchingConfig())
    assert summary.mode == "full (no company model yet)"
    assert summary.models == {"person": "unsupervised", "company": "unsupervised"}
    fitted_on = warehouse.execute("SELECT customers FROM match_models WHERE customer_type = 'company' "
                                  "AND run_id = ?", [summary.run_id]).fetchall()
    assert fitted_on == [(companies,)]
    assert score_candidates(warehouse, MatchingConfig()).mode == "incremental"


def test_a_steward_layer_is_learnt_again_when_the_review_band_moves(
        warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """The layer learnt what the stewards decided of [review, auto_merge): moved thresholds
    are another band, which it must not be applied to unlearnt."""
    import dedupe.scoring as scoring

    monkeypatch.setattr(scoring, "MIN_DECISIONS_PER_CLASS", 5)
    strong, weak = _person_pairs(warehouse)
    _decide(warehouse, strong[:5], "merge", 1)
    _decide(warehouse, weak[-5:], "not_duplicate", 10)
    assert score_candidates(warehouse, MatchingConfig(model="auto")).models["person"] == "supervised"
    moved = score_candidates(warehouse, MatchingConfig(model="auto", review=0.5))
    assert moved.mode == "full (the review band moved from [0.6, 0.95) to [0.5, 0.95) since the person steward " \
                         "layer learnt it)"
    layer = scoring.stored_models(warehouse)["person"].steward
    assert (layer.low, layer.high) == (0.5, 0.95)
    assert score_candidates(warehouse, MatchingConfig(model="auto", review=0.5)).mode == "incremental"


def test_decisions_on_a_deleted_customer_neither_teach_nor_ask_for_a_refit(
        warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """What asks for a refit and what the steward layer learns from are the same decisions:
    counting one on a deleted customer for the one and not the other made every dedupe a
    full refit that fitted the unsupervised model again."""
    import dedupe.scoring as scoring

    monkeypatch.setattr(scoring, "MIN_DECISIONS_PER_CLASS", 5)
    strong, weak = _person_pairs(warehouse)
    merges, rejects = strong[:5], weak[-5:]
    gone = merges[0][1]
    assert all(gone not in r[1:3] for r in merges[1:] + rejects)
    _decide(warehouse, merges, "merge", 1)
    _decide(warehouse, rejects, "not_duplicate", 10)
    warehouse.execute("UPDATE customers SET status = 'deleted' WHERE customer_id = ?", [gone])
    first = score_candidates(warehouse, MatchingConfig(model="auto"))   # 4 merges left: not enough
    second = score_candidates(warehouse, MatchingConfig(model="auto"))
    assert first.models["person"] == second.models["person"] == "unsupervised"
    assert first.mode == second.mode == "incremental"


def test_a_supervised_model_is_adopted_with_its_steward_layer(scored_file: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import dedupe.scoring as scoring
    from dedupe.scoring import adopt_model, stored_models

    monkeypatch.setattr(scoring, "MIN_DECISIONS_PER_CLASS", 5)
    fitted = _fitted_layers(monkeypatch)
    donor = tmp_path / "donor.duckdb"
    shutil.copy(scored_file, donor)
    with open_warehouse(donor) as con:
        strong, weak = _person_pairs(con)
        _decide(con, strong[:5], "merge", 1)
        _decide(con, weak[-5:], "not_duplicate", 10)
        assert score_candidates(con, MatchingConfig(model="auto")).models["person"] == "supervised"
        kept = stored_models(con)["person"]
    with open_warehouse(tmp_path / "other.duckdb") as con:
        adopt_model(con, donor)
        adopted = stored_models(con)["person"]
    assert adopted.kind == "supervised" and adopted.steward.decisions == kept.steward.decisions == 10
    assert len(fitted) == 1 and _same_layer(kept.steward, fitted[0]) and _same_layer(adopted.steward, fitted[0])


def test_a_supervised_model_without_decisions_is_one_clear_error(warehouse: duckdb.DuckDBPyConnection) -> None:
    from unifica.errors import UnificaError

    with pytest.raises(UnificaError, match="needs steward decisions of both kinds"):
        score_candidates(warehouse, MatchingConfig(model="supervised"))
    assert warehouse.execute("SELECT status FROM runs ORDER BY run_id DESC LIMIT 1").fetchall() == [("failed",)]
