"""Scale-out: the candidate pairs compared as Prefect tasks on a Dask cluster.

With ``[runtime] task_runner = "dask"`` the consolidation flow runs on Prefect's Dask task
runner (a Dask scheduler at ``[runtime] address``, else a local cluster of ``workers``
processes) and scoring hands each batch of candidate pairs to ``compare_pairs_task`` with
only the customers that batch needs. The comparison itself is dedupe.scoring.compare_batch,
the same function the default runner uses, so the scores are the same.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pandas as pd
from prefect import Flow, task
from prefect.cache_policies import NO_CACHE

from dedupe.comparisons import Comparison
from dedupe.scoring import compare_batch
from unifica.config import RuntimeConfig


TASK_PAIRS = 100_000   # candidate pairs per task at most (a scoring batch may be cut into several tasks)


@task(name="compare candidate pairs", cache_policy=NO_CACHE)
def compare_pairs_task(left: np.ndarray, right: np.ndarray, customers: pd.DataFrame,
                       comparisons: tuple[Comparison, ...]) -> pd.DataFrame:
    """One batch of candidate pairs compared (dedupe.scoring.compare_batch)."""
    return compare_batch(left, right, customers, comparisons)


def compare_on_task_runner(batches: list[tuple[np.ndarray, np.ndarray]], customers: pd.DataFrame,
                           comparisons: tuple[Comparison, ...]) -> Iterator[pd.DataFrame]:
    """Submit every batch to the flow's task runner at once, cut into tasks of at most
    TASK_PAIRS pairs; yields each batch's results in order. Each task gets only the rows of
    the customers it compares, not the whole frame."""
    submitted = []
    for left, right in batches:
        starts = range(0, max(len(left), 1), TASK_PAIRS)
        submitted.append([
            compare_pairs_task.submit(lefts, rights, customers.loc[np.union1d(lefts, rights)], comparisons)
            for lefts, rights in ((left[s:s + TASK_PAIRS], right[s:s + TASK_PAIRS]) for s in starts)])
    for futures in submitted:
        yield pd.concat([future.result() for future in futures], ignore_index=True)


def with_task_runner(flow: Flow, runtime: RuntimeConfig) -> Flow:
    """``flow`` on the task runner ``[runtime]`` names: as it is by default, or on Dask."""
    if runtime.task_runner != "dask":
        return flow
    from prefect_dask import DaskTaskRunner

    if runtime.address:
        runner = DaskTaskRunner(address=runtime.address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": runtime.workers or os.cpu_count() or 1,
                                                "threads_per_worker": 1, "processes": True})
    return flow.with_options(task_runner=runner)
