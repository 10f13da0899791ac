"""Vocabulary the synthetic data is drawn from: names, places, companies, nicknames, sources' words.

Person names come from Faker's es_CO and pt_BR lists (used only as word lists: sampling them
with numpy is what makes a million rows fast) plus a few common names Faker lacks. Everything
here is Latin-1 encodable, upper- and lower-cased too, because the call centre writes Latin-1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker.providers.person.es_CO import Provider as _CO
from faker.providers.person.pt_BR import Provider as _BR

ACCENTED = "áéíóúàèìòùâêîôûãõäëïöüçñÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÃÕÄËÏÖÜÇÑ"
ACCENT_FOLD = str.maketrans(ACCENTED, "aeiouaeiouaeiouaoaeioucnAEIOUAEIOUAEIOUAOAEIOUCN")


def latin1_safe(word: str) -> bool:
    """True when the word, upper- and lower-cased, can be written in Latin-1."""
    try:
        (word + word.upper() + word.lower()).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Words:
    """A weighted word list: ``words[rng.choice(len(words), p=p)]``."""

    words: np.ndarray  # object array of str
    p: np.ndarray

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n words drawn with their weights (object array)."""
        return self.words[rng.choice(len(self.words), size=n, p=self.p)]


def _words(weighted: dict[str, float] | list[str] | tuple[str, ...], extra: tuple[str, ...] = ()) -> Words:
    items = dict(weighted) if isinstance(weighted, dict) else {w: 1.0 for w in weighted}
    typical = float(np.median(list(items.values())))
    for word in extra:  # common names the list lacks, at a typical weight
        items.setdefault(word, typical)
    pairs = [(w, p) for w, p in items.items() if latin1_safe(w)]
    p = np.array([w for _, w in pairs], dtype=float)
    return Words(np.array([w for w, _ in pairs], dtype=object), p / p.sum())


_BR_FEMALE_COMMON = ("Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
                     "Patrícia", "Aline", "Sandra", "Conceição", "Tatiana", "Luciana", "Beatriz", "Mariana",
                     "Gabriela", "Camila", "Vanessa", "Simone")
_BR_MALE_COMMON = ("José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Luiz", "Marcos", "Luís",
                   "Raimundo", "Sebastião", "Marcelo", "Ricardo", "Roberto", "Sérgio", "Alexandre",
                   "Fábio", "Márcio", "Rogério", "Edson")


def _br_single(names: tuple[str, ...]) -> list[str]:
    # Faker's pt_BR list has compounds ("João Pedro"); keep their first word, the second
    # turns up as a middle name anyway.
    return sorted({n.split(" ")[0] for n in names})


FIRST_NAMES = {
    ("CO", "F"): _words(_CO.first_names_female, ("Guadalupe",)),
    ("CO", "M"): _words(_CO.first_names_male),
    ("BR", "F"): _words(_br_single(_BR.first_names_female), _BR_FEMALE_COMMON),
    ("BR", "M"): _words(_br_single(_BR.first_names_male), _BR_MALE_COMMON),
}
LAST_NAMES = {
    "CO": _words(_CO.last_names, ("de la Cruz", "de la Torre", "del Castillo", "de los Ríos", "Núñez",
                                  "García-Márquez", "Díaz-Granados", "Ponce de León", "Pérez-Ortiz")),
    "BR": _words(_BR.last_names, ("dos Santos", "da Silva", "de Oliveira", "de Souza", "dos Reis",
                                  "Gonçalves", "Conceição", "Assunção", "Simões", "Magalhães")),
}
# Given names that are one name in people's minds; nicknames exist for them.
COMPOUND_GIVEN = {
    ("CO", "M"): ("Juan Carlos", "Juan Pablo", "Juan David", "Juan Sebastián", "José Luis", "Luis Carlos",
                  "Carlos Andrés", "Luis Fernando", "Juan Camilo", "Jorge Eduardo"),
    ("CO", "F"): ("María José", "María Fernanda", "Ana María", "Luz Marina", "María Camila", "Luz Dary",
                  "María Alejandra", "Ana Lucía"),
    ("BR", "M"): ("João Pedro", "José Carlos", "Carlos Eduardo", "Luiz Henrique", "João Vitor", "Pedro Henrique"),
    ("BR", "F"): ("Maria Eduarda", "Ana Beatriz", "Maria Clara", "Ana Clara", "Maria Luiza", "Ana Paula"),
}

