"""The command line as users meet it: which data folder, options anywhere, French usage texts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA
from engagements.cli import every_command
from engagements.cli.usage import hoist_common_options

BUNDLED_NOTICE = "données d’exemple fournies avec le paquet"


def small_copy(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("requests.yaml", "commitments.yaml"):
        shutil.copy(DATA / name, target / name)
    shutil.copytree(DATA / "sources", target / "sources")
    return target


# -- which data folder ---------------------------------------------------------------------------


def test_inside_a_data_folder_the_folder_itself_is_used(cli, tmp_path, monkeypatch):
    folder = small_copy(tmp_path / "mine")
    monkeypatch.chdir(folder)
    result = cli("validate")
    assert result.exit_code == 0, result
    assert result.stderr.startswith(". : données valides")
    assert BUNDLED_NOTICE not in result.stderr


def test_a_link_made_inside_a_data_folder_is_written_there(cli, tmp_path, monkeypatch):
    folder = small_copy(tmp_path / "mine")
    bundled_before = (DATA / "commitments.yaml").read_bytes()
    monkeypatch.chdir(folder)
    result = cli("link", "aec-q1-01", "q2")
    assert result.exit_code == 0, result
    assert "answers: [q1, q2]" in (folder / "commitments.yaml").read_text(encoding="utf-8")
    assert (DATA / "commitments.yaml").read_bytes() == bundled_before


def test_then_the_data_subfolder_then_the_variable_wins(cli, tmp_path, monkeypatch):
    small_copy(tmp_path / "data")
    result = cli("validate")
    assert result.stderr.startswith("data : données valides"), result
    other = small_copy(tmp_path / "elsewhere")
    monkeypatch.setenv("ENGAGEMENTS_DATA", str(other))
    result = cli("validate")
    assert result.exit_code == 0
    assert "elsewhere : données valides" in result.stderr


def test_the_bundled_copy_is_said_once_and_never_written(cli):
    result = cli("lists")
    assert result.exit_code == 0
    assert result.stderr.count(BUNDLED_NOTICE) == 1
    result = cli("link", "aec-q1-01", "q2")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "refus d’écrire dans les données d’exemple" in result.stderr
    assert "cp -r" in result.stderr and "--data" in result.stderr


def test_a_folder_without_data_files_is_a_usage_error_with_a_hint(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("--data", str(tmp_path / "empty"), "coverage")
    assert result.exit_code == 2
    assert result.stderr.startswith("engagements: erreur: ")
    assert "ne contient pas de données" in result.stderr and "--data data" in result.stderr
    assert "introuvable" not in result.stderr


# -- options where people type them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["coverage", "--data", "X"], ["--data", "X", "coverage"]),
        (["coverage", "--data=X", "-l", "a"], ["--data=X", "coverage", "-l", "a"]),
        (["--lang", "en", "show", "q1", "-d", "X"], ["-d", "X", "--lang", "en", "show", "q1"]),
        (["diff", "--", "--data", "x"], ["diff", "--", "--data", "x"]),
        (["--data", "coverage", "validate"], ["--data", "coverage", "validate"]),
    ],
)
def test_common_options_are_moved_in_front_of_the_command(given, expected):
    assert hoist_common_options(given) == expected


def test_data_and_lang_after_the_command_name(cli, tmp_path):
    folder = small_copy(tmp_path / "mine")
    result = cli("coverage", "--data", str(folder), "--format", "json")
    assert result.exit_code == 0, result
    assert BUNDLED_NOTICE not in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"engagements \S+\n", result.stdout)


# -- French usage texts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["covrage"], "commande inconnue « covrage » ; vouliez-vous dire « coverage » ?"),
        (["show"], "argument manquant : ID"),
        (["coverage", "--format", "foo"], "valeur invalide « foo » pour --format : au choix table, json"),
        (["match", "--min-score", "200"], "valeur invalide « 200 » pour --min-score : un nombre entier de 0 à 100"),
        (["coverage", "--colour"], "option inconnue « --colour »"),
        (["export", "-f", "md"], "option obligatoire manquante : --output"),
        (["show", "q1", "q2"], "argument(s) en trop : q2"),
    ],
)
def test_usage_errors_in_french_exit_2(cli, args, message):
    result = cli("--data", str(DATA), *args)
    assert result.exit_code == 2, result
    first = result.stderr.splitlines()[0]
    assert first == f"engagements: erreur: {message}"
    assert "Utilisation : engagements" in result.stderr


ENGLISH = re.compile(
    r"Usage:|Show this message|Missing (argument|option)|Invalid value|No such (command|option)|"
    r"\bError\b|\[default|\[required\]|<bool>|<str>|<int>|<list\[|<path>|\{[A-Z]+\}|Aborted|Try '|"
    r"Input should|is not one of|Did you mean|Got unexpected"
)


def _every_help_page() -> list[list[str]]:
    names = list(every_command())
    return [["--help"], *[[name, "--help"] for name in names]]


def test_no_english_fragment_in_french_help_or_usage_errors(cli):
    runs = [*_every_help_page(), ["covrage"], ["show"], ["coverage", "-f", "x"], ["match", "--min-score", "-1"]]
    for args in runs:
        result = cli("--data", str(DATA), *args)
        output = result.stdout + result.stderr
        found = ENGLISH.search(output)
        assert found is None, f"{args}: English fragment {found.group(0)!r} in\n{output}"


def test_english_on_request():
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["ENGAGEMENTS_LANG"] = "fr"
    done = subprocess.run(
        [sys.executable, "-m", "engagements", "covrage", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "engagements: error: unknown command 'covrage'; did you mean 'coverage'?"
    assert "Usage: engagements" in done.stderr
