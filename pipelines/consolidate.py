"""The consolidation flow: a thin Prefect flow over plain functions (tested without Prefect)."""
from __future__ import annotations

from pathlib import Path

from prefect import flow

from dedupe.scoring import score_candidates
from merge.ingest import finish_run, ingest_sources, start_run
from merge.merging import auto_merge
from merge.review_export import default_report_path, export_review
from merge.warehouse import open_warehouse
from unifica.config import load_config


@flow(name="consolidate")
def consolidate(config_path: str) -> dict:
    """Ingest every configured source into the warehouse, score and cluster the candidate
    pairs, merge the clusters at or above auto-merge, and write the steward's review report
    of the pairs in the review band; returns the run's counts.

    Later steps (exports) join here as they are built.
    """
    config = load_config(Path(config_path))
    with open_warehouse(config.warehouse) as con:
        run_id = start_run(con, "run")
        try:
            ingest = ingest_sources(con, config, run_id=run_id)
            dedupe = score_candidates(con, config.matching, run_id=run_id)
            merged = auto_merge(con, survivorship=config.merge.survivorship, fill_missing=config.merge.fill_missing)
            report = export_review(con, default_report_path(config.review_folder), review=config.matching.review,
                                   auto_merge=config.matching.auto_merge, survivorship=config.merge.survivorship,
                                   warehouse_path=str(config.warehouse))
        except Exception as exc:
            finish_run(con, run_id, None, error=f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, {"ingest": ingest.as_dict(), "dedupe": dedupe.as_dict(),
                                 "auto_merge": merged.as_dict(), "review_report": report.as_dict()})
    return {"run_id": run_id, "ingest": ingest.as_dict(), "ingest_line": ingest.line(),
            "dedupe": dedupe.as_dict(), "dedupe_line": dedupe.line(),
            "auto_merge": merged.as_dict(), "auto_merge_line": merged.line(),
            "review_report": report.as_dict(), "review_report_line": report.line(), "warehouse": str(config.warehouse)}
