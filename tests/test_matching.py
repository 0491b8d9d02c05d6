"""The matcher: explained suggestions, confirmed and rejected links, teaching, determinism."""

from __future__ import annotations

import json

import pytest

from conftest import DATA
from engagements.lexicon import Lexicon
from engagements.matching import match, rank, semantic_alpha
from engagements.models import Dataset

REQUESTS = [
    {
        "id": "logement",
        "title": "Logement",
        "text": "Construire des logements sociaux et lutter contre le mal-logement",
    },
    {"id": "sante", "title": "Soins", "text": "Garantir l'accès aux soins des personnes précaires"},
    {"id": "numerique", "title": "Numérique", "text": "Accompagner les démarches en ligne face à la dématérialisation"},
]


def dataset(pledges, requests=REQUESTS) -> Dataset:
    return Dataset.model_validate(
        {
            "requests": {"requests": requests},
            "commitments": {"lists": [{"id": "l1", "name": "Liste", "commitments": pledges}]},
        }
    )


def test_suggestions_are_explained_and_ranked():
    data = dataset([{"id": "p1", "text": "Construire 500 logements sociaux par an"}])
    (best, *_rest) = match(data)
    assert (best.commitment, best.request, best.source, best.level) == ("p1", "logement", "matcher", "covered")
    assert 0 <= best.score <= 100
    # The words the lexicon recognises are shown once, as the concept they say.
    assert "construire" in best.why and "logements sociaux ≈ logement social" in best.why
    assert "logements" not in best.why


def test_lexicon_bridges_synonyms():
    lexicon = Lexicon({"sante": ["accès aux soins", "centre de santé", "médecins"]})
    data = dataset([{"id": "p1", "text": "Ouvrir un centre de santé avec des médecins salariés"}])
    without = [s.request for s in match(data, lexicon=Lexicon({}))]
    with_lexicon = match(data, lexicon=lexicon)
    assert "sante" not in without
    assert with_lexicon[0].request == "sante"
    assert "centre de santé ≈ accès aux soins" in with_lexicon[0].why  # the concept in plain French


def test_confirmed_links_are_covered_and_rejects_never_come_back():
    pledges = [
        {"id": "p1", "text": "Construire 500 logements sociaux par an", "answers": ["sante"], "rejects": ["logement"]},
    ]
    rows = match(dataset(pledges))
    assert [(s.request, s.level, s.source) for s in rows if s.request == "sante"] == [("sante", "covered", "link")]
    assert "logement" not in [s.request for s in rows]
    blind = match(dataset(pledges), use_links=False)
    assert [s.request for s in blind][:1] == ["logement"]
    assert all(s.source == "matcher" for s in blind)


def test_decision_metadata_travels_with_the_link():
    pledges = [{"id": "p1", "text": "Un texte", "answers": [{"request": "sante", "by": "Awa", "date": "2026-03-20"}]}]
    (row,) = [s for s in match(dataset(pledges)) if s.source == "link"]
    assert (row.by, row.date) == ("Awa", "2026-03-20")


def test_confirmed_links_teach_the_matcher():
    teacher = {"id": "p1", "text": "Créer une permanence d'écrivain public dans les mairies annexes"}
    student = {"id": "p2", "text": "Ouvrir une permanence d'écrivain public au centre social"}
    before = {s.request: s.score for s in match(dataset([teacher, student]), lists=["l1"]) if s.commitment == "p2"}
    teacher["answers"] = ["numerique"]
    after = {s.request: s.score for s in match(dataset([teacher, student])) if s.commitment == "p2"}
    assert after.get("numerique", 0) > before.get("numerique", 0)


def test_same_data_same_output():
    data = dataset(
        [
            {"id": f"p{i}", "text": t}
            for i, t in enumerate(["logements sociaux", "accès aux soins", "démarches en ligne"])
        ]
    )
    assert match(data) == match(data)


