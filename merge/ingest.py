"""Ingest source files into the warehouse (DESIGN.md, "Input").

Each file is read in full, normalised row by row (``dedupe.customer_rows``), then loaded in
one transaction by the set-based statements in ``merge/sql/``: a crash leaves the file
either wholly loaded or not at all. Bad rows and unreadable files go to ``quarantine``; a
file whose bytes were already ingested for its source is skipped.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from dedupe import normalise as n
from dedupe.customer_rows import Normalised, RowContext, normalise_batch
from merge import arrow_schemas as schemas
from merge.readers import BadRow, SourceFile, UnreadableFile, file_sha256, read_source_file
from merge.warehouse import fetch_sql, next_id, run_sql, scalar, transaction
from schemas.records import REQUIRED_VALUES, OnExisting, RecordKind, canonical_columns
from unifica.config import RELATED_KINDS, Config, SourceConfig

Progress = Callable[[str, int, int], None]  # (what, done, total)
BATCH_ROWS = 5_000  # rows normalised per batch (and per progress step)
PARALLEL_FROM_ROWS = 10_000  # smaller files are normalised in-process: starting the workers costs ~1 s


@dataclass
class FileOutcome:
    """What happened to one file."""

    source: str
    kind: str
    file: str
    status: str  # loaded | unchanged | unreadable
    rows_read: int = 0
    loaded: int = 0
    quarantined: int = 0
    outcomes: Counter = field(default_factory=Counter)  # identity outcomes, customers files only
    reason: str | None = None

    @property
    def already_stored(self) -> int:
        """Rows neither loaded nor quarantined: identical to what the warehouse already holds."""
        return self.rows_read - self.loaded - self.quarantined


@dataclass
class IngestSummary:
    """What an ingest did, file by file."""

    run_id: int
    files: list[FileOutcome] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return sum(getattr(f, attribute) for f in self.files)

    def identity(self, outcome: str) -> int:
        return sum(f.outcomes[outcome] for f in self.files)

    @property
    def unreadable(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "unreadable"]

    @property
    def unchanged(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "unchanged"]

    def as_dict(self) -> dict:
        return {
            "files": len(self.files), "files_unchanged": len(self.unchanged), "files_unreadable": len(self.unreadable),
            "rows_read": self.total("rows_read"), "rows_loaded": self.total("loaded"),
            "rows_quarantined": self.total("quarantined"), "rows_already_stored": self.total("already_stored"),
            "new_customers": self.identity("new"),
            "matched_existing": self.identity("matched_skip") + self.identity("matched_replace"),
            "refused": self.identity("refused"),
        }

    def line(self) -> str:
        """The one-line summary a command prints last."""
        d = self.as_dict()
        text = (f"ingested {d['rows_read']:,} rows from {d['files']} files: {d['rows_loaded']:,} loaded, "
                f"{d['rows_quarantined']:,} quarantined, {d['rows_already_stored']:,} already stored; "
                f"{d['new_customers']:,} new customers, "
                f"{d['matched_existing']:,} rows matched an existing customer")
        if d["refused"]:
            text += f", {d['refused']:,} refused (on_existing = fail)"
        text += f"; {d['files_unchanged']} files unchanged, {d['files_unreadable']} files unreadable"
        return text


def start_run(con: duckdb.DuckDBPyConnection, command: str) -> int:
    """Record the start of a run; returns its id."""
    run_id = next_id(con, "runs", "run_id")
    run_sql(con, "start_run", run_id=run_id, command=command, now=datetime.now())
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, summary: dict | None, error: str | None = None) -> None:
    """Record the end of a run with its counts, or the reason it failed."""
    run_sql(con, "finish_run", run_id=run_id, status="failed" if error else "succeeded", now=datetime.now(),
            summary=json.dumps(summary) if summary is not None else None, error=error)


def ingest_sources(con: duckdb.DuckDBPyConnection, config: Config, only: list[str] | None = None,
                   on_existing: OnExisting | None = None, progress: Progress | None = None,
                   run_id: int | None = None) -> IngestSummary:
    """Ingest every configured source (or those named in ``only``): customer files first,
    then accounts, tickets, attachments and relations, which point at customers.
    Returns what happened to every file."""
    own_run = run_id is None
    run_id = start_run(con, "ingest") if own_run else run_id
    summary = IngestSummary(run_id)
    sources = [config.sources[name] for name in (only or config.sources)]
    pool = worker_pool()
    try:
        for source in sources:
            for path in source.paths(RecordKind.CUSTOMERS):
                summary.files.append(ingest_customer_file(con, source, path, run_id, on_existing, progress, pool))
        for kind in RELATED_KINDS:
            for source in sources:
                for path in source.paths(kind):
                    summary.files.append(ingest_related_file(con, source, kind, path, run_id, progress))
    except BaseException as exc:
        if own_run:
            finish_run(con, run_id, summary.as_dict(), error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if own_run:
        finish_run(con, run_id, summary.as_dict())
    return summary


def _read(con: duckdb.DuckDBPyConnection, source: SourceConfig, kind: RecordKind, path: Path,
          run_id: int) -> SourceFile | FileOutcome:
    """Read a file, or record it as unchanged (same bytes already ingested: not even parsed)
    or unreadable (one quarantine row, line NULL)."""
    outcome = FileOutcome(source.name, kind.value, str(path), "unreadable")
    digest = file_sha256(path)
    if digest and fetch_sql(con, "file_already_ingested", source_name=source.name, kind=kind.value,
                            sha256=digest)[0][0]:
        outcome.status = "unchanged"
        return outcome
    try:
        fmt = source.format_of(path, kind)
        # related files share the source's encoding; their format and delimiter are their own
        customers = kind is RecordKind.CUSTOMERS
        read = read_source_file(path, fmt, source.encoding, source.delimiter if customers else None,
                                source.sheet if customers else None)
        _check_headers(read, source, kind)
    except UnreadableFile as exc:
        outcome.reason = f"{path.name}: {exc}"
        with transaction(con):
            _quarantine(con, run_id, source.name, kind, path, [BadRow(None, None, str(exc))])
        return outcome
    return read


def _header(source: SourceConfig, canonical: str, kind: RecordKind) -> str:
    """The header a source uses for a canonical column (related files use canonical names)."""
    return source.columns.get(canonical, canonical) if kind is RecordKind.CUSTOMERS else canonical


def _check_headers(read: SourceFile, source: SourceConfig, kind: RecordKind) -> None:
    present = set(read.headers)
    has = ", ".join(read.headers[:12]) + (" ..." if len(read.headers) > 12 else "")
    if kind is RecordKind.CUSTOMERS:
        for canonical, header in source.columns.items():
            if header not in present:
                raise UnreadableFile(f'[sources.{source.name}.columns] {canonical} = "{header}", but the file '
                                     f"has no such column (has: {has})")
    for canonical in REQUIRED_VALUES[kind]:
        if _header(source, canonical, kind) not in present:
            raise UnreadableFile(f"has no {_header(source, canonical, kind)!r} column for {canonical} (has: {has})")


def _raw_json(values: dict[str, str]) -> str:
    return json.dumps(values, ensure_ascii=False)


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: int, source_name: str, kind: RecordKind, path: Path,
                bad: list[BadRow]) -> None:
    if not bad:
        return
    frame = pa.table({"line": [b.line for b in bad], "raw": [b.raw for b in bad], "reason": [b.reason for b in bad]},
                     schema=schemas.QUARANTINE)
    con.register("staged_quarantine", frame)
    try:
        run_sql(con, "insert_quarantine", first_quarantine_id=next_id(con, "quarantine", "quarantine_id"),
                run_id=run_id, source_name=source_name, kind=kind.value, file=str(path), now=datetime.now())
    finally:
        con.unregister("staged_quarantine")


def ingest_customer_file(con: duckdb.DuckDBPyConnection, source: SourceConfig, path: Path, run_id: int,
                         on_existing: OnExisting | None = None, progress: Progress | None = None,
                         pool: ProcessPoolExecutor | None = None) -> FileOutcome:
    """Load one customer file in one transaction; returns what happened to it. With a worker
    ``pool``, a large file is normalised in parallel."""
    read = _read(con, source, RecordKind.CUSTOMERS, path, run_id)
    if isinstance(read, FileOutcome):
        return read
    policy = on_existing or source.on_existing
    ctx = RowContext(source.name, source.country, source.date_formats, source.document_types)
    headers = {c: _header(source, c, RecordKind.CUSTOMERS) for c in canonical_columns(RecordKind.CUSTOMERS)}
    records: list[dict] = []
    contacts: list[dict] = []
    bad: list[BadRow] = []
    first_line_of: dict[tuple[str, str], int] = {}
    raw_of: dict[int, dict[str, str]] = {}
    readable: list[tuple[int, dict[str, str]]] = []
    for row in read.rows:
        if isinstance(row, BadRow):
            bad.append(row)
        else:
            raw_of[row.line] = row.values
            readable.append((row.line, {c: row.values[h] for c, h in headers.items() if h in row.values}))
    total = len(read.rows)
    label = f"{source.name}: {path.name}"
    for line, record, row_contacts, rejection in _normalise(readable, ctx, label, progress, pool):
        if record is None:
            bad.append(BadRow(line, _raw_json(raw_of[line]), rejection or "rejected"))
            continue
        key = (record["source_system"], record["source_record_id"])
        if key in first_line_of:
            bad.append(BadRow(line, _raw_json(raw_of[line]),
                              f"source_record_id {key[1]!r} appears again in this file (first at line "
                              f"{first_line_of[key]}); ids must be unique within a source"))
            continue
        first_line_of[key] = line
        record["line"] = line
        record["raw"] = _raw_json(raw_of[line])
        records.append(record)
        for contact in row_contacts:
            contact["line"] = line
            contacts.append(contact)
    bad.sort(key=lambda b: b.line or 0)
    outcome = FileOutcome(source.name, RecordKind.CUSTOMERS.value, str(path), "loaded", rows_read=total)
    staged = pa.Table.from_pylist(records, schema=schemas.STAGED_CUSTOMERS)
    staged_contacts = pa.Table.from_pylist(contacts, schema=schemas.STAGED_CONTACTS)
    now = datetime.now()
    con.register("staged_customers", staged)
    con.register("staged_contacts", staged_contacts)
    try:
        with transaction(con):
            _quarantine(con, run_id, source.name, RecordKind.CUSTOMERS, path, bad)
            run_sql(con, "stage_incoming_customers")
            run_sql(con, "plan_customer_targets", first_customer_id=next_id(con, "customers", "customer_id"),
                    policy=policy.value)
            outcome.outcomes = Counter(dict(con.execute(
                "SELECT identity_outcome, count(*) FROM planned GROUP BY ALL").fetchall()))
            run_sql(con, "quarantine_refused_identities", first_quarantine_id=next_id(con, "quarantine", "quarantine_id"),
                    run_id=run_id, source_name=source.name, file=str(path), now=now)
            run_sql(con, "insert_new_customers", now=now)
            run_sql(con, "replace_customer_data", now=now)
            run_sql(con, "stage_loaded_records", first_record_key=next_id(con, "source_records", "record_key"))
            run_sql(con, "insert_source_records", run_id=run_id, source_name=source.name, file=str(path), now=now)
            run_sql(con, "link_customer_sources", now=now)
            run_sql(con, "insert_contact_details", first_contact_id=next_id(con, "contact_details", "contact_id"),
                    now=now)
            outcome.loaded = scalar(con, "SELECT count(*) FROM loaded")
            outcome.quarantined = len(bad) + outcome.outcomes["refused"]
            _record_file(con, run_id, source, RecordKind.CUSTOMERS, read, outcome, now)
            for table in ("incoming", "planned", "loaded"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        con.unregister("staged_customers")
        con.unregister("staged_contacts")
    return outcome


def worker_pool() -> ProcessPoolExecutor | None:
    """Worker processes (one per core) for normalising large files, or None on one core.
    Workers start on first use; spawn, not fork, because the parent holds DuckDB and Prefect
    threads that a fork would copy mid-flight."""
    cores = os.cpu_count() or 1
    return ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) if cores > 1 else None


def _normalise(rows: list[tuple[int, dict[str, str]]], ctx: RowContext, label: str, progress: Progress | None,
               pool: ProcessPoolExecutor | None) -> Iterator[Normalised]:
    """Normalise rows in file order; a large file is shared between the pool's workers, since
    normalising phones, e-mails and dates is most of an ingest's time."""
    batches = [rows[i:i + BATCH_ROWS] for i in range(0, len(rows), BATCH_ROWS)]
    if pool is None or len(rows) < PARALLEL_FROM_ROWS:
        results: Iterable[list[Normalised]] = (normalise_batch(b, ctx) for b in batches)
    else:
        results = pool.map(normalise_batch, batches, repeat(ctx))
    yield from _with_progress(results, len(rows), label, progress)


