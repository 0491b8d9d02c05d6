"""What maintainers meet when they edit the data: one diagnostic per mistake, all of them at once."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_misspelled_key_is_one_diagnostic_with_its_hint(cli, data_copy):
    _edit(data_copy / "requests.yaml", "    title: ", "    titel: ")
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "clé inconnue « titel » ; vouliez-vous dire « title » ?" in lines[0]
    assert "manquant" not in result.stderr


def test_a_missing_key_that_is_not_a_misspelling_is_still_reported(cli, data_copy):
    _edit(data_copy / "requests.yaml", "    title: ", "    colour: ")
    result = cli("--data", str(data_copy), "validate")
    assert "champ obligatoire « title » manquant" in result.stderr
    assert "clé inconnue « colour »" in result.stderr


def test_both_files_problems_come_in_one_run(cli, data_copy):
    _edit(data_copy / "requests.yaml", "    title: ", "    titel: ")
    _edit(data_copy / "commitments.yaml", "answers: [q1]", "answers: [q99]")
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    assert "requests.yaml:" in result.stderr and "clé inconnue « titel »" in result.stderr
    assert "commitments.yaml:" in result.stderr and "demande « q99 » inconnue" in result.stderr


def test_strict_flags_what_an_import_left_to_complete_and_sources_without_file(cli, data_copy, tmp_path):
    letter = tmp_path / "lettre.txt"
    letter.write_text("1- Sur le logement\n- Construire des logements très sociaux.\n", encoding="utf-8")
    done = cli("--data", str(data_copy), "import", str(letter), "--list", "nouvelle", "--append")
    assert done.exit_code == 0, done
    plain = cli("--data", str(data_copy), "validate")
    assert plain.exit_code == 0, plain
    strict = cli("--data", str(data_copy), "validate", "--strict")
    assert strict.exit_code == 1
    assert "avertissement: à compléter : « À COMPLÉTER : titre du document » a été laissé par l’import" in strict.stderr
    text = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "À COMPLÉTER" in row)
    assert f"commitments.yaml:{line}:" in strict.stderr
    assert "sans fichier (file:)" in strict.stderr


def test_strict_passes_on_the_bundled_data(cli):
    result = cli("--data", str(DATA), "validate", "--strict")
    assert result.exit_code == 0, result


def test_engagements_cache_dir_is_the_cache_folder_itself(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "my-cache"))
    assert cli("--data", str(DATA), "coverage").exit_code == 0
    assert list((tmp_path / "my-cache").glob("*.json"))
    assert not (tmp_path / "my-cache" / "engagements").exists()
