"""Shared fixtures: a real DuckDB warehouse file and config files written the way users write them."""
from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from merge.warehouse import open_warehouse

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh warehouse in a real DuckDB file."""
    with open_warehouse(tmp_path / "unifica.duckdb") as con:
        yield con


def write_config(folder: Path, body: str) -> Path:
    """Write a unifica.toml (dedented) into ``folder``; returns its path."""
    path = folder / "unifica.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    """All rows of a query."""
    return con.execute(query, params or []).fetchall()
