"""The five sources, each in its own style: headers, document-type spellings, number
punctuation, phone and date formats. ``render`` turns canonical record values into the
text (for the ERP workbook: typed date cells) one source writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from unifica.synth import vocab as v
from unifica.synth.documents import punctuate


@dataclass(frozen=True)
class SourceStyle:
    name: str
    file_format: str  # csv | jsonl | xlsx
    encoding: str
    delimiter: str  # csv only
    columns: tuple[tuple[str, str], ...]  # (canonical column, this source's header), in file order
    date_formats: tuple[str, str]  # strptime formats: date of birth, then update time
    presence: dict[str, float]  # chance a value the record has is written at all
    doc_types: dict[str, tuple[str, ...]]  # canonical code -> spellings, most common first
    phone_style: str  # see format_phone
    punctuate_share: float = 0.0  # documents written as printed (1.234.567, 900.123.456-7)
    caps_share: float = 0.0  # records typed in capitals without accents
    via_forms: tuple[int, ...] = (0,)  # which spellings of Calle/Carrera/Rua... it uses
    gender_words: tuple[str, str] = ("F", "M")
    typed_dates: bool = False  # date cells instead of text (xlsx)
    quote_all: bool = False
    line_end: str = "\n"

    @property
    def header(self) -> list[str]:
        return [h for _, h in self.columns]


def _cols(pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, h) for c, h in (p.split("=", 1) for p in pairs.split()))


def _same(codes: str) -> dict[str, tuple[str, ...]]:
    return {c: (c,) for c in codes.split()}


STYLES = {s.name: s for s in (
    SourceStyle(
        "web_form", "csv", "utf-8-sig", ",",
        _cols("source_record_id=id customer_type=tipo_cliente document_type=tipo_documento "
              "document_number=numero_documento first_name=nombres last_name=apellidos business_name=razon_social "
              "date_of_birth=fecha_nacimiento gender=genero email=correo phone=celular address=direccion "
              "city=ciudad country=pais tags=etiquetas updated_at=fecha_registro"),
        ("%d/%m/%Y", "%d/%m/%Y %H:%M"),
        dict(document=.9, dob=.6, gender=.7, email=.97, phone=.95, address=.5, city=.9, tags=.3),
        {**_same("DNI RUT CPF CNPJ"), "CC": ("C.C.", "Cédula de ciudadanía", "CC"),
         "CE": ("C.E.", "Cédula de extranjería"), "TI": ("T.I.", "Tarjeta de identidad"),
         "PAS": ("Pasaporte",), "NIT": ("NIT", "N.I.T.")},
        phone_style="spaced", punctuate_share=.8, via_forms=(0, 1, 2), gender_words=("Femenino", "Masculino"),
        quote_all=True),
    SourceStyle(
        "whatsapp", "jsonl", "utf-8", "",
        _cols("source_record_id=wa_id customer_type=tipo phone=phone first_name=profile_name "
              "last_name=profile_last_name business_name=verified_name email=email document_type=doc_type "
              "document_number=doc_number date_of_birth=birthday city=city country=country_code tags=labels "
              "updated_at=last_message_at"),
        ("%d/%m/%Y", "%Y-%m-%dT%H:%M:%SZ"),
        dict(document=.15, dob=.1, gender=0, email=.2, phone=1, address=0, city=.3, tags=.5),
        {"CC": ("cedula", "CC", "cédula"), "CE": ("cedula extranjeria", "CE"), "TI": ("tarjeta identidad", "TI"),
         "PAS": ("pasaporte",), "NIT": ("nit",), "CPF": ("cpf", "CPF"), "CNPJ": ("cnpj",), "DNI": ("dni",),
         "RUT": ("rut",)},
        phone_style="wa", punctuate_share=.2),
    SourceStyle(
        "email", "csv", "utf-8", ";",
        _cols("source_record_id=mail_id customer_type=customer_type email=from_address first_name=first_name "
              "middle_name=middle_name last_name=last_name second_last_name=second_last_name "
              "business_name=company document_type=doc_type document_number=doc_number date_of_birth=birth_date "
              "gender=gender phone=phone address=street city=city country=country tags=labels "
              "updated_at=received_at"),
        ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"),
        dict(document=.5, dob=.3, gender=.4, email=1, phone=.5, address=.3, city=.6, tags=.5),
        {"CC": ("cc", "cedula"), "CE": ("ce",), "TI": ("ti",), "PAS": ("pasaporte", "pas"), "NIT": ("nit",),
         "CPF": ("cpf",), "CNPJ": ("cnpj",), "DNI": ("dni",), "RUT": ("rut",)},
        phone_style="plain", via_forms=(0, 1, 2, 3)),
    SourceStyle(
        "call_centre", "csv", "latin-1", ";",
        _cols("source_record_id=ID_CONTACTO customer_type=TIPO_CLIENTE document_type=TIPO_DOC "
              "document_number=DOCUMENTO first_name=NOMBRE middle_name=SEGUNDO_NOMBRE last_name=APELLIDO1 "
              "second_last_name=APELLIDO2 business_name=RAZON_SOCIAL date_of_birth=FECHA_NAC gender=SEXO "
              "email=CORREO phone=TELEFONOS address=DIRECCION city=CIUDAD country=PAIS tags=ETIQUETAS "
              "updated_at=FECHA_ACTUALIZACION"),
        ("%d-%m-%Y", "%d-%m-%Y %H:%M"),
        dict(document=.85, dob=.5, gender=.8, email=.5, phone=1, address=.6, city=.95, tags=.2),
        {**_same("NIT CPF CNPJ DNI RUT TI"), "CC": ("CC", "CEDULA", "C.C"), "CE": ("CE", "CEDULA EXTRANJERIA"),
         "PAS": ("PASAPORTE", "PA")},
        phone_style="paren", caps_share=.5, via_forms=(3,), line_end="\r\n"),
    SourceStyle(
        "erp", "xlsx", "", "",
        (("source_record_id", "Código"), ("source_system", "Sistema"), ("customer_type", "Tipo Cliente"),
         ("document_type", "Tipo Doc"), ("document_number", "Nro Documento"), ("business_name", "Razón Social"),
         ("first_name", "Primer Nombre"), ("middle_name", "Segundo Nombre"), ("last_name", "Primer Apellido"),
         ("second_last_name", "Segundo Apellido"), ("date_of_birth", "Fecha Nacimiento"), ("gender", "Género"),
         ("email", "Correo"), ("phone", "Teléfono"), ("address", "Dirección"), ("city", "Ciudad"),
         ("country", "País"), ("tags", "Etiquetas"), ("updated_at", "Fecha Modificación")),
        ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"),
        dict(document=.98, dob=.85, gender=.8, email=.85, phone=.9, address=.95, city=.98, tags=.6),
        _same("CC CE TI PAS NIT CPF CNPJ DNI RUT"),
        phone_style="dash", punctuate_share=1.0, via_forms=(1,), typed_dates=True),
)}

_TOKENS = {"%Y": (0, 4), "%m": (5, 7), "%d": (8, 10), "%H": (11, 13), "%M": (14, 16), "%S": (17, 19)}


def format_times(values: np.ndarray, fmt: str) -> np.ndarray:
    """datetime64 values as text in a strftime format made of %Y %m %d %H %M %S (NaT -> "")."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=object)
    iso = np.datetime_as_string(values.astype("datetime64[s]"), unit="s").astype("S19")
    chars = iso.view(np.uint8).reshape(n, 19)
    columns: list[np.ndarray | int] = []
    for piece in re.split(r"(%[YmdHMS])", fmt):
        columns.extend(chars[:, i] for i in range(*_TOKENS[piece])) if piece in _TOKENS \
            else columns.extend(piece.encode())
    out = np.empty((n, len(columns)), dtype=np.uint8)
    for j, col in enumerate(columns):
        out[:, j] = col
    text = out.view(f"S{len(columns)}").ravel().astype(str).astype(object)
    text[np.isnat(values)] = ""
    return text