def test_match_cli_json_on_bundled_data(cli):
    result = cli("--data", str(DATA), "match", "--format", "json", "--list", "aix-en-commun", "--request", "q9")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
    links = [r for r in rows if r["source"] == "link"]
    assert [r["commitment"] for r in links] == ["aec-q9-01"]
    for row in rows:
        assert {"commitment", "request", "score", "level", "source", "why"} <= set(row)
        assert row["request"] == "q9" and row["list"] == "aix-en-commun"
        assert row["level"] in ("covered", "partial")


def test_match_cli_no_links_and_min_score(cli):
    result = cli("--data", str(DATA), "match", "--format", "json", "--no-links", "--min-score", "60")
    rows = json.loads(result.stdout)
    assert rows and all(r["source"] == "matcher" and r["score"] >= 60 for r in rows)


def test_match_cli_unknown_filter_is_a_usage_error(cli):
    result = cli("--data", str(DATA), "match", "--list", "aix-en-comun")
    assert result.exit_code == 2
    assert "liste « aix-en-comun » inconnue ; vouliez-vous dire « aix-en-commun » ?" in result.stderr


def test_feedback_lets_clear_matches_teach_abstract_requests(monkeypatch):
    from engagements import matching

    requests = [
        {"id": "soins", "title": "Soins", "text": "Garantir l'accès aux soins des personnes précaires"},
        {"id": "aeroport", "title": "Aéroport", "text": "Êtes-vous favorable à l'extension de l'aéroport ?"},
    ]
    pledges = [
        {
            "id": "p1",
            "text": "Garantir l'accès aux soins des précaires avec des centres de santé et des médecins salariés",
        },
        {"id": "p2", "text": "Ouvrir des centres de santé avec des médecins salariés dans chaque quartier"},
        {"id": "p3", "text": "Planter des arbres dans les cours d'école"},
    ]
    data = dataset(pledges, requests)
    empty = Lexicon({})
    with_feedback = {(s.commitment, s.request): s.score for s in match(data, lexicon=empty)}
    monkeypatch.setattr(matching, "FEEDBACK", 0)
    without = {(s.commitment, s.request): s.score for s in match(data, lexicon=empty)}
    assert with_feedback.get(("p2", "soins"), 0) > without.get(("p2", "soins"), 0)
    # Nothing answers the airport question: it learns nothing, and nothing is suggested for it.
    assert not [pair for pair in with_feedback if pair[1] == "aeroport"]


def _kinded(question_kind, demand_kind) -> Dataset:
    requests = [
        {
            "id": "q1",
            "title": "Logement",
            "text": "Construire des logements sociaux et lutter contre le mal-logement",
            "kind": question_kind,
        },
        {
            "id": "d1",
            "title": "Hébergement d'urgence",
            "text": "des places d'hébergement d'urgence pour les sans-abri",
            "kind": demand_kind,
        },
        {
            "id": "d2",
            "title": "Soins",
            "text": "Garantir l'accès aux soins des personnes précaires",
            "kind": demand_kind,
        },
    ]
    text = (
        "Construire 500 logements sociaux par an pour lutter contre le mal-logement, dont des places pour les sans-abri"
    )
    return dataset([{"id": "p1", "text": text}], requests)


@pytest.mark.parametrize("semantic", [False, None])
def test_relative_rule_compares_within_each_kind_of_request(semantic):
    if semantic is None and semantic_alpha(None) is None:
        pytest.skip("the sentence encoder is not installed")
    # One kind for all: the fine demand scores under 0.75 × the question's score and is dropped.
    flat = match(_kinded(None, None), semantic=semantic)
    assert [s.request for s in flat] == ["q1"]
    # A question and fine demands: the demand is compared with the best fine demand only.
    rows = match(_kinded("question", "demand"), semantic=semantic)
    assert [(s.request, s.level) for s in rows] == [("q1", "covered"), ("d1", "partial")]
    assert rows[1].score < 0.75 * rows[0].score
    # `rank` gives the same levels for the same pairs.
    ranked = {r.request: r.level for r in rank(_kinded("question", "demand"), semantic=semantic)}
    assert ranked == {"q1": "covered", "d1": "partial", "d2": None}
