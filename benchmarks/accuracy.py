"""Accuracy of `unifica dedupe` against ground truth (run by hand; prints figures).

    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py                    # FEBRL1-4, generated 10k and 100k
    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py --febrl febrl3 --generated     # FEBRL3 only
    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py --febrl --generated 10000 --seed 5
    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py --febrl --generated 100000 --steward 50  # and the supervised model
    PYTHONPATH=. .venv/bin/python benchmarks/accuracy.py --febrl --generated 100000 --auto-merge 0.95 0.8 0.5 0.2

For each data set: write it (FEBRL through benchmarks/febrl.py, generated through
`unifica generate`), ingest it, dedupe it with the default [matching] thresholds, then
compare `record_resolution` with the truth file. Figures, over pairs of source records:

- cluster precision / recall / F1: record pairs put in one cluster (one customer by the
  identity rule, or one auto-merge cluster) that are one true entity, and the reverse;
- review recall: true record pairs in one cluster or joined by a pair at or above review;
- review band: pairs in state review, as a share of the records;
- matcher-only precision / recall: the same over the pairs of customers the identity rule
  left apart (what the matcher had to find), so the easy part does not flatter the score;
- for generated data, that recall split by what the two customers share: a phone, an e-mail
  or a document; only a date of birth; nothing but a name (for persons, apart: one of the two
  names a single word, which no matcher can tell from any other customer of that name).

With ``--steward PERCENT``, each generated data set is then decided as a steward would with
the truth at hand (that share of the review report's pairs, picked by pair id) and deduped
again with ``[matching] model = "supervised"``: the same figures, after one review round.
The accepted pairs are not merged here, as `unifica review apply` would merge them: the model
learns from every decision, and the rejected pairs are not proposed again.

With ``--auto-merge T [T ...]``, each generated data set is also deduped afresh at each of
those auto-merge thresholds (the review threshold at most T): how much recall a lower
threshold buys and what it costs in precision, the trade-off between the two figures the bar
asks for at once, and what to compare with a linker measured at another precision.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe.scoring import score_candidates  # noqa: E402
from merge.ingest import ingest_sources  # noqa: E402
from merge.warehouse import open_warehouse  # noqa: E402
from unifica.config import MatchingConfig, load_config  # noqa: E402
from unifica.errors import UnificaError  # noqa: E402

# Record pairs counted by group sizes (never enumerated): within an entity, a cluster, a
# customer, or across two customers of one entity.
ACCURACY_SQL = """
CREATE OR REPLACE TEMP TABLE resolved AS
SELECT t.entity_id, r.customer_id, r.cluster_id
FROM (SELECT * FROM read_csv($truth, all_varchar = true) WHERE role <> 'bad') t
JOIN record_resolution r USING (source_system, source_record_id);

CREATE OR REPLACE TEMP TABLE entity_customers AS
SELECT entity_id, customer_id, any_value(cluster_id) AS cluster_id, count(*) AS records
FROM resolved GROUP BY ALL;
"""
COUNTS_SQL = """
WITH
true_pairs AS (SELECT sum(n * (n - 1) / 2) AS n FROM (SELECT count(*) AS n FROM resolved GROUP BY entity_id)),
predicted AS (SELECT sum(n * (n - 1) / 2) AS n FROM (SELECT count(*) AS n FROM resolved GROUP BY cluster_id)),
correct AS (SELECT sum(n * (n - 1) / 2) AS n FROM (SELECT count(*) AS n FROM resolved GROUP BY entity_id, cluster_id)),
customer_pairs AS (   -- two customers holding records of one entity, with what joined them
    SELECT a.records * b.records AS record_pairs,
           a.cluster_id = b.cluster_id AS same_cluster,
           p.state IS NOT NULL AS proposed
    FROM entity_customers a
    JOIN entity_customers b ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id
    LEFT JOIN candidate_pairs p ON p.customer_id_l = a.customer_id AND p.customer_id_r = b.customer_id
                               AND p.state IN ('auto_merge', 'review', 'accepted', 'auto_merged')
),
cluster_customer_pairs AS (   -- two customers put in one cluster
    SELECT sum(n * (n - 1) / 2) AS n FROM (SELECT count(*) AS n FROM (SELECT DISTINCT customer_id, cluster_id FROM resolved) GROUP BY cluster_id)
),
correct_customer_pairs AS (
    SELECT count(*) AS n FROM entity_customers a
    JOIN entity_customers b ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id AND a.cluster_id = b.cluster_id
)
SELECT (SELECT count(*) FROM resolved) AS records,
       (SELECT n FROM true_pairs) AS true_pairs,
       (SELECT n FROM predicted) AS predicted_pairs,
       (SELECT n FROM correct) AS correct_pairs,
       (SELECT coalesce(sum(record_pairs), 0) FROM customer_pairs WHERE same_cluster OR proposed) AS across_found_at_review,
       (SELECT coalesce(sum(record_pairs), 0) FROM customer_pairs) AS across_true,
       (SELECT count(*) FROM customer_pairs) AS true_customer_pairs,
       (SELECT count(*) FROM customer_pairs WHERE same_cluster) AS found_customer_pairs,
       (SELECT n FROM cluster_customer_pairs) AS predicted_customer_pairs,
       (SELECT n FROM correct_customer_pairs) AS correct_customer_pairs,
       (SELECT count(*) FROM candidate_pairs WHERE state = 'review') AS review_pairs