def format_phone(cc: str, nsn: str, style: str) -> str:
    """A national number written the way a source writes it; foreign ones always carry +cc."""
    if not nsn:
        return ""
    if cc == "57":
        a, b, c = nsn[:3], nsn[3:6], nsn[6:]
        return {"spaced": f"{a} {b} {c}", "wa": f"+57 {a} {nsn[3:]}", "plain": nsn,
                "paren": f"({a}) {b}-{c}"}.get(style, f"{a}-{b}-{c}")
    if style == "plain":
        return f"+{cc}{nsn}"
    if cc == "55":
        ddd, local = nsn[:2], f"{nsn[2:-4]}-{nsn[-4:]}"
        return f"+55 ({ddd}) {local}" if style == "paren" else f"+55 {ddd} {local}"
    return f"+{cc} {nsn}"


def _spelling(rng: np.random.Generator, codes: np.ndarray, table: dict[str, tuple[str, ...]]) -> np.ndarray:
    """Each canonical document type as this source spells it (first spelling 60 %)."""
    usual, other = rng.random(len(codes)) < .6, rng.integers(0, 1_000, len(codes))
    out = []
    for code, u, k in zip(codes, usual, other):
        spellings = table.get(code, (code,))
        out.append(spellings[0] if u or len(spellings) == 1 else spellings[1 + k % (len(spellings) - 1)])
    return np.array(out, dtype=object)


def _addresses(rng: np.random.Generator, df: pd.DataFrame, forms: tuple[int, ...]) -> np.ndarray:
    n = len(df)
    form = np.array(forms)[rng.integers(0, len(forms), n)]
    sign = np.array(v.CO_NUMBER_SIGNS, dtype=object)[rng.integers(0, len(v.CO_NUMBER_SIGNS), n)]
    out = []
    for country, via, a, b, c, comp, f, s in zip(df["country"], df["addr_via"], df["addr_a"], df["addr_b"],
                                                  df["addr_c"], df["addr_comp"], form, sign):
        if country == "CO":
            spell = v.CO_VIAS[via]
            out.append(f"{spell[min(f, len(spell) - 1)]} {a}{s}{b}-{c}{comp}")
        elif country == "BR":
            spell = v.BR_VIAS[via]
            out.append(f"{spell[min(f, len(spell) - 1)]} {a}, {b}{comp}" + (f" - {c}" if c else ""))
        else:
            out.append(f"{a} {b}")
    return np.array(out, dtype=object)


