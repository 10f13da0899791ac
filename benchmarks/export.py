"""Time of the Excel export of a warehouse (run by hand; prints figures).

    PYTHONPATH=. .venv/bin/python benchmarks/export.py WAREHOUSE            # median of 3
    PYTHONPATH=. .venv/bin/python benchmarks/export.py WAREHOUSE --runs 5 --compare-xml

Runs `export_customers` (what `unifica export customers` and the nightly run write) on a
read-only warehouse, each run in a child process, and prints the median wall time and rows per
second. With --compare-xml it also runs with openpyxl's pure-Python XML writer
(OPENPYXL_LXML=False), which is what openpyxl falls back to when lxml is not installed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_RUN = """
import sys, time, duckdb
from pathlib import Path
from openpyxl.xml import LXML
from merge.exports import export_customers
con = duckdb.connect(sys.argv[1], read_only=True)
started = time.perf_counter()
summary = export_customers(con, Path(sys.argv[2]))
print(time.perf_counter() - started, sum(summary.rows.values()), LXML)
"""


def one_run(warehouse: Path, lxml: bool) -> tuple[float, int, bool]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENPYXL_LXML": "True" if lxml else "False"}
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", ONE_RUN, str(warehouse), str(Path(folder) / "export.xlsx")],
                             env=env, capture_output=True, text=True, check=True).stdout.splitlines()[-1].split()
    return float(out[0]), int(out[1]), out[2] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-xml", action="store_true", help="also time openpyxl's pure-Python XML writer")
    args = parser.parse_args()
    print(f"{'XML writer':<12} {'rows':>9} {'median s':>9} {'rows/s':>8}  runs")
    for lxml in (True, False) if args.compare_xml else (True,):
        runs = [one_run(args.warehouse, lxml) for _ in range(args.runs)]
        median = statistics.median(seconds for seconds, _, _ in runs)
        rows, used = runs[0][1], runs[0][2]
        writer = "lxml" if used else "pure Python"
        print(f"{writer:<12} {rows:>9,} {median:>9.1f} {rows / median:>8,.0f}  "
              f"{', '.join(f'{s:.1f}' for s, _, _ in runs)}", flush=True)


if __name__ == "__main__":
    main()
