"""Draft the City's record (seed 003) from its five tables of actions financed in 2022.

Prints, per neighbourhood, how many table rows the document lists and each row split into
theme / association / action / description, and with `--yaml FILE` writes the draft of
`data/record/bilan-politique-de-la-ville.yaml`. The split of the pdftotext layout is not
guessed: the associations and action names are listed below by hand (as printed), and a row
whose association or action is not in the lists stops the script. The links (`implements`,
`answers`) are the team's judgement, one entry per association and action, applied to every
row of that action; the draft was then read against the source row by row.

    python benchmarks/record_extraction.py            # the rows and the counts
    python benchmarks/record_extraction.py --yaml out.yaml
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "data" / "sources" / "003_598897ab6a862be5.txt"
SOURCE_ID = "bilan-politique-de-la-ville-2023"
BY = "équipe engagements (relecture)"
DATE = "2026-12-02"

# (neighbourhood, prefix, first line, last line, caption) of each table, as printed.
TABLES = [
    ("encagnane", "enc", 923, 1307, "Actions du contrat de ville, financées pour l'année 2022 à Encagnane"),
    ("jas-de-bouffan", "jdb", 1611, 2091, "Actions du contrat de ville, financées pour l'année 2022 au Jas de Bouffan"),
    ("corsy", "cor", 2184, 2446, "Actions du contrat de ville, financées pour l'année 2022 à Corsy"),
    ("beisson", "bei", 2633, 2958, "Actions du contrat de ville, financées pour l'année 2022 à Beisson"),
    ("pinette", "pin", 3039, 3196, "Actions du contrat de ville, financées pour l'année 2022 à Pinette"),
]
THEME = re.compile(r"^\s*(PREV / acces|CdV|cdv|RE|SANTE|CULTURE|Cit\. et VR|EMPLOI|Sport|sport)(\s|$)")
THEMES = ["PREV / acces au droit", "Cit. et VR", "CULTURE", "EMPLOI", "SANTE", "Sport", "sport", "CdV", "cdv", "RE"]
# Page furniture inside a table: headers, the caption, the running title.
FURNITURE = re.compile(
    r"^\s*(Thématique Association|Thém\. Association|Actions du contrat de ville|Actions Descriptif"
    r"|DescriptifAssociations|LES QUARTIERS|PRIORITAIRES :|ENCAGNANE$|BEISSON$)"
)

ASSOCIATIONS = [
    "ADEJ", "AITE", "AFEV", "Apport Santé", "ARES", "Arts et Développement", "Anonymal", "Compagnons bâtisseurs",
    "CPIE", "Action Bomaye", "CDAD", "LA CABANE DES VOISINS", "CIAM", "CSC La Provence", "CSC GRANDE BASTIDE",
    "DUNES", "CIACU", "EPE", "FETE LE MUR", "LA LIGUE DE L ENSEIGNEMENT", "Les Petits Débrouillards",
    "La Mareschale", "Hors Gabarit", "LES PEP 13", "Ludo’sphère", "Maison des adolescents", "MJC PREVERT", "OCD",
    "ASTI", "ASSOCIATION LE GRAND BLEU", "IPA", "REGIE DU PAYS D AIX", "SANTE SPORT PROVENCE", "SIMPLON",
    "Wimoov", "3 A", "ADDAP13", "APM", "ASNA", "ATMF", "CSC Lou Casteu", "Csc lou casteu", "ECOLE DES XV",
    "EMPA", "EJ13", "FCA", "Les Hippos", "LES ARGONAUTES", "Maison Citoyenne Aixoise", "Murmures de Cailloux",
    "Planning Familial", "Refl'aix'ion13", "Le Relais des Possibles", "KA DIVERS", "Lis Relie",
    "Boxing Club Larbi M.", "SOUTH WINNERS TAEKWONDO", "AGC Albert Camus", "CODEPS 13", "IE13", "CSC Aix Nord",
    "Maison de Santé", "LUDOSPHERE",
]  # fmt: skip

# Action names as printed (the table's "Action" column), longest first when one starts another.
ACTIONS = [
    "Droit au quotidien", "Information, conseil, aide et soutien juridique", "Kaps",
    "Mentorat Etudiants EX TANDEM ET ACC IND", "Informer, orienter, prévenir et dépister", "Espace de lien",
    "Atelier de pratiques artistiques", "Solidarité numérique", "Prévention des risques numériques",
    "20 000 Lieux", "Habiter Aix", "Projet Santé – Alimentation Ecole GIONO 2 Ormeaux",
    "Gestion et animation de jardins familiaux", "Happy end", "Consultations juridiques gratuites",
    "THEATRE FORUM", "Pratique culturelle", "Encagnane Quartier Vertueux", "Encagnane en mouvement",
    "Culture pour tous", "L'Art et vous", "on t'ecoute à toi la parole", "Numérique Pour Tous",
    "INSERTION 16-25 ans ici tout commence", "T'as la classe", "Actions citoyennes bénévoles",
    "Mediation sociale et urbaine", "Coup de Pouce à l’emploi", "CYBER HARCELEMENT",
    "Ateliers d 'aide aux devoirs pour les parents", "le passage en 6eme", "Jeu set et job",
    "Faire vivre une dynamique d'acteurs engagés", "Le Labomobile", "Les arts et cultures", "La Ville aux enfants",
    "Vasco /Séjours Educatifs", "Accompagnement vers la RE", "Ludi Cité", "ateliers collectifs",
    "La tournée des stades", "Accueil Famille CCTP", "Insertion socioculturelle", "Allons à la mer", "CitéLab",
    "Garage solidaire", "Aller vers la santé par l'activité physique", "Sensibilisation & acculturation métiers num.",
    "Mobilité durable et responsable", "Sport au féminin", "Dictée Pour Tous", "Urban sport Truck Aix en Provence",
    "MJD", "Destination à venir", "City Aix’perience", "Actions Sportives de Proximité", "Cultures Urbaines",
    "Permanences et médiations sociales", "Réseau femmes", "RE", "seniors restez en mvt", "Anim' d'Arbaud",
    "Maison créative du château", "REUSSITE EDUCATIVE", "Jeunes et bien dans son corps",
    "A la découverte de mon métier", "Ateliers de pratique instrumentales pour tous",
    "Animations sportives de proximité", "initiation et acces à la pratique sportive", "Tennis dans les QPV",
    "Sport de proximité", "Stage semaine de proximité", "Stage de Karaté", "Conte pour la RE",
    "Vie affective, relationnelle et sexuelle", "Conseil & Expertise en Accès aux droits", "Ze Bus",
    "Street Aix Project", "Lecture pour tous", "Accueil des exclus", "Soutien à la persévérance scolaire", "Déclic",
    "Rencontre et lien social", "Taekwondo art martial et discipline olympique", "En avant la famille",
    "Animations Vie Locale", "Tremplin Bafa", "Accueil des élèves exclus", "Dynamique Jeunesse", "Abricoton",
    "Corsy Sport", "Préventions, hygiène de vie", "Embellissement des Espaces collectifs 13H", "Evénements",
    "Création d'un jardin intergénérationnel", "En route vers la culture",
    "Accueil et accompagnement des élèves exclus", "Animation en pied d’immeuble",
    "Médiation sociale et accès aux Droits", "Accès au numérique", "Soutien à la parentalité & Accomp Individuel",
    "Soutien Educatif et Parental (Collège St Eut.)", "Action globale", "Escape game des compétences",
    "Bibliothèque P CEZANNE", "Accueil et Entraînement", "Animation d'un pôle Arts et Cultures urbaines",
    "Chantiers éducatifs rémunérés",
]  # fmt: skip

# Figures as printed, each a verbatim piece of the row's action or description.
FIGURES: dict[tuple[str, str], list[str]] = {
    ("Arts et Développement", "Atelier de pratiques artistiques"): ["ateliers hors les murs, 15 de 2h"],
    ("Anonymal", "Prévention des risques numériques"): ["4 axes transversaux"],
    ("LA CABANE DES VOISINS", "THEATRE FORUM"): ["public de 11 à 70 ans et plus"],
    ("CIAM", "Pratique culturelle"): ["jeunes de 4 à 18 ans"],
    ("CSC La Provence", "Encagnane en mouvement"): ["4j en juin et 1j en dec"],
    ("CSC La Provence", "on t'ecoute à toi la parole"): ["2 chantiers ACB"],
    ("CSC La Provence", "INSERTION 16-25 ans ici tout commence"): ["16-25 ans"],
    ("CSC La Provence", "T'as la classe"): ["20 élèves d'élémentaire et de collège"],
    ("CSC GRANDE BASTIDE", "Actions citoyennes bénévoles"): ["10 chantiers prévus en 2022"],
    ("LA LIGUE DE L ENSEIGNEMENT", "Faire vivre une dynamique d'acteurs engagés"): ["5 temps de réunions"],
    ("LES PEP 13", "Vasco /Séjours Educatifs"): ["Séjour d'une semaine"],
    ("Maison des adolescents", "ateliers collectifs"): ["2h par mois", "entre 15 et 20 personnes"],
    ("SANTE SPORT PROVENCE", "Aller vers la santé par l'activité physique"): ["jeunes de 7 à 13 ans"],
    ("SIMPLON", "Sensibilisation & acculturation métiers num."): [
        "6 ateliers de sensibilisation d'une demi journée", "2 formations courtes"],
    ("ATMF", "Permanences et médiations sociales"): ["10h - 12 h, 14h - 16h"],
    ("AGC Albert Camus", "Dynamique Jeunesse"): ["public jeunes 14-25 ans"],
    ("LES ARGONAUTES", "Stage semaine de proximité"): ["deux animateurs", "3 semaines de stage prévues dans l'année"],
    ("CSC Aix Nord", "En route vers la culture"): ["1 sortie par mois"],
    ("OCD", "Déclic"): ["deux écoles"],
}  # fmt: skip

# The team's links: (association, action) -> (Contrat de ville ids, request ids).
LINKS: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    ("ADEJ", "Droit au quotidien"): (["cdv-d-v3-a5.1"], []),
    ("AITE", "Information, conseil, aide et soutien juridique"): (["cdv-d-v3-a5.1"], ["q6", "d2.4"]),
    ("AITE", "MJD"): (["cdv-d-v3-a5.1-oo1"], ["d2.4"]),
    ("CDAD", "Consultations juridiques gratuites"): (["cdv-d-v3-a5.1"], ["d2.4"]),
    ("Refl'aix'ion13", "Conseil & Expertise en Accès aux droits"): (["cdv-d-v3-a5.1"], ["d2.4"]),
    ("AFEV", "Kaps"): (["cdv-b-v2-a1.1"], []),
    ("AFEV", "Mentorat Etudiants EX TANDEM ET ACC IND"): (["cdv-d-v1-o1"], ["d2.2"]),
    ("Apport Santé", "Informer, orienter, prévenir et dépister"): (["cdv-d-v2-a3.2"], []),
    ("ARES", "Espace de lien"): (["cdv-d-v2-a3.1"], ["q10a"]),
    ("Arts et Développement", "Atelier de pratiques artistiques"): (["cdv-d-v5-01"], []),
    ("Anonymal", "Solidarité numérique"): (["cdv-d-v5-05"], ["q7", "d2.5"]),
    ("Anonymal", "Destination à venir"): (["cdv-d-v1-a2.1"], []),
    ("Compagnons bâtisseurs", "20 000 Lieux"): (["cdv-b-v2-a1.2-oo1"], []),
    ("Compagnons bâtisseurs", "Habiter Aix"): (["cdv-b-v2-a1.2", "cdv-d-v5-03"], []),
    ("CPIE", "Projet Santé – Alimentation Ecole GIONO 2 Ormeaux"): (["cdv-d-v2-a3.1"], []),
    ("CPIE", "Gestion et animation de jardins familiaux"): (["cdv-b-v2-o1"], []),
    ("LA CABANE DES VOISINS", "THEATRE FORUM"): (["cdv-b-v2-a1.1"], []),
    ("CIAM", "Pratique culturelle"): (["cdv-d-v5-01"], []),
    ("CSC La Provence", "on t'ecoute à toi la parole"): (["cdv-d-v5-05"], []),
    ("CSC La Provence", "Numérique Pour Tous"): ([], ["q7", "d2.5"]),
    ("CSC La Provence", "INSERTION 16-25 ans ici tout commence"): (["cdv-d-v3-a4.2"], []),
    ("CSC La Provence", "T'as la classe"): (["cdv-d-v1-o1"], ["d2.2"]),
    ("DUNES", "Mediation sociale et urbaine"): (["cdv-d-v3-a2.1"], ["q2"]),
    ("CIACU", "Coup de Pouce à l’emploi"): (["cdv-c-v1-o6"], ["d2.6"]),
    ("EPE", "Ateliers d 'aide aux devoirs pour les parents"): (["cdv-d-v1-a1.2"], []),
    ("FETE LE MUR", "Jeu set et job"): (["cdv-c-v1-o4"], []),
    ("FETE LE MUR", "Tennis dans les QPV"): (["cdv-d-v4-01"], ["d2.7"]),
    ("LA LIGUE DE L ENSEIGNEMENT", "Faire vivre une dynamique d'acteurs engagés"): (["cdv-d-v1-a1.1-oo1"], []),
    ("Hors Gabarit", "La Ville aux enfants"): (["cdv-b-v2-o4"], []),
    ("OCD", "Accueil Famille CCTP"): (["cdv-d-v1-a2.2-oo1"], []),
    ("ASTI", "Insertion socioculturelle"): ([], ["q9", "d2.3"]),
    ("IPA", "CitéLab"): (["cdv-c-v1-a1.1"], []),
    ("REGIE DU PAYS D AIX", "Garage solidaire"): (["cdv-c-v1-o6"], []),
    ("SANTE SPORT PROVENCE", "Aller vers la santé par l'activité physique"): (["cdv-d-v2-o4"], []),
    ("3 A", "Sport au féminin"): (["cdv-d-v4-06"], ["d2.7"]),
    ("ADDAP13", "Urban sport Truck Aix en Provence"): (["cdv-d-v3-a4.1"], []),
    ("ADDAP13", "Chantiers éducatifs rémunérés"): (["cdv-d-v3-a4.2"], []),
    ("ASNA", "Actions Sportives de Proximité"): ([], ["d2.7"]),
    ("EJ13", "Animations sportives de proximité"): ([], ["d2.7"]),
    ("FCA", "initiation et acces à la pratique sportive"): ([], ["d2.7"]),
    ("Les Hippos", "Sport de proximité"): ([], ["d2.7"]),
    ("Maison Citoyenne Aixoise", "Stage de Karaté"): ([], ["d2.7"]),
    ("Boxing Club Larbi M.", "Rencontre et lien social"): ([], ["d2.7"]),
    ("AGC Albert Camus", "Corsy Sport"): ([], ["d2.7"]),
    ("ATMF", "Réseau femmes"): ([], ["q9"]),
    ("ATMF", "RE"): ([], ["d2.2"]),
    ("CSC Lou Casteu", "seniors restez en mvt"): ([], ["d3.12"]),
    ("CSC Lou Casteu", "REUSSITE EDUCATIVE"): (["cdv-d-v1-o1"], ["d2.2"]),
    ("Csc lou casteu", "Jeunes et bien dans son corps"): (["cdv-d-v2-a3.1"], []),
    ("ECOLE DES XV", "A la découverte de mon métier"): (["cdv-d-v1-a2.1"], []),
    ("Planning Familial", "Vie affective, relationnelle et sexuelle"): (["cdv-d-v2-a3.2"], []),
    ("OCD", "Accueil des exclus"): (["cdv-d-v3-a1.1"], []),
    ("AGC Albert Camus", "Accueil des élèves exclus"): (["cdv-d-v3-a1.1"], []),
    ("CSC Aix Nord", "Accueil et accompagnement des élèves exclus"): (["cdv-d-v3-a1.1"], []),
    ("OCD", "Soutien à la persévérance scolaire"): (["cdv-d-v1-o2"], []),
    ("OCD", "Déclic"): (["cdv-d-v1-a2.2"], []),
    ("AGC Albert Camus", "RE"): ([], ["d2.2"]),
    ("CODEPS 13", "Préventions, hygiène de vie"): (["cdv-d-v2-a3.2"], []),
    ("IE13", "Embellissement des Espaces collectifs 13H"): (["cdv-c-v1-o6"], []),
    ("CSC Aix Nord", "Création d'un jardin intergénérationnel"): (["cdv-b-v2-a1.1"], []),
    ("CSC Aix Nord", "Médiation sociale et accès aux Droits"): (["cdv-d-v3-a2.1"], ["q2", "d2.4"]),
    ("CSC Aix Nord", "Accès au numérique"): ([], ["q7", "d2.5"]),
    ("CSC Aix Nord", "Soutien à la parentalité & Accomp Individuel"): (["cdv-d-v1-a1.2"], ["d2.2"]),
    ("CSC Aix Nord", "Soutien Educatif et Parental (Collège St Eut.)"): (["cdv-d-v1-a1.2"], ["d2.2"]),
    ("Maison de Santé", "Action globale"): (["cdv-d-v2-a3.1"], []),
}  # fmt: skip

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _join(lines: list[str]) -> str:
    """Lines of one cell as one text: a word cut at the end of a line ("Accompagnemen" / "t vers") is rejoined."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and re.search(r"[a-zé]$", out) and re.match(r"^[a-z](\s|$)", line):
            out += line
        else:
            out = f"{out} {line}" if out else line
    return _squash(out)


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The non-empty lines of a row in runs separated by empty lines."""
    runs: list[list[tuple[int, str]]] = [[]]
    for n, text in lines:
        if text.strip():
            runs[-1].append((n, text))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def rows(text: str) -> list[dict[str, object]]:
    """Every table row of the document, in order, split into its columns."""
    lines = text.split("\n")
    found: list[dict[str, object]] = []
    for quartier, prefix, first, last, caption in TABLES:
        raw: list[list[tuple[int, str]]] = []
        for n in range(first, last + 1):
            line = lines[n - 1]
            if FURNITURE.match(line):
                continue
            bare_theme = bool(raw) and len([t for _, t in raw[-1] if t.strip()]) == 1 and raw[-1][0][1].strip() in THEMES
            # A theme word on its own line is a row's first cell only when the row before is complete:
            # "SANTE" then "SANTE SPORT" is one row (association SANTE SPORT PROVENCE), and so are
            # "Sport Les Hippos" then "Sport de proximité" (its action).
            if THEME.match(line) and not bare_theme and not (raw and _is_open(raw[-1])):
                raw.append([])
            if raw:
                raw[-1].append((n, line))
        for k, row_lines in enumerate(raw, 1):
            found.append(_split(row_lines, quartier, f"bilan-{prefix}-{k:02d}", caption))
    return found


def _is_open(row: list[tuple[int, str]]) -> bool:
    """A row that has its theme and association but no action yet ("AGC Albert Camus", then "RE")."""
    joined = _join([t for _, t in row])
    theme = next((t for t in THEMES if joined.startswith(t)), "")
    return joined[len(theme) :].strip() in ASSOCIATIONS


def _split(row: list[tuple[int, str]], quartier: str, ident: str, caption: str) -> dict[str, object]:
    joined = _join([t for _, t in row])
    theme = next(t for t in THEMES if joined.startswith(t))
    rest = joined[len(theme) :].strip()
    association = max((a for a in ASSOCIATIONS if rest.startswith(a + " ") or rest == a), key=len, default=None)
    if association is None:
        sys.exit(f"line {row[0][0]}: no known association in {rest!r}")
    rest = rest[len(association) :].strip()
    action = max((a for a in ACTIONS if rest.startswith(a + " ") or rest == a), key=len, default=None)
    if action is None:
        sys.exit(f"line {row[0][0]}: no known action in {rest!r}")
    description = rest[len(action) :].strip()
    # The line the row's text starts on: its description's first line, or the action's.
    line = _start_line(row, description or action)
    return {
        "id": ident,
        "quartier": quartier,
        "caption": caption,
        "theme": theme,
        "association": association,
        "action": action,
        "description": description,
        "line": line,
        "first_line": row[0][0],
    }


def _start_line(row: list[tuple[int, str]], target: str) -> int:
    """The line of the row on which `target` begins (spaces ignored, as the quote check does)."""
    chars: list[tuple[str, int]] = [(ch, n) for n, t in row for ch in t if not ch.isspace()]
    compact = "".join(ch for ch, _ in chars)
    at = compact.find(_SPACE.sub("", target))
    if at < 0:
        sys.exit(f"line {row[0][0]}: {target!r} not found in its row")
    return chars[at][1]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_yaml(found: list[dict[str, object]]) -> str:
    from engagements.french import repair_artefacts

    out = [
        "# yaml-language-server: $schema=../schema/record.schema.json",
        "# Le bilan de la Ville (sources/003_598897ab6a862be5.txt) : les actions du contrat de ville financées",
        "# pour l'année 2022, une entrée par ligne des cinq tableaux par quartier, dans l'ordre du document.",
        "# Brouillon produit par benchmarks/record_extraction.py, puis relu ligne à ligne contre la source.",
        "# « theme », « partners », « action » et « text » sont les colonnes Thématique, Association, Action et",
        "# Descriptif telles qu'imprimées (le texte est le nom de l'action quand la ligne n'a pas de descriptif).",
        "# Les liens « implements » et « answers » sont un jugement de l'équipe, là où l'action met clairement",
        "# en œuvre l'engagement du Contrat de ville ou répond à la demande.",
        "sources:",
        f"  - id: {SOURCE_ID}",
        '    title: "Bilan de la politique de la ville de la Ville d\'Aix-en-Provence (quartiers prioritaires'
        ' Encagnane, Jas de Bouffan, Corsy, Beisson et Pinette)"',
        '    author: "Ville d\'Aix-en-Provence, avant-propos de Sophie Joissains, maire"',
        "    file: sources/003_598897ab6a862be5.txt",
        "    kind: record",
        '    note: "Le document ne porte pas de date dans le texte extrait ; il présente l\'appel à projets 2023'
        ' et les actions financées en 2022."',
        "actions:",
    ]
    for row in found:
        key = (str(row["association"]), str(row["action"]))
        implements, answers = LINKS.get(key, ([], []))
        text = repair_artefacts(str(row["description"] or row["action"]))
        out += [
            f"  - id: {row['id']}",
            f"    text: {_q(text)}",
            f"    action: {_q(repair_artefacts(str(row['action'])))}",
            f"    theme: {_q(str(row['theme']))}",
            f"    partners: [{_q(str(row['association']))}]",
            f"    neighbourhoods: [{row['quartier']}]",
        ]
        figures = FIGURES.get(key, [])
        if figures:
            out.append("    figures: [" + ", ".join(_q(f) for f in figures) + "]")
        out += [
            "    year: 2022",
            "    provenance:",
            f"      source: {SOURCE_ID}",
            f"      section: {_q(str(row['caption']))}",
            f"      line: {row['line']}",
        ]
        if implements:
            out.append("    implements:")
            out += [f"      - {{commitment: {c}, by: {BY}, date: {DATE}}}" for c in implements]
        if answers:
            out.append("    answers:")
            out += [f"      - {{request: {r}, by: {BY}, date: {DATE}}}" for r in answers]
    return "\n".join(out) + "\n"


def main() -> None:
    found = rows(SOURCE.read_text(encoding="utf-8"))
    if "--yaml" in sys.argv:
        Path(sys.argv[sys.argv.index("--yaml") + 1]).write_text(to_yaml(found), encoding="utf-8")
    for row in found:
        print(f"{row['id']} l.{row['line']} [{row['theme']}] {row['association']} | {row['action']} | {row['description']}")
    for quartier, *_ in TABLES:
        print(f"{quartier}: {sum(1 for r in found if r['quartier'] == quartier)} lignes")
    print(f"total: {len(found)} lignes, {len({(r['association'], r['action']) for r in found})} actions distinctes")
    unused = set(LINKS) - {(r["association"], r["action"]) for r in found}
    if unused:
        sys.exit(f"links for unknown actions: {sorted(unused)}")


if __name__ == "__main__":
    main()
