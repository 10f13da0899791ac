"""Scale-out: the consolidation on Prefect's Dask task runner (a small local cluster) scores
and merges exactly as the default runner does."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

import pipelines.scale_out as scale_out
from pipelines.consolidate import consolidate
from pipelines.scale_out import with_task_runner
from unifica.config import RuntimeConfig, load_config
from unifica.synth import generate


@pytest.fixture(scope="module", autouse=True)
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


def _result(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            "pairs": con.execute("SELECT customer_id_l, customer_id_r, match_probability, levels, blocking_rules, "
                                 "state, cluster_id FROM candidate_pairs ORDER BY ALL").fetchall(),
            "resolution": con.execute("SELECT * FROM record_resolution ORDER BY ALL").fetchall(),
            "merges": con.execute("SELECT main_customer_id, merged_customer_ids FROM merge_events "
                                  "ORDER BY ALL").fetchall(),
        }


def test_dask_runner_gives_the_same_pairs_and_merges_as_the_default(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    generate(tmp_path / "default", customers=400, seed=12)
    shutil.copytree(tmp_path / "default", tmp_path / "dask")
    # A small local cluster of its own (two workers, threads of this process: quick to start).
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    request_cleanup = cluster.close
    dask_config = tmp_path / "dask" / "unifica.toml"
    dask_config.write_text(dask_config.read_text(encoding="utf-8")
                           + f'\n[runtime]\ntask_runner = "dask"\naddress = "{cluster.scheduler_address}"\n',
                           encoding="utf-8")
    monkeypatch.setattr(scale_out, "TASK_PAIRS", 40)     # several tasks on the cluster

    consolidate(str(tmp_path / "default" / "unifica.toml"))
    runtime = load_config(dask_config).runtime
    assert runtime == RuntimeConfig("dask", cluster.scheduler_address, None)
    on_dask = with_task_runner(consolidate, runtime)
    assert type(on_dask.task_runner).__name__ == "DaskTaskRunner"
    try:
        result = on_dask(str(dask_config))
    finally:
        request_cleanup()

    default, dask = _result(tmp_path / "default" / "unifica.duckdb"), _result(tmp_path / "dask" / "unifica.duckdb")
    assert result["dedupe"]["candidate_pairs"] > 2 * 40             # it did take several tasks
    assert dask == default and len(default["merges"]) > 0
    # The comparisons ran as Prefect tasks (on the Dask runner): one per 40 pairs.
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        tasks = [r for r in client.read_task_runs() if r.name.startswith("compare candidate pairs")]
    assert len(tasks) >= result["dedupe"]["candidate_pairs"] // 40 and {r.state_name for r in tasks} == {"Completed"}
