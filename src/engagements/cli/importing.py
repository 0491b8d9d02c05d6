"""Bringing texts in and comparing versions: import, diff."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from .common import (
    EXIT_USAGE,
    auto_format,
    data_dir,
    err,
    fail,
    out,
    print_diagnostics,
    print_json,
    progress_bar,
)

commands = typer.Typer()


@commands.command(
    "import",
    help=_(
        "Transformer la lettre ou le programme d’une liste, en texte brut, en engagements YAML à relire : "
        "rubriques « 1- Sur … », sous-titres « Pour … », puces « - » et articles numérotés « 12. »."
    ),
)
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help=_("Fichier texte (UTF-8) de la lettre ou du programme."), show_default=False)
    ],
    list_id: Annotated[
        str,
        typer.Option(
            "--list", "-l", help=_("Identifiant de la liste candidate (ex. aix-en-commun)."), show_default=False
        ),
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
    outline: Annotated[
        bool,
        typer.Option(
            "--outline",
            help=_(
                "Document structuré d’un partenaire public (titres Markdown, puces imbriquées, tableaux) : "
                "piliers, volets, orientations, axes, objectifs opérationnels et actions « ☞ », avec leur hiérarchie."
            ),
        ),
    ] = False,
    append: Annotated[
        bool,
        typer.Option(
            "--append",
            help=_(
                "Ajouter la liste au dossier de données (à la fin de commitments.yaml, ou dans un nouveau fichier "
                "lists/ID.yaml si le dossier n’a pas de commitments.yaml) au lieu d’écrire le brouillon sur la sortie standard."
            ),
        ),
    ] = False,
) -> None:
    from .. import importer
    from ..loading import display_path

    if not importer.is_valid_id(list_id, importer.MAX_LIST_ID):
        fail(
            _(
                "identifiant de liste invalide « {id} » : lettres, chiffres, « . », « _ », « - », {n} caractères au plus"
            ).format(id=list_id, n=importer.MAX_LIST_ID),
            EXIT_USAGE,
        )
    chosen_source = source_id if source_id is not None else importer.default_source_id(file)
    if not importer.is_valid_id(chosen_source):
        fail(
            _("identifiant de source invalide « {id} » : lettres, chiffres, « . », « _ », « - » seulement").format(
                id=chosen_source
            ),
            EXIT_USAGE,
        )
    if name is not None and not name.strip():
        fail(_("le nom de la liste (--name) ne doit pas être vide"), EXIT_USAGE)
    directory = data_dir(ctx, announce=append)
    if append and not directory.is_dir():
        fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)

    try:
        text = importer.read_text(file)
    except importer.ImportFileError as exc:
        fail(str(exc))
    source_file = _inside(file, directory)
    build = importer.build_outline_import if outline else importer.build_import
    with progress_bar(_("Import")) as progress:
        imported = build(
            text,
            list_id=list_id,
            source_id=chosen_source,
            name=name,
            # Inside the data directory, name the file as `sources[].file` does: it reads the same anywhere.
            origin=source_file or display_path(file),
            source_file=source_file,
            progress=progress,
        )
    count = len(imported.candidate.commitments)
    if count == 0:
        fail(
            _("aucun engagement reconnu dans {file} : ni puce « - », ni article numéroté « 12. »").format(
                file=display_path(file)
            )
        )
    if not append:
        out(importer.draft_yaml(imported))
        err(
            _("{file} : engagements trouvés : {n} (brouillon à relire).").format(n=count, file=display_path(file))
            + "\n"
        )
        return

    from ..editing import EditError

    try:
        written = importer.append_to_data(directory, imported)
    except EditError as exc:
        print_diagnostics(exc.diagnostics, auto_format())
        fail(exc.message)
    err(
        _("liste « {id} » ajoutée à {file} (engagements à relire : {n}).").format(
            id=list_id, file=display_path(directory / written), n=count
        )
        + "\n"
    )


def _inside(file: Path, directory: Path) -> str | None:
    """`file` relative to the data directory, as `sources[].file` wants it; None when outside."""
    try:
        return file.resolve().relative_to(directory.resolve()).as_posix()
    except (ValueError, OSError):
        return None


class DiffFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@commands.command(
    help=_(
        "Ce qui a changé entre deux versions des données (deux dossiers, ou --git REF contre l’état actuel) : "
        "engagements, liens, et la couverture qui en résulte."
    )
)
def diff(
    ctx: typer.Context,
    old: Annotated[Path | None, typer.Argument(help=_("Ancien dossier de données."), show_default=False)] = None,
    new: Annotated[Path | None, typer.Argument(help=_("Nouveau dossier de données."), show_default=False)] = None,
    git: Annotated[
        str | None,
        typer.Option(
            "--git",
            help=_("Comparer les données de cette révision git (ex. main, HEAD~1) à l’état actuel."),
            show_default=False,
        ),
    ] = None,
    level: Annotated[str, typer.Option("--level", help=_("question, demand ou all."))] = "question",
    format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help=_("Format de sortie."), case_sensitive=False)
    ] = DiffFormat.text,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help=_("Titre du rapport Markdown (ex. une version, pour un CHANGELOG)."), show_default=False
        ),
    ] = None,
) -> None:
    from .. import diffing
    from ..checks import check
    from ..loading import load_directory, max_bytes

    if level not in ("question", "demand", "all"):
        fail(_("niveau inconnu « {level} » : question, demand ou all").format(level=level), EXIT_USAGE)
    if (git is None) == (old is None):
        fail(_("donnez deux dossiers (ANCIEN NOUVEAU) ou --git REF"), EXIT_USAGE)
    with diffing.temporary_dir() as tmp:
        if git is not None:
            if new is not None or old is not None:
                fail(_("avec --git, ne donnez pas de dossier : utilisez --data"), EXIT_USAGE)
            current = data_dir(ctx)
            try:
                diffing.git_snapshot(current, git, Path(tmp), max_bytes())
            except ValueError as exc:
                fail(str(exc), EXIT_USAGE)
            old_dir, new_dir = Path(tmp), current
        else:
            if old is None or new is None:
                fail(_("donnez deux dossiers (ANCIEN NOUVEAU) ou --git REF"), EXIT_USAGE)
            old_dir, new_dir = old, new
        datasets = []
        for directory in (old_dir, new_dir):
            if not directory.is_dir():
                fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
            loaded = load_directory(directory)
            # Quotes are only checked where the sources are (not in a git snapshot).
            problems = [d for d in [*loaded.diagnostics, *check(loaded)] if d.level == "error"]
            if problems or loaded.dataset is None:
                print_diagnostics(problems, auto_format())
                raise typer.Exit(1)
            datasets.append(loaded.dataset)
        result = diffing.diff(datasets[0], datasets[1], level)
    if format is DiffFormat.json:
        print_json(result.to_dict())
    elif format is DiffFormat.md:
        out(diffing.render_markdown(result, title))
    else:
        out(diffing.render_text(result))
