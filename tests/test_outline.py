"""Structured documents to a hierarchy of commitments: the importer's `--outline` mode, and the
Contrat de ville (seed 004) transcribed with it into data/lists/contrat-de-ville.yaml."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from conftest import DATA, copy_candidate_data
from engagements.checks import check
from engagements.loading import load_directory
from engagements.outline import CUT_NOTE, LEVELS, find_outline

CONTRAT = DATA / "lists" / "contrat-de-ville.yaml"

DOCUMENT = """\
# CONTRAT

## Table des matières

B) Le pilier Cadre de vie.....\t10
Orientation 1 : La vie sociale .....\t38

## A) Les fondamentaux

- ☞ Un principe général, avant tout pilier

## **B) Le pilier Cadre de vie**

### **2) Volet Cadre de vie**

### ***Orientation 1 : La vie sociale***

#### **Axes prioritaires**

- 1.1 Promouvoir le lien social

## Le déploiement

### Orientation 1 : La vie sociale au quotidien

#### **AXE 1.1 Promouvoir le lien social**

<b>Pilotes</b>\t<b>Cadre d'action</b>  <b>Objectif opérationnel 1 : Favoriser les collectifs</b>
<b>Partenaires</b>\t<ul> <li>• Un paragraphe qui présente l'objectif : <ul> <li>☞ Soutenir les amicales de locataires</li> <li>☞ Ouvrir des lieux pour</li> </ul> </li> </ul>

**Objectif opérationnel 2 : Garantir et mesurer les conditions**

### d'accompagnement des habitants

- ☞ Assurer le suivi des actions :
  - Définition d'un plan d'actions
  - ✓ Bilan annuel

