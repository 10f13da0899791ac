"""Run a command as a child process; report its wall time and peak memory (its own rusage)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

UNIFICA = str(Path(sys.executable).with_name("unifica"))  # the venv's command
HEADER = f"{'records':>10} {'step':<9} {'wall s':>8} {'peak MB':>9}  command"


@dataclass(frozen=True)
class Measured:
    command: str
    seconds: float
    peak_mb: float
    exit_code: int


def measure(args: list[str], cwd: str | None = None) -> Measured:
    """Run ``args`` to completion; returns wall seconds and the child's peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode:
        print(output.decode(errors="replace"))
    return Measured(" ".join(args), seconds, usage.ru_maxrss / 1024, child.returncode)


def run_steps(records: int, steps: list[tuple[str, list[str]]]) -> None:
    """Run each (step name, command) in turn, printing one row of HEADER per step."""
    for step, command in steps:
        result = measure(command)
        status = "" if result.exit_code == 0 else f"  (exit {result.exit_code})"
        print(f"{records:>10,} {step:<9} {result.seconds:>8.1f} {result.peak_mb:>9.0f}  "
              f"{' '.join(command[1:])}{status}", flush=True)
