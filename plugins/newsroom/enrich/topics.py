"""IPTC Media Topic subjects for an article, from its section and its text.

Each section may name its default top-level Media Topic (``iptc`` in
newsroom.yaml); tags of type *topic* carry their own codes in the taxonomy;
and a small French lexicon scores the text for the other top-level topics.
Each source adds evidence to a score per topic; an article gets the topics
with enough evidence, strongest first, at most three. The weights were
tuned on the labelled evaluation set (``make eval``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from newsroom.text import fold

NAMES = {
    "medtop:01000000": "arts, culture, divertissement et médias",
    "medtop:02000000": "criminalité, droit et justice",
    "medtop:03000000": "catastrophe, accident et urgence",
    "medtop:04000000": "économie, affaires et finance",
    "medtop:05000000": "éducation",
    "medtop:06000000": "environnement",
    "medtop:07000000": "santé",
    "medtop:08000000": "faits de société et insolite",
    "medtop:09000000": "travail",
    "medtop:10000000": "mode de vie et loisirs",
    "medtop:11000000": "politique",
    "medtop:12000000": "religion",
    "medtop:13000000": "science et technologie",
    "medtop:14000000": "société",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflit, guerre et paix",
    "medtop:17000000": "météo",
}

# Stems (folded, matched at word starts) that are strong evidence of a topic.
LEXICON: dict[str, tuple[str, ...]] = {
    "medtop:01000000": (
        "festival",
        "musique",
        "musicien",
        "cinema",
        "film ",
        "artiste",
        "concert",
        "theatre",
        "litterature",
        "roman ",
        "exposition",
        "patrimoine culturel",
        "chanteu",
    ),
    "medtop:02000000": (
        "police",
        "gendarmerie",
        "interpell",
        "arrete",
        "tribunal",
        "proces",
        "procureur",
        "juge ",
        "justice",
        "crime",
        "criminel",
        "vol ",
        "voleur",
        "detournement",
        "corruption",
        "enquete",
        "garde a vue",
        "condamn",
        "prison",
        "criet",
        "escroquer",
    ),
    "medtop:03000000": (
        "inondation",
        "incendie",
        "accident",
        "sinistre",
        "catastrophe",
        "naufrage",
        "effondrement",
        "victimes",
        "secours",
    ),
    "medtop:04000000": (
        "economie",
        "economique",
        "budget",
        "croissance",
        "inflation",
        "investissement",
        "entreprise",
        "commerce",
        "marche ",
        "prix ",
        "fcfa",
        "banque",
        "finance",
        "exportation",
        "coton ",
        "cotonni",
        "cotonculture",
        "port de cotonou",
        "emploi",
        "recettes",
        "dette",
        "fiscal",
    ),
    "medtop:05000000": (
        "ecole",
        "eleve",
        "enseignant",
        "enseignement",
        "universite",
        "etudiant",
        "examen",
        "bac ",
        "baccalaureat",
        "cep ",
        "bepc",
        "rentree scolaire",
        "formation professionnelle",
        "lycee",
        "college",
    ),
    "medtop:06000000": (
        "environnement",
        "climat",
        "climatique",
        "deforestation",
        "pollution",
        "biodiversite",
        "dechets",
        "erosion cotiere",
    ),
    "medtop:07000000": (
        "sante",
        "hopital",
        "medecin",
        "malad",
        "epidemie",
        "cholera",
        "paludisme",
        "vaccin",
        "patient",
        "soins",
        "sanitaire",
        "hospitalis",
    ),
    "medtop:09000000": ("greve", "syndicat", "syndical", "salari", "travailleurs", "chomage", "salaire"),
    "medtop:11000000": (
        "president",
        "gouvernement",
        "ministre",
        "election",
        "electoral",
        "scrutin",
        "depute",
        "assemblee nationale",
        "parti ",
        "opposition",
        "politique",
        "diplomati",
        "ambassad",
        "cooperation",
        "sommet",
        "bilateral",
        "transition",
        "constitution",
        "vote ",
    ),
    "medtop:12000000": (
        "eglise",
        "mosquee",
        "religie",
        "religieu",
        "vodoun",
        "vodun",
        "imam",
        "eveque",
        "pretre",
        "culte",
    ),
    "medtop:14000000": (
        "societe",
        "population",
        "famille",
        "femmes",
        "jeunes",
        "chefferie",
        "rois ",
        "tradition",
        "communaute",
        "social",
    ),
    "medtop:15000000": (
        "football",
        "match",
        "championnat",
        "equipe nationale",
        "ecureuils",
        "but ",
        "joueur",
        "entraineur",
        "sport",
        "coupe d'afrique",
        "can ",
        "athletisme",
        "basket",
    ),
    "medtop:16000000": (
        "terroris",
        "jihadis",
        "attaque",
        "armee",
        "militaire",
        "soldats",
        "conflit",
        "guerre",
        "securitaire",
        "insurrection",
        "groupes armes",
        "coup d'etat",
        "putsch",
    ),
    "medtop:17000000": ("pluie", "pluvieu", "meteo", "canicule", "chaleur", "harmattan", "saison des pluies"),
}
_PATTERNS = {
    code: re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + ")") for code, stems in LEXICON.items()
}


def lexicon_scores(text: str) -> Counter[str]:
    folded = fold(text) + " "
    scores: Counter[str] = Counter()
    for code, pattern in _PATTERNS.items():
        hits = len(pattern.findall(folded))
        if hits:
            scores[code] = hits
    return scores


SECTION_PRIOR = 3.0
TAG_EVIDENCE = 3.0
LEXICON_PER_1000_WORDS = 150.0
MIN_SCORE = 5.0


def topic_scores(title: str, body: str, section_topic: str | None, tag_topics: Iterable[str]) -> dict[str, float]:
    """Evidence per topic: the section's prior, topic tags, and lexicon hit density (title hits count x3)."""
    words = max(len(body.split()), 100)
    scores: dict[str, float] = defaultdict(float)
    if section_topic:
        scores[section_topic] += SECTION_PRIOR
    for code in tag_topics:
        scores[code] += TAG_EVIDENCE
    body_hits = lexicon_scores(body)
    for code, hits in (body_hits + Counter({c: 3 * n for c, n in lexicon_scores(title).items()})).items():
        scores[code] += hits * LEXICON_PER_1000_WORDS / words
    return scores


def assign_topics(
    title: str, body: str, section_topic: str | None, tag_topics: Iterable[str], limit: int = 3
) -> list[str]:
    """Topics with enough evidence, strongest first (the section's topic wins ties)."""
    scores = topic_scores(title, body, section_topic, tag_topics)
    ranked = sorted(scores, key=lambda code: (-scores[code], code != section_topic, code))
    chosen = [code for code in ranked if scores[code] >= MIN_SCORE][:limit]
    return chosen or ([section_topic] if section_topic else ranked[:1])
