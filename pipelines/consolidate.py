"""The consolidation flow: a thin Prefect flow over plain functions (tested without Prefect)."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import Task, flow, task
from prefect.cache_policies import NO_CACHE

from dedupe.scoring import score_candidates
from merge.exports import export_customers, record_export
from merge.ingest import finish_run, ingest_sources, start_run
from merge.merging import auto_merge
from merge.review_export import default_report_path, export_review
from merge.run_state import base_state, last_consolidated
from merge.warehouse import open_warehouse
from pipelines.scale_out import compare_on_task_runner
from unifica.config import load_config
from unifica.roles import SYSTEM

FILE_RETRIES = 2          # the steps that read or write files are tried again on an OSError
FILE_RETRY_DELAY = 10     # seconds


def _transient(task: object, task_run: object, state: object) -> bool:
    """Retry a file step only when it failed on an OSError (a share gone for a moment, a full
    disk freed); a mistake in the data or the config fails at once."""
    try:
        state.result()  # type: ignore[attr-defined]
    except OSError:
        return True
    except Exception:
        return False
    return False


def file_step(fn: Callable[..., Any], name: str, retry_delay: float = FILE_RETRY_DELAY) -> Task:
    """``fn`` as a Prefect task retried on an OSError (its arguments, e.g. the warehouse
    connection, are not cached)."""
    return task(fn, name=name, retries=FILE_RETRIES, retry_delay_seconds=retry_delay,
                retry_condition_fn=_transient, cache_policy=NO_CACHE)


ingest_step = file_step(ingest_sources, "ingest sources")
review_report_step = file_step(export_review, "write the review report")
export_step = file_step(export_customers, "export the customer base")


@flow(name="consolidate")
def consolidate(config_path: str) -> dict:
    """Ingest every configured source into the warehouse, score and cluster the candidate
    pairs, merge the clusters at or above auto-merge, write the steward's review report of the
    pairs in the review band and (``[export] nightly``) export the customer base; returns the
    run's counts per step and their summary lines (``lines``).

    With ``[runtime] task_runner = "dask"`` (run it through pipelines.scale_out.with_task_runner)
    the candidate pairs are compared as tasks on a Dask cluster.

    When the customer base is as the last successful run left it (nothing new was ingested
    and nobody changed a customer since), the steps after ingest are skipped: they would do
    the same again.
    """
    config = load_config(Path(config_path))
    with open_warehouse(config.warehouse) as con:
        run_id = start_run(con, "run")
        steps: dict = {}
        lines: dict = {}
        seconds: dict[str, float] = {}
        clock = time.perf_counter()

        def timed(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            seconds[step] = round(now - clock, 2)
            clock = now

        try:
            ingest = ingest_step(con, config, run_id=run_id)
            steps["ingest"], lines["ingest"] = ingest.as_dict(), ingest.line()
            timed("ingest")
            last = last_consolidated(con)
            if last is not None and last[0] == base_state(con, config):
                # Nothing new since run last[1]: scoring, merging and the report would repeat it.
                steps["skipped_since_run"] = last[1]
                lines["skipped"] = (f"nothing changed since consolidation run {last[1]}: scoring, merging, "
                                    f"the review report and the export skipped")
            else:
                on_dask = config.runtime.task_runner == "dask"
                dedupe = score_candidates(con, config.matching, run_id=run_id,
                                          compare_map=compare_on_task_runner if on_dask else None)
                steps["dedupe"], lines["dedupe"] = dedupe.as_dict(), dedupe.line()
                timed("dedupe")
                merged = auto_merge(con, survivorship=config.merge.survivorship,
                                    fill_missing=config.merge.fill_missing)
                steps["auto_merge"], lines["auto_merge"] = merged.as_dict(), merged.line()
                timed("auto_merge")
                report = review_report_step(con, default_report_path(config.review_folder),
                                            review=config.matching.review, auto_merge=config.matching.auto_merge,
                                            survivorship=config.merge.survivorship,
                                            warehouse_path=str(config.warehouse))
                steps["review_report"], lines["review_report"] = report.as_dict(), report.line()
                timed("review_report")
                if config.nightly_export:
                    exported = export_step(con, default_report_path(config.export_folder, stem="customers"),
                                           warehouse_path=str(config.warehouse))
                    record_export(con, SYSTEM, "run: export customers", exported)
                    steps["export"], lines["export"] = exported.as_dict(), exported.line()
                    timed("export")
            steps["base_state"] = base_state(con, config)
            steps["seconds"] = seconds
        except Exception as exc:
            finish_run(con, run_id, None, error=f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, steps)
    return {"run_id": run_id, **steps, "lines": lines, "warehouse": str(config.warehouse)}
