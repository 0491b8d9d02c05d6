"""The tool's own working files live in `.engagements/` of the data folder, ignored by git (issue 12)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engagements import editing
from engagements.writing import (
    LEGACY_TRANSACTION_FILE,
    STATE_DIR,
    OutputError,
    check_output,
    data_pending_recovery,
    state_path,
)


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_link_review_and_fmt_leave_no_tool_file_for_git(cli, data_copy):
    git(data_copy, "init", "-q")
    git(data_copy, "add", "-A")
    git(data_copy, "commit", "-q", "-m", "data")
    assert git(data_copy, "status", "--porcelain") == ""

    assert cli("--data", str(data_copy), "link", "aec-intro-01", "q2").exit_code == 0
    # One decision in an interactive review goes through its journal.
    result = cli("--data", str(data_copy), "review", "--list", "programme-solidarite", "--by", "Awa", input="1\nq\n")
    assert result.exit_code == 0, result
    assert "1 lien(s) confirmé(s)" in result.stderr
    assert cli("--data", str(data_copy), "fmt").exit_code == 0

    assert git(data_copy, "status", "--porcelain").splitlines() == [" M commitments.yaml"]
    git(data_copy, "add", "-A")  # what a maintainer types: still only the data
    assert git(data_copy, "diff", "--cached", "--name-only").splitlines() == ["commitments.yaml"]
    # The tool's files are there, in their folder, which ignores itself.
    assert (data_copy / STATE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (data_copy / STATE_DIR / editing.LOCK_FILE).is_file()
    leftovers = {p.name for p in data_copy.iterdir() if p.name.startswith(".engagements")}
    assert leftovers == {STATE_DIR}


def test_a_read_only_command_creates_no_working_folder(cli, data_copy):
    assert cli("--data", str(data_copy), "validate").exit_code == 0
    assert cli("--data", str(data_copy), "coverage").exit_code == 0
    assert not (data_copy / STATE_DIR).exists()


def _half_done_fmt(data: Path) -> tuple[Path, bytes]:
    """A transaction as an older version left it, beside the data, killed before its rename."""
    target = data / "commitments.yaml"
    new = target.read_bytes().replace(b"# ", b"#  ", 1)
    temp = data / ".commitments.yaml.abc123.tmp"
    temp.write_bytes(new)
    entries = [{"temp": str(temp), "target": str(target), "sha256": editing._digest(temp)}]
    (data / LEGACY_TRANSACTION_FILE).write_text(json.dumps({"replace": entries}), encoding="utf-8")
    return temp, new


def test_a_transaction_left_at_the_old_place_is_finished(cli, data_copy):
    temp, new = _half_done_fmt(data_copy)
    assert data_pending_recovery(data_copy)
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 0, result
    assert "écriture interrompue terminée" in result.stderr
    assert (data_copy / "commitments.yaml").read_bytes() == new
    assert not temp.exists() and not (data_copy / LEGACY_TRANSACTION_FILE).exists()
    assert not data_pending_recovery(data_copy)


def test_editing_recover_reads_both_places(data_copy):
    _temp, new = _half_done_fmt(data_copy)
    # And one at the new place, for requests.yaml.
    target = data_copy / "requests.yaml"
    newer = target.read_bytes() + b"# fin\n"
    temp = data_copy / ".requests.yaml.def456.tmp"
    temp.write_bytes(newer)
    entries = [{"temp": str(temp), "target": str(target), "sha256": editing._digest(temp)}]
    state_path(data_copy, "transaction").parent.mkdir()
    state_path(data_copy, "transaction").write_text(json.dumps({"replace": entries}), encoding="utf-8")
    with editing.data_lock(data_copy, recover_first=False):
        done = editing.recover(data_copy)
    assert len([d for d in done if d.startswith("écriture interrompue terminée")]) == 2
    assert (data_copy / "commitments.yaml").read_bytes() == new and target.read_bytes() == newer
    assert not state_path(data_copy, "transaction").exists()
    assert editing.recover_if_needed(data_copy) == []


@pytest.mark.parametrize("name", [".gitignore", editing.LOCK_FILE, editing.JOURNAL_FILE])
def test_no_output_replaces_a_working_file(data_copy, name):
    (data_copy / STATE_DIR).mkdir()
    path = data_copy / STATE_DIR / name
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(OutputError, match="fichier du dossier de données"):
        check_output(path, data_dir=data_copy, force=True)


@pytest.mark.parametrize("name", [".engagements.lock", ".engagements.journal", LEGACY_TRANSACTION_FILE])
def test_no_output_replaces_an_older_versions_working_file(data_copy, name):
    path = data_copy / name
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(OutputError, match="fichier du dossier de données"):
        check_output(path, data_dir=data_copy, force=True)
