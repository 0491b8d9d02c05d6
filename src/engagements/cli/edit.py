"""The maintainers' write path: link, unlink, reject, fmt (review has its own module)."""

from __future__ import annotations

import datetime as dt
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
    parse_date,
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


# -- lists: election, merger, right of reply ----------------------------------------------------
# Each command has a French name and an English one (hidden from the list of commands).

ListArgument = Annotated[
    str,
    typer.Argument(metavar=_("LISTE"), help=_("Identifiant de la liste (ex. aix-en-commun)."), show_default=False),
]
FactDateOption = Annotated[
    dt.date,
    typer.Option("--date", help=_("Date du fait (AAAA-MM-JJ)."), parser=parse_date, metavar=_("AAAA-MM-JJ")),
]
RoundOption = Annotated[
    int | None,
    typer.Option("--tour", "--round", min=1, max=2, metavar="1|2", help=_("Tour de scrutin."), show_default=False),
]
SourceIdOption = Annotated[
    str | None,
    typer.Option(
        "--source", metavar="ID", help=_("Identifiant d’une entrée de « sources » du fichier."), show_default=False
    ),
]
NoteOption = Annotated[
    str | None, typer.Option("--note", metavar=_("TEXTE"), help=_("Note libre."), show_default=False)
]


def elected(
    ctx: typer.Context,
    list_id: ListArgument,
    date: FactDateOption,
    round: RoundOption = None,
    source: SourceIdOption = None,
    note: NoteOption = None,
) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(lambda: editing.elect(directory, list_id, date=date, round=round, source=source, note=note))
    names = {"list": list_id, "date": date.isoformat()}
    report_outcome(
        directory,
        outcome,
        done=_("« {list} » est élue le {date}.").format(**names),
        unchanged=_("rien à changer : l’élection de « {list} » le {date} est déjà enregistrée.").format(**names),
    )


def merged(
    ctx: typer.Context,
    list_id: Annotated[
        str,
        typer.Argument(
            metavar=_("NOUVELLE"),
            help=_("Identifiant de la liste fusionnée (créée si elle n’existe pas)."),
            show_default=False,
        ),
    ],
    parts: Annotated[
        list[str],
        typer.Option(
            "--de", "--from", metavar=_("LISTE"), help=_("Une liste fusionnée (option à répéter : au moins deux).")
        ),
    ],
    date: FactDateOption,
    name: Annotated[
        str | None,
        typer.Option(
            "--nom", "--name", metavar=_("NOM"), help=_("Nom de la liste, pour la créer."), show_default=False
        ),
    ] = None,
    round: RoundOption = None,
    source: SourceIdOption = None,
    note: NoteOption = None,
) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(
        lambda: editing.merge(directory, list_id, parts, date=date, name=name, round=round, source=source, note=note)
    )
    names = {"list": list_id, "parts": " + ".join(parts), "date": date.isoformat()}
    report_outcome(
        directory,
        outcome,
        done=_("« {list} » est la fusion de {parts} le {date}.").format(**names),
        unchanged=_("rien à changer : cette fusion est déjà enregistrée pour « {list} ».").format(**names),
    )


def replied(
    ctx: typer.Context,
    list_id: ListArgument,
    date: FactDateOption,
    by: Annotated[
        str,
        typer.Option("--par", "--by", metavar=_("NOM"), help=_("Qui, pour la liste, a confirmé ses engagements.")),
    ],
    source: SourceIdOption = None,
    note: NoteOption = None,
) -> None:
    from .. import editing

    directory = writable_dir(ctx)
    outcome = run_edit(lambda: editing.reply(directory, list_id, confirmed_by=by, date=date, source=source, note=note))
    names = {"list": list_id, "by": by, "date": date.isoformat()}
    report_outcome(
        directory,
        outcome,
        done=_("« {list} » : engagements confirmés par {by} le {date}.").format(**names),
        unchanged=_("rien à changer : cette réponse est déjà enregistrée pour « {list} ».").format(**names),
    )


_ELECTED_HELP = _("Enregistrer l’élection d’une liste (clé « elected ») : sa date, le tour, la source des résultats.")
_MERGED_HELP = _(
    "Enregistrer une fusion entre les deux tours (clé « merged_from ») : la liste fusionnée hérite des "
    "engagements des listes fusionnées, chacun gardant son origine."
)
_REPLIED_HELP = _(
    "Enregistrer le droit de réponse d’une liste (clé « reply ») : ses engagements confirmés par la liste, "
    "par qui et quand."
)
for _french, _english, _function, _help in (
    ("elu", "elected", elected, _ELECTED_HELP),
    ("fusion", "merge", merged, _MERGED_HELP),
    ("reponse", "reply", replied, _REPLIED_HELP),
):
    commands.command(_french, help=_help)(_function)
    commands.command(_english, help=_help, hidden=True)(_function)
