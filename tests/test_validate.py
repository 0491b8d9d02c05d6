"""`engagements validate` on the bundled data and on broken or hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, data_counts, record_count

VALID_REQUESTS = "requests:\n  - id: q1\n    title: Logement\n    text: Du logement pour tous\n"
VALID_COMMITMENTS = "lists:\n  - id: l1\n    name: Liste\n    commitments:\n      - id: c1\n        text: Construire\n        answers: [q1]\n"


def minimal(tmp_path: Path, requests: str | bytes = VALID_REQUESTS, commitments: str | bytes = VALID_COMMITMENTS) -> Path:
    d = tmp_path / "d"
    d.mkdir(exist_ok=True)
    for name, content in (("requests.yaml", requests), ("commitments.yaml", commitments)):
        data = content.encode("utf-8") if isinstance(content, str) else content
        (d / name).write_bytes(data)
    return Path("d")  # the cli fixture runs in tmp_path: diagnostics show paths as typed


def test_bundled_data_is_valid(cli):
    result = cli("--data", str(DATA), "validate")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    requests, lists, pledges = data_counts()
    # the candidate lists of commitments.yaml and the public partners' lists/contrat-de-ville.yaml
    assert (DATA / "lists" / "contrat-de-ville.yaml").is_file()
    assert f"({requests} demandes, {lists} listes, {pledges} engagements, {record_count()} actions au bilan)" in result.stderr


def test_default_data_is_the_bundled_copy(cli):
    # The runner's working directory has no ./data: the bundled data is used.
    result = cli("validate")
    assert result.exit_code == 0, result


def test_minimum_schema_is_enough(cli, tmp_path):
    d = minimal(tmp_path)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 0, result


def test_decision_form_of_a_link(cli, tmp_path):
    commitments = VALID_COMMITMENTS.replace("answers: [q1]", "answers: [{request: q1, by: Awa, date: 2026-03-20}]")
    result = cli("--data", str(minimal(tmp_path, commitments=commitments)), "validate")
    assert result.exit_code == 0, result


def diag_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line]


def test_schema_errors_are_all_reported_with_positions(cli, tmp_path):
    requests = (
        "requests:\n"
        "  - id: q1\n"
        "    title: Logement\n"
        "    text: Du logement\n"
        "  - id: q 2\n"
        "    titel: Santé\n"
        "    text: 3\n"
    )
    d = minimal(tmp_path, requests=requests)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        # The misspelled « titel » is one mistake: no "champ obligatoire « title » manquant" besides.
        f"{d}/requests.yaml:5:9: erreur: « id » : identifiant invalide 'q 2' (lettres, chiffres, « . », « _ », « - » seulement)",
        f"{d}/requests.yaml:6:5: erreur: clé inconnue « titel » ; vouliez-vous dire « title » ?",
        f"{d}/requests.yaml:7:11: erreur: « text » doit être un texte",
    ]


def test_unknown_request_and_duplicate_ids(cli, tmp_path):
    commitments = (
        "lists:\n"
        "  - id: l1\n"
        "    name: Liste\n"
        "    commitments:\n"
        "      - id: c1\n"
        "        text: Construire\n"
        "        answers: [q1, q9]\n"
        "        rejects: [q01]\n"
        "      - id: c1\n"
        "        text: Loger\n"
        "        rejects: [q1]\n"
        "        answers: [q1]\n"
    )
    d = minimal(tmp_path, commitments=commitments)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        f"{d}/commitments.yaml:7:23: erreur: demande « q9 » inconnue dans {d}/requests.yaml",
        f"{d}/commitments.yaml:8:19: erreur: demande « q01 » inconnue dans {d}/requests.yaml ; vouliez-vous dire « q1 » ?",
        f"{d}/commitments.yaml:9:13: erreur: identifiant d’engagement « c1 » en double (déjà utilisé ligne 5) : "
        "chaque identifiant doit être unique",
        f"{d}/commitments.yaml:11:19: erreur: le lien vers « q1 » est à la fois confirmé (answers) et rejeté (rejects) : "
        "gardez l’un des deux",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("requests:\n\t- id: a\n", "2:1: erreur: tabulation dans l’indentation : YAML n’accepte que des espaces"),
        ("", "1:1: erreur: fichier vide : il doit contenir des données YAML"),
        ("# rien\n", "1:1: erreur: fichier vide : il doit contenir des données YAML"),
        ("- a\n- b\n", "1:1: erreur: le document doit être une table avec une clé « requests: » au premier niveau"),
        (
            "requests:\n  - id: a\n    id: b\n",
            "3:5: erreur: clé en double « id » (déjà définie ligne 2) : chaque clé ne doit apparaître qu’une fois",
        ),
        ("requests: [a, b\n", "1:11: erreur: crochet « [ » jamais refermé (lecture arrêtée ligne 2) : ajoutez « ] »"),
        ("requests:\n  - title: 'abc\n", "2:12: erreur: guillemet jamais refermé (lecture arrêtée ligne 3)"),
        ("requests: []\n---\nrequests: []\n", "2:1: erreur: plusieurs documents YAML (« --- ») dans le fichier : un seul est attendu"),
        ("requests: {}\n", "1:11: erreur: « requests » doit être une liste"),
        (b"requests:\n  - id: a\n    title: caf\xe9\n", "3:15: erreur: le fichier n’est pas en UTF-8 (octet 0xe9) : réenregistrez-le en UTF-8"),
    ],
    ids=["tab", "empty", "only-comment", "top-level-list", "duplicate-key", "unclosed-bracket", "unclosed-quote",
         "two-documents", "wrong-type", "latin-1"],
)
def test_broken_yaml(cli, tmp_path, content, expected):
    d = minimal(tmp_path, requests=content)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [f"{d}/requests.yaml:{expected}"]


def test_billion_laughs_is_refused_at_the_alias(cli, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("requests: *i")
    d = minimal(tmp_path, requests="\n".join(lines) + "\n")
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        f"{d}/requests.yaml:2:4: erreur: alias YAML (*…) : les ancres et alias ne sont pas acceptés, recopiez la valeur"
    ]


def test_huge_file_gets_a_size_limit_not_a_hang(cli, tmp_path):
    d = minimal(tmp_path)
    with (d / "commitments.yaml").open("w") as handle:
        handle.write("lists:\n")
        chunk = "  - {id: l, name: n, commitments: []}\n" * 1000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    (line,) = diag_lines(result)
    assert line.startswith(f"{d}/commitments.yaml: erreur: fichier trop volumineux (50.0 Mo, limite 32.0 Mo)")


def test_deep_nesting_is_refused(cli, tmp_path):
    d = minimal(tmp_path, requests="requests: " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert "imbrication trop profonde" in result.stderr


def test_missing_file(cli, tmp_path):
    d = minimal(tmp_path)
    (d / "commitments.yaml").unlink()
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [f"{d}/commitments.yaml: erreur: fichier introuvable"]


def test_missing_directory_is_a_usage_error(cli, tmp_path):
    result = cli("--data", str(tmp_path / "nowhere"), "validate")
    assert result.exit_code == 2
    assert "dossier de données introuvable" in result.stderr


def test_misquoted_pledge_is_caught_against_its_source(cli, data_copy):
    path = data_copy / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    original = "Construire 450 logements sociaux /an"
    assert original in text
    path.write_text(text.replace(original, "Construire 4500 logements sociaux /an"), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if original in row)
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        f"data/commitments.yaml:{line}:15: erreur: texte introuvable dans la source "
        "sources/000_1d5eca14aae107d3.txt : recopiez-le tel qu’il y figure"
    ]


def test_source_outside_the_data_directory_is_refused(cli, data_copy):
    path = data_copy / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("file: sources/001_3d18f1cd15f82665.txt", "file: ../../etc/passwd"), encoding="utf-8")
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    assert "le fichier source doit être un chemin relatif à l’intérieur du dossier de données" in result.stderr


def test_github_format_escapes_as_actions_requires(cli, tmp_path):
    d = minimal(tmp_path, requests="requests:\n  - id: q1\n    title: 'a'\n    text: x\n    note: [1]\n")
    result = cli("--data", str(d), "validate", "--format", "github")
    assert result.exit_code == 1
    assert diag_lines(result) == [f"::error file={d}/requests.yaml,line=5,col=11::« note » doit être un texte"]


def test_github_format_escaping():
    from engagements.diagnostics import Diagnostic, format_github

    d = Diagnostic("a,b:c.yaml", 3, 4, "100% faux\nsuite")
    assert format_github(d) == "::error file=a%2Cb%3Ac.yaml,line=3,col=4::100%25 faux%0Asuite"


def test_github_format_is_chosen_in_actions(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    d = minimal(tmp_path, requests="requests: {}\n")
    result = cli("--data", str(d), "validate")
    assert result.stderr.startswith("::error file=")


def test_json_format_for_scripts(cli, tmp_path):
    d = minimal(tmp_path, requests="requests: {}\n")
    result = cli("--data", str(d), "validate", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": f"{d}/requests.yaml",
            "line": 1,
            "col": 11,
            "message": "« requests » doit être une liste",
            "code": "wrong-type",
            "level": "error",
        }
    ]
    ok = cli("--data", str(DATA), "validate", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout) == []


def test_every_command_stops_on_invalid_data(cli, tmp_path):
    d = minimal(tmp_path, requests="requests: {}\n")
    for command in (["requests"], ["lists"]):
        result = cli("--data", str(d), *command)
        assert result.exit_code == 1, command
        assert f"{d}/requests.yaml:1:11: erreur" in result.stderr


def test_usage_error_exit_code(cli):
    result = cli("validate", "--format", "nope")
    assert result.exit_code == 2


def test_a_valid_file_is_still_checked_when_the_other_is_broken(cli, tmp_path):
    commitments = VALID_COMMITMENTS + "      - id: c1\n        text: Encore\n"
    d = minimal(tmp_path, requests="requests: {}\n", commitments=commitments)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        "d/commitments.yaml:8:13: erreur: identifiant d’engagement « c1 » en double (déjà utilisé ligne 5) : "
        "chaque identifiant doit être unique",
        "d/requests.yaml:1:11: erreur: « requests » doit être une liste",
    ]


def test_scalar_aliases_are_refused_too(cli, tmp_path):
    requests = "requests:\n  - id: q1\n    title: &t Logement\n    text: *t\n"
    d = minimal(tmp_path, requests=requests)
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert diag_lines(result) == [
        "d/requests.yaml:4:5: erreur: alias YAML (*…) : les ancres et alias ne sont pas acceptés, recopiez la valeur"
    ]
