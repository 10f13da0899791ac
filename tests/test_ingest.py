"""Ingestion into a real DuckDB file: schema checks and quarantine, the identity rule,
contact details, related files, idempotent re-ingest, one transaction per file."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

import merge.ingest as ingest_module
from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from schemas.records import OnExisting
from tests.conftest import rows, write_config
from unifica.config import load_config

WEB = """\
id,tipo,numero,nombre,apellido,nacimiento,correo,telefono,ciudad
W1,C.C.,1.234.567,María José,Núñez,17/05/1990,MJ.Nunez@Gmail.com,300 123 4567,Bogotá
W2,cédula,9.876.543,Luis,Pérez,01/02/1985,luis@x.co;luis.perez@gmail.com,(300) 765-4321;601 234 5678,Cali
W3,NIT,900.123.456-8,,,,ventas@andina.co,,Medellín
"""
WEB_COLUMNS = """
[sources.web.columns]
source_record_id = "id"
document_type = "tipo"
document_number = "numero"
first_name = "nombre"
last_name = "apellido"
date_of_birth = "nacimiento"
email = "correo"
phone = "telefono"
city = "ciudad"
"""
CALL = """\
ID;TIPO_DOC;DOCUMENTO;NOMBRE;APELLIDO1;TELEFONOS;EMPRESA
C1;Cédula de ciudadanía;1234567;MARIA JOSE;NUNEZ;+57 300 1234567;
C2;cc;5.555.555;Pedro;Gómez;3001112233;
"""
CALL_COLUMNS = """
[sources.call.columns]
source_record_id = "ID"
document_type = "TIPO_DOC"
document_number = "DOCUMENTO"
first_name = "NOMBRE"
last_name = "APELLIDO1"
phone = "TELEFONOS"
business_name = "EMPRESA"
"""


def _setup(tmp_path: Path, web: str = WEB, call: str | None = CALL, web_policy: str = "replace",
           call_policy: str = "replace", extra: str = "") -> Path:
    (tmp_path / "web.csv").write_text(web, encoding="utf-8")
    body = f'[warehouse]\npath = "wh.duckdb"\n[sources.web]\nfiles = ["web.csv"]\ncountry = "CO"\n' \
           f'on_existing = "{web_policy}"\n{extra}{WEB_COLUMNS}'
    if call is not None:
        (tmp_path / "call.csv").write_bytes(call.encode("latin-1"))
        body += f'[sources.call]\nfiles = ["call.csv"]\nencoding = "latin-1"\ndelimiter = ";"\ncountry = "CO"\n' \
                f'on_existing = "{call_policy}"\n{CALL_COLUMNS}'
    return write_config(tmp_path, body)


def _ingest(config_path: Path, **kwargs):
    config = load_config(config_path)
    with open_warehouse(config.warehouse) as con:
        return ingest_sources(con, config, **kwargs)


def _query(config_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(load_config(config_path).warehouse), read_only=True)
    try:
        return rows(con, sql, params)
    finally:
        con.close()


def _counts(config_path: Path) -> dict[str, int]:
    tables = ["source_records", "customers", "customer_sources", "contact_details", "accounts", "tickets",
              "attachments", "customer_relations", "quarantine", "ingested_files"]
    return {t: _query(config_path, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def test_rows_land_in_source_records_with_file_line_run_and_normalised_form(tmp_path: Path) -> None:
    cfg = _setup(tmp_path, call=None)
    summary = _ingest(cfg)
    got = _query(cfg, """SELECT source_system, source_record_id, line, run_id, file, document_type, document_number,
                                first_name, first_name_folded, date_of_birth::TEXT, emails, phones, raw->>'nombre'
                         FROM source_records ORDER BY line""")
    assert got[0] == ("web", "W1", 2, summary.run_id, str(tmp_path / "web.csv"), "CC", "1234567",
                      "María José", "maria jose", "1990-05-17", ["mj.nunez@gmail.com"], ["+573001234567"], "María José")
    assert got[1][10:12] == (["luis@x.co", "luis.perez@gmail.com"], ["+573007654321", "+576012345678"])
    assert len(got) == 2  # W3, a NIT without business_name, is quarantined
    assert summary.as_dict()["rows_read"] == 3


def test_identity_rule_joins_sources_whatever_the_spelling(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    summary = _ingest(cfg)
    # W1 (C.C. 1.234.567) and C1 (Cédula de ciudadanía 1234567) are one customer
    linked = _query(cfg, """SELECT cs.source_system, cs.source_record_id, cs.customer_id FROM customer_sources cs
                            JOIN customers c USING (customer_id) WHERE c.document_number = '1234567' ORDER BY 1""")
    assert [(s, r) for s, r, _ in linked] == [("call", "C1"), ("web", "W1")]
    assert linked[0][2] == linked[1][2]
    assert summary.identity("matched_replace") == 1
    # its phones are one contact detail: both rows gave +573001234567
    phones = _query(cfg, "SELECT value_norm FROM contact_details WHERE customer_id = ? AND kind = 'phone'",
                    [linked[0][2]])
    assert phones == [("+573001234567",)]


@pytest.mark.parametrize("policy, expected_name, refused", [
    ("skip", "María José", 0),
    ("replace", "Maria Jose", 0),
    ("fail", "María José", 1),
])
def test_each_identity_policy(tmp_path: Path, policy: str, expected_name: str, refused: int) -> None:
    cfg = _setup(tmp_path, call_policy=policy)
    summary = _ingest(cfg)
    name = _query(cfg, "SELECT first_name FROM customers WHERE document_number = '1234567'")
    assert name == [(expected_name,)]
    assert summary.identity("refused") == refused
    quarantined = _query(cfg, "SELECT line, reason FROM quarantine WHERE source_name = 'call'")
    if policy == "fail":
        customer = _query(cfg, "SELECT customer_id FROM customers WHERE document_number = '1234567'")[0][0]
        assert quarantined == [(2, f"identity CC 1234567 already belongs to customer {customer} "
                                   f"(on_existing = fail; use skip or replace to load it)")]
        assert _query(cfg, "SELECT count(*) FROM customer_sources WHERE source_record_id = 'C1'") == [(0,)]
    else:
        assert quarantined == []


def test_on_existing_option_overrides_the_source_default(tmp_path: Path) -> None:
    cfg = _setup(tmp_path, call_policy="replace")
    summary = _ingest(cfg, on_existing=OnExisting.SKIP)
    assert summary.identity("matched_skip") == 1
    assert _query(cfg, "SELECT first_name FROM customers WHERE document_number = '1234567'") == [("María José",)]


def test_bad_rows_go_to_quarantine_with_actionable_reasons(tmp_path: Path) -> None:
    web = WEB + ("W4,CC,111222333,Ana,Ríos,31/02/1990,,,\n"      # impossible date
                 ",CC,444555666,Sin,Id,,,,\n"                    # no id
                 "W5,CC,777888999,Ana,Ríos,,,,Cali,extra\n"      # extra field
                 "W6,CC,121212121,,,,,,\n"                       # a person without a name
                 "W1,CC,999,Otra,Persona,,,,\n"                  # duplicate id in the file
                 "W7,Libreta militar,1234,Ana,Paz,,,,\n")        # unknown document type
    cfg = _setup(tmp_path, web=web, call=None)
    summary = _ingest(cfg)
    got = dict(_query(cfg, "SELECT line, reason FROM quarantine ORDER BY line"))
    assert "date_of_birth '31/02/1990' is not a date" in got[5]
    assert "source_record_id is empty" in got[6]
    assert "10 fields but the header has 9" in got[7]
    assert "a person needs a name" in got[8]
    assert "'W1' appears again in this file (first at line 2)" in got[9]
    assert "Libreta militar" in got[10] and "[sources.<name>.document_types]" in got[10]
    assert "a company needs a business_name" in got[4]  # W3: NIT without business name
    assert summary.as_dict()["rows_quarantined"] == len(got) == 7
    raw = _query(cfg, "SELECT raw FROM quarantine WHERE line = 5")[0][0]
    assert json.loads(raw)["nacimiento"] == "31/02/1990"  # nothing is lost


def test_invalid_documents_emails_and_phones_are_flagged_not_dropped(tmp_path: Path) -> None:
    web = WEB.splitlines()[0] + "\nW9,CPF,123.456.789-00,João,Silva,,joao@@mail,12,São Paulo\n"
    cfg = _setup(tmp_path, web=web, call=None)
    _ingest(cfg)
    got = _query(cfg, "SELECT document_check, flags, identity_key FROM source_records")
    assert got == [("invalid", ["document_invalid", "email_invalid", "phone_invalid"], None)]
    assert _query(cfg, "SELECT count(*) FROM customers") == [(1,)]


def test_unreadable_file_is_reported_and_the_rest_is_loaded(tmp_path: Path) -> None:
    cfg = _setup(tmp_path, extra='')
    (tmp_path / "call.csv").write_text("ID;OTRA\n1;x\n", encoding="latin-1")  # mapped headers missing
    summary = _ingest(cfg)
    assert [f.source for f in summary.unreadable] == ["call"]
    reason = _query(cfg, "SELECT line, reason FROM quarantine WHERE source_name = 'call'")
    assert reason[0][0] is None
    assert 'TIPO_DOC' in reason[0][1] and "has no such column (has: ID, OTRA)" in reason[0][1]
    assert _query(cfg, "SELECT count(*) FROM source_records WHERE source_name = 'web'") == [(2,)]


def test_reingesting_the_same_files_changes_nothing(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    _ingest(cfg)
    before = _counts(cfg)
    customers_before = _query(cfg, "SELECT * EXCLUDE (created_at, updated_at) FROM customers ORDER BY customer_id")
    summary = _ingest(cfg)
    assert _counts(cfg) == before
    assert _query(cfg, "SELECT * EXCLUDE (created_at, updated_at) FROM customers ORDER BY customer_id") == customers_before
    assert len(summary.unchanged) == 2
    # the same rows in another file (with one new row) are recognised row by row
    (tmp_path / "web_copy.csv").write_text(WEB + "W8,CC,31313131,Nueva,Persona,,,,\n", encoding="utf-8")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('files = ["web.csv"]', 'files = ["web_copy.csv"]'),
                   encoding="utf-8")
    again = _ingest(cfg)
    assert again.identity("new") == 1
    assert again.as_dict()["rows_loaded"] == 1  # only W8
    assert again.as_dict()["rows_already_stored"] == 2  # W1, W2; W3 is quarantined again
    assert _counts(cfg)["source_records"] == before["source_records"] + 1


def test_a_newer_version_of_a_record_updates_its_customer(tmp_path: Path) -> None:
    cfg = _setup(tmp_path, call=None)
    _ingest(cfg)
    (tmp_path / "web.csv").write_text(WEB.replace("María José,Núñez", "María José,Núñez Ruiz"), encoding="utf-8")
    _ingest(cfg)
    assert _query(cfg, "SELECT last_name FROM customers WHERE document_number = '1234567'") == [("Núñez Ruiz",)]
    assert _query(cfg, "SELECT count(*) FROM source_records WHERE source_record_id = 'W1'") == [(2,)]
    assert _query(cfg, "SELECT count(*) FROM customer_sources WHERE source_record_id = 'W1'") == [(1,)]


def test_a_crash_mid_file_leaves_the_warehouse_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _setup(tmp_path, call=None)
    _ingest(cfg)
    before = _counts(cfg)
    (tmp_path / "web.csv").write_text(WEB + "W8,CC,31313131,Nueva,Persona,,,,\n", encoding="utf-8")
    real_run_sql = ingest_module.run_sql

    def failing(con, name, **params):
        if name == "link_customer_sources":
            raise RuntimeError("disk full (injected)")
        return real_run_sql(con, name, **params)

    monkeypatch.setattr(ingest_module, "run_sql", failing)
    with pytest.raises(RuntimeError, match="injected"):
        _ingest(cfg)
    monkeypatch.setattr(ingest_module, "run_sql", real_run_sql)
    assert _counts(cfg) == before
    assert _query(cfg, "SELECT status, error FROM runs ORDER BY run_id DESC LIMIT 1") == [
        ("failed", "RuntimeError: disk full (injected)")]
    _ingest(cfg)  # the next run picks the file up
    assert _counts(cfg)["customers"] == before["customers"] + 1


def test_related_files_attach_to_their_customers(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "source_record_id,account_number,account_type,status,opened_at\n"
        "W1,AC-1,savings,active,2020-01-05\nW2,AC-2,credit,closed,05/03/2019\nW404,AC-3,loan,active,\n"
        "W1,AC-1,savings,active,2020-01-05\n", encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(
        "source_record_id,ticket_number,status,campaign,channel,assigned_agent,created_at\n"
        "W1,T-1,open,black_friday,whatsapp,Ana,2024-11-29 10:00:00\nW2,T-2,closed,cobranza,phone,Luis,2024-01-02\n",
        encoding="utf-8")
    (tmp_path / "attachments.csv").write_text(
        "source_record_id,ticket_number,file_name\nW1,T-1,cedula.pdf\nW1,T-9,missing.pdf\nW404,T-1,x.pdf\n", encoding="utf-8")
    (tmp_path / "relations.csv").write_text(
        "source_record_id,related_source_record_id,tags\nW1,W2,conyuge\nW1,W1,self\n", encoding="utf-8")
    extra = ('accounts = ["accounts.csv"]\ntickets = ["tickets.csv"]\nattachments = ["attachments.csv"]\n'
             'relations = ["relations.csv"]\n')
    cfg = _setup(tmp_path, call=None, extra=extra)
    _ingest(cfg)
    w1, w2 = (_query(cfg, "SELECT customer_id FROM customer_sources WHERE source_record_id = ?", [r])[0][0]
              for r in ("W1", "W2"))
    assert _query(cfg, "SELECT customer_id, account_number, opened_at::TEXT FROM accounts ORDER BY 2") == [
        (w1, "AC-1", "2020-01-05"), (w2, "AC-2", "2019-03-05")]
    assert _query(cfg, "SELECT customer_id, ticket_number FROM tickets ORDER BY 2") == [(w1, "T-1"), (w2, "T-2")]
    assert _query(cfg, "SELECT t.customer_id, a.file_name FROM attachments a JOIN tickets t USING (ticket_id)") == [
        (w1, "cedula.pdf")]
    assert _query(cfg, "SELECT customer_id, related_customer_id, tags FROM customer_relations") == [(w1, w2, "conyuge")]
    reasons = [r for (r,) in _query(cfg, "SELECT reason FROM quarantine WHERE kind <> 'customers' ORDER BY kind")]
    assert sum("no customer record web/W404" in r for r in reasons) == 2  # the account and the attachment
    assert any("no ticket T-9" in r for r in reasons)
    assert any("to itself" in r for r in reasons)
    assert _query(cfg, "SELECT status, tickets FROM tickets_by_status WHERE customer_id = ?", [w1]) == [("open", 1)]


def test_xlsx_and_jsonl_sources(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "clientes"
    sheet.append(["Código", "Tipo Doc", "Nro Documento", "Razón Social", "Teléfono"])
    sheet.append([501, "NIT", "900.123.456-8", "Comercializadora Andina S.A.S.", "6042345678"])
    book.save(tmp_path / "erp.xlsx")
    (tmp_path / "wa.jsonl").write_text(
        '{"wa_id": "wa-1", "name": "Ana", "last": "Ríos", "phone": "+55 11 98765-4321", "country": "BR"}\n'
        '{"wa_id": "wa-2", "name": \n', encoding="utf-8")
    body = '''
[warehouse]
path = "wh.duckdb"
[sources.erp]
files = ["erp.xlsx"]
sheet = "clientes"
country = "CO"
[sources.erp.columns]
source_record_id = "Código"
document_type = "Tipo Doc"
document_number = "Nro Documento"
business_name = "Razón Social"
phone = "Teléfono"
[sources.whatsapp]
files = ["wa.jsonl"]
country = "CO"
[sources.whatsapp.columns]
source_record_id = "wa_id"
first_name = "name"
last_name = "last"
'''
    cfg = write_config(tmp_path, body)
    summary = _ingest(cfg)
    assert _query(cfg, "SELECT customer_type, document_number, document_check, business_name_core, legal_form "
                       "FROM customers WHERE document_type = 'NIT'") == [
        ("company", "9001234568", "valid", "comercializadora andina", "SAS")]
    assert _query(cfg, "SELECT phones, country FROM source_records WHERE source_system = 'whatsapp'") == [
        (["+5511987654321"], "BR")]
    assert summary.as_dict()["rows_quarantined"] == 1


def test_worker_processes_give_the_same_warehouse_as_one_process(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    web = WEB + "W4,CC,111222333,Ana,Ríos,31/02/1990,,,\nW5,CC,444555666,Eva,Paz,,,,\nW1,CC,999,Otra,Persona,,,,\n"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    sequential = _setup(tmp_path / "one", web=web)
    _ingest(sequential)
    monkeypatch.setattr(ingest_module, "PARALLEL_FROM_ROWS", 1)
    monkeypatch.setattr(ingest_module, "BATCH_ROWS", 2)
    parallel = _setup(tmp_path / "two", web=web)
    _ingest(parallel)
    dump = ("SELECT * EXCLUDE (file, ingested_at, run_id) FROM source_records ORDER BY record_key",
            "SELECT * EXCLUDE (created_at, updated_at) FROM customers ORDER BY customer_id",
            "SELECT * EXCLUDE (created_at) FROM contact_details ORDER BY contact_id",
            "SELECT line, reason FROM quarantine ORDER BY source_name, line")
    for query in dump:
        assert _query(sequential, query) == _query(parallel, query), query
    assert len(_query(parallel, "SELECT * FROM quarantine")) == 3


@pytest.mark.parametrize("order", [("web", "call"), ("call", "web")])
def test_replace_keeps_the_newest_row_whatever_order_the_files_arrive_in(tmp_path: Path, order: tuple) -> None:
    """The web row (updated 2025) is newer than the call-centre row (2024): the customer keeps
    the web row's name whether the call centre's file is ingested after it or before it."""
    web = WEB.replace("ciudad\n", "ciudad,actualizado\n").replace("Bogotá\n", "Bogotá,2025-03-01\n")
    call = CALL.replace("EMPRESA\n", "EMPRESA;ACTUALIZADO\n").replace("1234567;\n", "1234567;;2024-01-01\n")
    cfg = _setup(tmp_path, web=web, call=call)
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('city = "ciudad"\n', 'city = "ciudad"\nupdated_at = "actualizado"\n')
    text = text.replace('business_name = "EMPRESA"\n', 'business_name = "EMPRESA"\nupdated_at = "ACTUALIZADO"\n')
    cfg.write_text(text, encoding="utf-8")
    for source in order:
        _ingest(cfg, only=[source])
    assert _query(cfg, "SELECT first_name, source_updated_at::DATE::TEXT FROM customers "
                       "WHERE document_number = '1234567'") == [("María José", "2025-03-01")]


def test_a_record_of_a_merged_customer_stays_its_own_and_its_contacts_go_where_it_lives(tmp_path: Path) -> None:
    """W1 (María José, 1234567) is merged into W2 (Luis); then the call centre's C1 arrives
    with W1's document: C1 is W1's record (replacing W1's name, not Luis's), it resolves to
    Luis, and its new phone goes to Luis, attributed to C1."""
    from merge.merging import merge_customers

    cfg = _setup(tmp_path)
    _ingest(cfg, only=["web"])
    with open_warehouse(load_config(cfg).warehouse) as con:
        w1, w2 = (con.execute("SELECT customer_id FROM customer_sources WHERE source_record_id = ?", [r]).fetchall()[0][0]
                  for r in ("W1", "W2"))
        merge_customers(con, w2, [w1], actor="marta")
    (tmp_path / "call.csv").write_bytes(CALL.replace("+57 300 1234567", "+57 311 0000001").encode("latin-1"))
    _ingest(cfg, only=["call"])
    assert _query(cfg, "SELECT customer_id FROM customer_sources WHERE source_record_id = 'C1'") == [(w1,)]
    assert _query(cfg, "SELECT customer_id FROM record_resolution WHERE source_record_id = 'C1'") == [(w2,)]
    names = dict(_query(cfg, "SELECT customer_id, first_name FROM customers WHERE customer_id IN (?, ?)", [w1, w2]))
    assert names == {w1: "Maria Jose", w2: "Luis"}  # the call centre's spelling, tidied
    assert _query(cfg, "SELECT customer_id, source_record_id FROM contact_details WHERE value_norm = '+573110000001'") == [
        (w2, "C1")]
