"""Writing the data: link, unlink, reject and fmt keep the files as people wrote them, or refuse.

Each CLI call loads and checks the bundled data twice (before and after the edit), about a
second: the bundled-data tests chain several steps each, and the comment-handling cases run the
core functions on small files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import fcntl
import os
import shutil
from pathlib import Path

import pytest

from conftest import DATA, IGNORE_STATE, copy_candidate_data
from engagements import editing
from engagements.models import CommitmentsFile
from engagements.writing import STATE_DIR, ensure_state_dir, state_path

COMMITMENTS = "commitments.yaml"
HEADER = (
    "# yaml-language-server: $schema=schema/commitments.schema.json\n"
    "# Engagements des listes candidates aux municipales 2026 d’Aix-en-Provence, transcrits des sources\n"
    "# (dossier sources/). Chaque engagement garde sa provenance : source, rubrique, ligne.\n"
)


def changes(before: str, after: str) -> list[str]:
    """The diff of two texts without its file header: hunk lines and changed lines."""
    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- Bundled data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["requests.yaml", "commitments.yaml"])
def test_round_trip_of_bundled_files_is_byte_identical(name):
    document = editing.read_document(DATA / name)
    assert document.indent == editing.CANONICAL
    assert document.text().encode("utf-8") == document.raw


def test_link_is_one_line_idempotent_and_undone_by_unlink(cli, data_copy):
    path = data_copy / COMMITMENTS
    original = path.read_text(encoding="utf-8")

    result = cli("--data", str(data_copy), "link", "aec-intro-01", "q2")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "data/commitments.yaml : « aec-intro-01 » répond maintenant à « q2 ».\n"
    linked = path.read_text(encoding="utf-8")
    # After `text:` (line 25) of the pledge, in flow style; everything else, comments included, as it was.
    assert changes(original, linked) == ["@@ -25,0 +26 @@", "+        answers: [q2]"]
    assert linked.startswith(HEADER)

    result = cli("--data", str(data_copy), "link", "aec-intro-01", "q2")
    assert result.exit_code == 0
    assert result.stderr == "rien à changer : « aec-intro-01 » répond déjà à « q2 ».\n"
    assert path.read_text(encoding="utf-8") == linked

    result = cli("--data", str(data_copy), "unlink", "aec-intro-01", "q2")
    assert result.exit_code == 0
    assert result.stderr == "data/commitments.yaml : « aec-intro-01 » ne répond plus à « q2 ».\n"
    assert path.read_text(encoding="utf-8") == original


def test_reject_removes_a_link_and_link_undoes_the_rejection(cli, data_copy):
    path = data_copy / COMMITMENTS
    original = path.read_text(encoding="utf-8")

    result = cli("--data", str(data_copy), "reject", "aec-q1-01", "q1", "--by", "Awa", "--date", "2026-03-20")
    assert result.exit_code == 0
    assert result.stderr == (
        "data/commitments.yaml : « q1 » est écartée pour « aec-q1-01 » (le lien confirmé est retiré).\n"
    )
    assert changes(original, path.read_text(encoding="utf-8")) == [
        "@@ -45 +45 @@",
        "-        answers: [q1]",
        "+        rejects: [{request: q1, by: Awa, date: 2026-03-20}]",
    ]

    result = cli("--data", str(data_copy), "link", "aec-q1-01", "q1")
    assert result.exit_code == 0
    assert result.stderr == (
        "data/commitments.yaml : « aec-q1-01 » répond maintenant à « q1 » (la demande n’est plus écartée).\n"
    )
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize(
    ("layout", "where"),
    [
        # the bundled data: commitments.yaml and lists/contrat-de-ville.yaml, so the folder is named
        ("bundled", "data"),
        ("candidates only", "data/commitments.yaml"),  # one file of pledges: that file is named
    ],
)
def test_unknown_ids_are_refused_with_a_suggestion(cli, tmp_path, layout, where):
    data_copy = tmp_path / "data"
    if layout == "bundled":
        shutil.copytree(DATA, data_copy, ignore=IGNORE_STATE)
    else:
        copy_candidate_data(data_copy)
    before = (data_copy / COMMITMENTS).read_bytes()
    result = cli("--data", str(data_copy), "link", "aec-q1-1", "q1")
    assert result.exit_code == 2  # an id typed on the command line is a usage error
    assert result.stderr == (
        f"engagements: erreur: engagement « aec-q1-1 » inconnu dans {where} ; "
        "vouliez-vous dire « aec-q1-01 » ?\n"
    )
    result = cli("--data", str(data_copy), "reject", "aec-q1-01", "q01")
    assert result.exit_code == 2  # an id typed on the command line is a usage error
    assert result.stderr == (
        "engagements: erreur: demande « q01 » inconnue dans data/requests.yaml ; vouliez-vous dire « q1 » ?\n"
    )
    assert (data_copy / COMMITMENTS).read_bytes() == before


def test_usage_errors_exit_2(cli, data_copy):
    result = cli("--data", str(data_copy), "link", "aec-q1-01", "q2", "--date", "2026-13-01")
    assert result.exit_code == 2
    assert "date invalide « 2026-13-01 »" in result.stderr  # in Typer's box, wrapped at 80 columns
    result = cli("--data", "absent", "unlink", "aec-q1-01", "q1")
    assert result.exit_code == 2
    assert result.stderr == "engagements: erreur: dossier de données introuvable : absent\n"


def test_a_write_that_would_make_the_data_invalid_is_refused(cli, candidate_copy, monkeypatch):
    # The file is just under the size limit: one more link would put it over, and `validate` fail.
    # Padded with a comment so that it is the largest file read (requests.yaml cites the Contrat
    # de ville's 0.3 Mo text for competences): every other file stays under the limit.
    # (Without lists/: the bundled Contrat de ville is larger than commitments.yaml, so that limit
    # would make the data invalid before any write.)
    data_copy = candidate_copy
    path = data_copy / COMMITMENTS
    path.write_bytes(path.read_bytes() + ("# " + "x" * 98 + "\n").encode() * 3000)
    before = path.read_bytes()
    files = listing(data_copy)
    monkeypatch.setenv("ENGAGEMENTS_MAX_FILE_MB", repr((len(before) + 5) / 1048576))

    result = cli("--data", str(data_copy), "link", "aec-intro-01", "q2")
    assert result.exit_code == 1
    assert result.stderr == (
        "data/commitments.yaml: erreur: fichier trop volumineux (0.4 Mo, limite 0.4 Mo) : "
        "découpez-le ou relevez ENGAGEMENTS_MAX_FILE_MB\n"
        "engagements: erreur: modification refusée : les données deviendraient invalides ; "
        "aucun fichier n’a été modifié\n"
    )
    assert path.read_bytes() == before
    assert listing(data_copy) == sorted([*files, STATE_DIR])


def _crash(*args: object) -> None:
    raise KeyboardInterrupt


def _disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("function", "failure", "code", "message"),
    [
        # Interrupted (Ctrl-C) after the new file is written and checked, just before it replaces the old one.
        ("replace", _crash, 130, ""),
        # The disk fills up while the temporary file is written.
        (
            "fsync",
            _disk_full,
            1,
            (
                "engagements: erreur: écriture impossible dans data : No space left on device ; "
                "les fichiers de données sont inchangés\n"
            ),
        ),
    ],
)
def test_an_interrupted_write_leaves_the_file_intact(cli, data_copy, monkeypatch, function, failure, code, message):
    path = data_copy / COMMITMENTS
    before = path.read_bytes()
    ensure_state_dir(data_copy)  # as after an earlier write: the failure hits the data's write
    files = listing(data_copy)
    monkeypatch.setattr(os, function, failure)

    result = cli("--data", str(data_copy), "link", "aec-intro-01", "q2")
    assert (result.exit_code, result.stderr) == (code, message)
    assert path.read_bytes() == before
    assert listing(data_copy) == files  # no temporary file left


def test_a_second_writer_is_refused(cli, data_copy):
    before = (data_copy / COMMITMENTS).read_bytes()
    ensure_state_dir(data_copy)
    with open(state_path(data_copy, editing.LOCK_FILE), "w") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = cli("--data", str(data_copy), "link", "aec-intro-01", "q2")
    assert result.exit_code == 1
    assert result.stderr == (
        "engagements: erreur: les données de data sont en cours de modification par un autre processus "
        "(verrou data/.engagements/lock) : réessayez quand il aura terminé\n"
    )
    assert (data_copy / COMMITMENTS).read_bytes() == before


def test_fmt_check_passes_on_the_bundled_data(cli):
    result = cli("--data", str(DATA), "fmt", "--check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "rien à changer : les fichiers sont déjà en forme canonique.\n"


def test_fmt_restores_key_order_and_indentation_and_keeps_comments(cli, data_copy):
    path = data_copy / COMMITMENTS
    canonical = path.read_text(encoding="utf-8")
    document = editing.read_document(path)
    four_spaces = editing.dump(document.data, editing.Indent(mapping=4, sequence=6, offset=4))
    text = '            text: "Renforcer ou créer dans tous les quartiers de vraies centralités."\n'
    provenance = (
        "            provenance:\n"
        "                source: aec-lettre-2026-03-08\n"
        '                section: "Introduction de la lettre"\n'
        "                line: 63\n"
    )
    assert text + provenance in four_spaces
    path.write_text(four_spaces.replace(text + provenance, provenance + "            # à relire\n" + text), "utf-8")

    result = cli("--data", str(data_copy), "fmt", "--check")
    assert result.exit_code == 1
    assert result.stderr == "data/commitments.yaml: erreur: pas en forme canonique : lancez « engagements fmt »\n"

    result = cli("--data", str(data_copy), "fmt")
    assert (result.exit_code, result.stderr) == (0, "reformaté : data/commitments.yaml\n")
    formatted = path.read_text(encoding="utf-8")
    # The comment moved with `text:` and took the new indentation.
    assert formatted == canonical.replace('        text: "Renforcer', '        # à relire\n        text: "Renforcer', 1)

    result = cli("--data", str(data_copy), "fmt")
    assert (result.exit_code, result.stderr) == (
        0,
        "rien à changer : les fichiers sont déjà en forme canonique.\n",
    )
    assert path.read_text(encoding="utf-8") == formatted


# --- Comments around edited entries, on small files -----------------------------------------------

REQUESTS = "requests:\n" + "".join(f"  - id: q{i}\n    title: T{i}\n    text: Texte {i}\n" for i in (1, 2, 3))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    directory = tmp_path / "small"
    directory.mkdir()
    (directory / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    return directory


def edit(directory: Path, commitments: str, *steps: tuple[str, ...]) -> str:
    """Write `commitments`, apply each (command, pledge, request) step, return the file's text."""
    path = directory / COMMITMENTS
    path.write_text(commitments, encoding="utf-8")
    for command, pledge, request in steps:
        getattr(editing, command)(directory, pledge, request)
    return path.read_text(encoding="utf-8")