# (nickname, formal given name(s), naming country)
NICKNAMES: tuple[tuple[str, str, str], ...] = (
    ("Pepe", "José", "CO"), ("Paco", "Francisco", "CO"), ("Pacho", "Francisco", "CO"),
    ("Lucho", "Luis", "CO"), ("Chucho", "Jesús", "CO"), ("Juanca", "Juan Carlos", "CO"),
    ("Memo", "Guillermo", "CO"), ("Alejo", "Alejandro", "CO"), ("Beto", "Alberto", "CO"),
    ("Manolo", "Manuel", "CO"), ("Nacho", "Ignacio", "CO"), ("Lalo", "Eduardo", "CO"),
    ("Quique", "Enrique", "CO"), ("Rafa", "Rafael", "CO"), ("Nando", "Fernando", "CO"),
    ("Chalo", "Gonzalo", "CO"), ("Toño", "Antonio", "CO"), ("Charo", "Rosario", "CO"),
    ("Chelo", "Consuelo", "CO"), ("Meche", "Mercedes", "CO"), ("Lupe", "Guadalupe", "CO"),
    ("Lola", "Dolores", "CO"), ("Chabela", "Isabel", "CO"), ("Aleja", "Alejandra", "CO"),
    ("Cata", "Catalina", "CO"), ("Vale", "Valentina", "CO"), ("Santi", "Santiago", "CO"),
    ("Sebas", "Sebastián", "CO"), ("Pipe", "Felipe", "CO"), ("Caro", "Carolina", "CO"),
    ("Nata", "Natalia", "CO"), ("Mafe", "María Fernanda", "CO"), ("Majo", "María José", "CO"),
    ("Juanpa", "Juan Pablo", "CO"), ("Juanda", "Juan David", "CO"), ("Tavo", "Gustavo", "CO"),
    ("Gabo", "Gabriel", "CO"), ("Moni", "Mónica", "CO"), ("Pao", "Paola", "CO"),
    ("Zé", "José", "BR"), ("Bia", "Beatriz", "BR"), ("Chico", "Francisco", "BR"),
    ("Toninho", "Antônio", "BR"), ("Dudu", "Eduardo", "BR"), ("Gabi", "Gabriela", "BR"),
    ("Nanda", "Fernanda", "BR"), ("Xande", "Alexandre", "BR"), ("Duda", "Maria Eduarda", "BR"),
    ("Guga", "Gustavo", "BR"), ("Tião", "Sebastião", "BR"), ("Mari", "Mariana", "BR"),
    ("Paulinho", "Paulo", "BR"), ("Zeca", "José Carlos", "BR"),
)


@dataclass(frozen=True)
class City:
    country: str
    name: str
    variants: tuple[str, ...]  # other ways people write it
    weight: float
    area: str  # CO fixed-line digit after "60", BR DDD, else the fixed-line prefix


