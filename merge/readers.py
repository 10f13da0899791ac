"""Read source files (CSV, XLSX, JSON Lines) into rows of text, keeping file line numbers.

A row that cannot be read is a ``BadRow`` (data for the quarantine), not an exception; a
file that cannot be read at all raises ``UnreadableFile`` with a reason a person can act on.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_DELIMITERS = (",", ";", "\t", "|")


class UnreadableFile(Exception):
    """The whole file cannot be read; ``str(exc)`` says why and what to do."""


@dataclass(frozen=True)
class RawRow:
    """One readable row: the file line where it starts, and its values by header."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """One row that cannot be read, with its raw content and the reason (line and raw are
    None when the whole file could not be read)."""

    line: int | None
    raw: str | None
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """A read file: its headers and its rows in file order."""

    path: Path
    headers: list[str]
    rows: list[RawRow | BadRow]
    sha256: str
    size_bytes: int


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def read_source_file(path: Path, fmt: str, encoding: str = "utf-8", delimiter: str | None = None,
                     sheet: str | None = None) -> SourceFile:
    """Read one file in full; returns its headers and rows, or raises ``UnreadableFile``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile("file not found; check the path or glob in unifica.toml") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be opened: {exc.strerror or exc}") from None
    if not data.strip():
        raise UnreadableFile("file is empty (not even a header row)")
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "csv":
        headers, rows = _read_csv(_decode(data, encoding), delimiter)
    elif fmt == "jsonl":
        headers, rows = _read_jsonl(_decode(data, encoding))
    elif fmt == "xlsx":
        headers, rows = _read_xlsx(path, sheet)
    else:
        raise UnreadableFile(f"unknown format {fmt!r} (csv, xlsx or jsonl)")
    return SourceFile(path, headers, rows, digest, len(data))


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        hint = ' (try encoding = "latin-1" or "cp1252")' if encoding.lower().replace("_", "-").startswith("utf") \
            else ""
        raise UnreadableFile(f"is not valid {encoding} text at line {line}{hint}") from None
    return text.removeprefix("\ufeff")  # a BOM is not part of the first header


def _guess_delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count)


def _read_csv(text: str, delimiter: str | None) -> tuple[list[str], list[RawRow | BadRow]]:
    lines = text.splitlines()
    delimiter = delimiter or _guess_delimiter(lines[0] if lines else "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFile(f"has no readable header row: {exc}") from None
    if len(set(headers)) != len(headers):
        dupes = sorted({h for h in headers if headers.count(h) > 1})
        raise UnreadableFile(f"header names {', '.join(map(repr, dupes))} more than once")
    rows: list[RawRow | BadRow] = []
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # strict mode stops on a broken quote; the rest of the file cannot be trusted either
            rows.append(BadRow(start, "\n".join(lines[start - 1:]), f"malformed CSV from here on: {exc}"))
            break
        end = reader.line_num
        previous_end = end
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # blank line
        if len(fields) != len(headers):
            raw = "\n".join(lines[start - 1:end])
            rows.append(BadRow(start, raw, f"has {len(fields)} fields but the header has {len(headers)} "
                                           f"(a stray {delimiter!r} or a missing value?)"))
            continue
        rows.append(RawRow(start, dict(zip(headers, fields))))
    return headers, rows


def _text_value(value: object) -> str:
    """JSON or spreadsheet values as the text a CSV would have carried."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(_text_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_jsonl(text: str) -> tuple[list[str], list[RawRow | BadRow]]:
    headers: dict[str, None] = {}
    rows: list[RawRow | BadRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(BadRow(number, line, f"is not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(obj, dict):
            rows.append(BadRow(number, line, f"is a JSON {type(obj).__name__}, not an object of fields"))
            continue
        headers.update(dict.fromkeys(obj))
        rows.append(RawRow(number, {k: _text_value(v) for k, v in obj.items()}))
    return list(headers), rows


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[RawRow | BadRow]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise UnreadableFile(f"is not a readable XLSX workbook: {exc}") from None
    if sheet is not None and sheet not in book.sheet_names:
        raise UnreadableFile(f"has no sheet {sheet!r} (has: {', '.join(book.sheet_names)})")
    grid = book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python(skip_empty_area=False)
    if not grid:
        raise UnreadableFile("the sheet is empty (not even a header row)")
    headers = [_text_value(h).strip() for h in grid[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows: list[RawRow | BadRow] = []
    for number, cells in enumerate(grid[1:], start=2):
        values = [_text_value(c) for c in cells]
        if not any(v.strip() for v in values):
            continue
        extra = [v for v in values[len(headers):] if v.strip()]
        if extra:
            rows.append(BadRow(number, json.dumps(values, ensure_ascii=False),
                               f"has values beyond the last header column ({len(headers)} headers)"))
            continue
        rows.append(RawRow(number, dict(zip(headers, values + [""] * (len(headers) - len(values))))))
    return headers, rows
