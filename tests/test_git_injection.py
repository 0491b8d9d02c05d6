"""`diff --git REF` never lets REF reach git as an option (issue 11)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from engagements import diffing
from test_write_transaction import small_data

ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    small_data(root / "data")  # small: each diff loads and matches two versions
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"]):
        subprocess.run(["git", *args], cwd=root, check=True, env={**ENV, "PATH": os.environ["PATH"]})
    return root


@pytest.mark.parametrize(
    "ref",
    [
        "--output=x",
        "--output=written",
        "-ox",
        "--textconv",
        "HEAD --output=x",
        "HEAD:data/requests.yaml",
        "HEAD\n--output=x",
        "main..HEAD",
        "",
    ],
)
def test_a_ref_that_is_an_option_is_refused_and_writes_nothing(cli, repo, monkeypatch, ref):
    monkeypatch.chdir(repo)
    result = cli("--data", "data", "diff", f"--git={ref}")
    assert result.exit_code == 2, result
    assert "révision git invalide" in result.stderr
    assert sorted(p.name for p in repo.iterdir()) == [".git", "data"]


@pytest.mark.parametrize("ref", ["--output=x", "--all", "-ox"])
def test_a_ref_that_is_an_option_reaches_git_only_after_end_of_options(repo, tmp_path, monkeypatch, ref):
    # The second line of defence, should `valid_ref` ever let an option through: git is told
    # that options have ended before it sees the revision.
    monkeypatch.setattr(diffing, "valid_ref", lambda ref: True)
    calls: list[list[str]] = []
    real_git = diffing._git

    def spy(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
        calls.append(args)
        return real_git(args, cwd)

    monkeypatch.setattr(diffing, "_git", spy)
    with pytest.raises(ValueError, match="révision git inconnue"):
        diffing.git_snapshot(repo / "data", ref, tmp_path)
    with_ref = [args for args in calls if any(ref in arg for arg in args)]
    assert with_ref, calls
    for args in with_ref:
        assert "--end-of-options" in args, args
        first = min(i for i, arg in enumerate(args) if ref in arg)
        assert args.index("--end-of-options") < first, args
    assert sorted(p.name for p in repo.iterdir()) == [".git", "data"] and not list(tmp_path.iterdir())


def test_the_option_form_of_the_issue_writes_no_file(cli, repo, monkeypatch):
    monkeypatch.chdir(repo)
    before = sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts)
    result = cli("--data", "data", "diff", "--git=--output=x")
    assert result.exit_code == 2
    assert not (repo / "x").exists() and not Path("x").exists()
    assert sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts) == before


def test_an_unknown_revision_is_a_usage_error(cli, repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = cli("--data", "data", "diff", "--git", "nosuchbranch")
    assert result.exit_code == 2
    assert "révision git inconnue « nosuchbranch »" in result.stderr


@pytest.mark.parametrize("ref", ["HEAD", "v1", "HEAD~0", "master@{0}"])
def test_ordinary_revisions_still_work(cli, repo, monkeypatch, ref):
    monkeypatch.chdir(repo)
    if ref.startswith("master"):
        branch = subprocess.run(["git", "branch", "--show-current"], cwd=repo, capture_output=True, text=True)
        ref = ref.replace("master", branch.stdout.strip())
    result = cli("--data", "data", "diff", "--git", ref)
    assert result.exit_code == 0, result
    assert result.stdout == "Aucun changement.\n"


def test_a_file_over_the_limit_is_refused_before_it_is_read(repo, tmp_path):
    with pytest.raises(ValueError, match="dépasse la taille permise"):
        diffing.git_snapshot(repo / "data", "HEAD", tmp_path, max_bytes=100)
    assert not list(tmp_path.iterdir())


def test_valid_ref():
    assert diffing.valid_ref("origin/main") and diffing.valid_ref("v1.0^") and diffing.valid_ref("abc123~2")
    assert not diffing.valid_ref("-h") and not diffing.valid_ref("a b") and not diffing.valid_ref("a:b")
