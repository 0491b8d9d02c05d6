"""YAML syntax errors in plain French, the same whichever parser found them."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from engagements.yaml_french import explain

CASES = {
    "requests: [a, b\n": "crochet « [ » jamais refermé (lecture arrêtée ligne 2) : ajoutez « ] »",
    "requests: {a: 1\n": "accolade « { » jamais refermée (lecture arrêtée ligne 2) : ajoutez « } »",
    'requests:\n  - id: "a\n    title: b\n': "guillemet jamais refermé (lecture arrêtée ligne 4)",
    "requests:\n\t- id: a\n": "tabulation dans l’indentation : YAML n’accepte que des espaces",
    "requests:\n  - id: a\n    title: Note: x\n": "deux-points « : » inattendu",
    "requests:\n  - id: a\n    title\n    text: b\n": "deux-points « : » manquant après une clé",
    "requests:\n  - id: a\n   title: b\n": "indentation incohérente dans une liste",
    "requests:\n  - id: a\n - id: b\n": "indentation incohérente ou texte inattendu",
    'requests:\n  - id: "a" b\n': "indentation incohérente ou texte inattendu",
    "requests:\n  - id: @a\n": "caractère réservé en début de valeur (« @ ») : mettez la valeur entre guillemets",
    'requests:\n  - id: "a\\q"\n': "séquence « \\ » inconnue entre guillemets doubles",
    "requests: - a\n": "tiret « - » inattendu",
    "requests: *a\n": "alias YAML (*…) : les ancres et alias ne sont pas acceptés",
    "requests:\n  - text: |x\n      a\n": "bloc de texte (« | » ou « > ») mal commencé",
}


def _explained(error: Exception, text: str, *, give_char: bool) -> str:
    mark = error.problem_mark  # type: ignore[attr-defined]
    lines = text.split("\n")
    char = lines[mark.line][mark.column] if mark.line < len(lines) and mark.column < len(lines[mark.line]) else None
    return explain(
        error.problem,  # type: ignore[attr-defined]
        error.context,  # type: ignore[attr-defined]
        mark.line + 1,  # where the parser stopped: named for an unclosed quote or bracket
        char if give_char else None,
    )


@pytest.mark.parametrize(("text", "expected"), CASES.items())
def test_pure_python_parser_errors_in_french(text, expected):
    with pytest.raises(Exception) as caught:
        YAML(typ="rt").load(text)
    assert _explained(caught.value, text, give_char=False).startswith(expected)


@pytest.mark.parametrize(("text", "expected"), CASES.items())
def test_libyaml_errors_in_french_too(text, expected):
    yaml = pytest.importorskip("yaml")
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml")
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    assert _explained(caught.value, text, give_char=True).startswith(expected)


def test_an_unknown_message_is_kept_after_a_french_preamble():
    assert explain("something new", "while doing x") == "erreur de syntaxe YAML : something new (while doing x)"
