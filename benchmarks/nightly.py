"""The nightly consolidation, end to end (run by hand; prints figures).

    .venv/bin/python benchmarks/nightly.py                       # 100,000 generated records
    .venv/bin/python benchmarks/nightly.py --records 1000000 --keep

Generates the records and holds the last 1 % of them back (the newest web-form rows, in a file
of their own), then measures three `unifica run`s, each the real command in a child process:
1. the first consolidation of the 99 %;
2. the same files again (nothing new: the run notices and skips its steps);
3. with the held-back 1 % added (new records: the run ingests them and consolidates again).
For each run: wall time and peak memory of the process, and the seconds of each step from
`runs.summary` (ingest, dedupe steps, auto-merge, review report, export).
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import UNIFICA, measure  # noqa: E402


def hold_back(folder: Path, rows: int) -> Path:
    """Move the last ``rows`` rows of the newest web-form file into late/web_form_late.csv;
    returns that file (it joins the source's glob when moved into the folder)."""
    newest = sorted(folder.glob("web_form_*.csv"))[-1]
    with newest.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    rows = min(rows, len(body) - 1)
    late = folder / "late" / "web_form_late.csv"
    late.parent.mkdir()
    for path, part in ((newest, body[:-rows]), (late, body[-rows:])):
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *part])
    return late


def step_seconds(warehouse: Path) -> dict:
    """The newest run's seconds per step, from runs.summary."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        (summary,) = con.execute("SELECT summary FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
    summary = json.loads(summary)
    seconds = dict(summary.get("seconds", {}))
    if "skipped_since_run" in summary:
        seconds["skipped since run"] = summary["skipped_since_run"]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix=f"unifica-nightly-{args.records}-"))
    generated = measure([UNIFICA, "generate", "--customers", str(args.records), "--seed", str(args.seed),
                         "--out", str(folder)])
    print(f"generate {args.records:,} records: {generated.seconds:.1f} s")
    late = hold_back(folder, args.records // 100)
    config = str(folder / "unifica.toml")
    for name in ("first run (99 %)", "same files again", "with 1 % new records"):
        if name.startswith("with"):
            shutil.move(str(late), str(folder / late.name))
        result = measure([UNIFICA, "run", "--config", config])
        status = "" if result.exit_code == 0 else f" (exit {result.exit_code})"
        steps = ", ".join(f"{k} {v}" for k, v in step_seconds(folder / "unifica.duckdb").items())
        print(f"{name}: {result.seconds:.1f} s wall, {result.peak_mb:,.0f} MB peak{status}; {steps}", flush=True)
    if args.keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