def _join(a: np.ndarray, b: np.ndarray, sep: str = " ") -> np.ndarray:
    return np.array([f"{x}{sep}{y}" if x and y else x or y for x, y in zip(a, b)], dtype=object)


def render(rng: np.random.Generator, style: SourceStyle, df: pd.DataFrame) -> dict[str, np.ndarray]:
    """This source's value of each of its canonical columns (object arrays, "" when empty)."""
    n = len(df)
    keep = {k: rng.random(n) < p for k, p in style.presence.items()}
    bad = df["bad_kind"].to_numpy()
    company = df["customer_type"].to_numpy() == "company"
    out: dict[str, np.ndarray] = {"source_record_id": df["record_id"].to_numpy(), "source_system": np.full(n, style.name, dtype=object),
                                  "customer_type": df["customer_type"].to_numpy(), "country": df["country"].to_numpy()}

    has_doc = keep["document"] & (df["doc_number"].to_numpy() != "")
    codes = df["doc_type"].to_numpy()
    dotted = rng.random(n) < style.punctuate_share
    numbers = [punctuate(t, d) if p and (t != "CC" or style.name != "erp") else d
               for t, d, p in zip(codes, df["doc_number"], dotted)]
    if style.name in ("email", "call_centre"):  # NITs with their check digit after a dash
        numbers = [f"{d[:-1]}-{d[-1]}" if t == "NIT" and len(d) == 10 else d for t, d in zip(codes, numbers)]
    out["document_type"] = np.where(has_doc, _spelling(rng, codes, style.doc_types), "")
    out["document_number"] = np.where(has_doc, np.array(numbers, dtype=object), "")

    first, middle = df["first_name"].to_numpy(), df["middle_name"].to_numpy()
    last, second = df["last_name"].to_numpy(), df["second_last_name"].to_numpy()
    business, city = df["business_name"].to_numpy(), df["city"].to_numpy()
    address = np.where(keep["address"] & ~df["addr_missing"].to_numpy(), _addresses(rng, df, style.via_forms), "")
    if style.caps_share:
        caps = rng.random(n) < style.caps_share
        up = lambda a: np.where(caps, [s.translate(v.ACCENT_FOLD).upper() for s in a], a)  # noqa: E731
        first, middle, last, second, business, city, address = map(up, (first, middle, last, second, business, city, address))
    if style.name == "web_form":  # one box for given names, one for surnames
        first, last = _join(first, middle), _join(last, second)
    elif style.name == "whatsapp":  # profile names people type themselves
        first = np.where(rng.random(n) < .25, _join(first, middle), first)
        lower = rng.random(n) < .1
        first = np.where(lower, [s.lower() for s in first], first)
        emoji = np.array([" 😊", " 🙏", " ✨", " 🇨🇴", " 💙"], dtype=object)[rng.integers(0, 5, n)]
        first = np.where((rng.random(n) < .03) & (first != ""), first + emoji, first)
        last = np.where(rng.random(n) < .75, last, "")
    out.update(first_name=first, middle_name=middle, last_name=last, second_last_name=second,
               business_name=business, city=np.where(keep["city"], city, ""), address=address)

    female = df["gender"].to_numpy() == "F"
    gender = np.where(female, style.gender_words[0], style.gender_words[1])
    out["gender"] = np.where(keep["gender"] & ~company, gender, "")
    out["email"] = np.where(keep["email"], _join(df["email"].to_numpy(), df["email2"].to_numpy() if style.name == "erp"
                                                 else np.full(n, "", dtype=object), ";"), "")
    mobile = [format_phone(cc, x, style.phone_style) for cc, x in zip(df["mobile_cc"], df["mobile"])]
    fixed = [format_phone(cc, x, style.phone_style) for cc, x in zip(df["fixed_cc"], df["fixed"])]
    if style.name in ("call_centre", "erp"):
        phone = _join(np.array(mobile, dtype=object), np.array(fixed, dtype=object), ";")
    else:
        phone = np.array([m or f for m, f in zip(mobile, fixed)], dtype=object)
    out["phone"] = np.where(keep["phone"] | (style.name == "whatsapp"), phone, "")
    out["tags"] = np.where(keep["tags"], df["tags"].to_numpy(), "")

    dob = df["dob"].to_numpy().astype("datetime64[D]")
    show_dob = keep["dob"] & ~company
    dob = np.where(show_dob, dob, np.datetime64("NaT"))
    updated = df["updated_at"].to_numpy().astype("datetime64[s]")
    if style.typed_dates:
        out["date_of_birth"] = dob.astype(object)
        out["updated_at"] = updated.astype(object)
    else:
        out["date_of_birth"] = format_times(dob, style.date_formats[0])
        out["updated_at"] = format_times(updated, style.date_formats[1])
    bad_date = bad == "bad_date"
    out["date_of_birth"][bad_date] = df["dob_text"].to_numpy()[bad_date]
    return out
