"""Every candidate pair's comparison levels against ground truth: where the matcher loses its
recall, and how far a better scorer of the same comparisons could go (run by hand; prints).

    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py --febrl --generated 100000 --seed 4242 --out /tmp/acc
    PYTHONPATH=. .venv/bin/python benchmarks/pair_levels.py /tmp/acc/generated-100000-seed4242 [--out pairs.parquet]

The folder holds a generated data set with its unifica.toml and truth.csv (`unifica generate`,
or benchmarks/accuracy.py --out). Its accuracy.duckdb, which benchmarks/accuracy.py leaves,
is used when there; else the data is ingested into it first. A copy of that warehouse is
deduped afresh (a full run: the model fitted again, nothing merged) while every scored
candidate pair is watched: the level each field reached, the match probability, and whether
the two customers hold records of one entity (a customer holding records of several, an
identity-rule mistake, counts as the first of them; benchmarks/accuracy.py counts it under
each). Printed per customer type:

- the level-pattern ceiling: the pairs grouped by their pattern (one level per field) and
  taken truest first, as a scorer that ranks pairs by their pattern's share of true pairs
  would: the most true pairs so taken while the pairs taken stay at a pair precision of
  0.995, against the model's true pairs at auto-merge (its term frequencies can take it
  past this ceiling, and so could a scorer skipping a pattern to take a smaller one);
- calibration: probability bins against the share of true pairs in each;
- the patterns losing the most true pairs below auto-merge, with their share of true pairs.

``--out`` keeps every pair (levels as text, probability, truth) in a Parquet file for
further questions.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe import scoring  # noqa: E402
from merge.ingest import ingest_sources  # noqa: E402
from merge.warehouse import open_warehouse  # noqa: E402
from unifica.config import MatchingConfig, load_config  # noqa: E402

PRECISION = 0.995
BINS = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)

ENTITY_SQL = """
SELECT r.customer_id, min(t.entity_id) AS entity_id
FROM read_csv($truth, all_varchar = true) t
JOIN record_resolution r USING (source_system, source_record_id)
WHERE t.role <> 'bad'
GROUP BY r.customer_id
"""


@contextlib.contextmanager
def _watching_scored_pairs(seen: list[pd.DataFrame]) -> Iterator[None]:
    """Every frame of pairs that dedupe scores (``dedupe.scoring._scored_pairs``, called once
    per customer type and batch in this process) added to ``seen``: the customers, the
    customer type, the probability and each field's level label."""
    scored_pairs = scoring._scored_pairs

    def watch(pairs: pd.DataFrame, vectors: pd.DataFrame, model, matching: MatchingConfig) -> pd.DataFrame:
        out = scored_pairs(pairs, vectors, model, matching)
        frame = pd.DataFrame({"customer_id_l": out.customer_id_l.to_numpy(),
                              "customer_id_r": out.customer_id_r.to_numpy(),
                              "customer_type": getattr(model.customer_type, "value", model.customer_type),
                              "match_probability": out.match_probability.to_numpy()})
        for comparison in model.comparisons:
            labels = np.array(comparison.labels, dtype=object)
            frame[comparison.field] = labels[vectors[comparison.field].to_numpy()]
        seen.append(frame)
        return out

    scoring._scored_pairs = watch
    try:
        yield
    finally:
        scoring._scored_pairs = scored_pairs


def pair_levels(folder: Path, matching: MatchingConfig | None = None) -> pd.DataFrame:
    """Every candidate pair a fresh full dedupe of ``folder``'s data scores: customers,
    customer type, probability, one column of level labels per field (None where the field
    does not apply to the type) and ``truth`` (both customers hold records of one entity)."""
    config = load_config(folder / "unifica.toml")
    warehouse = folder / "accuracy.duckdb"
    if not warehouse.exists():
        with open_warehouse(warehouse) as con:
            ingest_sources(con, dataclasses.replace(config, warehouse=warehouse))
    seen: list[pd.DataFrame] = []
    with tempfile.TemporaryDirectory(prefix="unifica-pair-levels-") as scratch:
        copy = Path(scratch) / "pairs.duckdb"
        shutil.copy(warehouse, copy)
        with open_warehouse(copy) as con, _watching_scored_pairs(seen):
            scoring.score_candidates(con, matching or config.matching, refit=True)
            entity = con.execute(ENTITY_SQL, {"truth": str(folder / "truth.csv")}).df()
    pairs = pd.concat(seen, ignore_index=True)
    of = entity.set_index("customer_id").entity_id
    left, right = of.reindex(pairs.customer_id_l).to_numpy(), of.reindex(pairs.customer_id_r).to_numpy()
    pairs["truth"] = pd.notna(left) & (left == right)
    return pairs


