"""After the election: rate, status, timeline (the promise meter); sheet and apply (the spreadsheet round-trip)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from ..i18n import _
from .common import (
    EXIT_INVALID,
    EXIT_USAGE,
    ByOption,
    ListFilter,
    PledgeArgument,
    ReportFormat,
    ReportFormatOption,
    TableFormat,
    TableFormatOption,
    check_ids,
    fail,
    load_data,
    parse_date,
    print_json,
    report_outcome,
    run_edit,
    writable_dir,
)

commands = typer.Typer()

EntryDateOption = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        help=_("Date du constat (AAAA-MM-JJ) ; par défaut aujourd’hui."),
        parser=parse_date,
        metavar=_("AAAA-MM-JJ"),
        show_default=False,
    ),
]


@commands.command(
    help=_(
        "Enregistrer où en est un engagement : non évalué, en cours, au point mort, compromis, tenu ou rompu "
        "(ou not_rated, in_progress, stalled, compromise, kept, broken). Tout statut sauf « non évalué » "
        "demande une preuve : --source et --quote ou --url."
    )
)
def rate(
    ctx: typer.Context,
    pledge: PledgeArgument,
    status: Annotated[
        str,
        typer.Argument(metavar=_("STATUT"), help=_("Le statut : tenu, rompu, en cours… ou kept, broken…")),
    ],
    date: EntryDateOption = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar=_("TITRE"), help=_("Titre de la source."), show_default=False)
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", metavar="URL", help=_("Adresse de la source en ligne."), show_default=False)
    ] = None,
    quote: Annotated[
        str | None,
        typer.Option("--quote", metavar=_("TEXTE"), help=_("Citation exacte de la source."), show_default=False),
    ] = None,
    document: Annotated[
        str | None,
        typer.Option(
            "--document",
            metavar="ID",
            help=_("Identifiant d’une source déclarée dont le fichier contient la citation (elle est vérifiée)."),
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", metavar=_("TEXTE"), help=_("Explication du verdict."), show_default=False),
    ] = None,
    by: ByOption = None,
    corrects: Annotated[
        int | None,
        typer.Option(
            "--corrects", min=1, metavar="N", help=_("Numéro de l’entrée que ce constat corrige."), show_default=False
        ),
    ] = None,
) -> None:
    from .. import meter
    from ..editing import Outcome
    from ..models import Evidence, HistoryEntry

    parsed = meter.parse_status(status)
    if parsed is None:
        fail(meter.unknown_status(status), EXIT_USAGE)
    if source is None and (url or quote or document):
        fail(_("une preuve nomme sa source : ajoutez --source TITRE"), EXIT_INVALID)
    directory = writable_dir(ctx)
    evidence = Evidence(source=source, url=url, quote=quote, document=document) if source else None
    entry = HistoryEntry(
        status=parsed, date=date or dt.date.today(), evidence=evidence, note=note, by=by, corrects=corrects
    )
    (recorded,) = run_edit(lambda: meter.rate(directory, [(pledge, entry)]))
    names = {"pledge": pledge, "status": meter.label(parsed), "date": entry.date.isoformat()}
    report_outcome(
        directory,
        Outcome(changed=recorded),
        done=_("« {pledge} » : {status} le {date}.").format(**names),
        unchanged=_("rien à changer : ce constat est déjà enregistré pour « {pledge} ».").format(**names),
    )


@commands.command(
    help=_(
        "Où en sont les engagements : par liste, le nombre et la part de chaque statut (avec un graphique), "
        "les derniers changements, les engagements en retard."
    )
)
def status(
    ctx: typer.Context,
    lists: ListFilter = None,
    format: TableFormatOption = TableFormat.table,
) -> None:
    from ..meter import meter
    from ..meter_report import status_table, status_view

    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    result = meter(data, dt.date.today(), lists=lists)
    if format is TableFormat.json:
        print_json(result.as_dict())
    elif format is TableFormat.csv:
        from ..tables import to_csv

        sys.stdout.write(to_csv(status_table(result)))
    else:
        from ..report import make_console

        make_console().print(status_view(result))


@commands.command(help=_("L’historique d’un engagement : chaque constat daté, sa preuve, ses corrections."))
def timeline(ctx: typer.Context, pledge: PledgeArgument, format: ReportFormatOption = ReportFormat.table) -> None:
    from ..meter import timeline as pledge_timeline

    data = load_data(ctx)
    found = pledge_timeline(data, pledge)
    if found is None:
        from ..diagnostics import did_you_mean

        known = [c.id for lst in data.commitments.lists for c in lst.commitments]
        fail(_("engagement « {id} » inconnu").format(id=pledge) + did_you_mean(pledge, known), EXIT_USAGE)
    if format is ReportFormat.json:
        print_json(found)
        return
    from ..meter_report import timeline_view
    from ..report import make_console

    make_console().print(timeline_view(found))
