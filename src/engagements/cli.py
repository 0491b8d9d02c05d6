"""The command line: parse arguments, call the core, print, choose the exit code.

Nothing else in the package prints or exits. Exit codes: 0 success, 1 invalid data,
2 usage error (unknown option, bad value).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import loading
from .diagnostics import DiagnosticFormat, has_errors, render
from .i18n import _
from .tables import Table, to_csv, to_json

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


class TableFormat(str, Enum):
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
    chosen = (ctx.obj or {}).get("data")
    return chosen if chosen is not None else loading.default_data_dir()


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    sys.stderr.write(f"engagements: {_('erreur')}: {message}\n")
    raise typer.Exit(code)


def _load(ctx: typer.Context, fmt: DiagnosticFormat | None = None) -> loading.Loaded:
    """Load and check the data; on errors print every diagnostic and exit 1."""
    from .checks import check

    directory = _data_dir(ctx)
    if not directory.is_dir():
        _fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    loaded = loading.load_directory(directory)
    loaded.diagnostics.extend(check(loaded))
    if has_errors(loaded.diagnostics):
        _print_diagnostics(loaded.diagnostics, fmt or _auto_format())
        raise typer.Exit(EXIT_INVALID)
    return loaded


def _auto_format() -> DiagnosticFormat:
    return DiagnosticFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else DiagnosticFormat.text


def _print_diagnostics(diagnostics: list, fmt: DiagnosticFormat) -> None:  # type: ignore[type-arg]
    if not diagnostics:
        return
    out = sys.stdout if fmt is DiagnosticFormat.json else sys.stderr
    out.write(render(diagnostics, fmt) + "\n")


def _emit_table(table: Table, fmt: TableFormat) -> None:
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

    data = _load(ctx).dataset
    assert data is not None
    _emit_table(requests_table(data), format)


@app.command("lists", help=_("Lister les listes candidates et leurs engagements."))
def lists_cmd(ctx: typer.Context, format: TableFormatOption = TableFormat.table) -> None:
    from .tables import lists_table

    data = _load(ctx).dataset
    assert data is not None
    _emit_table(lists_table(data), format)


@app.command(help=_("Afficher le schéma JSON d’un fichier de données (pour les éditeurs)."))
def schema(
    which: Annotated[str, typer.Argument(help=_("requests ou commitments"))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Fichier à écrire (sinon la sortie standard)."))] = None,
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



# Commands defined in their own modules register themselves on `app` when imported.
from . import cli_edit, cli_import  # noqa: E402,F401
