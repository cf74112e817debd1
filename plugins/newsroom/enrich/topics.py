"""IPTC Media Topics (top level) for an article, from what its text is about.

A supervised classifier does the reading: a linear model over the words of
the title, standfirst and body (TF-IDF, multinomial logistic regression),
trained offline on real labelled French news by ``eval/topics/train.py``
and shipped as ``include/models/topics-fr.json`` (the corpus and its licence:
``eval/topics/README.md``). Inference is a dot product in plain Python, so
running the pipeline needs no machine-learning library.

The section is a prior, never the whole answer: the section's own topic
(``iptc`` in newsroom.yaml) has its probability multiplied by
``SECTION_BOOST`` before the topics are ranked; an article about a vaccine
filed under *Société* is about health. An article gets its most probable
topic, and up to two more that are nearly as probable. Without a model file
a small French lexicon scores the text instead.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

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


SECTION_BOOST = 1.2  # how much the section's own topic is favoured (tuned on eval/real's tune half)
SECOND_SHARE = 0.5  # another topic is kept when at least this share of the first's probability
MAX_TOPICS = 3

_TOKEN = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
STOPWORDS = frozenset(
    fold(w)
    for w in """a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui ma
    mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu
    un une vos votre vous c d j l m n s t y ete etre avoir ont est sont etait etaient fait faire plus moins tres
    tout tous toute toutes autre autres aussi ainsi alors apres avant depuis selon lors entre comme sans sous vers
    chez dont donc car si deux trois ans an annee annees jour jours mois semaine cette cet celui celle ceux celles
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout septembre
    octobre novembre decembre""".split()
)


def features(text: str) -> list[str]:
    """The words a topic model reads: folded, without function words; and their bigrams."""
    words = [w for w in _TOKEN.findall(fold(text)) if w not in STOPWORDS and len(w) > 2]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def model_text(title: str, summary: str, body: str) -> str:
    """The title and standfirst count twice: they say what the story is about."""
    return f"{title}\n{title}\n{summary}\n{summary}\n{body}"


class TopicModel:
    """Probabilities of the top-level IPTC topics for a text; see the module docstring."""

    def __init__(
        self, classes: list[str], intercept: list[float], weights: dict[str, tuple[float, list[float]]]
    ) -> None:
        self.classes = classes
        self.intercept = intercept
        self.weights = weights  # feature -> (idf, weight per class)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TopicModel:
        weights = {f: (float(idf), [float(w) for w in ws]) for f, (idf, ws) in data["features"].items()}
        return cls(list(data["classes"]), [float(b) for b in data["intercept"]], weights)

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        """The model in ``path`` (gzipped JSON), read once per process; the lexicon if there is none."""
        return _load(str(path.resolve())) if path.exists() else cls([], [], {})

    @classmethod
    def default(cls) -> TopicModel:
        return cls([], [], {})

    def probabilities(self, text: str) -> dict[str, float]:
        if not self.classes:
            return _lexicon_probabilities(text)
        counts = Counter(f for f in features(text) if f in self.weights)
        values = {f: (1.0 + math.log(n)) * self.weights[f][0] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        scores = list(self.intercept)
        for f, v in values.items():  # the same sums in the same order as ``scores[i] += w * v / norm``
            scores = [s + w * v / norm for s, w in zip(scores, self.weights[f][1], strict=True)]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def assign(self, title: str, summary: str, body: str, section_topic: str | None) -> list[str]:
        """The article's topics, most probable first (the section's topic favoured, never imposed)."""
        text = model_text(title, summary, body)
        if not text.strip():
            return [section_topic] if section_topic else []
        probs = self.probabilities(text)
        if section_topic in probs:
            probs[section_topic] *= SECTION_BOOST
        if not probs:
            return [section_topic] if section_topic else []
        ranked = sorted(probs, key=lambda c: (-probs[c], c != section_topic, c))
        best = probs[ranked[0]]
        return [c for c in ranked[:MAX_TOPICS] if probs[c] >= SECOND_SHARE * best]


@lru_cache(maxsize=2)
def _load(path: str) -> TopicModel:
    return TopicModel.from_json(json.loads(gzip.decompress(Path(path).read_bytes())))


def _lexicon_probabilities(text: str) -> dict[str, float]:
    hits = lexicon_scores(text)
    total = sum(hits.values())
    return {code: n / total for code, n in hits.items()} if total else {}
