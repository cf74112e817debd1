"""Which language a text is in, from its function words: French or not.

Enough to decide whether the French pipeline applies: a body in English or
Portuguese is tagged conservatively (taxonomy names in the title and the
journalist's tags only) and its status says so. Deterministic and instant.
"""

from __future__ import annotations

import re

STOPWORDS = {
    "fr": set(
        "le la les des du de un une et est en que qui dans pour pas sur au aux avec ce cette il elle ils ont été "
        "sont par plus ne se sa son ses leur leurs nous vous mais ou où donc lors selon depuis entre".split()
    ),
    "en": set(
        "the of and to in is that for on with as was by at from this be are have it an were has had which "
        "their its but not after".split()
    ),
    "pt": set("o os as do da dos das em um uma que para com não por na no nos nas foi são ao pela pelo mais".split()),
    "es": set("el los las del en un una que para con no por la se su al es más pero como fue son".split()),
}
_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæãõñ]+")


def detect_language(text: str) -> tuple[str, float]:
    """(language code or 'unknown', share of the text's words that are its function words)."""
    words = _WORD.findall(text.lower())[:2000]
    if len(words) < 5:
        return "unknown", 0.0
    scores = {lang: sum(w in stop for w in words) / len(words) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "fr"))
    if scores[best] < 0.08:
        return "unknown", scores[best]
    return best, scores[best]
