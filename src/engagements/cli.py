"""The command line: parse arguments, call the core, print, choose the exit code.

Nothing else in the package prints or exits. Exit codes: 0 success, 1 invalid data,
2 usage error (unknown option, bad value).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .diagnostics import DiagnosticFormat, has_errors, render
from .i18n import _

if TYPE_CHECKING:
    from .models import Dataset
    from .tables import Table

# Heavy modules (pydantic, ruamel.yaml, scipy) are imported inside the commands that need
# them, so that `--help` and cached reports start fast.

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="engagements",
    help=_(
        "Suivi des engagements des listes candidates face aux demandes d’un collectif "
        "d’associations : validation des données, couverture, manques, exports."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        "-d",
        help=_("Dossier de données (requests.yaml, commitments.yaml). Par défaut ./data, sinon les données fournies."),
        file_okay=False,
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help=_("Langue des messages : fr ou en (par défaut selon LANG)."), show_default=False),
]
TableFormatOption = Annotated[
    TableFormat, typer.Option("--format", "-f", help=_("Format de sortie."), case_sensitive=False)
]


@app.callback()
def main(ctx: typer.Context, data: DataOption = None, lang: LangOption = None) -> None:
    """Options common to every command."""
    if lang is not None and lang not in ("fr", "en"):
        raise typer.BadParameter(_("langue inconnue « {lang} » (fr ou en)").format(lang=lang), param_hint="--lang")
    ctx.obj = {"data": data}


def _data_dir(ctx: typer.Context) -> Path:
    from .paths import default_data_dir

    chosen = (ctx.obj or {}).get("data")
    return chosen if chosen is not None else default_data_dir()


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    sys.stderr.write(f"engagements: {_('erreur')}: {message}\n")
    raise typer.Exit(code)


def _load(ctx: typer.Context) -> Dataset:
    """The data, loaded and checked; on errors print every diagnostic and exit 1.

    A data set that passed every check is kept in the cache (as JSON, keyed by the bytes of the
    files and of the sources): reading YAML with positions is the slow part, and it is only
    needed to point at problems.
    """
    from . import cache, loading
    from .checks import check
    from .models import Dataset

    directory = _data_dir(ctx)
    if not directory.is_dir():
        _fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    key = cache.data_key(directory, "dataset")
    cached = cache.read("dataset", key)
    if cached is not None:
        return Dataset.model_validate(cached)
    loaded = loading.load_directory(directory)
    loaded.diagnostics.extend(check(loaded))
    if has_errors(loaded.diagnostics) or loaded.dataset is None:
        _print_diagnostics(loaded.diagnostics, _auto_format())
        raise typer.Exit(EXIT_INVALID)
    cache.write("dataset", key, loaded.dataset.model_dump(mode="json", exclude_defaults=True))
    return loaded.dataset


def _auto_format() -> DiagnosticFormat:
    return DiagnosticFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else DiagnosticFormat.text


def _print_diagnostics(diagnostics: list, fmt: DiagnosticFormat) -> None:  # type: ignore[type-arg]
    if not diagnostics:
        return
    out = sys.stdout if fmt is DiagnosticFormat.json else sys.stderr
    out.write(render(diagnostics, fmt) + "\n")


def _print_json(value: object) -> None:
    """JSON for scripts on stdout: UTF-8 text as is, indented."""
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _emit_table(table: Table, fmt: TableFormat) -> None:
    from .tables import to_csv, to_json

    if fmt is TableFormat.json:
        sys.stdout.write(to_json(table) + "\n")
    elif fmt is TableFormat.csv:
        sys.stdout.write(to_csv(table))
    else:
        from .terminal import print_table

        print_table(table)


@app.command(help=_("Vérifier les données : syntaxe, types, identifiants, liens et citations."))
def validate(
    ctx: typer.Context,
    format: Annotated[
        DiagnosticFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=_("text : fichier:ligne:colonne ; github : annotations GitHub Actions ; json : pour les scripts."),
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help=_("Les avertissements font aussi échouer."))] = False,
) -> None:
    from . import loading
    from .checks import check

    fmt = format or _auto_format()
    directory = _data_dir(ctx)
    if not directory.is_dir():
        _fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    loaded = loading.load_directory(directory)
    diagnostics = loaded.diagnostics + check(loaded)
    failed = has_errors(diagnostics) or (strict and bool(diagnostics))
    if fmt is DiagnosticFormat.json:
        _print_diagnostics(diagnostics, fmt) if diagnostics else sys.stdout.write("[]\n")
    else:
        _print_diagnostics(diagnostics, fmt)
    if failed:
        raise typer.Exit(EXIT_INVALID)
    if fmt is DiagnosticFormat.text and loaded.dataset is not None:
        data = loaded.dataset
        n_pledges = sum(len(lst.commitments) for lst in data.commitments.lists)
        sys.stderr.write(
            _("{dir} : données valides ({requests} demandes, {lists} listes, {pledges} engagements).").format(
                dir=loading.display_path(directory),
                requests=len(data.requests.requests),
                lists=len(data.commitments.lists),
                pledges=n_pledges,
            )
            + "\n"
        )


@app.command("requests", help=_("Lister les demandes du collectif."))
def requests_cmd(ctx: typer.Context, format: TableFormatOption = TableFormat.table) -> None:
    from .tables import requests_table

    data = _load(ctx)
    _emit_table(requests_table(data), format)


@app.command("lists", help=_("Lister les listes candidates et leurs engagements."))
def lists_cmd(ctx: typer.Context, format: TableFormatOption = TableFormat.table) -> None:
    from .tables import lists_table

    data = _load(ctx)
    _emit_table(lists_table(data), format)


@app.command(help=_("Afficher le schéma JSON d’un fichier de données (pour les éditeurs)."))
def schema(
    which: Annotated[str, typer.Argument(help=_("requests ou commitments"))],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=_("Fichier à écrire (sinon la sortie standard)."))
    ] = None,
) -> None:
    from .schema import schema_text

    if which not in ("requests", "commitments"):
        _fail(_("schéma inconnu « {name} » : requests ou commitments").format(name=which), EXIT_USAGE)
    text = schema_text(which)
    if output is None:
        sys.stdout.write(text)
    else:
        from .writing import atomic_write

        atomic_write(output, text.encode("utf-8"))


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


class GapsFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class RequestLevel(StrEnum):
    question = "question"
    demand = "demand"
    all = "all"


ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help=_("Format de sortie."), case_sensitive=False)
]
ListFilter = Annotated[
    list[str] | None,
    typer.Option("--list", "-l", help=_("Seulement cette liste (option répétable)."), show_default=False),
]
RequestFilter = Annotated[
    list[str] | None,
    typer.Option("--request", "-r", help=_("Seulement cette demande (option répétable)."), show_default=False),
]
NoLinksOption = Annotated[
    bool,
    typer.Option("--no-links", help=_("Ignorer les liens confirmés et rejetés : ce que trouve l’appariement seul.")),
]
LevelOption = Annotated[
    RequestLevel,
    typer.Option(
        "--level",
        help=_("question : les questions posées aux listes ; demand : les demandes fines, par axe ; all : toutes."),
        case_sensitive=False,
    ),
]


def _check_ids(kind: str, wanted: list[str] | None, known: list[str]) -> None:
    """Unknown ids in a filter are a usage error, with a suggestion."""
    from .diagnostics import did_you_mean

    for value in wanted or []:
        if value not in known:
            _fail(_("{kind} « {id} » inconnue").format(kind=kind, id=value) + did_you_mean(value, known), EXIT_USAGE)


def _suggestion_rows(
    ctx: typer.Context, lists: list[str] | None, requests: list[str] | None, use_links: bool, min_score: int
) -> list[dict[str, Any]]:
    from .matching import match

    data = _load(ctx)
    _check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    _check_ids(_("demande"), requests, [r.id for r in data.requests.requests])
    texts = {c.id: c.text for lst in data.commitments.lists for c in lst.commitments}
    titles = {r.id: r.title for r in data.requests.requests}
    rows = []
    for s in match(data, use_links=use_links, lists=lists, requests=requests, min_score=min_score):
        row = s.as_dict()
        row["commitment_text"] = texts[s.commitment]
        row["request_title"] = titles.get(s.request, "")
        rows.append(row)
    return rows


@app.command(help=_("Suggérer les demandes auxquelles répond chaque engagement, avec un score et pourquoi."))
def match(
    ctx: typer.Context,
    lists: ListFilter = None,
    requests: RequestFilter = None,
    min_score: Annotated[
        int, typer.Option("--min-score", min=0, max=100, help=_("Score minimum (0–100) des suggestions."))
    ] = 0,
    no_links: NoLinksOption = False,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    rows = _suggestion_rows(ctx, lists, requests, not no_links, min_score)
    if format is ReportFormat.json:
        _print_json(rows)
        return
    from .report import make_console, suggestions_table

    console = make_console()
    if not rows:
        console.print(_("Aucun lien ni suggestion."))
        return
    console.print(suggestions_table(rows))


def _coverage(ctx: typer.Context, level: RequestLevel, lists: list[str] | None, use_links: bool):  # type: ignore[no-untyped-def]
    """The coverage matrix, from the cache when the data has not changed since it was computed."""
    from . import cache
    from .coverage import Coverage

    directory = _data_dir(ctx)
    key = cache.data_key(directory, "coverage", level.value, ",".join(lists or []), str(use_links))
    cached = cache.read("coverage", key)
    if cached is not None:
        return Coverage.from_dict(cached)
    from .coverage import build
    from .matching import match as run_match

    data = _load(ctx)
    _check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    result = build(data, run_match(data, use_links=use_links, lists=lists), level.value, lists)
    cache.write("coverage", key, result.to_dict())
    return result


@app.command(help=_("Qui couvre quoi : la matrice demandes × listes (commande principale)."))
def coverage(
    ctx: typer.Context,
    level: LevelOption = RequestLevel.question,
    lists: ListFilter = None,
    no_links: NoLinksOption = False,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    result = _coverage(ctx, level, lists, not no_links)
    if format is ReportFormat.json:
        _print_json(result.to_dict())
        return
    from .report import coverage_table, make_console

    make_console().print(coverage_table(result))


@app.command(help=_("Les manques : demandes sans réponse ou en partie, par liste ; listes silencieuses, par demande."))
def gaps(
    ctx: typer.Context,
    level: LevelOption = RequestLevel.question,
    lists: ListFilter = None,
    no_links: NoLinksOption = False,
    format: Annotated[
        GapsFormat,
        typer.Option(
            "--format",
            "-f",
            help=_("table : pour l’écran ; md : la feuille à imprimer ; json : pour les scripts."),
            case_sensitive=False,
        ),
    ] = GapsFormat.table,
) -> None:
    from .coverage import gaps as find_gaps

    result = _coverage(ctx, level, lists, not no_links)
    found = find_gaps(result)
    if format is GapsFormat.md:
        from .exports import gaps_markdown

        sys.stdout.write(gaps_markdown(result, found))
        return
    if format is GapsFormat.json:
        answered = {c.id: c.answered for c in result.columns}
        payload = {
            "level": result.level,
            "lists": [
                {
                    "list": list_id,
                    "answered_collective": answered[list_id],
                    "unanswered": found.unanswered[list_id],
                    "partial": found.partial[list_id],
                }
                for list_id in found.unanswered
            ],
            "requests": [{"request": rid, "silent_lists": silent} for rid, silent in found.silent.items()],
        }
        _print_json(payload)
        return
    from .report import gaps_view, make_console

    make_console().print(gaps_view(result, found))


@app.command(help=_("Détail d’une demande (les engagements qui y répondent, liste par liste) ou d’un engagement."))
def show(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ID", help=_("Identifiant d’une demande ou d’un engagement."))],
    no_links: NoLinksOption = False,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    from .details import details

    data = _load(ctx)
    found = details(data, item, use_links=not no_links)
    if found is None:
        known = [r.id for r in data.requests.requests] + [
            c.id for lst in data.commitments.lists for c in lst.commitments
        ]
        _check_ids(_("demande ou engagement"), [item], known)
        return
    if format is ReportFormat.json:
        _print_json(found)
        return
    from .report import details_view, make_console

    make_console().print(details_view(found))


# Commands defined in their own modules register themselves on `app` when imported.
from . import cli_edit, cli_export, cli_import  # noqa: F401
