"""Finding the duplicates: block, compare, score, cluster, store (DESIGN.md, "Matching").

``score_candidates`` is the plain function behind ``unifica dedupe`` and the consolidation
flow. It proposes candidate pairs with the blocking rules (dedupe/blocking.py), compares
them field by field (dedupe/comparisons.py), scores them with a Fellegi-Sunter model fitted
to this warehouse (dedupe/model.py), clusters the pairs at or above auto-merge without
chaining (dedupe/clustering.py) and stores the pairs at or above review in
``candidate_pairs`` and the model in ``match_levels``, in one transaction.
"""
from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.blocking import (BLOCKING_RULES, BlockingResult, BlockingRule, candidate_pairs, drop_blocking_tables,
                             drop_fresh_features)
from dedupe.clustering import cluster_customers, connected_pairs
from dedupe.comparisons import COMPARISONS, Comparison, comparisons_for, with_word_codes
from dedupe.model import KnownDistinct, MatchModel, StewardLayer, compare_pairs, fit_steward, fit_unsupervised, refit_prior
from merge.ingest import finish_run, start_run
from merge.merging import revise_auto_merges
from merge.warehouse import fetch_sql, next_id, run_sql, scalar, schema_version, transaction
from schemas.records import CustomerType, PairState
from unifica.config import MatchingConfig
from unifica.errors import UnificaError

Progress = Callable[[str, int, int], None]  # (what, done, total)
# Compares batches of pairs elsewhere (e.g. as Prefect tasks on a Dask cluster): given the
# batches (left ids, right ids), the customers frame and the comparisons, yields each
# batch's level codes (compare_batch's result), in order.
CompareMap = Callable[[list[tuple[np.ndarray, np.ndarray]], pd.DataFrame, tuple[Comparison, ...]],
                      Iterable[pd.DataFrame]]

COMPARE_BATCH = 200_000        # pairs compared at a time (bounded memory, progress)
COMPARE_WORKERS = os.cpu_count() or 1  # forked processes comparing batches
PARALLEL_PAIRS = 50_000        # fewer pairs are compared in this process: forking would cost more
# Random pairs per customer type to measure u. A level's u is its share among them, so a rare
# level's rests on a handful of pairs: with 200,000, the weight of "same date" of birth was
# 13.0 to 19.2 bits from run to run (generated 100,000, seeds 31, 4242 and 77, with and
# without one more blocking rule, which changes the customers drawn from); with 500,000, 13.1
# to 13.9; with 1,000,000, 12.8 to 13.8. On a million records fitting and scoring took 7.6 s
# with 200,000, 12.4 s with 500,000 and 21 s with 1,000,000.
RANDOM_PAIRS = 500_000
# Two groups join only if every pair between them, scored afresh whether blocking proposed it
# or not, has at least this evidence for a match: the natural log of the product of m/u over
# its fields, the prior left out (so it means the same at any size of base). Sparse records of
# one customer (a WhatsApp profile, an e-mail with a name) share little but a name, so a pair
# between them need only lean to a match; one that leans against keeps the groups apart.
# Measured on generated 100,000 (seed 4242), precision / recall: 0.9978 / 0.8963 at 0,
# 0.9980 / 0.8955 at 2, 0.9983 / 0.8933 at 4, 0.9984 / 0.8819 at 6; the earlier rule (only the
# pairs blocking proposed, probability at least 0.01, each kept for later runs) 0.9986 / 0.8709.
# Again with the models of 2026-12-05 (seeds 31 / 4242 / 77): recall 0.9091 / 0.9096 / 0.9122
# at 4, 0.9115 / 0.9109 / 0.9137 at 3 with precision the same (0.9989 / 0.9992 / 0.9993), and
# 0.9116 / 0.9113 / 0.9151 at 2, where seed 77's precision fell to 0.9989. What 4 kept apart
# were one customer's sparse records: "augusto perez" and "augusto", a WhatsApp profile's
# surname and a form's first name sharing a mobile (evidence 3.2 to 3.5).
LINK_EVIDENCE = 3.0
# A phone or e-mail given by more customers than this (as many as the phone and e-mail
# blocking rules allow in one block) is not a customer's own: comparisons ignore it. The call
# centre's own phone, typed in on 0.8 % of records, made nearly all of the random pairs sharing
# a phone (u 6.5e-5 on generated 100,000), which kept "one name only" and "a phone in common"
# (a WhatsApp profile) at 0.93, under auto-merge.
COMMON_CONTACT_CUSTOMERS = 12
# A birth date more than COMMON_CONTACT_CUSTOMERS customers give, and more than this many times
# as many as the type's dates on average, is a placeholder (a form's default, "1900-01-01"),
# no one's date of birth: compared as missing. The most common date of the generated data
# (ages 41 +- 14 years, one customer's records counted apart) is 5.5 times the average at
# 100,000 records (12 customers) and 3.7 times at 1,000,000 (46).
COMMON_DATE_TIMES = 10
FIT_CUSTOMERS = 100_000        # m is learnt on the pairs among at most this many customers
MIN_DECISIONS_PER_CLASS = 50   # steward decisions of each kind before "auto" goes supervised
SEED = 20261123                # the random pairs are the same on every run over the same data
DIFFERENT_DOCUMENTS = "both valid, different"  # the level that keeps two customers apart


