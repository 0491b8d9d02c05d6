"""Writes of the data files: one transaction, recovered after kill -9; symlinks, owner, mode (issue 11).

The kills are real: a subprocess runs `fmt` (two files) or `link` with `os.replace` or
`os.fsync` wrapped to send itself SIGKILL at the chosen moment.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from engagements import editing, writing
from engagements.writing import JOURNAL_FILE

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from engagements import editing

    moment, command, directory = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    real_replace, real_fsync = os.replace, os.fsync
    seen = {"replace": 0}

    def replace(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".yaml"):
            seen["replace"] += 1
            if moment == "between-renames" and seen["replace"] == 1:
                os.kill(os.getpid(), signal.SIGKILL)

    def fsync(fd):
        if moment == "writing-temp":
            os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    os.replace, os.fsync = replace, fsync
    if command == "fmt":
        editing.fmt(directory)
    else:
        editing.link(directory, "aec-intro-01", "q4")
    """
)


def non_canonical(target: Path) -> Path:
    """A copy of the data where both files need `fmt` (two keys swapped in each)."""
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".engagements.lock"))
    requests = target / "requests.yaml"
    text = requests.read_text(encoding="utf-8")
    title = '    title: "Logement social et hébergement d’urgence"\n'
    start = text.index(title)
    end = text.index("\n", start + len(title)) + 1
    requests.write_text(text[:start] + text[start + len(title) : end] + title + text[end:], encoding="utf-8")
    commitments = target / "commitments.yaml"
    text = commitments.read_text(encoding="utf-8")
    pair = '    name: "Aix en commun"\n    head: "Julie Boronad"\n'
    assert pair in text
    commitments.write_text(
        text.replace(pair, '    head: "Julie Boronad"\n    name: "Aix en commun"\n'), encoding="utf-8"
    )
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
    assert (data / JOURNAL_FILE).is_file()
    assert len(temps(data)) == 1
    # The next command, even one that only reads, finishes the transaction.
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert "écriture interrompue terminée" in result.stderr
    assert not (data / JOURNAL_FILE).exists() and temps(data) == []
    assert all((data / name).read_bytes() != raw for name, raw in original.items())
    check = cli("--data", str(data), "fmt", "--check")
    assert check.exit_code == 0, check


def test_a_write_killed_before_its_renames_leaves_the_data_and_its_temp_is_removed(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    before = (data / "commitments.yaml").read_bytes()
    killed("writing-temp", "link", data)
    assert (data / "commitments.yaml").read_bytes() == before
    assert len(temps(data)) == 1
    result = cli("--data", str(data), "lists")
    assert result.exit_code == 0, result
    assert "fichier temporaire d’une écriture interrompue supprimé" in result.stderr
    assert temps(data) == []
    # Then the write goes through as if nothing had happened.
    linked = cli("--data", str(data), "link", "aec-intro-01", "q4")
    assert linked.exit_code == 0, linked
    assert temps(data) == [] and not (data / JOURNAL_FILE).exists()


def test_a_killed_write_in_a_read_only_directory_is_reported(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes in read-only directories")
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    (data / ".commitments.yaml.abc123.tmp").write_text("half", encoding="utf-8")
    data.chmod(0o555)
    try:
        result = cli("--data", str(data), "lists")
    finally:
        data.chmod(0o755)
    assert result.exit_code == 0
    assert "une écriture interrompue a laissé des fichiers temporaires" in result.stderr


def test_a_hostile_journal_never_writes_elsewhere(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    payload = tmp_path / ".victim.txt.x.tmp"
    payload.write_text("pwned\n", encoding="utf-8")
    entries = [{"temp": str(payload), "target": str(victim), "sha256": editing._digest(payload)}]
    (data / JOURNAL_FILE).write_text(json.dumps({"replace": entries}), encoding="utf-8")
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert victim.read_text(encoding="utf-8") == "precious\n" and payload.exists()
    assert not (data / JOURNAL_FILE).exists()


def test_a_symlinked_data_file_is_written_through(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    (data / "real").mkdir()
    (data / "commitments.yaml").rename(data / "real" / "commitments.yaml")
    (data / "commitments.yaml").symlink_to(Path("real") / "commitments.yaml")
    result = cli("--data", str(data), "link", "aec-intro-01", "q4")
    assert result.exit_code == 0, result
    assert (data / "commitments.yaml").is_symlink()
    assert "q4" in (data / "real" / "commitments.yaml").read_text(encoding="utf-8").split("aec-intro-01")[1][:200]
    assert temps(data) == [] and temps(data / "real") == []


def test_a_symlink_to_outside_the_data_directory_is_refused(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    outside = tmp_path / "elsewhere.yaml"
    (data / "commitments.yaml").rename(outside)
    (data / "commitments.yaml").symlink_to(outside)
    before = outside.read_bytes()
    result = cli("--data", str(data), "link", "aec-intro-01", "q4")
    assert result.exit_code == 1
    assert "lien symbolique vers l’extérieur du dossier de données" in result.stderr
    assert outside.read_bytes() == before and (data / "commitments.yaml").is_symlink()


def test_mode_and_owner_are_kept(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".engagements.lock"))
    path = data / "commitments.yaml"
    path.chmod(0o640)
    owner = None
    if os.geteuid() == 0:
        owner = (1234, 4321)
        os.chown(path, *owner)
    result = cli("--data", str(data), "link", "aec-intro-01", "q4")
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