def _fields(pairs: pd.DataFrame) -> list[str]:
    fixed = {"customer_id_l", "customer_id_r", "customer_type", "match_probability", "truth"}
    return [c for c in pairs.columns if c not in fixed and pairs[c].notna().any()]


def pattern_ceiling(pairs: pd.DataFrame, precision: float = PRECISION) -> int:
    """The most true pairs of ``pairs`` (one customer type) that taking whole level patterns,
    the truest first, reaches while the pairs taken stay at least ``precision`` true."""
    by = pairs.groupby(_fields(pairs), dropna=False).truth.agg(["sum", "size"])
    by = by.assign(share=by["sum"] / by["size"]).sort_values("share", ascending=False)
    true, taken = by["sum"].cumsum().to_numpy(), by["size"].cumsum().to_numpy()
    reached = true[true >= precision * taken]
    return int(reached.max()) if reached.size else 0


def calibration(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per probability bin: pairs, their mean probability and their share of true pairs
    (a probability of 1, evidence beyond what a float tells from 1, in the last bin)."""
    bins = pd.cut(pairs.match_probability.clip(upper=np.nextafter(1.0, 0.0)), BINS, right=False)
    table = pairs.groupby(bins, observed=True).agg(pairs=("truth", "size"), probability=("match_probability", "mean"),
                                                    true_share=("truth", "mean"))
    return table


def lost_patterns(pairs: pd.DataFrame, auto_merge: float, top: int = 15) -> pd.DataFrame:
    """The level patterns with the most true pairs under ``auto_merge``: those pairs, all
    pairs of the pattern, the pattern's share of true pairs and its probabilities' range."""
    fields = _fields(pairs)
    pattern = pairs[fields].fillna("-").astype(str).agg(" | ".join, axis=1)
    lost = pairs.truth & (pairs.match_probability < auto_merge)
    table = pd.DataFrame({"pattern": pattern, "lost": lost, "truth": pairs.truth, "p": pairs.match_probability})
    by = table.groupby("pattern").agg(lost=("lost", "sum"), pairs=("truth", "size"), true_share=("truth", "mean"),
                                      p_min=("p", "min"), p_max=("p", "max"))
    return by[by.lost > 0].sort_values("lost", ascending=False).head(top)


def report(pairs: pd.DataFrame, auto_merge: float) -> list[str]:
    """The printed report of ``pair_levels``' frame (see the module's docstring)."""
    lines = []
    for customer_type, of_type in pairs.groupby("customer_type"):
        true = int(of_type.truth.sum())
        model = int((of_type.truth & (of_type.match_probability >= auto_merge)).sum())
        ceiling = pattern_ceiling(of_type)
        lines.append(f"{customer_type}: {len(of_type):,} candidate pairs, {true:,} true; at a pair precision of "
                     f"{PRECISION}, level patterns reach at most {ceiling:,} ({ceiling / max(true, 1):.3f}), "
                     f"the model at auto-merge {model:,} ({model / max(true, 1):.3f})")
        lines.append("  calibration:\n" + calibration(of_type).to_string(float_format="%.4f"))
        lines.append(f"  patterns of {' | '.join(_fields(of_type))} losing the most true pairs:\n"
                     + lost_patterns(of_type, auto_merge).to_string(float_format="%.4f"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a generated data set's folder (unifica.toml, truth.csv)")
    parser.add_argument("--out", type=Path, default=None, help="keep every pair in this Parquet file")
    args = parser.parse_args()
    if not (args.folder / "truth.csv").exists():
        sys.exit(f"error: no truth.csv in {args.folder}: give a folder `unifica generate` wrote")
    matching = load_config(args.folder / "unifica.toml").matching
    pairs = pair_levels(args.folder, matching)
    with pd.option_context("display.width", 250, "display.max_colwidth", 200):
        print("\n".join(report(pairs, matching.auto_merge)))
    if args.out:
        pairs.to_parquet(args.out, index=False)
        print(f"{len(pairs):,} pairs -> {args.out}")


if __name__ == "__main__":
    main()
