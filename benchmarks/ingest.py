"""Time and peak memory of `unifica generate` and `unifica ingest` (run by hand; prints figures).

    .venv/bin/python benchmarks/ingest.py                 # 100,000 and 1,000,000 records
    .venv/bin/python benchmarks/ingest.py --sizes 10000   # a quick look
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import HEADER, UNIFICA, run_steps  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args()
    print(HEADER)
    for size in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"unifica-bench-{size}-"))
        steps = [
            ("generate", [UNIFICA, "generate", "--customers", str(size), "--seed", str(args.seed), "--out", str(folder)]),
            ("ingest", [UNIFICA, "ingest", "--config", str(folder / "unifica.toml")]),
            ("re-ingest", [UNIFICA, "ingest", "--config", str(folder / "unifica.toml")]),
        ]
        run_steps(size, steps)
        if not args.keep:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
