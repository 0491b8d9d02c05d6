"""YAML syntax errors explained in plain French, for maintainers who are not YAML experts.

The parsers (libyaml, and ruamel.yaml's pure-Python one) describe a mistake in their own terms:
"did not find expected key (while parsing a block mapping)", "mapping values are not allowed
here". This module turns those into what to do ("indentation incohérente…", "mettez la valeur
entre guillemets"). It recognises the messages of both parsers, which word the same mistakes
differently; an unknown message is kept, after a French preamble, rather than lost.
"""

from __future__ import annotations

import re

from .i18n import N_, _

# (pattern on "problem", pattern on "context" or None, message). First match wins.
_RULES: tuple[tuple[str, str | None, str], ...] = (
    (r"',' or '\]'", None, N_("crochet « [ » jamais refermé{where} : ajoutez « ] »")),
    (r"',' or '\}'", None, N_("accolade « {{ » jamais refermée{where} : ajoutez « }} »")),
    (r"end of stream", r"quoted scalar", N_("guillemet jamais refermé{where}")),
    (
        r"unknown escape character",
        None,
        N_(
            "séquence « \\ » inconnue entre guillemets doubles : doublez la barre oblique inverse, "
            "ou mettez le texte entre guillemets simples"
        ),
    ),
    (
        r"could not find expected ':'",
        None,
        N_("deux-points « : » manquant après une clé (ou texte sur plusieurs lignes sans guillemets)"),
    ),
    (
        r"mapping values are not allowed",
        None,
        N_(
            "deux-points « : » inattendu : une valeur qui contient « : » doit être entre guillemets, "
            "ou l’indentation de cette ligne est incohérente"
        ),
    ),
    (
        r"sequence entries are not allowed",
        None,
        N_("tiret « - » inattendu : un élément de liste commence sur sa propre ligne, sous sa clé"),
    ),
    (
        r"expected '-' indicator|but found '<block mapping start>'",
        r"block collection",
        N_("indentation incohérente dans une liste : chaque élément commence par « - », aligné sur les autres"),
    ),
    (
        r"did not find expected key|expected <block end>",
        r"block mapping",
        N_(
            "indentation incohérente ou texte inattendu : les clés d’un même bloc doivent être alignées, "
            "et une valeur suivie d’autre texte doit être entre guillemets"
        ),
    ),
    (r"'\\t'", None, N_("tabulation dans l’indentation : YAML n’accepte que des espaces")),
    (
        r"cannot start any token",
        None,
        N_("caractère réservé en début de valeur ({char}) : mettez la valeur entre guillemets"),
    ),
    (
        r"undefined alias",
        None,
        N_("alias YAML (*…) : les ancres et alias ne sont pas acceptés, recopiez la valeur"),
    ),
    (
        r"alphabetic or numeric character",
        r"anchor|alias",
        N_(
            "ancre ou alias YAML (& ou *) mal formé : les ancres et alias ne sont pas acceptés, "
            "et une valeur qui commence par & ou * doit être entre guillemets"
        ),
    ),
    (
        r"comment or line break|chomping or indentation",
        r"block scalar",
        N_("bloc de texte (« | » ou « > ») mal commencé : rien d’autre que « | » ou « > » sur la ligne de la clé"),
    ),
    (
        r"incompatible YAML document",
        None,
        N_("version de YAML non prise en charge (directive %YAML) : retirez-la"),
    ),
    (r"expected the node content|expected node content", None, N_("valeur attendue ici")),
)


def explain(
    problem: str | None, context: str | None = None, stop_line: int | None = None, found: str | None = None
) -> str:
    """The French explanation of a parser's `problem` (and `context`).

    An unclosed quote or bracket is reported at its opening; `stop_line` (1-based) is then the
    line where the parser gave up, named in the message when known. `found` is the character
    at the problem's position, when the caller has the text: libyaml does not name it.
    """
    problem = problem or ""
    context = context or ""
    if found is None:
        named = re.search(r"character '(.+?)'", problem)
        found = named.group(1).encode().decode("unicode_escape") if named else None
    if found == "\t" and "cannot start any token" in problem:
        problem = "'\\t'"
    where = _(" (lecture arrêtée ligne {line})").format(line=stop_line) if stop_line else ""
    char = f"« {found} »" if found and found.isprintable() else _("caractère inattendu")
    for pattern, context_pattern, message in _RULES:
        if re.search(pattern, problem) and (context_pattern is None or re.search(context_pattern, context)):
            return _(message).format(where=where, char=char)
    return _("erreur de syntaxe YAML : {problem}{context}").format(
        problem=problem, context=f" ({context})" if context else ""
    )
