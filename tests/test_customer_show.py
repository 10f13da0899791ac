"""`unifica customer show`: a customer's profile from a real warehouse filled by the real
ingest, after real merges; the profile holds exactly that customer's data, a merged id shows
its main customer and says so, and showing never writes."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import Result
from typer.testing import CliRunner

from merge.ingest import ingest_sources
from merge.merging import merge_customers, unmerge
from merge.profile import CustomerProfile, customer_profile
from merge.warehouse import open_warehouse
from tests.conftest import rows, write_config
from unifica.cli import app
from unifica.config import load_config
from unifica.errors import UnificaError

runner = CliRunner()

WEB = """\
id,tipo,numero,nombre,segundo,apellido,apellido2,razon,nacimiento,genero,correo,telefono,direccion,ciudad,pais,etiquetas
W1,C.C.,1.234.567,María,José,Núñez,Ruiz,,17/05/1990,F,MJ.Nunez@Gmail.com;mj@work.co,300 123 4567;601 234 5678,Cra 7 # 12-34,Bogotá,CO,vip
W2,cédula,9.876.543,Luis,,Pérez,,,01/02/1985,M,luis@x.co,310 765 4321,,Cali,CO,
W3,NIT,900.123.456-8,,,,,Comercializadora Andina S.A.S.,,,ventas@andina.co,604 234 5678,,Medellín,CO,proveedor
W4,CC,5.555.555,María José,,Nuñez,,,17/05/1990,F,mjn@otro.co,315 000 1111,,Bogotá,CO,
W5,NIT,900.123.456-1,,,,,Distribuidora [Norte] Ltda.,,,,,,Cali,CO,
"""
WEB_SOURCE = """
[warehouse]
path = "wh.duckdb"
[sources.web]
files = ["web.csv"]
country = "CO"
accounts = ["accounts.csv"]
tickets = ["tickets.csv"]
attachments = ["attachments.csv"]
relations = ["relations.csv"]
"""
WEB_COLUMNS = """
[sources.web.columns]
source_record_id = "id"
document_type = "tipo"
document_number = "numero"
first_name = "nombre"
middle_name = "segundo"
last_name = "apellido"
second_last_name = "apellido2"
business_name = "razon"
date_of_birth = "nacimiento"
gender = "genero"
email = "correo"
phone = "telefono"
address = "direccion"
city = "ciudad"
country = "pais"
tags = "etiquetas"
"""
# Another channel knows W1 by the same identity: one more source record for the same customer.
CALL = "id,tipo,numero,nombre,apellido,telefono\nC1,Cédula de ciudadanía,1234567,MARIA JOSE,NUNEZ,+57 300 1234567\n"
CALL_SOURCE = """
[sources.call]
files = ["call.csv"]
country = "CO"
on_existing = "skip"
[sources.call.columns]
source_record_id = "id"
document_type = "tipo"
document_number = "numero"
first_name = "nombre"
last_name = "apellido"
phone = "telefono"
"""
ACCOUNTS = """\
source_record_id,account_number,account_type,status,opened_at
W1,AC-1,savings,active,2020-01-05
W1,AC-9,credit,closed,2015-03-01
W2,AC-2,credit,active,2019-03-05
W4,AC-4,loan,active,2021-07-07
"""
TICKETS = """\
source_record_id,ticket_number,status,campaign,channel,assigned_agent,created_at
W1,T-1,open,black_friday,whatsapp,Ana,2024-11-29 10:00:00
W1,T-2,closed,cobranza,phone,Luis,2025-01-15 08:30:00
W1,T-3,closed,black_friday,whatsapp,Ana,2023-06-01 12:00:00
W1,T-4,open,,email,,
W2,T-5,open,cobranza,phone,Luis,2025-02-01
W4,T-6,escalated,portabilidad,phone,Eva,2025-03-03 09:00:00
"""
ATTACHMENTS = """\
source_record_id,ticket_number,file_name
W1,T-1,cedula.pdf
W1,T-1,foto.jpg
W1,T-2,recibo.pdf
W4,T-6,contrato.pdf
"""
RELATIONS = """\
source_record_id,related_source_record_id,tags
W1,W2,conyuge
W3,W1,representante_legal
W2,W3,empleado
W4,W3,cliente
"""


@dataclass(frozen=True)
class Sample:
    config: Path
    ids: dict[str, int]  # source record id -> customer id

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(load_config(self.config).warehouse), read_only=read_only)

    def profile(self, customer_id: int) -> CustomerProfile:
        with self.connect() as con:
            return customer_profile(con, customer_id)

    def show(self, *args: str) -> Result:
        return runner.invoke(app, ["customer", "show", *args, "--config", str(self.config)])


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    for name, text in (("web.csv", WEB), ("call.csv", CALL), ("accounts.csv", ACCOUNTS), ("tickets.csv", TICKETS),
                       ("attachments.csv", ATTACHMENTS), ("relations.csv", RELATIONS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = write_config(tmp_path, WEB_SOURCE + WEB_COLUMNS + CALL_SOURCE)
    cfg = load_config(config)
    with open_warehouse(cfg.warehouse) as con:
        summary = ingest_sources(con, cfg)
        assert summary.as_dict()["rows_quarantined"] == 0
        ids = dict(rows(con, "SELECT source_record_id, customer_id FROM customer_sources"))
    assert ids["C1"] == ids["W1"] and len(set(ids.values())) == 5
    return Sample(config, ids)


def test_the_profile_holds_exactly_the_customers_own_data(sample: Sample) -> None:
    w1, w2, w3 = sample.ids["W1"], sample.ids["W2"], sample.ids["W3"]
    p = sample.profile(w1)
    c = p.customer
    assert p.customer_id == w1 and p.merged_from is None
    assert (c.customer_type, c.document_type, c.document_number, c.document_check, c.check_digit_valid) == (
        "person", "CC", "1234567", "unchecked", None)
    assert (c.first_name, c.middle_name, c.last_name, c.second_last_name, c.name) == (
        "María", "José", "Núñez", "Ruiz", "María José Núñez Ruiz")
    assert (c.date_of_birth, c.gender, c.city, c.country, c.tags, c.status, c.assigned_user) == (
        date(1990, 5, 17), "F", "Bogotá", "CO", "vip", "active", None)
    # grouped by kind, phones first; C1's phone is one W1 has already
    assert [(d.kind, d.value, d.value_norm, d.line_type) for d in p.contact_details] == [
        ("phone", "300 123 4567", "+573001234567", "mobile"), ("phone", "601 234 5678", "+576012345678", "fixed"),
        ("email", "MJ.Nunez@Gmail.com", "mj.nunez@gmail.com", None), ("email", "mj@work.co", "mj@work.co", None),
        ("address", "Cra 7 # 12-34", "carrera 7 12 34", None)]
    assert list(p.contact_details_by_kind()) == ["phone", "email", "address"]
    assert [(a.account_number, a.account_type, a.status, a.opened_at) for a in p.accounts] == [
        ("AC-9", "credit", "closed", date(2015, 3, 1)), ("AC-1", "savings", "active", date(2020, 1, 5))]
    assert [t.ticket_number for t in p.tickets] == ["T-2", "T-1", "T-3", "T-4"]  # most recent first, undated last
    assert sorted((r.direction, r.customer_id, r.name, r.tags) for r in p.related_customers) == [
        ("from", w3, "Comercializadora Andina S.A.S.", "representante_legal"),
        ("to", w2, "Luis Pérez", "conyuge")]
    assert sorted((s.source_system, s.source_record_id, s.linked_customer_id) for s in p.source_records) == [
        ("call", "C1", w1), ("web", "W1", w1)]
    assert p.line() == (f"customer {w1}: 5 contact details, 2 accounts, 4 tickets, 2 related customers, "
                        f"2 source records")


def test_tickets_come_most_recent_first_with_their_attachments(sample: Sample) -> None:
    p = sample.profile(sample.ids["W1"])
    assert [(t.ticket_number, t.created_at, t.status, t.campaign, t.channel, t.assigned_agent, t.attachments)
            for t in p.tickets] == [
        ("T-2", datetime(2025, 1, 15, 8, 30), "closed", "cobranza", "phone", "Luis", ("recibo.pdf",)),
        ("T-1", datetime(2024, 11, 29, 10, 0), "open", "black_friday", "whatsapp", "Ana", ("cedula.pdf", "foto.jpg")),
        ("T-3", datetime(2023, 6, 1, 12, 0), "closed", "black_friday", "whatsapp", "Ana", ()),
        ("T-4", None, "open", None, "email", None, ())]


def test_the_indicators_agree_with_the_tickets(sample: Sample) -> None:
    p = sample.profile(sample.ids["W1"])
    by_status = Counter(t.status for t in p.tickets)
    by_campaign = Counter(t.campaign or "none" for t in p.tickets)
    by_channel = Counter(t.channel for t in p.tickets)
    assert {(i.value, i.tickets) for i in p.tickets_by_status} == set(by_status.items()) == {("open", 2), ("closed", 2)}
    assert {(i.value, i.tickets) for i in p.tickets_by_campaign} == set(by_campaign.items())
    assert [(c.channel, c.tickets, c.share, c.preference_rank) for c in p.channel_preferences] == [
        ("whatsapp", 2, 0.5, 1), ("email", 1, 0.25, 2), ("phone", 1, 0.25, 3)]
    assert sum(c.tickets for c in p.channel_preferences) == len(p.tickets) == sum(by_channel.values())


def test_a_company_shows_its_business_name_and_check_digit(sample: Sample) -> None:
    valid, invalid = sample.profile(sample.ids["W3"]).customer, sample.profile(sample.ids["W5"]).customer
    assert (valid.customer_type, valid.name, valid.legal_form, valid.document_type, valid.check_digit_valid) == (
        "company", "Comercializadora Andina S.A.S.", "SAS", "NIT", True)
    assert (invalid.document_number, invalid.check_digit_valid) == ("9001234561", False)
    result = sample.show(str(sample.ids["W5"]))
    assert result.exit_code == 0, result.output
    assert "Distribuidora [Norte] Ltda." in result.stdout  # brackets are data, not rich markup
    assert "check digit INVALID" in result.stdout
    assert "check digit valid" in sample.show(str(sample.ids["W3"])).stdout


def test_the_command_prints_the_profile_and_a_summary_last(sample: Sample) -> None:
    w1, w2, w3 = sample.ids["W1"], sample.ids["W2"], sample.ids["W3"]
    result = sample.show(str(w1))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for value in ("María José", "Núñez Ruiz", "CC 1234567", "1990-05-17", "Bogotá, CO", "vip",
                  "+573001234567", "mobile", "+576012345678", "fixed", "mj.nunez@gmail.com", "Cra 7 # 12-34",
                  "AC-1", "AC-9", "T-1", "T-2", "T-3", "T-4", "2025-01-15", "black_friday", "whatsapp",
                  "cedula.pdf", "foto.jpg", "recibo.pdf", "Luis Pérez", "conyuge", "representante_legal",
                  "C1", "web.csv, line 2", "Tickets by status", "Tickets by campaign", "Channel preferences", "50%"):
        assert value in out, value
    for other in ("T-5", "T-6", "AC-2", "AC-4", "luis@x.co", "mjn@otro.co"):  # other customers' data
        assert other not in out, other
    assert out.index("T-2") < out.index("T-1") < out.index("T-3") < out.index("T-4")
    assert str(w2) in out and str(w3) in out
    assert out.strip().splitlines()[-1] == (f"customer {w1}: 5 contact details, 2 accounts, 4 tickets, "
                                            f"2 related customers, 2 source records")
    assert result.stderr == ""


def test_json_is_the_profile(sample: Sample) -> None:
    w1 = sample.ids["W1"]
    result = sample.show(str(w1), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == sample.profile(w1).as_dict()
    assert data["customer"]["name"] == "María José Núñez Ruiz" and data["customer"]["date_of_birth"] == "1990-05-17"
    assert [t["ticket_number"] for t in data["tickets"]] == ["T-2", "T-1", "T-3", "T-4"]
    assert data["tickets"][1]["attachments"] == ["cedula.pdf", "foto.jpg"]
    assert data["merged_from"] is None


def test_a_merged_id_shows_its_main_customer_and_says_so(sample: Sample) -> None:
    w1, w3, w4 = sample.ids["W1"], sample.ids["W3"], sample.ids["W4"]
    with sample.connect(read_only=False) as con:
        merge = merge_customers(con, w1, [w4], actor="test")
        merged_at = rows(con, "SELECT merged_at FROM merge_events WHERE merge_id = ?", [merge.merge_id])[0][0]
    p = sample.profile(w4)
    assert p.customer_id == w1
    assert (p.merged_from.customer_id, p.merged_from.merged_into, p.merged_from.merge_id, p.merged_from.merged_by) == (
        w4, w1, merge.merge_id, "test")
    assert p.customer.merged_customer_ids == (w4,)
    # W4's elements moved to W1: its ticket (with its attachment), account, contact details, relation, sources
    assert ("T-6", ("contrato.pdf",)) in [(t.ticket_number, t.attachments) for t in p.tickets]
    assert "AC-4" in [a.account_number for a in p.accounts]
    assert {"mjn@otro.co", "+573150001111"} < {d.value_norm for d in p.contact_details}
    assert ("to", w3, "cliente") in [(r.direction, r.customer_id, r.tags) for r in p.related_customers]
    assert ("web", "W4", w4) in [(s.source_system, s.source_record_id, s.linked_customer_id) for s in p.source_records]
    assert replace(p, merged_from=None) == sample.profile(w1)
    assert sum(i.tickets for i in p.tickets_by_status) == len(p.tickets) == 5

    result = sample.show(str(w4))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (f"customer {w4} was merged into {w1} (merge {merge.merge_id}, {merged_at:%Y-%m-%d} by test); "
                        f"showing customer {w1}")
    assert "T-6" in result.stdout and "contrato.pdf" in result.stdout
    assert lines[-1] == f"customer {w1}: 7 contact details, 3 accounts, 5 tickets, 3 related customers, 3 source records"
    as_json = sample.show(str(w4), "--json")
    assert json.loads(as_json.stdout)["merged_from"]["merge_id"] == merge.merge_id
    assert as_json.stderr.strip() == lines[0]


def test_the_merge_named_is_the_one_in_force(sample: Sample) -> None:
    w1, w2, w4 = sample.ids["W1"], sample.ids["W2"], sample.ids["W4"]
    with sample.connect(read_only=False) as con:
        first = merge_customers(con, w1, [w4], actor="ana")
        unmerge(con, first.merge_id, actor="ana")
    assert sample.profile(w4).customer_id == w4 and sample.profile(w4).merged_from is None
    with sample.connect(read_only=False) as con:
        second = merge_customers(con, w2, [w4], actor="luis")
        third = merge_customers(con, w1, [w2], actor="auto")
    p = sample.profile(w4)  # w4 -> w2 -> w1: the chain is followed to its end
    assert p.customer_id == w1
    assert (p.merged_from.merged_into, p.merged_from.merge_id, p.merged_from.merged_by) == (w2, second.merge_id, "luis")
    first_line = sample.show(str(w4)).stdout.splitlines()[0]
    assert f"customer {w4} was merged into {w2} (merge {second.merge_id}, " in first_line
    assert first_line.endswith(f"by luis), which now lives in customer {w1}; showing customer {w1}")
    assert sample.profile(w2).merged_from.merge_id == third.merge_id


def test_a_deleted_customer_is_shown_marked_deleted(sample: Sample) -> None:
    w2 = sample.ids["W2"]
    with sample.connect(read_only=False) as con:  # no delete command yet: the row as one would leave it
        con.execute("UPDATE customers SET status = 'deleted' WHERE customer_id = ?", [w2])
    p = sample.profile(w2)
    assert p.customer_id == w2 and p.customer.status == "deleted" and p.merged_from is None
    result = sample.show(str(w2))
    assert result.exit_code == 0, result.output
    assert "DELETED" in result.stdout and "this customer is deleted" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith(f"customer {w2} (deleted): ")
    # and W1, related to it, shows the relation's other end as deleted
    assert "(deleted)" in sample.show(str(sample.ids["W1"])).stdout


def test_an_unknown_id_or_missing_warehouse_is_one_line_and_exit_1(sample: Sample, tmp_path: Path) -> None:
    result = sample.show("999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no customer 999 in the warehouse"
    assert result.stdout == ""
    with sample.connect() as con, pytest.raises(UnificaError, match="^no customer 999 in the warehouse$"):
        customer_profile(con, 999)
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    config = write_config(elsewhere, '[warehouse]\npath = "nothing.duckdb"\n')
    missing = runner.invoke(app, ["customer", "show", "1", "--config", str(config)])
    assert missing.exit_code == 1
    assert len(missing.stderr.strip().splitlines()) == 1 and "no warehouse here yet" in missing.stderr
    assert not (elsewhere / "nothing.duckdb").exists()
    duckdb.connect(str(elsewhere / "other.duckdb")).execute("CREATE TABLE t (x INT)").close()
    config = write_config(elsewhere, '[warehouse]\npath = "other.duckdb"\n')
    foreign = runner.invoke(app, ["customer", "show", "1", "--config", str(config)])
    assert foreign.exit_code == 1 and "not a Unifica warehouse" in foreign.stderr
    assert len(foreign.stderr.strip().splitlines()) == 1


def test_showing_opens_the_warehouse_read_only(sample: Sample) -> None:
    # DuckDB refuses, in one process, a read-write connection to a file open read-only:
    # the command works alongside an analyst's read-only session only if it never opens to write.
    with sample.connect(read_only=True) as analyst:
        result = sample.show(str(sample.ids["W1"]))
        assert result.exit_code == 0, result.output
        assert analyst.execute("SELECT count(*) FROM customers").fetchall() == [(5,)]


def test_customer_show_has_help() -> None:
    result = runner.invoke(app, ["customer", "show", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("ID", "--config", "--json"):
        assert option in result.output
    group = runner.invoke(app, ["customer", "--help"])
    assert group.exit_code == 0 and "show" in group.output
    bare = runner.invoke(app, ["customer"])
    assert "show" in bare.output
