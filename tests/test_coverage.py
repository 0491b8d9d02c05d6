"""coverage, gaps and show on the bundled data: who covers what, and why."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DATA
from engagements.loading import load_directory

QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10a", "q10b", "q11"]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def links():
    data = load_directory(DATA).dataset
    out: dict[str, set[str]] = {}
    for lst in data.commitments.lists:
        for c in lst.commitments:
            for a in c.answers:
                out.setdefault((lst.id, a.request), set()).add(c.id)
    return out


def coverage_json(cli, *args):
    result = cli("--data", str(DATA), "coverage", "--format", "json", *args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_questions_are_the_rows_and_confirmed_links_are_behind_each_cell(cli, links):
    cov = coverage_json(cli)
    assert [r["id"] for r in cov["requests"]] == QUESTIONS
    assert [c["id"] for c in cov["lists"]] == ["aix-en-commun", "programme-solidarite"]
    cells = {(c["request"], c["list"]): c for c in cov["cells"]}
    for q in QUESTIONS:
        cell = cells[(q, "aix-en-commun")]
        assert cell["level"] == "covered"
        assert links[("aix-en-commun", q)] <= set(cell["covered"]), q
        other = cells[(q, "programme-solidarite")]
        assert links.get(("programme-solidarite", q), set()) <= set(other["covered"]), q
        assert cell["count"] == len(cell["covered"]) + len(cell["partial"])
    assert cells[("q9", "aix-en-commun")]["covered"] == ["aec-q9-01"]
    summary = {s["list"]: s for s in cov["summary"]}
    assert summary["aix-en-commun"] == {
        "list": "aix-en-commun",
        "covered": 12,
        "partial": 0,
        "absent": 0,
        "share": 1.0,
        "confirmed": 12,
    }


def test_the_unnamed_list_is_judged_by_the_matcher(cli):
    cov = coverage_json(cli)
    cells = {(c["request"], c["list"]): c for c in cov["cells"]}
    # Item 19 of its programme: "Créer une délégation à la lutte contre les discriminations."
    assert "sol-19-1" in cells[("q5", "programme-solidarite")]["covered"]
    (col,) = [c for c in cov["lists"] if c["id"] == "programme-solidarite"]
    assert col["answered"] is False
    assert all(c["list"] != "programme-solidarite" or not set(c["covered"]) & {"aec-q1-01"} for c in cov["cells"])


def test_no_links_shows_the_matcher_alone(cli):
    cov = coverage_json(cli, "--no-links")
    cells = {(c["request"], c["list"]): c for c in cov["cells"]}
    assert cells[("q9", "aix-en-commun")]["level"] in ("covered", "partial", "absent")
    summary = {s["list"]: s for s in cov["summary"]}
    assert summary["aix-en-commun"]["covered"] < 12


def test_demand_level_groups_fine_demands_by_axis(cli):
    cov = coverage_json(cli, "--level", "demand")
    axes = [r["axis"] for r in cov["requests"]]
    assert axes == sorted(axes) and set(axes) == {"a1", "a2", "a3"}
    assert len(cov["requests"]) == 26
    result = cli("--data", str(DATA), "coverage", "--level", "demand")
    assert "Axe a3 — Protection des" in result.stdout


def test_list_filter_picks_columns(cli):
    cov = coverage_json(cli, "--list", "programme-solidarite")
    assert [c["id"] for c in cov["lists"]] == ["programme-solidarite"]


def test_terminal_matrix_fits_80_columns_without_colour(cli):
    result = cli("--data", str(DATA), "coverage")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in result.stdout
    assert "Légende : ● couvert" in result.stdout
    assert re.search(r"Part couverte\s+│ 12/12 \(100 %\)", result.stdout)
    assert "Aix en commun" in result.stdout and "█" in result.stdout


def test_cache_never_shows_stale_results(cli, data_copy):
    before = json.loads(cli("--data", str(data_copy), "coverage", "--format", "json").stdout)
    path = data_copy / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("answers: [q9]", "answers: [q1]"), encoding="utf-8")
    after = json.loads(cli("--data", str(data_copy), "coverage", "--format", "json").stdout)

    def q1(cov):
        return next(c for c in cov["cells"] if c["request"] == "q1" and c["list"] == "aix-en-commun")

    assert "aec-q9-01" not in q1(before)["covered"]
    assert "aec-q9-01" in q1(after)["covered"]


def test_gaps_tell_silent_lists_from_lists_that_did_not_answer(cli):
    result = cli("--data", str(DATA), "gaps", "--format", "json")
    assert result.exit_code == 0, result
    gaps = json.loads(result.stdout)
    by_list = {g["list"]: g for g in gaps["lists"]}
    assert by_list["aix-en-commun"]["unanswered"] == []
    assert by_list["aix-en-commun"]["answered_collective"] is True
    assert by_list["programme-solidarite"]["answered_collective"] is False
    silent = {r["request"]: r["silent_lists"] for r in gaps["requests"]}
    assert all("aix-en-commun" not in lists for lists in silent.values())
    assert set(by_list["programme-solidarite"]["unanswered"]) == {q for q, lists in silent.items() if lists}
    text = cli("--data", str(DATA), "gaps").stdout
    assert "Cette liste n’a pas répondu au collectif" in text
    assert "Sans réponse (0)" in text


def test_show_a_request_quotes_pledges_with_their_source(cli):
    result = cli("--data", str(DATA), "show", "q9")
    assert result.exit_code == 0, result
    assert "« Soutenir les associations de traduction" in result.stdout
    assert "aec-q9-01 · couvert · ✔ confirmé" in result.stdout
    assert "ligne 601" in result.stdout


def test_show_a_pledge_lists_the_requests_it_answers(cli):
    result = cli("--data", str(DATA), "show", "aec-q1-01", "--format", "json")
    found = json.loads(result.stdout)
    assert found["kind"] == "commitment" and found["list"] == "aix-en-commun"
    assert found["provenance"]["line"] == 99
    assert found["requests"][0]["request"] == "q1" and found["requests"][0]["source"] == "link"


def test_show_unknown_id(cli):
    result = cli("--data", str(DATA), "show", "q12")
    assert result.exit_code == 2
    assert "demande ou engagement « q12 » inconnue" in result.stderr


def test_gaps_sheet_in_markdown_quotes_the_questions_to_ask(cli):
    result = cli("--data", str(DATA), "gaps", "--format", "md", "--list", "programme-solidarite")
    assert result.exit_code == 0, result
    md = result.stdout
    assert md.startswith("# Manques, liste par liste\n\n## Liste non identifiée (programme, chapitre « Solidarité »)\n")
    assert "Cette liste n’a pas répondu au collectif" in md
    assert "- ○ **9 — Apprentissage du français** : Sur l’’offre d’apprentissage et de formation au français" in md


def test_an_internal_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    import engagements.__main__ as entry
    import engagements.cli as cli_module

    def broken() -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli_module, "app", broken)
    monkeypatch.setattr("sys.argv", ["engagements", "coverage"])
    monkeypatch.delenv("ENGAGEMENTS_DEBUG", raising=False)
    monkeypatch.setenv("ENGAGEMENTS_LANG", "fr")  # run() sets the language for the whole process
    with pytest.raises(SystemExit) as exit_info:
        entry.run()
    assert exit_info.value.code == 70
    err = capsys.readouterr().err
    assert err.startswith("engagements: erreur interne (ZeroDivisionError: boom)")
    assert "Traceback" not in err


# The RELATIVE rule compares a suggestion with the pledge's best within the same kind of request:
# the letter files its migrant pledges under question 6 (confirmed links at 74–100), which must
# not hide them from the fine demand d3.13.
def test_aix_en_commun_is_not_silent_on_migrants(cli):
    cov = coverage_json(cli, "--level", "demand", "--request", "d3.13", "--list", "aix-en-commun")
    assert cov["cells"][0]["level"] != "absent"
