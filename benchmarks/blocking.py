"""Blocking recall, candidate pairs, time and peak memory (run by hand; prints figures).

Generates data with ground truth, ingests it, then blocks it (dedupe.blocking.candidate_pairs)
in a child process, so that the peak memory printed is the blocking step's own.

    PYTHONPATH=. .venv/bin/python benchmarks/blocking.py                       # 10,000 and 100,000 records
    PYTHONPATH=. .venv/bin/python benchmarks/blocking.py --sizes 1000000
    PYTHONPATH=. .venv/bin/python benchmarks/blocking.py --sizes 10000 --show-missed 20

True pairs: two customers holding records of one truth entity (truth.csv joined through
customer_sources; planted bad rows left out). Blocking recall: the share of true pairs that
are candidate pairs, per rule and for the union.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dedupe.blocking import BLOCKING_RULES, candidate_pairs
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from unifica.config import load_config
from unifica.synth import generate

TRUE_PAIRS = """
CREATE OR REPLACE TEMP TABLE true_pairs AS
WITH truth AS (
    SELECT * FROM read_csv($truth, all_varchar = true) WHERE role <> 'bad'
),
entity_customers AS (
    SELECT DISTINCT t.entity_id, cs.customer_id
    FROM truth t JOIN customer_sources cs USING (source_system, source_record_id)
)
SELECT a.entity_id, a.customer_id AS customer_id_l, b.customer_id AS customer_id_r
FROM entity_customers a JOIN entity_customers b
  ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id
"""

MISSED = """
SELECT t.entity_id, l.customer_type,
       [l.document_number, r.document_number] AS documents,
       [concat_ws(' / ', array_to_string(l.given_names, ' '), array_to_string(l.surnames, ' ')),
        concat_ws(' / ', array_to_string(r.given_names, ' '), array_to_string(r.surnames, ' '))] AS names,
       [array_to_string(l.business_tokens, ' '), array_to_string(r.business_tokens, ' ')] AS companies,
       [l.birth_date, r.birth_date] AS born, [l.phones, r.phones] AS phones, [l.emails, r.emails] AS emails
FROM true_pairs t
ANTI JOIN blocking_candidates c USING (customer_id_l, customer_id_r)
JOIN blocking_customers l ON l.customer_id = t.customer_id_l
JOIN blocking_customers r ON r.customer_id = t.customer_id_r
ORDER BY hash(t.entity_id) LIMIT $n
"""


def prepare(size: int, seed: int, folder: Path) -> dict:
    """Generate `size` records into folder and ingest them into folder/unifica.duckdb."""
    started = time.perf_counter()
    summary = generate(folder, customers=size, seed=seed)
    generated = time.perf_counter()
    config = dataclasses.replace(load_config(folder / "unifica.toml"), warehouse=folder / "unifica.duckdb")
    with open_warehouse(config.warehouse) as con:
        ingest_sources(con, config)
    return {"records": summary.records, "generate_s": generated - started,
            "ingest_s": time.perf_counter() - generated}


def block(folder: Path, show_missed: int) -> dict:
    """Block folder's warehouse and measure it against truth.csv (runs in the child process)."""
    con = duckdb.connect(str(folder / "unifica.duckdb"))
    result = candidate_pairs(con)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    con.execute(TRUE_PAIRS, {"truth": str(folder / "truth.csv")})
    true_pairs = con.execute("SELECT count(*) FROM true_pairs").fetchall()[0][0]
    recall = dict(con.execute("""
        SELECT rule, count(*) FROM (
            SELECT unnest(c.blocking_rules) AS rule
            FROM true_pairs t JOIN blocking_candidates c USING (customer_id_l, customer_id_r))
        GROUP BY rule""").fetchall())
    found = con.execute("SELECT count(*) FROM true_pairs SEMI JOIN blocking_candidates "
                        "USING (customer_id_l, customer_id_r)").fetchall()[0][0]
    only = dict(con.execute("""
        SELECT c.blocking_rules[1], count(*) FROM true_pairs t
        JOIN blocking_candidates c USING (customer_id_l, customer_id_r)
        WHERE len(c.blocking_rules) = 1 GROUP BY 1""").fetchall())
    missed = con.execute(MISSED, {"n": show_missed}).fetchall() if show_missed else []
    return {
        "customers": result.customers, "true_pairs": true_pairs, "pairs": result.pairs,
        "pairs_per_rule": result.pairs_per_rule, "oversized_keys": result.oversized_keys,
        "largest_skipped": result.largest_skipped, "seconds": result.seconds,
        "seconds_per_step": result.seconds_per_step, "peak_mb": peak_mb,
        "true_found_per_rule": {r.name: recall.get(r.name, 0) for r in BLOCKING_RULES},
        "true_found_only_by": {r.name: only.get(r.name, 0) for r in BLOCKING_RULES},
        "true_found": found, "missed": [list(map(str, row)) for row in missed],
    }


def report(size: int, prepared: dict, m: dict) -> None:
    records, true_pairs = prepared["records"], max(m["true_pairs"], 1)
    print(f"\n== {records:,} records: {m['customers']:,} active customers after ingest "
          f"(generate {prepared['generate_s']:.1f} s, ingest {prepared['ingest_s']:.1f} s)")
    print(f"true duplicate customer pairs {m['true_pairs']:,}; candidate pairs {m['pairs']:,} "
          f"= {m['pairs'] / records:.2f} per record; union blocking recall {m['true_found'] / true_pairs:.4f} "
          f"({m['true_pairs'] - m['true_found']:,} true pairs missed)")
    steps = ", ".join(f"{k} {v:.1f}" for k, v in m["seconds_per_step"].items())
    print(f"blocking wall {m['seconds']:.1f} s ({steps}); peak memory of the blocking process {m['peak_mb']:,.0f} MB")
    print(f"{'rule':<26} {'pairs':>11} {'recall':>7} {'only it':>8} {'skipped keys':>13}  largest skipped")
    for name, pairs in m["pairs_per_rule"].items():
        largest = ", ".join(f"{k!r} x{n:,}" for k, n in m["largest_skipped"][name])
        print(f"{name:<26} {pairs:>11,} {m['true_found_per_rule'][name] / true_pairs:>7.4f} "
              f"{m['true_found_only_by'][name]:>8,} {m['oversized_keys'][name]:>13,}  {largest}")
    for row in m["missed"]:
        print("  missed:", " | ".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--folder", type=Path, help="reuse (or fill) this folder for a single size")
    parser.add_argument("--show-missed", type=int, default=0, metavar="N", help="print N missed true pairs")
    parser.add_argument("--block-only", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.block_only:
        print(json.dumps(block(args.block_only, args.show_missed)))
        return
    for size in args.sizes:
        folder = args.folder or Path(tempfile.mkdtemp(prefix=f"unifica-blocking-{size}-"))
        if (folder / "unifica.duckdb").exists():
            prepared = {"records": sum(1 for _ in (folder / "truth.csv").open()) - 1, "generate_s": 0.0, "ingest_s": 0.0}
        else:
            prepared = prepare(size, args.seed, folder)
        child = subprocess.run([sys.executable, __file__, "--block-only", str(folder),
                                "--show-missed", str(args.show_missed)], capture_output=True, text=True)
        if child.returncode:
            sys.exit(child.stderr)
        report(size, prepared, json.loads(child.stdout))
        if not (args.keep or args.folder):
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