"""

# True pairs of customers (of one entity, in two customers) by what they share, with the share
# found (in one cluster) and found at review (or joined by a pair at or above review).
SHARED_SQL = """
WITH pairs AS (
    SELECT a.customer_id AS l, b.customer_id AS r, a.cluster_id = b.cluster_id AS found
    FROM entity_customers a
    JOIN entity_customers b ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id
),
shared AS (
    SELECT p.*, c.customer_type,
           EXISTS (SELECT 1 FROM contact_details x JOIN contact_details y USING (kind, value_norm)
                   WHERE x.customer_id = p.l AND y.customer_id = p.r AND x.kind IN ('phone', 'email'))
           OR coalesce(c.document_number = d.document_number, false) AS identifier,
           coalesce(c.date_of_birth = d.date_of_birth, false) AS birth_date,
           -- one side's whole name a single word (a WhatsApp profile's "Isabel"): with nothing
           -- else in common, it is as much any other Isabel's
           least(len(string_split(trim(concat_ws(' ', c.first_name, c.middle_name, c.last_name, c.second_last_name)), ' ')),
                 len(string_split(trim(concat_ws(' ', d.first_name, d.middle_name, d.last_name, d.second_last_name)), ' ')))
               = 1 AS lone_name,
           EXISTS (SELECT 1 FROM candidate_pairs q WHERE q.customer_id_l = p.l AND q.customer_id_r = p.r
                   AND q.state IN ('auto_merge', 'review', 'accepted', 'auto_merged')) AS proposed
    FROM pairs p JOIN customers c ON c.customer_id = p.l JOIN customers d ON d.customer_id = p.r
)
SELECT customer_type,
       CASE WHEN identifier THEN 'a phone, an e-mail or a document' WHEN birth_date THEN 'only a date of birth'
            WHEN customer_type = 'person' AND lone_name THEN 'nothing but a name, one of them a single word'
            ELSE 'nothing but a name' END AS sharing,
       count(*) AS pairs, avg(found::INT) AS recall, avg((found OR proposed)::INT) AS review_recall
FROM shared GROUP BY ALL ORDER BY customer_type DESC, pairs DESC
"""

# True pairs of persons missed even at review (neither in one cluster nor joined by a pair at
# or above review) whose one side's name is a single word (a WhatsApp profile's "Isabel") and
# that share no phone, e-mail, document or date of birth, each with its record pairs and how
# many other persons' names hold that word (in that city when the two share one): the pairs a
# scorer would have to propose along with the true one, as what the two records share says no
# more of it than of them. One lone record may miss several customers of its entity:
# ``lone_name_bound`` counts its alike pairs once.
LONE_NAME_SQL = """
WITH missed AS (
    SELECT a.customer_id AS l, b.customer_id AS r, a.records * b.records AS record_pairs
    FROM entity_customers a
    JOIN entity_customers b ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id
    WHERE a.cluster_id IS DISTINCT FROM b.cluster_id
      AND NOT EXISTS (SELECT 1 FROM candidate_pairs p
                      WHERE p.customer_id_l = a.customer_id AND p.customer_id_r = b.customer_id
                        AND p.state IN ('auto_merge', 'review', 'accepted', 'auto_merged'))
),
lone AS (
    SELECT m.l, m.r, m.record_pairs,
           CASE WHEN len(x.name_tokens) = 1 THEN m.l ELSE m.r END AS lone_customer,
           CASE WHEN len(x.name_tokens) = 1 THEN x.name_tokens[1] ELSE y.name_tokens[1] END AS word,
           CASE WHEN x.city = y.city THEN x.city END AS city
    FROM missed m
    JOIN match_features x ON x.customer_id = m.l
    JOIN match_features y ON y.customer_id = m.r
    JOIN customers c ON c.customer_id = m.l
    JOIN customers d ON d.customer_id = m.r
    WHERE x.customer_type = 'person' AND least(len(x.name_tokens), len(y.name_tokens)) = 1
      AND NOT coalesce(c.date_of_birth = d.date_of_birth, false)
      AND NOT coalesce(c.document_number = d.document_number, false)
      AND NOT EXISTS (SELECT 1 FROM contact_details u JOIN contact_details v USING (kind, value_norm)
                      WHERE u.customer_id = m.l AND v.customer_id = m.r AND u.kind IN ('phone', 'email'))
),
words AS (
    SELECT word, city, count(*) AS customers
    FROM (SELECT unnest(name_tokens) AS word, city FROM match_features WHERE customer_type = 'person')
    GROUP BY ALL
)
SELECT l.l AS customer_id_l, l.r AS customer_id_r, l.lone_customer, l.word, l.city, l.record_pairs,
       (SELECT sum(w.customers) FROM words w WHERE w.word = l.word AND (l.city IS NULL OR w.city = l.city)) - 1 AS alike
