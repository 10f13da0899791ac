"""Normalisers: tables of written variants -> canonical value, and idempotence properties."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.br import cnpj as stdnum_cnpj

from dedupe.cities import city_key
from dedupe.normalise import (
    COMPANY_DOCUMENT_TYPES,
    DOCUMENT_TYPES,
    PLACEHOLDER_EMAILS,
    CompanyName,
    DocumentCheck,
    LineType,
    UnknownDocumentType,
    UnreadableDate,
    company_name,
    country,
    customer_type,
    document_check,
    document_number,
    document_type,
    email,
    fold_name,
    fold_text,
    gender,
    parse_date,
    parse_timestamp,
    person_name,
    phone,
    split_values,
)

VALID, INVALID, UNCHECKED = DocumentCheck.VALID, DocumentCheck.INVALID, DocumentCheck.UNCHECKED
TODAY = dt.date(2025, 6, 1)  # fixed "today" for the two-digit-year pivot


# --- Document types ------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # CC
    ("CC", "CC"), ("C.C.", "CC"), ("C.C", "CC"), ("cc", "CC"), ("c c", "CC"), (" C. C. ", "CC"),
    ("cédula", "CC"), ("Cedula", "CC"), ("CÉDULA", "CC"), ("Cédula de ciudadanía", "CC"),
    ("cedula de ciudadania", "CC"), ("cédula ciudadanía", "CC"), ("CEDULA DE CIUDADANIA", "CC"),
    ("Cédula  de   Ciudadanía.", "CC"), ("Ced.", "CC"), ("cédula de ciudadano", "CC"),
    # CE
    ("CE", "CE"), ("C.E.", "CE"), ("c.e", "CE"), ("C. de E.", "CE"), ("cédula de extranjería", "CE"),
    ("Cedula Extranjeria", "CE"), ("CÉDULA DE EXTRANJERÍA", "CE"), ("cédula de extranjero", "CE"),
    # TI, RC, NUIP
    ("TI", "TI"), ("T.I.", "TI"), ("t.i", "TI"), ("tarjeta de identidad", "TI"), ("Tarjeta Identidad", "TI"),
    ("RC", "RC"), ("R.C.", "RC"), ("registro civil", "RC"), ("Registro Civil de Nacimiento", "RC"),
    ("NUIP", "NUIP"), ("N.U.I.P.", "NUIP"), ("número único de identificación personal", "NUIP"),
    # NIT
    ("NIT", "NIT"), ("N.I.T.", "NIT"), ("Nit", "NIT"), ("nit.", "NIT"),
    ("Número de Identificación Tributaria", "NIT"),
    # PAS
    ("PAS", "PAS"), ("PA", "PAS"), ("P.A.", "PAS"), ("PP", "PAS"), ("pasaporte", "PAS"),
    ("PASAPORTE", "PAS"), ("passaporte", "PAS"), ("passport", "PAS"), ("Passport", "PAS"),
    # PEP, PPT, TE
    ("PEP", "PEP"), ("P.E.P.", "PEP"), ("permiso especial de permanencia", "PEP"),
    ("PPT", "PPT"), ("Permiso por Protección Temporal", "PPT"),
    ("TE", "TE"), ("tarjeta de extranjería", "TE"),
    # Brazil
    ("CPF", "CPF"), ("cpf", "CPF"), ("C.P.F.", "CPF"), ("Cadastro de Pessoas Físicas", "CPF"),
    ("CNPJ", "CNPJ"), ("cnpj", "CNPJ"), ("C.N.P.J.", "CNPJ"), ("Cadastro Nacional da Pessoa Jurídica", "CNPJ"),
    ("RG", "RG"), ("R.G.", "RG"), ("registro geral", "RG"), ("Registro Geral", "RG"), ("carteira de identidade", "RG"),
    ("CNH", "CNH"), ("Carteira Nacional de Habilitação", "CNH"), ("RNE", "RNM"), ("RNM", "RNM"),
    # Other countries
    ("RUT", "RUT"), ("R.U.T.", "RUT"), ("rut", "RUT"), ("Rol Único Tributario", "RUT"),
    ("DNI", "DNI"), ("D.N.I.", "DNI"), ("dni", "DNI"), ("Documento Nacional de Identidad", "DNI"),
    ("RFC", "RFC"), ("R.F.C.", "RFC"), ("CURP", "CURP"), ("C.U.R.P.", "CURP"),
    ("RUC", "RUC"), ("CUIT", "CUIT"), ("C.U.I.T.", "CUIT"), ("CUIL", "CUIL"),
])
def test_document_type_spellings(raw: str, expected: str) -> None:
    assert document_type(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\t", "N/A", "n/a", "ninguno", "Sin documento", "-"])
def test_document_type_absent(raw: str) -> None:
    assert document_type(raw) is None


@pytest.mark.parametrize("raw", ["XYZ", "cédula de identidad", "licencia", "13", "C"])
def test_unknown_document_type_names_the_value_and_the_known_codes(raw: str) -> None:
    with pytest.raises(UnknownDocumentType) as error:
        document_type(raw)
    assert isinstance(error.value, ValueError)
    assert repr(raw) in str(error.value)
    assert all(code in str(error.value) for code in DOCUMENT_TYPES)


def test_document_types_are_the_canonical_codes() -> None:
    required = {"CC", "CE", "TI", "RC", "NIT", "PAS", "PEP", "PPT", "CPF", "CNPJ", "RG", "RUT", "DNI", "RFC",
                "CURP", "NUIP"}
    assert required <= set(DOCUMENT_TYPES)
    assert {"NIT", "CNPJ"} <= COMPANY_DOCUMENT_TYPES
    assert "RFC" not in COMPANY_DOCUMENT_TYPES
    # Every code reads as itself.
    assert [document_type(code) for code in DOCUMENT_TYPES] == list(DOCUMENT_TYPES)


@pytest.mark.parametrize("raw, aliases, expected", [
    ("Doc. Identidad", {"doc identidad": "CC"}, "CC"),  # configured spellings are folded too
    ("DOC IDENTIDAD", {"Doc. Identidad": "cédula"}, "CC"),  # the target may be any built-in spelling
    ("13", {"13": "CC", "31": "NIT"}, "CC"),  # DIAN numeric codes, when a source uses them
    ("31", {"13": "CC", "31": "NIT"}, "NIT"),
    ("CE", {"C.E.": "PAS"}, "PAS"),  # configured spellings win over the built-in table
    ("cc", {"xx": "CE"}, "CC"),  # ... and the built-in table still applies otherwise
    ("sin doc", {"sin doc": ""}, None),  # an empty target means "no document"
])
def test_document_type_extra_aliases(raw: str, aliases: dict[str, str], expected: str | None) -> None:
    assert document_type(raw, aliases) == expected


def test_extra_alias_to_an_unknown_code_is_refused() -> None:
    with pytest.raises(UnknownDocumentType, match="'ZZZ'"):
        document_type("cc", {"id": "ZZZ"})


# --- Document numbers and check digits -----------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("1.234.567", "1234567"),
    ("123.456.789-09", "12345678909"),
    ("900.123.456-7", "9001234567"),
    (" ab 123-45 ", "AB12345"),
    ("11.222.333/0001-81", "11222333000181"),
    ("12.345.678-k", "12345678K"),
    ("0012345", "0012345"),  # leading zeros are part of the number
    ("00.123.456", "00123456"),
    ("1 234 567", "1234567"),
    ("１２３４５", "12345"),  # full-width digits
    ("GODE-561231-GR8", "GODE561231GR8"),
    ("peña 800101 ab1", "PEÑA800101AB1"),  # Ñ is a letter of Mexican RFCs
    ("", None), ("   ", None), ("-.-", None),
])
def test_document_number(raw: str, expected: str | None) -> None:
    assert document_number(raw) == expected


@pytest.mark.parametrize("raw, doc_type, expected", [
    # CPF: valid ones computed with stdnum, invalid ones with one digit changed
    ("123.456.789-09", "CPF", VALID), ("39053344705", "CPF", VALID), ("529.982.247-25", "CPF", VALID),
    ("123.456.789-08", "CPF", INVALID), ("39053344706", "CPF", INVALID), ("529.982.247-35", "CPF", INVALID),
    ("1234567890", "CPF", INVALID),  # too short
    # CNPJ
    ("11.222.333/0001-81", "CNPJ", VALID), ("11444777000161", "CNPJ", VALID), ("04.597.546/0001-22", "CNPJ", VALID),
    ("12.ABC.345/01DE-35", "CNPJ", VALID),  # alphanumeric CNPJ (from July 2026)
    ("11.222.333/0001-82", "CNPJ", INVALID), ("11444777000171", "CNPJ", INVALID),
    # NIT: the last digit is the check digit
    ("900.123.456-8", "NIT", VALID), ("860.034.313-7", "NIT", VALID), ("8001972684", "NIT", VALID),
    ("900.123.456-7", "NIT", INVALID), ("8600343136", "NIT", INVALID),
    # RUT (Chile), RFC and CURP (Mexico), CUIT (Argentina)
    ("12.345.678-5", "RUT", VALID), ("7.654.321-6", "RUT", VALID), ("12.345.678-K", "RUT", INVALID),
    ("GODE561231GR8", "RFC", VALID), ("MAB-930714-8T4", "RFC", VALID), ("GODE561331GR8", "RFC", INVALID),
    ("BOXW310820HNERXN09", "CURP", VALID), ("BOXW310820HNERXN08", "CURP", INVALID),
    ("20-12345678-6", "CUIT", VALID), ("20-12345678-5", "CUIT", INVALID),
    # Types without a check digit
    ("1.234.567", "CC", UNCHECKED), ("80123456", "CC", UNCHECKED), ("AB123456", "PAS", UNCHECKED),
    ("12345678", "DNI", UNCHECKED), ("12.345.678-9", "RG", UNCHECKED), ("1234567", "TI", UNCHECKED),
    ("1234567", None, UNCHECKED), ("1234567", "XYZ", UNCHECKED),
    # Obviously fake numbers, whatever the type
    ("0000000", "CC", INVALID), ("1111111", "CC", INVALID), ("999.999.999", "CE", INVALID),
    ("111.111.111-11", "CPF", INVALID),  # passes the CPF checksum, but is a placeholder
    ("00000000000000", "CNPJ", INVALID), ("123", "CC", INVALID), ("1", "PAS", INVALID),
    ("AAAAAA", "PAS", INVALID), ("0000000", None, INVALID),
])
def test_document_check(raw: str, doc_type: str | None, expected: DocumentCheck) -> None:
    assert document_check(document_number(raw), doc_type) == expected


@pytest.mark.parametrize("doc_type", ["CPF", "CC", None])
def test_document_check_without_number_is_unchecked(doc_type: str | None) -> None:
    assert document_check(None, doc_type) == UNCHECKED


def _cpf_check_digits(base: str) -> str:
    """The published CPF algorithm (stdnum 2.2 keeps its own private)."""
    first = (11 - sum((10 - i) * int(d) for i, d in enumerate(base))) % 11 % 10
    second = (11 - sum((11 - i) * int(d) for i, d in enumerate(base + str(first)))) % 11 % 10
    return f"{first}{second}"


def _change_check_digit(number: str, position: int, shift: int) -> str:
    """``number`` with one of its last two (check) digits changed: always detectable."""
    index = len(number) - 2 + position
    return number[:index] + str((int(number[index]) + shift) % 10) + number[index + 1:]


@given(base=st.text(alphabet="0123456789", min_size=9, max_size=9), position=st.sampled_from([0, 1]),
       shift=st.integers(1, 9))
def test_random_cpf_is_valid_and_invalid_with_a_digit_changed(base: str, position: int, shift: int) -> None:
    assume(len(set(base)) > 1)  # "111111111.." is a placeholder, INVALID by design
    number = base + _cpf_check_digits(base)
    assert document_check(number, "CPF") == VALID
    assert document_check(_change_check_digit(number, position, shift), "CPF") == INVALID


@given(base=st.text(alphabet="0123456789", min_size=12, max_size=12), position=st.sampled_from([0, 1]),
       shift=st.integers(1, 9))
def test_random_cnpj_is_valid_and_invalid_with_a_digit_changed(base: str, position: int, shift: int) -> None:
    assume(len(set(base)) > 1)
    number = base + stdnum_cnpj.calc_check_digits(base)
    assert document_check(number, "CNPJ") == VALID
    assert document_check(_change_check_digit(number, position, shift), "CNPJ") == INVALID


# --- Names ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("María José", "maria jose"), ("MARÍA JOSÉ", "maria jose"), ("maria jose", "maria jose"),
    ("María-José", "maria jose"), ("D'Angelo", "d angelo"), ("D’Ángelo", "d angelo"), ("O'Neill", "o neill"),
    ("Núñez", "nunez"), ("NUÑEZ", "nunez"), ("Peña", "pena"), ("Gonçalves", "goncalves"), ("JOÃO", "joao"),
    ("Conceição", "conceicao"), ("Müller", "muller"), ("Ærø", "aero"), ("Strauß", "strauss"),
    ("  de   la  Cruz  ", "de la cruz"), ("García-Márquez", "garcia marquez"), ("Pérez_Gómez", "perez gomez"),
    ("Jr.", "jr"), ("José\tLuis\nPérez", "jose luis perez"), ("", ""), ("  ", ""), ("'-.", ""),
    ("Grupo Éxito 123", "grupo exito 123"),
])
def test_fold_name(raw: str, expected: str) -> None:
    assert fold_name(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("MARÍA JOSÉ", "María José"), ("maría josé", "María José"), ("  juan   pablo  ", "Juan Pablo"),
    ("de la cruz", "De la Cruz"), ("MARÍA JOSÉ DE LA CRUZ", "María José de la Cruz"),
    ("JUAN DEL RÍO", "Juan del Río"), ("LAS HERAS", "Las Heras"), ("ANA DE LOS RÍOS", "Ana de los Ríos"),
    ("JOÃO DA SILVA E SOUZA", "João da Silva e Souza"), ("MARIA DAS DORES", "Maria das Dores"),
    ("PEDRO DO NASCIMENTO DOS SANTOS", "Pedro do Nascimento dos Santos"), ("ORTEGA Y GASSET", "Ortega y Gasset"),
    ("MARÍA-JOSÉ", "María-José"), ("d'angelo", "D'Angelo"), ("O'NEILL", "O'Neill"), ("ÑUSTA", "Ñusta"),
    ("GONÇALVES", "Gonçalves"),
    # Mixed case is the customer's own spelling
    ("María JOSÉ", "María JOSÉ"), ("McDonald", "McDonald"), ("DiCaprio", "DiCaprio"), ("de la Cruz", "de la Cruz"),
    ("", ""),
])
def test_person_name(raw: str, expected: str) -> None:
    assert person_name(raw) == expected


COMERCIALIZADORA = [
    "Comercializadora Andina S.A.S.", "COMERCIALIZADORA ANDINA SAS", "Comercializadora Andina SAS",
    "comercializadora andina s.a.s", "Comercializadora Andina S. A. S.", "comercializadora andina s a s",
    "Comercializadora  Andina  S.A.S", "COMERCIALIZADORA ANDINA, S.A.S.",
    "Comercializadora Andina Sociedad por Acciones Simplificada",
]


@pytest.mark.parametrize("raw", COMERCIALIZADORA)
def test_company_suffix_variants_share_folded_and_core(raw: str) -> None:
    assert company_name(raw) == CompanyName(
        display=" ".join(raw.split()), folded="comercializadora andina sas", core="comercializadora andina",
        legal_form="SAS")


def test_company_without_suffix_shares_the_core() -> None:
    assert company_name("Comercializadora Andina").core == company_name(COMERCIALIZADORA[0]).core
    assert company_name("Comercializadora Andina").legal_form is None


@pytest.mark.parametrize("raw, core, legal_form", [
    ("Distribuciones Ltda.", "distribuciones", "LTDA"), ("DISTRIBUCIONES LTDA", "distribuciones", "LTDA"),
    ("Distribuciones Limitada", "distribuciones", "LTDA"),
    ("Bancolombia S.A.", "bancolombia", "SA"), ("BANCOLOMBIA SA", "bancolombia", "SA"),
    ("Bancolombia S/A", "bancolombia", "SA"), ("Bancolombia Sociedad Anónima", "bancolombia", "SA"),
    ("Gómez Hermanos S. en C.", "gomez hermanos", "SENC"), ("Gómez Hermanos S en C", "gomez hermanos", "SENC"),
    ("Gómez Hermanos S. en C.S.", "gomez hermanos", "SCS"),
    ("Ferretería Juan E.U.", "ferreteria juan", "EU"), ("Ferretería Juan EU", "ferreteria juan", "EU"),
    ("Ferretería Juan Empresa Unipersonal", "ferreteria juan", "EU"),
    ("Pérez y Cía.", "perez", None), ("Pérez & Cía", "perez", None), ("Pérez y Compañía S.A.S.", "perez", "SAS"),
    ("Pérez & Cía. S. en C.", "perez", "SENC"), ("Gomes & Companhia Ltda", "gomes", "LTDA"),
    ("Padaria Pão Quente Ltda", "padaria pao quente", "LTDA"), ("Padaria Pão Quente ME", "padaria pao quente", "ME"),
    ("Padaria Pão Quente Ltda - ME", "padaria pao quente", "LTDA ME"),
    ("Padaria Pão Quente Ltda. EPP", "padaria pao quente", "LTDA EPP"),
    ("Construtora Horizonte EIRELI", "construtora horizonte", "EIRELI"),
    ("Construtora Horizonte S.A.", "construtora horizonte", "SA"),
    ("Empresas Públicas de Medellín E.S.P.", "empresas publicas de medellin", "ESP"),
    ("Gases de Occidente S.A. E.S.P.", "gases de occidente", "SA ESP"),
    ("Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo", "SAB CV"), ("Acme Inc.", "acme", "INC"),
    # Never from the middle, never the whole name
    ("Compañía Nacional de Chocolates S.A.S.", "compania nacional de chocolates", "SAS"),
    ("Sociedad Anónima de Transportes", "sociedad anonima de transportes", None),
    ("SAS Institute Colombia", "sas institute colombia", None), ("Ltda Servicios", "ltda servicios", None),
    ("S.A.", "s a", None), ("Cía", "cia", None), ("", "", None),
])
def test_company_name_core_and_legal_form(raw: str, core: str, legal_form: str | None) -> None:
    name = company_name(raw)
    assert (name.core, name.legal_form) == (core, legal_form)
    expected_folded = " ".join([core, *legal_form.lower().split()]) if legal_form else core
    assert name.folded == expected_folded


# --- Addresses and cities ------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Cra. 7 # 45-10", "carrera 7 45 10"), ("Carrera 7 No. 45 - 10", "carrera 7 45 10"),
    ("KR 7 N° 45-10", "carrera 7 45 10"), ("Cr 7 Nro 45 10", "carrera 7 45 10"), ("CRA 7 #45-10", "carrera 7 45 10"),
    ("Cl 100 # 15-20", "calle 100 15 20"), ("Cll. 100 No 15-20", "calle 100 15 20"),
    ("CALLE 100 # 15 - 20", "calle 100 15 20"), ("Av. 68 # 10-20", "avenida 68 10 20"),
    ("Avda Boyacá", "avenida boyaca"), ("Avenida Boyacá", "avenida boyaca"), ("Dg 20 Sur # 5-10", "diagonal 20 sur 5 10"),
    ("Tv 5 Bis", "transversal 5 bis"), ("Transversal 5 bis", "transversal 5 bis"),
    ("Cra 7A # 45-10 Apto 301", "carrera 7a 45 10 apartamento 301"),
    ("R. Augusta, 1500", "rua augusta 1500"), ("Rua Augusta, nº 1500", "rua augusta 1500"),
    ("Av. Paulista, 1000", "avenida paulista 1000"), ("Bogotá D.C.", "bogota d c"), ("BOGOTÁ, D. C.", "bogota d c"),
    ("São Paulo", "sao paulo"), ("Medellín", "medellin"), ("", ""),
])
def test_fold_text(raw: str, expected: str) -> None:
    assert fold_text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Santiago de Cali", "cali"), ("CALI", "cali"), ("Bogotá, D.C.", "bogota"), ("Bogota DC", "bogota"),
    ("Santafé de Bogotá", "bogota"), ("B/quilla", "barranquilla"), ("B/manga", "bucaramanga"),
    ("Cartagena de Indias", "cartagena"), ("Sta. Marta", "santa marta"), ("Villavo", "villavicencio"),
    ("São Paulo - SP", "sao paulo"), ("Campinas/SP", "campinas"), ("Rio de Janeiro - RJ", "rio de janeiro"),
    ("Rio", "rio de janeiro"), ("BH", "belo horizonte"), ("Belo Horizonte, MG", "belo horizonte"),
    ("POA", "porto alegre"), ("CDMX", "ciudad de mexico"), ("México D.F.", "ciudad de mexico"), ("Mexico DF", "ciudad de mexico"),
    ("Lima Metropolitana", "lima"), ("Distrito Metropolitano de Quito", "quito"),
    ("Santiago de Chile", "santiago"), ("Santiago", "santiago"),
    # official names with the district's letters (migration 0014)
    ("Ciudad de México, D.F.", "ciudad de mexico"), ("México, Distrito Federal", "ciudad de mexico"),
    ("Santa Fe de Bogotá D.C.", "bogota"), ("Santafé de Bogotá, D.C.", "bogota"),
    ("Cartagena de Indias D.T. y C.", "cartagena"), ("Santa Marta D.T.C.H.", "santa marta"),
    # unknown cities come back folded; a two-letter word alone is no state to drop
    ("Tuluá", "tulua"), ("DF", "df"), ("SP", "sp"), ("Rio RJ", "rio de janeiro"), ("Campinas SP SP", "campinas"),
    ("", ""),
])
def test_city_key(raw: str, expected: str) -> None:
    assert city_key(raw) == expected


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúãç -/.,", max_size=30))
def test_city_key_is_idempotent(raw: str) -> None:
    assert city_key(city_key(raw)) == city_key(raw)


# --- Phones --------------------------------------------------------------------------

CO_MOBILE = ("+573001234567", 57, "300", "1234567", LineType.MOBILE)
BR_MOBILE = ("+5511987654321", 55, "11", "987654321", LineType.MOBILE)


@pytest.mark.parametrize("raw, country_code, expected", [
    ("300 123 4567", "CO", CO_MOBILE), ("(300) 123-4567", "CO", CO_MOBILE), ("+57 300 1234567", "CO", CO_MOBILE),
    ("573001234567", "CO", CO_MOBILE), ("0057 300 123 4567", "CO", CO_MOBILE), ("3001234567", "CO", CO_MOBILE),
    ("300-123-4567", "CO", CO_MOBILE), ("300.123.4567", "CO", CO_MOBILE), ("WhatsApp: +57 300 123 4567", "CO", CO_MOBILE),
    ("+57 300 123 4567 (WhatsApp)", "CO", CO_MOBILE), ("3001234567.0", "CO", CO_MOBILE),
    ("+57 300 1234567", None, CO_MOBILE), ("+57 300 1234567", "BR", CO_MOBILE), ("3001234567", "co", CO_MOBILE),
    ("601 234 5678", "CO", ("+576012345678", 57, "601", "2345678", LineType.FIXED)),
    ("(604) 444 5566", "CO", ("+576044445566", 57, "604", "4445566", LineType.FIXED)),
    ("(11) 98765-4321", "BR", BR_MOBILE), ("+55 11 98765-4321", "BR", BR_MOBILE), ("11987654321", "BR", BR_MOBILE),
    ("5511987654321", "BR", BR_MOBILE), ("0055 11 98765 4321", "BR", BR_MOBILE), ("011 98765-4321", "BR", BR_MOBILE),
    ("+55 11 98765-4321", "CO", BR_MOBILE),
    ("(11) 3456-7890", "BR", ("+551134567890", 55, "11", "34567890", LineType.FIXED)),
    ("(21) 2345-6789", "BR", ("+552123456789", 55, "21", "23456789", LineType.FIXED)),
    ("+1 212 555 0100", "CO", ("+12125550100", 1, "212", "5550100", LineType.UNKNOWN)),  # US: fixed or mobile
])
def test_valid_phone(raw: str, country_code: str | None, expected: tuple) -> None:
    result = phone(raw, country_code)
    assert result is not None
    assert (result.e164, result.country_code, result.area_code, result.number, result.line_type) == expected
    assert result.valid is True
    assert result.raw == raw


@pytest.mark.parametrize("raw, country_code, e164", [
    ("2345678", "CO", "+572345678"),  # seven digits: pre-2021 fixed number without area code
    ("+57 123", "CO", "+57123"),
    ("11987654321", "CO", "+5711987654321"),  # a Brazilian number read with the wrong country
])
def test_invalid_phone_is_flagged_but_kept(raw: str, country_code: str, e164: str) -> None:
    result = phone(raw, country_code)
    assert result is not None and (result.e164, result.valid) == (e164, False)


@pytest.mark.parametrize("raw, country_code", [
    ("abc", "CO"), ("no tiene", "CO"), ("3001234567", None), ("3001234567", "XX"), ("3001234567 3107654321", "CO"),
])
def test_unreadable_phone(raw: str, country_code: str | None) -> None:
    result = phone(raw, country_code)
    assert result is not None
    assert (result.raw, result.e164, result.country_code, result.area_code, result.number) == (raw, None, None, None, None)
    assert (result.line_type, result.valid) == (LineType.UNKNOWN, False)


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_phone_is_none(raw: str) -> None:
    assert phone(raw, "CO") is None


# --- Multi-value cells ---------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("300 123 4567; 310 765 4321", ["300 123 4567", "310 765 4321"]),
    ("300 123 4567, 310 765 4321", ["300 123 4567", "310 765 4321"]),
    ("300 123 4567 | 310 765 4321", ["300 123 4567", "310 765 4321"]),
    ("300 123 4567 / 310 765 4321", ["300 123 4567", "310 765 4321"]),
    ("300/123/4567", ["300/123/4567"]),
    ("300 123 4567\n310 765 4321", ["300 123 4567", "310 765 4321"]),
    ("juan.perez@gmail.com;ana.maria@empresa.com.co", ["juan.perez@gmail.com", "ana.maria@empresa.com.co"]),
    ("b@x.co; a@x.co; b@x.co", ["b@x.co", "a@x.co"]),  # order kept, exact repeats dropped
    ("B@x.co;b@x.co", ["B@x.co", "b@x.co"]),  # only exact repeats: e-mail() decides the rest
    (" ; ;; ", []), ("", []), ("solo", ["solo"]),
])
def test_split_values(raw: str, expected: list[str]) -> None:
    assert split_values(raw) == expected


# --- E-mails -------------------------------------------------------------------------

@pytest.mark.parametrize("raw, value, valid", [
    ("juan.perez@gmail.com", "juan.perez@gmail.com", True),
    ("Juan.Perez@Gmail.COM", "juan.perez@gmail.com", True),
    ("  juan.perez@gmail.com  ", "juan.perez@gmail.com", True),
    ("mailto:juan.perez@gmail.com", "juan.perez@gmail.com", True),
    ("MAILTO:Juan.Perez@gmail.com", "juan.perez@gmail.com", True),
    ("<juan.perez@gmail.com>", "juan.perez@gmail.com", True),
    ("Juan Pérez <juan.perez@gmail.com>", "juan.perez@gmail.com", True),
    ("juan.perez @ gmail.com", "juan.perez@gmail.com", True),
    ("ana_maria+crm@empresa.com.co", "ana_maria+crm@empresa.com.co", True),
    ("joão@empresa.com.br", "joão@empresa.com.br", True),
    # Syntax errors
    ("juan.perez@gmail", "juan.perez@gmail", False), ("juan.perez.gmail.com", "juan.perez.gmail.com", False),
    ("juan..perez@gmail.com", "juan..perez@gmail.com", False), ("juan@@gmail.com", "juan@@gmail.com", False),
    ("@gmail.com", "@gmail.com", False), ("juan@gmail..com", "juan@gmail..com", False),
    # Placeholders
    ("sin@correo.com", "sin@correo.com", False), ("no@tiene.com", "no@tiene.com", False),
    ("SIN@CORREO.COM", "sin@correo.com", False), ("notiene@gmail.com", "notiene@gmail.com", False),
    ("no.tiene@hotmail.com", "no.tiene@hotmail.com", False), ("sincorreo@empresa.com", "sincorreo@empresa.com", False),
    ("noaplica@noaplica.com", "noaplica@noaplica.com", False), ("ninguno@gmail.com", "ninguno@gmail.com", False),
    ("na@na.com", "na@na.com", False), ("nao_tem@gmail.com", "nao_tem@gmail.com", False),
])
def test_email(raw: str, value: str, valid: bool) -> None:
    result = email(raw)
    assert result is not None
    assert (result.raw, result.value, result.valid) == (raw, value, valid)


@pytest.mark.parametrize("raw", ["", "   ", "mailto:", "<>"])
def test_empty_email_is_none(raw: str) -> None:
    assert email(raw) is None


def test_placeholder_emails_are_well_formed_but_never_valid() -> None:
    for placeholder in PLACEHOLDER_EMAILS:
        result = email(placeholder)
        assert result is not None and result.value == placeholder and not result.valid


# --- Dates ---------------------------------------------------------------------------

MAY_17 = dt.date(1990, 5, 17)


@pytest.mark.parametrize("raw, expected", [
    ("1990-05-17", MAY_17), ("1990/05/17", MAY_17), ("1990.05.17", MAY_17), ("1990-5-17", MAY_17),
    ("17/05/1990", MAY_17), ("17-05-1990", MAY_17), ("17.05.1990", MAY_17), ("17/5/1990", MAY_17),
    ("17/05/90", MAY_17), ("19900517", MAY_17), (" 17/05/1990 ", MAY_17),
    ("1990-05-17T10:00:00", MAY_17), ("1990-05-17 10:00:00", MAY_17), ("1990-05-17T10:00:00Z", MAY_17),
    ("1990-05-17T23:30:00-05:00", MAY_17),  # the date as written, not shifted to UTC
    ("17/05/1990 10:00", MAY_17), ("17/05/1990 10:00:00 a. m.", MAY_17),
    ("17 de mayo de 1990", MAY_17), ("17 de Mayo de 1990", MAY_17), ("17 de maio de 1990", MAY_17),
    ("17 mayo 1990", MAY_17), ("17-may-1990", MAY_17), ("17-MAY-90", MAY_17), ("17/may/1990", MAY_17),
    ("17 may. 1990", MAY_17), ("May 17, 1990", MAY_17), ("may 17 1990", MAY_17), ("mayo 17 de 1990", MAY_17),
    ("17 de março de 1990", dt.date(1990, 3, 17)), ("1 de septiembre de 2001", dt.date(2001, 9, 1)),
    ("1 de setiembre de 2001", dt.date(2001, 9, 1)), ("5 de dezembro de 1985", dt.date(1985, 12, 5)),
    ("05-ENE-2000", dt.date(2000, 1, 5)), ("29/02/2000", dt.date(2000, 2, 29)),
    # Two-digit years: the century that does not put the date after "today" (2025-06-01)
    ("17/05/25", dt.date(2025, 5, 17)), ("01/06/25", dt.date(2025, 6, 1)), ("02/06/25", dt.date(1925, 6, 2)),
    ("17/05/00", dt.date(2000, 5, 17)), ("17/05/99", dt.date(1999, 5, 17)),
])
def test_parse_date(raw: str, expected: dt.date) -> None:
    assert parse_date(raw, today=TODAY) == expected


@pytest.mark.parametrize("raw", ["", "   ", "0000-00-00", "00/00/0000", "0000-00-00 00:00:00"])
def test_parse_date_empty(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw", [
    "31/02/1990", "30/02/2000", "29/02/1990", "32/01/1990", "17/13/1990", "1990-13-01", "1990-02-30",
    "05/17/1990",  # month first is only read with a configured format
    "17/05-1990", "17 de foo de 1990", "abc", "1990", "17/05", "1990-05-17 25:00", "17/05/1990 13:00 p. m.",
    "17051990x", "-",
])
def test_unreadable_date(raw: str) -> None:
    with pytest.raises(UnreadableDate) as error:
        parse_date(raw)
    assert str(error.value) == f"{raw.strip()!r} is not a date (expected e.g. 1990-05-17 or 17/05/1990)"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("raw, formats, expected", [
    ("05/17/1990", ["%m/%d/%Y"], MAY_17),
    ("1990|05|17", ["%d/%m/%Y", "%Y|%m|%d"], MAY_17),
    ("05/17/90", ["%m/%d/%y"], MAY_17),
    ("05/17/30", ["%m/%d/%y"], dt.date(1930, 5, 17)),  # strptime says 2030: not after today
    ("17/05/1990 10:00", ["%d/%m/%Y %H:%M"], MAY_17),
    ("", ["%m/%d/%Y"], None),
])
def test_parse_date_with_configured_formats(raw: str, formats: list[str], expected: dt.date | None) -> None:
    assert parse_date(raw, formats, today=TODAY) == expected


def test_configured_formats_replace_the_built_in_ones() -> None:
    with pytest.raises(UnreadableDate, match=r"'17/05/1990' is not a date \(expected %m/%d/%Y\)"):
        parse_date("17/05/1990", ["%m/%d/%Y"])


@pytest.mark.parametrize("raw, expected", [
    ("1990-05-17", dt.datetime(1990, 5, 17)), ("17/05/1990", dt.datetime(1990, 5, 17)),
    ("2024-01-15T14:30:00", dt.datetime(2024, 1, 15, 14, 30)), ("2024-01-15 14:30", dt.datetime(2024, 1, 15, 14, 30)),
    ("2024-01-15 14:30:05.25", dt.datetime(2024, 1, 15, 14, 30, 5, 250000)),
    ("2024-01-15T14:30:05.123456789Z", dt.datetime(2024, 1, 15, 14, 30, 5, 123456)),
    ("2024-01-15T14:30:00-05:00", dt.datetime(2024, 1, 15, 14, 30)),
    ("15/01/2024 14:30", dt.datetime(2024, 1, 15, 14, 30)), ("15/01/2024 2:30 p. m.", dt.datetime(2024, 1, 15, 14, 30)),
    ("15/01/2024 02:30 PM", dt.datetime(2024, 1, 15, 14, 30)), ("15/01/2024 12:05 a.m.", dt.datetime(2024, 1, 15, 0, 5)),
    ("15/01/2024 12:05 pm", dt.datetime(2024, 1, 15, 12, 5)), ("15 de enero de 2024 14:30", dt.datetime(2024, 1, 15, 14, 30)),
    ("20240115", dt.datetime(2024, 1, 15)), ("", None),
])
def test_parse_timestamp(raw: str, expected: dt.datetime | None) -> None:
    assert parse_timestamp(raw) == expected


def test_parse_timestamp_with_configured_format() -> None:
    assert parse_timestamp("01/15/2024 14:30", ["%m/%d/%Y %H:%M"]) == dt.datetime(2024, 1, 15, 14, 30)
    with pytest.raises(UnreadableDate):
        parse_timestamp("2024-01-15 25:61")


# --- Gender, customer type, country --------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("F", "F"), ("f", "F"), ("Femenino", "F"), ("femenino", "F"), ("FEMENINO", "F"), ("Mujer", "F"),
    ("feminino", "F"), ("mulher", "F"), ("Female", "F"), (" f ", "F"), ("F.", "F"),
    ("M", "M"), ("m", "M"), ("Masculino", "M"), ("Hombre", "M"), ("H", "M"), ("homem", "M"), ("Male", "M"),
    ("X", "X"), ("otro", "X"), ("Otra", "X"), ("outro", "X"), ("no binario", "X"), ("No-binario", "X"),
    ("não binário", "X"),
    ("", None), ("  ", None), ("desconocido", None), ("?", None), ("N/A", None),
])
def test_gender(raw: str, expected: str | None) -> None:
    assert gender(raw) == expected


@pytest.mark.parametrize("raw, doc_type, business_name, expected", [
    ("persona", None, "", "person"), ("Natural", "NIT", "", "person"), ("Persona Natural", None, "Tienda", "person"),
    ("PF", None, "", "person"), ("pessoa física", None, "", "person"), ("person", None, "", "person"),
    ("Individual", None, "", "person"),
    ("empresa", "CC", "", "company"), ("Jurídica", None, "", "company"), ("persona jurídica", None, "", "company"),
    ("PJ", None, "", "company"), ("Pessoa Jurídica", None, "", "company"), ("company", None, "", "company"),
    ("organization", None, "", "company"),
    # Empty: from the document type and the business name
    ("", "NIT", "", "company"), ("", "CNPJ", "", "company"), ("", "NIT", "Andina SAS", "company"),
    ("", None, "Andina SAS", "company"), ("", "RUT", "Andina SAS", "company"), ("  ", "RFC", "Andina SA", "company"),
    ("", "CC", "Tienda Don Juan", "person"), ("", "CPF", "Padaria", "person"), ("", "CC", "", "person"),
    ("", None, "", "person"), ("", "RUT", "", "person"), ("", None, "   ", "person"),
])
def test_customer_type(raw: str, doc_type: str | None, business_name: str, expected: str) -> None:
    assert customer_type(raw, doc_type, business_name) == expected


def test_unknown_customer_type_names_it_and_the_accepted_words() -> None:
    with pytest.raises(ValueError, match="'cliente'") as error:
        customer_type("cliente", None, "")
    assert "persona natural" in str(error.value) and "empresa" in str(error.value)


@pytest.mark.parametrize("raw, default, expected", [
    ("Colombia", None, "CO"), ("COLOMBIA", None, "CO"), ("CO", None, "CO"), ("co", "BR", "CO"), ("col", None, "CO"),
    ("COL", "BR", "CO"), ("Brasil", "CO", "BR"), ("Brazil", None, "BR"), ("BR", None, "BR"), ("BRA", "CO", "BR"),
    ("México", None, "MX"), ("Perú", None, "PE"), ("Panamá", None, "PA"), ("República Dominicana", None, "DO"),
    ("España", None, "ES"), ("Spain", None, "ES"), ("Estados Unidos", None, "US"), ("EE.UU.", None, "US"),
    ("USA", None, "US"), ("Venezuela", None, "VE"), ("Ecuador", None, "EC"),
    ("", "CO", "CO"), ("  ", None, None), ("de", "CO", "DE"), ("Alemania", "CO", "CO"), ("Alemania", None, None),
])
def test_country(raw: str, default: str | None, expected: str | None) -> None:
    assert country(raw, default) == expected


# --- Properties: normalising twice equals normalising once --------------------------

@given(st.text())
def test_fold_name_is_idempotent(raw: str) -> None:
    assert fold_name(fold_name(raw)) == fold_name(raw)


address_words = st.sampled_from(["Cra.", "Cr", "KR", "Cll", "Calle", "Av.", "Avda", "Dg", "Tv", "No.", "N°", "nº", "Nro",
                                 "#", "R.", "r", "Rua", "Apto", "7A", "45-10", "Bogotá", "D.C."])
address_like = st.lists(address_words | st.text(max_size=5), max_size=8).map(" ".join)


@given(address_like | st.text())
def test_fold_text_is_idempotent(raw: str) -> None:
    assert fold_text(fold_text(raw)) == fold_text(raw)


@given(st.text())
def test_document_number_is_idempotent(raw: str) -> None:
    once = document_number(raw)
    assert once is None or document_number(once) == once


name_words = st.sampled_from(["MARÍA", "josé", "De", "la", "DEL", "y", "d'angelo", "O'NEILL", "Núñez", "ß", "ǆ", "İ"])


@given(st.lists(name_words | st.text(max_size=6), max_size=6).map(" ".join) | st.text())
def test_person_name_is_idempotent(raw: str) -> None:
    assert person_name(person_name(raw)) == person_name(raw)


legal_suffixes = st.sampled_from(["S.A.S.", "SAS", "s. a. s.", "Ltda.", "Limitada", "S.A.", "S/A", "S. en C.", "E.U.",
                                  "y Cía.", "& Cía", "ME", "EPP", "EIRELI", "S.A. E.S.P.", "de C.V.", "S", "A", "en", "C"])


@given(st.lists(st.text(max_size=8) | legal_suffixes, max_size=6).map(" ".join))
def test_company_name_folded_is_idempotent(raw: str) -> None:
    once = company_name(raw)
    again = company_name(once.folded)
    assert (again.folded, again.core, again.legal_form) == (once.folded, once.core, once.legal_form)


@given(st.emails() | st.text() | st.builds("{} <mailto:{}>".format, st.text(max_size=5), st.emails()))
def test_email_value_is_idempotent(raw: str) -> None:
    once = email(raw)
    if once is not None:
        again = email(once.value)
        assert again is not None and (again.value, again.valid) == (once.value, once.valid)


@given(st.emails())
def test_email_keeps_the_whole_address(raw: str) -> None:
    result = email(raw)
    assert result is not None and result.value == raw.lower()


phone_like = st.from_regex(r"\A(\+|00)?[0-9 ()\-]{1,18}\Z")


@given(phone_like, st.sampled_from(["CO", "BR"]))
def test_phone_e164_reparses_to_itself(raw: str, country_code: str) -> None:
    once = phone(raw, country_code)
    if once is not None and once.e164 is not None:
        again = phone(once.e164, country_code)
        assert again is not None and (again.e164, again.valid, again.line_type) == (once.e164, once.valid, once.line_type)


# --- Contract details ----------------------------------------------------------------

@pytest.mark.parametrize("normaliser", [phone, email, fold_name, fold_text, company_name])
def test_expensive_normalisers_are_cached(normaliser: object) -> None:
    # Ingest calls these for up to a million rows with many repeated values.
    assert hasattr(normaliser, "cache_info")


def test_cached_results_cannot_be_changed() -> None:
    # A cached result is shared by every row with the same raw value.
    for result in (phone("3001234567", "CO"), email("a@gmail.com"), company_name("Andina SAS")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, dataclasses.fields(result)[0].name, "changed")
