"""engagements review: decisions on suggestions go into commitments.yaml, in one write."""

from __future__ import annotations

import json


def pending(cli, data, list_id):
    rows = json.loads(cli("--data", str(data), "match", "--format", "json", "--list", list_id).stdout)
    return [r for r in rows if r["source"] == "matcher"]


def test_interactive_review_accepts_rejects_and_skips(cli, data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    before = sorted(pending(cli, data_copy, "programme-solidarite"), key=lambda r: (-r["score"], r["commitment"], r["request"]))
    first, second = before[0], before[1]
    original = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    result = cli("--data", str(data_copy), "review", "--list", "programme-solidarite", "--by", "Awa", input="o\nr\np\nq\n")
    assert result.exit_code == 0, result
    assert "1 lien(s) confirmé(s), 1 rejeté(s)" in result.stderr
    after = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    changed = [line.strip() for line in after.splitlines() if line not in original.splitlines()]
    assert len(changed) == 2
    assert any(line.startswith("answers: [") and f"{{request: {first['request']}, by: Awa}}]" in line for line in changed)
    assert any(line.startswith("rejects: [") and f"{{request: {second['request']}, by: Awa}}]" in line for line in changed)
    left = pending(cli, data_copy, "programme-solidarite")
    assert (first["commitment"], first["request"]) not in {(r["commitment"], r["request"]) for r in left}
    assert (second["commitment"], second["request"]) not in {(r["commitment"], r["request"]) for r in left}
    assert cli("--data", str(data_copy), "validate").exit_code == 0


def test_bulk_accept_above_a_score(cli, data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    strong = [r for r in pending(cli, data_copy, "programme-solidarite") if r["score"] >= 90]
    assert strong
    dated_before = (data_copy / "commitments.yaml").read_text(encoding="utf-8").count("date: 2026-11-23}")
    result = cli(
        "--data", str(data_copy), "review", "--list", "programme-solidarite", "--accept-above", "90", "--date", "2026-11-23"
    )
    assert result.exit_code == 0, result
    text = (data_copy / "commitments.yaml").read_text(encoding="utf-8")
    # One date shared by many decisions must not come out as a YAML anchor and aliases.
    assert "&id" not in text and "*id" not in text
    assert text.count("date: 2026-11-23}") == dated_before + len(strong)
    assert f"{len(strong)} lien(s) confirmé(s), 0 rejeté(s)" in result.stderr
    links = json.loads(cli("--data", str(data_copy), "match", "--format", "json", "--list", "programme-solidarite").stdout)
    linked = {(r["commitment"], r["request"]) for r in links if r["source"] == "link"}
    assert {(r["commitment"], r["request"]) for r in strong} <= linked
