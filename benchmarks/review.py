"""Wall time and peak memory of `unifica review export` and `unifica review apply` on about
10,000 review pairs (run by hand; prints figures).

    PYTHONPATH=. .venv/bin/python benchmarks/review.py                        # 200,000 generated records
    PYTHONPATH=. .venv/bin/python benchmarks/review.py --customers 100000 --keep

Why 200,000 records at the default thresholds rather than fewer records with a lower
[matching] review: generated data puts about one review pair per 20 records in the review
band (4,893 review pairs from 100,000 records, seed 99), so 200,000 records give about
10,000, the report a base of that size really produces. A lowered review threshold would
fill the report with pairs far from duplicates and exercise the same code on a warehouse
half the size, which flatters apply (its merges update whole tables).

generate, ingest and dedupe prepare the warehouse. Then the report is exported; a steward,
played by the ground truth (truth.csv), decides every row in this process with openpyxl
(merge when both customers hold records of one true entity, main as prefilled; otherwise
not_duplicate; timed apart, not part of the figures); the report is applied, then applied
again (every row already applied). Each `unifica` step is the real command in a child
process; peak memory is that process's own.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import HEADER, UNIFICA, run_steps  # noqa: E402

ENTITY_SQL = """
SELECT cs.customer_id, mode(t.entity_id) AS entity_id
FROM customer_sources cs
JOIN read_csv(?, all_varchar = true) t USING (source_system, source_record_id)
GROUP BY cs.customer_id
"""


def steward_decides(report: Path, warehouse: Path, truth: Path) -> tuple[int, int]:
    """Fill every row's decision from the ground truth; returns (merge, not_duplicate) rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        entity = dict(con.execute(ENTITY_SQL, [str(truth)]).fetchall())
    workbook = load_workbook(report)
    ws = workbook["Review"]
    header = [c.value for c in ws[1]]
    left, right, decision = header.index("customer_id_left"), header.index("customer_id_right"), \
        header.index("decision")
    counts = [0, 0]
    for row in ws.iter_rows(min_row=2):
        same = entity.get(row[left].value) is not None and entity.get(row[left].value) == entity.get(row[right].value)
        row[decision].value = "merge" if same else "not_duplicate"
        counts[0 if same else 1] += 1
    workbook.save(report)
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix=f"unifica-review-{args.customers}-"))
    config, report = str(folder / "unifica.toml"), folder / "review.xlsx"
    print(HEADER)
    run_steps(args.customers, [
        ("generate", [UNIFICA, "generate", "--customers", str(args.customers), "--seed", str(args.seed),
                      "--out", str(folder)]),
        ("ingest", [UNIFICA, "ingest", "--config", config]),
        ("dedupe", [UNIFICA, "dedupe", "--no-merge", "--config", config]),
        ("export", [UNIFICA, "review", "export", "--config", config, "--out", str(report)]),
    ])
    warehouse = folder / "unifica.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (pairs,) = con.execute("SELECT count(*) FROM candidate_pairs WHERE state = 'review'").fetchone()
    started = time.perf_counter()
    merge, not_duplicate = steward_decides(report, warehouse, folder / "truth.csv")
    print(f"  {pairs:,} review pairs; report {report.stat().st_size / 1e6:.1f} MB; steward (openpyxl, truth): "
          f"{merge:,} merge, {not_duplicate:,} not_duplicate in {time.perf_counter() - started:.1f} s", flush=True)
    run_steps(args.customers, [
        ("apply", [UNIFICA, "review", "apply", str(report), "--steward", "benchmark", "--config", config]),
        ("re-apply", [UNIFICA, "review", "apply", str(report), "--steward", "benchmark", "--config", config]),
    ])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        decided = dict(con.execute("SELECT decision, count(*) FROM review_decisions GROUP BY ALL").fetchall())
        (merges,) = con.execute("SELECT count(*) FROM merge_events WHERE actor = 'benchmark'").fetchone()
    print(f"  recorded: {decided.get('merge', 0):,} merge, {decided.get('not_duplicate', 0):,} not_duplicate "
          f"decisions; {merges:,} merges")
    if args.keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
