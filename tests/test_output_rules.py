"""The rules of `-o` (export, schema) and safe export cells (issue 11).

`-o` never replaces a data file, a device, a FIFO, a directory or a symlink; an existing file
only with --force or when it is a previous export; missing folders need --parents; `-o -` is
standard output; a csv folder is replaced whole, or not at all.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
from pathlib import Path

import pytest

from engagements import exports
from engagements.tables import neutralise
from engagements.writing import OutputError, check_output, replace_directory
from test_terminal_safety import RAW, hostile_copy

REQUESTS = """\
requests:
  - id: r1
    title: Hébergement d’urgence
    text: "Assurer un hébergement d’urgence inconditionnel."
    kind: question
    number: "1"
"""
COMMITMENTS = """\
lists:
  - id: liste-a
    name: "Liste\\e[31m A\\u202e\\x07"
    commitments:
      - id: a-01
        text: " =HYPERLINK(\\"http://example.com/x\\")"
        answers: [r1]
      - id: a-02
        text: "＝1+1 hébergement d’urgence\\e]0;pwned\\a"
        answers: [r1]
      - id: a-03
        text: "|cmd hébergement"
        answers: [r1]
"""


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    directory = tmp_path / "data"
    (directory / "sources").mkdir(parents=True)
    (directory / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    (directory / "commitments.yaml").write_text(COMMITMENTS, encoding="utf-8")
    (directory / "sources" / "lettre.txt").write_text("texte\n", encoding="utf-8")
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# -- data files are never replaced ---------------------------------------------------------------


@pytest.mark.parametrize("target", ["commitments.yaml", "requests.yaml", "sources/lettre.txt"])
@pytest.mark.parametrize("force", [False, True])
def test_export_never_replaces_a_data_file(cli, small, target, force):
    before = snapshot(small)
    result = cli("--data", str(small), "export", "-f", "md", "-o", str(small / target), *(["--force"] * force))
    assert result.exit_code == 2, result
    assert "fichier du dossier de données" in result.stderr
    assert snapshot(small) == before


def test_a_hard_link_to_a_data_file_is_caught_too(cli, small, tmp_path):
    os.link(small / "commitments.yaml", tmp_path / "alias.md")
    before = snapshot(small)
    result = cli("--data", str(small), "export", "-o", str(tmp_path / "alias.md"), "--force")
    assert result.exit_code == 2 and "fichier du dossier de données" in result.stderr
    assert snapshot(small) == before


@pytest.mark.parametrize("force", [False, True])
def test_schema_never_replaces_a_data_file(cli, small, force):
    before = snapshot(small)
    result = cli("--data", str(small), "schema", "requests", "-o", str(small / "requests.yaml"), *(["--force"] * force))
    assert result.exit_code == 2, result
    assert snapshot(small) == before


def test_schema_replaces_its_own_previous_output_but_not_another_file(cli, small, tmp_path):
    target = small / "schema" / "requests.schema.json"
    target.parent.mkdir()
    target.write_text('{"$id": "requests.schema.json", "title": "old"}\n', encoding="utf-8")
    assert cli("--data", str(small), "schema", "requests", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["$id"] == "requests.schema.json"
    assert "properties" in json.loads(target.read_text(encoding="utf-8"))
    other = tmp_path / "notes.json"
    other.write_text('{"mine": true}\n', encoding="utf-8")
    refused = cli("--data", str(small), "schema", "requests", "-o", str(other))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert other.read_text(encoding="utf-8") == '{"mine": true}\n'
    assert cli("--data", str(small), "schema", "requests", "-o", str(other), "--force").exit_code == 0
    assert json.loads(other.read_text(encoding="utf-8"))["$id"] == "requests.schema.json"
    assert cli("schema", "requests", "-o", "-").stdout.startswith("{\n")


# -- special files ---------------------------------------------------------------------------------


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device to aim -o at: a null device of our own when root (so that a broken
    protection could never replace the real /dev/null), else /dev/null, which only root could
    replace."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


def test_a_device_is_never_replaced(cli, small, device):
    result = cli("--data", str(small), "export", "-f", "md", "-o", str(device), "--force")
    assert result.exit_code == 2, result
    assert "pas un fichier ordinaire" in result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_fifo_is_refused_without_opening_it(cli, small, tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = cli("--data", str(small), "export", "-o", str(fifo), "--force")  # would hang if opened
    assert result.exit_code == 2 and "pas un fichier ordinaire" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_not_a_file_output(cli, small, tmp_path):
    (tmp_path / "adir").mkdir()
    result = cli("--data", str(small), "schema", "requests", "-o", str(tmp_path / "adir"), "--force")
    assert result.exit_code == 2 and "est un dossier" in result.stderr


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_is_not_silently_replaced(cli, small, tmp_path, dangling):
    real = tmp_path / "real.html"
    if not dangling:
        real.write_text("mine\n", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    result = cli("--data", str(small), "export", "-o", str(link), "--force")
    assert result.exit_code == 2 and "lien symbolique" in result.stderr
    assert link.is_symlink()
    assert real.exists() is not dangling
    if not dangling:
        assert real.read_text(encoding="utf-8") == "mine\n"


# -- existing files, --force, previous exports ------------------------------------------------------


def test_an_existing_file_needs_force(cli, small, tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("my notes\n", encoding="utf-8")
    refused = cli("--data", str(small), "export", "-o", str(target))
    assert refused.exit_code == 2 and "existe déjà : ajoutez --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "my notes\n"
    forced = cli("--data", str(small), "export", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced
    assert target.read_text(encoding="utf-8").startswith("# Couverture")


@pytest.mark.parametrize("name", ["page.html", "export.json"])
def test_a_previous_export_is_replaced_without_force(cli, small, tmp_path, name):
    target = tmp_path / name
    assert cli("--data", str(small), "export", "-o", str(target)).exit_code == 0
    first = target.read_bytes()
    target.write_bytes(first.replace(b"r1", b"r0"))
    again = cli("--data", str(small), "export", "-o", str(target))
    assert again.exit_code == 0, again
    assert target.read_bytes() == first


def test_a_file_that_only_looks_like_html_needs_force(cli, small, tmp_path):
    target = tmp_path / "page.html"
    target.write_text("<!DOCTYPE html><p>mine</p>\n", encoding="utf-8")
    assert cli("--data", str(small), "export", "-o", str(target)).exit_code == 2


# -- standard output, parents ---------------------------------------------------------------------


def test_dash_writes_single_file_formats_to_stdout(cli, small, tmp_path):
    md = cli("--data", str(small), "export", "-o", "-")
    assert md.exit_code == 0 and md.stdout.startswith("# Couverture")
    assert not list(tmp_path.glob("-*"))
    as_json = cli("--data", str(small), "export", "-f", "json", "-o", "-")
    assert json.loads(as_json.stdout)["coverage"]["level"] == "question"
    folder = cli("--data", str(small), "export", "-f", "csv", "-o", "-")
    assert folder.exit_code == 2 and "écrit un dossier" in folder.stderr


def test_missing_folders_need_parents(cli, small, tmp_path):
    target = tmp_path / "a" / "b" / "out.md"
    refused = cli("--data", str(small), "export", "-o", str(target))
    assert refused.exit_code == 2 and "--parents" in refused.stderr
    assert not (tmp_path / "a").exists()
    assert cli("--data", str(small), "export", "-o", str(target), "--parents").exit_code == 0
    assert target.is_file()
    folder = tmp_path / "c" / "csv"
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(folder)).exit_code == 2
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(folder), "--parents").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["couverture.csv", "datapackage.json", "liens.csv"]


# -- csv folders ----------------------------------------------------------------------------------


def test_a_csv_folder_is_replaced_whole(cli, small, tmp_path):
    folder = tmp_path / "out"
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(folder)).exit_code == 0
    (folder / "liens.csv").write_text("old\n", encoding="utf-8")
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["couverture.csv", "datapackage.json", "liens.csv"]
    assert (folder / "liens.csv").read_text(encoding="utf-8").startswith("request,")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


def test_a_folder_with_other_files_is_never_emptied(cli, small, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.odt").write_text("years of work\n", encoding="utf-8")
    for extra in ([], ["--force"]):
        result = cli("--data", str(small), "export", "-f", "csv", "-o", str(folder), *extra)
        assert result.exit_code == 2 and "pas un export précédent" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["thesis.odt"]
    # A previous export with a stray file beside it is not recognised either.
    out = tmp_path / "out"
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(out)).exit_code == 0
    (out / "stale.csv").write_text("x\n", encoding="utf-8")
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(out)).exit_code == 2
    # Neither is the data directory, nor a folder that holds it.
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(small), "--force").exit_code == 2
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(tmp_path), "--force").exit_code == 2


def test_a_failed_folder_write_leaves_the_old_export(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "couverture.csv").write_bytes(b"old\n")

    def full_disk():
        yield b"id,kind\r\n"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        replace_directory(folder, {"couverture.csv": [b"new\n"], "liens.csv": full_disk()})
    assert [p.name for p in folder.iterdir()] == ["couverture.csv"]
    assert (folder / "couverture.csv").read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left
    with pytest.raises(OSError):
        replace_directory(tmp_path / "new", {"liens.csv": full_disk()})
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing, not half an export


def test_check_output_core():
    with pytest.raises(OutputError, match="n’existe pas"):
        check_output(Path("/nonexistent-dir/x.md"))
    check_output(Path("/nonexistent-dir/x.md"), parents=True)


# -- cells ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["=1+1", " =1+1", "\u00a0=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "|cmd", "  @SUM(A1)", "+1", "\t=1"]
)
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Construire 450 logements", "a = b", "25 %", "'=déjà"])
def test_ordinary_text_is_left_alone(value):
    assert neutralise(value) == value


def test_csv_cells_are_neutralised_and_hold_no_control_character(cli, small, tmp_path):
    assert cli("--data", str(small), "export", "-f", "csv", "-o", str(tmp_path / "out")).exit_code == 0
    text = (tmp_path / "out" / "liens.csv").read_text(encoding="utf-8")
    assert RAW.search(text) is None
    cells = {row["commitment"]: row["commitment_text"] for row in csv.DictReader(io.StringIO(text))}
    assert cells["a-01"] == '\' =HYPERLINK("http://example.com/x")'
    assert cells["a-02"].startswith("'＝1+1") and "\\x1b]0;pwned\\x07" in cells["a-02"]
    assert cells["a-03"] == "'|cmd hébergement"


def test_xlsx_with_a_control_character_in_a_list_name(cli, small, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    result = cli("--data", str(small), "export", "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    labels = [c.value for c in book.worksheets[0][1]]
    assert any("Liste\\x1b[31m A\\u202e" in str(label) for label in labels), labels
    texts = [c.value for c in book.worksheets[1]["F"]]
    assert '\' =HYPERLINK("http://example.com/x")' in texts and "'|cmd hébergement" in texts


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "json"])
def test_no_raw_control_or_bidi_character_in_an_export(cli, tmp_path, fmt):
    data = hostile_copy(tmp_path / "hostile")
    target = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    result = cli("--data", str(data), "export", "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result
    files = sorted(target.iterdir()) if fmt == "csv" else [target]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert RAW.search(text) is None, (path.name, RAW.search(text))
        assert "pwned" in text
    if fmt == "json":
        names = [c["name"] for c in json.loads(target.read_text(encoding="utf-8"))["coverage"]["lists"]]
        assert names[0].startswith("Aix en commun\x1b]0;pwned\x07")  # the exact value, escaped in the file


def test_streamed_json_is_the_same_text_as_one_dump(small):
    from engagements.checks import check
    from engagements.coverage import build
    from engagements.loading import load_directory
    from engagements.matching import match

    loaded = load_directory(small)
    assert not [d for d in check(loaded) if d.level == "error"]
    data = loaded.dataset
    suggestions = match(data)
    export = exports.prepare(data, build(data, suggestions, "question"), suggestions)
    payload = {
        "coverage": export.coverage.to_dict(),
        "links": [link.to_dict() for link in export.links],
        "with_suggestions": export.with_suggestions,
    }
    whole = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    streamed = "".join(exports.iter_json(export))
    assert json.loads(streamed) == payload
    assert re.sub(r"\\u[0-9a-f]{4}", "", streamed) == re.sub(r"[\x7f-\x9f\u202a-\u202e]", "", whole).replace(
        "\\u001b", ""
    ).replace("\\u0007", "")
    empty = exports.Export(export.coverage, [], with_suggestions=True)
    assert json.loads("".join(exports.iter_json(empty)))["links"] == []


def test_brief_follows_the_same_rules(cli, small, tmp_path):
    before = snapshot(small)
    refused = cli("--data", str(small), "brief", "liste-a", "-o", str(small / "commitments.yaml"), "--force")
    assert refused.exit_code == 2 and "fichier du dossier de données" in refused.stderr
    assert snapshot(small) == before
    notes = tmp_path / "notes.md"
    notes.write_text("mine\n", encoding="utf-8")
    assert cli("--data", str(small), "brief", "liste-a", "-o", str(notes)).exit_code == 2
    assert notes.read_text(encoding="utf-8") == "mine\n"
    page = tmp_path / "note.html"
    assert cli("--data", str(small), "brief", "liste-a", "-o", str(page)).exit_code == 0
    assert cli("--data", str(small), "brief", "liste-a", "-o", str(page)).exit_code == 0  # its own page
    assert RAW.search(page.read_text(encoding="utf-8")) is None
    shown = cli("--data", str(small), "brief", "liste-a", "-o", "-")
    assert shown.exit_code == 0 and RAW.search(shown.stdout) is None
