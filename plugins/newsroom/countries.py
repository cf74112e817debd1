"""The world's countries as French newsrooms name them: which place tags are countries.

A page's sidebar shows the latest news of the article's country, and
"À lire aussi" falls back on the same section and country; both need to
tell *Mali* (a country) from *Bamako* (a city). Names are matched folded
(case, accents, apostrophes), short forms and common variants included.
Shared by enrich (which chooses) and render (which labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from newsroom.text import fold

_NAMES = """
Afghanistan|Afrique du Sud|Albanie|Algérie|Allemagne|Andorre|Angola|Antigua-et-Barbuda|Arabie saoudite|Argentine
Arménie|Australie|Autriche|Azerbaïdjan|Bahamas|Bahreïn|Bangladesh|Barbade|Belgique|Belize|Bénin|Bhoutan
Biélorussie|Bélarus|Birmanie|Myanmar|Bolivie|Bosnie-Herzégovine|Botswana|Brésil|Brunei|Bulgarie|Burkina Faso
Burkina|Burundi|Cambodge|Cameroun|Canada|Cap-Vert|Cabo Verde|Centrafrique|République centrafricaine|Chili|Chine
Chypre|Colombie|Comores|Congo|République du Congo|Congo-Brazzaville|Congo Brazzaville|RDC|RD Congo
République démocratique du Congo|Congo-Kinshasa|Corée du Nord|Corée du Sud|Costa Rica|Côte d'Ivoire|Croatie|Cuba
Danemark|Djibouti|Dominique|Égypte|Émirats arabes unis|Équateur|Érythrée|Espagne|Estonie|Eswatini|Swaziland
États-Unis|Etats-Unis|USA|Éthiopie|Fidji|Finlande|France|Gabon|Gambie|Géorgie|Ghana|Grèce|Grenade|Guatemala
Guinée|Guinée-Bissau|Guinée équatoriale|Guyana|Haïti|Honduras|Hongrie|Inde|Indonésie|Irak|Iraq|Iran|Irlande
Islande|Israël|Italie|Jamaïque|Japon|Jordanie|Kazakhstan|Kenya|Kirghizistan|Kiribati|Kosovo|Koweït|Laos|Lesotho
Lettonie|Liban|Liberia|Libéria|Libye|Liechtenstein|Lituanie|Luxembourg|Macédoine du Nord|Madagascar|Malaisie
Malawi|Maldives|Mali|Malte|Maroc|Maurice|Mauritanie|Mexique|Micronésie|Moldavie|Monaco|Mongolie|Monténégro
Mozambique|Namibie|Nauru|Népal|Nicaragua|Niger|Nigeria|Nigéria|Norvège|Nouvelle-Zélande|Oman|Ouganda
Ouzbékistan|Pakistan|Palaos|Palestine|Panama|Papouasie-Nouvelle-Guinée|Paraguay|Pays-Bas|Pérou|Philippines
Pologne|Portugal|Qatar|Roumanie|Royaume-Uni|Grande-Bretagne|Russie|Rwanda|Saint-Kitts-et-Nevis|Sainte-Lucie
Saint-Marin|Saint-Vincent-et-les-Grenadines|Salomon|Salvador|Samoa|São Tomé-et-Principe|Sao Tomé-et-Principe
Sénégal|Serbie|Seychelles|Sierra Leone|Singapour|Slovaquie|Slovénie|Somalie|Soudan|Soudan du Sud|Sri Lanka|Suède
Suisse|Suriname|Syrie|Tadjikistan|Taïwan|Tanzanie|Tchad|Tchéquie|République tchèque|Thaïlande|Timor oriental
Togo|Tonga|Trinité-et-Tobago|Tunisie|Turkménistan|Turquie|Tuvalu|Ukraine|Uruguay|Vanuatu|Vatican|Venezuela
Vietnam|Viêt Nam|Yémen|Zambie|Zimbabwe|Écosse|Angleterre|Pays de Galles|Irlande du Nord|Sahara occidental
"""

COUNTRIES = frozenset(fold(name) for line in _NAMES.strip().splitlines() for name in line.split("|") if name)


def is_country(name: str) -> bool:
    return fold(name) in COUNTRIES


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


T = TypeVar("T", bound=_Named)


def country_of(tags: Sequence[T]) -> T | None:
    """An article's country: its first place tag (tags come sorted by slug) that names one."""
    return next((t for t in tags if t.kind == "place" and is_country(t.name)), None)