- Villes
## Axe 1.2. Lutter contre la paupérisation
"""


def test_outline_of_a_small_document():
    nodes = find_outline(DOCUMENT)
    assert [(n.id, n.level, n.number, n.parent, n.text, n.line) for n in nodes] == [
        ("cdv-b", "pilier", "B", None, "Le pilier Cadre de vie", 12),
        ("cdv-b-v2", "volet", "2)", "cdv-b", "Volet Cadre de vie", 14),
        ("cdv-b-v2-o1", "orientation", "Orientation 1", "cdv-b-v2", "La vie sociale", 16),
        ("cdv-b-v2-a1.1", "axe", "AXE 1.1", "cdv-b-v2-o1", "Promouvoir le lien social", 26),
        ("cdv-b-v2-a1.1-oo1", "objectif", "Objectif opérationnel 1", "cdv-b-v2-a1.1", "Favoriser les collectifs", 28),
        ("cdv-b-v2-a1.1-oo1-01", "action", None, "cdv-b-v2-a1.1-oo1", "Soutenir les amicales de locataires", 29),
        ("cdv-b-v2-a1.1-oo1-02", "action", None, "cdv-b-v2-a1.1-oo1", "Ouvrir des lieux pour", 29),
        ("cdv-b-v2-a1.1-oo2", "objectif", "Objectif opérationnel 2", "cdv-b-v2-a1.1", "Garantir et mesurer les conditions", 31),
        ("cdv-b-v2-a1.1-oo2-01", "action", None, "cdv-b-v2-a1.1-oo2", "Assurer le suivi des actions :", 35),
        ("cdv-b-v2-a1.1-oo2-01-01", "action", None, "cdv-b-v2-a1.1-oo2-01", "Définition d'un plan d'actions", 36),
        ("cdv-b-v2-a1.1-oo2-01-02", "action", None, "cdv-b-v2-a1.1-oo2-01", "Bilan annuel", 37),
        ("cdv-b-v2-a1.2", "axe", "Axe 1.2.", "cdv-b-v2-o1", "Lutter contre la paupérisation", 40),
    ]
    notes = {n.id: n.note for n in nodes if n.note}
    assert notes == {
        "cdv-b-v2-o1": "Intitulé ligne 24 : « La vie sociale au quotidien ».",
        "cdv-b-v2-a1.1-oo1-02": CUT_NOTE,
        "cdv-b-v2-a1.1-oo2": "Intitulé coupé par l’extraction ; la fin, « d'accompagnement des habitants », est ligne 33.",
    }


def test_import_outline_command_drafts_an_institution(cli, tmp_path):
    (tmp_path / "contrat.md").write_text(DOCUMENT, encoding="utf-8")
    result = cli("import", "contrat.md", "--list", "contrat", "--outline")
    assert result.exit_code == 0, result
    assert result.stderr == "contrat.md : engagements trouvés : 12 (brouillon à relire).\n"
    assert "    kind: institution\n" in result.stdout
    assert "    kind: institutional\n" in result.stdout
    assert (
        '      - id: cdv-b-v2-a1.2\n        text: "Lutter contre la paupérisation"\n        parent: cdv-b-v2-o1\n'
        '        number: "Axe 1.2."\n        level: axe\n'
    ) in result.stdout


@pytest.fixture(scope="module")
def contrat(tmp_path_factory):
    """The transcribed file loaded alone, as the commitments of a data directory, with the bundled
    requests and sources."""
    directory = tmp_path_factory.mktemp("contrat")
    shutil.copy(DATA / "requests.yaml", directory / "requests.yaml")
    shutil.copy(CONTRAT, directory / "commitments.yaml")
    shutil.copytree(DATA / "sources", directory / "sources")
    return load_directory(directory)


def test_contrat_de_ville_is_valid_with_every_quote_at_its_line(contrat):
    assert contrat.diagnostics == []
    assert check(contrat) == []
    (lst,) = contrat.commitments.lists
    assert (lst.id, lst.kind, lst.sources) == ("contrat-de-ville", "institution", ["contrat-de-ville-2015-2020"])
    assert contrat.commitments.sources[0].kind == "institutional"


def test_contrat_de_ville_is_read_with_the_bundled_data():
    """The bundled data reads the candidate lists of commitments.yaml, then the partners' file in
    lists/, whose schema modeline resolves from where it is."""
    from engagements.paths import commitment_names

    assert commitment_names(DATA) == ["commitments.yaml", "lists/contrat-de-ville.yaml"]
    loaded = load_directory(DATA)
    assert loaded.diagnostics == [] and check(loaded) == []
    assert [(lst.id, lst.kind) for lst in loaded.dataset.commitments.lists] == [
        ("aix-en-commun", None), ("programme-solidarite", None), ("contrat-de-ville", "institution"),
    ]
    assert [part.name for part in loaded.parts] == commitment_names(DATA)
    first = CONTRAT.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/commitments.schema.json"
    schema = (CONTRAT.parent / first.partition("$schema=")[2]).resolve()
    assert schema == DATA / "schema" / "commitments.schema.json" and schema.is_file()


def test_contrat_de_ville_keeps_the_hierarchy_and_numbering(contrat):
    pledges = {c.id: c for c in contrat.commitments.lists[0].commitments}
    assert len(pledges) == 447
    assert Counter(c.level for c in pledges.values()) == {
        "pilier": 3, "volet": 8, "orientation": 26, "axe": 44, "objectif": 88, "action": 278,
    }
    for c in pledges.values():
        if c.parent is None:
            assert c.level == "pilier"
            continue
        parent = pledges[c.parent]
        # Each record sits under a record of a level above it (or, for the parts of an action, an action).
        assert LEVELS.index(parent.level) < LEVELS.index(c.level) or parent.level == c.level == "action"
    axe = pledges["cdv-b-v2-a2.3"]
    assert (axe.text, axe.number, axe.parent, axe.provenance.line) == (
        "Promouvoir l'accessibilité et l'adaptation du quartier, du parc social et des parties communes",
        "AXE 2.3",
        "cdv-b-v2-o2",
        602,
    )
    assert axe.provenance.section == "Le pilier Cadre de vie et Rénovation Urbaine"
    assert axe.provenance.subsection == "Volet Cadre de vie"
    assert [pledges[k].text for k in ("cdv-d", "cdv-d-v2", "cdv-d-v2-o1")] == [
        "Le pilier Cohésion sociale", "Volet Santé", "Permettre et faciliter l'accès aux droits en matière de santé",
    ]
    action = pledges["cdv-b-v2-a2.2-oo1-03"]
    assert action.text == "Déployer des mesures coercitives en matière de dépôts sauvages (cf. Police de l'environnement)"


def test_contrat_de_ville_is_exactly_what_the_importer_recovers(cli, tmp_path):
    """Every record of the file comes from `import --outline` unaided: only the header, the source's
    title and its note were written by hand."""
    shutil.copytree(DATA / "sources", tmp_path / "sources")
    shutil.copy(DATA / "requests.yaml", tmp_path / "requests.yaml")  # "." must be a data folder
    result = cli("--data", ".", "import", "sources/004_2478bf577ca4ee32.txt", "--list", "contrat-de-ville",
                 "--outline", "--name", "Contrat de ville communautaire du Pays d'Aix 2015-2020",
                 "--source-id", "contrat-de-ville-2015-2020")
    assert result.exit_code == 0, result
    drafted = result.stdout[result.stdout.index("lists:\n"):]
    bundled = CONTRAT.read_text(encoding="utf-8")
    assert bundled[bundled.index("lists:\n"):] == drafted


def test_parents_must_exist_and_never_loop(cli, tmp_path):
    (tmp_path / "requests.yaml").write_text("requests:\n  - {id: q1, title: t, text: x}\n", encoding="utf-8")
    (tmp_path / "commitments.yaml").write_text(
        "lists:\n  - id: l\n    name: L\n    commitments:\n"
        "      - {id: a, text: x, parent: b}\n      - {id: b, text: x, parent: a}\n      - {id: c, text: x, parent: axe}\n",
        encoding="utf-8",
    )
    result = cli("--data", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert [line.split("commitments.yaml:")[1] for line in result.stderr.splitlines()] == [
        "5:34: erreur: « parent » tourne en rond : « a » finit par être son propre parent",
        "6:34: erreur: « parent » tourne en rond : « b » finit par être son propre parent",
        "7:34: erreur: parent « axe » inconnu dans la liste « l »",
    ]


def test_show_gives_a_record_s_place_in_the_hierarchy(cli, tmp_path):
    import json

    # The candidate lists only (the bundled data already holds the Contrat de ville in lists/).
    directory = copy_candidate_data(tmp_path / "d")
    result = cli("--data", str(directory), "import", str(directory / "sources" / "004_2478bf577ca4ee32.txt"),
                 "--list", "contrat-de-ville", "--outline", "--append")
    assert result.exit_code == 0, result
    assert cli("--data", str(directory), "validate").exit_code == 0
    for data in (directory, DATA):
        found = json.loads(cli("--data", str(data), "show", "cdv-b-v2-a2.3", "--format", "json").stdout)
        assert (found["parent"], found["number"], found["level_in_document"]) == ("cdv-b-v2-o2", "AXE 2.3", "axe")
