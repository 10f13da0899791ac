"""The ingest flow: Prefect around the same plain function `unifica ingest` calls."""
from __future__ import annotations

from pathlib import Path

from prefect import flow

from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from schemas.records import OnExisting
from unifica.config import load_config


@flow(name="ingest")
def ingest_flow(config_path: str, on_existing: str | None = None) -> dict:
    """Ingest every configured source; returns the summary counts."""
    config = load_config(Path(config_path))
    with open_warehouse(config.warehouse) as con:
        summary = ingest_sources(con, config, on_existing=OnExisting(on_existing) if on_existing else None)
    return {"run_id": summary.run_id, **summary.as_dict()}