def _with_progress(results: Iterable[list[Normalised]], total: int, label: str,
                   progress: Progress | None) -> Iterator[Normalised]:
    done = 0
    if progress:
        progress(label, 0, total)
    for batch in results:
        done += len(batch)
        if progress:
            progress(label, done, total)
        yield from batch


def _record_file(con: duckdb.DuckDBPyConnection, run_id: int, source: SourceConfig, kind: RecordKind,
                 read: SourceFile, outcome: FileOutcome, now: datetime) -> None:
    run_sql(con, "record_ingested_file", run_id=run_id, source_name=source.name, kind=kind.value,
            file=str(read.path), sha256=read.sha256, size_bytes=read.size_bytes, rows_read=outcome.rows_read,
            rows_loaded=outcome.loaded, rows_quarantined=outcome.quarantined, now=now)


_RELATED_DATES = {RecordKind.ACCOUNTS: ("opened_at", n.parse_date), RecordKind.TICKETS: ("created_at", n.parse_timestamp)}
# kind -> (table, id column, statement that stages the rows, statement that inserts them)
_RELATED_TARGET = {
    RecordKind.ACCOUNTS: ("accounts", "account_id", "stage_related_customer_rows", "insert_accounts"),
    RecordKind.TICKETS: ("tickets", "ticket_id", "stage_related_customer_rows", "insert_tickets"),
    RecordKind.ATTACHMENTS: ("attachments", "attachment_id", "stage_related_attachments", "insert_attachments"),
    RecordKind.RELATIONS: ("customer_relations", "relation_id", "stage_related_relations", "insert_customer_relations"),
}


