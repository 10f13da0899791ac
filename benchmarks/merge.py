"""How long merges and unmerges take (run by hand; prints figures).

    .venv/bin/python benchmarks/merge.py                          # 100,000 generated records
    .venv/bin/python benchmarks/merge.py --records 10000 --keep
    .venv/bin/python benchmarks/merge.py --reuse /tmp/unifica-merge-100000-xxxx   # a kept folder

Generates and ingests the records, scores them without merging (`dedupe --no-merge`), then
on copies of that warehouse measures:
- `unifica merge MAIN A B C D` and `unifica unmerge MERGE_ID` for clusters of 5 customers,
  as commands (including the interpreter's start-up) and as the plain functions;
- the auto-merge step over every cluster the dedupe found, and undoing all its merges.
Each command runs in a child process; peak memory is that process's own.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _measure import HEADER, UNIFICA, measure, run_steps  # noqa: E402

REPEATS = 7
AUTO_MERGE = """
import sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from merge.merging import auto_merge
from merge.warehouse import open_warehouse
with open_warehouse(Path({path!r})) as con:
    started = time.perf_counter()
    summary = auto_merge(con)
    print(summary.line(), f"in {{time.perf_counter() - started:.2f}} s")
"""


def groups_of_five(path: Path, count: int) -> list[list[int]]:
    """``count`` groups of 5 active persons sharing a surname (disjoint), with contact details."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("""
            SELECT list(customer_id ORDER BY customer_id)[1:5] FROM customers
            WHERE status = 'active' AND customer_type = 'person' AND last_name_folded IS NOT NULL
            GROUP BY last_name_folded HAVING count(*) >= 5 ORDER BY last_name_folded LIMIT ?""", [count]).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--reuse", type=Path, help="a folder kept by an earlier run (--keep)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    print(HEADER)
    if args.reuse:
        folder = args.reuse
    else:
        folder = Path(tempfile.mkdtemp(prefix=f"unifica-merge-{args.records}-"))
        config = str(folder / "unifica.toml")
        run_steps(args.records, [
            ("generate", [UNIFICA, "generate", "--customers", str(args.records), "--seed", str(args.seed),
                          "--out", str(folder)]),
            ("ingest", [UNIFICA, "ingest", "--config", config]),
            ("dedupe", [UNIFICA, "dedupe", "--no-merge", "--config", config]),
        ])
        shutil.copy(folder / "unifica.duckdb", folder / "scored.duckdb")
    config = folder / "unifica.toml"
    work = folder / "unifica.duckdb"

    # Clusters of 5 through the command line: merge, then unmerge, REPEATS times.
    shutil.copy(folder / "scored.duckdb", work)
    groups = groups_of_five(work, REPEATS)
    merge_runs, unmerge_runs = [], []
    for merge_id, group in enumerate(groups, 1):
        merged = measure([UNIFICA, "merge", *map(str, group), "--as", "bench", "--config", str(config)])
        undone = measure([UNIFICA, "unmerge", str(merge_id), "--as", "bench", "--config", str(config)])
        assert merged.exit_code == 0 and undone.exit_code == 0, (merged, undone)
        merge_runs.append(merged)
        unmerge_runs.append(undone)
    for step, runs in (("merge", merge_runs), ("unmerge", unmerge_runs)):
        print(f"{args.records:>10,} {step:<9} {statistics.median(r.seconds for r in runs):>8.2f} "
              f"{max(r.peak_mb for r in runs):>9.0f}  unifica {step} (cluster of 5, median of {len(runs)} commands)")

    # The same as plain functions (no interpreter start-up): the merge's own cost.
    from merge.merging import merge_customers, unmerge
    from merge.warehouse import open_warehouse

    timings: dict[str, list[float]] = {"merge": [], "unmerge": []}
    with open_warehouse(work) as con:
        for group in groups:
            started = time.perf_counter()
            result = merge_customers(con, group[0], group[1:], actor="bench")
            timings["merge"].append(time.perf_counter() - started)
            started = time.perf_counter()
            unmerge(con, result.merge_id, actor="bench")
            timings["unmerge"].append(time.perf_counter() - started)
    for step, seconds in timings.items():
        print(f"{args.records:>10,} {step:<9} {statistics.median(seconds):>8.3f} {'':>9}  "
              f"{step} function (cluster of 5, median of {len(seconds)})")

    # Every cluster at once: the auto-merge step of the nightly run.
    shutil.copy(folder / "scored.duckdb", work)
    script = AUTO_MERGE.format(repo=str(Path(__file__).resolve().parents[1]), path=str(work))
    result = measure([sys.executable, "-c", script])
    print(f"{args.records:>10,} {'auto-merge':<9} {result.seconds:>8.1f} {result.peak_mb:>9.0f}  "
          f"auto_merge() over every auto-merge cluster (child process)")
    if args.keep or args.reuse:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
