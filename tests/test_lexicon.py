"""The lexicon: phrases over stems, capital-only acronyms, articles skipped, domains; the shipped file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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


def test_the_compiled_lexicon_is_in_step_with_its_yaml():
    """The shipped JSON is what compiling the YAML gives now; if not, compile it again with
    `python -c "from engagements.lexicon import write_compiled; write_compiled()"`."""
    from engagements.lexicon import COMPILED_PATH, compile_lexicon

    assert json.loads(COMPILED_PATH.read_text(encoding="utf-8")) == compile_lexicon()


def test_the_shipped_lexicon_loads_without_parsing_yaml(tmp_path):
    """A cold start, with an empty cache, reads the compiled JSON: ruamel.yaml is never imported."""
    code = (
        "import sys; from engagements.lexicon import shipped_lexicon; "
        "lexicon = shipped_lexicon(); print(len(lexicon.phrases), 'ruamel.yaml' in sys.modules)"
    )
    env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    phrases, ruamel_loaded = out.split()
    assert int(phrases) == len(shipped_lexicon().phrases) > 1000
    assert ruamel_loaded == "False"
    assert not list(tmp_path.rglob("*.json"))  # nothing had to be compiled into the cache


def test_an_edited_lexicon_is_compiled_once_into_the_cache(tmp_path, monkeypatch):
    """A YAML that no longer matches its compiled JSON is parsed, then read from the cache."""
    from engagements import lexicon as lex

    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    yaml = tmp_path / "lexicon.yaml"
    yaml.write_text("groups:\n  - id: sdf\n    domain: logement\n    terms: [sans-abri, SDF]\n", encoding="utf-8")
    (tmp_path / "lexicon.json").write_text('{"key": "stale"}', encoding="utf-8")
    first = lex.shipped_lexicon.__wrapped__(yaml)
    assert first.acronyms == {"sdf": "sdf"} and first.domains == {"sdf": "logement"}
    cached = list((tmp_path / "cache").rglob("lexicon-*.json"))
    assert len(cached) == 1
    monkeypatch.setattr(lex, "compile_lexicon", lambda path: pytest.fail("compiled twice"))
    again = lex.shipped_lexicon.__wrapped__(yaml)
    assert again.phrases == first.phrases and again.acronyms == first.acronyms