FROM lone l
ORDER BY customer_id_l, customer_id_r
"""

# the recall at review the bar asks for (issue 3)
REVIEW_RECALL_BAR = 0.995


@dataclass
class Accuracy:
    """The figures of one data set (see the module's docstring)."""

    name: str
    records: int
    precision: float
    recall: float
    f1: float
    review_recall: float
    review_band: float
    matcher_precision: float
    matcher_recall: float
    seconds: float

    def row(self) -> str:
        return (f"{self.name:<22} {self.records:>9,} {self.precision:>9.4f} {self.recall:>7.4f} {self.f1:>7.4f} "
                f"{self.review_recall:>9.4f} {self.review_band:>8.2%} {self.matcher_precision:>9.4f} "
                f"{self.matcher_recall:>9.4f} {self.seconds:>8.1f}")

    HEADER = (f"{'data set':<22} {'records':>9} {'precision':>9} {'recall':>7} {'F1':>7} {'rev.recall':>9} "
              f"{'rev.band':>8} {'m.precis.':>9} {'m.recall':>9} {'dedupe s':>8}")


def _ratio(a: float, b: float) -> float:
    return a / b if b else 1.0


def measure(con: duckdb.DuckDBPyConnection, truth: Path, name: str, seconds: float = 0.0) -> Accuracy:
    """The figures of a warehouse that has been deduped, against ``truth`` (truth.csv)."""
    for statement in ACCURACY_SQL.strip().split(";\n\n"):
        con.execute(statement, {"truth": str(truth)} if "$truth" in statement else None)
    row = con.execute(COUNTS_SQL).fetchall()[0]
    (records, true_pairs, predicted, correct, across_found, across_true, true_customer_pairs,
     found_customer_pairs, predicted_customer_pairs, correct_customer_pairs, review_pairs) = [x or 0 for x in row]
    precision, recall = _ratio(correct, predicted), _ratio(correct, true_pairs)
    within = true_pairs - across_true  # record pairs one customer holds: always found
    return Accuracy(
        name=name, records=records, precision=precision, recall=recall,
        f1=_ratio(2 * precision * recall, precision + recall),
        review_recall=_ratio(within + across_found, true_pairs),
        review_band=_ratio(review_pairs, records),
        matcher_precision=_ratio(correct_customer_pairs, predicted_customer_pairs),
        matcher_recall=_ratio(found_customer_pairs, true_customer_pairs),
        seconds=seconds)


def recall_by_shared(con: duckdb.DuckDBPyConnection, truth: Path) -> list[str]:
    """The recall of true pairs of customers by what the two share (lines to print): the
    pairs sharing nothing but a name are the ones a namesake looks like."""
    for statement in ACCURACY_SQL.strip().split(";\n\n"):
        con.execute(statement, {"truth": str(truth)} if "$truth" in statement else None)
    plural = {"person": "persons", "company": "companies"}
    return [f"    {plural[kind]} sharing {sharing}: {pairs:,} pairs of customers, recall {recall:.4f}, "
            f"at review {review:.4f}" for kind, sharing, pairs, recall, review in con.execute(SHARED_SQL).fetchall()]


def lone_name_bound(con: duckdb.DuckDBPyConnection, truth: Path, figures: Accuracy,
                    bar: float = REVIEW_RECALL_BAR) -> list[str]:
    """What reaching ``bar`` recall at review would take in review pairs through the true
    pairs missed at review whose one name is a single word (lines to print; ``figures`` are
    ``measure``'s of ``con``): each lone record proposed along with the other persons of that
    name, whom nothing in the two records tells from its true partners.

    A lower bound: every other missed pair is taken as found for free, a lone record's alike
    pairs are those of its partner sharing the most (counted once however many partners it
    has), and the records are taken cheapest per record pair first, the last one in part."""
    for statement in ACCURACY_SQL.strip().split(";\n\n"):
        con.execute(statement, {"truth": str(truth)} if "$truth" in statement else None)
    lone = con.execute(LONE_NAME_SQL).df()
    true_pairs = con.execute("SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM resolved GROUP BY entity_id)"
                             ).fetchall()[0][0] or 0
    missed = round(true_pairs * (1 - figures.review_recall))
    allowed = int(true_pairs * (1 - bar))
    lone_pairs = int(lone.record_pairs.sum())
    lines = [f"    missed at review: {missed:,} of {true_pairs:,.0f} true record pairs ({bar} recall at review "
             f"allows {allowed:,}); {lone_pairs:,} of them in {len(lone):,} pairs of persons whose one name is "
             f"a single word, sharing no phone, e-mail, document or date of birth"]
    if missed <= allowed or lone.empty:
        return lines
    still = lone_pairs - allowed   # to come from the lone pairs, with every other missed pair found
    if still <= 0:
        return lines + ["    the other missed pairs alone would reach it"]
    records = lone.groupby("lone_customer").agg(record_pairs=("record_pairs", "sum"), alike=("alike", "max"))
    records = records.assign(cost=records.alike / records.record_pairs).sort_values(["cost", "record_pairs"])
    before = records.record_pairs.cumsum() - records.record_pairs   # record pairs of the cheaper ones
    full = records[before + records.record_pairs <= still]
    rest = still - int(full.record_pairs.sum())
    alike = float(full.alike.sum())
    if rest > 0:
        alike += rest * float(records.cost.iloc[len(full)])
    return lines + [f"    even with every other missed pair found, {still:,} record pairs would have to come from "
                    f"them: proposing their {len(records):,} lone records with the other persons of that name (in "
                    f"that city when the two share one), cheapest first, brings at least {int(alike):,} such pairs "
                    f"along, a review band of at least {alike / figures.records:.1%} of the records"]


# A steward deciding pairs of the review report as the truth says (run after ``measure``,
# whose entity_customers it reads): the pairs in review whose id hashes into the $percent
# decided, merge when the two customers hold records of one entity, else not_duplicate.
STEWARD_SQL = """
INSERT INTO review_decisions (decision_id, pair_id, customer_id_l, customer_id_r, decision, steward, decided_at)
SELECT (SELECT coalesce(max(decision_id), 0) FROM review_decisions) + row_number() OVER (ORDER BY p.pair_id),
       p.pair_id, p.customer_id_l, p.customer_id_r,
       CASE WHEN EXISTS (SELECT 1 FROM entity_customers a JOIN entity_customers b USING (entity_id)
                         WHERE a.customer_id = p.customer_id_l AND b.customer_id = p.customer_id_r)
            THEN 'merge' ELSE 'not_duplicate' END,
       'truth', $decided_at
FROM candidate_pairs p
WHERE p.state = 'review' AND hash(p.pair_id) % 100 < $percent
"""


def decide_from_truth(con: duckdb.DuckDBPyConnection, percent: int) -> dict[str, int]:
    """A steward's decisions on ``percent`` % of the review report's pairs, from the truth
    (``measure`` must have run on ``con``); returns how many pairs got each decision."""
    before = dict(con.execute("SELECT decision, count(*) FROM review_decisions GROUP BY ALL").fetchall())
    con.execute(STEWARD_SQL, {"percent": percent, "decided_at": datetime.now()})
    after = dict(con.execute("SELECT decision, count(*) FROM review_decisions GROUP BY ALL").fetchall())
    return {decision: n - before.get(decision, 0) for decision, n in after.items()}


def steward_round(warehouse: Path, truth: Path, percent: int, name: str) -> tuple[Accuracy, dict[str, int]]:
    """A deduped warehouse after a steward decided ``percent`` % of its review pairs from the
    truth and dedupe ran again with the supervised model: its figures and the decisions."""
    with open_warehouse(warehouse) as con:
        measure(con, truth, name)
        decided = decide_from_truth(con, percent)
        started = time.perf_counter()
        score_candidates(con, MatchingConfig(model="supervised"))
        return measure(con, truth, name, time.perf_counter() - started), decided


def dedupe_folder(config_path: Path, name: str, matching: MatchingConfig | None = None) -> Accuracy:
    """Ingest the data set of ``config_path`` into a fresh warehouse beside it, dedupe it and
    measure it against the truth.csv beside it."""
    config = load_config(config_path)
    warehouse = config_path.parent / "accuracy.duckdb"
    warehouse.unlink(missing_ok=True)
    config = dataclasses.replace(config, warehouse=warehouse)
    with open_warehouse(warehouse) as con:
        ingest_sources(con, config)
        started = time.perf_counter()
        score_candidates(con, matching or config.matching)
        seconds = time.perf_counter() - started
        return measure(con, config_path.parent / "truth.csv", name, seconds)


def at_thresholds(config_path: Path, thresholds: list[float]) -> list[Accuracy]:
    """The data set of ``config_path``, ingested once, deduped afresh at each auto-merge
    threshold of ``thresholds`` (review at most that threshold), and measured each time."""
    if not thresholds:
        return []
    config = load_config(config_path)
    folder = config_path.parent
    ingested, warehouse = folder / "thresholds-ingested.duckdb", folder / "thresholds.duckdb"
    scratch = [ingested, warehouse, *(path.with_name(path.name + ".wal") for path in (ingested, warehouse))]
    figures = []
    try:
        for path in scratch:
            path.unlink(missing_ok=True)
        with open_warehouse(ingested) as con:
            ingest_sources(con, dataclasses.replace(config, warehouse=ingested))
        for threshold in thresholds:
            scratch[3].unlink(missing_ok=True)   # the last threshold's WAL
            shutil.copyfile(ingested, warehouse)
            matching = dataclasses.replace(config.matching, auto_merge=threshold,
                                           review=min(config.matching.review, threshold))
            with open_warehouse(warehouse) as con:
                started = time.perf_counter()
                score_candidates(con, matching)
                figures.append(measure(con, folder / "truth.csv", f"  auto-merge {threshold:g}",
                                       time.perf_counter() - started))
    finally:
        for path in scratch:
            path.unlink(missing_ok=True)
    return figures


def main() -> None:
    from benchmarks.febrl import DATASETS, write_febrl
    from unifica.synth import generate

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--febrl", nargs="*", default=list(DATASETS), choices=DATASETS,
                        help="FEBRL data sets (default: all four; the option alone: none)")
    parser.add_argument("--generated", nargs="*", type=int, default=[10_000, 100_000],
                        help="generated data set sizes (default: 10000 100000; the option alone: none)")
    parser.add_argument("--seed", type=int, default=99,
                        help="generator seed (default 99, the million-record row's; the README says which "
                             "seeds tuning used)")
    parser.add_argument("--out", type=Path, default=None, help="keep the data here (default: a temp folder)")
    parser.add_argument("--steward", type=int, default=0, metavar="PERCENT",
                        help="for generated data, then decide PERCENT %% of the review pairs as the truth "
                             "says, dedupe again with the supervised model and measure again (default: 0, not)")
    parser.add_argument("--auto-merge", nargs="+", type=float, default=[], metavar="T", dest="thresholds",
                        help="for generated data, also dedupe afresh at each of these auto-merge thresholds "
                             "(review at most T) and measure each (default: none)")
    args = parser.parse_args()
    febrl, sizes = args.febrl, args.generated
    out = args.out or Path(tempfile.mkdtemp(prefix="unifica-accuracy-"))
    print(Accuracy.HEADER)
    for name in febrl:
        config = write_febrl(name, out / name)
        print(dedupe_folder(config, name).row(), flush=True)
    for size in sizes:
        folder = out / f"generated-{size}-seed{args.seed}"
        if not (folder / "unifica.toml").exists():  # kept from an earlier run with --out
            generate(folder, customers=size, seed=args.seed)
        figures = dedupe_folder(folder / "unifica.toml", f"generated {size:,}")
        print(figures.row(), flush=True)
        with open_warehouse(folder / "accuracy.duckdb", read_only=True) as con:
            print("\n".join(recall_by_shared(con, folder / "truth.csv")), flush=True)
            print("\n".join(lone_name_bound(con, folder / "truth.csv", figures)), flush=True)
        for figures in at_thresholds(folder / "unifica.toml", args.thresholds):
            print(figures.row(), flush=True)
        if args.steward:
            try:
                after, decided = steward_round(folder / "accuracy.duckdb", folder / "truth.csv", args.steward,
                                               "  then supervised")
            except UnificaError as exc:  # too small a report: no decisions of one kind
                print(f"  then supervised: {exc}", flush=True)
                continue
            print(after.row(), flush=True)
            print(f"    the steward decided {args.steward} % of the review pairs: "
                  f"{decided.get('merge', 0):,} merge, {decided.get('not_duplicate', 0):,} not_duplicate", flush=True)
    print(f"data in {out}")


if __name__ == "__main__":
    main()