CITIES: tuple[City, ...] = (
    City("CO", "Bogotá", ("Bogotá D.C.", "Bogota", "Bogotá, D.C."), .33, "1"),
    City("CO", "Medellín", ("Medellin",), .14, "4"),
    City("CO", "Cali", ("Santiago de Cali",), .11, "2"),
    City("CO", "Barranquilla", ("B/quilla",), .08, "5"),
    City("CO", "Cartagena", ("Cartagena de Indias",), .05, "5"),
    City("CO", "Bucaramanga", ("B/manga",), .05, "7"),
    City("CO", "Cúcuta", ("Cucuta",), .04, "7"),
    City("CO", "Pereira", (), .03, "6"),
    City("CO", "Manizales", (), .02, "6"),
    City("CO", "Santa Marta", ("Sta Marta",), .03, "5"),
    City("CO", "Ibagué", ("Ibague",), .03, "8"),
    City("CO", "Villavicencio", ("Villavo",), .03, "8"),
    City("CO", "Pasto", ("San Juan de Pasto",), .02, "2"),
    City("CO", "Soacha", (), .02, "1"),
    City("CO", "Bello", (), .02, "4"),
    City("BR", "São Paulo", ("Sao Paulo", "São Paulo - SP"), .30, "11"),
    City("BR", "Rio de Janeiro", ("Rio", "Rio de Janeiro - RJ"), .18, "21"),
    City("BR", "Belo Horizonte", ("BH",), .09, "31"),
    City("BR", "Brasília", ("Brasilia",), .07, "61"),
    City("BR", "Salvador", (), .06, "71"),
    City("BR", "Curitiba", (), .06, "41"),
    City("BR", "Porto Alegre", ("POA",), .05, "51"),
    City("BR", "Recife", (), .05, "81"),
    City("BR", "Fortaleza", (), .05, "85"),
    City("BR", "Campinas", (), .03, "19"),
    City("BR", "Goiânia", ("Goiania",), .03, "62"),
    City("BR", "Manaus", (), .03, "92"),
    City("PE", "Lima", ("Lima Metropolitana",), 1.0, "1"),
    City("EC", "Quito", ("Distrito Metropolitano de Quito",), 1.0, "2"),
    City("MX", "Ciudad de México", ("CDMX", "Mexico DF"), 1.0, "55"),
    City("CL", "Santiago", ("Santiago de Chile",), 1.0, "2"),
)
# Countries besides CO and BR, with their share among the "others"; calling codes of all.
OTHER_COUNTRIES = {"PE": .35, "EC": .2, "MX": .25, "CL": .2}
CALLING_CODES = {"CO": "57", "BR": "55", "PE": "51", "EC": "593", "MX": "52", "CL": "56"}
CO_MOBILE_PREFIXES = tuple(range(300, 306)) + tuple(range(310, 322)) + (350, 351)

# Street words: (canonical, *spellings) per country; numbers filled in by entities.py.
CO_VIAS = (("Calle", "Cl", "Cll", "CL"), ("Carrera", "Cra", "Kr", "Cr."), ("Avenida", "Av.", "Av", "AV"),
           ("Diagonal", "Dg", "Diag."), ("Transversal", "Tv", "Transv."))
CO_VIA_WEIGHTS = (.45, .4, .05, .05, .05)
CO_NUMBER_SIGNS = (" # ", " No. ", " N° ", " #", " No ")
BR_VIAS = (("Rua", "R."), ("Avenida", "Av."), ("Travessa", "Tv."), ("Alameda", "Al."), ("Praça", "Pç."))
BR_VIA_WEIGHTS = (.72, .2, .04, .02, .02)
BR_STREETS = ("Augusta", "das Flores", "XV de Novembro", "Sete de Setembro", "Barão de Mauá", "Dom Pedro II",
              "Tiradentes", "Santos Dumont", "Marechal Deodoro", "Voluntários da Pátria", "da Consolação",
              "Paulista", "Brigadeiro Faria Lima", "Rio Branco", "Getúlio Vargas", "Presidente Vargas",
              "São João", "Boa Vista", "das Palmeiras", "dos Andradas", "Afonso Pena", "Amazonas",
              "Bahia", "Goiás", "Pernambuco", "Treze de Maio", "Visconde de Pirajá", "Nossa Senhora de Copacabana",
              "Conselheiro Furtado", "Padre Anchieta", "Duque de Caxias", "Marquês de Pombal", "João Pessoa",
              "Benjamin Constant", "Quintino Bocaiúva", "Sergipe", "Bela Cintra", "Haddock Lobo",
              "Oscar Freire", "Teodoro Sampaio")
