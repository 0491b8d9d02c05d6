"""CLI commands that write the data: link, unlink, reject, fmt.

The work is done by `editing`; these commands choose the data directory, print one line on
stderr saying what changed, and pick the exit code: 0 done (or nothing to do), 1 invalid data
or refused write, 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from . import paths
from .cli import EXIT_INVALID, EXIT_USAGE, _auto_format, _data_dir, _fail, _print_diagnostics, app
from .diagnostics import Diagnostic
from .i18n import _

if TYPE_CHECKING:
    from .editing import Outcome

# `editing` (ruamel.yaml, pydantic) is imported inside the commands: `--help` stays fast.

T = TypeVar("T")


def _parse_date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(_("date invalide « {value} » : attendu AAAA-MM-JJ").format(value=value)) from None


PledgeArgument = Annotated[
    str,
    typer.Argument(metavar=_("ENGAGEMENT"), help=_("Identifiant de l’engagement (ex. aec-q1-01)."), show_default=False),
]
RequestArgument = Annotated[
    str,
    typer.Argument(metavar=_("DEMANDE"), help=_("Identifiant de la demande (ex. q1)."), show_default=False),
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", metavar=_("NOM"), help=_("Qui prend la décision (noté avec le lien)."), show_default=False),
]
DateOption = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        help=_("Date de la décision (AAAA-MM-JJ)."),
        parser=_parse_date,
        metavar=_("AAAA-MM-JJ"),
        show_default=False,
    ),
]


def _directory(ctx: typer.Context, *, writing: bool = True) -> Path:
    """The data directory, refused when missing or, for a write, when it is the installed package's copy."""
    directory = _data_dir(ctx)
    if not directory.is_dir():
        _fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    if writing and directory.resolve() == (Path(paths.__file__).parent / "data").resolve():
        _fail(
            _("les données fournies avec le paquet ne se modifient pas : copiez-les et indiquez --data DOSSIER"),
            EXIT_USAGE,
        )
    return directory


def _run(action: Callable[[], T]) -> T:
    """Run a core edit; a refusal becomes its diagnostics, one error line, and exit 1."""
    from .editing import EditError

    try:
        return action()
    except EditError as error:
        _print_diagnostics(error.diagnostics, _auto_format())
        _fail(error.message, EXIT_INVALID)


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _report(directory: Path, outcome: Outcome, done: str, unchanged: str, displaced: str | None = None) -> None:
    """One line on stderr: what changed in commitments.yaml, or that nothing did."""
    from .loading import display_path

    if not outcome.changed:
        _say(unchanged)
    else:
        message = displaced if outcome.displaced and displaced else done
        _say(_("{file} : {change}").format(file=display_path(directory / paths.COMMITMENTS_FILE), change=message))


@app.command(help=_("Confirmer qu’un engagement répond à une demande (ajoute la demande à « answers »)."))
def link(
    ctx: typer.Context,
    pledge: PledgeArgument,
    request: RequestArgument,
    by: ByOption = None,
    date: DateOption = None,
) -> None:
    from . import editing

    directory = _directory(ctx)
    outcome = _run(lambda: editing.link(directory, pledge, request, by=by, date=date))
    names = {"pledge": pledge, "request": request}
    _report(
        directory,
        outcome,
        done=_("« {pledge} » répond maintenant à « {request} ».").format(**names),
        unchanged=_("rien à changer : « {pledge} » répond déjà à « {request} ».").format(**names),
        displaced=_("« {pledge} » répond maintenant à « {request} » (la demande n’est plus écartée).").format(**names),
    )


@app.command(help=_("Retirer le lien entre un engagement et une demande (de « answers »)."))
def unlink(ctx: typer.Context, pledge: PledgeArgument, request: RequestArgument) -> None:
    from . import editing

    directory = _directory(ctx)
    outcome = _run(lambda: editing.unlink(directory, pledge, request))
    names = {"pledge": pledge, "request": request}
    _report(
        directory,
        outcome,
        done=_("« {pledge} » ne répond plus à « {request} ».").format(**names),
        unchanged=_("rien à changer : « {pledge} » n’est pas lié à « {request} ».").format(**names),
    )


@app.command(
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
    from . import editing

    directory = _directory(ctx)
    outcome = _run(lambda: editing.reject(directory, pledge, request, by=by, date=date))
    names = {"pledge": pledge, "request": request}
    _report(
        directory,
        outcome,
        done=_("« {request} » est écartée pour « {pledge} ».").format(**names),
        unchanged=_("rien à changer : « {request} » est déjà écartée pour « {pledge} ».").format(**names),
        displaced=_("« {request} » est écartée pour « {pledge} » (le lien confirmé est retiré).").format(**names),
    )


@app.command(
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
    from . import editing
    from .loading import display_path

    directory = _directory(ctx, writing=not check)
    names = [display_path(path) for path in _run(lambda: editing.fmt(directory, check_only=check))]
    if check and names:
        message = _("pas en forme canonique : lancez « engagements fmt »")
        _print_diagnostics([Diagnostic(name, None, None, message, "format") for name in names], _auto_format())
        raise typer.Exit(EXIT_INVALID)
    if names:
        _say(_("reformaté : {files}").format(files=", ".join(names)))
    else:
        _say(_("rien à changer : les fichiers sont déjà en forme canonique."))


_CHOICES = {"o": True, "y": True, "r": False, "n": False, "p": None, "s": None}


@app.command(
    help=_(
        "Passer en revue les suggestions ni confirmées ni rejetées, les meilleures d’abord : "
        "o = confirmer, r = rejeter, p = passer, q = quitter. Les décisions sont écrites dans commitments.yaml."
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
    from . import editing
    from .cli import _suggestion_rows
    from .report import make_console, shorten

    directory = _directory(ctx)
    rows = [r for r in _suggestion_rows(ctx, lists, None, True, min_score) if r["source"] == "matcher"]
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
        _say(_("Aucune suggestion à revoir."))
        return
    changed = _run(lambda: editing.decide(directory, decisions, by=by, date=date))
    accepted = sum(1 for d in decisions if d[2])
    _say(
        _("{accepted} lien(s) confirmé(s), {rejected} rejeté(s) ; {changed} engagement(s) modifié(s).").format(
            accepted=accepted, rejected=len(decisions) - accepted, changed=changed
        )
    )
