"""`engagements import`: from a letter or programme in plain text to draft pledges."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import DATA, ROOT, SEEDS, data_counts, record_count
from engagements.checks import find_quote, read_source
from engagements.editing import data_lock
from engagements.french import repair_artefacts
from engagements.importer import (
    build_import,
    default_source_id,
    find_pledges,
    join_lines,
    split_measures,
    starts_with_infinitive,
)
from engagements.loading import load_directory
from engagements.models import Commitment, CommitmentsFile

LETTER_000 = SEEDS / "000_1d5eca14aae107d3.txt"
PROGRAMME_001 = SEEDS / "001_3d18f1cd15f82665.txt"

# A small letter with every shape the importer reads. Line numbers matter: see the expectations.
LETTER = """\
Aix, le 1er mars 2026

Pour donner suite à votre courrier, voici nos réponses, qui
engagent toute la liste.

- Créer des jardins partagés dans chaque quartier.

1- Sur le logement des personnes
sans abri ?

Nous agirons vite.

Pour loger
dignement

- Construire 100 logements
très sociaux par an.
- Ouvrir un accueil de jour

pour les familles à la rue.
-  

- Réduire les eJectifs des classes et aeecter des moyens au non-
recours.
- Construire 100 logements très sociaux par an.

10- Sur l’emploi.

- Créer une régie de quartier.

10- Sur la santé.

Pour soigner
- Ouvrir un centre de santé.
"""

PROGRAMME = """\
Solidarité

Notre priorité est l’égalité.

12. Ouvrir une maison des aidants.
Augmenter les places en foyers dans le Pays d’Aix. Expérimenter le dispositif « zéro chômeur ». Il sera évalué.
Créer un réseau de santé pour les étudiants, afin de leur éviter
d’avancer les frais.

Impulser un réseau associatif.

13. Créer une délégation au handicap.

Culture

