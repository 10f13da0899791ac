"""Customers, contact details and relations by hand (`unifica customer add|edit`, `unifica
contact`, `unifica relation`), on a real DuckDB file through the command line: each change
normalised like ingest and audited, each refusal one line that changes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from merge.merging import merge_customers
from merge.warehouse import open_warehouse
from tests.conftest import rows
from tests.test_merge import C1, P1, P2, P3, P4, P5, TABLES, small_warehouse, snapshot
from unifica.cli import app

runner = CliRunner()
NEW = 7  # the next customer_id after the six ingested ones


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A warehouse holding tests/test_merge.py's six customers (P1..P5 are 1..5, C1 is 6)."""
    return small_warehouse(tmp_path)


def cli(config: Path, *args: str, role: str = "agent"):
    return runner.invoke(app, [*args, "--as", "lucia", "--role", role, "--config", str(config)])


def query(config: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        return rows(con, sql, params)


def state(config: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        return {**snapshot(con), "audit_log": rows(con, "SELECT * FROM audit_log ORDER BY ALL")}


def audit(config: Path) -> list[tuple]:
    return query(config, "SELECT user_name, role, action, customer_ids, outcome, before, after FROM audit_log "
                         "ORDER BY audit_id")


def refused(result, message: str) -> None:
    """One line on stderr containing ``message``, exit code 1."""
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert message in result.stderr, result.stderr


PERSON = ["customer", "add", "--type", "person", "--document-type", "cédula", "--document-number", "1.234.567",
          "--first-name", "ANA", "--last-name", "ríos", "--second-last-name", "Gómez", "--date-of-birth",
          "1990-05-04", "--gender", "femenino", "--city", "Bogotá", "--email", "Ana.Rios@Mail.CO",
          "--phone", "300 123 4567", "--phone", "(601) 234 5678"]


# --- customer add -------------------------------------------------------------------------

def test_add_creates_an_active_customer_normalised_like_ingest_with_its_contacts_and_an_audit_row(
        config: Path) -> None:
    result = cli(config, *PERSON)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "added customer 7 (person, CC 1234567, Ana Ríos Gómez)"
    assert query(config, "SELECT customer_type, document_type, document_number, identity_key, first_name, "
                         "first_name_folded, last_name, last_name_folded, second_last_name_folded, "
                         "date_of_birth::TEXT, gender, city, city_folded, country, status, merged_into, "
                         "created_at = updated_at FROM customers WHERE customer_id = ?", [NEW]) == [
        ("person", "CC", "1234567", "person|CC|1234567", "Ana", "ana", "Ríos", "rios", "gomez", "1990-05-04",
         "F", "Bogotá", "bogota", "CO", "active", None, True)]
    # The only country of the sources reads the phones; each is typed.
    assert query(config, "SELECT kind, value, value_norm, country_code, area_code, line_type, is_valid "
                         "FROM contact_details WHERE customer_id = ? ORDER BY contact_id", [NEW]) == [
        ("email", "Ana.Rios@Mail.CO", "ana.rios@mail.co", None, None, None, True),
        ("phone", "300 123 4567", "+573001234567", 57, "300", "mobile", True),
        ("phone", "(601) 234 5678", "+576012345678", 57, "601", "fixed", True)]
    ((user, role, action, ids, outcome, before, after),) = audit(config)
    assert (user, role, action, ids, outcome, before) == ("lucia", "agent", "add", [NEW], "done", None)
    after = json.loads(after)
    assert after["document_number"] == "1234567" and after["first_name"] == "Ana" and len(after["contact_ids"]) == 3


def test_add_a_company_from_a_json_file_options_win(config: Path, tmp_path: Path) -> None:
    data = {"customer_type": "company", "document_type": "NIT", "document_number": 8001972684,
            "business_name": "Café Andes Ltda.", "city": "Cali", "email": ["info@cafe.co", "ventas@cafe.co"],
            "source_system": "erp"}
    (tmp_path / "new.json").write_text(json.dumps(data), encoding="utf-8")
    result = cli(config, "customer", "add", "--json", str(tmp_path / "new.json"), "--city", "Pasto")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("added customer 7 (company, NIT 8001972684, Café Andes")
    assert query(config, "SELECT business_name_core, legal_form, document_check, city FROM customers "
                         "WHERE customer_id = 7") == [("cafe andes", "LTDA", "valid", "Pasto")]
    assert query(config, "SELECT count(*) FROM contact_details WHERE customer_id = 7 AND kind = 'email'") == [(2,)]


@pytest.mark.parametrize(("args", "message"), [
    (["--type", "person", "--document-type", "CC", "--first-name", "Ana"],
     "a person needs document_type, document_number, first_name, last_name: document_number, last_name are "
     "missing"),
    (["--type", "company", "--document-type", "NIT", "--document-number", "8001972684"],
     "business_name is missing"),
    (["--document-type", "carnet lunar", "--document-number", "123456", "--first-name", "A", "--last-name", "B"],
     "document_type: unknown document type 'carnet lunar'"),
    (["--document-type", "CC", "--document-number", "123456", "--first-name", "A", "--last-name", "B",
      "--date-of-birth", "31/02/1990"], "date_of_birth '31/02/1990' is not a date"),
    (["--type", "company", "--document-type", "NIT", "--document-number", "8001972680", "--business-name", "X"],
     "document_number '8001972680' is not a valid NIT"),
    (["--document-type", "CC", "--document-number", "123456", "--first-name", "A", "--last-name", "B",
      "--email", "ana@"], "email 'ana@' is not a usable e-mail address"),
    (["--type", "robot", "--document-type", "CC", "--document-number", "123456"], "choose person or company"),
])
def test_add_refuses_a_missing_or_invalid_field_and_changes_nothing(config: Path, args: list[str],
                                                                    message: str) -> None:
    before = state(config)
    refused(cli(config, "customer", "add", *args), message)
    assert state(config) == before


EXISTING = ["customer", "add", "--document-type", "C.C.", "--document-number", "1001", "--first-name", "Ana",
            "--last-name", "Ríos", "--city", "Medellín", "--email", "ANA@X.CO", "--phone", "3109998877"]


def test_add_an_existing_identity_fails_by_default_naming_the_customer(config: Path) -> None:
    before = state(config)
    refused(cli(config, *EXISTING), "identity person|CC|1001 exists already: customer 1 (Ana Ríos, active); "
                                    "nothing added")
    assert state(config) == before


def test_add_an_existing_identity_with_show_prints_its_profile_and_changes_nothing(config: Path) -> None:
    before = state(config)
    result = cli(config, *EXISTING, "--on-existing", "show")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("identity person|CC|1001 exists already: customer 1 (Ana Ríos, active)")
    assert "ana@x.co" in result.stdout and "+573001112233" in result.stdout   # its profile
    assert result.stdout.strip().endswith("customer 1 unchanged (Ana Ríos, active)")
    assert state(config) == before


def test_add_an_existing_identity_with_replace_updates_it_and_adds_only_new_contacts(config: Path) -> None:
    result = cli(config, *EXISTING, "--on-existing", "replace")
    assert result.exit_code == 0, result.output
    assert "replaced customer 1's data" in result.stdout and "1 contact detail added" in result.stdout
    assert query(config, "SELECT count(*) FROM customers") == [(6,)]
    assert query(config, "SELECT city, city_folded, first_name FROM customers WHERE customer_id = 1") == [
        ("Medellín", "medellin", "Ana")]
    # ana@x.co was its e-mail already: only the new phone is added.
    assert query(config, "SELECT kind, value_norm FROM contact_details WHERE customer_id = 1 ORDER BY ALL") == [
        ("email", "ana@x.co"), ("phone", "+573001112233"), ("phone", "+573109998877")]
    ((_, _, action, ids, outcome, before, after),) = audit(config)
    assert (action, ids, outcome) == ("add", [1], "done")
    assert json.loads(before) == {"city": "Bogotá"}
    assert json.loads(after)["city"] == "Medellín" and len(json.loads(after)["contact_ids"]) == 1


def test_the_identity_of_a_merged_customer_resolves_to_the_customer_it_lives_in(config: Path) -> None:
    with open_warehouse(config.parent / "wh.duckdb") as con:
        merge_customers(con, P1, [P2], actor="marta")
    refused(cli(config, "customer", "add", "--document-type", "CC", "--document-number", "1002", "--first-name",
                "Ana", "--last-name", "Rios"),
            "identity person|CC|1002 exists already: customer 1 (Ana Ríos Gómez, active) "
            "(customer 2 was merged into it)")
    assert query(config, "SELECT count(*) FROM customers") == [(6,)]


def test_add_on_existing_must_be_a_known_choice(config: Path) -> None:
    refused(cli(config, *EXISTING, "--on-existing", "maybe"), "--on-existing 'maybe': choose fail, show or replace")


# --- customer edit ------------------------------------------------------------------------

def test_edit_sets_fields_keeps_folded_forms_in_sync_and_is_audited(config: Path) -> None:
    result = cli(config, "customer", "edit", str(P4), "--set", "first_name=EVA MARÍA", "--set", "city=Cúcuta",
                 "--set", "date_of_birth=04/05/1990", "--set", "document_number=10.040")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("edited customer 4: document_number=10040, first_name=Eva María, "
                                     "date_of_birth=1990-05-04, city=Cúcuta")
    assert query(config, "SELECT first_name, first_name_folded, city, city_folded, identity_key, "
                         "updated_at > created_at FROM customers WHERE customer_id = 4") == [
        ("Eva María", "eva maria", "Cúcuta", "cucuta", "person|CC|10040", True)]
    ((_, _, action, ids, outcome, before, after),) = audit(config)
    assert (action, ids, outcome) == ("edit", [P4], "done")
    assert json.loads(before) == {"document_number": "1004", "first_name": "Eva", "date_of_birth": None,
                                  "city": None}
    assert json.loads(after)["first_name"] == "Eva María"


def test_edit_clears_an_optional_field_but_not_a_required_one(config: Path) -> None:
    assert cli(config, "customer", "edit", "1", "--set", "city=").exit_code == 0
    assert query(config, "SELECT city, city_folded FROM customers WHERE customer_id = 1") == [(None, None)]
    before = state(config)
    refused(cli(config, "customer", "edit", "1", "--set", "last_name="), "last_name is missing")
    refused(cli(config, "customer", "edit", "1", "--set", "date_of_birth=ayer"), "date_of_birth 'ayer' is not a date")
    refused(cli(config, "customer", "edit", "1", "--set", "shoe_size=40"), "'shoe_size' is not a field")
    assert state(config) == before


def test_edit_to_an_identity_another_customer_has_is_refused_naming_it(config: Path) -> None:
    before = state(config)
    refused(cli(config, "customer", "edit", "1", "--set", "document_number=1002"),
            "cannot edit customer 1: identity person|CC|1002 exists already: customer 2 (Ana Rios Gómez, active)")
    assert state(config) == before


def test_editing_a_merged_customer_is_refused_saying_where_it_lives(config: Path) -> None:
    with open_warehouse(config.parent / "wh.duckdb") as con:
        merge_customers(con, P1, [P3], actor="marta")
    before = state(config)
    refused(cli(config, "customer", "edit", str(P3), "--set", "city=Cali"),
            "cannot edit customer 3: it was merged and now lives in customer 1; use that id")
    refused(cli(config, "customer", "edit", "99", "--set", "city=Cali"), "no customer 99 in the warehouse")
    assert state(config) == before


# --- contact details ----------------------------------------------------------------------

def test_contacts_are_added_normalised_edited_and_deleted_each_audited(config: Path) -> None:
    added = cli(config, "contact", "add", str(P4), "--kind", "phone", "--value", "601 234 5678")
    assert added.exit_code == 0, added.output
    contact_id = query(config, "SELECT max(contact_id) FROM contact_details")[0][0]
    assert added.stdout.strip() == f"added phone +576012345678 to customer 4 (contact {contact_id})"
    assert cli(config, "contact", "add", str(P4), "--kind", "phone", "--value", "+57 310 000 1111").exit_code == 0
    assert cli(config, "contact", "add", str(P4), "--kind", "instagram", "--value", "@Eva.Rios").exit_code == 0
    assert query(config, "SELECT kind, value_norm, line_type FROM contact_details WHERE customer_id = 4 "
                         "ORDER BY contact_id") == [
        ("phone", "+576012345678", "fixed"), ("phone", "+573100001111", "mobile"), ("instagram", "@eva.rios", None)]
    edited = cli(config, "contact", "edit", str(contact_id), "--value", "3002223344")
    assert edited.exit_code == 0, edited.output
    assert query(config, "SELECT value, value_norm, line_type, area_code FROM contact_details WHERE contact_id = ?",
                 [contact_id]) == [("3002223344", "+573002223344", "mobile", "300")]
    deleted = cli(config, "contact", "delete", str(contact_id))
    assert deleted.exit_code == 0 and "deleted contact" in deleted.stdout
    assert query(config, "SELECT count(*) FROM contact_details WHERE contact_id = ?", [contact_id]) == [(0,)]
    trail = [(a, ids, o, before and json.loads(before)["value_norm"], after and json.loads(after)["value_norm"])
             for _, _, a, ids, o, before, after in audit(config)]
    assert trail == [("contacts", [P4], "done", None, "+576012345678"),
                     ("contacts", [P4], "done", None, "+573100001111"),
                     ("contacts", [P4], "done", None, "@eva.rios"),
                     ("contacts", [P4], "done", "+576012345678", "+573002223344"),
                     ("contacts", [P4], "done", "+573002223344", None)]


def test_a_second_profile_on_one_network_is_refused(config: Path) -> None:
    assert cli(config, "contact", "add", str(P4), "--kind", "whatsapp", "--value", "300 555 6666").exit_code == 0
    before = state(config)
    refused(cli(config, "contact", "add", str(P4), "--kind", "whatsapp", "--value", "310 777 8888"),
            "customer 4 already has a whatsapp profile ('300 555 6666', contact")
    assert state(config) == before
    # Another network is fine.
    assert cli(config, "contact", "add", str(P4), "--kind", "telegram", "--value", "@eva").exit_code == 0


def test_the_same_normalised_value_twice_on_a_customer_is_refused_naming_the_contact(config: Path) -> None:
    (existing,) = query(config, "SELECT contact_id FROM contact_details WHERE customer_id = 1 AND kind = 'email'")
    before = state(config)
    refused(cli(config, "contact", "add", "1", "--kind", "email", "--value", " ANA@X.co "),
            f"customer 1 already has this email ('ana@x.co', contact {existing[0]}); nothing changed")
    (phone,) = query(config, "SELECT contact_id FROM contact_details WHERE customer_id = 1 AND kind = 'phone'")
    refused(cli(config, "contact", "add", "1", "--kind", "phone", "--value", "+57 (300) 111-2233"),
            f"contact {phone[0]}")
    # Editing another contact into that value is refused too; setting its own value is not a clash.
    assert cli(config, "contact", "add", "1", "--kind", "email", "--value", "otra@x.co").exit_code == 0
    (other,) = query(config, "SELECT max(contact_id) FROM contact_details")
    refused(cli(config, "contact", "edit", str(other[0]), "--value", "Ana@x.co"), f"contact {existing[0]}")
    assert cli(config, "contact", "edit", str(existing[0]), "--value", "ANA@X.CO").exit_code == 0
    refused(cli(config, "contact", "add", "1", "--kind", "fax", "--value", "1"), "--kind 'fax': choose one of")
    refused(cli(config, "contact", "add", "1", "--kind", "phone", "--value", "call me"), "cannot be read as a phone")
    refused(cli(config, "contact", "delete", "999"), "no contact detail 999 in the warehouse")
    assert state(config)["contact_details"] != before["contact_details"]  # the allowed ones did change


def test_contacts_of_a_merged_customer_are_refused(config: Path) -> None:
    with open_warehouse(config.parent / "wh.duckdb") as con:
        merge_customers(con, P1, [P2], elements=("tickets",), actor="marta")
    (kept,) = query(config, "SELECT min(contact_id) FROM contact_details WHERE customer_id = 2")
    before = state(config)
    refused(cli(config, "contact", "add", "2", "--kind", "email", "--value", "b@x.co"),
            "cannot add a contact detail to customer 2: it was merged and now lives in customer 1")
    refused(cli(config, "contact", "delete", str(kept[0])), "now lives in customer 1")
    assert state(config) == before


# --- relations ----------------------------------------------------------------------------

def test_relations_are_added_edited_and_deleted_each_audited(config: Path) -> None:
    added = cli(config, "relation", "add", str(C1), str(P5), "--tags", "representante legal")
    assert added.exit_code == 0, added.output
    (relation_id,) = query(config, "SELECT max(relation_id) FROM customer_relations")[0]
    assert added.stdout.strip() == (f"related customer 6 to 5 (relation {relation_id}, tags representante legal)")
    assert cli(config, "relation", "edit", str(relation_id), "--tags", "conyuge").exit_code == 0
    assert query(config, "SELECT customer_id, related_customer_id, tags FROM customer_relations "
                         "WHERE relation_id = ?", [relation_id]) == [(C1, 5, "conyuge")]
    assert cli(config, "relation", "delete", str(relation_id)).exit_code == 0
    assert query(config, "SELECT count(*) FROM customer_relations WHERE relation_id = ?", [relation_id]) == [(0,)]
    trail = [(a, ids, o, before and json.loads(before)["tags"], after and json.loads(after)["tags"])
             for _, _, a, ids, o, before, after in audit(config)]
    assert trail == [("relations", [C1, 5], "done", None, "representante legal"),
                     ("relations", [C1, 5], "done", "representante legal", "conyuge"),
                     ("relations", [C1, 5], "done", "conyuge", None)]


def test_relation_refusals(config: Path) -> None:
    with open_warehouse(config.parent / "wh.duckdb") as con:
        merge_customers(con, P1, [P3], actor="marta")
    before = state(config)
    refused(cli(config, "relation", "add", "4", "4", "--tags", "yo"), "a customer cannot be related to itself")
    refused(cli(config, "relation", "add", "4", str(P3), "--tags", "prima"),
            "cannot relate customer 3: it was merged and now lives in customer 1")
    refused(cli(config, "relation", "add", "4", "99"), "no customer 99 in the warehouse")
    refused(cli(config, "relation", "add", str(P4), str(P1), "--tags", "x"),
            f"customers {P4} and {P1} are related already (relation")
    assert state(config) == before


# --- roles --------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "action", "ids"), [
    (PERSON[:], "add", []),
    (["customer", "edit", "1", "--set", "city=Cali"], "edit", [1]),
    (["contact", "add", "1", "--kind", "email", "--value", "z@x.co"], "contacts", [1]),
    (["contact", "delete", "1"], "contacts", []),
    (["relation", "add", "1", "5", "--tags", "tio"], "relations", [1, 5]),
    (["relation", "delete", "1"], "relations", []),
])
def test_a_forbidden_role_is_refused_in_one_line_audited_and_changes_nothing(config: Path, args: list[str],
                                                                             action: str, ids: list[int]) -> None:
    before = snapshot_without_audit(config)
    result = cli(config, *args, role="analyst")
    refused(result, f"lucia as role 'analyst' may not {action} (it may: query); ask an admin")
    assert snapshot_without_audit(config) == before
    assert query(config, "SELECT user_name, role, action, customer_ids, outcome FROM audit_log") == [
        ("lucia", "analyst", action, ids, "refused")]


def snapshot_without_audit(config: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(config.parent / "wh.duckdb"), read_only=True) as con:
        return {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def test_help_names_the_new_commands() -> None:
    top = runner.invoke(app, ["--help"])
    assert "contact" in top.stdout and "relation" in top.stdout
    customer = runner.invoke(app, ["customer", "--help"])
    assert all(word in customer.stdout for word in ("show", "add", "edit"))
    for group in ("contact", "relation"):
        sub = runner.invoke(app, [group, "--help"])
        assert all(word in sub.stdout for word in ("add", "edit", "delete"))
