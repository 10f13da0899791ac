"""Run a command as a child process; report its wall time and peak memory (its own rusage)."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


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