14. Mener une politique culturelle pour toutes et tous. S’appuyer sur la culture provençale !
"""


def pledges_of(text: str, list_id: str = "t") -> list[dict[str, object]]:
    """The draft pledges as plain data, with None fields left out, as in the YAML."""
    imported = build_import(text, list_id=list_id, source_id="src", origin="test.txt", source_file="sources/test.txt")
    return [c.model_dump(exclude_none=True, exclude_defaults=True) for c in imported.candidate.commitments]


# --- Artefacts, lines and sentences ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extracted", "repaired"),
    [
        ("eJectifs", "effectifs"),
        ("oOre", "offre"),
        ("l’’oOre", "l’’offre"),
        ("diOicile", "difficile"),
        ("souJrance", "souffrance"),
        ("suJrages", "suffrages"),
        ("oJice", "office"),
        ("réaJirmation", "réaffirmation"),
        ("chauJer", "chauffer"),
        ("aeecter", "affecter"),
        ("Aeirmer", "Affirmer"),
        ("eeectif", "effectif"),
        ("un accès eeectif et abordable", "un accès effectif et abordable"),
    ],
)
def test_ligature_artefacts_are_repaired(extracted: str, repaired: str) -> None:
    assert repair_artefacts(extracted) == repaired


@pytest.mark.parametrize(
    "word",
    [
        "AESH",
        "CitéLab",
        "LGBTIphobies",
        "McJob",
        "Orange",
        "JO",
        "créée",
        "idée",
        "oeuvre",
        "mise en oeuvre",
        "aérien",
        "Aix",
    ],
)
def test_real_words_are_not_repaired(word: str) -> None:
    assert repair_artefacts(word) == word


def test_every_draft_of_the_seeds_is_found_in_its_source_at_its_line() -> None:
    for path in (LETTER_000, PROGRAMME_001):
        source = read_source(path.resolve())
        assert source is not None
        imported = build_import(path.read_text(encoding="utf-8"), list_id="x", source_id="s", origin=path.name)
        for pledge in imported.candidate.commitments:
            assert pledge.provenance is not None
            assert find_quote(pledge.text, source) == pledge.provenance.line, pledge.text


def test_lines_are_joined_with_single_spaces_and_cut_compounds_rejoined() -> None:
    assert join_lines(["Construire 450 logements  ", "  sociaux /an."]) == "Construire 450 logements sociaux /an."
    assert join_lines(["la prise en compte de la non-", "binarité"]) == "la prise en compte de la non-binarité"
    assert join_lines(["santé et -", "surtout - prévention"]) == "santé et - surtout - prévention"


def test_measures_split_on_sentences_that_start_with_an_infinitive() -> None:
    assert split_measures("Augmenter les places dans le Pays d’Aix. Expérimenter le dispositif « zéro chômeur ».") == [
        "Augmenter les places dans le Pays d’Aix.",
        "Expérimenter le dispositif « zéro chômeur ».",
    ]
    assert split_measures("Développer l’occitan. S’appuyer sur la culture provençale !") == [
        "Développer l’occitan.",
        "S’appuyer sur la culture provençale !",
    ]
    one = "L’adjoint.e sera chargé.e de la formation. Il ou elle examinera chaque décision. Notre but est l’égalité."
    assert split_measures(one) == [one]
    assert split_measures("Rencontrer M. Dupont chaque mois.") == ["Rencontrer M. Dupont chaque mois."]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Faire", True),
        ("Promouvoir la paix", True),
        ("S’appuyer sur", True),
        ("Se doter", True),
        ("Il sera", False),
        ("Notre priorité", False),
        ("Culture", False),
        ("CCAS", False),
        ("faire", False),
    ],
)
def test_infinitive_detection(sentence: str, expected: bool) -> None:
    assert starts_with_infinitive(sentence) is expected


def test_default_source_id_comes_from_the_file_name() -> None:
    assert default_source_id(LETTER_000) == "000_1d5eca14aae107d3"
    assert default_source_id(Path("Lettre à l’association (v2).txt")) == "Lettre-a-l-association-v2"
    assert default_source_id(Path("§§.txt")) == "source"


# --- Structure: a small letter and a small programme ----------------------------------------------


def test_letter_headings_subsections_bullets_and_continuations() -> None:
    q1 = "1- Sur le logement des personnes sans abri ?"
    assert pledges_of(LETTER) == [
        {
            "id": "t-intro-01",
            "text": "Créer des jardins partagés dans chaque quartier.",
            "provenance": {"source": "src", "line": 6},
        },
        {
            "id": "t-q1-01",
            "text": "Construire 100 logements très sociaux par an.",
            "provenance": {"source": "src", "section": q1, "subsection": "Pour loger dignement", "line": 16},
            "note": "Puce répétée à l’identique ligne 25.",
        },
        {
            "id": "t-q1-02",
            "text": "Ouvrir un accueil de jour pour les familles à la rue.",
            "provenance": {"source": "src", "section": q1, "subsection": "Pour loger dignement", "line": 18},
        },
        {
            "id": "t-q1-03",
            "text": "Réduire les effectifs des classes et affecter des moyens au non-recours.",
            "provenance": {"source": "src", "section": q1, "subsection": "Pour loger dignement", "line": 23},
        },
        {
            "id": "t-q10a-01",
            "text": "Créer une régie de quartier.",
            "provenance": {"source": "src", "section": "10- Sur l’emploi.", "line": 29},
        },
        {
            "id": "t-q10b-01",
            "text": "Ouvrir un centre de santé.",
            "provenance": {"source": "src", "section": "10- Sur la santé.", "subsection": "Pour soigner", "line": 34},
        },
    ]


def test_programme_items_split_into_measures() -> None:
    def measure(id_: str, text: str, item: str, line: int) -> dict[str, object]:
        return {"id": id_, "text": text, "provenance": {"source": "src", "item": item, "line": line}}

    assert pledges_of(PROGRAMME, "p") == [
        measure("p-12-1", "Ouvrir une maison des aidants.", "12", 5),
        measure("p-12-2", "Augmenter les places en foyers dans le Pays d’Aix.", "12", 6),
        measure("p-12-3", "Expérimenter le dispositif « zéro chômeur ». Il sera évalué.", "12", 6),
        measure(
            "p-12-4", "Créer un réseau de santé pour les étudiants, afin de leur éviter d’avancer les frais.", "12", 7
        ),
        measure("p-12-5", "Impulser un réseau associatif.", "12", 10),
        measure("p-13-1", "Créer une délégation au handicap.", "13", 12),
        measure("p-14-1", "Mener une politique culturelle pour toutes et tous.", "14", 16),
        measure("p-14-2", "S’appuyer sur la culture provençale !", "14", 16),
    ]


def test_lines_count_like_the_quote_checker_despite_form_feeds() -> None:
    text = "Page 1\x0c suite\n- Créer un lieu.\r\n- Ouvrir un centre.\n"
    assert [(p.text, p.line) for p in find_pledges(text)] == [("Créer un lieu.", 2), ("Ouvrir un centre.", 3)]


# --- The seeds: recovery of the bundled pledges -----------------------------------------------------


def bundled(list_id: str) -> dict[str, Commitment]:
    loaded = load_directory(DATA)
    assert loaded.dataset is not None
    lst = next(lst for lst in loaded.dataset.commitments.lists if lst.id == list_id)
    return {c.text: c for c in lst.commitments}


@pytest.mark.parametrize(
    ("path", "list_id", "recovered", "drafts"),
    [
        # 90 bullets of the letter; its 7 prose measures are not looked for.
        (LETTER_000, "aix-en-commun", 90, 90),
        # 41 measures of items 12 to 23; the priority stated in the introduction is prose.
        (PROGRAMME_001, "programme-solidarite", 41, 41),
    ],
)
def test_seed_pledges_are_recovered_exactly(path: Path, list_id: str, recovered: int, drafts: int) -> None:
    expected = bundled(list_id)
    imported = build_import(path.read_text(encoding="utf-8"), list_id=list_id, source_id="s", origin=path.name)
    found = imported.candidate.commitments
    exact = [c for c in found if c.text in expected]
    assert len(exact) >= recovered
    assert len(found) - len(exact) <= drafts - recovered  # no extra pledge
    # Where the pledge comes from agrees with the hand transcription too.
    for draft in exact:
        mine, theirs = draft.provenance, expected[draft.text].provenance
        assert mine is not None and theirs is not None
        assert (mine.line, mine.subsection, mine.item) == (theirs.line, theirs.subsection, theirs.item), draft.text
        if theirs.section and theirs.section[0].isdigit():
            assert mine.section == theirs.section


def test_repeated_bullet_of_the_seed_letter_is_kept_once() -> None:
    imported = build_import(LETTER_000.read_text(encoding="utf-8"), list_id="a", source_id="s", origin="x")
    noted = [(c.id, c.note) for c in imported.candidate.commitments if c.note]
    assert noted == [("a-q1-04", "Puce répétée à l’identique ligne 123.")]


def test_benchmark_prints_the_figures(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("import_recovery", ROOT / "benchmarks" / "import_recovery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main([]) == 0
    rows = {line.split()[1]: line.split()[2:] for line in capsys.readouterr().out.splitlines()[2:]}
    # bundled, drafts, exact, near, missed, (prose), extra
    assert rows["aix-en-commun"] == ["97", "90", "90", "0", "7", "7", "0"]
    assert rows["programme-solidarite"] == ["42", "41", "41", "0", "1", "0", "0"]


# --- The command ------------------------------------------------------------------------------------


def test_import_writes_a_draft_commitments_file(cli, data_copy: Path) -> None:
    result = cli("--data", str(data_copy), "import", str(data_copy / "sources" / PROGRAMME_001.name), "--list", "sol")
    assert result.exit_code == 0, result
    assert result.stderr == f"data/sources/{PROGRAMME_001.name} : engagements trouvés : 41 (brouillon à relire).\n"
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "# yaml-language-server: $schema=schema/commitments.schema.json",
        "# BROUILLON à relire, produit par « engagements import » depuis :",
        f"#   sources/{PROGRAMME_001.name}",
    ]
    assert lines[5:18] == [
        "sources:",
        "  - id: 001_3d18f1cd15f82665",
        '    title: "À COMPLÉTER : titre du document"',
        f"    file: sources/{PROGRAMME_001.name}",
        "lists:",
        "  - id: sol",
        '    name: "sol"',
        "    sources: [001_3d18f1cd15f82665]",
        "    commitments:",
        "      - id: sol-12-1",
        '        text: "Faire du maintien à domicile des personnes âgées une priorité, à travers la mise en place de '
        "solutions de logement alternatives et intergénérationnelles (ex : logement partagé), entre secteur public "
        'et secteur privé."',
        "        provenance:",
        "          source: 001_3d18f1cd15f82665",
    ]
    draft = CommitmentsFile.model_validate(YAML(typ="safe").load(result.stdout))
    assert [s.id for s in draft.sources] == ["001_3d18f1cd15f82665"]
    assert len(draft.lists[0].commitments) == 41


def test_import_options_name_the_list_and_source(cli, tmp_path: Path) -> None:
    letter = tmp_path / "lettre.txt"
    letter.write_text(LETTER, encoding="utf-8")
    result = cli("import", str(letter), "--list", "nous", "--name", "Nous aussi", "--source-id", "lettre-2026")
    assert result.exit_code == 0, result
    draft = CommitmentsFile.model_validate(YAML(typ="safe").load(result.stdout))
    source, lst = draft.sources[0], draft.lists[0]
    assert (source.id, source.file, lst.id, lst.name, lst.sources) == (
        "lettre-2026",
        None,
        "nous",
        "Nous aussi",
        ["lettre-2026"],
    )
    assert source.note is not None and "hors du dossier de données" in source.note
    assert [c.id for c in lst.commitments] == [
        "nous-intro-01",
        "nous-q1-01",
        "nous-q1-02",
        "nous-q1-03",
        "nous-q10a-01",
        "nous-q10b-01",
    ]


def test_append_then_validate(cli, data_copy: Path) -> None:
    before = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    letter = str(data_copy / "sources" / LETTER_000.name)
    result = cli(
        "--data", str(data_copy), "import", letter, "--list", "aec-import", "--name", "Aix en commun", "--append"
    )
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr == "liste « aec-import » ajoutée à data/commitments.yaml (engagements à relire : 90).\n"
    after = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    # Round trip: the existing text is untouched, the source and the list are added.
    assert after.startswith(before.split("lists:\n")[0])
    assert before.split("lists:\n")[1] in after
    assert (
        "  # Importé par « engagements import » depuis sources/000_1d5eca14aae107d3.txt : brouillon à relire.\n  - id: aec-import\n"
        in after
    )

    valid = cli("--data", str(data_copy), "validate")
    assert valid.exit_code == 0, valid
    requests, lists, pledges = data_counts(DATA)
    # one list more, with the 90 pledges of the message above
    assert valid.stderr == (
        f"data : données valides ({requests} demandes, {lists + 1} listes, {pledges + 90} engagements, "
        f"{record_count(DATA)} actions au bilan).\n"
    )
    # --strict flags what the import left to complete: the source's title, and nothing else.
    strict = cli("--data", str(data_copy), "validate", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.count("\n") == 1
    assert "avertissement: à compléter : « À COMPLÉTER : titre du document »" in strict.stderr

    again = cli("--data", str(data_copy), "import", letter, "--list", "aec-import", "--append")
    assert again.exit_code == 1
    assert again.stderr == (
        "engagements: erreur: la liste « aec-import » existe déjà dans "
        "data/commitments.yaml : choisissez un autre identifiant avec --list\n"
    )
    same_source = cli("--data", str(data_copy), "import", letter, "--list", "autre", "--append")
    assert same_source.exit_code == 1
    assert "la source « 000_1d5eca14aae107d3 » existe déjà" in same_source.stderr
    assert (data_copy / "commitments.yaml").read_text(encoding="utf-8") == after


def test_append_refuses_invalid_data_and_writes_nothing(cli, data_copy: Path) -> None:
    path = data_copy / "commitments.yaml"
    broken = path.read_text(encoding="utf-8").replace("answers: [q1]", "answers: [q01]", 1)
    path.write_text(broken, encoding="utf-8")
    result = cli(
        "--data", str(data_copy), "import", str(data_copy / "sources" / PROGRAMME_001.name), "--list", "x", "--append"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "data/commitments.yaml:45:19: erreur: demande « q01 » inconnue dans data/requests.yaml ; vouliez-vous dire « q1 » ?",
        "engagements: erreur: données invalides : corrigez-les avant de les modifier",
    ]
    assert path.read_text(encoding="utf-8") == broken


def test_append_refuses_ids_that_clash(cli, data_copy: Path) -> None:
    # The list id is new, but its pledge ids would be those of another list.
    path = data_copy / "commitments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: sol-12-1\n", "id: aec-12-1\n"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    result = cli(
        "--data",
        str(data_copy),
        "import",
        str(data_copy / "sources" / PROGRAMME_001.name),
        "--list",
        "aec",
        "--source-id",
        "p",
        "--append",
    )
    assert result.exit_code == 1
    first, last = result.stderr.splitlines()
    # The clash is reported on the appended pledge (after the file's old end), naming the first one.
    original = before.splitlines().index("      - id: aec-12-1") + 1
    match = re.match(
        r"data/commitments.yaml:(\d+):13: erreur: identifiant d’engagement « aec-12-1 » en double \(déjà utilisé ligne (\d+)\)",
        first,
    )
    # The new source entry (three lines) goes in `sources:` above, so the first one moves down by 3.
    assert match and int(match.group(1)) > len(before.splitlines()) and int(match.group(2)) == original + 3
    assert (
        last
        == "engagements: erreur: modification refusée : les données deviendraient invalides ; aucun fichier n’a été modifié"
    )
    assert path.read_text(encoding="utf-8") == before


def test_append_waits_for_no_other_writer(cli, data_copy: Path) -> None:
    before = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    with data_lock(data_copy):
        result = cli(
            "--data",
            str(data_copy),
            "import",
            str(data_copy / "sources" / PROGRAMME_001.name),
            "--list",
            "x",
            "--append",
        )
    assert result.exit_code == 1
    assert "en cours de modification par un autre processus" in result.stderr
    assert (data_copy / "commitments.yaml").read_text(encoding="utf-8") == before


# --- Errors: one French line, exit 1 for the file, 2 for usage --------------------------------------


def test_missing_file(cli, tmp_path: Path) -> None:
    result = cli("import", "absent.txt", "--list", "x")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "engagements: erreur: fichier introuvable : absent.txt\n"


def test_directory_instead_of_file(cli, tmp_path: Path) -> None:
    (tmp_path / "dossier").mkdir()
    result = cli("import", "dossier", "--list", "x")
    assert (result.exit_code, result.stderr) == (1, "engagements: erreur: dossier n’est pas un fichier\n")


def test_non_utf8_file(cli, tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("- Créer un lieu.\n- Réduire les coûts.\n".encode("latin-1"))
    result = cli("import", "latin1.txt", "--list", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        "engagements: erreur: latin1.txt n’est pas en UTF-8 (octet invalide ligne 1) : enregistrez-le en UTF-8\n"
    )


def test_huge_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGEMENTS_MAX_FILE_MB", "0.001")
    (tmp_path / "gros.txt").write_text("- Créer un lieu.\n" * 200, encoding="utf-8")
    result = cli("import", "gros.txt", "--list", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith("engagements: erreur: gros.txt : fichier trop volumineux (0.0 Mo, limite 0.0 Mo)")
    assert result.stderr.count("\n") == 1


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("- Créer un lieu.\n", encoding="utf-8")
    secret.chmod(0)
    try:
        result = cli("import", "secret.txt", "--list", "x")
    finally:
        secret.chmod(0o600)
    assert (result.exit_code, result.stderr) == (
        1,
        "engagements: erreur: impossible de lire secret.txt : accès refusé\n",
    )


def test_unreadable_file_even_as_root(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.txt").write_text("- Créer un lieu.\n", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = cli("import", "secret.txt", "--list", "x")
    assert (result.exit_code, result.stderr) == (
        1,
        "engagements: erreur: impossible de lire secret.txt : accès refusé\n",
    )


def test_text_without_pledges(cli, tmp_path: Path) -> None:
    (tmp_path / "prose.txt").write_text("Madame, Monsieur,\nNous vous remercions.\n", encoding="utf-8")
    result = cli("import", "prose.txt", "--list", "x")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "engagements: erreur: aucun engagement reconnu dans prose.txt : ni puce « - », ni article numéroté « 12. »\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--list", "a b"], "identifiant de liste invalide « a b »"),
        (["--list", "x" * 61], "60 caractères au plus"),
        (["--list", "x", "--source-id", "é"], "identifiant de source invalide « é »"),
        (["--list", "x", "--name", " "], "le nom de la liste (--name) ne doit pas être vide"),
    ],
)
def test_usage_errors(cli, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "lettre.txt").write_text(LETTER, encoding="utf-8")
    result = cli("import", "lettre.txt", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("engagements: erreur: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_list_option_and_data_directory(cli, tmp_path: Path) -> None:
    (tmp_path / "lettre.txt").write_text(LETTER, encoding="utf-8")
    assert cli("import", "lettre.txt").exit_code == 2
    result = cli("--data", "absent", "import", "lettre.txt", "--list", "x", "--append")
    assert (result.exit_code, result.stderr) == (2, "engagements: erreur: dossier de données introuvable : absent\n")
