"""Names of people, places and organisations as a desk editor writes them, and what is not a name.

The statistical model finds spans; this module decides what such a span
may become: *M. Talon* and *le président Talon* are *Talon*; *l'ONU* is
*ONU*; and junk never becomes a tag: the publication's own name, generic
words (*État*, *Gouvernement*, *Afrique*), diseases or products the model
took for people (*Covid*), sentence-initial common nouns, fragments. The
lists here are French language knowledge, the same for every newsroom; a
newsroom's own never-tag list is ``blocked:`` in its taxonomy file.

Pure functions. Called by ``newsroom.enrich.salience``.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from newsroom.countries import is_country
from newsroom.text import fold

# Titles and articles that precede a name without being part of it (folded, without the dot).
LEADING = {
    "m", "mm", "mme", "mmes", "mlle", "me", "dr", "pr", "mgr", "sr", "mr", "mrs", "ms", "sir",
    "monsieur", "madame", "mademoiselle", "maitre", "docteur", "professeur", "monseigneur",
    "president", "presidente", "ministre", "premier", "general", "colonel", "capitaine", "commandant",
    "lieutenant", "sergent", "marechal", "amiral", "abbe", "pere", "frere", "soeur", "imam", "pasteur",
    "cardinal", "pape", "roi", "reine", "prince", "princesse", "cheikh", "sa", "son", "feu",
    "le", "la", "les", "l", "un", "une", "au", "aux", "du", "des", "de", "d", "a", "en", "et", "par", "pour",
    "selon", "chez", "vers", "avec", "sans", "sous", "sur", "the",
}  # fmt: skip

# Words that are capitalised in French news without naming anything a reader follows as a tag.
GENERIC = {
    "etat", "etats", "gouvernement", "president", "presidence", "republique", "nation", "nations",
    "ministere", "ministre", "assemblee", "parlement", "senat", "conseil", "cour", "tribunal", "justice",
    "police", "armee", "administration", "commission", "comite", "direction", "prefecture", "mairie",
    "region", "province", "departement", "commune", "ville", "capitale", "pays", "monde", "terre",
    "afrique", "europe", "asie", "amerique", "ameriques", "oceanie", "antarctique", "occident", "orient",
    "afrique de l'ouest", "afrique de l'est", "afrique centrale", "afrique australe", "afrique du nord",
    "afrique subsaharienne", "moyen-orient", "proche-orient", "sahel", "maghreb", "nord", "sud", "est",
    "ouest", "internet", "web", "dieu", "allah", "jesus", "etat islamique de", "opposition", "majorite",
    "societe civile", "communaute internationale", "union", "federation", "association", "groupe",
    "entreprise", "societe", "banque", "universite", "ecole", "hopital", "eglise", "marche", "port",
    "aeroport", "stade", "palais", "agence", "office", "institut", "centre", "fondation", "parti",
    "syndicat", "organisation", "ong", "sa majeste", "son excellence", "excellence",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "fevrier",
    "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
    "selon", "ainsi", "alors", "apres", "avant", "depuis", "pendant", "lors", "mais", "cependant",
    "toutefois", "enfin", "ensuite", "puis", "donc", "or", "car", "ici", "la", "le", "les", "il", "elle",
    "ils", "elles", "nous", "vous", "on", "ce", "cela", "celui", "celle", "tout", "tous", "chaque",
    "photo", "video", "source", "sources", "lire aussi", "a lire aussi", "encadre", "credit", "afp",
    "reuters", "ap", "xinhua", "anadolu", "utc", "gmt", "tva", "pib",
}  # fmt: skip

# Diseases, substances and products the model often labels as people or organisations.
NOT_PEOPLE = {
    "covid", "covid-19", "covid 19", "coronavirus", "sars-cov-2", "ebola", "sida", "vih", "mpox",
    "variole du singe", "paludisme", "cholera", "dengue", "lassa", "polio", "rougeole", "tuberculose",
    "grippe", "omicron", "delta", "tramadol", "cannabis", "cocaine", "heroine", "whatsapp", "tiktok",
    "iphone", "android", "bitcoin", "franc cfa", "fcfa", "cfa", "euro", "dollar", "naira",
}  # fmt: skip

PARTICLES = {
    "de", "du", "des", "d", "la", "le", "les", "l", "van", "von", "der", "den", "ben", "bin", "ibn", "al",
    "el", "ould", "ag", "dos", "da", "di", "do", "y", "et", "e", "bint", "ter", "mac", "o",
}  # fmt: skip

TITLES = LEADING - PARTICLES  # a title or an article that no name ends with

_ELIDED = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
_EDGE = " \t\n'\"-–—.,;:!?()[]«»"


ARTICLES = {"le", "la", "les", "l"}


def clean(text: str, kind: str) -> str:
    """The name without the titles and articles before it, nor punctuation around it.

    A capitalised article stays on an organisation or a place (*Le Figaro*, *L'Oréal*,
    *Le Caire*): there it is part of the name. A person's name loses any title.
    """
    name = " ".join(text.replace("\u00a0", " ").split()).strip(_EDGE)
    words = name.split()
    while len(words) >= 2 and fold(words[0]).rstrip(".") in LEADING:
        head = words[0]
        if kind != "person" and fold(head) in ARTICLES and head[:1].isupper():
            break
        words = words[1:]
    name = " ".join(words).strip(_EDGE)
    elided = _ELIDED.match(name)  # "l'ONU" -> "ONU", "d'Abomey" -> "Abomey"
    if elided and len(name) > elided.end() + 1 and (kind == "person" or name[:1].islower()):
        name = name[elided.end() :]
    return name.strip(_EDGE)


def without_article(name: str) -> str:
    """ "La France" -> "France", "L'Oréal" -> "Oréal": to join a form written with its article."""
    words = name.split()
    if len(words) >= 2 and fold(words[0]) in ARTICLES:
        return " ".join(words[1:])
    elided = _ELIDED.match(name)
    return name[elided.end() :] if elided and fold(name[: elided.end() - 1]) == "l" else name


_PLURAL_OR_FEMININE = (
    "iennes",
    "ienne",
    "iens",
    "aises",
    "aise",
    "oises",
    "oise",
    "aines",
    "aine",
    "ains",
    "ines",
    "ins",
    "es",
    "s",
    "e",
)


def is_common_word(word: str, lexicon: Collection[str]) -> bool:
    """A French noun or adjective of the model's dictionary (*Informatique*, *Polonaise*, *Étrusques*),
    singular or plural, masculine or feminine: not a name, whatever its capital."""
    if not lexicon or is_acronym(word):
        return False
    lower = word.lower()
    if lower in lexicon:
        return True
    for ending in _PLURAL_OR_FEMININE:
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            stem = lower[: -len(ending)]
            forms = (stem, stem + "e", stem + "ien", stem + "ais", stem + "ois", stem + "ain", stem + "in")
            if any(form in lexicon for form in forms):
                return True
    return False


def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def junk_reason(name: str, kind: str, *, publication: frozenset[str] = frozenset()) -> str | None:
    """Why ``name`` (already :func:`clean`) must not become a tag, or None if it may."""
    key = fold(name)
    words = name.split()
    if is_country(name):
        return None
    if len(name) < 2 or len(name) > 60 or not words or len(words) > 6:
        return "not a name: too short or too long"
    if key in publication:
        return "the publication's own name"
    if key in GENERIC or key.rstrip("s") in GENERIC or (len(words) == 1 and key.split("-")[0] in GENERIC):
        return "a generic word"
    if kind == "person" and key in NOT_PEOPLE:
        return "a disease or product, not a person"
    if key in NOT_PEOPLE:
        return "a disease or product"
    if not name[:1].isupper() and not name[:1].isdigit():
        return "not a proper name (lowercase)"
    if sum(c.isdigit() for c in name) > len(name) / 3:
        return "mostly digits"
    if not any(c.isalpha() for c in name):
        return "no letters"
    if name.endswith("'") or "\n" in name:
        return "a fragment"
    significant = [w for w in words if fold(w).strip("'") not in PARTICLES]
    if not significant:
        return "only function words"
    if fold(words[-1]).rstrip(".") in TITLES:
        return "ends with a title or article"
    if len(words) > 1 and any(w[:1].islower() and fold(w) not in PARTICLES for w in words):
        return "a phrase, not a name"
    if len(words) >= 3 and all(is_acronym(w) for w in words):
        return "capitals of a headline"
    return None


def surname(name: str) -> str:
    """The last significant word of a person's name ("Assimi Goïta" -> "Goïta")."""
    words = [w for w in name.split() if fold(w) not in PARTICLES]
    return words[-1] if words else name
