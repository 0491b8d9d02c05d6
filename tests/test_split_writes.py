"""Write transactions on a split data directory (issues 10 and 11 together): every data file of
the directory (requests.yaml and each lists/*.yaml) is replaced as one transaction, and a kill -9
between two renames, or while a temporary file is written in lists/, is recovered by the next
command. The kills are real, as in test_write_transaction.py: a subprocess runs the command with
`os.replace` or `os.fsync` wrapped to send itself SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT
from engagements.writing import TRANSACTION_FILE, state_path
from killing import HOOKS

KILLER = HOOKS + textwrap.dedent(
    """
    import runpy

    sys.argv = ["engagements", *sys.argv[2:]]
    runpy.run_module("engagements", run_name="__main__")
    """
)

REQUESTS = """\
# yaml-language-server: $schema=schema/requests.schema.json
requests:
  - id: r1
    title: "Hébergement d’urgence"
    text: "Assurer un hébergement d’urgence inconditionnel."
  - id: r2
    title: "Accès aux droits"
    text: "Ouvrir un guichet d’accès aux droits."
"""


def list_file(list_id: str, prefix: str) -> str:
    return f"""\
# yaml-language-server: $schema=../schema/commitments.schema.json
lists:
  - id: {list_id}
    name: "Liste {list_id.upper()}"
    head: "Awa"
    commitments:
      - id: {prefix}-01
        text: "Créer des places d’hébergement d’urgence."
        answers: [r1]
      - id: {prefix}-02
        text: "Ouvrir un guichet unique d’accès aux droits."
