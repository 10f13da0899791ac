"""Roles: what each may do ([roles] in unifica.toml), one-line refusals that change nothing,
and the audit trail of what was done and refused."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from merge.warehouse import open_warehouse
from tests.conftest import rows
from tests.test_merge import small_warehouse, snapshot
from unifica.cli import app
from unifica.config import load_config
from unifica.errors import UnificaError
from unifica.roles import DEFAULT_ROLES, Actor, actor_from, authorise, parse_roles

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return small_warehouse(tmp_path, '[roles]\nauditor = ["query"]\nsteward = ["merge", "review"]\n')


def test_defaults_and_the_file_say_what_each_role_may_do(config: Path) -> None:
    roles = load_config(config).roles
    assert roles["admin"] == DEFAULT_ROLES["admin"] and "delete" in roles["admin"]
    assert roles["agent"] == {"add", "edit", "contacts", "relations"}
    assert roles["analyst"] == {"query"} and roles["auditor"] == {"query"}
    assert roles["steward"] == {"merge", "review"}           # the file replaces the default
    assert parse_roles({"ops": ["*"]}, "x")["ops"] == DEFAULT_ROLES["admin"]
    with pytest.raises(UnificaError, match="'fly' is not an action"):
        parse_roles({"ops": ["fly"]}, "unifica.toml")
    with pytest.raises(UnificaError, match="must be a list of actions"):
        parse_roles({"ops": "merge"}, "unifica.toml")


def test_the_role_must_be_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNIFICA_ROLE", raising=False)
    monkeypatch.setenv("UNIFICA_USER", "marta")
    with pytest.raises(UnificaError, match="--role ROLE or UNIFICA_ROLE"):
        actor_from(None, None)
    monkeypatch.setenv("UNIFICA_ROLE", "steward")
    assert actor_from(None, None) == Actor("marta", "steward")
    assert actor_from("luis", "admin") == Actor("luis", "admin")


def test_a_forbidden_action_is_refused_audited_and_changes_nothing(config: Path) -> None:
    path = config.parent / "wh.duckdb"
    with open_warehouse(path) as con:
        before = snapshot(con)
    result = runner.invoke(app, ["merge", "1", "2", "--as", "pedro", "--role", "agent", "--config", str(config)])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: pedro as role 'agent' may not merge (it may: add, edit, contacts, "
                                     "relations); ask an admin, or act in another role")
    unknown = runner.invoke(app, ["unmerge", "1", "--as", "pedro", "--role", "boss", "--config", str(config)])
    assert unknown.exit_code == 1 and "unknown role 'boss'" in unknown.stderr
    with open_warehouse(path) as con:
        assert snapshot(con) == before and rows(con, "SELECT count(*) FROM merge_events") == [(0,)]
        audited = rows(con, "SELECT user_name, role, action, command, customer_ids, outcome, reason FROM audit_log "
                            "ORDER BY audit_id")
    assert audited == [
        ("pedro", "agent", "merge", "merge 1 2 --elements contacts,accounts,tickets", [1, 2], "refused",
         "role 'agent' may not merge (it may: add, edit, contacts, relations)"),
        ("pedro", "boss", "unmerge", "unmerge 1", [], "refused", "unknown role 'boss' (roles: admin, agent, "
                                                                  "analyst, auditor, steward)"),
    ]


def test_an_allowed_action_is_audited_in_its_own_transaction(config: Path) -> None:
    merged = runner.invoke(app, ["merge", "1", "2", "--as", "marta", "--role", "steward", "--config", str(config)])
    assert merged.exit_code == 0, merged.output
    forbidden = runner.invoke(app, ["unmerge", "1", "--as", "marta", "--role", "steward", "--config", str(config)])
    assert forbidden.exit_code == 1                       # this file's steward may not unmerge
    undone = runner.invoke(app, ["unmerge", "1", "--as", "root", "--role", "admin", "--config", str(config)])
    assert undone.exit_code == 0, undone.output
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        audited = rows(con, "SELECT user_name, action, outcome, after->>'merge_id', after->'merge_ids' "
                            "FROM audit_log ORDER BY audit_id")
        assert rows(con, "SELECT actor, unmerged_by FROM merge_events") == [("marta", "root")]
    assert audited == [("marta", "merge", "done", "1", None), ("marta", "unmerge", "refused", None, None),
                       ("root", "unmerge", "done", None, "[1]")]


def test_authorise_lets_an_allowed_role_through_without_a_trace(config: Path) -> None:
    with open_warehouse(config.parent / "wh.duckdb") as con:
        authorise(con, load_config(config).roles, Actor("ana", "admin"), "delete", "customer delete 3", [3])
        assert rows(con, "SELECT count(*) FROM audit_log") == [(0,)]
