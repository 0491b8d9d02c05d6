"""Exports for journalists: export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..formats import ExportFormat
from ..i18n import _
from ..writing import STDOUT
from .common import (
    EXIT_INVALID,
    EXIT_USAGE,
    ForceOption,
    LevelOption,
    ListFilter,
    NoLinksOption,
    ParentsOption,
    RequestLevel,
    coverage_for,
    data_dir,
    err,
    fail,
    findings_for,
    load_data,
    out_bytes,
    stdout_is_terminal,
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
        help=_(
            "Dossier (csv, csv-excel) ou fichier à écrire ; « - » : la sortie standard (md, json, html, xlsx). "
            "Un fichier existant n’est remplacé qu’avec --force, sauf un export précédent."
        ),
        show_default=False,
    ),
]


def _check_output(fmt: ExportFormat, output: Path) -> None:
    """A directory for the CSV formats, a file for the others: anything else is a usage error."""
    if str(output) == STDOUT:
        if fmt.writes_directory:
            fail(
                _("-o - : le format {format} écrit un dossier, pas la sortie standard").format(format=fmt.value),
                EXIT_USAGE,
            )
        if fmt is ExportFormat.xlsx and stdout_is_terminal():
            fail(_("-o - : un classeur xlsx ne s’affiche pas dans un terminal ; redirigez la sortie"), EXIT_USAGE)
        return
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
    force: ForceOption = False,
    parents: ParentsOption = False,
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
    from ..writing import OutputError, check_output, replace_directory, write_output

    fmt = format or (ExportFormat.md if str(output) == STDOUT else exports.format_for(output))
    if fmt is None:
        fail(
            _(
                "précisez --format (csv, csv-excel, md, json, html ou xlsx) : l’extension de {path} ne le dit pas"
            ).format(path=output),
            EXIT_USAGE,
        )
    # Options first, so that a mistake is reported before the second it takes to load and match.
    folder = exports.csv_folder(fmt, output)
    if folder is not None:
        # `-o couverture.csv --format csv`: the user wants the coverage as CSV, and csv writes a
        # folder of three files; write it under the name they gave, without the extension.
        err(
            _(
                "{path} : le format {format} écrit un dossier de trois fichiers (couverture.csv, liens.csv, "
                "datapackage.json) ; il est écrit dans {folder}/, la matrice dans {matrix}"
            ).format(
                path=output,
                format=fmt.value,
                folder=folder,
                matrix=folder / f"{exports.MATRIX_NAME}.csv",
            )
            + "\n"
        )
        output = folder
    elif str(output) != STDOUT and exports.mismatch(fmt, output):
        implied = exports.format_for(output)
        err(
            _(
                "avertissement : {path} : l’extension annonce le format {implied}, mais le fichier écrit est au "
                "format {format} (nommez-le {suggested}, ou changez --format)"
            ).format(
                path=output,
                implied=implied.value if implied else "",
                format=fmt.value,
                suggested=output.with_suffix("." + fmt.value) if not fmt.writes_directory else output.with_suffix(""),
            )
            + "\n"
        )
    _check_output(fmt, output)
    to_stdout = str(output) == STDOUT
    if not to_stdout:
        try:
            check_output(
                output,
                directory=fmt.writes_directory,
                data_dir=data_dir(ctx),
                force=force,
                parents=parents,
                own=lambda path: exports.previous_export(path, fmt),
            )
        except OutputError as error:
            fail(error.message, EXIT_USAGE)
    if fmt is ExportFormat.xlsx and not exports.xlsx_available():
        _missing_xlsx()
    data = load_data(ctx)
    use_links = not no_links
    # The one result every view reads: the matrix and its links always agree with `coverage`.
    findings = findings_for(ctx, use_links)
    coverage = coverage_for(ctx, level, lists, use_links)
    # Without links, everything is a suggestion: there would be nothing confirmed to publish.
    shown = suggestions or not use_links
    # The page says when it was made and from which version of the data (git revision or hash).
    stamped = fmt is ExportFormat.html
    bundle = exports.prepare(
        data,
        coverage,
        findings.matched(),
        use_links=use_links,
        with_suggestions=shown,
        generated=dt.date.today().isoformat() if stamped else None,
        version=exports.data_version(data_dir(ctx)) if stamped else None,
    )
    try:
        files = exports.render_stream(bundle, fmt, output)
    except exports.MissingExtra:
        _missing_xlsx()
    if to_stdout:
        for chunks in files.values():
            out_bytes(chunks)
        return
    try:
        if fmt.writes_directory:
            replace_directory(output, {path.name: chunks for path, chunks in files.items()}, parents=parents)
        else:
            for path, chunks in files.items():
                write_output(path, chunks, parents=parents)
    except OSError as error:
        fail(
            _("impossible d’écrire {file} : {reason} ; rien n’a été remplacé").format(
                file=display_path(output), reason=error.strerror or error
            ),
            EXIT_INVALID,
        )
    for path in files:
        err(_("{file} : écrit.").format(file=display_path(path)) + "\n")
