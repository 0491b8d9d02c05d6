"""CLI commands that bring data in or compare it: import, diff."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .cli import EXIT_USAGE, _auto_format, _data_dir, _fail, _print_diagnostics, app
from .i18n import _
from .paths import COMMITMENTS_FILE


@app.command(
    "import",
    help=_(
        "Transformer la lettre ou le programme d’une liste, en texte brut, en engagements YAML à relire : "
        "rubriques « 1- Sur … », sous-titres « Pour … », puces « - » et articles numérotés « 12. »."
    ),
)
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=_("Fichier texte (UTF-8) de la lettre ou du programme."), show_default=False)],
    list_id: Annotated[
        str,
        typer.Option("--list", "-l", help=_("Identifiant de la liste candidate (ex. aix-en-commun)."), show_default=False),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help=_("Nom de la liste (par défaut son identifiant)."), show_default=False)
    ] = None,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id", help=_("Identifiant de la source (par défaut tiré du nom du fichier)."), show_default=False
        ),
    ] = None,
    append: Annotated[
        bool,
        typer.Option(
            "--append",
            help=_("Ajouter la liste à commitments.yaml du dossier de données au lieu d’écrire le brouillon sur la sortie standard."),
        ),
    ] = False,
) -> None:
    from . import importer
    from .loading import display_path

    if not importer.is_valid_id(list_id, importer.MAX_LIST_ID):
        _fail(
            _(
                "identifiant de liste invalide « {id} » : lettres, chiffres, « . », « _ », « - », {n} caractères au plus"
            ).format(id=list_id, n=importer.MAX_LIST_ID),
            EXIT_USAGE,
        )
    chosen_source = source_id if source_id is not None else importer.default_source_id(file)
    if not importer.is_valid_id(chosen_source):
        _fail(
            _("identifiant de source invalide « {id} » : lettres, chiffres, « . », « _ », « - » seulement").format(
                id=chosen_source
            ),
            EXIT_USAGE,
        )
    if name is not None and not name.strip():
        _fail(_("le nom de la liste (--name) ne doit pas être vide"), EXIT_USAGE)
    directory = _data_dir(ctx)
    if append and not directory.is_dir():
        _fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)

    try:
        text = importer.read_text(file)
    except importer.ImportFileError as exc:
        _fail(str(exc))
    source_file = _inside(file, directory)
    imported = importer.build_import(
        text,
        list_id=list_id,
        source_id=chosen_source,
        name=name,
        # Inside the data directory, name the file as `sources[].file` does: it reads the same anywhere.
        origin=source_file or display_path(file),
        source_file=source_file,
    )
    count = len(imported.candidate.commitments)
    if count == 0:
        _fail(
            _("aucun engagement reconnu dans {file} : ni puce « - », ni article numéroté « 12. »").format(
                file=display_path(file)
            )
        )
    if not append:
        sys.stdout.write(importer.draft_yaml(imported))
        sys.stderr.write(
            _("{file} : engagements trouvés : {n} (brouillon à relire).").format(n=count, file=display_path(file)) + "\n"
        )
        return

    from .editing import EditError

    try:
        importer.append_to_data(directory, imported)
    except EditError as exc:
        _print_diagnostics(exc.diagnostics, _auto_format())
        _fail(exc.message)
    sys.stderr.write(
        _("liste « {id} » ajoutée à {file} (engagements à relire : {n}).").format(
            id=list_id, file=display_path(directory / COMMITMENTS_FILE), n=count
        )
        + "\n"
    )


def _inside(file: Path, directory: Path) -> str | None:
    """`file` relative to the data directory, as `sources[].file` wants it; None when outside."""
    try:
        return file.resolve().relative_to(directory.resolve()).as_posix()
    except (ValueError, OSError):
        return None
