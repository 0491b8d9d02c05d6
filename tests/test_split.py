"""Split data directories: lists in `lists/*.yaml` (one per list), alongside or instead of commitments.yaml."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import DATA, copy_candidate_data
from engagements.loading import load_directory
from engagements.paths import commitment_names, schema_reference

MODELINE = "# yaml-language-server: $schema=../schema/commitments.schema.json\n"


def split_bundled(directory: Path) -> tuple[Path, Path]:
    """Move the two candidate lists of commitments.yaml, each with its source, to lists/<id>.yaml
    (text kept as is), in a copy of the bundled data without its own lists/ folder."""
    lines = (directory / "commitments.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    sources_at = lines.index("sources:\n")
    lists_at = lines.index("lists:\n")
    second_source = next(i for i in range(sources_at + 2, lists_at) if lines[i].startswith("  - id:"))
    second_list = next(i for i in range(lists_at + 2, len(lines)) if lines[i].startswith("  - id:"))
    (directory / "lists").mkdir()
    aec = directory / "lists" / "aix-en-commun.yaml"
    aec.write_text(
        MODELINE
        + "sources:\n"
        + "".join(lines[sources_at + 1 : second_source])
        + "lists:\n"
        + "".join(lines[lists_at + 1 : second_list]),
        encoding="utf-8",
    )
    other = directory / "lists" / "programme-solidarite.yaml"
    other.write_text(
        MODELINE + "sources:\n" + "".join(lines[second_source:lists_at]) + "lists:\n" + "".join(lines[second_list:]),
        encoding="utf-8",
    )
    (directory / "commitments.yaml").unlink()
    return aec, other


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data's candidate lists as one commitments.yaml: what the split must read as."""
    return copy_candidate_data(tmp_path_factory.mktemp("whole") / "data")


@pytest.fixture
def split(tmp_path: Path) -> Path:
    directory = copy_candidate_data(tmp_path / "data")
    split_bundled(directory)
    return directory


def test_a_split_directory_reads_as_the_same_data(split, whole):
    assert commitment_names(whole) == ["commitments.yaml"]
    assert commitment_names(split) == ["lists/aix-en-commun.yaml", "lists/programme-solidarite.yaml"]
    loaded = load_directory(split)
    one = load_directory(whole)
    assert loaded.diagnostics == [] and loaded.dataset is not None and one.dataset is not None
    assert loaded.dataset.model_dump() == one.dataset.model_dump()
    assert [part.name for part in loaded.parts] == commitment_names(split)


@pytest.mark.parametrize(
    "command",
    [
        ["coverage", "--format", "json"],
        ["gaps", "--format", "json"],
        ["lists", "--format", "csv"],
        ["show", "q9", "--format", "json"],
        ["show", "aec-q1-01", "--format", "json"],
        ["match", "--format", "json", "--list", "programme-solidarite"],
    ],
)
def test_every_read_command_gives_the_same_output_on_the_split_data(cli, split, whole, command):
    split_out = cli("--data", str(split), *command)
    whole_out = cli("--data", str(whole), *command)
    assert split_out.exit_code == whole_out.exit_code == 0, split_out
    assert split_out.stdout == whole_out.stdout


