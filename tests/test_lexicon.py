"""The lexicon: phrases over stems, capital-only acronyms, articles skipped, domains; the shipped file."""

from __future__ import annotations

from engagements.french import stem, words
from engagements.lexicon import Lexicon, shipped_lexicon
from engagements.matching import CONCEPT_PREFIX, DOMAIN_PREFIX, analyze


def concepts(lexicon: Lexicon, text: str) -> list[str]:
    ws = words(text)
    return [h.concept for h in lexicon.find([stem(w) for w in ws], ws)]


def test_acronyms_match_only_in_capitals():
    lexicon = Lexicon({"ame": ["AME", "aide médicale d'État"]})
    assert concepts(lexicon, "L'AME pour tous") == ["ame"]
    assert concepts(lexicon, "une âme charitable") == []
    assert concepts(lexicon, "l'aide médicale d'État") == ["ame"]


def test_articles_inside_phrases_are_skipped_and_longest_phrase_wins():
    lexicon = Lexicon({"cirque": ["spectacles avec animaux"], "abri": ["mise à l'abri", "abri"]})
    assert concepts(lexicon, "interdire les spectacles avec des animaux") == ["cirque"]
    assert concepts(lexicon, "la mise à l'abri des familles") == ["abri"]


def test_concepts_and_domains_become_tokens():
    lexicon = Lexicon({"sdf": ["sans-abri", "SDF"]}, {"sdf": "sans-abrisme"})
    analysis = analyze("Loger les SDF", lexicon)
    assert analysis.counts[CONCEPT_PREFIX + "sdf"] == 1
    assert DOMAIN_PREFIX + "sans-abrisme" in analysis.counts


def test_the_shipped_lexicon_is_consistent():
    lexicon = shipped_lexicon()
    assert len(lexicon.groups) >= 300
    assert set(lexicon.domains) == set(lexicon.groups)
    assert set(lexicon.domains.values()) <= set(lexicon.titles)
    # The social-policy vocabulary the issue names is there.
    for text, concept_word in [("personnes à la rue", "sans-abri"), ("le 115", "hebergement"), ("les ATSEM", "atsem")]:
        found = concepts(lexicon, text)
        assert any(concept_word in c for c in found), (text, found)
