"""Wall time and peak memory of generate -> ingest -> dedupe with its auto-merge (run by hand; prints figures).

    .venv/bin/python benchmarks/scale.py                         # 10,000, 100,000 and 1,000,000 records
    .venv/bin/python benchmarks/scale.py --sizes 100000 --keep   # keep the data and warehouse

Each step is the real command in a child process; peak memory is that process's own
(ingest's normalisation workers are measured separately by the kernel and not added).
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args()
    print(HEADER)
    for size in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"unifica-scale-{size}-"))
        config = str(folder / "unifica.toml")
        steps = [
            ("generate", [UNIFICA, "generate", "--customers", str(size), "--seed", str(args.seed), "--out", str(folder)]),
            ("ingest", [UNIFICA, "ingest", "--config", config]),
            ("dedupe", [UNIFICA, "dedupe", "--config", config]),   # score, cluster and auto-merge
        ]
        run_steps(size, steps)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
