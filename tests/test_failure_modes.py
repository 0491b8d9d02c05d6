"""Known failure modes of a lexical matcher, each handled: refusals, stem collisions, thin
evidence, explanations with internal tokens, rejected links that do not teach."""

from __future__ import annotations

import re

import pytest

from engagements.french import negated, stem, words
from engagements.lexicon import Lexicon, shipped_lexicon
from engagements.matching import concept_name, match, rank
from engagements.models import Dataset


def data(requests, pledges, kind="answer") -> Dataset:
    return Dataset.model_validate(
        {
            "requests": {"requests": requests},
            "commitments": {
                "sources": [{"id": "s", "title": "Lettre", "kind": kind}],
                "lists": [{"id": "l", "name": "L", "sources": ["s"], "commitments": pledges}],
            },
        }
    )


def scores(rows) -> dict[tuple[str, str], int]:
    return {(s.commitment, s.request): s.score for s in rows}


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Ne pas subventionner la chasse", ["subventionner", "chasse"]),
        ("Nous ne subventionnerons plus la corrida.", ["subventionnerons", "corrida"]),
        ("Refuser toute extension de l'aéroport, mais soutenir le train", ["extension", "aéroport"]),
        ("Dire non à la vidéosurveillance", ["vidéosurveillance"]),
        ("Refuser les expulsions et construire des logements", ["expulsions"]),
        ("Construire des logements sociaux", []),
    ],
)
def test_negation_scope(text, refused):
    content = [w for w, neg in zip(words(text), negated(text), strict=True) if neg and len(w) > 3]
    assert [w for w in content if w not in ("pour", "toute", "plus")] == refused


def test_a_refusal_does_not_answer_a_request_for_the_thing_refused():
    requests = [
        {"id": "chasse", "title": "Chasse", "text": "Subventionner les associations de chasse"},
        {"id": "stop", "title": "Fin des subventions", "text": "Ne plus subventionner la chasse"},
    ]
    pledges = [
        {"id": "refus", "text": "Ne pas subventionner la chasse"},
        {"id": "pour", "text": "Subventionner la chasse et les chasseurs"},
    ]
    s = scores(match(data(requests, pledges), lexicon=Lexicon({}), semantic=False))
    assert s.get(("refus", "stop"), 0) > s.get(("refus", "chasse"), 0)
    assert s.get(("pour", "chasse"), 0) > s.get(("pour", "stop"), 0)
    assert ("refus", "chasse") not in s or s[("refus", "chasse")] < 45


@pytest.mark.parametrize(
    ("a", "b"),
    [("établir", "établissements"), ("communication", "commune"), ("commun", "commune")],
)
def test_known_stem_collisions_are_kept_apart(a, b):
    assert stem(a) != stem(b)


@pytest.mark.parametrize(("a", "b"), [("subventionner", "subventions"), ("communication", "communiquer")])
def test_one_family_one_stem(a, b):
    assert stem(a) == stem(b)


def test_a_shared_domain_and_one_word_is_never_covered():
    lexicon = Lexicon({"sante": ["médecins"], "hopital": ["hôpital"]}, {"sante": "s", "hopital": "s"}, {"s": "Santé"})
    requests = [{"id": "r", "title": "Hôpital", "text": "Rénover l'hôpital de la ville"}]
    pledges = [{"id": "p", "text": "Installer des médecins dans la ville"}]
    rows = match(data(requests, pledges), lexicon=lexicon, semantic=False)
    assert all(s.level != "covered" for s in rows)


def test_why_is_plain_french_on_the_bundled_data():
    from conftest import DATA
    from engagements.loading import load_directory

    loaded = load_directory(DATA)
    assert loaded.dataset is not None
    rows = match(loaded.dataset, use_links=False)
    internal = re.compile(r"[§¤¬\[\]]")
    names = {concept_name(shipped_lexicon(), g) for g in shipped_lexicon().groups}
    titles = set(shipped_lexicon().titles.values())
    for s in rows:
        for item in s.why:
            assert not internal.search(item), (s, item)
            if " ≈ " in item:  # a concept is named by a term of its group, never by its id
                assert item.split(" ≈ ")[1] in names, (s, item)
            if item.startswith("thème : "):
                assert item.removeprefix("thème : ") in titles, (s, item)
    assert any("thème : " in w for s in rows for w in s.why)


def test_rejected_links_push_the_request_away_from_that_pledges_words():
    requests = [
        {"id": "sante", "title": "Santé", "text": "Accès aux soins et prévention"},
        {"id": "sport", "title": "Sport", "text": "Équipements sportifs et prévention"},
    ]
    pledges = [
        {"id": "p1", "text": "Rénover les gymnases des quartiers et la prévention routière"},
        {"id": "p2", "text": "Rénover les gymnases municipaux et la prévention des chutes"},
    ]

    def ranked():
        return {
            (r.commitment, r.request): r.score
            for r in rank(data(requests, pledges), top=2, lexicon=Lexicon({}), semantic=False)
        }

    before = ranked()
    pledges[0]["rejects"] = ["sante"]
    after = ranked()
    assert ("p1", "sante") not in after
    assert 0 < after[("p2", "sante")] < before[("p2", "sante")]


def test_confirmed_links_weigh_more_than_feedback(monkeypatch):
    from engagements import matching

    requests = [
        {"id": "num", "title": "Numérique", "text": "Accompagner les démarches en ligne"},
        {"id": "log", "title": "Logement", "text": "Construire des logements sociaux"},
    ]
    pledges = [
        {"id": "t", "text": "Ouvrir une permanence d'écrivain public dans les mairies annexes", "answers": ["num"]},
        {"id": "s", "text": "Une permanence d'écrivain public au centre social"},
    ]
    taught = scores(match(data(requests, pledges), lexicon=Lexicon({}), semantic=False))[("s", "num")]
    monkeypatch.setattr(matching, "TEACHING_WEIGHT", matching.FEEDBACK_WEIGHT)
    weak = scores(match(data(requests, pledges), lexicon=Lexicon({}), semantic=False)).get(("s", "num"), 0)
    assert taught > weak


def test_the_cheap_negation_test_never_misses_a_scope():
    from conftest import DATA
    from engagements.french import _scan_negations
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    assert data is not None
    texts = [c.text for lst in data.commitments.lists for c in lst.commitments]
    texts += [r.text for r in data.requests.requests]
    assert any(any(negated(t)) for t in texts)
    for t in texts:
        assert negated(t) == _scan_negations(t) and len(negated(t)) == len(words(t)), t
