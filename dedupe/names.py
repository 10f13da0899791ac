"""Person and company names: a display form that keeps the spelling, forms to compare.

Re-exported by ``dedupe.normalise``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dedupe.folding import FOLD_CACHE_SIZE, fold_name

# Spanish and Portuguese particles that stay lower-case inside a name: "María de la Cruz".
NAME_PARTICLES: frozenset[str] = frozenset({"de", "del", "la", "las", "los", "da", "das", "do", "dos", "e", "y"})


def person_name(raw: str) -> str:
    """Return a person's name for display: whitespace collapsed, accents kept.

    Text written all in capitals or all in lower case is title-cased ("MARÍA JOSÉ DE LA
    CRUZ" -> "María José de la Cruz", "d'angelo" -> "D'Angelo"); mixed case is the
    customer's own spelling and is left as written. Idempotent.
    """
    text = " ".join(raw.split())
    if not (text.isupper() or text.islower()):
        return text
    words = text.lower().split(" ")
    # str.title capitalises after hyphens and apostrophes too: "María-José", "O'Brien".
    return " ".join(word if i and word in NAME_PARTICLES else word.title() for i, word in enumerate(words))


@dataclass(frozen=True)
class CompanyName:
    """A company name as displayed and as compared.

    ``folded`` is the folded name ending in the canonical legal form(s), lower-case;
    ``core`` is the folded name without them (blocking and comparison key);
    ``legal_form`` is the canonical code(s), e.g. "SAS", "LTDA ME", or None.
    """

    display: str
    folded: str
    core: str
    legal_form: str | None


# Canonical code -> how sources write it. The code itself (any case, any dots) always
# matches too, so "S.A.S.", "SAS" and "s. a. s." are all SAS. Several can follow each
# other: "Ltda. ME" -> "LTDA ME", "S.A. E.S.P." -> "SA ESP", "S.A. de C.V." -> "SA CV".
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "SAS": ("sociedad por acciones simplificada",),
    "SA": ("S/A", "sociedad anonima", "sociedade anonima"),
    "LTDA": ("limitada",),
    "SENC": ("S. en C.", "sociedad en comandita"),
    "SCS": ("S. en C.S.", "sociedad en comandita simple"),
    "SCA": ("S. en C.A.", "sociedad en comandita por acciones"),
    "EU": ("empresa unipersonal",),
    "ESP": ("empresa de servicios publicos",),
    "ME": ("microempresa",),
    "EPP": ("empresa de pequeno porte",),
    "EIRELI": (),
    "EIRL": (),
    "SLU": ("sociedade limitada unipessoal",),
    "SRL": ("S. de R.L.",),
    "SAB": (),  # Mexican "bursátil": "S.A.B. de C.V."
    "SAPI": (),
    "SAC": (),
    "SAA": (),
    "SL": (),
    "CV": ("de C.V.",),  # Mexican "capital variable", after SA or SRL
    "INC": ("incorporated",),
    "LLC": (),
    "CORP": ("corporation",),
}
# Words of a partnership's name ("Pérez y Cía.", "Gomes & Companhia") that say nothing about
# who the company is, with the connector before them.
COMPANY_NOISE: frozenset[str] = frozenset({"cia", "compania", "companhia"})
_CONNECTORS = frozenset({"y", "e", "and"})


def _legal_form_patterns() -> dict[tuple[str, ...], str]:
    patterns: dict[tuple[str, ...], str] = {}
    for code, spellings in LEGAL_FORMS.items():
        for spelling in (code, " ".join(code), *spellings):  # "SAS" and "S A S"
            patterns[tuple(fold_name(spelling).split())] = code
    return patterns


_LEGAL_FORM_PATTERNS = _legal_form_patterns()
# Longest first, so "S. en C.S." is read as SCS rather than as "... S" after SENC.
_PATTERN_LENGTHS = sorted({len(pattern) for pattern in _LEGAL_FORM_PATTERNS}, reverse=True)


def _trailing_legal_form(words: list[str]) -> tuple[str, int] | None:
    """Return the code and word count of the legal form ending ``words``, leaving a name."""
    for length in _PATTERN_LENGTHS:
        if length < len(words) and (code := _LEGAL_FORM_PATTERNS.get(tuple(words[-length:]))):
            return code, length
    return None


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def company_name(raw: str) -> CompanyName:
    """Return the company name's display, folded and core forms and its legal form.

    Legal forms and "& Cía"-style noise are only taken from the end of the name, never
    from the middle, and never the whole name: a company called "S.A." keeps its name.
    "Comercializadora Andina S.A.S." and "COMERCIALIZADORA ANDINA SAS" share folded
    "comercializadora andina sas" and, with "Comercializadora Andina", core
    "comercializadora andina".
    """
    words = fold_name(raw).split()
    forms: list[str] = []
    while True:
        if trailing := _trailing_legal_form(words):
            code, length = trailing
            forms.insert(0, code)
            del words[-length:]
        elif len(words) > 1 and words[-1] in COMPANY_NOISE:
            del words[-1]
            if len(words) > 1 and words[-1] in _CONNECTORS:
                del words[-1]
        else:
            break
    core = " ".join(words)
    return CompanyName(
        display=" ".join(raw.split()),
        folded=" ".join([core, *(form.lower() for form in forms)]).strip(),
        core=core,
        legal_form=" ".join(forms) or None,
    )


# Common Spanish and Portuguese nicknames and the given name(s) they stand for (folded; for a
# compound given name only its first word: "Majo" is María José). A steward's everyday
# knowledge, written down; used by dedupe/comparisons.py.
_NICKNAME_TABLE = """
pepe jose | paco francisco | pacho francisco | pancho francisco | chico francisco | kiko francisco
lucho luis | chucho jesus | chuy jesus | juanca juan | juancho juan | juanpa juan | juanda juan | juanjo juan
memo guillermo | guille guillermo | alejo alejandro | alex alejandro alexandre alexander | beto alberto roberto humberto
manolo manuel | manu manuel | nacho ignacio | lalo eduardo | edu eduardo | dudu eduardo | quique enrique | kike enrique
rafa rafael | nando fernando | fer fernando fernanda | chalo gonzalo | gonza gonzalo | tono antonio | toni antonio
toninho antonio | tonho antonio | charo rosario | chayo rosario | chelo consuelo | meche mercedes | lupe guadalupe
lola dolores | chabela isabel | isa isabel | aleja alejandra | cata catalina | vale valentina | santi santiago
sebas sebastian | tiao sebastiao | pipe felipe | caro carolina | nata natalia | naty natalia | mafe maria | majo maria
mari maria mariana | marian mariana | tavo gustavo | guga gustavo | gabo gabriel | gabi gabriela gabriel | moni monica
pao paola | ze jose | zeca jose | bia beatriz | bea beatriz | nanda fernanda | xande alexandre | duda maria eduarda
paulinho paulo | dani daniel daniela | vicky victoria | vic victor | tere teresa | maru maria | lina carolina angelina
pato patricia | paty patricia | lili liliana | mila camila | cami camila | sofi sofia | andy andres andrea
nico nicolas | colacho nicolas | javi javier | chema jose | pili pilar
"""
NICKNAMES: dict[str, frozenset[str]] = {
    nick: frozenset(names)
    for line in _NICKNAME_TABLE.split("\n") for entry in line.split("|") if entry.strip()
    for nick, *names in [entry.split()]
}
