"""The archive fixtures (tests/archive/fixtures/: saved pages, a WordPress export, ninjs) and what they hold.

Used by ``tests/archive`` (the readers and the importer) and ``tests/cli`` (``newsroom import-archive``).
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "archive" / "fixtures"
SITE = FIXTURES / "site"
SEED_PAGE = SITE / "2025" / "06" / "mali-russie-goita-et-poutine.html"
GODOMEY_PAGE = SITE / "2025" / "06" / "godomey-voleurs-de-motos.html"
CEP_PAGE = SITE / "2025" / "06" / "resultats-cep-2025.htm"
SECTION_FRONT = SITE / "category" / "diplomatie.html"
NOT_FOUND_PAGE = SITE / "page-introuvable.html"
EMPTY_PAGE = SITE / "vide.html"
WXR = FIXTURES / "wxr" / "echodugolfe.wordpress.2025-06-24.xml"
NINJS = FIXTURES / "ninjs"

SEED_ID = "20250623-mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique"
TOUADERA_ID = "20250623-centrafrique-touadera-hospitalise-en-urgence-a-bruxelles-bangui-retient-son-souffle"
GODOMEY_ID = "20250621-benin-un-reseau-de-presumes-voleurs-de-motos-demantele-a-godomey"
CEP_ID = "20250616-benin-les-resultats-du-cep-2025-seront-disponibles-en-ligne"
FOOTBALL_ID = "20250622-football-les-guepards-du-benin-qualifies-pour-la-can-2025"
PORT_ID = "20250619-economie-le-trafic-du-port-de-cotonou-en-hausse-de-12-au-premier-semestre"

# Paragraphs of the seed article (shared/seeds/sample-article-page.txt) that must survive extraction.
SEED_PARAGRAPHS = [
    "En visite officielle à Moscou depuis le dimanche 22 juin 2025, le président de la transition malienne, "
    "Assimi Goïta, a été reçu au Kremlin ce lundi 23 juin par son homologue russe, Vladimir Poutine.",
    "Cette rencontre marque une nouvelle étape dans le rapprochement entre le Mali et la Russie, "
    "amorcé ces dernières années.",
    "Vladimir Poutine, entouré de plusieurs membres de son gouvernement, a pour sa part salué les perspectives",
    "Le séjour du président malien, prévu jusqu’au jeudi 26 juin, pourrait déboucher sur de nouveaux accords "
    "bilatéraux.",
]
# What surrounds the article on the page and must not reach the body.
SEED_FURNITURE = [
    "Publicité",
    "LAISSER UN COMMENTAIRE",
    "Laisser un commentaire",
    "entrez votre commentaire",
    "Captcha",
    "Articles similaires",
    "Tiani reçoit une délégation russe",  # related posts
    "Toviklin",  # sidebar
    "Anselme Amoussou",  # sidebar
    "Dernières publications",
    "Partager",
    "WhatsApp",
    "spot_img",
    "Live logo",
    "Mentions légales",
    "Tous droits réservés",
    "Accueil",
]
