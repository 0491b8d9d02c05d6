"""The matrix as volunteers see it, from a phone-sized terminal to a wide screen."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from conftest import DATA


def matrix(cli, monkeypatch, columns: int, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("--data", str(DATA), "coverage", *args)
    assert result.exit_code == 0, result
    return result.stdout


def request_ids(cli, level: str) -> list[str]:
    payload = json.loads(cli("--data", str(DATA), "coverage", "--level", level, "--format", "json").stdout)
    return [r["id"] for r in payload["requests"]]


@pytest.mark.parametrize("columns", [60, 80, 120, 200])
@pytest.mark.parametrize("level", ["question", "demand"])
def test_the_matrix_fits_and_keeps_ids_and_french_punctuation_whole(cli, monkeypatch, columns, level):
    out = matrix(cli, monkeypatch, columns, "--level", level)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    # The candidate matrix, then the public partners' table (the bundled Contrat de ville), apart.
    title = next(i for i, line in enumerate(lines) if line.strip().startswith("Ce à quoi les partenaires"))
    ids = request_ids(cli, level)
    for part in (lines[:title], lines[title:]):
        table = [line for line in part if line.startswith("│")]
        first_cells = [line.split("│")[1].strip() for line in table]
        # Every id stands whole in the first column, on its row's first line: `show` takes it.
        assert [c for c in first_cells if c in ids] == ids
    first_cells = [line.split("│")[1].strip() for line in lines[:title] if line.startswith("│")]
    # The two questions numbered "10" in the letter are told apart by their ids.
    if level == "question":
        assert "q10a" in first_cells and "q10b" in first_cells
    # French punctuation stays with its word: no line ends with « or starts with » or %.
    for line in lines:
        for cell in line.split("│"):
            assert not cell.rstrip().endswith("«"), line
            assert not re.match(r"\s*[»%]", cell), line
    assert re.search(r"\d+/\d+ \(\d+ %\)", out)  # a share is never split before its %


def test_cells_are_not_stretched_on_a_wide_terminal(cli, monkeypatch):
    out = matrix(cli, monkeypatch, 200)
    header = next(line for line in out.splitlines() if line.startswith("┏"))
    widths = [len(part) for part in header.strip("┏┓").split("┳")]
    assert max(widths[2:]) <= 22, widths  # a list's column: its cell text, not a share of 200 columns
    assert len(header) < 140


def test_absent_is_bold_red_not_dim(cli, monkeypatch):
    from engagements.report import STYLES

    assert STYLES["absent"] == "bold red"
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = matrix(cli, monkeypatch, 100)
    assert "\x1b[1;31m○" in out  # bold red, readable on a dark background
    assert "\x1b[2;31m" not in out


def test_gaps_keep_their_indentation_when_a_title_wraps(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    lines = cli("--data", str(DATA), "gaps", "--level", "demand").stdout.splitlines()
    continued = 0
    for before, line in itertools.pairwise(lines):
        if before.startswith("    ") and before.lstrip()[:1] in "○◐●" and line.strip() and line.lstrip()[:1] not in "○◐●":
            if line.startswith("  ") and not line.startswith("    ") and line.rstrip().endswith(":"):
                continue  # the next section's heading
            assert line.startswith("    "), (before, line)  # a wrapped title stays under its first line
            continued += 1
    assert continued, "no title wraps at 60 columns: the test would prove nothing"
