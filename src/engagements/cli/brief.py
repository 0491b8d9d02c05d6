"""The meeting brief: `engagements brief LIST`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from .common import (
    ForceOption,
    ParentsOption,
    check_ids,
    err,
    findings_for,
    load_data,
    out,
    write_file_output,
)

commands = typer.Typer()


class BriefFormat(StrEnum):
    html = "html"
    md = "md"


@commands.command(
    help=_(
        "La note de rencontre avec une liste, à imprimer (une ou deux pages A4) : ses engagements confirmés, "
        "ce qu’elle laisse sans réponse ou en partie, et la question à poser pour chaque manque."
    )
)
def brief(
    ctx: typer.Context,
    list_id: Annotated[str, typer.Argument(metavar=_("LISTE"), help=_("Identifiant de la liste (ex. aix-en-commun)."))],
    format: Annotated[
        BriefFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=_("html : la page à imprimer ; md : à coller. Par défaut d’après l’extension de -o, sinon html."),
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help=_("Fichier à écrire (par défaut : la sortie standard)."), show_default=False
        ),
    ] = None,
    force: ForceOption = False,
    parents: ParentsOption = False,
) -> None:
    from ..brief import brief as make_brief
    from ..brief import to_html, to_markdown

    data = load_data(ctx)
    check_ids(_("liste"), [list_id], [lst.id for lst in data.commitments.lists])
    fmt = format or (BriefFormat.md if output and output.suffix.lower() in (".md", ".markdown") else BriefFormat.html)
    found = make_brief(data, findings_for(ctx), list_id)
    text = to_markdown(found) if fmt is BriefFormat.md else to_html(found)
    if output is None or str(output) == "-":
        out(text)
        return
    from ..loading import display_path

    def previous(path: Path) -> bool:
        # A page this command (or export) wrote: the same generator tag as the HTML export.
        try:
            with open(path, "rb") as handle:
                head = handle.read(2048)
        except OSError:
            return False
        return head.startswith(b"<!DOCTYPE html>") and b'<meta name="generator" content="engagements">' in head

    write_file_output(ctx, output, text.encode("utf-8"), force=force, parents=parents, own=previous)
    err(_("{file} : écrit.").format(file=display_path(output)) + "\n")
