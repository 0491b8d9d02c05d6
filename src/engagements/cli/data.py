"""Checking and listing the data: validate, requests, lists, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..diagnostics import DiagnosticFormat, has_errors
from ..i18n import _
from .common import (
    EXIT_INVALID,
    EXIT_USAGE,
    ForceOption,
    ParentsOption,
    TableFormat,
    TableFormatOption,
    auto_format,
    data_dir,
    emit_table,
    err,
    fail,
    load_data,
    out,
    print_diagnostics,
    recover_writes,
    write_file_output,
)

commands = typer.Typer()


@commands.command(help=_("Vérifier les données : syntaxe, types, identifiants, liens et citations."))
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help=_(
                "Les avertissements font aussi échouer ; signale en plus ce qu’un import a laissé "
                "« À COMPLÉTER » et les sources sans fichier (citations non vérifiées)."
            ),
        ),
    ] = False,
) -> None:
    from .. import loading
    from ..checks import check, strict_checks

    fmt = format or auto_format()
    directory = data_dir(ctx)
    if not directory.is_dir():
        fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    recover_writes(directory)
    loaded = loading.load_directory(directory, record=True)
    diagnostics = loaded.diagnostics + check(loaded) + (strict_checks(loaded) if strict else [])
    failed = has_errors(diagnostics) or (strict and bool(diagnostics))
    if fmt is DiagnosticFormat.json:
        print_diagnostics(diagnostics, fmt) if diagnostics else out("[]\n")
    else:
        print_diagnostics(diagnostics, fmt)
    if failed:
        raise typer.Exit(EXIT_INVALID)
    if fmt is DiagnosticFormat.text and loaded.dataset is not None:
        data = loaded.dataset
        n_pledges = sum(len(lst.commitments) for lst in data.commitments.lists)
        counts = {
            "dir": loading.display_path(directory),
            "requests": len(data.requests.requests),
            "lists": len(data.commitments.lists),
            "pledges": n_pledges,
        }
        if loaded.record is not None and loaded.record.actions:
            message = _(
                "{dir} : données valides ({requests} demandes, {lists} listes, {pledges} engagements, "
                "{actions} actions au bilan)."
            ).format(**counts, actions=len(loaded.record.actions))
        else:
            message = _("{dir} : données valides ({requests} demandes, {lists} listes, {pledges} engagements).").format(
                **counts
            )
        err(message + "\n")


@commands.command("requests", help=_("Lister les demandes du collectif."))
def requests_cmd(ctx: typer.Context, format: TableFormatOption = TableFormat.table) -> None:
    from ..tables import requests_table

    data = load_data(ctx)
    emit_table(requests_table(data), format)


@commands.command("lists", help=_("Lister les listes candidates et leurs engagements."))
def lists_cmd(ctx: typer.Context, format: TableFormatOption = TableFormat.table) -> None:
    from ..tables import lists_table, lists_tables_for_people

    data = load_data(ctx)
    table = lists_table(data)
    if format is TableFormat.table:
        for part in lists_tables_for_people(table):
            emit_table(part, format)
    else:
        emit_table(table, format)


@commands.command(help=_("Afficher le schéma JSON d’un fichier de données (pour les éditeurs)."))
def schema(
    ctx: typer.Context,
    which: Annotated[str, typer.Argument(help=_("requests, commitments ou record (le bilan, record/*.yaml)"))],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=_(
                "Fichier à écrire (sinon, ou avec « - », la sortie standard) ; "
                "un fichier existant n’est remplacé qu’avec --force, sauf un schéma écrit par cette commande."
            ),
        ),
    ] = None,
    force: ForceOption = False,
    parents: ParentsOption = False,
) -> None:
    from ..schema import schema_text

    if which not in ("requests", "commitments", "record"):
        fail(_("schéma inconnu « {name} » : requests, commitments ou record").format(name=which), EXIT_USAGE)
    text = schema_text(which)
    if output is None or str(output) == "-":
        out(text)
        return
    import json

    def previous(path: Path) -> bool:
        # A schema this command wrote, of this version or another: small JSON with our $id.
        try:
            if path.stat().st_size > 1 << 20:
                return False
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(found, dict) and found.get("$id") == f"{which}.schema.json"

    write_file_output(ctx, output, text.encode("utf-8"), force=force, parents=parents, own=previous)
