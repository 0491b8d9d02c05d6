"""French normalisation: the matcher compares stems, not spellings."""

from __future__ import annotations

import pytest

from engagements.french import clean, fold, stem, tokens


def stems(text: str) -> list[str]:
    return [s for s, _w in tokens(text)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("les élu·es", "les élu"),
        ("les habitant.es", "les habitant"),
        ("tou.te.s", "tou"),
        ("les candidat-e-s", "les candidat"),
        ("médiateur·rices et chercheur·euses", "médiateur et chercheur"),
        ("professionnel·les", "professionnel"),
        ("Aix-en-Provence", "Aix-en-Provence"),
        ("sans-abris", "sans-abris"),
    ],
)
def test_inclusive_writing_is_reduced_to_the_base_word(raw, expected):
    assert clean(raw) == expected


def test_elisions_and_apostrophes():
    assert stems("l’accès d'urgence qu’ils") == ["acces", "urgenc"]


def test_ligature_artefacts_are_repaired():
    assert clean("les eJectifs et l’oOre") == "les effectifs et  offre"
    assert stem("eJectifs") != stem("effectifs")  # stem() alone does not repair: clean() does
    assert stems("eJectifs") == stems("effectifs")


def test_case_and_accents_fold_and_plurals_meet():
    assert fold("Hébergement d’Urgence") == "hebergement d’urgence"
    assert stems("Logements sociaux") == stems("logement social")
    assert stems("Hébergements") == stems("hebergement")


def test_acronyms_stay_whole_and_stopwords_go():
    assert stems("le CCAS et les AESH dans une école") == ["ccas", "aesh", "ecol"]


def test_the_c_stemmer_and_the_pure_python_one_give_the_same_stems_on_the_bundled_texts():
    # PyStemmer is used when installed and snowballstemmer otherwise: a matcher whose scores
    # depend on which one is installed would not be the same tool everywhere.
    import re

    Stemmer = pytest.importorskip("Stemmer")
    from snowballstemmer.french_stemmer import FrenchStemmer

    from conftest import DATA

    words = sorted(
        {w for f in DATA.rglob("*.yaml") for w in re.findall(r"[^\W\d_]+", f.read_text(encoding="utf-8").lower())}
    )
    assert len(words) > 3000
    c, python = Stemmer.Stemmer("french"), FrenchStemmer()
    assert [w for w in words if c.stemWord(w) != python.stemWord(w)] == []
