"""The maintainers' write path: link, unlink, reject, fmt, review."""

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
    print_diagnostics,
    report_outcome,
    run_edit,
    say,
    suggestion_rows,
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
        typer.Option("--check", help=_("Ne rien écrire : échouer (code 1) en nommant les fichiers à reformater.")),
    ] = False,
) -> None:
    from .. import editing
    from ..paths import display_path

    directory = writable_dir(ctx, writing=not check)
    names = [display_path(path) for path in run_edit(lambda: editing.fmt(directory, check_only=check))]
    if check and names:
        message = _("pas en forme canonique : lancez « engagements fmt »")
        print_diagnostics([Diagnostic(name, None, None, message, "format") for name in names], auto_format())
        raise typer.Exit(EXIT_INVALID)
    if names:
        say(_("reformaté : {files}").format(files=", ".join(names)))
    else:
        say(_("rien à changer : les fichiers sont déjà en forme canonique."))


_CHOICES = {"o": True, "y": True, "r": False, "n": False, "p": None, "s": None}


@commands.command(
    help=_(
        "Passer en revue les suggestions ni confirmées ni rejetées, les meilleures d’abord : "
        "o = confirmer, r = rejeter, p = passer, q = quitter. Les décisions sont écrites dans le fichier de chaque engagement (commitments.yaml ou lists/*.yaml)."
    )
)
def review(
    ctx: typer.Context,
    lists: Annotated[
        list[str] | None,
        typer.Option("--list", "-l", help=_("Seulement cette liste (option répétable)."), show_default=False),
    ] = None,
    min_score: Annotated[
        int, typer.Option("--min-score", min=0, max=100, help=_("Score minimum (0–100) des suggestions."))
    ] = 0,
    accept_above: Annotated[
        int | None,
        typer.Option(
            "--accept-above",
            min=0,
            max=100,
            help=_("Sans question : confirmer toutes les suggestions de score supérieur ou égal."),
            show_default=False,
        ),
    ] = None,
    by: ByOption = None,
    date: DateOption = None,
) -> None:
    from .. import editing
    from ..report import make_console, shorten

    directory = writable_dir(ctx)
    rows = [r for r in suggestion_rows(ctx, lists, None, True, min_score) if r["source"] == "matcher"]
    rows.sort(key=lambda r: (-int(r["score"]), str(r["commitment"]), str(r["request"])))
    decisions: list[tuple[str, str, bool]] = []
    if accept_above is not None:
        decisions = [(str(r["commitment"]), str(r["request"]), True) for r in rows if int(r["score"]) >= accept_above]
    else:
        console = make_console()
        for n, r in enumerate(rows, 1):
            console.print(
                f"\n[{n}/{len(rows)}] {r['commitment']} → {r['request']} · {_('score')} {r['score']}",
                markup=False,
            )
            console.print("  « " + shorten(str(r["commitment_text"]), 300) + " »", markup=False)
            console.print("  " + _("Demande : {title}").format(title=r["request_title"]), markup=False)
            console.print("  " + _("Pourquoi : {why}").format(why=", ".join(r["why"])), markup=False)
            answer = typer.prompt(_("Confirmer ? [o/r/p/q]"), default="p", show_default=False).strip().lower()[:1]
            if answer == "q":
                break
            choice = _CHOICES.get(answer)
            if choice is not None:
                decisions.append((str(r["commitment"]), str(r["request"]), choice))
    if not rows:
        say(_("Aucune suggestion à revoir."))
        return
    changed = run_edit(lambda: editing.decide(directory, decisions, by=by, date=date))
    accepted = sum(1 for d in decisions if d[2])
    say(
        _("{accepted} lien(s) confirmé(s), {rejected} rejeté(s) ; {changed} engagement(s) modifié(s).").format(
            accepted=accepted, rejected=len(decisions) - accepted, changed=changed
        )
    )
