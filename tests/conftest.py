"""Shared fixtures: the bundled data, writable copies of it, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from engagements.cli import app

# Tests never read or write the user's cache (subprocesses inherit this too).
os.environ["ENGAGEMENTS_CACHE_DIR"] = tempfile.mkdtemp(prefix="engagements-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = DATA / "sources"
# The tool's own working files in a data folder, never copied with the data.
IGNORE_NAMES = (".engagements", ".engagements.lock", ".engagements.journal", ".engagements.transaction")
IGNORE_STATE = shutil.ignore_patterns(*IGNORE_NAMES)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data directory."""
    target = tmp_path / "data"
    # A maintainer's own writes leave the tool's working folder in data/ (and older versions
    # their files beside the data): no part of the data.
    shutil.copytree(DATA, target, ignore=IGNORE_STATE)
    return target


def copy_candidate_data(target: Path) -> Path:
    """Copy the bundled data to `target` without its `lists/` folder: the candidate lists of
    commitments.yaml only, with requests.yaml and the sources (the layout before the public
    partners' Contrat de ville was read from lists/contrat-de-ville.yaml)."""
    def ignore(directory: str, names: list[str]) -> set[str]:
        top = {"lists"} if Path(directory) == DATA else set()
        return IGNORE_STATE(directory, names) | (top & set(names))

    shutil.copytree(DATA, target, ignore=ignore)
    return target


@pytest.fixture
def candidate_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data with its candidate lists only (see copy_candidate_data)."""
    return copy_candidate_data(tmp_path / "data")


def data_counts(directory: Path = DATA) -> tuple[int, int, int]:
    """(requests, lists, pledges) of a data folder, counted on the YAML itself (not through the
    tool's loader): requests.yaml, then commitments.yaml and lists/*.yaml, where they exist."""
    def read(path: Path) -> dict:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}

    requests = read(directory / "requests.yaml").get("requests", [])
    files = [directory / "commitments.yaml", *sorted((directory / "lists").glob("*.yaml"))]
    lists = [lst for path in files if path.is_file() for lst in read(path).get("lists", [])]
    return len(requests), len(lists), sum(len(lst["commitments"]) for lst in lists)


def record_count(directory: Path = DATA) -> int:
    """How many actions the folder's record/*.yaml hold, counted on the YAML itself."""
    files = sorted((directory / "record").glob("*.yaml"))
    return sum(len(yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader).get("actions", [])) for f in files)


Run = Callable[..., "Result"]


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout[:500]!r}, stderr={self.stderr[:500]!r})"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """Run the CLI in-process, from a folder without ./data, with stdout and stderr apart."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run
