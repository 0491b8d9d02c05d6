"""Writes of the data files: one transaction, recovered after kill -9; symlinks, owner, mode (issue 11).

The kills are real: a subprocess runs `fmt` (two files) or `link` with `os.replace` or
`os.fsync` wrapped to send itself SIGKILL at the chosen moment.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from engagements import editing, writing
from engagements.writing import TRANSACTION_FILE, state_path
from killing import HOOKS

KILLER = HOOKS + textwrap.dedent(
    """
    from pathlib import Path
    from engagements import editing

    command, directory = sys.argv[2], Path(sys.argv[3])
    if command == "fmt":
        editing.fmt(directory)
    else:
        editing.link(directory, "a-02", "r2")
    """
)


REQUESTS = """\
# yaml-language-server: $schema=schema/requests.schema.json
requests:
  - id: r1
    title: "Hébergement d’urgence"
    text: "Assurer un hébergement d’urgence inconditionnel."
    kind: question
    number: "1"
  - id: r2
    title: "Accès aux droits"
    text: "Ouvrir un guichet d’accès aux droits."
    kind: question
    number: "2"
"""
COMMITMENTS = """\
# yaml-language-server: $schema=schema/commitments.schema.json
lists:
  - id: liste-a
    name: "Liste A"
    head: "Awa"
    commitments:
      - id: a-01
        text: "Créer des places d’hébergement d’urgence."
        answers: [r1]
      - id: a-02
        text: "Ouvrir un guichet unique d’accès aux droits."
