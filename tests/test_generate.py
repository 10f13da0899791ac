"""unifica.synth.generate: real files written to tmp_path and read back the way the config says.

Tolerances: the record count is exact (customers = rows written across all sources, bad rows
included); the duplicated-entity share is within 0.01 of the requested one (rounding only).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import tomllib
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import phonenumbers
import pytest
from stdnum.br import cnpj, cpf
from stdnum.co import nit

from schemas.records import CUSTOMER_COLUMNS, RecordKind, canonical_columns
from unifica.errors import UnificaError
from unifica.synth import BAD_ROW_KINDS, generate
from unifica.synth.documents import cnpj_check_digits, cpf_check_digits, nit_check_digit
from unifica.synth.entities import draw_entities
from unifica.synth.sources import STYLES
from unifica.synth.vocab import ACCENT_FOLD, CALL_CENTRE_OWN_PHONE, CALLING_CODES, NICKNAMES

N, SEED = 2000, 11
ORIGINAL_ROLES = {"original", "relative", "namesake", "similar_company"}


@dataclass
class Row:
    source: str
    file: str
    line: int
    fields: list | None  # CSV fields / XLSX cells as read; None for JSON that does not parse
    record: dict | None  # canonical column -> value ("" when empty); None when fields != header


@dataclass
class Dataset:
    out: Path
    summary: object
    config: dict
    rows: list[Row]
    truth: list[dict]
    bad: dict[tuple[str, int], str]


def _read_source(out: Path, name: str, cfg: dict) -> list[Row]:
    mapping = cfg["columns"]
    header_to_canonical = {h: c for c, h in mapping.items()}
    paths = sorted(p for pattern in cfg["files"] for p in out.glob(pattern))
    assert paths, f"{name}: {cfg['files']} match no file"
    rows = []
    for path in paths:
        if cfg["format"] == "csv":
            with open(path, encoding=cfg["encoding"], newline="") as f:
                reader = csv.reader(f, delimiter=cfg["delimiter"])
                assert next(reader) == list(mapping.values())
                for fields in reader:
                    record = dict(zip(mapping, fields)) if len(fields) == len(mapping) else None
                    rows.append(Row(name, path.name, reader.line_num, fields, record))
        elif cfg["format"] == "jsonl":
            with open(path, encoding=cfg["encoding"]) as f:
                for line_no, line in enumerate(f, 1):
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError:
                        rows.append(Row(name, path.name, line_no, None, None))
                        continue
                    assert list(obj) == list(mapping.values())
                    record = {header_to_canonical[k]: "" if x is None else x for k, x in obj.items()}
                    rows.append(Row(name, path.name, line_no, list(obj.values()), record))
        else:
            wb = openpyxl.load_workbook(path, read_only=True)
            sheet = wb[cfg["sheet"]]
            it = sheet.iter_rows(values_only=True)
            assert list(next(it)) == list(mapping.values())
            for row_no, cells in enumerate(it, 2):
                record = {c: "" if x is None else x for c, x in zip(mapping, cells)}
                rows.append(Row(name, path.name, row_no, list(cells), record))
            wb.close()
    return rows


def _load(out: Path, summary: object) -> Dataset:
    config = tomllib.loads((out / "unifica.toml").read_text(encoding="utf-8"))
    rows = [r for name, cfg in config["sources"].items() for r in _read_source(out, name, cfg)]
    with open(out / "truth.csv", encoding="utf-8", newline="") as f:
        truth = list(csv.DictReader(f))
    with open(out / "bad_rows.csv", encoding="utf-8", newline="") as f:
        bad = {(r["file"], int(r["line"])): r["kind"] for r in csv.DictReader(f)}
    return Dataset(out, summary, config, rows, truth, bad)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("generated")
    return _load(out, generate(out, customers=N, seed=SEED))


def _parses(value: object, formats: list[str]) -> bool:
    if isinstance(value, dt.date):  # an Excel date cell
        return True
    for fmt in formats:
        try:
            dt.datetime.strptime(value, fmt)
            return True
        except ValueError:
            pass
    return False


def _fold(s: str) -> str:
    return s.translate(ACCENT_FOLD).lower()


def _truth_by_line(data: Dataset) -> dict[tuple[str, int], dict]:
    return {(t["file"], int(t["line"])): t for t in data.truth}


# --- determinism -------------------------------------------------------------------------

def test_same_seed_writes_identical_files(data: Dataset, tmp_path: Path) -> None:
    generate(tmp_path, customers=N, seed=SEED)
    first = sorted(p.name for p in data.out.iterdir())
    assert first == sorted(p.name for p in tmp_path.iterdir())
    for name in first:
        assert (data.out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_different_seed_writes_different_files(data: Dataset, tmp_path: Path) -> None:
    generate(tmp_path, customers=N, seed=SEED + 1)
    for name in ("web_form_2025.csv", "whatsapp.jsonl", "email.csv", "call_centre.csv", "erp.xlsx", "truth.csv"):
        assert (data.out / name).read_bytes() != (tmp_path / name).read_bytes(), name


def test_xlsx_carries_no_clock_time(data: Dataset) -> None:
    with zipfile.ZipFile(data.out / "erp.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert "2026-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()


# --- shape of the files ------------------------------------------------------------------

def test_record_count_is_exactly_the_requested_one(data: Dataset) -> None:
    assert len(data.rows) == N == data.summary.records
    assert sum(data.summary.records_per_source.values()) == N
    assert len(data.truth) == N


def test_config_has_the_contract_keys(data: Dataset) -> None:
    cfg = data.config
    assert cfg["warehouse"]["path"] == "unifica.duckdb"
    assert cfg["matching"] == {"auto_merge": 0.95, "review": 0.60}
    assert cfg["export"]["allowed_roles"] == ["admin", "steward"]
    assert cfg["schedule"]["cron"] == "0 2 * * *"
    assert set(cfg["sources"]) == {"web_form", "whatsapp", "email", "call_centre", "erp"}
    for name, source in cfg["sources"].items():
        for key in ("files", "format", "country", "on_existing", "date_format", "columns",
                    "accounts", "tickets", "attachments", "relations"):
            assert key in source, (name, key)
        assert source["on_existing"] in ("skip", "replace", "fail")
        assert source["format"] in ("csv", "xlsx", "jsonl")
        assert "source_record_id" in source["columns"]
        assert set(source["columns"]) <= set(CUSTOMER_COLUMNS), name
        assert len(set(source["columns"].values())) == len(source["columns"]), name
        if source["format"] == "csv":
            assert source["delimiter"] and source["encoding"]
        for kind in ("accounts", "tickets", "attachments", "relations"):
            for pattern in source[kind]:
                assert list(data.out.glob(pattern)), (name, pattern)
    assert cfg["sources"]["erp"]["sheet"] == "clientes"
    assert cfg["sources"]["call_centre"]["encoding"] == "latin-1"
    assert cfg["sources"]["web_form"]["encoding"] == "utf-8-sig"


def test_files_are_in_their_declared_encodings(data: Dataset) -> None:
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in data.out.glob("web_form_*.csv"))
    raw = (data.out / "call_centre.csv").read_bytes()
    raw.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):  # accented letters are single Latin-1 bytes
        raw.decode("utf-8")
    assert b"\r\n" in raw
    assert "á" in (data.out / "whatsapp.jsonl").read_text(encoding="utf-8")  # UTF-8, not escaped


def test_related_files_have_canonical_headers(data: Dataset) -> None:
    for name, source in data.config["sources"].items():
        delimiter = source.get("delimiter", ",")
        for kind in ("accounts", "tickets", "attachments", "relations"):
            for pattern in source[kind]:
                for path in data.out.glob(pattern):
                    header = path.read_text(encoding="ascii").splitlines()[0].split(delimiter)
                    expected = list(canonical_columns(RecordKind(kind)))
                    expected.remove("source_system")  # absent: the source's own name
                    assert header == expected, path.name


def test_each_source_has_its_own_styles(data: Dataset) -> None:
    values: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in data.rows:
        if r.record:
            for col in ("document_type", "document_number", "phone", "date_of_birth", "source_record_id"):
                if r.record.get(col):
                    values[r.source][col].add(r.record[col])
    assert {"C.C.", "Cédula de ciudadanía"} <= values["web_form"]["document_type"]
    assert {"cc", "cpf"} <= values["email"]["document_type"]
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", d) for d in values["web_form"]["document_number"])
    assert any(re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d", d) for d in values["erp"]["document_number"])  # NIT
    assert all(re.fullmatch(r"\+\d+ [\d ()-]+", p) for p in values["whatsapp"]["phone"])
    assert any(re.fullmatch(r"\(3\d\d\) \d{3}-\d{4}", p) for p in values["call_centre"]["phone"])
    assert any(";" in p for p in values["call_centre"]["phone"])
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in values["web_form"]["date_of_birth"])
    assert any(re.fullmatch(r"\d\d-\d\d-\d{4}", d) for d in values["call_centre"]["date_of_birth"])
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in values["email"]["date_of_birth"])
    assert any(isinstance(d, dt.datetime) for d in values["erp"]["date_of_birth"])
    assert all(re.fullmatch(r"WF-\d{6,}", i) for i in values["web_form"]["source_record_id"])
    assert all(re.fullmatch(r"wa_\d+_\d+", i) for i in values["whatsapp"]["source_record_id"])
    assert all(re.fullmatch(r"\d+", i) for i in values["erp"]["source_record_id"])


def test_channels_always_carry_their_own_contact(data: Dataset) -> None:
    checked = Counter()
    for r in data.rows:
        if r.record and (r.file, r.line) not in data.bad:
            if r.source == "email":
                assert "@" in r.record["email"] and ";" not in r.record["email"], (r.file, r.line)
            if r.source == "whatsapp":
                digits = re.sub(r"\D", "", r.record["phone"])
                assert r.record["source_record_id"].startswith(f"wa_{digits}_"), (r.file, r.line)
            checked[r.source] += 1
    assert checked["email"] and checked["whatsapp"]


# --- values ------------------------------------------------------------------------------

def _document_codes() -> dict[tuple[str, str], str]:
    return {(name, spelling): code for name, style in STYLES.items()
            for code, spellings in style.doc_types.items() for spelling in spellings}


def test_documents_of_originals_have_valid_check_digits(data: Dataset) -> None:
    codes, by_line = _document_codes(), _truth_by_line(data)
    checked = Counter()
    for r in data.rows:
        if not r.record or not r.record.get("document_number"):
            continue
        code = codes[(r.source, r.record["document_type"])]
        number = re.sub(r"[^0-9]", "", r.record["document_number"])
        if by_line[(r.file, r.line)]["role"] in ORIGINAL_ROLES and code in ("CPF", "CNPJ", "NIT"):
            assert {"CPF": cpf, "CNPJ": cnpj, "NIT": nit}[code].is_valid(number), (r.file, r.line, number)
            checked[code] += 1
    assert min(checked.values()) >= 20 and len(checked) == 3, checked


def test_phones_of_originals_normalise_with_the_source_country(data: Dataset) -> None:
    by_line, checked = _truth_by_line(data), 0
    for r in data.rows:
        if not r.record or by_line[(r.file, r.line)]["role"] not in ORIGINAL_ROLES:
            continue
        for phone in filter(None, r.record["phone"].split(";")):
            number = phonenumbers.parse(phone, data.config["sources"][r.source]["country"])
            assert phonenumbers.is_valid_number(number), (r.file, r.line, phone)
            if number.national_number != int(CALL_CENTRE_OWN_PHONE):
                assert str(number.country_code) == CALLING_CODES[r.record["country"]], (r.file, r.line, phone)
            checked += 1
    assert checked > N / 2


def test_dates_of_good_rows_parse_with_the_configured_formats(data: Dataset) -> None:
    checked = 0
    for r in data.rows:
        if r.record and (r.file, r.line) not in data.bad:
            formats = data.config["sources"][r.source]["date_format"]
            for col in ("date_of_birth", "updated_at"):
                if r.record.get(col):
                    assert _parses(r.record[col], formats), (r.file, r.line, col, r.record[col])
                    checked += 1
            assert r.record["updated_at"], (r.file, r.line)
    assert checked > N


def test_text_has_accents_nicknames_and_junk_values(data: Dataset) -> None:
    text = [str(x) for r in data.rows if r.record for x in r.record.values()]
    first_names = {r.record["first_name"] for r in data.rows if r.record}
    assert any(ch in "".join(text) for ch in "ñç") and "María" in " ".join(text)
    assert {n for n, _, _ in NICKNAMES} & first_names
    assert "sin@correo.com" in text or "notiene@gmail.com" in text
    assert any(CALL_CENTRE_OWN_PHONE[3:6] in t and CALL_CENTRE_OWN_PHONE[6:] in t for t in text)


# --- ground truth ------------------------------------------------------------------------

def test_truth_covers_every_record(data: Dataset) -> None:
    by_line = _truth_by_line(data)
    assert len(by_line) == len(data.truth)
    assert set(by_line) == {(r.file, r.line) for r in data.rows}
    for r in data.rows:
        t = by_line[(r.file, r.line)]
        assert t["source_system"] == r.source
        if r.record:
            assert t["source_record_id"] == r.record["source_record_id"], (r.file, r.line)
        else:  # extra fields or broken JSON: the id comes from the truth alone
            assert (r.file, r.line) in data.bad and t["role"] == "bad"
    assert all(t["role"] == "bad" for t in data.truth if (t["file"], int(t["line"])) in data.bad)


def test_duplicate_share_is_the_requested_one(data: Dataset, tmp_path: Path) -> None:
    def share(truth: list[dict]) -> float:
        good = Counter(t["entity_id"] for t in truth if t["role"] != "bad")
        return sum(1 for c in good.values() if c >= 2) / len(good)

    assert abs(share(data.truth) - 0.3) <= 0.01
    assert data.summary.duplicated_entities / data.summary.entities == pytest.approx(share(data.truth))
    generate(tmp_path, customers=1000, seed=3, duplicate_share=0.5)
    with open(tmp_path / "truth.csv", encoding="utf-8", newline="") as f:
        assert abs(share(list(csv.DictReader(f))) - 0.5) <= 0.01


def test_many_duplicates_differ_in_their_document(data: Dataset) -> None:
    codes, by_line = _document_codes(), _truth_by_line(data)
    original: dict[str, str] = {}
    docs: dict[tuple[str, int], str] = {}
    for r in data.rows:
        if r.record:
            docs[(r.file, r.line)] = re.sub(r"[^0-9A-Z]", "", str(r.record.get("document_number", "")))
    for key, t in by_line.items():
        if t["role"] in ORIGINAL_ROLES:
            original[t["entity_id"]] = docs.get(key, "")
    kinds = Counter()
    for key, t in by_line.items():
        if t["role"] == "duplicate" and original.get(t["entity_id"]) and key in docs:
            doc = docs[key]
            kinds["missing" if not doc else "same" if doc == original[t["entity_id"]] else "different"] += 1
    total = sum(kinds.values())
    assert kinds["different"] / total >= 0.05, kinds  # mistyped: linkage has work to do
    assert (kinds["missing"] + kinds["different"]) / total >= 0.25, kinds
    assert kinds["same"] / total >= 0.2, kinds  # identical documents across sources exist too


def test_hard_negatives_share_surname_and_address(data: Dataset) -> None:
    by_line = _truth_by_line(data)
    records: dict[str, list[dict]] = defaultdict(list)
    for r in data.rows:
        if r.record and by_line[(r.file, r.line)]["role"] != "bad":
            records[by_line[(r.file, r.line)]["entity_id"]].append(r.record)
    pairs = {(t["entity_id"], t["lookalike_of"], t["role"]) for t in data.truth if t["lookalike_of"]}
    assert {"relative", "namesake", "similar_company"} <= {role for *_, role in pairs}

    def address_numbers(rec: dict) -> tuple[str, ...]:
        return tuple(re.findall(r"\d+", str(rec.get("address", ""))))

    def surnames(rec: dict) -> str:
        return _fold(f"{rec.get('last_name', '')} {rec.get('second_last_name', '')}")

    relatives = 0
    for entity, base, role in pairs:
        if role != "relative":
            continue
        for a in records[entity]:
            for b in records[base]:
                if address_numbers(a) and address_numbers(a) == address_numbers(b) and \
                        _fold(a["last_name"]).split(" ")[0] in surnames(b) and \
                        a.get("document_number") != b.get("document_number"):
                    relatives += 1
    assert relatives >= 3
    namesakes = sum(1 for entity, base, role in pairs if role == "namesake" for a in records[entity]
                    for b in records[base] if _fold(a["first_name"]) == _fold(b["first_name"])
                    and _fold(a["last_name"]) == _fold(b["last_name"]))
    assert namesakes >= 3


def test_an_email_address_belongs_to_one_entity_or_to_planted_sister_companies() -> None:
    """Unrelated companies of one name do not share a mailbox: only a planted similar_company
    and the company it copies may hold the same billing address (facturacion@ + the name)."""
    entities = draw_entities(np.random.default_rng(22), 3000)
    held = defaultdict(set)
    for column in ("email", "email2"):
        for entity, address in zip(entities["entity"], entities[column]):
            if address:
                held[address].add(int(entity))
    sister = {frozenset((int(e), int(base))) for e, base, role in
              zip(entities["entity"], entities["lookalike_of"], entities["role"]) if role == "similar_company"}
    shared = {address: holders for address, holders in held.items() if len(holders) > 1}
    assert shared  # the sisters' billing mailboxes
    assert all(frozenset(holders) in sister for holders in shared.values()), shared


# --- bad rows ----------------------------------------------------------------------------

def test_bad_rows_point_at_the_bad_rows_and_only_those(data: Dataset) -> None:
    seen_ids: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    customer_bad = {k: v for k, v in data.bad.items() if v != "unknown_record"}
    assert set(customer_bad.values()) == set(BAD_ROW_KINDS)  # every kind planted
    assert len(customer_bad) == data.summary.bad_rows
    found = {}
    for r in data.rows:
        cfg = data.config["sources"][r.source]
        kind = data.bad.get((r.file, r.line))
        rec = r.record
        if r.fields is None:
            found[(r.file, r.line)] = "invalid_json"
            continue
        if rec is None:
            assert len(r.fields) > len(cfg["columns"])
            found[(r.file, r.line)] = "extra_fields"
            continue
        rid = rec["source_record_id"]
        if rid == "":
            found[(r.file, r.line)] = "missing_id"
        elif rid in seen_ids[r.source]:
            assert seen_ids[r.source][rid][0] == r.file  # the first holder: same file, earlier line
            found[(r.file, r.line)] = "duplicate_id"
        else:
            seen_ids[r.source][rid] = (r.file, r.line)
        name_cols = [c for c in ("first_name", "last_name", "business_name") if c in rec]
        if all(rec[c] == "" for c in name_cols):
            assert rec["customer_type"] == "person"
            found[(r.file, r.line)] = "no_name"
        if rec.get("date_of_birth") and not _parses(rec["date_of_birth"], cfg["date_format"]):
            found[(r.file, r.line)] = "bad_date"
        if kind is None:
            assert (r.file, r.line) not in found, (r.file, r.line, found.get((r.file, r.line)))
    assert found == customer_bad


def test_related_rows_point_at_records_except_the_planted_ones(data: Dataset) -> None:
    ids = defaultdict(set)
    for r in data.rows:
        if r.record and r.record["source_record_id"] and (r.file, r.line) not in data.bad:
            ids[r.source].add(r.record["source_record_id"])
    unknown = {k for k, v in data.bad.items() if v == "unknown_record"}
    assert unknown and data.summary.bad_related_rows == len(unknown)
    counted = Counter()
    for name, source in data.config["sources"].items():
        for kind in ("accounts", "tickets", "attachments", "relations"):
            for pattern in source[kind]:
                for path in data.out.glob(pattern):
                    with open(path, encoding=source.get("encoding", "utf-8"), newline="") as f:
                        reader = csv.DictReader(f, delimiter=source.get("delimiter", ","))
                        for row in reader:
                            known = row["source_record_id"] in ids[name] and \
                                row.get("related_source_record_id", next(iter(ids[name]))) in ids[name]
                            assert known != ((path.name, reader.line_num) in unknown), (path.name, reader.line_num)
                            counted[path.name] += 1
    assert dict(counted) == dict(data.summary.related_rows)
    assert all(counted[f] > 0 for f in ("erp_accounts.csv", "erp_relations.csv", "call_centre_tickets.csv",
                                        "call_centre_attachments.csv", "whatsapp_tickets.csv"))


def test_ticket_numbers_are_unique(data: Dataset) -> None:
    numbers = []
    for path, delimiter in (("call_centre_tickets.csv", ";"), ("whatsapp_tickets.csv", ",")):
        with open(data.out / path, encoding="utf-8", newline="") as f:
            numbers += [row["ticket_number"] for row in csv.DictReader(f, delimiter=delimiter)]
    assert len(numbers) == len(set(numbers))


def test_summary_lists_the_files_written(data: Dataset) -> None:
    assert sorted(data.summary.files) == sorted(p.name for p in data.out.iterdir())
    assert "bad rows planted" in str(data.summary)


# --- pieces ------------------------------------------------------------------------------

def test_check_digits_agree_with_stdnum() -> None:
    rng = np.random.default_rng(0)
    base9 = rng.integers(0, 10**9, 500)
    for b, d in zip(base9, cpf_check_digits(base9)):
        assert cpf.is_valid(f"{b:09d}{d:02d}")
    base12 = rng.integers(10**4, 10**12, 500)
    for b, d in zip(base12, cnpj_check_digits(base12)):
        assert cnpj.calc_check_digits(f"{b:012d}") == f"{d:02d}"
    for b, d in zip(base9, nit_check_digit(base9)):
        assert nit.calc_check_digit(f"{b:09d}") == str(d)


def test_too_few_customers_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UnificaError, match="at least"):
        generate(tmp_path, customers=10, seed=1)
    with pytest.raises(UnificaError, match="duplicate share"):
        generate(tmp_path, customers=1000, seed=1, duplicate_share=1.5)


def test_bundled_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    summary = generate(tmp_path, customers=4000, seed=20261123)
    assert sorted(p.name for p in sample.iterdir()) == sorted(summary.files)
    for name in summary.files:
        assert (sample / name).read_bytes() == (tmp_path / name).read_bytes(), f"regenerate data/sample: {name}"
    assert summary.duplicated_entities / summary.entities >= 0.25
    assert 5 <= summary.bad_rows + summary.bad_related_rows <= 12
