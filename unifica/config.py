"""Load and check ``unifica.toml`` (DESIGN.md, "Configuration").

Paths in the file are relative to the file itself. A mistake in the file is a
``UnificaError`` naming the section and key, never a traceback.
"""
from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from merge.survivorship import check_rules
from unifica.roles import DEFAULT_ROLES, parse_roles
from schemas.records import OnExisting, RecordKind, canonical_columns
from unifica.errors import UnificaError

DEFAULT_CONFIG = Path("unifica.toml")
FORMATS = ("csv", "xlsx", "jsonl")
_EXTENSION_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                      ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
RELATED_KINDS = (RecordKind.ACCOUNTS, RecordKind.TICKETS, RecordKind.ATTACHMENTS, RecordKind.RELATIONS)
_SOURCE_KEYS = {"files", "format", "encoding", "delimiter", "country", "on_existing", "date_format",
                "sheet", "columns", "document_types", "source_system", *RELATED_KINDS}


@dataclass(frozen=True)
class SourceConfig:
    """One source system: where its files are and how to read them."""

    name: str
    files: tuple[str, ...]
    base_dir: Path
    format: str | None = None
    encoding: str = "utf-8"
    delimiter: str | None = None
    country: str | None = None
    on_existing: OnExisting = OnExisting.REPLACE
    date_formats: tuple[str, ...] = ()
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> this source's header
    document_types: dict[str, str] = field(default_factory=dict)  # extra spellings -> canonical code
    related: dict[RecordKind, tuple[str, ...]] = field(default_factory=dict)

    def paths(self, kind: RecordKind = RecordKind.CUSTOMERS) -> list[Path]:
        """The existing files of one kind, globs expanded, sorted; a pattern matching nothing is skipped."""
        patterns = self.files if kind is RecordKind.CUSTOMERS else self.related.get(kind, ())
        found: list[Path] = []
        for pattern in patterns:
            full = pattern if Path(pattern).is_absolute() else str(self.base_dir / pattern)
            matches = sorted(glob.glob(full)) if glob.has_magic(full) else [full]
            found.extend(Path(m) for m in matches if Path(m).is_file() or not glob.has_magic(full))
        return list(dict.fromkeys(found))

    def format_of(self, path: Path, kind: RecordKind = RecordKind.CUSTOMERS) -> str:
        """The file format: the configured one for customer files, else the extension's."""
        if self.format and kind is RecordKind.CUSTOMERS:
            return self.format
        fmt = _EXTENSION_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise UnificaError(f'[sources.{self.name}]: cannot tell the format of {path.name}; '
                               f'set format = "csv" | "xlsx" | "jsonl"')
        return fmt


@dataclass(frozen=True)
class MatchingConfig:
    auto_merge: float = 0.95
    review: float = 0.60
    model: str = "auto"
    # a dedupe run fits the model again (and re-scores every pair) when a customer type has
    # grown by more than this share since the fit; otherwise it scores only what is new
    refit_growth: float = 1.0


@dataclass(frozen=True)
class MergeConfig:
    fill_missing: bool = True                      # fill the main customer's empty basic fields
    survivorship: tuple[str, ...] = ("most_complete", "most_recent", "oldest")


@dataclass(frozen=True)
class RuntimeConfig:
    task_runner: str = "default"                   # default | dask (pipelines/scale_out.py)
    address: str | None = None                     # a Dask scheduler; None: a local cluster
    workers: int | None = None                     # local cluster's worker processes (None: one per core)


