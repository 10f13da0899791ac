"""The nightly consolidation as a Prefect deployment (`unifica serve`).

The deployment ``nightly-consolidation`` runs the consolidation flow with the config it was
served with, on ``[schedule] cron`` in ``[schedule] timezone`` (default: this machine's time
zone, so "0 2 * * *" is 02:00 local time).
"""
from __future__ import annotations

import os
from pathlib import Path

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from pipelines.consolidate import consolidate
from pipelines.scale_out import with_task_runner
from unifica.config import RuntimeConfig

DEPLOYMENT_NAME = "nightly-consolidation"


def local_timezone() -> str:
    """This machine's IANA time zone name (TZ, else /etc/localtime's target), else "UTC"."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and ("/" in tz or tz == "UTC"):
        return tz
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    return "UTC"


def nightly_deployment(config_path: Path, cron: str, timezone: str | None = None,
                       runtime: RuntimeConfig | None = None) -> RunnerDeployment:
    """The ``nightly-consolidation`` deployment of the consolidation flow for ``config_path``
    (on the task runner ``runtime`` names)."""
    return with_task_runner(consolidate, runtime or RuntimeConfig()).to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone or local_timezone())],
        parameters={"config_path": str(Path(config_path).resolve())},
        description="Unifica's nightly consolidation: ingest, score, auto-merge, review report.",
        tags=["unifica"],
    )
