"""The command line: summaries last, user mistakes as one line and a non-zero exit."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import write_config
from unifica.cli import app
from unifica.config import load_config

runner = CliRunner()


def test_init_writes_a_starter_config_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "unifica.toml"
    result = runner.invoke(app, ["init", "--config", str(path)])
    assert result.exit_code == 0, result.output
    config = load_config(path)
    assert "web_form" in config.sources and config.sources["web_form"].columns["source_record_id"] == "id"
    again = runner.invoke(app, ["init", "--config", str(path)])
    assert again.exit_code == 1 and "exists already" in again.output


def test_ingest_prints_a_summary_and_bad_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,nombre,apellido\n1,Ana,Ríos\n2,,\n", encoding="utf-8")
    cfg = write_config(tmp_path, '[sources.a]\nfiles = ["a.csv"]\n[sources.a.columns]\nsource_record_id = "id"\n'
                                 'first_name = "nombre"\nlast_name = "apellido"\n')
    result = runner.invoke(app, ["ingest", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("ingested 2 rows from 1 files: 1 loaded, 1 quarantined, 0 already stored; 1 new customers")
    missing = runner.invoke(app, ["ingest", "--config", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1
    assert missing.stderr.strip().startswith("Error:") and len(missing.stderr.strip().splitlines()) == 1
    wrong = runner.invoke(app, ["ingest", "--config", str(cfg), "--on-existing", "merge"])
    assert wrong.exit_code == 1 and "choose skip, replace or fail" in wrong.stderr


def test_every_command_has_help() -> None:
    for command, option in (("init", "--config"), ("ingest", "--on-existing"), ("generate", "--customers"),
                            ("run", "--config"), ("dedupe", "--no-merge"), ("merge", "--elements"),
                            ("unmerge", "--cascade")):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert option in result.output


def test_dedupe_scores_the_generated_sample_and_prints_a_summary(tmp_path: Path) -> None:
    from unifica.synth import generate

    generate(tmp_path, customers=600, seed=5)
    config = tmp_path / "unifica.toml"
    assert runner.invoke(app, ["ingest", "--config", str(config)]).exit_code == 0
    result = runner.invoke(app, ["dedupe", "--config", str(config), "--no-merge"])
    assert result.exit_code == 0, result.output
    dedupe_line, last = result.stdout.strip().splitlines()[-2:]
    assert dedupe_line.startswith("dedupe run 2 (full (no model yet)): ") and "candidate pairs compared (" in dedupe_line
    assert "auto-merge in" in dedupe_line and last.startswith("nothing merged (--no-merge)")
    import duckdb
    with duckdb.connect(str(load_config(config).warehouse), read_only=True) as con:
        states = dict(con.execute("SELECT state, count(*) FROM candidate_pairs GROUP BY ALL").fetchall())
        runs = con.execute("SELECT command, status FROM runs ORDER BY run_id").fetchall()
    assert states.get("auto_merge", 0) > 0 and set(states) <= {"auto_merge", "review", "non_match"}
    assert runs == [("ingest", "succeeded"), ("dedupe", "succeeded")]
    # nothing new: the next dedupe compares nothing; --refit compares every pair again
    again = runner.invoke(app, ["dedupe", "--config", str(config), "--no-merge"])
    assert again.exit_code == 0 and "(incremental): " in again.stdout and " 0 candidate pairs compared" in again.stdout
    refit = runner.invoke(app, ["dedupe", "--config", str(config), "--no-merge", "--refit"])
    assert refit.exit_code == 0 and "(full (asked to refit)): " in refit.stdout
    missing = runner.invoke(app, ["dedupe", "--config", str(config), "--model-from", str(tmp_path / "nope.duckdb")])
    assert missing.exit_code == 1 and "nope.duckdb: no such warehouse" in missing.output