"""


def split_data(target: Path, *, canonical: bool = True) -> Path:
    """requests.yaml and two list files, lists/a.yaml and lists/b.yaml, no commitments.yaml.
    Not canonical: two keys swapped in each of the three files, so that `fmt` rewrites all three."""
    (target / "lists").mkdir(parents=True)
    files = {"requests.yaml": REQUESTS, "lists/a.yaml": list_file("a", "a"), "lists/b.yaml": list_file("b", "b")}
    for name, text in files.items():
        if not canonical:
            text = text.replace('    name: "Liste A"\n    head: "Awa"\n', '    head: "Awa"\n    name: "Liste A"\n')
            text = text.replace('    name: "Liste B"\n    head: "Awa"\n', '    head: "Awa"\n    name: "Liste B"\n')
            text = text.replace(
                '    title: "Hébergement d’urgence"\n    text: "Assurer un hébergement d’urgence inconditionnel."\n',
                '    text: "Assurer un hébergement d’urgence inconditionnel."\n    title: "Hébergement d’urgence"\n',
            )
            assert text != files[name]
        (target / name).write_text(text, encoding="utf-8")
    return target


def killed(moment: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ENGAGEMENTS_NO_CACHE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", KILLER, moment, *args], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()


def temps(directory: Path) -> list[str]:
    return sorted(p.name for folder in (directory, directory / "lists") for p in folder.iterdir() if p.name.endswith(".tmp"))


NAMES = ("requests.yaml", "lists/a.yaml", "lists/b.yaml")


def test_fmt_of_three_files_killed_after_the_first_rename_is_finished_by_a_read_command(cli, tmp_path):
    data = split_data(tmp_path / "data", canonical=False)
    original = {name: (data / name).read_bytes() for name in NAMES}
    killed("between-renames", "--data", str(data), "fmt")
    changed = [name for name, raw in original.items() if (data / name).read_bytes() != raw]
    assert len(changed) == 1  # one file replaced, two still to go
    assert state_path(data, TRANSACTION_FILE).is_file()
    assert len(temps(data)) == 2
    result = cli("--data", str(data), "coverage", "--format", "json")
    assert result.exit_code == 0, result
    assert "écriture interrompue terminée" in result.stderr
    assert not state_path(data, TRANSACTION_FILE).exists() and temps(data) == []
    assert all((data / name).read_bytes() != raw for name, raw in original.items())
    check = cli("--data", str(data), "fmt", "--check")
    assert check.exit_code == 0, check


def test_a_link_killed_while_writing_its_temp_in_lists_leaves_the_data_and_the_temp_is_removed(cli, tmp_path):
    data = split_data(tmp_path / "data")
    before = {name: (data / name).read_bytes() for name in NAMES}
    killed("writing-temp", "--data", str(data), "link", "b-02", "r2")
    assert {name: (data / name).read_bytes() for name in NAMES} == before
    (left,) = temps(data)
    assert (data / "lists" / left).is_file() and left.startswith(".b.yaml.")
    result = cli("--data", str(data), "lists")
    assert result.exit_code == 0, result
    assert "fichier temporaire d’une écriture interrompue supprimé" in result.stderr
    assert temps(data) == []
    linked = cli("--data", str(data), "link", "b-02", "r2")
    assert linked.exit_code == 0, linked
    assert "answers: [r2]" in (data / "lists" / "b.yaml").read_text(encoding="utf-8")
    assert (data / "lists" / "a.yaml").read_bytes() == before["lists/a.yaml"]


def test_the_temp_of_a_new_list_file_killed_while_written_by_import_is_removed(cli, tmp_path):
    data = split_data(tmp_path / "data")
    (data / "sources").mkdir()
    (data / "sources" / "c.txt").write_text(
        "Nos engagements\n\n- Créer un centre d’accueil de jour.\n- Ouvrir une maison des droits.\n", encoding="utf-8"
    )
    killed("writing-temp", "--data", str(data), "import", str(data / "sources" / "c.txt"), "--list", "c", "--append")
    assert not (data / "lists" / "c.yaml").exists()
    (left,) = temps(data)
    assert left.startswith(".c.yaml.")  # the temporary file of a file that does not exist yet
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 0, result
    assert "fichier temporaire d’une écriture interrompue supprimé" in result.stderr
    assert temps(data) == []


# --- The interactive review (`editing.Session` and its journal) on a split directory -----------


def test_an_interactive_review_writes_each_decision_to_the_file_of_its_pledge(cli, tmp_path):
    data = split_data(tmp_path / "data")
    before_a = (data / "lists" / "a.yaml").read_bytes()
    # b-02 is the only pledge of list b without a confirmed link: take its first request.
    result = cli("--data", str(data), "review", "--list", "b", "--by", "Awa", input="1\n")
    assert result.exit_code == 0, result
    assert "── 1/1 · b-02 ·" in result.stdout
    assert "1 lien(s) confirmé(s)" in result.stderr
    text = (data / "lists" / "b.yaml").read_text(encoding="utf-8")
    assert "        answers: [{request: r2, by: Awa}]" in text.splitlines()
    assert (data / "lists" / "a.yaml").read_bytes() == before_a
    assert not state_path(data, "journal").exists() and temps(data) == []
    assert cli("--data", str(data), "validate").exit_code == 0


def test_decisions_journaled_before_a_crash_go_to_the_files_of_their_pledges(cli, tmp_path):
    data = split_data(tmp_path / "data")
    # As a process killed after journaling two decisions (one per list file) before writing them,
    # by a version that kept the journal beside the data (now in the working folder): still replayed.
    (data / ".engagements.journal").write_text(
        '{"pledge": "a-02", "request": "r2", "accepted": true, "by": "Awa", "date": "2026-12-02"}\n'
        '{"pledge": "b-02", "request": "r1", "accepted": false, "by": null}\n',
        encoding="utf-8",
    )
    result = cli("--data", str(data), "review", input="q\n")
    assert result.exit_code == 0, result
    assert "2 décision(s) d’une revue interrompue" in result.stderr
    assert not (data / ".engagements.journal").exists()
    a_text = (data / "lists" / "a.yaml").read_text(encoding="utf-8")
    b_text = (data / "lists" / "b.yaml").read_text(encoding="utf-8")
    assert "answers: [{request: r2, by: Awa, date: 2026-12-02}]" in a_text
    assert "rejects: [r1]" in b_text and "r2" not in b_text
    assert cli("--data", str(data), "validate").exit_code == 0


# --- diff --git on a split directory ----------------------------------------------------------


def test_diff_git_lists_the_list_files_of_the_resolved_commit_even_with_unusual_names(cli, tmp_path):
    """The list files are listed with `ls-tree -z` on the commit id `rev-parse` resolved: a name
    git would quote (accent, space) is read, and a file added since that commit counts as added."""
    repo = tmp_path / "repo"
    data = split_data(repo / "data")
    (data / "lists" / "b.yaml").rename(data / "lists" / "é b.yaml")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args], check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "split")
    (data / "lists" / "c.yaml").write_text(list_file("c", "c"), encoding="utf-8")
    result = cli("--data", str(data), "diff", "--git", "HEAD", "--format", "json")
    assert result.exit_code == 0, result
    changes = json.loads(result.stdout)
    assert [(added["list"], added["pledges"]) for added in changes["lists_added"]] == [("c", 2)]
    # The pledges of « é b.yaml » were read at HEAD too: nothing added or removed besides list c.
    assert changes["pledges_added"] == changes["pledges_removed"] == changes["lists_removed"] == []
    unknown = cli("--data", str(data), "diff", "--git", "no-such-branch")
    assert unknown.exit_code != 0 and "révision git inconnue « no-such-branch »" in unknown.stderr
