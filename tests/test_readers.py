"""Reading source files: encodings, BOM, malformed rows, JSON Lines, XLSX, empty files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from merge.readers import BadRow, RawRow, UnreadableFile, read_source_file


def test_csv_with_bom_keeps_first_header_clean(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("id,nombre\n1,José\n".encode("utf-8-sig"))
    read = read_source_file(path, "csv", "utf-8")
    assert read.headers == ["id", "nombre"]
    assert read.rows == [RawRow(2, {"id": "1", "nombre": "José"})]


def test_latin1_file_read_with_its_declared_encoding(tmp_path: Path) -> None:
    path = tmp_path / "cc.csv"
    path.write_bytes("ID;NOMBRE\n7;Núñez Muñoz\n".encode("latin-1"))
    read = read_source_file(path, "csv", "latin-1")
    assert read.rows[0].values == {"ID": "7", "NOMBRE": "Núñez Muñoz"}


def test_latin1_file_declared_utf8_is_unreadable_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "cc.csv"
    path.write_bytes("ID;NOMBRE\n7;ok\n8;Núñez\n".encode("latin-1"))
    with pytest.raises(UnreadableFile, match=r"not valid utf-8 text at line 3.*latin-1"):
        read_source_file(path, "csv", "utf-8")


def test_delimiter_is_guessed_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;name;city\n1;Ana;Cali\n", encoding="utf-8")
    assert read_source_file(path, "csv").rows[0].values == {"id": "1", "name": "Ana", "city": "Cali"}


def test_row_with_extra_or_missing_fields_is_a_bad_row_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,name\n1,Ana\n2,Luis,extra\n\n3\n4,\"Quoted, name\"\n", encoding="utf-8")
    rows = read_source_file(path, "csv").rows
    assert rows[0] == RawRow(2, {"id": "1", "name": "Ana"})
    assert isinstance(rows[1], BadRow) and rows[1].line == 3 and rows[1].raw == "2,Luis,extra"
    assert "3 fields but the header has 2" in rows[1].reason
    assert isinstance(rows[2], BadRow) and rows[2].line == 5  # the blank line 4 is skipped
    assert rows[3] == RawRow(6, {"id": "4", "name": "Quoted, name"})


def test_multiline_quoted_field_keeps_the_line_where_the_row_starts(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,address\n1,"Calle 1\nApto 2"\n2,Cra 7\n', encoding="utf-8")
    rows = read_source_file(path, "csv").rows
    assert [r.line for r in rows] == [2, 4]


def test_empty_file_is_unreadable_and_header_only_has_no_rows(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="empty"):
        read_source_file(empty, "csv")
    header_only = tmp_path / "h.csv"
    header_only.write_text("id,name\n", encoding="utf-8")
    assert read_source_file(header_only, "csv").rows == []


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="not found"):
        read_source_file(tmp_path / "nope.csv", "csv")


def test_jsonl_values_become_text_and_bad_lines_are_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "wa.jsonl"
    path.write_text('{"wa_id": 573001234567, "name": "Ana", "tags": ["vip", "web"], "x": null}\n'
                    '{"wa_id": "2", "name": \n'
                    '[1, 2]\n', encoding="utf-8")
    read = read_source_file(path, "jsonl")
    assert read.rows[0] == RawRow(1, {"wa_id": "573001234567", "name": "Ana", "tags": "vip;web", "x": ""})
    assert isinstance(read.rows[1], BadRow) and read.rows[1].line == 2 and "not valid JSON" in read.rows[1].reason
    assert isinstance(read.rows[2], BadRow) and "not an object" in read.rows[2].reason


def test_xlsx_numbers_and_dates_read_as_the_text_a_person_typed(tmp_path: Path) -> None:
    path = tmp_path / "erp.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "clientes"
    sheet.append(["Código", "Nro Documento", "Nacimiento", "Saldo"])
    sheet.append([1001, 1234567, dt.date(1990, 5, 17), 12.5])
    sheet.append([None, None, None, None])
    sheet.append(["1002", "900.123.456-8", "17/05/1990", None])
    book.save(path)
    read = read_source_file(path, "xlsx", sheet="clientes")
    assert read.headers == ["Código", "Nro Documento", "Nacimiento", "Saldo"]
    assert read.rows == [
        RawRow(2, {"Código": "1001", "Nro Documento": "1234567", "Nacimiento": "1990-05-17", "Saldo": "12.5"}),
        RawRow(4, {"Código": "1002", "Nro Documento": "900.123.456-8", "Nacimiento": "17/05/1990", "Saldo": ""}),
    ]
    with pytest.raises(UnreadableFile, match="no sheet 'clients'"):
        read_source_file(path, "xlsx", sheet="clients")


def test_same_bytes_same_digest(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id\n1\n", encoding="utf-8")
    b.write_text("id\n1\n", encoding="utf-8")
    assert read_source_file(a, "csv").sha256 == read_source_file(b, "csv").sha256