def test_validate_and_export_on_a_split_directory(cli, split, whole, tmp_path):
    result = cli("--data", str(split), "validate")
    assert result.exit_code == 0, result
    expected = cli("--data", str(whole), "validate")
    # the same counts ("38 demandes, 2 listes, 139 engagements"), whichever folder they are read from
    assert result.stderr.partition(" : ")[2] == expected.stderr.partition(" : ")[2]
    assert "2 listes" in result.stderr
    outputs = []
    for name, data in (("split", split), ("whole", whole)):
        out = tmp_path / f"{name}.json"
        assert cli("--data", str(data), "export", "--format", "json", "-o", str(out)).exit_code == 0
        outputs.append(json.loads(out.read_text()))
    assert outputs[0] == outputs[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


REQUESTS = "requests:\n  - id: q1\n    title: Logement\n    text: Le logement social.\n"


def small_list(list_id: str, pledge: str, source: str | None = None) -> str:
    sources = f"sources:\n  - id: {source}\n    title: Lettre\n" if source else ""
    return f"{sources}lists:\n  - id: {list_id}\n    name: Liste {list_id}\n    commitments:\n      - id: {pledge}\n        text: Construire des logements.\n"


def test_ids_are_unique_across_files_and_the_diagnostic_names_the_second_file(cli, tmp_path):
    data = tmp_path / "d"
    write(data / "requests.yaml", REQUESTS)
    write(data / "commitments.yaml", small_list("a", "p1", "lettre"))
    write(data / "lists" / "b.yaml", small_list("b", "p1"))
    write(data / "lists" / "c.yaml", small_list("a", "p2", "lettre"))
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 1
    c, b, main = "d/lists/c.yaml", "d/lists/b.yaml", "d/commitments.yaml"  # relative to the working directory
    assert result.stderr.splitlines() == [
        f"{b}:5:13: erreur: identifiant d’engagement « p1 » en double (déjà utilisé dans {main} ligne 8) : chaque identifiant doit être unique",
        f"{c}:2:9: erreur: identifiant de source « lettre » en double (déjà utilisé dans {main} ligne 2) : chaque identifiant doit être unique",
        f"{c}:5:9: erreur: identifiant de liste « a » en double (déjà utilisé dans {main} ligne 5) : chaque identifiant doit être unique",
    ]


def test_syntax_and_schema_errors_name_the_list_file(cli, tmp_path):
    data = tmp_path / "d"
    write(data / "requests.yaml", REQUESTS)
    write(data / "lists" / "a.yaml", small_list("a", "p1"))
    write(data / "lists" / "b.yaml", "lists:\n  - id: b\n    nom: B\n")
    write(data / "lists" / ".b.yaml.swp", "not: [data")  # an editor's file is not data
    write(data / "lists" / "notes.txt", "not data either")
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 1
    b = "d/lists/b.yaml"
    assert result.stderr.splitlines() == [
        f"{b}:2:5: erreur: champ obligatoire « commitments » manquant",
        f"{b}:2:5: erreur: champ obligatoire « name » manquant",
        f"{b}:3:5: erreur: clé inconnue « nom » ; clés permises : id, name, short_name, kind, head, sources, note, elected, reply, merged_from, commitments",
    ]


def test_a_directory_with_neither_commitments_nor_lists_says_commitments_yaml_is_missing(cli, tmp_path):
    data = tmp_path / "d"
    write(data / "requests.yaml", REQUESTS)
    (data / "lists").mkdir()
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 1
    assert result.stderr.strip() == "d/commitments.yaml: erreur: fichier introuvable"


def test_links_are_written_to_the_file_that_holds_the_pledge(cli, split):
    aec, other = split / "lists" / "aix-en-commun.yaml", split / "lists" / "programme-solidarite.yaml"
    before_aec, before_other = aec.read_text(encoding="utf-8"), other.read_text(encoding="utf-8")
    result = cli("--data", str(split), "link", "aec-q1-01", "q7", "--by", "Awa", "--date", "2026-03-20")
    assert result.exit_code == 0, result
    assert result.stderr.startswith("data/lists/aix-en-commun.yaml : « aec-q1-01 » répond maintenant à « q7 »")
    assert other.read_text(encoding="utf-8") == before_other
    changed = [
        (old, new)
        for old, new in zip(before_aec.splitlines(), aec.read_text(encoding="utf-8").splitlines(), strict=True)
        if old != new
    ]
    assert changed == [("        answers: [q1]", "        answers: [q1, {request: q7, by: Awa, date: 2026-03-20}]")]
    assert not (split / "commitments.yaml").exists()
    shown = cli("--data", str(split), "show", "aec-q1-01", "--format", "json")
    assert "q7" in [row["request"] for row in json.loads(shown.stdout)["requests"]]
    # reject and unlink go the same way; a pledge of the other file changes only that file.
    assert cli("--data", str(split), "unlink", "aec-q1-01", "q7").exit_code == 0
    assert aec.read_text(encoding="utf-8") == before_aec
    pledge = next(line.split(": ")[1] for line in before_other.splitlines() if line.startswith("      - id:"))
    assert cli("--data", str(split), "reject", pledge, "q7").exit_code == 0
    assert aec.read_text(encoding="utf-8") == before_aec
    assert "rejects: [q7]" in other.read_text(encoding="utf-8")


def test_review_accepts_in_both_files_in_one_write(cli, split):
    aec, other = split / "lists" / "aix-en-commun.yaml", split / "lists" / "programme-solidarite.yaml"
    before = {path: path.read_text(encoding="utf-8") for path in (aec, other)}
    result = cli(
        "--data", str(split), "review", "--accept-above", "40", "--yes", "--by", "Awa", "--date", "2026-03-20"
    )
    assert result.exit_code == 0, result
    assert result.stderr.strip().endswith("engagement(s) modifié(s).")
    assert "data (le fichier de chaque engagement) : " in result.stderr
    assert all(path.read_text(encoding="utf-8") != text for path, text in before.items())
    assert cli("--data", str(split), "validate").exit_code == 0


def test_fmt_puts_every_list_file_in_shape_with_its_own_schema_line(cli, split):
    assert cli("--data", str(split), "fmt", "--check").exit_code == 0
    aec = split / "lists" / "aix-en-commun.yaml"
    text = aec.read_text(encoding="utf-8")
    aec.write_text(text.removeprefix(MODELINE), encoding="utf-8")
    checked = cli("--data", str(split), "fmt", "--check")
    assert checked.exit_code == 1
    assert checked.stderr.startswith("data/lists/aix-en-commun.yaml: erreur: pas en forme canonique")
    assert cli("--data", str(split), "fmt").exit_code == 0
    assert aec.read_text(encoding="utf-8") == text


def test_the_schema_line_points_up_from_lists():
    assert schema_reference("requests.yaml") == "schema/requests.schema.json"
    assert schema_reference("commitments.yaml") == "schema/commitments.schema.json"
    assert schema_reference("lists/a.yaml") == "../schema/commitments.schema.json"
    assert (DATA / "schema" / "commitments.schema.json").is_file()


def test_import_append_writes_a_new_list_file_in_a_split_directory(cli, split):
    letter = str(split / "sources" / "000_1d5eca14aae107d3.txt")
    result = cli("--data", str(split), "import", letter, "--list", "aec-bis", "--source-id", "lettre-bis", "--append")
    assert result.exit_code == 0, result
    new = split / "lists" / "aec-bis.yaml"
    assert "liste « aec-bis » ajoutée à data/lists/aec-bis.yaml" in result.stderr
    assert new.read_text(encoding="utf-8").startswith(MODELINE)
    assert not (split / "commitments.yaml").exists()
    assert cli("--data", str(split), "validate").exit_code == 0
    lists = cli("--data", str(split), "lists", "--format", "json")
    assert [row["id"] for row in json.loads(lists.stdout)] == ["aec-bis", "aix-en-commun", "programme-solidarite"]
    again = cli("--data", str(split), "import", letter, "--list", "aec-bis", "--source-id", "autre", "--append")
    assert again.exit_code == 1
    assert "la liste « aec-bis » existe déjà dans data/lists/aec-bis.yaml" in again.stderr
    source_clash = cli(
        "--data", str(split), "import", letter, "--list", "aec-ter", "--source-id", "aec-lettre-2026-03-08", "--append"
    )
    assert source_clash.exit_code == 1
    assert "la source « aec-lettre-2026-03-08 » existe déjà dans data/lists/aix-en-commun.yaml" in source_clash.stderr
    assert not (split / "lists" / "aec-ter.yaml").exists()


def test_the_cache_sees_a_new_list_file(cli, split):
    first = json.loads(cli("--data", str(split), "coverage", "--format", "json").stdout)
    write(split / "lists" / "z.yaml", small_list("z", "z1", "lettre-z"))
    second = json.loads(cli("--data", str(split), "coverage", "--format", "json").stdout)
    assert [c["id"] for c in second["lists"]] == [*(c["id"] for c in first["lists"]), "z"]


def test_diff_against_git_reads_the_list_files(cli, split):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(split), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "split")
    assert cli("--data", str(split), "link", "aec-q1-01", "q7").exit_code == 0
    result = cli("--data", str(split), "diff", "--git", "HEAD", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["links_confirmed"] == [{"commitment": "aec-q1-01", "request": "q7"}]


def test_a_folder_with_only_list_files_is_found_as_the_data_folder(tmp_path):
    from engagements.paths import find_data_dir, holds_data

    write(tmp_path / "d" / "lists" / "a.yaml", small_list("a", "p1"))
    assert holds_data(tmp_path / "d")
    assert find_data_dir(tmp_path / "d", environ={}) == (tmp_path / "d", "cwd")
    write(tmp_path / "e" / "lists" / "notes.txt", "")
    assert not holds_data(tmp_path / "e")


def test_import_append_keeps_to_commitments_yaml_when_the_directory_has_one(cli, data_copy):
    """Lists alongside commitments.yaml: a new list still goes at the end of commitments.yaml."""
    write(data_copy / "lists" / "z.yaml", small_list("z", "z1", "lettre-z"))
    list_files = {p.name: p.read_bytes() for p in (data_copy / "lists").iterdir()}
    assert {"z.yaml", "contrat-de-ville.yaml"} <= set(list_files)  # the bundled lists/ and the new file
    letter = str(data_copy / "sources" / "000_1d5eca14aae107d3.txt")
    before = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    result = cli("--data", str(data_copy), "import", letter, "--list", "aec-bis", "--source-id", "bis", "--append")
    assert result.exit_code == 0, result
    assert "ajoutée à data/commitments.yaml" in result.stderr
    assert (data_copy / "commitments.yaml").read_text(encoding="utf-8").startswith(before.split("lists:")[0][:200])
    assert "  - id: aec-bis" in (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in (data_copy / "lists").iterdir()} == list_files