@dataclass
class DedupeSummary:
    """What one dedupe run did."""

    run_id: int
    mode: str = "full"            # "full (why)" or "incremental"
    customers: int = 0
    changed: int = 0              # new or changed customers, whose features were taken again
    blocking: BlockingResult | None = None
    scored: int = 0
    auto_merge: int = 0
    review: int = 0
    non_match: int = 0
    conflicts: int = 0            # strong pairs kept apart by a cannot-link: sent to review
    rejected_skipped: int = 0     # pairs a steward rejected, not proposed again
    clusters: int = 0
    clustered_customers: int = 0
    merges_undone: int = 0        # auto-merges the clustering contradicts, undone
    merges_kept: int = 0          # and those kept, as undoing them would lose a later change
    models: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    seconds_per_step: dict[str, float] = field(default_factory=dict)

    def timed(self, step: str, since: float) -> float:
        """Add the time since ``since`` to ``step``; returns now."""
        now = time.perf_counter()
        self.seconds_per_step[step] = round(self.seconds_per_step.get(step, 0.0) + now - since, 2)
        return now

    def line(self) -> str:
        """The closing summary of ``unifica dedupe``."""
        rules = ""
        if self.blocking is not None:
            rules = " (" + ", ".join(f"{name} {n:,}" for name, n in self.blocking.pairs_per_rule.items() if n) + ")"
        models = ", ".join(f"{t} {k}" for t, k in self.models.items()) or "none"
        return (f"dedupe run {self.run_id} ({self.mode}): {self.customers:,} customers, {self.changed:,} new or "
                f"changed; {self.scored:,} candidate pairs compared{rules}; "
                f"{self.auto_merge:,} auto-merge in {self.clusters:,} clusters of {self.clustered_customers:,} "
                f"customers, {self.review:,} review ({self.conflicts:,} held back from a cluster), "
                f"{self.non_match:,} non-match; {self.rejected_skipped:,} rejected pairs not proposed again; "
                f"model: {models}; {self.revised()}{self.seconds:.1f} s")

    def revised(self) -> str:
        """The auto-merges newer pairs contradicted, when there were any."""
        if not self.merges_undone and not self.merges_kept:
            return ""
        return (f"{self.merges_undone:,} auto-merges undone as newer pairs split them"
                f"{f' ({self.merges_kept:,} kept: changed since)' if self.merges_kept else ''}; ")

    def as_dict(self) -> dict:
        """Counts for the runs table."""
        return {"mode": self.mode, "customers": self.customers, "changed": self.changed,
                "candidate_pairs": self.scored,
                "pairs_per_rule": self.blocking.pairs_per_rule if self.blocking else {},
                "auto_merge": self.auto_merge, "review": self.review, "non_match": self.non_match,
                "conflicts": self.conflicts, "rejected_skipped": self.rejected_skipped,
                "clusters": self.clusters, "clustered_customers": self.clustered_customers,
                "merges_undone": self.merges_undone, "merges_kept": self.merges_kept,
                "models": self.models, "seconds": round(self.seconds, 2), "seconds_per_step": self.seconds_per_step}


# What forked comparison workers read: set before the pool starts, inherited by fork (the
# customers frame is not pickled; copy-on-write pages are shared with the parent).
_WORKER_STATE: dict[str, object] = {}


def compare_batch(left: np.ndarray, right: np.ndarray, customers: pd.DataFrame,
                  comparisons: tuple[Comparison, ...]) -> pd.DataFrame:
    """The level codes of the pairs (left[i], right[i]); ``customers`` holds at least their rows."""
    index = pd.MultiIndex.from_arrays([left, right])
    return compare_pairs(index, customers, comparisons).reset_index(drop=True)


