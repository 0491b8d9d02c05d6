"""`engagements requests` and `engagements lists` for people and scripts."""

from __future__ import annotations

import csv
import io
import json

from conftest import DATA
from engagements.tables import neutralise


def test_requests_as_json(cli):
    result = cli("--data", str(DATA), "requests", "--format", "json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
    assert len(rows) == 38
    q10 = [r for r in rows if r["number"] == "10"]
    assert [r["id"] for r in q10] == ["q10a", "q10b"]
    assert set(rows[0]) == {"id", "kind", "number", "axis", "title", "text", "keywords"}


def test_lists_as_csv(cli):
    result = cli("--data", str(DATA), "lists", "--format", "csv")
    assert result.exit_code == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["commitments"], r["links"], r["answered"]) for r in rows] == [
        ("aix-en-commun", "97", "94", "True"),
        ("programme-solidarite", "42", "26", "False"),
    ]


def test_lists_table_for_people(cli):
    result = cli("--data", str(DATA), "lists")
    assert result.exit_code == 0
    assert "aix-en-commun" in result.stdout and "Aix en commun" in result.stdout


def test_formula_cells_are_neutralised():
    assert neutralise("=HYPERLINK()") == "'=HYPERLINK()"
    assert neutralise("- Construire") == "'- Construire"
    assert neutralise("Construire") == "Construire"
    assert neutralise(3) == 3