def ingest_related_file(con: duckdb.DuckDBPyConnection, source: SourceConfig, kind: RecordKind, path: Path,
                        run_id: int, progress: Progress | None = None) -> FileOutcome:
    """Load one accounts / tickets / attachments / relations file in one transaction."""
    read = _read(con, source, kind, path, run_id)
    if isinstance(read, FileOutcome):
        return read
    columns = canonical_columns(kind)
    rows: list[dict] = []
    bad: list[BadRow] = []
    for row in read.rows:
        if isinstance(row, BadRow):
            bad.append(row)
            continue
        values = {c: " ".join(row.values.get(c, "").split()) for c in columns}
        values["source_system"] = values["source_system"] or source.name
        missing = [c for c in REQUIRED_VALUES[kind] if not values[c]]
        if missing:
            bad.append(BadRow(row.line, _raw_json(row.values), f"{', '.join(missing)} is empty"))
            continue
        record: dict = {c: values[c] or None for c in columns}
        if kind in _RELATED_DATES:
            column, parse = _RELATED_DATES[kind]
            try:
                record[column] = parse(values[column], source.date_formats or None)
            except ValueError:
                bad.append(BadRow(row.line, _raw_json(row.values), f"{column} {values[column]!r} is not a date"))
                continue
        record["line"] = row.line
        record["raw"] = _raw_json(row.values)
        rows.append(record)
    if progress:
        progress(f"{source.name}: {path.name}", len(read.rows), len(read.rows))
    outcome = FileOutcome(source.name, kind.value, str(path), "loaded", rows_read=len(read.rows))
    table, id_column, stage, insert = _RELATED_TARGET[kind]
    staged = pa.Table.from_pylist(rows, schema=schemas.STAGED_RELATED[kind])
    now = datetime.now()
    con.register("staged_related", staged)
    try:
        with transaction(con):
            _quarantine(con, run_id, source.name, kind, path, bad)
            run_sql(con, stage)
            problems = scalar(con, "SELECT count(*) FROM related_incoming WHERE problem IS NOT NULL")
            run_sql(con, "quarantine_related_problems", first_quarantine_id=next_id(con, "quarantine", "quarantine_id"),
                    run_id=run_id, source_name=source.name, kind=kind.value, file=str(path), now=now)
            before = scalar(con, f"SELECT count(*) FROM {table}")
            run_sql(con, insert, first_id=next_id(con, table, id_column), now=now)
            outcome.loaded = scalar(con, f"SELECT count(*) FROM {table}") - before
            outcome.quarantined = len(bad) + problems
            _record_file(con, run_id, source, kind, read, outcome, now)
            con.execute("DROP TABLE IF EXISTS related_incoming")
    finally:
        con.unregister("staged_related")
    return outcome
