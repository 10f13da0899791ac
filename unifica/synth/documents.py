"""Identity documents: numbers with valid check digits (drawn as whole columns), and their typos.

Numbers are kept bare (digits, letters for passports and the Chilean RUT's ``K``); the NIT,
CPF, CNPJ and RUT carry their check digits as their last digits. Sources format them.
"""
from __future__ import annotations

import numpy as np
from stdnum.cl import rut as cl_rut

_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"), dtype=object)


def unique_ints(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int) -> np.ndarray:
    """n distinct integers, the i-th in [low[i], high[i]) (bounds broadcast)."""
    low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (n,))
    high_a = np.broadcast_to(np.asarray(high, dtype=np.int64), (n,))
    values = rng.integers(low_a, high_a)
    while True:
        _, first = np.unique(values, return_index=True)
        again = np.ones(n, dtype=bool)
        again[first] = False
        if not again.any():
            return values
        values[again] = rng.integers(low_a[again], high_a[again])


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """The decimal digits of each value, most significant first: shape (n, width)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def cpf_check_digits(base: np.ndarray) -> np.ndarray:
    """The two CPF check digits (as a number 0-99) of 9-digit bases."""
    d = _digits(base, 9)
    d1 = (11 - d @ np.arange(10, 1, -1)) % 11 % 10
    d2 = (11 - (d @ np.arange(11, 2, -1) + 2 * d1)) % 11 % 10
    return d1 * 10 + d2


def cnpj_check_digits(base: np.ndarray) -> np.ndarray:
    """The two CNPJ check digits (as a number 0-99) of 12-digit bases (root + branch)."""
    d = _digits(base, 12)
    d1 = (11 - d @ np.array([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])) % 11 % 10
    d2 = (11 - (d @ np.array([6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3]) + 2 * d1)) % 11 % 10
    return d1 * 10 + d2


def nit_check_digit(base: np.ndarray) -> np.ndarray:
    """The NIT check digit of 9-digit bases (DIAN's prime weights, read from the right)."""
    d = _digits(base, 9)[:, ::-1]
    s = d @ np.array([3, 7, 13, 17, 19, 23, 29, 37, 41]) % 11
    return np.array([0, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1])[s]


def _text(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(np.int64).astype(str), width).astype(object)


def draw_documents(rng: np.random.Generator, doc_type: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """A document number per row for its canonical type, unique within each type.

    CC numbers follow the eras of the Registraduría: up to 8 digits for people born before
    1993, 10 digits (10xxxxxxxx) after; TI (minors) too.
    """
    n = len(doc_type)
    out = np.full(n, "", dtype=object)
    national = np.isin(doc_type, ("CC", "TI", "CE"))  # one number space, so no CC equals a TI
    if national.any():
        year = birth_year[national]
        kind = doc_type[national]
        low = np.where(year < 1960, 100_000, np.where(year < 1993, 10_000_000, 1_000_000_000))
        high = np.where(year < 1960, 20_000_000, np.where(year < 1993, 99_999_999, 1_150_000_000))
        low = np.where(kind == "CE", 100_000, low)
        high = np.where(kind == "CE", 9_999_999, high)
        out[national] = unique_ints(rng, low, high, int(national.sum())).astype(str).astype(object)
    for kind, width, low, high in (("DNI", 8, 10_000_000, 80_000_000), ("PAS", 7, 1_000_000, 10_000_000)):
        m = doc_type == kind
        if m.any():
            numbers = _text(unique_ints(rng, low, high, int(m.sum())), width)
            if kind == "PAS":
                numbers = _LETTERS[rng.integers(0, len(_LETTERS), m.sum())] + \
                    _LETTERS[rng.integers(0, len(_LETTERS), m.sum())] + numbers
            out[m] = numbers
    m = doc_type == "CPF"
    if m.any():
        base = unique_ints(rng, 1_000_000, 999_999_999, int(m.sum()))
        out[m] = _text(base * 100 + cpf_check_digits(base), 11)
    m = doc_type == "CNPJ"
    if m.any():
        base = unique_ints(rng, 1_000_000, 99_999_999, int(m.sum())) * 10_000 + 1  # branch 0001
        out[m] = _text(base * 100 + cnpj_check_digits(base), 14)
    m = doc_type == "NIT"
    if m.any():
        base = unique_ints(rng, 800_000_000, 902_000_000, int(m.sum()))
        out[m] = _text(base * 10 + nit_check_digit(base), 10)
    m = doc_type == "RUT"
    if m.any():  # Chile only: few rows, stdnum per row is fine
        body = unique_ints(rng, 5_000_000, 26_000_000, int(m.sum())).astype(str)
        out[m] = np.array([b + cl_rut.calc_check_digit(b) for b in body], dtype=object)
    return out


def mistype(number: str, position: int, digit: int, transpose: bool) -> str:
    """The number with one digit changed, or two adjacent digits swapped (never unchanged)."""
    places = [i for i, c in enumerate(number) if c.isdigit()]
    if len(places) < 2:
        return number + str(digit)
    i = places[position % (len(places) - 1)]
    j = i + 1
    if transpose and j in places and number[i] != number[j]:
        return number[:i] + number[j] + number[i] + number[j + 1:]
    new = str(digit) if str(digit) != number[i] else str((digit + 1) % 10)
    return number[:i] + new + number[i + 1:]


def group_thousands(number: str, sep: str = ".") -> str:
    """'1234567' -> '1.234.567' (digits only; anything else comes back unchanged)."""
    if not number.isdigit():
        return number
    head = len(number) % 3 or 3
    return sep.join([number[:head]] + [number[i:i + 3] for i in range(head, len(number), 3)])


def punctuate(doc_type: str, number: str) -> str:
    """The number as printed on the document: 900.123.456-7, 123.456.789-09, 12.345.678/0001-95."""
    if doc_type == "NIT" and len(number) == 10:
        return f"{group_thousands(number[:9])}-{number[9]}"
    if doc_type == "CPF" and len(number) == 11:
        return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    if doc_type == "CNPJ" and len(number) == 14:
        return f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}"
    if doc_type == "RUT" and len(number) >= 8:
        return f"{group_thousands(number[:-1])}-{number[-1]}"
    if doc_type in ("CC", "CE", "TI", "DNI"):
        return group_thousands(number)
    return number