"""


def small_data(target: Path) -> Path:
    """A small data directory in the canonical layout (small, so that each write is quick)."""
    target.mkdir(parents=True)
    (target / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    (target / "commitments.yaml").write_text(COMMITMENTS, encoding="utf-8")
    return target


def non_canonical(target: Path) -> Path:
    """A data directory where both files need `fmt` (two keys swapped in each)."""
    small_data(target)
    requests = target / "requests.yaml"
    title, text = (
        '    title: "Hébergement d’urgence"\n',
        '    text: "Assurer un hébergement d’urgence inconditionnel."\n',
    )
    requests.write_text(REQUESTS.replace(title + text, text + title), encoding="utf-8")
    commitments = target / "commitments.yaml"
    pair = '    name: "Liste A"\n    head: "Awa"\n'
    commitments.write_text(COMMITMENTS.replace(pair, '    head: "Awa"\n    name: "Liste A"\n'), encoding="utf-8")
    assert requests.read_text(encoding="utf-8") != REQUESTS and commitments.read_text(encoding="utf-8") != COMMITMENTS
    return target


def killed(moment: str, command: str, directory: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", KILLER, moment, command, str(directory)], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_fmt_killed_between_its_two_renames_is_finished_by_the_next_command(cli, tmp_path):
    data = non_canonical(tmp_path / "data")
    original = {name: (data / name).read_bytes() for name in ("requests.yaml", "commitments.yaml")}
    killed("between-renames", "fmt", data)
    # Half done: one file formatted, the other not, and the journal that says what remains.
    changed = [name for name, raw in original.items() if (data / name).read_bytes() != raw]
    assert len(changed) == 1
    assert state_path(data, TRANSACTION_FILE).is_file()
    assert len(temps(data)) == 1
    # The next command, even one that only reads, finishes the transaction.
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert "écriture interrompue terminée" in result.stderr
    assert not state_path(data, TRANSACTION_FILE).exists() and temps(data) == []
    assert all((data / name).read_bytes() != raw for name, raw in original.items())
    check = cli("--data", str(data), "fmt", "--check")
    assert check.exit_code == 0, check


def test_a_write_killed_before_its_renames_leaves_the_data_and_its_temp_is_removed(cli, tmp_path):
    data = small_data(tmp_path / "data")
    before = (data / "commitments.yaml").read_bytes()
    killed("writing-temp", "link", data)
    assert (data / "commitments.yaml").read_bytes() == before
    assert len(temps(data)) == 1
    result = cli("--data", str(data), "lists")
    assert result.exit_code == 0, result
    assert "fichier temporaire d’une écriture interrompue supprimé" in result.stderr
    assert temps(data) == []
    # Then the write goes through as if nothing had happened.
    linked = cli("--data", str(data), "link", "a-02", "r2")
    assert linked.exit_code == 0, linked
    assert temps(data) == [] and not state_path(data, TRANSACTION_FILE).exists()


def test_a_killed_write_in_a_read_only_directory_is_reported(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes in read-only directories")
    data = small_data(tmp_path / "data")
    (data / ".commitments.yaml.abc123.tmp").write_text("half", encoding="utf-8")
    data.chmod(0o555)
    try:
        result = cli("--data", str(data), "lists")
    finally:
        data.chmod(0o755)
    assert result.exit_code == 0
    assert "une écriture interrompue a laissé des fichiers temporaires" in result.stderr


def test_a_temp_that_cannot_be_removed_is_reported(cli, tmp_path, monkeypatch):
    # The test above is skipped as root (root writes in a read-only folder): here the refusal
    # such a folder gives is simulated where the temporary file is removed.
    data = small_data(tmp_path / "data")
    (data / ".commitments.yaml.abc123.tmp").write_text("half", encoding="utf-8")
    real_unlink = Path.unlink

    def refusing_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(".tmp"):
            raise PermissionError(13, "Permission denied", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refusing_unlink)
    result = cli("--data", str(data), "lists")
    assert result.exit_code == 0, result
    assert "une écriture interrompue a laissé des fichiers temporaires" in result.stderr
    assert temps(data) == [".commitments.yaml.abc123.tmp"]


def test_a_hostile_journal_never_writes_elsewhere(cli, tmp_path):
    data = small_data(tmp_path / "data")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    payload = tmp_path / ".victim.txt.x.tmp"
    payload.write_text("pwned\n", encoding="utf-8")
    entries = [{"temp": str(payload), "target": str(victim), "sha256": editing._digest(payload)}]
    state_path(data, TRANSACTION_FILE).parent.mkdir()
    state_path(data, TRANSACTION_FILE).write_text(json.dumps({"replace": entries}), encoding="utf-8")
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert victim.read_text(encoding="utf-8") == "precious\n" and payload.exists()
    assert not state_path(data, TRANSACTION_FILE).exists()


def test_a_journaled_temp_over_the_size_limit_is_not_read(cli, tmp_path, monkeypatch):
    # A journal slipped into a pull request may name a huge "temporary file" beside a data
    # file: recovery reads none larger than a data file may be (its digest would read it whole).
    monkeypatch.setenv("ENGAGEMENTS_MAX_FILE_MB", "0.01")
    data = small_data(tmp_path / "data")
    before = (data / "commitments.yaml").read_bytes()
    huge = data / ".commitments.yaml.x.tmp"
    huge.write_bytes(before + b"#" * 20_000 + b"\n")
    entries = [{"temp": str(huge), "target": str(data / "commitments.yaml"), "sha256": editing._digest(huge)}]
    state_path(data, TRANSACTION_FILE).parent.mkdir()
    state_path(data, TRANSACTION_FILE).write_text(json.dumps({"replace": entries}), encoding="utf-8")
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert (data / "commitments.yaml").read_bytes() == before
    assert not state_path(data, TRANSACTION_FILE).exists() and temps(data) == []


def test_a_symlinked_data_file_is_written_through(cli, tmp_path):
    data = small_data(tmp_path / "data")
    (data / "real").mkdir()
    (data / "commitments.yaml").rename(data / "real" / "commitments.yaml")
    (data / "commitments.yaml").symlink_to(Path("real") / "commitments.yaml")
    result = cli("--data", str(data), "link", "a-02", "r2")
    assert result.exit_code == 0, result
    assert (data / "commitments.yaml").is_symlink()
    assert "answers: [r2]" in (data / "real" / "commitments.yaml").read_text(encoding="utf-8").split("a-02")[1]
    assert temps(data) == [] and temps(data / "real") == []


def test_a_symlink_to_outside_the_data_directory_is_refused(cli, tmp_path):
    data = small_data(tmp_path / "data")
    outside = tmp_path / "elsewhere.yaml"
    (data / "commitments.yaml").rename(outside)
    (data / "commitments.yaml").symlink_to(outside)
    before = outside.read_bytes()
    result = cli("--data", str(data), "link", "a-02", "r2")
    assert result.exit_code == 1
    assert "lien symbolique vers l’extérieur du dossier de données" in result.stderr
    assert outside.read_bytes() == before and (data / "commitments.yaml").is_symlink()


def test_mode_and_owner_are_kept(cli, tmp_path):
    data = small_data(tmp_path / "data")
    path = data / "commitments.yaml"
    path.chmod(0o640)
    owner = None
    if os.geteuid() == 0:
        owner = (1234, 4321)
        os.chown(path, *owner)
    result = cli("--data", str(data), "link", "a-02", "r2")
    assert result.exit_code == 0, result
    info = path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    if owner is not None:
        assert (info.st_uid, info.st_gid) == owner


def test_the_directory_is_synced_after_the_renames(tmp_path, monkeypatch):
    data = non_canonical(tmp_path / "data")
    names = ("requests.yaml", "commitments.yaml")
    synced: list[tuple[Path, tuple[bytes, ...]]] = []
    real = writing.fsync_directory

    def spy(directory: Path) -> None:
        synced.append((Path(directory), tuple((data / name).read_bytes() for name in names)))
        real(directory)

    monkeypatch.setattr(editing, "fsync_directory", spy)
    assert editing.fmt(data)
    final = tuple((data / name).read_bytes() for name in names)
    # The data directory was synced once both new files were in place.
    assert (data, final) in synced


def test_the_directory_of_a_one_file_write_is_synced_after_its_rename(cli, tmp_path, monkeypatch):
    # One file, so no journal (whose removal syncs the directory too): the rename itself must be.
    data = small_data(tmp_path / "data")
    synced: list[tuple[Path, bytes]] = []
    real = writing.fsync_directory

    def spy(directory: Path) -> None:
        synced.append((Path(directory), (data / "commitments.yaml").read_bytes()))
        real(directory)

    monkeypatch.setattr(editing, "fsync_directory", spy)
    result = cli("--data", str(data), "link", "a-02", "r2")
    assert result.exit_code == 0, result
    assert b"answers: [r2]" in (data / "commitments.yaml").read_bytes()
    assert (data, (data / "commitments.yaml").read_bytes()) in synced


def test_atomic_write_syncs_the_directory_after_the_rename(tmp_path, monkeypatch):
    target = tmp_path / "out" / "page.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    synced: list[tuple[Path, str]] = []
    real = writing.fsync_directory

    def spy(directory: Path) -> None:
        synced.append((Path(directory), target.read_text(encoding="utf-8")))
        real(directory)

    monkeypatch.setattr(writing, "fsync_directory", spy)
    writing.atomic_write(target, b"new")
    assert synced == [(target.parent, "new")]


def test_atomic_write_keeps_an_existing_mode_and_follows_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    writing.atomic_write(link, [b"new ", b"text"])
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new text"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_a_write_command_recovers_first_too(cli, tmp_path):
    data = non_canonical(tmp_path / "data")
    killed("between-renames", "fmt", data)
    assert state_path(data, TRANSACTION_FILE).is_file()
    # fmt again: the lock is taken, the half-done transaction finished, then nothing is left to do.
    result = cli("--data", str(data), "fmt")
    assert result.exit_code == 0, result
    assert "rien à changer" in result.stderr
    assert not state_path(data, TRANSACTION_FILE).exists() and temps(data) == []
