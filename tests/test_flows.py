"""The Prefect flows, run for real under prefect_test_harness (a temporary local server)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

from pipelines.consolidate import consolidate
from pipelines.ingest import ingest_flow
from tests.conftest import write_config


@pytest.fixture(scope="module", autouse=True)
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


def _config(tmp_path: Path) -> Path:
    (tmp_path / "a.csv").write_text("id,tipo,numero,nombre,apellido\n1,CC,123456,Ana,Ríos\n2,C.C.,123.456,Ana,Rios\n"
                                    "3,CC,999999,,\n", encoding="utf-8")
    return write_config(tmp_path, '[warehouse]\npath = "wh.duckdb"\n[sources.a]\nfiles = ["a.csv"]\ncountry = "CO"\n'
                                  '[sources.a.columns]\nsource_record_id = "id"\ndocument_type = "tipo"\n'
                                  'document_number = "numero"\nfirst_name = "nombre"\nlast_name = "apellido"\n')


def test_the_temporary_server_the_flows_run_on_sends_no_telemetry() -> None:
    # importing pipelines turned it off before the harness started its server (a child
    # process): no network calls at run time, and no telemetry writes racing a flow run's
    with get_client(sync_client=True) as client:
        settings = client.request("GET", "/admin/settings").json()
    assert settings["server"]["analytics_enabled"] is False


def test_ingest_flow_loads_the_sources(tmp_path: Path) -> None:
    result = ingest_flow(str(_config(tmp_path)))
    assert result["rows_loaded"] == 2 and result["rows_quarantined"] == 1 and result["new_customers"] == 1
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM customer_sources").fetchall() == [(2,)]
    con.close()


def test_consolidate_flow_records_its_run(tmp_path: Path) -> None:
    result = consolidate(str(_config(tmp_path)))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    run = con.execute("SELECT command, status, summary->'ingest'->>'rows_loaded' FROM runs WHERE run_id = ?",
                      [result["run_id"]]).fetchall()
    con.close()
    assert run == [("run", "succeeded", "2")]


def test_consolidate_flow_scores_clusters_and_merges_after_ingesting(tmp_path: Path) -> None:
    from unifica.synth import generate

    generate(tmp_path, customers=600, seed=5)
    result = consolidate(str(tmp_path / "unifica.toml"))
    assert result["dedupe"]["auto_merge"] > 0 and result["dedupe"]["candidate_pairs"] > 0
    con = duckdb.connect(result["warehouse"], read_only=True)
    recorded = con.execute("SELECT summary->'dedupe'->>'auto_merge', summary->'auto_merge'->>'merges' "
                           "FROM runs WHERE run_id = ?", [result["run_id"]]).fetchall()
    # Review pairs inside a cluster are merged with it: count those at or above auto-merge.
    stored = con.execute("SELECT count(*) FROM candidate_pairs WHERE state = 'auto_merged' AND run_id = ? "
                         "AND match_probability >= 0.95", [result["run_id"]]).fetchall()
    waiting = con.execute("SELECT count(*) FROM candidate_pairs WHERE state = 'auto_merge'").fetchall()
    merges = con.execute("SELECT count(*), count(DISTINCT actor), min(actor) FROM merge_events").fetchall()
    con.close()
    # Every auto-merge pair of the run was merged, by the auto-merge step, one merge per cluster.
    assert recorded == [(str(result["dedupe"]["auto_merge"]), str(result["dedupe"]["clusters"]))]
    assert stored == [(result["dedupe"]["auto_merge"],)] and waiting == [(0,)]
    assert merges == [(result["dedupe"]["clusters"], 1, "auto")]
    # The steward's report holds the review pairs left after the merges.
    import openpyxl
    report = Path(result["review_report"]["path"])
    assert report.parent == tmp_path and report.name.startswith("review-")
    sheet = openpyxl.load_workbook(report)["Review"]
    assert sheet.max_row - 1 == result["review_report"]["pairs"] > 0
    # The customer base exported: one row per customer neither merged nor deleted.
    exported = Path(result["export"]["path"])
    assert exported.parent == tmp_path and exported.name.startswith("customers-")
    with duckdb.connect(result["warehouse"], read_only=True) as con:
        live = con.execute("SELECT count(*) FROM customers WHERE status NOT IN ('merged', 'deleted')").fetchall()
        audited = con.execute("SELECT user_name, role, action, outcome FROM audit_log").fetchall()
    assert result["export"]["rows"]["customers"] == live[0][0] > 0
    assert len(list(openpyxl.load_workbook(exported, read_only=True)["customers"].iter_rows())) - 1 == live[0][0]
    assert audited == [("auto", "system", "export", "done")]

    # The same files again: nothing new, so nothing after the ingest runs.
    def pairs_and_merges() -> tuple:
        with duckdb.connect(result["warehouse"], read_only=True) as con:
            return (con.execute("SELECT * FROM candidate_pairs ORDER BY pair_id").fetchall(),
                    con.execute("SELECT * FROM merge_events ORDER BY merge_id").fetchall())

    before = pairs_and_merges()
    again = consolidate(str(tmp_path / "unifica.toml"))
    assert again["skipped_since_run"] == result["run_id"] and "dedupe" not in again
    assert again["lines"]["skipped"].startswith(f"nothing changed since consolidation run {result['run_id']}")
    assert pairs_and_merges() == before and sorted(tmp_path.glob("review-*.xlsx")) == [report]
    assert sorted(tmp_path.glob("customers-*.xlsx")) == [exported]
    # A steward undoing a merge changes the base: the next run clusters again (an unmerge
    # changes no customer's data, so there is nothing new to compare).
    from merge.merging import unmerge
    from merge.warehouse import open_warehouse
    with open_warehouse(Path(result["warehouse"])) as con:
        unmerge(con, 1, actor="ana")
    third = consolidate(str(tmp_path / "unifica.toml"))
    assert "skipped_since_run" not in third and third["dedupe"]["mode"] == "incremental"
    assert third["dedupe"]["candidate_pairs"] == 0 and third["dedupe"]["auto_merge"] > 0


def test_the_nightly_deployment_runs_the_flow_on_the_configured_schedule(tmp_path: Path) -> None:
    from pipelines.nightly import DEPLOYMENT_NAME, local_timezone, nightly_deployment

    config = _config(tmp_path)
    deployment = nightly_deployment(config, "0 2 * * *", "America/Bogota")
    assert deployment.name == DEPLOYMENT_NAME == "nightly-consolidation"
    assert deployment.flow_name == "consolidate"
    assert deployment.parameters == {"config_path": str(config.resolve())}
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "America/Bogota")
    assert nightly_deployment(config, "30 1 * * *").schedules[0].schedule.timezone == local_timezone()


def test_a_second_run_on_a_warehouse_in_use_stops_at_once_with_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from typer.testing import CliRunner

    from unifica.cli import app

    config = _config(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"con = duckdb.connect({str(tmp_path / 'wh.duckdb')!r})\n"
                               "print('holding', flush=True)\ntime.sleep(60)\n"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = CliRunner().invoke(app, ["run", "--config", str(config)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {tmp_path / 'wh.duckdb'}: the warehouse is in use by another Unifica "
                                     f"run; wait for it to finish and try again")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'").fetchall() == [(0,)]
    con.close()


def test_a_failed_step_marks_the_run_failed_and_the_next_run_completes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.consolidate as flow_module
    from unifica.synth import generate

    generate(tmp_path, customers=300, seed=8)
    real = flow_module.auto_merge

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(flow_module, "auto_merge", disk_full)
    with pytest.raises(OSError, match="injected"):
        consolidate(str(tmp_path / "unifica.toml"))
    monkeypatch.setattr(flow_module, "auto_merge", real)
    con = duckdb.connect(str(tmp_path / "unifica.duckdb"), read_only=True)
    failed = con.execute("SELECT run_id, status, error FROM runs").fetchall()
    waiting = con.execute("SELECT count(*) FROM candidate_pairs WHERE state = 'auto_merge'").fetchall()
    con.close()
    # The ingest and the scoring before the failure are kept (each its own transaction); the
    # clusters wait for the next run, which merges them.
    assert failed == [(1, "failed", "OSError: disk full (injected)")] and waiting[0][0] > 0
    result = consolidate(str(tmp_path / "unifica.toml"))
    con = duckdb.connect(str(tmp_path / "unifica.duckdb"), read_only=True)
    runs = con.execute("SELECT run_id, status FROM runs WHERE command = 'run' ORDER BY run_id").fetchall()
    merged = con.execute("SELECT count(*) FROM merge_events").fetchall()
    con.close()
    assert runs == [(1, "failed"), (result["run_id"], "succeeded")]
    assert merged == [(result["auto_merge"]["merges"],)] and merged[0][0] > 0


def test_a_file_step_failing_on_an_oserror_is_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.consolidate as flow_module
    from unifica.synth import generate

    generate(tmp_path, customers=200, seed=4)
    real = flow_module.export_review
    calls = []

    def as_file_step(fn: object) -> object:
        return flow_module.file_step(fn, "write the review report", retry_delay=0)

    def share_gone_once(*args: object, **kwargs: object) -> object:
        calls.append("share")
        if len(calls) == 1:
            raise OSError("the share is gone for a moment (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(flow_module, "review_report_step", as_file_step(share_gone_once))
    result = consolidate(str(tmp_path / "unifica.toml"))
    assert calls == ["share", "share"] and Path(result["review_report"]["path"]).exists()

    def data_mistake(*args: object, **kwargs: object) -> object:
        calls.append("mistake")
        raise ValueError("not transient (injected)")

    monkeypatch.setattr(flow_module, "review_report_step", as_file_step(data_mistake))
    with duckdb.connect(result["warehouse"]) as con:   # a change, so the next run does not skip its steps
        con.execute("UPDATE customers SET updated_at = now() WHERE customer_id = 1")
    with pytest.raises(ValueError, match="not transient"):
        consolidate(str(tmp_path / "unifica.toml"))
    assert calls.count("mistake") == 1                 # tried once: a mistake is not retried
