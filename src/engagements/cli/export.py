"""Exports for journalists: export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..formats import ExportFormat
from ..i18n import _
from .common import (
    EXIT_INVALID,
    EXIT_USAGE,
    LevelOption,
    ListFilter,
    NoLinksOption,
    RequestLevel,
    coverage_for,
    fail,
    findings_for,
    load_data,
)

commands = typer.Typer()

ExportFormatOption = Annotated[
    ExportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help=_(
            "csv : un dossier (couverture.csv, liens.csv, datapackage.json) pour les portails de données ouvertes ; "
            "csv-excel : le même, pour Excel et LibreOffice en français ; md, json, html, xlsx : un fichier. "
            "Par défaut, d’après l’extension du fichier."
        ),
        case_sensitive=False,
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help=_("Dossier (csv, csv-excel) ou fichier à écrire."),
        show_default=False,
    ),
]


def _check_output(fmt: ExportFormat, output: Path) -> None:
    """A directory for the CSV formats, a file for the others: anything else is a usage error."""
    if fmt.writes_directory and output.exists() and not output.is_dir():
        fail(
            _("{path} est un fichier : avec --format {format}, -o désigne un dossier").format(
                path=output, format=fmt.value
            ),
            EXIT_USAGE,
        )
    if not fmt.writes_directory and output.is_dir():
        fail(
            _("{path} est un dossier : avec --format {format}, -o désigne un fichier").format(
                path=output, format=fmt.value
            ),
            EXIT_USAGE,
        )


def _missing_xlsx() -> None:
    fail(
        _("le format xlsx demande openpyxl ; installez l’extra : pip install 'engagements[xlsx]'"),
        EXIT_INVALID,
    )


@commands.command(
    help=_(
        "Exporter la matrice de couverture et les liens entre engagements et demandes : CSV (données ouvertes), "
        "CSV pour Excel, Markdown, JSON, page HTML autonome, classeur xlsx."
    )
)
def export(
    ctx: typer.Context,
    output: OutputOption,
    format: ExportFormatOption = None,
    level: LevelOption = RequestLevel.question,
    lists: ListFilter = None,
    no_links: NoLinksOption = False,
    suggestions: Annotated[
        bool,
        typer.Option(
            "--suggestions",
            help=_(
                "Ajouter les suggestions de l’appariement automatique, marquées « à vérifier » "
                "(par défaut : les liens confirmés par une personne seulement)."
            ),
        ),
    ] = False,
) -> None:
    from .. import exports
    from ..paths import display_path
    from ..writing import atomic_write

    fmt = format or exports.format_for(output)
    if fmt is None:
        fail(
            _(
                "précisez --format (csv, csv-excel, md, json, html ou xlsx) : l’extension de {path} ne le dit pas"
            ).format(path=output),
            EXIT_USAGE,
        )
    # Options first, so that a mistake is reported before the second it takes to load and match.
    _check_output(fmt, output)
    if fmt is ExportFormat.xlsx and not exports.xlsx_available():
        _missing_xlsx()
    data = load_data(ctx)
    use_links = not no_links
    # The one result every view reads: the matrix and its links always agree with `coverage`.
    findings = findings_for(ctx, use_links)
    coverage = coverage_for(ctx, level, lists, use_links)
    # Without links, everything is a suggestion: there would be nothing confirmed to publish.
    shown = suggestions or not use_links
    bundle = exports.prepare(data, coverage, findings.matched(), use_links=use_links, with_suggestions=shown)
    try:
        files = exports.render(bundle, fmt, output)
    except exports.MissingExtra:
        _missing_xlsx()
    for path, content in files.items():
        try:
            atomic_write(path, content)
        except OSError as error:
            fail(
                _("impossible d’écrire {file} : {reason}").format(
                    file=display_path(path), reason=error.strerror or error
                ),
                EXIT_INVALID,
            )
        sys.stderr.write(_("{file} : écrit.").format(file=display_path(path)) + "\n")
