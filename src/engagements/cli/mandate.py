"""After the election: rate, status, timeline (the promise meter); sheet and apply (the spreadsheet round-trip)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from .common import (
    EXIT_INVALID,
    EXIT_USAGE,
    ByCompetenceOption,
    ForceOption,
    ListFilter,
    ParentsOption,
    PledgeArgument,
    ReportFormat,
    ReportFormatOption,
    TableFormat,
    TableFormatOption,
    auto_format,
    check_ids,
    fail,
    load_data,
    out,
    parse_date,
    print_diagnostics,
    print_json,
    report_outcome,
    run_edit,
    say,
    with_parts,
    writable_dir,
    write_file_output,
)

commands = typer.Typer()

ByOption = Annotated[
    str | None,
    typer.Option("--by", metavar=_("NOM"), help=_("Qui fait ce constat."), show_default=False),
]

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
    by_competence: ByCompetenceOption = False,
    format: TableFormatOption = TableFormat.table,
) -> None:
    from ..meter import meter
    from ..meter_report import status_table, status_view

    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    result = meter(data, dt.date.today(), lists=lists, by_competence=by_competence)
    if format is TableFormat.json:
        print_json(result.as_dict())
    elif format is TableFormat.csv:
        from ..tables import to_csv

        out(to_csv(status_table(result)))
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


sheet = typer.Typer(
    name="sheet",
    help=_("Écrire une feuille de calcul à remplir (puis relire avec « engagements apply »)."),
    no_args_is_help=True,
)
commands.add_typer(sheet)

OutputOption = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        metavar=_("FICHIER"),
        help=_("suivi.xlsx (classeur) ou suivi.csv (CSV pour Excel en français : BOM, point-virgule)."),
        dir_okay=False,
    ),
]


@sheet.command(
    "status",
    help=_(
        "Une ligne par engagement : id, liste, engagement, statut actuel, puis à remplir nouveau statut, date, "
        "source, lien, citation, explication."
    ),
)
def sheet_status(
    ctx: typer.Context,
    output: OutputOption,
    lists: ListFilter = None,
    force: ForceOption = False,
    parents: ParentsOption = False,
) -> None:
    from .. import sheet as sheets
    from ..loading import display_path

    suffix = _sheet_suffix(output)
    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    rows = sheets.status_rows(data, with_parts(data, lists))  # a merged list's pledges are its parts'
    # A sheet may hold volunteers' work: an existing file is replaced only with --force.
    content = sheets.to_xlsx(rows) if suffix == ".xlsx" else sheets.to_csv(rows)
    write_file_output(ctx, output, content, force=force, parents=parents, own=lambda path: False)
    say(_("{file} : {n} engagement(s) à suivre.").format(file=display_path(output), n=len(rows) - 1))


@sheet.command(
    "review",
    help=_(
        "Une ligne par suggestion ni confirmée ni rejetée, les meilleures d’abord : id, engagement, demande, "
        "score, pourquoi, puis à remplir décision (o = confirmer, r = rejeter)."
    ),
)
def sheet_review(
    ctx: typer.Context,
    output: OutputOption,
    lists: ListFilter = None,
    min_score: Annotated[
        int, typer.Option("--min-score", min=0, max=100, help=_("Score minimum (0–100) des suggestions."))
    ] = 0,
    force: ForceOption = False,
    parents: ParentsOption = False,
) -> None:
    from .. import sheet as sheets
    from ..loading import display_path
    from ..matching import match

    suffix = _sheet_suffix(output)
    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    rows = sheets.review_rows(data, match(data, lists=with_parts(data, lists), min_score=min_score))
    content = sheets.to_xlsx(rows) if suffix == ".xlsx" else sheets.to_csv(rows)
    write_file_output(ctx, output, content, force=force, parents=parents, own=lambda path: False)
    say(_("{file} : {n} suggestion(s) à relire.").format(file=display_path(output), n=len(rows) - 1))


def _sheet_suffix(output: Path) -> str:
    from ..exports import xlsx_available

    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        fail(_("extension « {suffix} » inconnue : .xlsx ou .csv").format(suffix=output.suffix or "∅"), EXIT_USAGE)
    if suffix == ".xlsx" and not xlsx_available():
        fail(_("le format xlsx demande openpyxl : pip install 'engagements[xlsx]'"), EXIT_USAGE)
    return suffix


@commands.command(
    "apply",
    help=_(
        "Enregistrer les lignes remplies d’une feuille de suivi ou de relecture (xlsx ou csv) : toutes en une "
        "écriture vérifiée, ou rien si une ligne est fausse."
    ),
)
def apply_sheet(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar=_("FICHIER"), help=_("La feuille remplie (xlsx ou csv)."), dir_okay=False, exists=True),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help=_("Ne rien écrire : montrer ce qui serait enregistré."))
    ] = False,
) -> None:
    from .. import meter
    from .. import sheet as sheets
    from ..loading import display_path

    directory = writable_dir(ctx, writing=not dry_run)
    name = display_path(file)
    result = run_edit(lambda: sheets.apply(directory, file, name, dry_run=dry_run))
    if result.diagnostics:
        print_diagnostics(result.diagnostics, auto_format())
        fail(
            _("{n} ligne(s) en erreur : rien n’a été enregistré").format(
                n=len({d.line for d in result.diagnostics})
            ),
            EXIT_INVALID,
        )
    for planned in result.entries:
        names = {
            "row": planned.row,
            "pledge": planned.pledge,
            "status": meter.label(planned.entry.status),
            "date": planned.entry.date.isoformat(),
        }
        if planned.recorded:
            say(_("ligne {row} : « {pledge} » : {status} le {date}").format(**names))
        else:
            say(_("ligne {row} : déjà enregistré pour « {pledge} »").format(**names))
    for decision in result.decisions:
        names = {"row": decision.row, "pledge": decision.pledge, "request": decision.request}
        if not decision.recorded:
            say(_("ligne {row} : déjà enregistré pour « {pledge} »").format(**names))
        elif decision.accepted:
            say(_("ligne {row} : « {pledge} » répond à « {request} »").format(**names))
        else:
            say(_("ligne {row} : « {request} » écartée pour « {pledge} »").format(**names))
    data_file = display_path(directory / "commitments.yaml")
    if result.decisions:
        new = len(result.new_decisions)
        if dry_run:
            say(_("--dry-run : {n} décision(s) seraient enregistrées ; rien n’a été écrit.").format(n=new))
        elif new:
            say(_("{file} : {n} décision(s) enregistrée(s).").format(file=data_file, n=new))
        else:
            say(_("rien à changer : la feuille ne contient aucune nouvelle décision."))
        return
    new = len(result.new)
    if dry_run:
        say(_("--dry-run : {n} constat(s) seraient enregistrés ; rien n’a été écrit.").format(n=new))
    elif new:
        say(_("{file} : {n} constat(s) enregistré(s).").format(file=data_file, n=new))
    else:
        say(_("rien à changer : la feuille ne contient aucun nouveau constat."))