def _compare_batch(left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
    return compare_batch(left, right, _WORKER_STATE["customers"], _WORKER_STATE["comparisons"])


def _compare(pairs: pd.DataFrame, customers: pd.DataFrame, comparisons: tuple[Comparison, ...],
             what: str, progress: Progress | None, compare_map: CompareMap | None = None) -> pd.DataFrame:
    """The level codes of ``pairs`` (customer_id_l, customer_id_r), in batches: by
    ``compare_map`` when given, else here, on several cores when there are many (string
    similarities run in C++, the word tests in numpy, but recordlinkage and pandas add Python
    overhead to each batch)."""
    total = len(pairs)
    left, right = pairs.customer_id_l.to_numpy(), pairs.customer_id_r.to_numpy()
    parallel = compare_map is None and COMPARE_WORKERS >= 2 and total >= PARALLEL_PAIRS
    size = min(COMPARE_BATCH, -(-total // COMPARE_WORKERS)) if parallel else COMPARE_BATCH  # a batch per worker at least
    starts = range(0, max(total, 1), size)
    _WORKER_STATE.update(customers=customers, comparisons=comparisons)
    try:
        with contextlib.ExitStack() as stack:
            parts = []
            if compare_map is not None:
                results = compare_map([(left[s:s + size], right[s:s + size]) for s in starts],
                                      customers, comparisons)
            else:
                batch_map = map
                if parallel:
                    batch_map = stack.enter_context(
                        ProcessPoolExecutor(COMPARE_WORKERS, mp_context=multiprocessing.get_context("fork"))).map
                results = batch_map(_compare_batch, [left[s:s + size] for s in starts],
                                    [right[s:s + size] for s in starts])
            for start, part in zip(starts, results):
                parts.append(part)
                if progress:
                    progress(what, min(start + size, total), total)
        return pd.concat(parts, ignore_index=True)
    finally:
        _WORKER_STATE.clear()


def _random_pairs(ids: np.ndarray, n: int) -> pd.DataFrame:
    """Up to ``n`` random distinct pairs of ``ids`` (smaller id left)."""
    rng = np.random.default_rng(SEED)
    a, b = rng.choice(ids, n), rng.choice(ids, n)
    keep = a != b
    return pd.DataFrame({"customer_id_l": np.minimum(a, b)[keep], "customer_id_r": np.maximum(a, b)[keep]})


def _sessions(rule_mask: np.ndarray, comparisons: tuple[Comparison, ...],
              rules: tuple[BlockingRule, ...]) -> list[tuple[np.ndarray, frozenset[str]]]:
    """One EM session per group of blocking rules agreeing on the same fields: the pairs any
    of them found (``rule_mask``: bit i for rule i), and those fields."""
    fields = {c.field for c in comparisons}
    groups: dict[frozenset[str], int] = {}
    for i, rule in enumerate(rules):
        agreed = frozenset(rule.fields) & fields
        groups[agreed] = groups.get(agreed, 0) | (1 << i)
    sessions = []
    for agreed, bits in groups.items():
        found = (rule_mask & bits) != 0
        if found.any():
            sessions.append((found, agreed))
    return sessions


def _fit(matching: MatchingConfig, vectors: pd.DataFrame, pairs: pd.DataFrame, customers: pd.DataFrame,
         decided: pd.DataFrame, comparisons: tuple[Comparison, ...], customer_type: str, type_customers: int,
         rules: tuple[BlockingRule, ...]) -> MatchModel:
    """The model for one customer type: unsupervised, with a steward layer for the review band
    learnt from the steward's decisions when asked (or, with "auto", when there are enough of
    each kind)."""
    known = decided[decided.customer_type == customer_type]
    is_match = (known.decision == "merge").to_numpy()
    enough = min(is_match.sum(), (~is_match).sum()) >= MIN_DECISIONS_PER_CLASS
    supervised = matching.model == "supervised" or (matching.model == "auto" and enough)
    if supervised and (is_match.sum() == 0 or (~is_match).sum() == 0):
        raise UnificaError(f'[matching] model = "supervised" needs steward decisions of both kinds for '
                           f"{customer_type} pairs (has {is_match.sum()} merge, {(~is_match).sum()} not_duplicate); "
                           f'use model = "auto" or "unsupervised" until then')
    model = _fit_unsupervised(vectors, pairs, customers, comparisons, customer_type, type_customers, rules)
    if not supervised:
        return model
    labelled = _compare(known, customers, comparisons, "", None)
    return fit_steward(model, labelled, is_match, matching.review, matching.auto_merge)


def _fit_unsupervised(vectors: pd.DataFrame, pairs: pd.DataFrame, customers: pd.DataFrame,
                      comparisons: tuple[Comparison, ...], customer_type: str, type_customers: int,
                      rules: tuple[BlockingRule, ...]) -> MatchModel:
    ids = customers.index[customers.customer_type == customer_type].to_numpy()
    random_vectors = _compare(_random_pairs(ids, RANDOM_PAIRS), customers, comparisons, "", None)
    # m is learnt on the pairs among a sample of customers, for EM's time: at 1,000,000
    # records the whole base gives the same accuracy (recall 0.885 either way). m of "a phone
    # in common" is 0.54 at 75,000 persons and 0.23 at 754,000. The cause is the EM session of
    # the name-and-city rule: it sees neither full names nor cities, so it takes most of its pairs
    # for matches (prior 0.88 at 100,000 records), and weighted by those it pulls every m
    # towards its pairs' levels. Leaving that session out raised precision and lowered recall
    # (1,000,000: 0.9973 / 0.8829 against 0.9970 / 0.8855), so it stays. Sampling the
    # customers of a few cities did worse (recall 0.866).
    sample = pairs.index.to_numpy()
    if type_customers > FIT_CUSTOMERS:
        chosen = np.random.default_rng(SEED).choice(ids, size=min(FIT_CUSTOMERS, len(ids)), replace=False)
        sample = np.flatnonzero(pairs.customer_id_l.isin(chosen).to_numpy() & pairs.customer_id_r.isin(chosen).to_numpy())
    model = fit_unsupervised(vectors.iloc[sample], random_vectors, comparisons, customer_type,
                             min(type_customers, FIT_CUSTOMERS),
                             _sessions(pairs.rule_mask.to_numpy()[sample], comparisons, rules),
                             base_customers=type_customers,
                             distinct=_known_distinct(vectors, customers, comparisons, customer_type))
    return refit_prior(model, vectors, type_customers)


def _known_distinct(vectors: pd.DataFrame, customers: pd.DataFrame, comparisons: tuple[Comparison, ...],
                    customer_type: str) -> KnownDistinct | None:
    """The candidate pairs (``vectors``) of customers whose valid documents of one type differ,
    two customers for sure, and per field with a level blocking proposes in full how many
    such pairs the ``customers`` of the type both giving the field make."""
    document = next((c for c in comparisons if c.field == "document_number"), None)
    if document is None:
        return None
    valid = customers[(customers.customer_type == customer_type) & (customers.document_check == "valid")]
    possible = {}
    for c in comparisons:
        if any(level.all_proposed for level in c.levels):
            per_type = valid[valid[c.field].notna()].groupby("document_type").size().to_numpy(dtype=np.int64)
            possible[c.field] = int((per_type * (per_type - 1) // 2).sum())
    at = vectors["document_number"].to_numpy() == document.labels.index(DIFFERENT_DOCUMENTS)
    return KnownDistinct(vectors[at], possible)


def _model_levels(model: MatchModel) -> list[dict]:
    return [{"customer_type": model.customer_type, "model": model.kind, "field": f,
             "level": next(c for c in model.comparisons if c.field == f).labels.index(label),
             "label": label, "m_probability": m, "u_probability": u}
            for f, label, m, u in model.level_weights()]


def score_candidates(con: duckdb.DuckDBPyConnection, matching: MatchingConfig, progress: Progress | None = None,
                     run_id: int | None = None, comparisons: tuple[Comparison, ...] = COMPARISONS,
                     rules: tuple[BlockingRule, ...] = BLOCKING_RULES,
                     compare_map: CompareMap | None = None, refit: bool = False,
                     revise: bool = True) -> DedupeSummary:
    """Score the candidate pairs of the warehouse's customers, cluster the strong ones and
    store the result (``candidate_pairs``, ``match_levels``, ``match_models``). Returns the counts.

    Incremental: with a model kept from an earlier run, only the pairs with a customer that
    is new or changed since are compared, against every customer (merged ones too, as they
    were ingested) and against each other, and scored with that model; the pairs kept from
    earlier runs are clustered again with them. So ingesting A then B, with a dedupe after
    each, gives the clusters one dedupe after A and B gives with the same model. A full run
    (the first, ``refit``, ``[matching] model`` asking for another kind, a customer type
    grown by more than ``[matching] refit_growth``, the stewards' decisions grown as much, the
    thresholds moved from the steward layer's band, or pairs of a type without a kept model)
    compares every pair and fits the model.
    With ``revise``, an incremental run first undoes the auto-merges its clustering no longer
    supports (merge/merging.py, ``revise_auto_merges``), so that records arriving over several
    runs end in the customers one run over all of them gives; a full run never does (a new
    model moving an old pair just under the threshold must not undo its merge unasked).

    Without ``run_id`` the call is a run of its own (command "dedupe" in ``runs``). With
    ``compare_map`` the candidate pairs are compared by it (pipelines/scale_out.py: Prefect
    tasks on a Dask cluster), with the same result."""
    if run_id is not None:
        return _score_fully_if_needed(con, matching, progress, run_id, comparisons, rules, compare_map, refit, revise)
    run_id = start_run(con, "dedupe")
    try:
        summary = _score_fully_if_needed(con, matching, progress, run_id, comparisons, rules, compare_map, refit,
                                         revise)
    except Exception as exc:
        finish_run(con, run_id, None, error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(con, run_id, {"dedupe": summary.as_dict()})
    return summary


def stored_models(con: duckdb.DuckDBPyConnection,
                  comparisons: tuple[Comparison, ...] = COMPARISONS) -> dict[str, MatchModel]:
    """The model kept for incremental runs, per customer type; empty when there is none or
    its levels are not those of ``comparisons`` (a new version compares differently). A
    supervised model's steward layer comes with the review band it learnt."""
    layers: dict[str, list[tuple]] = {}
    for customer_type, *row in fetch_sql(con, "select_match_steward_weights"):
        layers.setdefault(customer_type, []).append(tuple(row))
    models: dict[str, MatchModel] = {}
    rows = fetch_sql(con, "select_match_model")
    for key, group in itertools.groupby(rows, key=lambda row: row[:6]):
        customer_type, kind, prior, customers, pairs_fitted, _ = key
        type_comparisons = comparisons_for(customer_type, comparisons)
        by_field = {c.field: c for c in type_comparisons}
        m = {c.field: np.ones(c.missing + 1) for c in type_comparisons}
        u = {c.field: np.ones(c.missing + 1) for c in type_comparisons}
        seen = set()
        for *_, fld, level, label, m_probability, u_probability in group:
            if not _is_level(by_field.get(fld), level, label):
                return {}
            m[fld][level], u[fld][level] = m_probability, u_probability
            seen.add((fld, level))
        if len(seen) != sum(c.missing for c in type_comparisons):
            return {}
        model = MatchModel(customer_type, type_comparisons, kind, m, u, prior, pairs_fitted, customers)
        if kind == "supervised":
            model.steward = _steward_layer(layers.get(customer_type, []), type_comparisons)
            if model.steward is None:
                return {}
        models[customer_type] = model
    return models


def _is_level(comparison: Comparison | None, level: int | None, label: str) -> bool:
    """Whether a kept row's level and label are a level of ``comparison`` as this version
    labels it (a row of a model fitted to other comparisons is not)."""
    return (comparison is not None and level is not None and level < comparison.missing
            and comparison.labels[level] == label)


# match_steward_weights rows that are no level: the layer's terms and the band it learnt
_INTERCEPT, _SCORE, _BAND_FROM, _BAND_TO = ("(intercept)", "(unsupervised log-odds)", "(review band from)",
                                            "(review band to)")
_TERMS = {_INTERCEPT, _SCORE, _BAND_FROM, _BAND_TO}


def _steward_layer(rows: list[tuple], comparisons: tuple[Comparison, ...]) -> StewardLayer | None:
    """A kept steward layer from its rows of match_steward_weights (field, level, label,
    weight, decisions); None when they are not those of ``comparisons`` (or were kept before
    the band was)."""
    terms = {field: weight for field, _, _, weight, _ in rows if field in _TERMS}
    weights = {c.field: np.zeros(c.missing + 1) for c in comparisons}
    by_field = {c.field: c for c in comparisons}
    for field, level, label, weight, _ in rows:
        if field in terms:
            continue
        if not _is_level(by_field.get(field), level, label):
            return None
        weights[field][level] = weight
    if set(terms) != _TERMS:
        return None
    return StewardLayer(weights, terms[_SCORE], terms[_INTERCEPT], rows[0][4], terms[_BAND_FROM], terms[_BAND_TO])


def _steward_weights(model: MatchModel) -> list[dict]:
    """The rows of match_steward_weights for ``model``'s steward layer (none without one)."""
    layer = model.steward
    if layer is None:
        return []
    rows = [(c.field, code, c.labels[code], float(layer.weights[c.field][code]))
            for c in model.comparisons for code in range(c.missing)]
    rows += [(_SCORE, None, None, layer.score_weight), (_INTERCEPT, None, None, layer.intercept),
             (_BAND_FROM, None, None, layer.low), (_BAND_TO, None, None, layer.high)]
    return [{"customer_type": model.customer_type, "field": f, "level": level, "label": label, "weight": w,
             "decisions": layer.decisions} for f, level, label, w in rows]


def adopt_model(con: duckdb.DuckDBPyConnection, donor: Path | str) -> int:
    """Make the model another warehouse fitted (``donor``, a DuckDB file) the one this
    warehouse's incremental dedupe runs score with (e.g. one fitted on a large base used for
    a smaller one). One transaction; returns the run id it is recorded under."""
    donor = Path(donor)
    if not donor.is_file():
        raise UnificaError(f"{donor}: no such warehouse")
    run_id = start_run(con, "adopt model")
    attached = False
    try:
        try:
            con.execute("ATTACH ? AS donor (READ_ONLY)", [str(donor)])
        except duckdb.Error as exc:
            raise UnificaError(f"{donor} is not a warehouse this Unifica can open: "
                               f"{str(exc).splitlines()[0]}") from None
        attached = True
        if not scalar(con, "SELECT count(*) FROM donor.match_models"):
            raise UnificaError(f"{donor} has no fitted model (run a dedupe there first)")
        donor_version, version = (scalar(con, "SELECT coalesce(max(version), 0) FROM donor.schema_migrations"),
                                  schema_version(con))
        if donor_version != version:  # its model may lack what this version keeps with one
            raise UnificaError(f"{donor} is a warehouse of schema version {donor_version}, this one of {version}: "
                               "open it with this Unifica and dedupe it with --refit first")
        with transaction(con):
            run_sql(con, "delete_match_models")
            run_sql(con, "delete_match_name_counts")
            run_sql(con, "delete_match_name_words")
            run_sql(con, "delete_match_common_contacts")
            run_sql(con, "delete_match_common_birth_dates")
            now = datetime.now()
            run_sql(con, "adopt_match_model", run_id=run_id, now=now)
            run_sql(con, "adopt_match_levels", run_id=run_id)
            run_sql(con, "adopt_match_steward_weights", run_id=run_id)
            run_sql(con, "adopt_match_name_counts")
            run_sql(con, "adopt_match_name_words")
            run_sql(con, "adopt_match_common_contacts")
            run_sql(con, "adopt_match_common_birth_dates")
    except Exception as exc:  # duckdb.Error too
        finish_run(con, run_id, None, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if attached:
            con.execute("DETACH donor")
    finish_run(con, run_id, {"adopt_model": {"from": str(donor.resolve())}})
    return run_id


def _refit_reason(con: duckdb.DuckDBPyConnection, models: dict[str, MatchModel], matching: MatchingConfig,
                  decided: pd.DataFrame, type_counts: dict[str, int], refit: bool) -> str | None:
    """Why this run must fit the model again and compare every pair; None: it need not."""
    if refit:
        return "asked to refit"
    if not models:  # none kept, or one fitted to other comparisons (stored_models)
        return "the comparisons changed since the model was fitted" if fetch_sql(con, "select_match_model") \
            else "no model yet"
    for customer_type, count in type_counts.items():
        model = models.get(customer_type)
        if model is not None and count > model.customers * (1 + matching.refit_growth):
            return f"{customer_type} customers grew from {model.customers:,} to {count:,}"
    for customer_type, model in models.items():
        layer = model.steward
        if layer is not None and (layer.low, layer.high) != (matching.review, matching.auto_merge):
            return (f"the review band moved from [{layer.low:g}, {layer.high:g}) to "
                    f"[{matching.review:g}, {matching.auto_merge:g}) since the {customer_type} steward layer learnt it")
    kinds = {model.kind for model in models.values()}
    if matching.model == "unsupervised" and "supervised" in kinds:
        return "model = unsupervised"
    if matching.model == "supervised" and "unsupervised" in kinds:
        return "model = supervised"
    if matching.model != "unsupervised" and len(decided):
        for customer_type, model in models.items():
            of_type = decided[decided.customer_type == customer_type]
            is_match = (of_type.decision == "merge").to_numpy()
            if (matching.model == "auto" and model.kind == "unsupervised"
                    and min(is_match.sum(), (~is_match).sum()) >= MIN_DECISIONS_PER_CLASS):
                return f"enough steward decisions for a supervised {customer_type} model"
            learnt = model.steward.decisions if model.steward is not None else None
            if learnt is not None and len(of_type) > learnt * (1 + matching.refit_growth):
                return f"steward decisions on {customer_type} pairs grew from {learnt:,} to {len(of_type):,}"
    return None


class _NeedsFullRun(Exception):
    """An incremental run found pairs of a customer type no kept model scores (raised before
    anything is stored)."""


def _score_fully_if_needed(con: duckdb.DuckDBPyConnection, matching: MatchingConfig, progress: Progress | None,
                           run_id: int, comparisons: tuple[Comparison, ...], rules: tuple[BlockingRule, ...],
                           compare_map: CompareMap | None, refit: bool, revise: bool) -> DedupeSummary:
    """``_score``, full from the start when its incremental attempt meets pairs of a customer
    type without a kept model (the first runs saw none of that type's pairs): that model is
    fitted on all of the type's pairs and customers, not on the new ones alone."""
    try:
        return _score(con, matching, progress, run_id, comparisons, rules, compare_map, refit, revise)
    except _NeedsFullRun as need:
        return _score(con, matching, progress, run_id, comparisons, rules, compare_map, refit, revise, str(need))


def _score(con: duckdb.DuckDBPyConnection, matching: MatchingConfig, progress: Progress | None, run_id: int,
           comparisons: tuple[Comparison, ...], rules: tuple[BlockingRule, ...],
           compare_map: CompareMap | None, refit: bool, revise: bool, full_because: str | None = None) -> DedupeSummary:
    started = time.perf_counter()
    summary = DedupeSummary(run_id)
    decided = run_sql(con, "select_steward_decided_pairs").df()
    models = {} if refit else stored_models(con, comparisons)
    type_counts = dict(fetch_sql(con, "count_matchable_customers"))  # the customers blocking compares
    reason = full_because or _refit_reason(con, models, matching, decided, type_counts, refit)
    full = reason is not None
    summary.mode = f"full ({reason})" if full else "incremental"
    if full:
        models = {}  # fitted again below
    summary.models = {customer_type: model.kind for customer_type, model in models.items()}
    try:
        blocking = candidate_pairs(con, rules, only_changed=not full, refresh_all=refit)
        summary.blocking = blocking
        summary.customers = blocking.customers
        summary.changed = scalar(con, "SELECT count(*) FROM fresh_features")
        t = summary.timed("blocking", started)
        run_sql(con, "stage_name_counts", frozen=not full)
        run_sql(con, "stage_name_words", frozen=not full)
        run_sql(con, "stage_common_contacts", frozen=not full, most=COMMON_CONTACT_CUSTOMERS)
        run_sql(con, "stage_common_birth_dates", frozen=not full, most=COMMON_CONTACT_CUSTOMERS,
                times=COMMON_DATE_TIMES)
        run_sql(con, "stage_comparison_customers", auto_merge=matching.auto_merge)
        customers = with_word_codes(con.execute("SELECT * FROM comparison_customers").df().set_index("customer_id"))
        pairs = con.execute(f"SELECT customer_id_l, customer_id_r, rule_mask FROM {blocking.table} "
                            "ORDER BY customer_id_l, customer_id_r").df()
        rejected = decided[decided.decision == "not_duplicate"]
        if len(rejected):
            before = len(pairs)
            pairs = pairs.merge(rejected[["customer_id_l", "customer_id_r"]], how="left", indicator=True)
            pairs = pairs[pairs.pop("_merge") == "left_only"].reset_index(drop=True)
            summary.rejected_skipped = before - len(pairs)
        pair_types = customers.customer_type.reindex(pairs.customer_id_l).to_numpy()
        untrained = [] if full else sorted({t for t in pd.unique(pair_types) if isinstance(t, str)} - set(models))
        if untrained:
            raise _NeedsFullRun(f"no {untrained[0]} model yet")
        drop_blocking_tables(con)  # all read: their memory (up to the blocking limit) is free again
        t = summary.timed("loading", t)

        scored: list[pd.DataFrame] = []
        levels: list[dict] = []
        steward_weights: list[dict] = []
        fitted: list[MatchModel] = []
        judges = dict(models)  # the model of each customer type, for pairs scored while clustering
        for customer_type in CustomerType:
            of_type = pairs[pair_types == customer_type].reset_index(drop=True)
            if of_type.empty:
                continue
            type_comparisons = comparisons_for(customer_type, comparisons)
            vectors = _compare(of_type, customers, type_comparisons, f"comparing {customer_type} pairs", progress,
                               compare_map)
            t = summary.timed("comparing", t)
            model = models.get(customer_type)
            if model is None:
                model = _fit(matching, vectors, of_type, customers, decided, type_comparisons, customer_type,
                             type_counts.get(customer_type, 0), rules)
                fitted.append(model)
            summary.models[customer_type] = model.kind
            judges[customer_type] = model
            levels.extend(_model_levels(model))
            steward_weights.extend(_steward_weights(model))
            scored.append(_scored_pairs(of_type, vectors, model, matching))
            t = summary.timed("fitting and scoring", t)
        summary.scored = sum(len(part) for part in scored)

        table, unkept = _with_kept_pairs(con, scored, rejected, keep_proposals=not full, review=matching.review)
        pairs = of_type = vectors = None  # all scored: clustering needs only the pairs at or above review
        judge = _PairJudge(customers, judges)
        cluster_of = _cluster(table, matching, rejected, summary, judge)
        summary.non_match += unkept
        if revise and not full:  # a refit re-scores every pair: it does not undo merges on its own
            revision = revise_auto_merges(con, cluster_of)
            summary.merges_undone, summary.merges_kept = len(revision.undone), len(revision.kept)
            if revision.undone:  # their pairs are proposals again: their states are set anew
                table, unkept = _with_kept_pairs(con, scored, rejected, keep_proposals=not full, review=matching.review)
                _cluster(table, matching, rejected, summary, judge)
                summary.non_match += unkept
        t = summary.timed("clustering", t)
        stored = table.state.to_numpy() != PairState.NON_MATCH.value  # proposals and what merges settled
        _store(con, table[stored], levels, steward_weights, fitted, full, summary.run_id, rules)
        summary.timed("storing", t)
    finally:
        drop_blocking_tables(con)   # dropped once read; here too when the run failed before
        drop_fresh_features(con)
        con.execute("DROP TABLE IF EXISTS name_counts")
        con.execute("DROP TABLE IF EXISTS name_words")
        con.execute("DROP TABLE IF EXISTS common_contacts")
        con.execute("DROP TABLE IF EXISTS common_birth_dates")
    summary.seconds = time.perf_counter() - started
    return summary


_PROPOSALS = (PairState.AUTO_MERGE.value, PairState.REVIEW.value, PairState.NON_MATCH.value)


def _with_kept_pairs(con: duckdb.DuckDBPyConnection, scored: list[pd.DataFrame], rejected: pd.DataFrame,
                     keep_proposals: bool, review: float) -> tuple[pd.DataFrame, int]:
    """This run's pairs at or above ``review`` and those earlier runs scored that it keeps
    (select_kept_pairs.sql): the pairs merges settled always, the proposals too when the run
    is incremental; never a pair a steward rejected. Also returns how many of this run's
    pairs were left out: under review and settled by no one, non-matches that nothing stores
    or clusters (at a million records 8 million of 8.3 million pairs: leaving them out took
    the dedupe's peak memory from 5.5 to 4.2 GB)."""
    columns = ["customer_id_l", "customer_id_r", "match_probability", "level_fields", "level_labels", "rule_mask"]
    kept = run_sql(con, "select_kept_pairs", keep_proposals=keep_proposals).df()
    settled = kept[~kept.state.isin(_PROPOSALS)][["customer_id_l", "customer_id_r", "state"]]
    parts, unkept = [], 0
    for part in scored:  # a pair compared again keeps the state a merge or a steward gave it
        state = (part[["customer_id_l", "customer_id_r"]].merge(settled, how="left").state.to_numpy()
                 if len(settled) else np.full(len(part), None, dtype=object))
        keep = (part.match_probability.to_numpy() >= review) | pd.notna(state)
        unkept += int((~keep).sum())
        parts.append(part.loc[keep, columns].assign(state=state[keep]))
    new = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns + ["state"])
    new["compared"] = True
    new["blocking_rules"] = None  # named from rule_mask when stored: lists for millions of pairs cost GBs
    for known in (*scored, rejected):  # compared again by this run (left out or not), or rejected
        if len(known) and len(kept):
            seen = kept.merge(known[["customer_id_l", "customer_id_r"]].drop_duplicates(), how="left",
                              indicator=True)["_merge"] == "both"
            kept = kept[~seen.to_numpy()].reset_index(drop=True)
    kept["compared"] = False
    kept["rule_mask"] = 0
    parts = [part for part in (new, kept[new.columns]) if len(part)]  # concat of an empty frame: a FutureWarning
    return (pd.concat(parts, ignore_index=True) if parts else new), unkept


class _PairJudge:
    """Scores, while clustering, the pairs between customers a cluster would hold: with the
    run's models and the customers' features, whether blocking proposed the pair or not, so
    that what keeps two groups apart depends on the customers alone (not on which pairs an
    earlier run kept) and an incremental run clusters as a full run does."""

    def __init__(self, customers: pd.DataFrame, models: dict[str, MatchModel]) -> None:
        self.customers, self.models = customers, models
        self._last: tuple[bytes, tuple[np.ndarray, np.ndarray]] | None = None

    def __call__(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For the pairs (left[i], right[i]): whether the evidence leans to a match (at least
        LINK_EVIDENCE, no two distinct valid documents), and whether they hold two distinct
        valid documents. A pair with a customer whose features are not loaded is neither.
        The same pairs asked again (clustering once more after undoing auto-merges: the strong
        pairs, hence the pairs within their groups, are the same) are not scored again."""
        key = left.tobytes() + b"|" + right.tobytes()
        if self._last is None or self._last[0] != key:
            self._last = key, self._judge(left, right)
        return self._last[1]

    def tie_order(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """A rank per pair (``left[i]``, ``right[i]``) from its customers' first source records
        (``first_record``): pairs of equal probability are clustered in this order, which
        does not depend on the order records arrived in (customer ids do: a record ingested
        a run later gets a larger id). A customer without source records goes by its id."""
        keys = []
        for side in (left, right):
            known = self.customers["first_record"].reindex(side).to_numpy(dtype=object)
            missing = pd.isna(known)
            known[missing] = [f"\x1e{customer:020d}" for customer in side[missing].tolist()]
            keys.append(known.astype(str))
        first_low = keys[0] <= keys[1]
        low, high = np.where(first_low, keys[0], keys[1]), np.where(first_low, keys[1], keys[0])
        return np.unique(np.char.add(np.char.add(low, "\x1d"), high), return_inverse=True)[1]

    def _judge(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        alike, different = np.zeros(len(left), dtype=bool), np.zeros(len(left), dtype=bool)
        types = self.customers.customer_type
        known = np.flatnonzero(types.reindex(left).notna().to_numpy() & types.reindex(right).notna().to_numpy())
        pair_types = types.reindex(left[known]).to_numpy()
        for customer_type, model in self.models.items():
            at = known[pair_types == customer_type]
            if not at.size:
                continue
            vectors = _compare(pd.DataFrame({"customer_id_l": left[at], "customer_id_r": right[at]}), self.customers,
                               model.comparisons, "", None)
            evidence = model.evidence(vectors)
            distinct = np.zeros(at.size, dtype=bool)
            for c in model.comparisons:
                if DIFFERENT_DOCUMENTS in c.labels:
                    distinct |= vectors[c.field].to_numpy() == c.labels.index(DIFFERENT_DOCUMENTS)
            alike[at] = (evidence >= LINK_EVIDENCE) & ~distinct
            different[at] = distinct
        return alike, different


def _cluster(table: pd.DataFrame, matching: MatchingConfig, rejected: pd.DataFrame,
             summary: DedupeSummary, judge: _PairJudge) -> dict[int, int]:
    """Cluster the pairs of ``table`` at or above auto-merge (dedupe/clustering.py) and set the
    state and cluster of every proposal; a pair merges settled keeps its state. Every pair
    within a group of customers the strong pairs connect is judged afresh (``judge``): two
    groups join only if all the pairs between them lean to a match. Returns the cluster of
    every clustered customer."""
    probability = table.match_probability.to_numpy(dtype=float)
    settled = table.state.notna().to_numpy() & ~table.state.isin(_PROPOSALS).to_numpy()
    left, right = table.customer_id_l.to_numpy(), table.customer_id_r.to_numpy()
    strong = probability >= matching.auto_merge
    within_l, within_r = connected_pairs(left[strong], right[strong])
    alike, different = judge(within_l, within_r)
    cannot_link = list(map(tuple, rejected[["customer_id_l", "customer_id_r"]].to_numpy().tolist()))
    cannot_link.extend(zip(within_l[different].tolist(), within_r[different].tolist()))
    # alike: leaning to a match, or accepted by a steward (an auto-merged pair is judged like
    # any other, so that its merge is undone when newer pairs split it)
    accepted = (table.state == PairState.ACCEPTED.value).to_numpy()
    linked = list(zip(within_l[alike].tolist(), within_r[alike].tolist()))
    linked.extend(zip(left[accepted].tolist(), right[accepted].tolist()))
    clustering = cluster_customers(left[strong], right[strong], probability[strong], cannot_link, linked,
                                   ties=judge.tie_order(left[strong], right[strong]))
    state = np.where(probability >= matching.review, PairState.REVIEW.value, PairState.NON_MATCH.value).astype(object)
    joined = np.zeros(len(table), dtype=bool)
    joined[np.flatnonzero(strong)[clustering.joined]] = True
    state[joined] = PairState.AUTO_MERGE.value
    state[settled] = table.state.to_numpy()[settled]
    table["state"] = state
    cluster_id = pd.array(np.zeros(len(table), dtype=np.int64), dtype="Int64")
    cluster_id[~joined] = pd.NA
    cluster_id[joined] = [clustering.cluster_of[c] for c in left[joined].tolist()]
    table["cluster_id"] = cluster_id
    proposal = ~settled
    summary.auto_merge = int((joined & proposal).sum())
    summary.conflicts = int((strong & ~joined & proposal).sum())
    summary.review = int((state == PairState.REVIEW.value).sum())
    summary.non_match = int(((state == PairState.NON_MATCH.value) & proposal).sum())
    summary.clusters = clustering.clusters
    summary.clustered_customers = len(clustering.cluster_of)
    return clustering.cluster_of


def _scored_pairs(pairs: pd.DataFrame, vectors: pd.DataFrame, model: MatchModel,
                  matching: MatchingConfig) -> pd.DataFrame:
    """``pairs`` of one customer type with their match probability and, for those worth
    keeping (at or above review), the level label of every field."""
    probability = model.probability(vectors)
    pairs["match_probability"] = probability
    pairs["level_fields"] = [[c.field for c in model.comparisons]] * len(pairs)
    kept = np.flatnonzero(probability >= matching.review)
    labels = np.empty(len(pairs), dtype=object)
    if len(kept):
        labels[kept] = list(np.column_stack([np.array(c.labels, dtype=object)[vectors[c.field].to_numpy()[kept]]
                                             for c in model.comparisons]))
    pairs["level_labels"] = labels
    return pairs


def _store(con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame, levels: list[dict], steward_weights: list[dict],
           fitted: list[MatchModel], full: bool, run_id: int, rules: tuple[BlockingRule, ...]) -> None:
    """Replace the previous proposals with ``pairs``, record the model the run scored with,
    keep the model it fitted and the features it took, in one transaction."""
    scored_pairs = pa.table({
        "customer_id_l": pa.array(pairs.customer_id_l.to_numpy(), pa.int64()),
        "customer_id_r": pa.array(pairs.customer_id_r.to_numpy(), pa.int64()),
        "match_probability": pa.array(pairs.match_probability.to_numpy(), pa.float64()),
        "level_fields": pa.array([list(x) for x in pairs.level_fields], pa.list_(pa.string())),
        # None: a settled pair compared again below the link floor (its probability is updated)
        "level_labels": pa.array([None if x is None else list(x) for x in pairs.level_labels],
                                 pa.list_(pa.string())),
        "blocking_rules": pa.array([[rule.name for i, rule in enumerate(rules) if mask >> i & 1] if names is None
                                    else list(names)
                                    for names, mask in zip(pairs.blocking_rules, pairs.rule_mask.tolist())],
                                   pa.list_(pa.string())),
        "state": pa.array(pairs.state.tolist(), pa.string()),
        "cluster_id": pa.array(pairs.cluster_id, pa.int64(), from_pandas=True),
        "compared": pa.array(pairs.compared.to_numpy(dtype=bool), pa.bool_()),
    })
    model_levels = pa.Table.from_pylist(levels, schema=pa.schema([
        ("customer_type", pa.string()), ("model", pa.string()), ("field", pa.string()), ("level", pa.int32()),
        ("label", pa.string()), ("m_probability", pa.float64()), ("u_probability", pa.float64())]))
    steward_table = pa.Table.from_pylist(steward_weights, schema=pa.schema([
        ("customer_type", pa.string()), ("field", pa.string()), ("level", pa.int32()), ("label", pa.string()),
        ("weight", pa.float64()), ("decisions", pa.int64())]))
    now = datetime.now()
    fitted_models = pa.Table.from_pylist(
        [{"customer_type": m.customer_type, "model": m.kind, "prior": float(m.prior), "customers": int(m.customers),
          "pairs_fitted": int(m.pairs_fitted), "run_id": run_id, "fitted_at": now} for m in fitted],
        schema=pa.schema([("customer_type", pa.string()), ("model", pa.string()), ("prior", pa.float64()),
                          ("customers", pa.int64()), ("pairs_fitted", pa.int64()), ("run_id", pa.int64()),
                          ("fitted_at", pa.timestamp("us"))]))
    con.register("scored_pairs", scored_pairs)
    con.register("model_levels", model_levels)
    con.register("fitted_models", fitted_models)
    con.register("steward_weights", steward_table)
    try:
        with transaction(con):
            first_pair_id = next_id(con, "candidate_pairs", "pair_id")  # before any id is freed
            run_sql(con, "stage_previous_pairs")
            run_sql(con, "delete_proposed_pairs")
            run_sql(con, "insert_candidate_pairs", first_pair_id=first_pair_id, run_id=run_id, now=now)
            run_sql(con, "update_settled_pairs", run_id=run_id, now=now)
            run_sql(con, "insert_match_levels", run_id=run_id)
            run_sql(con, "insert_match_steward_weights", run_id=run_id)
            if full:
                run_sql(con, "delete_match_models")
                run_sql(con, "delete_match_name_counts")
                run_sql(con, "insert_match_name_counts")
                run_sql(con, "delete_match_name_words")
                run_sql(con, "insert_match_name_words")
                run_sql(con, "delete_match_common_contacts")
                run_sql(con, "insert_match_common_contacts")
                run_sql(con, "delete_match_common_birth_dates")
                run_sql(con, "insert_match_common_birth_dates")
            run_sql(con, "insert_match_models")
            run_sql(con, "delete_refreshed_match_features")
            run_sql(con, "insert_refreshed_match_features", now=now, run_id=run_id)
    finally:
        for name in ("scored_pairs", "model_levels", "fitted_models", "steward_weights"):
            con.unregister(name)
