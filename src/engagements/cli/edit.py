"""The maintainers' write path: link, unlink, reject, fmt (review has its own module)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..diagnostics import Diagnostic
from ..i18n import _
from .common import (
    EXIT_INVALID,
    ByOption,
    DateOption,
    PledgeArgument,
    RequestArgument,
    auto_format,
    out,
    print_diagnostics,
    report_outcome,
    run_edit,
    say,
    writable_dir,
)

commands = typer.Typer()


@commands.command(help=_("Confirmer qu’un engagement répond à une demande (ajoute la demande à « answers »)."))
def link(
    ctx: typer.Context,
    pledge: PledgeArgument,
    request: RequestArgument,
    by: ByOption = None,
    date: DateOption = None,
) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(lambda: editing.link(directory, pledge, request, by=by, date=date))
    names = {"pledge": pledge, "request": request}
    report_outcome(
        directory,
        outcome,
        done=_("« {pledge} » répond maintenant à « {request} ».").format(**names),
        unchanged=_("rien à changer : « {pledge} » répond déjà à « {request} ».").format(**names),
        displaced=_("« {pledge} » répond maintenant à « {request} » (la demande n’est plus écartée).").format(**names),
    )


@commands.command(help=_("Retirer le lien entre un engagement et une demande (de « answers »)."))
def unlink(ctx: typer.Context, pledge: PledgeArgument, request: RequestArgument) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(lambda: editing.unlink(directory, pledge, request))
    names = {"pledge": pledge, "request": request}
    report_outcome(
        directory,
        outcome,
        done=_("« {pledge} » ne répond plus à « {request} ».").format(**names),
        unchanged=_("rien à changer : « {pledge} » n’est pas lié à « {request} ».").format(**names),
    )


@commands.command(
    help=_(
        "Écarter une demande pour un engagement (ajoute la demande à « rejects » et la retire de « answers ») : "
        "l’appariement ne la proposera plus."
    )
)
def reject(
    ctx: typer.Context,
    pledge: PledgeArgument,
    request: RequestArgument,
    by: ByOption = None,
    date: DateOption = None,
) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(lambda: editing.reject(directory, pledge, request, by=by, date=date))
    names = {"pledge": pledge, "request": request}
    report_outcome(
        directory,
        outcome,
        done=_("« {request} » est écartée pour « {pledge} ».").format(**names),
        unchanged=_("rien à changer : « {request} » est déjà écartée pour « {pledge} ».").format(**names),
        displaced=_("« {request} » est écartée pour « {pledge} » (le lien confirmé est retiré).").format(**names),
    )


@commands.command(
    help=_(
        "Mettre les fichiers de données en forme canonique : clés dans l’ordre du schéma, indentation 2, "
        "textes sur une ligne, commentaires gardés."
    )
)
def fmt(
    ctx: typer.Context,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help=_(
                "Ne rien écrire : afficher le diff que fmt appliquerait et échouer (code 1) "
                "en nommant les fichiers à reformater."
            ),
        ),
    ] = False,
) -> None:
    from .. import editing
    from ..paths import display_path

    directory = writable_dir(ctx, writing=not check)
    names = [display_path(path) for path in run_edit(lambda: editing.fmt(directory, check_only=check))]
    if check and names:
        out(run_edit(lambda: editing.fmt_diff(directory)))
        message = _("pas en forme canonique : lancez « engagements fmt »")
        print_diagnostics([Diagnostic(name, None, None, message, "format") for name in names], auto_format())
        raise typer.Exit(EXIT_INVALID)
    if names:
        say(_("reformaté : {files}").format(files=", ".join(names)))
    else:
        say(_("rien à changer : les fichiers sont déjà en forme canonique."))
