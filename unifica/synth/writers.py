"""Writing the generated files: customer files in each source's format, related CSVs, ground
truth, the bad-row list and unifica.toml. Nothing here depends on the clock, so a seed always
gives the same bytes (the XLSX zip members carry the reference date).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from unifica.synth.sources import SourceStyle

Progress = Callable[[str, int, int], None]
CHUNK = 50_000
REFERENCE_TIME = dt.datetime(2026, 1, 1)


def _chunks(n: int) -> Iterable[tuple[int, int]]:
    for start in range(0, n, CHUNK):
        yield start, min(n, start + CHUNK)


def _report(progress: Progress | None, name: str, done: int, total: int) -> None:
    if progress is not None:
        progress(name, done, total)


def write_customers(path: Path, style: SourceStyle, values: dict[str, np.ndarray], bad_kind: np.ndarray,
                    progress: Progress | None = None) -> None:
    """One customer file, its columns in the style's order; bad rows broken the way they are meant to be."""
    columns = [values[c] for c, _ in style.columns]
    if style.file_format == "csv":
        _write_csv(path, style, columns, bad_kind, progress)
    elif style.file_format == "jsonl":
        _write_jsonl(path, style, columns, bad_kind, progress)
    else:
        _write_xlsx(path, style, columns, progress)


def _write_csv(path: Path, style: SourceStyle, columns: list[np.ndarray], bad_kind: np.ndarray,
               progress: Progress | None) -> None:
    n = len(bad_kind)
    split_at = [c for c, _ in style.columns].index("address") + 1  # a stray delimiter after the address
    with open(path, "w", encoding=style.encoding, newline="") as f:
        writer = csv.writer(f, delimiter=style.delimiter, lineterminator=style.line_end,
                            quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(style.header)
        for start, stop in _chunks(n):
            rows: list[Sequence[str]] = list(zip(*(c[start:stop] for c in columns)))
            for i in np.flatnonzero(bad_kind[start:stop] == "extra_fields"):
                row = list(rows[i])
                rows[i] = row[:split_at] + ["Int. 2"] + row[split_at:]
            writer.writerows(rows)
            _report(progress, path.name, stop, n)


def _write_jsonl(path: Path, style: SourceStyle, columns: list[np.ndarray], bad_kind: np.ndarray,
                 progress: Progress | None) -> None:
    n = len(bad_kind)
    keys = style.header
    with open(path, "w", encoding=style.encoding, newline="\n") as f:
        for start, stop in _chunks(n):
            lines = []
            for i, row in enumerate(zip(*(c[start:stop] for c in columns)), start):
                line = json.dumps({k: (x if x != "" else None) for k, x in zip(keys, row)}, ensure_ascii=False)
                if bad_kind[i] == "invalid_json":  # cut off mid-record, as a crashed export leaves it
                    line = line[: len(line) // 2]
                lines.append(line)
            f.write("\n".join(lines) + "\n")
            _report(progress, path.name, stop, n)


class _FixedTimeZipFile(zipfile.ZipFile):
    """A zip whose members all carry the reference time instead of "now"."""

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=REFERENCE_TIME.timetuple()[:6])
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: str | bytes, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: str | Path, arcname: str | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        with open(filename, "rb") as src, self.open(self._info(arcname or str(filename)), "w", force_zip64=True) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def _write_xlsx(path: Path, style: SourceStyle, columns: list[np.ndarray], progress: Progress | None) -> None:
    n = len(columns[0])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("clientes")
    ws.append(style.header)
    for start, stop in _chunks(n):
        for row in zip(*(c[start:stop] for c in columns)):
            ws.append([None if x == "" else x for x in row])
        _report(progress, path.name, stop, n)
    wb.properties.created = wb.properties.modified = REFERENCE_TIME
    with _FixedTimeZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",",
                encoding: str = "utf-8") -> None:
    """A plain CSV (related files, truth, bad rows)."""
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in value) + "]"
    return str(value)


def write_config(path: Path, customers: int, seed: int, styles: Sequence[SourceStyle],
                 files: dict[str, list[str]], related: dict[str, dict[str, list[str]]]) -> None:
    """unifica.toml mapping every source (DESIGN.md "Configuration"), paths relative to it."""
    lines = [f"# written by `unifica generate --customers {customers} --seed {seed}`",
             "[warehouse]", 'path = "unifica.duckdb"', ""]
    for style in styles:
        lines.append(f"[sources.{style.name}]")
        entries: list[tuple[str, object]] = [("files", files[style.name]), ("format", style.file_format)]
        if style.file_format == "xlsx":
            entries.append(("sheet", "clientes"))
        else:
            entries.append(("encoding", style.encoding))
        if style.file_format == "csv":
            entries.append(("delimiter", style.delimiter))
        entries += [("country", "CO"), ("on_existing", "replace"), ("date_format", list(style.date_formats))]
        entries += [(kind, related.get(style.name, {}).get(kind, [])) for kind in
                    ("accounts", "tickets", "attachments", "relations")]
        lines += [f"{k} = {_toml(x)}" for k, x in entries]
        lines += ["", f"[sources.{style.name}.columns]"]
        lines += [f"{canonical} = {_toml(header)}" for canonical, header in style.columns]
        lines.append("")
    lines += ["[matching]", "auto_merge = 0.95", "review = 0.60", "",
              "[export]", 'allowed_roles = ["admin", "steward"]', "",
              "[schedule]", 'cron = "0 2 * * *"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
