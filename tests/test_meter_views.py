"""Every view follows a recorded verdict: coverage (table and JSON) and gaps (table, md, JSON)
show the meter of the confirmed pledges behind each cell, and a correcting entry moves them all.
With no verdict recorded (the bundled data), the forms are the ones from before the meter."""

from __future__ import annotations

import json

from engagements.coverage import METER_STATUSES
from engagements.models import STATUSES


def _rate(cli, data, pledge: str, status: str, date: str, *extra: str) -> None:
    result = cli(
        "--data", str(data), "rate", pledge, status, "--date", date,
        "--source", "Conseil municipal", "--url", "https://example.org/cm", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def _json(cli, data, *args: str) -> dict:
    result = cli("--data", str(data), *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_meter_statuses_are_the_models(cli):
    assert METER_STATUSES == STATUSES


def test_without_verdicts_no_meter_key_nor_line(cli):
    cov = json.loads(cli("coverage", "--format", "json").stdout)
    assert "verdicts" not in cov
    assert all("statuses" not in c for c in cov["cells"])
    gaps = json.loads(cli("gaps", "--format", "json").stdout)
    assert all("broken" not in entry for entry in gaps["lists"])
    assert "Suivi" not in cli("coverage").stdout
    assert "rompus" not in cli("gaps", "--format", "md").stdout


def test_every_view_follows_the_verdict_then_its_correction(cli, data_copy):
    _rate(cli, data_copy, "aec-q1-01", "rompu", "2026-10-01")
    _rate(cli, data_copy, "sol-12-3", "tenu", "2026-10-02")

    cov = _json(cli, data_copy, "coverage")
    cells = {(c["request"], c["list"]): c for c in cov["cells"]}
    q1 = cells[("q1", "aix-en-commun")]
    assert "aec-q1-01" in q1["confirmed"]
    assert q1["statuses"]["broken"] == 1
    assert sum(q1["statuses"].values()) == q1["confirmed_count"]
    assert cells[("q1", "programme-solidarite")]["statuses"]["kept"] == 1
    # The per-list meter is the one `status` counts.
    status = _json(cli, data_copy, "status")
    by_list = {m["list"]: m["counts"] for m in status["lists"]}
    for row in cov["summary"]:
        assert row["statuses"] == by_list[row["list"]]

    table = cli("--data", str(data_copy), "coverage").stdout
    assert f"1 rompu sur {q1['confirmed_count']}" in table
    assert "Suivi : 1 rompu" in table

    gaps = _json(cli, data_copy, "gaps")
    broken = {e["list"]: e["broken"] for e in gaps["lists"]}
    assert [(b["request"], b["pledge"], b["status"], b["date"]) for b in broken["aix-en-commun"]] == [
        ("q1", "aec-q1-01", "broken", "2026-10-01")
    ]
    assert broken["aix-en-commun"][0]["url"] == "https://example.org/cm"
    assert broken["programme-solidarite"] == []
    md = cli("--data", str(data_copy), "gaps", "--format", "md").stdout
    assert "### Promis puis rompus (1)" in md
    assert "aec-q1-01 : rompu le 2026-10-01 (Conseil municipal · https://example.org/cm)" in md
    assert "aec-q1-01" in cli("--data", str(data_copy), "gaps").stdout

    # A correcting entry: the pledge is kept after all, and every view says so.
    _rate(cli, data_copy, "aec-q1-01", "tenu", "2026-10-03", "--corrects", "1")
    cov = _json(cli, data_copy, "coverage")
    q1 = next(c for c in cov["cells"] if (c["request"], c["list"]) == ("q1", "aix-en-commun"))
    assert (q1["statuses"]["broken"], q1["statuses"]["kept"]) == (0, 1)
    assert _json(cli, data_copy, "gaps")["lists"][0]["broken"] == []
    table = cli("--data", str(data_copy), "coverage").stdout
    assert "rompu" not in table and f"1 tenu sur {q1['confirmed_count']}" in table
    assert "Promis puis rompus" not in cli("--data", str(data_copy), "gaps", "--format", "md").stdout
    show = _json(cli, data_copy, "show", "aec-q1-01")
    assert show["status"] == "kept"


def test_brief_cites_each_rated_pledge_with_its_verdict(cli, data_copy):
    plain = cli("--data", str(data_copy), "brief", "aix-en-commun", "--format", "md").stdout
    assert "Suivi" not in plain
    _rate(cli, data_copy, "aec-q1-01", "rompu", "2026-10-01")
    verdict = "Suivi : rompu le 2026-10-01 (Conseil municipal · https://example.org/cm)"
    md = cli("--data", str(data_copy), "brief", "aix-en-commun", "--format", "md").stdout
    cited = [line for line in md.splitlines() if "Construire 450 logements sociaux" in line]
    assert cited and all(line.endswith(verdict) for line in cited)
    html = cli("--data", str(data_copy), "brief", "aix-en-commun", "--format", "html").stdout
    assert verdict in html
    _rate(cli, data_copy, "aec-q1-01", "tenu", "2026-10-03", "--corrects", "1")
    md = cli("--data", str(data_copy), "brief", "aix-en-commun", "--format", "md").stdout
    assert "Suivi : tenu le 2026-10-03" in md and "rompu" not in md


def _with_list_fields(data, fields: str) -> None:
    path = data / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  - id: aix-en-commun\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + fields, 1), encoding="utf-8")


def test_lists_show_an_election_and_a_reply(cli, data_copy):
    assert "elected" not in cli("--data", str(data_copy), "lists", "--format", "csv").stdout
    _with_list_fields(
        data_copy,
        "    elected: {date: 2026-03-22, round: 2}\n    reply: {confirmed_by: Awa, date: 2026-04-01}\n",
    )
    result = cli("--data", str(data_copy), "lists", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert (rows["aix-en-commun"]["elected"], rows["aix-en-commun"]["reply"]) == ("2026-03-22", "Awa le 2026-04-01")
    assert rows["programme-solidarite"]["elected"] is None


def test_an_election_in_the_future_or_on_an_unknown_source_is_an_error(cli, data_copy):
    _with_list_fields(data_copy, "    elected: {date: 2999-03-22, source: resultats}\n")
    text = (data_copy / "commitments.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, start=1) if "2999-03-22" in t)
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    errors = [e for e in result.stderr.splitlines() if "commitments.yaml:" in e]
    assert any(e.split("commitments.yaml:")[1].startswith(f"{line}:") and "dans le futur" in e for e in errors)
    assert any("source « resultats » inconnue" in e for e in errors)