@dataclass(frozen=True)
class Config:
    """The whole ``unifica.toml``."""

    path: Path
    warehouse: Path
    sources: dict[str, SourceConfig]
    matching: MatchingConfig
    merge: MergeConfig
    allowed_export_roles: tuple[str, ...]
    schedule_cron: str
    raw: dict[str, Any]
    review_folder: Path = Path(".")                # where `unifica review export` writes its reports
    roles: dict[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_ROLES))  # role -> actions
    schedule_timezone: str | None = None            # None: this machine's time zone
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    export_folder: Path = Path(".")                # where the nightly run writes customers-<date>.xlsx
    nightly_export: bool = True                    # the consolidation flow exports the customer base


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read and check a config file; returns the typed ``Config``."""
    path = Path(path)
    if not path.is_file():
        raise UnificaError(f"{path}: no such config file (create one with `unifica init`)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnificaError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    """Check a parsed TOML document; returns the typed ``Config``."""
    base = path.resolve().parent
    where = path.name
    warehouse = _table(raw, "warehouse", where)
    wh_path = Path(_text(warehouse, "path", f"{where} [warehouse]", "unifica.duckdb"))
    sources_raw = _table(raw, "sources", where)
    sources = {name: _source(name, _table(sources_raw, name, f"{where} [sources]"), base, where)
               for name in sources_raw}
    matching_raw = _table(raw, "matching", where)
    matching = MatchingConfig(
        auto_merge=_probability(matching_raw, "auto_merge", where, 0.95),
        review=_probability(matching_raw, "review", where, 0.60),
        model=_text(matching_raw, "model", f"{where} [matching]", "auto"),
        refit_growth=_share(matching_raw, "refit_growth", where, 1.0),
    )
    if matching.review > matching.auto_merge:
        raise UnificaError(f"{where} [matching]: review ({matching.review}) must not be above "
                           f"auto_merge ({matching.auto_merge})")
    if matching.model not in ("auto", "unsupervised", "supervised"):
        raise UnificaError(f'{where} [matching]: model = "{matching.model}" is not one of auto, unsupervised, supervised')
    merge_raw = _table(raw, "merge", where)
    fill_missing = merge_raw.get("fill_missing", True)
    if not isinstance(fill_missing, bool):
        raise UnificaError(f"{where} [merge]: fill_missing must be true or false, got {fill_missing!r}")
    survivorship = merge_raw.get("survivorship", list(MergeConfig.survivorship))
    if not isinstance(survivorship, list) or not all(isinstance(r, str) for r in survivorship):
        raise UnificaError(f"{where} [merge]: survivorship must be a list of rule names")
    export = _table(raw, "export", where)
    roles = export.get("allowed_roles", ["admin", "steward"])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise UnificaError(f"{where} [export]: allowed_roles must be a list of role names")
    schedule = _table(raw, "schedule", where)
    review_folder = Path(_text(_table(raw, "review", where), "folder", f"{where} [review]", "."))
    return Config(
        path=path,
        warehouse=wh_path if wh_path.is_absolute() else base / wh_path,
        sources=sources,
        matching=matching,
        merge=MergeConfig(fill_missing=fill_missing,
                          survivorship=check_rules(survivorship, f"{where} [merge] survivorship")),
        allowed_export_roles=tuple(roles),
        schedule_cron=_text(schedule, "cron", f"{where} [schedule]", "0 2 * * *"),
        raw=raw,
        review_folder=review_folder if review_folder.is_absolute() else base / review_folder,
        roles=parse_roles(_table(raw, "roles", where), where),
        schedule_timezone=_timezone(schedule, where),
        runtime=_runtime(_table(raw, "runtime", where), where),
        export_folder=_folder(export, "folder", f"{where} [export]", base),
        nightly_export=_flag(export, "nightly", f"{where} [export]", True),
    )


def _source(name: str, raw: dict[str, Any], base: Path, where: str) -> SourceConfig:
    here = f"{where} [sources.{name}]"
    unknown = sorted(set(raw) - _SOURCE_KEYS)
    if unknown:
        raise UnificaError(f"{here}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_SOURCE_KEYS))})")
    fmt = raw.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise UnificaError(f'{here}: format = "{fmt}" is not one of csv, xlsx, jsonl')
    on_existing = raw.get("on_existing", OnExisting.REPLACE.value)
    if on_existing not in {o.value for o in OnExisting}:
        raise UnificaError(f'{here}: on_existing = "{on_existing}" is not one of skip, replace, fail')
    encoding = _text(raw, "encoding", here, "utf-8")
    try:
        "".encode(encoding)
    except LookupError:
        raise UnificaError(f'{here}: encoding = "{encoding}" is not an encoding Python knows '
                           f'(e.g. "utf-8", "latin-1", "cp1252")') from None
    columns = _table(raw, "columns", here)
    known = canonical_columns(RecordKind.CUSTOMERS)
    for canonical, header in columns.items():
        if canonical not in known:
            raise UnificaError(f"{here}.columns: {canonical!r} is not a canonical column "
                               f"(canonical: {', '.join(known)})")
        if not isinstance(header, str) or not header:
            raise UnificaError(f"{here}.columns: {canonical} must name this source's header as text")
    date_formats = raw.get("date_format", [])
    date_formats = [date_formats] if isinstance(date_formats, str) else date_formats
    delimiter = raw.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise UnificaError(f'{here}: delimiter must be one character, e.g. "," or ";"')
    doc_types = _table(raw, "document_types", here)
    return SourceConfig(
        name=name,
        files=_paths(raw, "files", here),
        base_dir=base,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        country=(raw.get("country") or None) and str(raw["country"]).upper(),
        on_existing=OnExisting(on_existing),
        date_formats=tuple(date_formats),
        sheet=raw.get("sheet"),
        columns=dict(columns),
        document_types={str(k): str(v) for k, v in doc_types.items()},
        related={kind: _paths(raw, kind.value, here) for kind in RELATED_KINDS},
    )


def _folder(raw: dict[str, Any], key: str, where: str, base: Path) -> Path:
    """A folder named in the config, relative to the config's own folder."""
    folder = Path(_text(raw, key, where, "."))
    return folder if folder.is_absolute() else base / folder


def _flag(raw: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise UnificaError(f"{where}: {key} must be true or false, got {value!r}")
    return value


def _runtime(raw: dict[str, Any], where: str) -> RuntimeConfig:
    """``[runtime]``: where the candidate pairs are compared."""
    here = f"{where} [runtime]"
    runner = _text(raw, "task_runner", here, "default")
    if runner not in ("default", "dask"):
        raise UnificaError(f'{here}: task_runner = "{runner}" is not one of default, dask')
    workers = raw.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise UnificaError(f"{here}: workers must be a whole number of at least 1, got {workers!r}")
    return RuntimeConfig(runner, _text(raw, "address", here, "") or None, workers)


def _timezone(schedule: dict[str, Any], where: str) -> str | None:
    """``[schedule] timezone``, an IANA name ("America/Bogota"); None when absent."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _text(schedule, "timezone", f"{where} [schedule]", "")
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnificaError(f'{where} [schedule]: timezone = "{name}" is not a time zone name '
                           f'(e.g. "America/Bogota", "UTC")') from None
    return name


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise UnificaError(f"{where}: [{key}] must be a table")
    return value


def _text(raw: dict[str, Any], key: str, where: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise UnificaError(f"{where}: {key} must be text, got {value!r}")
    return value


def _paths(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UnificaError(f"{where}: {key} must be a list of file paths or globs")
    return tuple(value)


def _share(raw: dict[str, Any], key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise UnificaError(f"{where} [matching]: {key} must be a number of at least 0, got {value!r}")
    return float(value)


def _probability(raw: dict[str, Any], key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise UnificaError(f"{where} [matching]: {key} must be a number between 0 and 1, got {value!r}")
    return float(value)
