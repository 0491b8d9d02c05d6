"""What the data says: match, coverage, gaps, show."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..i18n import _
from .common import (
    ByCompetenceOption,
    GapsFormat,
    LevelOption,
    ListFilter,
    NoLinksOption,
    NoPartnersOption,
    ReportFormat,
    ReportFormatOption,
    RequestFilter,
    RequestLevel,
    TableFormat,
    TableFormatOption,
    check_ids,
    coverage_for,
    emit_table,
    findings_for,
    load_data,
    load_record,
    out,
    partners_for,
    print_json,
    ranked_rows,
    suggestion_rows,
)

commands = typer.Typer()


@commands.command(help=_("Suggérer les demandes auxquelles répond chaque engagement, avec un score et pourquoi."))
def match(
    ctx: typer.Context,
    lists: ListFilter = None,
    requests: RequestFilter = None,
    min_score: Annotated[
        int, typer.Option("--min-score", min=0, max=100, help=_("Score minimum (0–100) des suggestions."))
    ] = 0,
    no_links: NoLinksOption = False,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            max=50,
            metavar="K",
            help=_(
                "Pour chaque engagement, ses K demandes les plus proches, quel que soit leur score "
                "(niveau vide sous le seuil de suggestion)."
            ),
            show_default=False,
        ),
    ] = None,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    if top is not None:
        rows = [r for r in ranked_rows(ctx, top, lists, requests, not no_links) if r["score"] >= min_score]
    else:
        rows = suggestion_rows(ctx, lists, requests, not no_links, min_score)
    if format is ReportFormat.json:
        print_json(rows)
        return
    from ..report import make_console, suggestions_view

    console = make_console()
    if not rows:
        console.print(_("Aucun lien ni suggestion."))
        return
    console.print(suggestions_view(rows, console.width), soft_wrap=True)


@commands.command(help=_("Qui couvre quoi : la matrice demandes × listes (commande principale)."))
def coverage(
    ctx: typer.Context,
    level: LevelOption = RequestLevel.question,
    lists: ListFilter = None,
    requests: RequestFilter = None,
    no_links: NoLinksOption = False,
    no_partners: NoPartnersOption = False,
    by_competence: ByCompetenceOption = False,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    result = coverage_for(ctx, level, lists, not no_links, requests)
    partners = None if no_partners else partners_for(ctx, level, lists, not no_links, requests)
    if partners is not None and not partners[0].columns:
        partners = None
    if format is ReportFormat.json:
        from ..coverage import partners_dict

        payload = result.to_dict(stream=True)  # its cells made as print_json writes them
        if partners is not None:
            payload["institutions"] = partners_dict(*partners)
        if by_competence:
            from ..coverage import competence_summary

            payload["by_competence"] = competence_summary(result)
        print_json(payload)
        return
    from ..report import coverage_table, make_console, partners_table

    console = make_console()
    if result.columns or partners is None:
        console.print(coverage_table(result, by_competence))
    if partners is not None:
        console.print()
        console.print(partners_table(*partners))


@commands.command(
    help=_("Les manques : demandes sans réponse ou en partie, par liste ; listes silencieuses, par demande.")
)
def gaps(
    ctx: typer.Context,
    level: LevelOption = RequestLevel.question,
    lists: ListFilter = None,
    requests: RequestFilter = None,
    no_links: NoLinksOption = False,
    by_competence: ByCompetenceOption = False,
    format: Annotated[
        GapsFormat,
        typer.Option(
            "--format",
            "-f",
            help=_("table : pour l’écran ; md : la feuille à imprimer ; json : pour les scripts."),
            case_sensitive=False,
        ),
    ] = GapsFormat.table,
) -> None:
    from ..coverage import gaps as find_gaps

    result = coverage_for(ctx, level, lists, not no_links, requests)
    found = find_gaps(result)

    def competence(request: str, pledge: str | None = None) -> dict[str, Any] | None:
        """Who is responsible for a request (or a pledge on it), and on whose word."""
        info = result.competence_of(request, pledge)
        return info.as_dict() if info else None

    if format is GapsFormat.md:
        from ..exports import gaps_markdown

        out(gaps_markdown(result, found, by_competence))
        return
    if format is GapsFormat.json:
        answered = {c.id: c.answered for c in result.columns}
        payload: dict[str, Any] = {
            "level": result.level,
            "lists": [
                {
                    "list": list_id,
                    "answered_collective": answered[list_id],
                    "unanswered": found.unanswered[list_id],
                    "partial": found.partial[list_id],
                    "unconfirmed": found.unconfirmed[list_id],
                }
                for list_id in found.unanswered
            ],
            "requests": [
                {"request": rid, "silent_lists": silent, "competence": competence(rid)}
                for rid, silent in found.silent.items()
            ],
        }
        columns = {c.id: c.as_dict() for c in result.columns}
        for entry in payload["lists"]:  # `elected`, `merged_from`, `inherits`: only when set
            entry.update(
                {
                    k: columns[entry["list"]][k]
                    for k in ("elected", "merged_from", "inherits")
                    if k in columns[entry["list"]]
                }
            )
        if result.verdicts:  # a key added only once a verdict is recorded: the form is otherwise unchanged
            from dataclasses import asdict

            for entry in payload["lists"]:
                entry["broken"] = [
                    {"request": rid, "pledge": pid, **asdict(result.verdicts[pid]), "competence": competence(rid, pid)}
                    for rid, pid in found.broken[entry["list"]]
                ]
        if by_competence:
            from ..coverage import gaps_by_competence

            grouped = gaps_by_competence(result, found)
            for entry in payload["lists"]:
                mine = grouped[entry["list"]]
                by_group = {kind: mine[kind] for kind in ("unanswered", "partial", "unconfirmed")}
                if result.verdicts:  # like `broken` above: only once a verdict is recorded
                    by_group["broken"] = {
                        key: [{"request": rid, "pledge": pid} for rid, pid in pairs]
                        for key, pairs in mine["broken"].items()
                    }
                entry["by_competence"] = by_group
        print_json(payload)
        return
    from ..report import gaps_view, make_console

    make_console().print(gaps_view(result, found, by_competence))


@commands.command(help=_("Détail d’une demande (les engagements qui y répondent, liste par liste) ou d’un engagement."))
def show(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ID", help=_("Identifiant d’une demande ou d’un engagement."))],
    no_links: NoLinksOption = False,
    format: ReportFormatOption = ReportFormat.table,
) -> None:
    from ..details import details

    data = load_data(ctx)
    findings = findings_for(ctx, not no_links)
    found = details(
        data,
        item,
        use_links=not no_links,
        suggestions=findings.suggestions,
        record=load_record(ctx, data),
        labels=findings.labels,
    )
    if found is None:
        known = [r.id for r in data.requests.requests] + [
            c.id for lst in data.commitments.lists for c in lst.commitments
        ]
        check_ids(_("demande ou engagement"), [item], known)
        return
    if format is ReportFormat.json:
        print_json(found)
        return
    from ..report import details_view, make_console

    make_console().print(details_view(found))


def _neighbourhood(value: str) -> str:
    """A neighbourhood as typed: its key (jas-de-bouffan) or its printed name (« Jas de Bouffan »)."""
    from ..models import NEIGHBOURHOOD_NAMES

    typed = "-".join(value.strip().lower().split())
    for key, name in NEIGHBOURHOOD_NAMES.items():
        if typed in (key, "-".join(name.lower().split())):
            return key
    from ..diagnostics import did_you_mean

    raise typer.BadParameter(
        _("quartier inconnu « {value} » (quartiers : {known})").format(
            value=value, known=", ".join(NEIGHBOURHOOD_NAMES)
        )
        + did_you_mean(typed, NEIGHBOURHOOD_NAMES)
    )


NeighbourhoodFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--quartier",
        "--neighbourhood",
        "-q",
        metavar=_("QUARTIER"),
        parser=_neighbourhood,
        help=_(
            "Seulement ce quartier (option répétable) : beisson, corsy, encagnane, jas-de-bouffan ou pinette "
            "(ou son nom : « Jas de Bouffan »)."
        ),
        show_default=False,
    ),
]


@commands.command(
    help=_(
        "Le bilan des partenaires publics : combien d’actions déjà faites répondent à chaque demande, "
        "quartier par quartier (ou, avec --actions, les actions elles-mêmes)."
    )
)
def bilan(
    ctx: typer.Context,
    neighbourhoods: NeighbourhoodFilter = None,
    requests: RequestFilter = None,
    actions: Annotated[
        bool,
        typer.Option(
            "--actions", help=_("Lister les actions (quartier, partenaires, chiffres, source) plutôt que les compter.")
        ),
    ] = False,
    format: TableFormatOption = TableFormat.table,
) -> None:
    from ..record import actions_table, counts_table

    data = load_data(ctx)
    check_ids(_("demande"), requests, [r.id for r in data.requests.requests])
    record = load_record(ctx, data)
    if actions:
        table = actions_table(record, neighbourhoods, requests)
    else:
        table = counts_table(data, record, neighbourhoods, requests)
    if format is TableFormat.table and not table.rows:
        from ..report import make_console

        make_console().print(
            _("Aucune action au bilan pour ces critères.")
            if record.actions
            else _("Aucun bilan dans ces données (dossier record/).")
        )
        return
    emit_table(table, format)


# The English name, for scripts and readers of the issue tracker: the same command.
commands.command("record", hidden=True, help=_("Alias de « bilan »."))(bilan)
