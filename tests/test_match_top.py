"""`engagements match --top K`: each pledge's K best requests whatever the floors (public interface)."""

from __future__ import annotations

import json
from collections import defaultdict

from conftest import DATA


def _json(cli, *args: str) -> list[dict]:
    result = cli("--data", str(DATA), "match", "--format", "json", *args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_top_k_lists_k_requests_per_pledge_best_first_with_score_and_level(cli):
    rows = _json(cli, "--top", "3")
    per_pledge: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        per_pledge[row["commitment"]].append(row)
    lists = json.loads(cli("--data", str(DATA), "lists", "--format", "json").stdout)
    assert len(per_pledge) == sum(lst["commitments"] for lst in lists)  # every pledge is ranked
    for pledge, ranked in per_pledge.items():
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1)), pledge
        assert len(ranked) == 3, pledge  # 38 requests, none rejected in the bundled data
        scores = [r["score"] for r in ranked]
        assert scores == sorted(scores, reverse=True), pledge
        for r in ranked:
            assert r["level"] in ("covered", "partial", None)
            assert set(r) >= {"list", "commitment", "request", "rank", "score", "level", "source", "why", "origin"}
    # Some pairs are under the floors: the ranking shows them, with no level.
    assert any(r["level"] is None for r in rows)


def test_a_ranked_pair_has_the_score_and_level_match_gives_it(cli):
    shown = {(r["commitment"], r["request"]): r for r in _json(cli)}
    ranked = _json(cli, "--top", "5")
    common = [r for r in ranked if (r["commitment"], r["request"]) in shown]
    assert len(common) > 100
    for r in common:
        s = shown[(r["commitment"], r["request"])]
        assert (r["score"], r["level"], r["source"]) == (s["score"], s["level"], s["source"])
    # A pair `match` does not suggest is under the floors in the ranking, never covered.
    for r in ranked:
        if (r["commitment"], r["request"]) not in shown:
            assert r["level"] is None, r


def test_top_respects_the_list_filter_without_changing_scores(cli):
    everything = {(r["commitment"], r["request"]): r["score"] for r in _json(cli, "--top", "3")}
    one_list = _json(cli, "--top", "3", "--list", "programme-solidarite")
    assert one_list and {r["list"] for r in one_list} == {"programme-solidarite"}
    for r in one_list:
        assert everything[(r["commitment"], r["request"])] == r["score"]


def test_top_in_the_table_and_its_bounds(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    result = cli("--data", str(DATA), "match", "--top", "2", "--list", "aix-en-commun")
    assert result.exit_code == 0, result
    assert "rang 1" in result.stdout and "sous le seuil" in result.stdout
    bad = cli("--data", str(DATA), "match", "--top", "0")
    assert bad.exit_code == 2
    assert "valeur invalide « 0 » pour --top" in bad.stderr


def test_without_the_encoder_the_matcher_says_once_that_semantic_scoring_is_off(cli, monkeypatch, tmp_path):
    import engagements.semantic as semantic

    monkeypatch.setattr(semantic, "available", lambda: False)
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "fresh-cache"))
    result = cli("--data", str(DATA), "coverage")
    assert result.exit_code == 0, result
    assert result.stderr.count("appariement sémantique désactivé") == 1
    ranked = cli("--data", str(DATA), "match", "--top", "1", "--format", "json")
    assert ranked.exit_code == 0 and ranked.stderr.count("appariement sémantique désactivé") == 1