BR_BAIRROS = ("Centro", "Jardim Paulista", "Vila Mariana", "Boa Vista", "Santa Cecília", "Bela Vista",
              "Copacabana", "Tijuca", "Savassi", "Jardim América", "Vila Nova", "Santo Antônio", "São José",
              "Liberdade", "Moema", "Pinheiros", "Botafogo", "Barra", "Aldeota", "Batel")
OTHER_STREETS = {
    "PE": ("Av. Larco", "Jr. de la Unión", "Av. Arequipa", "Av. Javier Prado Este", "Calle Las Begonias"),
    "EC": ("Av. Amazonas", "Av. 6 de Diciembre", "Calle Juan León Mera", "Av. Shyris", "Av. República"),
    "MX": ("Av. Insurgentes Sur", "Calle Durango", "Av. Reforma", "Calle Álvaro Obregón", "Av. Revolución"),
    "CL": ("Av. Providencia", "Av. Apoquindo", "Calle Huérfanos", "Av. Vicuña Mackenna", "Calle Merced"),
}

# Companies: name = prefix + core [+ qualifier] + legal suffix.
COMPANY_PREFIXES = {
    "ES": (("Inversiones", "Inv."), ("Distribuidora", "Dist."), ("Comercializadora", "Comercializ."),
           ("Constructora", "Const."), ("Transportes", "Transp."), ("Servicios", "Serv."), ("Grupo", "Gpo."),
           ("Industrias", "Ind."), ("Ferretería", "Ferret."), ("Agropecuaria", "Agrop."), ("Soluciones", "Sol."),
           ("Tecnologías", "Tec."), ("Importadora", "Imp."), ("Laboratorios", "Lab."), ("Inmobiliaria", "Inmob."),
           ("Consultores", "Cons."), ("Alimentos", "Alim."), ("Droguería", "Drog."), ("Confecciones", "Confec."),
           ("Panificadora", "Panif.")),
    "BR": (("Comércio", "Com."), ("Distribuidora", "Distrib."), ("Transportadora", "Transp."),
           ("Indústria", "Ind."), ("Construtora", "Constr."), ("Serviços", "Serv."), ("Padaria", "Pad."),
           ("Farmácia", "Farm."), ("Mercado", "Merc."), ("Auto Peças", "Auto Pç."), ("Tecnologia", "Tec."),
           ("Consultoria", "Consult."), ("Imobiliária", "Imob."), ("Alimentos", "Alim."),
           ("Confecções", "Confec."), ("Laboratório", "Lab."), ("Grupo", "Gr."), ("Agropecuária", "Agrop.")),
}
COMPANY_CORES = {
    "ES": ("Andina", "del Valle", "El Dorado", "La Esperanza", "del Caribe", "Pacífico", "Santa Fe",
           "La Sabana", "San José", "El Progreso", "Los Andes", "La Montaña", "Continental", "Colombiana",
           "del Norte", "de Oriente", "Antioqueña", "Bolivariana", "Cafetera", "La Estrella", "El Roble",
           "Nueva Granada", "Santa Bárbara", "La Candelaria"),
    "BR": ("Boa Vista", "Nova Era", "São Jorge", "Horizonte", "Paulista", "Carioca", "Mineira", "do Sul",
           "Brasil Central", "Santa Clara", "Primavera", "Bela Vista", "Estrela", "Atlântico", "Nordeste",
           "Ipiranga", "Aliança", "Progresso", "Santa Luzia", "Cruzeiro"),
}
COMPANY_QUALIFIERS = {
    "ES": (" Hermanos", " y Asociados", " & Cía.", " del Norte", " Express", " Global", " Integral"),
    "BR": (" Irmãos", " & Filhos", " e Associados", " Express", " do Brasil", " Integrada"),
}
# Legal suffix: spellings (first is the registered one, "" = left out) and weight.
COMPANY_SUFFIXES = {
    "CO": ((("S.A.S.", "SAS", "S.A.S", "S. A. S.", ""), .6), (("S.A.", "SA", "S. A.", ""), .12),
           (("Ltda.", "LTDA", "Limitada", ""), .2), (("S. en C.", "S en C", ""), .08)),
    "BR": ((("Ltda.", "LTDA", "Ltda", ""), .6), (("S.A.", "S/A", "SA", ""), .15), (("ME", "- ME", ""), .15),
           (("EIRELI", "Eireli", ""), .1)),
    "CL": ((("SpA", "S.p.A.", ""), .5), (("Ltda.", "Limitada", ""), .3), (("S.A.", "SA", ""), .2)),
}
COMPANY_MAILBOXES = ("contacto", "info", "ventas", "gerencia", "facturacion", "administracion", "comercial")
COMPANY_MAILBOXES_BR = ("contato", "vendas", "financeiro", "comercial", "sac", "atendimento")
COMPANY_TLD = {"CO": ".com.co", "BR": ".com.br", "CL": ".cl"}

