"""Start-up: each command imports only what it needs (which modules, not how long: see benchmarks/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA

HEAVY = ("numpy", "scipy", "ruamel.yaml", "openpyxl", "snowballstemmer", "Stemmer")
# Runs the CLI as the console script does, then says which heavy modules ended up loaded.
PROBE = """
import sys
sys.argv = ["engagements", *sys.argv[1:]]
from engagements.__main__ import run
try:
    run()
except SystemExit:
    pass
sys.stderr.write("LOADED " + " ".join(m for m in {heavy!r} if m in sys.modules) + "\\n")
"""


def loaded_after(args: list[str], cache: Path) -> tuple[set[str], str]:
    env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("ENGAGEMENTS_NO_CACHE", None)
    code = PROBE.format(heavy=(*HEAVY, "engagements.loading", "engagements.matching", "engagements.exports"))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    line = next(line for line in done.stderr.splitlines() if line.startswith("LOADED"))
    return set(line.split()[1:]), done.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["coverage", "--help"]])
def test_help_and_version_import_nothing_heavy(tmp_path, args):
    loaded, out = loaded_after(args, tmp_path)
    assert loaded == set(), loaded
    assert out


def test_cached_read_commands_import_no_yaml_parser_nor_numpy(tmp_path):
    """Once the data is checked and its coverage cached, reading it again needs no YAML parser,
    no numerics and no export code: only the cached JSON and the renderer."""
    data = ["--data", str(DATA)]
    first, out = loaded_after([*data, "coverage"], tmp_path)
    assert {"ruamel.yaml", "engagements.loading"} <= first  # the cold run did load and check
    assert {"numpy", "engagements.matching"} <= first and "scipy" not in first  # matched, numpy alone
    for command in (["coverage"], ["gaps"], ["lists"], ["requests"], ["coverage", "--format", "json"]):
        if command != ["coverage"] and command[0] == "coverage":
            loaded_after([*data, *command], tmp_path)  # fill this option's cache entry
        loaded, again = loaded_after([*data, *command], tmp_path)
        assert loaded == set(), (command, loaded)
        assert again
    _, cached_out = loaded_after([*data, "coverage"], tmp_path)
    assert cached_out == out  # the cached result is the same table


def test_validate_reads_and_checks_without_the_matcher(tmp_path):
    """validate parses with positions and checks quotes: no stemmer, no numerics, no exports."""
    loaded, _out = loaded_after(["--data", str(DATA), "validate"], tmp_path)
    assert loaded.isdisjoint({"numpy", "scipy", "openpyxl", "snowballstemmer", "Stemmer", "engagements.matching"}), loaded


@pytest.mark.parametrize(
    "command",
    [
        ["match", "--format", "json", "--request", "q1", "--min-score", "30"],
        ["match", "--format", "json", "--list", "programme-solidarite", "--no-links"],
        ["show", "q9", "--format", "json"],
        ["show", "aec-q1-01", "--format", "json"],
    ],
)
def test_a_cached_match_gives_what_matching_again_gives(cli, monkeypatch, tmp_path, command):
    """show, match and export read the matcher's result from the cache: the same as computing it."""
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    filled = cli("--data", str(DATA), *command)
    cached = cli("--data", str(DATA), *command)
    # main's one cached result of the matcher (`findings_for`), which replaced perf's `cached_match`.
    assert list((tmp_path / "cache").rglob("findings-*.json"))
    monkeypatch.setenv("ENGAGEMENTS_NO_CACHE", "1")
    fresh = cli("--data", str(DATA), *command)
    assert filled.exit_code == cached.exit_code == fresh.exit_code == 0
    assert cached.stdout == fresh.stdout == filled.stdout
    assert fresh.stdout.strip() not in ("", "[]")
