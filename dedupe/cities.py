"""Cities by any of their names: the one name matching compares a city by.

CRMs write one city many ways: its official name ("Santiago de Cali", "Bogotá, D.C."), its
everyday one ("Cali", "Bogotá"), an abbreviation ("B/quilla", "BH", "CDMX") or the name with
its Brazilian state ("São Paulo - SP"). Folding (``fold_text``) makes case, accents and
punctuation alike but leaves these apart, and two records of one customer then read
"different city". ``city_key`` maps a folded city to one name per city: the known other
names of the region's large cities to its everyday name, and a trailing Brazilian state code
dropped. Any other city stays as it is folded.

Only names that mean one city whichever the country are listed: "DF" alone is Mexico City to
a Mexican and Brasília to a Brazilian, so it is not.
"""
from __future__ import annotations

from dedupe.folding import fold_text

# everyday name (folded): other names CRMs write for the city (folded)
CITY_NAMES: dict[str, tuple[str, ...]] = {
    # Colombia
    "bogota": ("bogota d c", "bogota dc", "bogota distrito capital", "santafe de bogota",
               "santa fe de bogota", "bogota d c colombia", "santa fe de bogota d c", "santafe de bogota d c"),
    "cali": ("santiago de cali",),
    "barranquilla": ("b quilla", "bquilla", "baquilla"),
    "bucaramanga": ("b manga", "bmanga"),
    "cartagena": ("cartagena de indias", "cartagena d t y c", "cartagena de indias d t y c"),
    "santa marta": ("sta marta", "sta marta d t c h", "santa marta d t c h"),
    "cucuta": ("san jose de cucuta",),
    "villavicencio": ("villavo",),
    "pasto": ("san juan de pasto",),
    "ibague": ("san bonifacio de ibague",),
    # Brazil
    "sao paulo": ("sampa",),
    "rio de janeiro": ("rio",),
    "belo horizonte": ("bh", "beaga", "bhte"),
    "porto alegre": ("poa",),
    "brasilia": ("bsb",),
    "florianopolis": ("floripa",),
    # Mexico, Peru, Ecuador, Chile
    "ciudad de mexico": ("cdmx", "mexico df", "mexico d f", "mexico city", "cd de mexico", "cd mexico",
                         "ciudad de mexico d f", "mexico distrito federal"),
    "lima": ("lima metropolitana", "cercado de lima", "lima cercado"),
    "quito": ("distrito metropolitano de quito", "san francisco de quito"),
    "guayaquil": ("santiago de guayaquil",),
    "santiago": ("santiago de chile", "stgo"),
}

# The Brazilian states' two-letter codes: "Belo Horizonte - MG", "Campinas/SP".
BRAZILIAN_STATES = frozenset(
    "ac al ap am ba ce df es go ma mt ms mg pa pb pr pe pi rj rn rs ro rr sc sp se to".split())

_EVERYDAY = {other: city for city, others in CITY_NAMES.items() for other in others}


def city_key(city: str) -> str:
    """The name matching compares ``city`` (as written, or folded) by, folded.

    "Santiago de Cali" -> "cali", "São Paulo - SP" -> "sao paulo", "B/quilla" ->
    "barranquilla"; any other city comes back folded. Idempotent.
    """
    words = fold_text(city).split()
    while " ".join(words) not in _EVERYDAY and len(words) >= 2 and words[-1] in BRAZILIAN_STATES:
        words = words[:-1]   # "mexico df" is a name of its own, not Mexico in the Distrito Federal
    city = " ".join(words)
    return _EVERYDAY.get(city, city)