EMAIL_DOMAINS = {
    "CO": {"gmail.com": .5, "hotmail.com": .25, "outlook.com": .08, "yahoo.com": .05, "yahoo.es": .04,
           "hotmail.es": .04, "une.net.co": .04},
    "BR": {"gmail.com": .45, "hotmail.com": .15, "yahoo.com.br": .1, "uol.com.br": .08, "bol.com.br": .06,
           "outlook.com": .08, "terra.com.br": .04, "icloud.com": .04},
    "XX": {"gmail.com": .6, "hotmail.com": .25, "yahoo.com": .1, "outlook.com": .05},
}
# Values many unrelated records share: the matcher must not trust them.
JUNK_EMAILS = ("sin@correo.com", "notiene@gmail.com", "no@tiene.com")
JUNK_DOCUMENTS = ("0000000", "1111111")
CALL_CENTRE_OWN_PHONE = "6017432000"  # CO national number of the call centre itself

PERSON_TAGS = ("vip", "newsletter", "cliente_nuevo", "moroso", "preferencial", "referido", "empleado")
COMPANY_TAGS = ("mayorista", "proveedor", "gran_contribuyente", "pyme", "exportador", "credito_aprobado")

# Related files.
ACCOUNT_TYPES = {"savings": .45, "checking": .2, "credit": .25, "loan": .1}
ACCOUNT_STATUSES = {"active": .75, "closed": .18, "blocked": .07}
TICKET_STATUSES = {"open": .15, "in_progress": .15, "closed": .6, "escalated": .1}
CAMPAIGNS = {"renovacion_2025": .2, "black_friday": .15, "cobranza": .15, "bienvenida": .15,
             "portabilidad": .1, "retencion": .1, "actualizacion_datos": .1, "": .05}
AGENTS = ("Andrea Rojas", "Carlos Mejia", "Diana Castro", "Jorge Ramirez", "Paola Herrera", "Luis Vargas",
          "Natalia Gomez", "Camilo Torres", "Juliana Rios", "Andres Munoz", "Fernanda Souza", "Rafael Lima",
          "Marcela Pardo", "Sergio Cardenas", "Laura Ospina", "Felipe Arango", "Beatriz Costa", "Ivan Salazar")
ATTACHMENT_NAMES = ("cedula_scan.pdf", "rut.pdf", "camara_comercio.pdf", "comprobante_pago.jpg",
                    "contrato_firmado.pdf", "foto_documento.jpg", "extracto_bancario.pdf", "grabacion_llamada.mp3")
RELATION_TAGS_COMPANY = {"representante_legal": .45, "empleado": .4, "socio": .15}
RELATION_TAGS_FAMILY = {"sibling": "hermano", "child": "hijo"}  # relative kind -> tag
