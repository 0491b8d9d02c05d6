"""`engagements requests` and `engagements lists` for people and scripts."""

from __future__ import annotations

import csv
import io
import json

import yaml

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
    # The candidate lists of commitments.yaml first, then the public partners' Contrat de ville
    # (lists/contrat-de-ville.yaml, no confirmed link yet), marked by its kind.
    (contrat,) = yaml.safe_load((DATA / "lists" / "contrat-de-ville.yaml").read_text(encoding="utf-8"))["lists"]
    assert [(r["id"], r["commitments"], r["links"], r["answered"], r["kind"]) for r in rows] == [
        ("aix-en-commun", "97", "94", "True", "candidate"),
        ("programme-solidarite", "42", "26", "False", "candidate"),
        (contrat["id"], str(len(contrat["commitments"])), "0", "False", "institution"),
    ]
    # the kind comes last: the columns a script already reads keep their place
    assert next(csv.reader(io.StringIO(result.stdout))) == [
        "id", "name", "head", "commitments", "links", "answered", "sources", "kind",
    ]


def test_lists_without_an_institution_keep_their_columns(cli, candidate_copy):
    result = cli("--data", str(candidate_copy), "lists", "--format", "json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["aix-en-commun", "programme-solidarite"]
    assert all("kind" not in r for r in rows)
    titles = [line.strip() for line in cli("--data", str(candidate_copy), "lists").stdout.splitlines()[:2]]
    assert "Listes candidates" in titles


def test_lists_table_for_people(cli):
    result = cli("--data", str(DATA), "lists")
    assert result.exit_code == 0
    assert "aix-en-commun" in result.stdout and "Aix en commun" in result.stdout
    # the public partners' Contrat de ville in a table of its own, after the candidate lists
    candidates, _, partners = result.stdout.partition("Partenaires publics (institutions")
    assert "programme-solidarite" in candidates and "contrat-de-ville" not in candidates
    assert "contrat-de-ville" in partners and "aix-en-commun" not in partners


def test_formula_cells_are_neutralised():
    assert neutralise("=HYPERLINK()") == "'=HYPERLINK()"
    assert neutralise("- Construire") == "'- Construire"
    assert neutralise("Construire") == "Construire"
    assert neutralise(3) == 3