def test_a_new_key_goes_before_the_blank_line_that_separates_pledges(small):
    before = (
        "lists:\n  - id: l\n    name: L\n    commitments:\n"
        "      - id: c1\n        text: Un   # à vérifier\n\n"
        "      - id: c2\n        text: Deux\n"
    )
    after = edit(small, before, ("link", "c1", "q1"))
    assert after == before.replace("# à vérifier\n", "# à vérifier\n        answers: [q1]\n")
    assert edit(small, after, ("unlink", "c1", "q1")) == before


def test_a_decision_is_written_with_its_author_and_date(small):
    before = (
        "lists:\n  - id: l\n    name: L\n    commitments:\n      - id: c1\n        text: Un\n        answers: [q1]\n"
    )
    (small / COMMITMENTS).write_text(before, encoding="utf-8")
    outcome = editing.link(small, "c1", "q2", by="Awa", date=dt.date(2026, 3, 20))
    assert outcome == editing.Outcome(changed=True)
    assert (small / COMMITMENTS).read_text(encoding="utf-8") == before.replace(
        "[q1]", "[q1, {request: q2, by: Awa, date: 2026-03-20}]"
    )
    assert editing.link(small, "c1", "q2", by="Bo") == editing.Outcome(changed=False)


def test_an_edit_keeps_windows_line_ends(small):
    before = (
        "lists:\r\n  - id: l\r\n    name: L   # nom court\r\n    commitments:\r\n      - id: c1\r\n        text: Un\r\n"
    )
    (small / COMMITMENTS).write_bytes(before.encode("utf-8"))
    editing.reject(small, "c1", "q3")
    after = (small / COMMITMENTS).read_bytes().decode("utf-8")
    assert after == before + "        rejects: [q3]\r\n"


