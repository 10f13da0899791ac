"""Text folding for comparison: case, accents, punctuation and address abbreviations.

Folded text is never shown to anyone; it is what blocking and comparisons look at, so
"María-José D'Ángelo" and "MARIA JOSE D ANGELO" must fold to the same string.
Re-exported by ``dedupe.normalise``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Names repeat a lot across a million rows (first names, cities), so a large cache pays off.
FOLD_CACHE_SIZE = 1 << 17

# Latin letters that NFKD does not decompose into a base letter plus marks.
_UNDECOMPOSED = str.maketrans({
    "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    # Modifier letters used as apostrophes: \w would otherwise keep them inside a word.
    "ʼ": " ", "ʻ": " ",
})
_NOT_WORD = re.compile(r"[\W_]+")


def _fold_once(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Dropping combining marks is what turns "é" into "e", "ñ" into "n" and "ç" into "c".
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = bare.casefold().translate(_UNDECOMPOSED)
    return _NOT_WORD.sub(" ", lowered).strip()


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def fold_name(raw: str) -> str:
    """Return ``raw`` lower-cased, without accents, punctuation turned into single spaces.

    "D'Angelo" -> "d angelo", "María-José  Nuñez" -> "maria jose nunez". Letters and
    digits of any script are kept. Idempotent.
    """
    folded = _fold_once(raw)
    # ASCII output is already a fixed point; other scripts can need another round
    # (casefold may produce characters that NFKD decomposes further).
    while not folded.isascii():
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


def fold_key(raw: str) -> str:
    """Return ``raw`` folded with every space removed: the lookup key of the alias tables.

    "C. C." and "c.c" both give "cc", "EE. UU." gives "eeuu".
    """
    return fold_name(raw).replace(" ", "")


# Spellings of a street type -> the word folded addresses use. Colombian (DANE) and
# Brazilian abbreviations; "Tv" is Colombian "transversal" (Brazilian "travessa" stays as is).
ADDRESS_WORDS: dict[str, tuple[str, ...]] = {
    "carrera": ("cra", "cr", "kr", "kra", "crr", "carr", "carrera"),
    "calle": ("cl", "cll", "clle", "calle"),
    "avenida": ("av", "avda", "ave", "avenida"),
    "diagonal": ("dg", "diag", "diagonal"),
    "transversal": ("tv", "tr", "trans", "transv", "transversal"),
    "rua": ("rua",),
    "apartamento": ("apto", "apt", "apartamento"),
}
_ADDRESS_WORD = {spelling: word for word, spellings in ADDRESS_WORDS.items() for spelling in spellings}
# "No 45-10", "N° 45", "Nro. 45", "nº 45" (folds to "no"): the number sign carries nothing
# to compare, and "#" is punctuation already.
_NUMBER_SIGNS = frozenset({"no", "nro", "n", "num"})


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def fold_text(raw: str) -> str:
    """Return an address or city folded like ``fold_name`` with street words spelt out.

    "Cra. 7 # 45-10" -> "carrera 7 45 10", "Cll 100 No. 15-20" -> "calle 100 15 20",
    "R. Augusta, 1500" -> "rua augusta 1500". Idempotent.
    """
    words: list[str] = []
    for token in fold_name(raw).split():
        if token in _NUMBER_SIGNS:
            continue
        if token == "r" and not words:
            # Only at the start: "R." is Brazilian "Rua", a lone "r" elsewhere is anything.
            words.append("rua")
            continue
        words.append(_ADDRESS_WORD.get(token, token))
    return " ".join(words)
