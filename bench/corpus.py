"""Vocabulary of the synthetic archive: countries, towns, people, roles and French sentence templates.

Pure data, no randomness: :mod:`bench.generate` draws from it. Templates use
``str.format`` fields filled per article (country, town, protagonist...) or
per sentence (numbers); the list of fields is in ``bench.generate._Slots``.
People named here are fictional, except heads of state, who only appear in
neutral protocol sentences (receiving, chairing, travelling).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    slug: str  # the taxonomy slug when the taxonomy knows it
    name: str
    au: str  # "au Bénin", "en Centrafrique"
    du: str  # "du Bénin", "de la Centrafrique"
    le: str  # "le Bénin", "la Centrafrique"
    adj: tuple[str, str, str, str]  # masculine singular, feminine singular, masculine plural, feminine plural
    capital: str
    towns: tuple[str, ...]
    leader: str
    leader_title: str
    team: str  # "des Guépards": the national football team, as a complement
    utc_offset_hours: int
    weight: int


COUNTRIES: tuple[Country, ...] = (
    Country(
        "benin", "Bénin", "au Bénin", "du Bénin", "le Bénin", ("béninois", "béninoise", "béninois", "béninoises"),
        "Porto-Novo",
        ("Cotonou", "Porto-Novo", "Parakou", "Godomey", "Abomey-Calavi", "Ouidah", "Pahou", "Bohicon", "Natitingou",
         "Djougou", "Lokossa", "Toviklin", "Kandi", "Abomey"),
        "Patrice Talon", "le chef de l’État", "des Guépards", 1, 50,
    ),
    Country(
        "mali", "Mali", "au Mali", "du Mali", "le Mali", ("malien", "malienne", "maliens", "maliennes"),
        "Bamako", ("Bamako", "Ségou", "Mopti", "Kayes", "Sikasso", "Gao", "Tombouctou", "Koutiala"),
        "Assimi Goïta", "le président de la transition", "des Aigles", 0, 12,
    ),
    Country(
        "niger", "Niger", "au Niger", "du Niger", "le Niger", ("nigérien", "nigérienne", "nigériens", "nigériennes"),
        "Niamey", ("Niamey", "Zinder", "Maradi", "Agadez", "Tahoua", "Dosso"),
        "le chef de l’État", "Abdourahamane Tiani", "du Mena", 1, 8,
    ),
    Country(
        "togo", "Togo", "au Togo", "du Togo", "le Togo", ("togolais", "togolaise", "togolais", "togolaises"),
        "Lomé", ("Lomé", "Kara", "Sokodé", "Kpalimé", "Atakpamé", "Dapaong", "Aného"),
        "le chef de l’État", "Faure Gnassingbé", "des Éperviers", 0, 9,
    ),
    Country(
        "burkina-faso", "Burkina Faso", "au Burkina Faso", "du Burkina Faso", "le Burkina Faso",
        ("burkinabè", "burkinabè", "burkinabè", "burkinabè"),
        "Ouagadougou", ("Ouagadougou", "Bobo-Dioulasso", "Koudougou", "Fada N’Gourma", "Ouahigouya", "Banfora"),
        "le président de la transition", "Ibrahim Traoré", "des Étalons", 0, 8,
    ),
    Country(
        "centrafrique", "Centrafrique", "en Centrafrique", "de la Centrafrique", "la Centrafrique",
        ("centrafricain", "centrafricaine", "centrafricains", "centrafricaines"),
        "Bangui", ("Bangui", "Bimbo", "Berbérati", "Bambari", "Bouar", "Bossangoa"),
        "Faustin-Archange Touadéra", "le chef de l’État", "des Fauves", 1, 7,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Partner:
    name: str
    avec: str  # "la Chine"
    du: str  # "de Chine"
    au: str  # "en Chine"
    tags: tuple[str, ...]


PARTNERS: tuple[Partner, ...] = (
    Partner("Chine", "la Chine", "de Chine", "en Chine", ("Chine",)),
    Partner("Russie", "la Russie", "de Russie", "en Russie", ("Russie", "Moscou")),
    Partner("France", "la France", "de France", "en France", ("France",)),
    Partner("Maroc", "le Maroc", "du Maroc", "au Maroc", ("Maroc",)),
    Partner("Turquie", "la Turquie", "de Turquie", "en Turquie", ("Turquie",)),
    Partner("Union européenne", "l’Union européenne", "de l’Union européenne", "à Bruxelles", ("Union européenne",)),
    Partner("Nigeria", "le Nigeria", "du Nigeria", "au Nigeria", ("Nigeria", "CEDEAO")),
)

FIRST_NAMES_M = (
    "Koffi", "Ibrahim", "Séverin", "Ghislain", "Moussa", "Romuald", "Hermann", "Boubacar", "Oumar", "Florent",
    "Codjo", "Mahamadou", "Yao", "Rodrigue", "Anselme", "Sylvain", "Abdoulaye", "Arnaud", "Issa", "Cyrille",
    "Désiré", "Landry", "Mathias", "Serge",
)  # fmt: skip
FIRST_NAMES_F = (
    "Aïcha", "Mariam", "Rachida", "Fatoumata", "Adjoa", "Clarisse", "Awa", "Estelle", "Sèna", "Kadidia",
    "Afi", "Carine", "Nadège", "Bintou", "Rosine", "Aminata", "Prisca", "Hortense", "Djamila", "Larissa",
)  # fmt: skip
LAST_NAMES = (
    "Houngbédji", "Agossou", "Dossou", "Akpovi", "Traoré", "Coulibaly", "Diarra", "Keïta", "Maïga", "Issoufou",
    "Mahamane", "Abdou", "Agbodjan", "Amegah", "Kaboré", "Ouédraogo", "Sawadogo", "Zongo", "Gbadamassi",
    "Tchibozo", "Adjovi", "Houngbo", "Sanni", "Yabo", "Koudjo", "Ahouansou", "Zinsou", "Mensah", "Dembélé",
    "Sidibé", "Nana", "Yaméogo", "Ngaïbona", "Kossi", "Amoussou", "Hounkpatin", "Sossou", "Dandjinou",
)  # fmt: skip

HOUSE_BYLINES = ("La Rédaction", "Service international", "Service économie", "Service des sports", "Correspondance")

SECTION_WEIGHTS: dict[str, int] = {
    "politique": 15,
    "societe": 18,
    "faits-divers": 18,
    "economie": 14,
    "education": 8,
    "diplomatie": 9,
    "sport": 10,
    "culture": 8,
}

# Taxonomy entries each section tends to tag (slug, fallback name) besides the country and town.
SECTION_TAXONOMY: dict[str, tuple[tuple[str, str], ...]] = {
    "diplomatie": (("diplomatie", "Diplomatie"),),
    "politique": (),
    "societe": (("sante", "Santé"),),
    "faits-divers": (("securite", "Sécurité"),),
    "education": (("education", "Éducation"),),
    "economie": (),
    "sport": (),
    "culture": (),
}

GENERIC_TOPICS: dict[str, tuple[str, ...]] = {
    "diplomatie": ("CEDEAO", "Sahel", "Union africaine", "Alliance des États du Sahel", "Coopération", "Sécurité"),
    "politique": ("Élections", "Assemblée nationale", "Gouvernement", "Opposition", "Constitution", "Décentralisation"),
    "societe": ("Inondations", "Eau potable", "Jeunesse", "Transport", "Emploi", "Environnement", "Coût de la vie"),
    "faits-divers": ("Justice", "Accident", "Cybercriminalité", "Incendie", "Insécurité", "Criminalité"),
    "education": ("Examens", "Université", "Enseignants", "Formation professionnelle", "École", "Enseignement"),
    "economie": ("Coton", "Agriculture", "Finances publiques", "Énergie", "Commerce", "Emploi", "Investissements"),
    "sport": ("Football", "CAN", "Basket-ball", "Athlétisme", "Handball", "Championnat national"),
    "culture": ("Musique", "Cinéma", "Festival", "Patrimoine", "Littérature", "Théâtre"),
}

# (masculine, feminine) roles of the article's protagonist; the article ("le", "la", "l’") is added by gender.
ROLES: dict[str, tuple[tuple[str, str], ...]] = {
    "politique": (
        ("ministre de l’Intérieur", "ministre de l’Intérieur"),
        ("porte-parole du gouvernement", "porte-parole du gouvernement"),
        ("président de l’Assemblée nationale", "présidente de l’Assemblée nationale"),
        ("député de la circonscription de {ville}", "députée de la circonscription de {ville}"),
        ("secrétaire général du parti au pouvoir", "secrétaire générale du parti au pouvoir"),
        ("maire de {ville}", "maire de {ville}"),
    ),
    "diplomatie": (
        ("ministre des Affaires étrangères", "ministre des Affaires étrangères"),
        ("conseiller diplomatique du chef de l’État", "conseillère diplomatique du chef de l’État"),
        ("directeur de la coopération internationale", "directrice de la coopération internationale"),
        ("ambassadeur {du_partenaire}", "ambassadrice {du_partenaire}"),
    ),
    "societe": (
        ("maire de {ville}", "maire de {ville}"),
        ("ministre de la Santé", "ministre de la Santé"),
        ("ministre des Affaires sociales", "ministre des Affaires sociales"),
        ("préfet du département", "préfète du département"),
        ("directeur de la société des eaux", "directrice de la société des eaux"),
    ),
    "faits-divers": (
        ("commissaire de police de {ville}", "commissaire de police de {ville}"),
        ("directeur départemental de la police", "directrice départementale de la police"),
        ("procureur de la République", "procureure de la République"),
        ("chef d’arrondissement", "cheffe d’arrondissement"),
    ),
    "education": (
        ("ministre de l’Enseignement supérieur", "ministre de l’Enseignement supérieur"),
        ("ministre des Enseignements secondaire et technique", "ministre des Enseignements secondaire et technique"),
        ("recteur de l’université {de_ville}", "rectrice de l’université {de_ville}"),
        ("directeur départemental de l’enseignement", "directrice départementale de l’enseignement"),
        ("secrétaire général d’un syndicat d’enseignants", "secrétaire générale d’un syndicat d’enseignants"),
    ),
    "economie": (
        ("ministre de l’Économie et des Finances", "ministre de l’Économie et des Finances"),
        ("ministre de l’Agriculture", "ministre de l’Agriculture"),
        ("directeur général des impôts", "directrice générale des impôts"),
        ("président de la chambre de commerce", "présidente de la chambre de commerce"),
    ),
    "sport": (
        ("ministre des Sports", "ministre des Sports"),
        ("président de la fédération de football", "présidente de la fédération de football"),
        ("entraîneur de {club1}", "entraîneuse de {club1}"),
        ("capitaine de l’équipe nationale", "capitaine de l’équipe nationale"),
    ),
    "culture": (
        ("ministre de la Culture", "ministre de la Culture"),
        ("directeur du festival", "directrice du festival"),
        ("conservateur du musée", "conservatrice du musée"),
        ("promoteur culturel", "promotrice culturelle"),
    ),
}

# (masculine, feminine) qualities of a second voice, quoted in the body.
EXPERTS: dict[str, tuple[tuple[str, str], ...]] = {
    "politique": (("politologue", "politologue"), ("juriste", "juriste"),
                  ("militant des droits humains", "militante des droits humains"),
                  ("responsable d’un parti d’opposition", "responsable d’un parti d’opposition")),
    "diplomatie": (("spécialiste des relations internationales", "spécialiste des relations internationales"),
                   ("chercheur en géopolitique", "chercheuse en géopolitique"),
                   ("ancien ambassadeur", "ancienne ambassadrice")),
    "societe": (("sociologue", "sociologue"), ("médecin", "médecin"),
                ("responsable d’une association de consommateurs", "responsable d’une association de consommateurs"),
                ("habitant du quartier", "habitante du quartier")),
    "faits-divers": (("témoin de la scène", "témoin de la scène"), ("commerçant du marché", "commerçante du marché"),
                     ("riverain", "riveraine")),
    "education": (("enseignant", "enseignante"), ("parent d’élève", "parent d’élève"),
                  ("chercheur en sciences de l’éducation", "chercheuse en sciences de l’éducation")),
    "economie": (("économiste", "économiste"), ("producteur de coton", "productrice de coton"),
                 ("chef d’entreprise", "cheffe d’entreprise"), ("analyste financier", "analyste financière")),
    "sport": (("consultant sportif", "consultante sportive"), ("supporter", "supportrice"),
              ("ancien international", "ancienne internationale")),
    "culture": (("critique d’art", "critique d’art"), ("artiste", "artiste"), ("musicien", "musicienne"),
                ("spectateur", "spectatrice")),
}  # fmt: skip

FESTIVALS = ("Les Nuits du Golfe", "Lagune en Scène", "Sahel Rythmes", "Rencontres du Conte", "Afro Vibes",
             "Festival des Masques", "Ciné Plage", "Slam en Fête")  # fmt: skip
VERBS = ("a déclaré", "a affirmé", "a indiqué", "a expliqué", "a souligné", "a confié", "a assuré", "a estimé")
ORDINALS = ("deuxième", "troisième", "quatrième", "cinquième", "sixième", "dixième", "quinzième", "vingtième")
SUBHEADINGS = ("Un contexte tendu", "Des mesures attendues", "Ce qu’il faut retenir", "Les réactions",
               "Et maintenant ?", "Un bilan mitigé", "Les prochaines étapes", "Sur le terrain")  # fmt: skip

SHARED_SENTENCES = (
    "Selon des sources concordantes, la situation est suivie de près par les autorités {adj_fp}.",
    "Les détails de l’opération n’ont pas encore été rendus publics.",
    "Contacté par notre rédaction, un proche du dossier a préféré garder l’anonymat.",
    "Une rencontre de suivi est annoncée dans les prochaines semaines {a_ville}.",
    "L’information a été confirmée le {jour} par un communiqué officiel.",
    "Sur les réseaux sociaux, la nouvelle a suscité de nombreuses réactions.",
    "Plusieurs observateurs saluent une initiative qui répond à une attente ancienne des populations.",
    "D’autres, en revanche, jugent les mesures annoncées insuffisantes.",
    "Le dossier devrait être de nouveau examiné avant la fin de l’année.",
    "À {ville}, les habitants attendent désormais des résultats concrets.",
    "Il s’agit de la {ordinal} initiative de ce genre depuis le début de l’année.",
    "La presse locale s’est largement fait l’écho de cette annonce.",
    "Les autorités promettent une communication régulière sur l’évolution de la situation.",
    "Cette annonce intervient dans un contexte de forte attente sociale.",
    "Aucun calendrier précis n’a toutefois été communiqué.",
    "{Il} a appelé chacun à « prendre ses responsabilités ».",
    "Les conclusions sont attendues d’ici {n} semaines.",
)

LEADS: dict[str, tuple[str, ...]] = {
    "politique": (
        "Le conseil des ministres, réuni le {jour} sous la présidence de {leader}, a adopté un projet de loi "
        "portant sur {objet_loi}.",
        "Les députés ont adopté le {jour}, au terme de longs débats, le projet de loi sur {objet_loi}.",
        "L’opposition {adj_fs} a dénoncé le {jour} {grief}, lors d’une conférence de presse tenue {a_ville}.",
        "{Nom}, {fonction}, a annoncé le {jour} une série de mesures destinées à renforcer la décentralisation.",
    ),
    "diplomatie": (
        "{Leader_titre}, {leader}, a reçu le {jour} une délégation {du_partenaire} conduite par son ministre "
        "des Affaires étrangères.",
        "En visite officielle {au_partenaire} depuis le {jour}, {leader_titre}, {leader}, multiplie les rencontres "
        "avec les responsables économiques.",
        "{Le_pays} et {partenaire} ont signé le {jour} {n} accords de coopération dans les domaines de la santé, "
        "de l’agriculture et du numérique.",
        "{Capitale} a accueilli le {jour} une réunion ministérielle consacrée à la sécurité dans la sous-région.",
    ),
    "societe": (
        "Depuis plusieurs semaines, les habitants de {ville} vivent au rythme des coupures d’eau.",
        "Les fortes pluies enregistrées dans la nuit du {jour} ont provoqué l’inondation de plusieurs quartiers "
        "de {ville}.",
        "La campagne de vaccination contre le paludisme a été lancée le {jour} {a_ville} en présence "
        "{de_la_fonction}, {nom}.",
        "Plusieurs agents de la mairie {de_ville}, soupçonnés d’avoir détourné une partie des recettes des marchés, "
        "ont été suspendus de leurs fonctions.",
    ),
    "faits-divers": (
        "Les éléments du commissariat de {ville} ont interpellé, dans la nuit du {jour}, {n} individus soupçonnés "
        "de vols à main armée.",
        "Un grave accident de la circulation s’est produit le {jour} sur l’axe {ville}–{autre_ville}.",
        "Un incendie d’origine encore inconnue a ravagé le {jour} une partie du marché central {de_ville}.",
        "Une opération de ratissage menée le {jour} dans plusieurs quartiers de {ville} a conduit à {n2} "
        "interpellations.",
    ),
    "education": (
        "Les résultats des examens de fin d’année ont été proclamés le {jour} : le taux de réussite s’établit "
        "à {pct} %.",
        "Les enseignants ont entamé le {jour} une grève de {n} jours pour réclamer de meilleures conditions "
        "de travail.",
        "{La_fonction_cap}, {nom}, a inauguré le {jour} {n} nouvelles salles de classe {a_ville}.",
        "L’université {de_ville} a annoncé le {jour} l’ouverture de nouvelles filières dès la prochaine rentrée.",
    ),
    "economie": (
        "Le gouvernement a présenté le {jour} un budget de {milliards} milliards de francs CFA pour l’année à venir.",
        "La production de coton de la campagne en cours est attendue à {n3} 000 tonnes, selon les chiffres "
        "officiels publiés le {jour}.",
        "Une nouvelle zone industrielle a été inaugurée le {jour} {a_ville} en présence {de_la_fonction}, {nom}.",
        "Le prix du carburant à la pompe a été revu à la hausse à compter du {jour}.",
    ),
    "sport": (
        "Devant un public nombreux au stade de {ville}, la sélection nationale s’est imposée le {jour} sur le "
        "score de {score}.",
        "Le sélectionneur {des_equipe} a dévoilé le {jour} une liste de {effectif} joueurs pour les prochaines "
        "échéances.",
        "Le championnat national reprend ce week-end après plusieurs mois d’interruption.",
        "{Club1} a remporté le {jour} la coupe nationale face à {club2} ({score}).",
    ),
    "culture": (
        "Le festival {festival} a ouvert ses portes le {jour} {a_ville} pour sa {ordinal} édition.",
        "L’artiste {artiste} a présenté le {jour} {a_ville} son nouvel album devant un public conquis.",
        "Le musée {de_ville} a rouvert ses portes le {jour} après plusieurs mois de rénovation.",
        "Les fêtes traditionnelles ont attiré le {jour} des milliers de visiteurs {a_ville}.",
    ),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "politique": (
        "{La_fonction_cap}, {nom}, a présenté le texte devant les députés.",
        "Le projet de loi sur {objet_loi} devra encore être examiné en commission.",
        "Pour l’opposition, ce texte marque un recul des libertés publiques.",
        "La majorité parlementaire défend au contraire une réforme « nécessaire et attendue ».",
        "Le vote a été acquis par {n2} voix pour, {n} contre et quelques abstentions.",
        "Les partis politiques disposent de {n} jours pour déposer leurs listes de candidats.",
        "La commission électorale assure que le calendrier sera tenu.",
        "Plusieurs organisations de la société civile appellent au dialogue.",
        "Le texte prévoit notamment un renforcement du rôle des collectivités territoriales.",
        "Dans les communes, les maires attendent le transfert effectif des ressources promises.",
        "Le gouvernement affirme vouloir « consolider les acquis démocratiques ».",
        "Les débats se sont prolongés tard dans la nuit à l’hémicycle.",
        "{Nom} a rappelé l’attachement {du_pays} à l’État de droit.",
        "Un remaniement ministériel est évoqué avec insistance dans les milieux politiques de {capitale}.",
    ),
    "diplomatie": (
        "Les échanges ont porté sur la sécurité, l’énergie et les infrastructures.",
        "Les relations entre {le_pays} et {partenaire} se sont nettement renforcées ces dernières années.",
        "Cette visite s’inscrit dans une dynamique de diversification des partenariats.",
        "La question de la sécurité dans le Sahel a également été abordée.",
        "Une commission mixte de coopération doit se réunir {a_capitale} avant la fin de l’année.",
        "Les discussions ont aussi porté sur la libre circulation des personnes et des biens dans l’espace CEDEAO.",
        "Plusieurs chefs d’État de la sous-région étaient attendus à la cérémonie.",
        "Le communiqué final évoque « une convergence de vues » sur les grands dossiers régionaux.",
        "{La_fonction_cap}, {nom}, a salué « un partenariat gagnant-gagnant ».",
        "Le volume des échanges commerciaux entre les deux pays a atteint {milliards} milliards de francs CFA "
        "l’an dernier.",
        "Des bourses d’études seront également offertes à {n3} étudiants {adj_mp}.",
        "Les deux délégations se sont engagées à accélérer la mise en œuvre des accords déjà signés.",
    ),
    "societe": (
        "Dans certains quartiers, les femmes parcourent plusieurs kilomètres pour s’approvisionner en eau.",
        "Selon un premier bilan, {n3} ménages ont été touchés et {n} écoles temporairement fermées.",
        "La mairie {de_ville} annonce la mise en place d’un site d’accueil pour les sinistrés.",
        "Les agents de santé ont été déployés dans tous les centres de santé de la commune.",
        "La campagne vise à toucher plus de {n3} 000 enfants de moins de cinq ans.",
        "Au marché, le prix du sac de maïs a augmenté de {pct} % en un mois.",
        "Les associations de consommateurs appellent le gouvernement à agir.",
        "Un audit des services financiers de la commune a été commandé.",
        "Les conducteurs de taxi-moto ont observé un arrêt de travail de {n} heures.",
        "Le programme prévoit une formation de {n} mois suivie d’un accompagnement à l’installation.",
        "{La_fonction_cap}, {nom}, a promis des mesures rapides.",
        "Les travaux de curage des caniveaux devraient reprendre dès la semaine prochaine.",
        "Les populations dénoncent l’absence de concertation.",
        "Une ONG locale a distribué des kits alimentaires aux familles les plus vulnérables.",
    ),
    "faits-divers": (
        "Selon une source policière, les suspects opéraient dans plusieurs quartiers de la ville.",
        "Une dizaine de motos et des téléphones portables ont été saisis.",
        "Les mis en cause seront présentés au procureur de la République dans les prochains jours.",
        "L’accident s’est produit aux environs de {heure} à l’entrée {de_autre_ville}.",
        "Un camion, dont les freins auraient lâché, a percuté plusieurs véhicules.",
        "Les blessés ont été transportés au centre hospitalier le plus proche.",
        "Les sapeurs-pompiers ont mis plusieurs heures à maîtriser les flammes.",
        "Les commerçants estiment leurs pertes à plusieurs dizaines de millions de francs CFA.",
        "Une enquête a été ouverte pour déterminer les circonstances exactes du drame.",
        "La police appelle les populations à la vigilance et à la collaboration.",
        "Le présumé cerveau de la bande, âgé de {age} ans, était recherché depuis plusieurs mois.",
        "Les victimes peuvent se présenter au commissariat munies de leurs pièces justificatives.",
        "Des témoins affirment avoir entendu plusieurs détonations.",
        "{La_fonction_cap}, {nom}, a salué la promptitude des agents.",
    ),
    "education": (
        "Les syndicats d’enseignants dénoncent des conditions de travail difficiles.",
        "Dans de nombreuses écoles, les effectifs dépassent {n2} élèves par classe.",
        "{La_fonction_cap}, {nom}, a annoncé le recrutement de {n3} enseignants.",
        "Les nouvelles salles de classe sont équipées de tables-bancs et de panneaux solaires.",
        "Les parents d’élèves saluent une initiative attendue de longue date.",
        "Le programme des cantines scolaires permet de maintenir les enfants à l’école.",
        "Les cours de rattrapage commenceront dès la semaine prochaine.",
        "L’université a signé une convention avec plusieurs entreprises pour les stages.",
        "Les filières du numérique et de l’agronomie seront ouvertes dès la rentrée.",
        "Le gouvernement met en avant la construction de nouveaux lycées techniques agricoles.",
        "Les élèves des zones rurales restent les plus touchés par le décrochage scolaire.",
        "Les épreuves se sont déroulées sans incident majeur dans les {n2} centres d’examen.",
    ),
    "economie": (
        "Selon les prévisions du ministère, la croissance devrait atteindre {pct} % cette année.",
        "Les recettes fiscales ont progressé de {pct} % sur les neuf premiers mois de l’année.",
        "La filière coton reste le premier pourvoyeur de devises du pays.",
        "Les producteurs réclament une revalorisation du prix d’achat au kilogramme.",
        "La nouvelle zone industrielle doit créer {n3} emplois directs, selon ses promoteurs.",
        "Les opérateurs économiques attendent la baisse des coûts de l’électricité.",
        "L’emprunt obligataire a été sursouscrit, signe de la confiance des investisseurs.",
        "Le secteur informel emploie toujours la majorité de la population active.",
        "Les commerçants dénoncent les tracasseries aux frontières.",
        "La centrale solaire, d’une capacité de {n2} mégawatts, doit être mise en service l’an prochain.",
        "{La_fonction_cap}, {nom}, a présenté les grandes orientations de la politique budgétaire.",
        "Les exportations de noix de cajou ont atteint {n3} 000 tonnes.",
    ),
    "sport": (
        "L’ouverture du score est intervenue peu avant la pause, sur un coup franc.",
        "En seconde période, les visiteurs ont poussé sans parvenir à égaliser.",
        "Cette victoire relance les espoirs de qualification.",
        "La fédération promet de régler les primes des joueurs avant le prochain match.",
        "{Club1} compte désormais {n} points d’avance en tête du classement.",
        "Les supporters ont envahi les rues {de_ville} après le coup de sifflet final.",
        "Le ministre des Sports a félicité l’équipe pour son parcours.",
        "La rencontre s’est soldée sur un score de {score}.",
        "Les athlètes ont bénéficié d’un stage de préparation de {n} semaines.",
        "Les infrastructures sportives restent insuffisantes, selon plusieurs dirigeants de clubs.",
        "Le prochain match est programmé dans {n} jours au stade de {autre_ville}.",
    ),
    "culture": (
        "Le festival réunit cette année plus de {n2} artistes venus de toute la sous-région.",
        "Concerts, expositions et ateliers sont au programme pendant {n} jours.",
        "L’album, composé de {n2} titres, mêle rythmes traditionnels et sonorités urbaines.",
        "Le public a réservé un accueil chaleureux aux artistes.",
        "Les organisateurs déplorent le manque de soutien des pouvoirs publics.",
        "Le film raconte le parcours d’une jeune femme dans un quartier populaire {de_ville}.",
        "Le roman, publié chez un éditeur {adj_ms}, connaît un beau succès en librairie.",
        "La cérémonie d’ouverture s’est déroulée en présence {de_la_fonction}, {nom}.",
        "Des masques et des sculptures anciennes sont exposés pour la première fois.",
        "Les jeunes artistes bénéficient de résidences de création.",
        "L’entrée est gratuite pour les élèves et les étudiants.",
    ),
}

TITLES: dict[str, tuple[str, ...]] = {
    "politique": (
        "{pays}: le gouvernement adopte un projet de loi sur {objet_loi}",
        "{pays}: l’Assemblée nationale vote le budget de l’État",
        "{pays}: l’opposition dénonce {grief}",
        "{pays}: ce qu’il faut retenir du conseil des ministres du {jour}",
        "{ville}: les élus locaux réclament plus de moyens pour la décentralisation",
        "{pays}: {leader} reçoit les représentants des partis politiques",
        "{pays}: vers un remaniement du gouvernement ?",
        "{pays}: la révision de la Constitution au cœur des débats",
        "{pays}: {nom}, {fonction}, défend la réforme du code électoral",
    ),
    "diplomatie": (
        "{pays}–{partenaire_nom}: vers un renforcement de la coopération",
        "{pays}: {leader} en visite officielle {au_partenaire}",
        "{capitale} accueille une réunion ministérielle de la CEDEAO",
        "{pays}: {la_fonction} reçoit l’ambassadeur {du_partenaire}",
        "{pays}: signature de {n} accords de coopération avec {partenaire}",
        "{pays}: le ministre des Affaires étrangères plaide pour une diplomatie économique",
        "Crise au Sahel: {le_pays} appelle au dialogue",
    ),
    "societe": (
        "{ville}: les riverains dénoncent l’insalubrité du marché",
        "{ville}: {n3} ménages sinistrés après de fortes pluies",
        "{pays}: la campagne de vaccination contre le paludisme démarre {a_ville}",
        "{ville}: pénurie d’eau potable dans plusieurs quartiers",
        "{pays}: les conducteurs de taxi-moto réclament la baisse du prix de l’essence",
        "{ville}: une nouvelle maternité inaugurée",
        "{pays}: la cherté des produits de première nécessité inquiète les ménages",
        "{ville}: les agents impliqués dans un détournement suspendus et poursuivis",
        "{pays}: lancement d’un programme d’insertion pour {n3} jeunes",
    ),
    "faits-divers": (
        "{ville}: un réseau de présumés voleurs de motos démantelé",
        "{pays}: {n2} personnes interpellées {a_ville} lors d’une opération de police",
        "{pays}: un accident de la route fait {n} morts sur l’axe {ville}–{autre_ville}",
        "{ville}: un incendie ravage une partie du marché",
        "{ville}: un présumé cybercriminel arrêté par la police",
        "{ville}: deux braqueurs interpellés après une course-poursuite",
        "{ville}: une bagarre entre riverains fait {n} blessés",
    ),
    "education": (
        "{pays}: le taux de réussite au baccalauréat atteint {pct} %",
        "{pays}: les enseignants en grève pour {n} jours",
        "{ville}: {n} nouvelles salles de classe livrées",
        "Enseignement supérieur: l’université {de_ville} lance de nouvelles filières",
        "{pays}: la réforme de l’enseignement technique divise",
        "{pays}: {n3} enseignants recrutés pour combler le déficit",
        "{ville}: les cantines scolaires relancées dans {n2} écoles",
    ),
    "economie": (
        "{pays}: la production de coton attendue à {n3} 000 tonnes",
        "{pays}: le budget de l’État fixé à {milliards} milliards de francs CFA",
        "{pays}: la croissance économique estimée à {pct} % cette année",
        "{ville}: ouverture d’une nouvelle zone industrielle",
        "{pays}: le prix du carburant à la pompe revu à la hausse",
        "{pays}: {milliards} milliards de francs CFA mobilisés sur le marché financier régional",
        "{pays}: les exportations de noix de cajou en hausse",
        "Énergie: {le_pays} mise sur le solaire",
    ),
    "sport": (
        "Football: victoire {des_equipe} au stade de {ville}",
        "Football: le sélectionneur {des_equipe} dévoile sa liste de {effectif} joueurs",
        "{ville}: le championnat national reprend ce week-end",
        "Athlétisme: une sprinteuse {adj_fs} qualifiée pour les championnats d’Afrique",
        "Basket-ball: {club1} remporte la coupe nationale",
        "{pays}: la fédération de football en crise",
        "Football: {club1} et {club2} se quittent sur un nul ({nul})",
    ),
    "culture": (
        "{ville}: le festival {festival} célèbre sa {ordinal} édition",
        "Musique: {artiste} présente son nouvel album {a_ville}",
        "Cinéma: un film {adj_ms} primé au Fespaco",
        "{ville}: les fêtes traditionnelles attirent des milliers de visiteurs",
        "Littérature: {artiste} publie un premier roman remarqué",
        "{ville}: le musée rouvre ses portes après rénovation",
        "Patrimoine: {le_pays} veut inscrire un nouveau site à l’Unesco",
    ),
}

QUOTES: dict[str, tuple[str, ...]] = {
    "politique": (
        "Nous ne sommes pas opposés aux réformes, mais elles doivent être inclusives",
        "Ce texte renforce nos institutions et répond aux attentes des citoyens",
        "Le dialogue reste la seule voie pour préserver la paix sociale",
    ),
    "diplomatie": (
        "Notre pays entend diversifier ses partenariats dans le respect de sa souveraineté",
        "Ces accords ouvrent une nouvelle page de notre coopération",
        "La sécurité de la sous-région est l’affaire de tous",
    ),
    "societe": (
        "Nous ne pouvons plus continuer à vivre dans ces conditions",
        "Les premiers secours ont été apportés aux familles sinistrées",
        "Chaque franc dépensé doit profiter aux populations",
    ),
    "faits-divers": (
        "Les propriétaires peuvent se présenter au commissariat munis de leurs pièces justificatives",
        "Nous avons entendu des cris, puis tout le monde s’est mis à courir",
        "Force restera à la loi",
    ),
    "education": (
        "Sans moyens, les réformes resteront plus spectaculaires que réalistes",
        "Nos enfants méritent d’étudier dans de bonnes conditions",
        "L’école doit préparer les jeunes au marché de l’emploi",
    ),
    "economie": (
        "Les fondamentaux de notre économie restent solides",
        "Les producteurs doivent vivre décemment de leur travail",
        "Nous voulons transformer sur place nos matières premières",
    ),
    "sport": (
        "Les joueurs ont respecté les consignes du début à la fin",
        "Nous avons les moyens d’aller chercher la qualification",
        "Le public a été notre douzième homme",
    ),
    "culture": (
        "La culture est un levier de développement que l’on néglige trop souvent",
        "Ce festival est né de la volonté de faire vivre nos traditions",
        "Cet album raconte la vie des quartiers populaires",
    ),
}

LISTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "politique": (
        ("Parmi les principales mesures adoptées :",
         ("la création de nouvelles communes", "la révision des listes électorales",
          "la réduction du nombre de ministères", "un nouveau statut pour les élus locaux",
          "la création d’une haute autorité de l’audiovisuel")),
    ),
    "diplomatie": (
        ("Les accords signés portent sur :",
         ("la formation des forces de défense et de sécurité", "la construction de routes et de ponts",
          "l’électrification rurale", "les échanges universitaires", "la facilitation des visas")),
    ),
    "societe": (
        ("Les habitants réclament notamment :",
         ("le curage des caniveaux avant la saison des pluies", "l’extension du réseau d’eau potable",
          "l’éclairage public dans les ruelles", "un centre de santé de proximité", "la réhabilitation des pistes")),
    ),
    "faits-divers": (
        ("Au cours de l’opération, les policiers ont saisi :",
         ("plusieurs motos sans papiers", "des armes blanches", "des téléphones portables volés",
          "des produits prohibés", "une importante somme d’argent")),
    ),
    "education": (
        ("Les syndicats pointent plusieurs difficultés :",
         ("des ateliers sans machines en état de marche", "des enseignants vacataires non formés",
          "des stages en entreprise difficiles à trouver", "des classes surchargées", "le retard des salaires")),
    ),
    "economie": (
        ("Les grandes lignes du budget :",
         ("la hausse des investissements publics", "le soutien aux filières agricoles",
          "la maîtrise de la masse salariale", "la poursuite des programmes sociaux", "la réduction du déficit")),
    ),
    "sport": (
        ("Les prochaines échéances :",
         ("un match amical en fin de mois", "les éliminatoires de la CAN", "la coupe nationale",
          "un stage de préparation à l’étranger", "le tournoi de la zone UFOA")),
    ),
    "culture": (
        ("Au programme de cette édition :",
         ("des concerts en plein air", "une exposition de sculptures", "des ateliers pour les enfants",
          "des projections de films", "une nuit du conte")),
    ),
}  # fmt: skip

OBJETS_LOI = (
    "la protection des données personnelles", "le statut de la chefferie traditionnelle", "la décentralisation",
    "le financement des partis politiques", "la fonction publique", "le code foncier", "le code électoral",
)  # fmt: skip
GRIEFS = (
    "des arrestations d’opposants", "un processus électoral verrouillé", "la cherté de la vie",
    "le report des élections locales", "des restrictions des libertés publiques",
)  # fmt: skip
CORRECTIONS = (
    "Une version précédente de cet article indiquait une date erronée.",
    "Le nom d’une personne citée a été corrigé.",
    "Le bilan a été actualisé après la publication des chiffres officiels.",
)
IMAGE_CAPTIONS = ("Vue de {ville}", "Une rue {de_ville}", "Archives", "Photo d’illustration", "{ville}, le {jour}")
IMAGE_CREDITS = ("Archives", "La Rédaction", "DR", "Correspondance locale")