def test_unlinking_from_a_block_list_keeps_its_comments(small):
    before = (
        "lists:\n  - id: l\n    name: L\n    commitments:\n"
        "      - id: c1\n        text: Un\n        answers:\n"
        "          - q1   # lettre du 8 mars\n"
        "          # q2 : confirmé en réunion\n"
        "          - q2\n\n"
        "      - id: c2\n        text: Deux\n"
    )
    after = edit(small, before, ("unlink", "c1", "q1"))
    assert after == before.replace("          - q1   # lettre du 8 mars\n", "          # lettre du 8 mars\n")
    after = edit(small, after, ("unlink", "c1", "q2"))
    # The list is gone; its comments stay where it was, the blank line still separates the pledges.
    assert after == (
        "lists:\n  - id: l\n    name: L\n    commitments:\n"
        "      - id: c1\n        text: Un\n"
        "        # lettre du 8 mars\n"
        "        # q2 : confirmé en réunion\n\n"
        "      - id: c2\n        text: Deux\n"
    )


def test_canonical_layout_moves_comments_with_their_keys(tmp_path):
    path = tmp_path / COMMITMENTS
    path.write_text(
        "# Engagements\n"
        "lists:\n"
        "    -   name: L\n"
        "        id: l\n"
        "        commitments:\n"
        "            -   id: c1\n"
        "                provenance: {source: s, line: 3}   # ligne vérifiée\n"
        "                # le texte exact\n"
        "                text: Un\n"
        "                answers:\n"
        "                    - q1\n"
        "                    # q2 : à discuter\n"
        "\n"
        "                note: n\n",
        encoding="utf-8",
    )
    text = editing.canonical_text(editing.read_document(path), CommitmentsFile)
    assert text == (
        "# yaml-language-server: $schema=schema/commitments.schema.json\n"
        "# Engagements\n"
        "lists:\n"
        "  - id: l\n"
        "    name: L\n"
        "    commitments:\n"
        "      - id: c1\n"
        "        # le texte exact\n"
        "        text: Un\n"
        "        answers:\n"
        "          - q1\n"
        "          # q2 : à discuter\n"
        "        provenance: {source: s, line: 3}   # ligne vérifiée\n"
        "\n"
        "        note: n\n"
    )
    path.write_text(text, encoding="utf-8")
    assert editing.canonical_text(editing.read_document(path), CommitmentsFile) == text
