"""What public partners report as done (`record/*.yaml`), for `show` and the `bilan` view.

Plain data in, plain data out: the actions that answer a request or carry out a public pledge,
grouped by neighbourhood, and the count of actions per request and neighbourhood. Only what the
record says: an action counts for a request when a person linked it (`answers`), never by a
guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .i18n import _
from .models import NEIGHBOURHOOD_NAMES, NEIGHBOURHOODS, Dataset, RecordedAction, RecordFile
from .tables import Table


def neighbourhood_name(key: str) -> str:
    """The neighbourhood as the documents print it ("Jas de Bouffan")."""
    return NEIGHBOURHOOD_NAMES.get(key, key)


def action_dict(action: RecordedAction, record: RecordFile) -> dict[str, Any]:
    """One recorded action with its source spelled out (document, file, caption, line)."""
    from .details import provenance_dict

    sources = {s.id: s for s in record.sources}
    return {
        "id": action.id,
        "action": action.action,
        "text": action.text,
        "theme": action.theme,
        "partners": list(action.partners),
        "neighbourhoods": list(action.neighbourhoods),
        "year": action.year,
        "figures": list(action.figures),
        "answers": [link.request for link in action.answers],
        "implements": [link.commitment for link in action.implements],
        "provenance": provenance_dict(action.provenance, sources),
        "note": action.note,
    }


def _grouped(actions: Sequence[RecordedAction], record: RecordFile, why: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Actions by neighbourhood (in the vocabulary's order), each with the link that names it."""
    groups = []
    for key in NEIGHBOURHOODS:
        here = [a for a in actions if key in a.neighbourhoods]
        if here:
            groups.append(
                {
                    "neighbourhood": key,
                    "name": neighbourhood_name(key),
                    "actions": [{**action_dict(a, record), **why[a.id]} for a in here],
                }
            )
    return {"actions": len(actions), "neighbourhoods": groups}


def done_for_request(record: RecordFile, request_id: str) -> dict[str, Any]:
    """« Déjà fait » for a request: the recorded actions linked to it (`answers`), by neighbourhood.

    `actions` is the number of distinct actions (one in two neighbourhoods counts once); each
    action carries who linked it and when (`by`, `date`)."""
    return _done(record, lambda action: next((link for link in action.answers if link.request == request_id), None))


def done_for_pledge(record: RecordFile, pledge_id: str) -> dict[str, Any]:
    """The recorded actions that carry out a public partner's pledge (`implements`), by neighbourhood."""
    return _done(
        record, lambda action: next((link for link in action.implements if link.commitment == pledge_id), None)
    )


def _done(record: RecordFile, link_of: Callable[[RecordedAction], Any]) -> dict[str, Any]:
    """The actions that `link_of` finds a link on, grouped, each with who made that link and when."""
    found: list[RecordedAction] = []
    why: dict[str, dict[str, Any]] = {}
    for action in record.actions:
        link = link_of(action)
        if link is not None:
            found.append(action)
            why[action.id] = {"by": link.by, "date": link.date.isoformat() if link.date else None}
    return _grouped(found, record, why)


def selected(
    record: RecordFile, neighbourhoods: Iterable[str] | None = None, requests: Iterable[str] | None = None
) -> list[RecordedAction]:
    """The actions in one of `neighbourhoods` and linked to one of `requests` (None: any)."""
    places = set(neighbourhoods) if neighbourhoods else None
    wanted = set(requests) if requests else None
    return [
        a
        for a in record.actions
        if (places is None or places & set(a.neighbourhoods))
        and (wanted is None or wanted & {link.request for link in a.answers})
    ]


def counts_table(
    data: Dataset,
    record: RecordFile,
    neighbourhoods: Sequence[str] | None = None,
    requests: Sequence[str] | None = None,
) -> Table:
    """How many recorded actions answer each request, neighbourhood by neighbourhood.

    One row per request that has at least one action in the neighbourhoods shown (in the order of
    `requests.yaml`), then, without `requests`, a row for the actions linked to no request. A
    cell counts actions (rows of the record); `total` counts each action once, whatever the
    number of neighbourhoods it is in.
    """
    places = [key for key in NEIGHBOURHOODS if not neighbourhoods or key in neighbourhoods]
    table = Table(
        [
            ("request", _("demande")),
            ("title", _("intitulé")),
            *((key, neighbourhood_name(key)) for key in places),
            ("total", _("total")),
        ],
        title=_("Bilan : actions déjà faites, par demande et par quartier"),
    )
    actions = selected(record, places)
    wanted = set(requests) if requests else None

    def row(request: str | None, title: str, linked: list[RecordedAction]) -> None:
        if not linked:
            return
        cells: dict[str, int] = {key: sum(1 for a in linked if key in a.neighbourhoods) for key in places}
        table.rows.append({"request": request, "title": title, **cells, "total": len(linked)})

    for r in data.requests.requests:
        if wanted is None or r.id in wanted:
            row(r.id, r.title, [a for a in actions if any(link.request == r.id for link in a.answers)])
    if wanted is None:
        row(None, _("(liée à aucune demande)"), [a for a in actions if not a.answers])
    return table


def actions_table(
    record: RecordFile, neighbourhoods: Sequence[str] | None = None, requests: Sequence[str] | None = None
) -> Table:
    """The recorded actions themselves, one row each, in the record's order."""
    table = Table(
        [
            ("id", _("id")),
            ("neighbourhoods", _("quartiers")),
            ("year", _("année")),
            ("theme", _("thématique")),
            ("partners", _("partenaires")),
            ("action", _("action")),
            ("text", _("descriptif")),
            ("figures", _("chiffres")),
            ("answers", _("demandes")),
            ("implements", _("engagements mis en œuvre")),
            ("source", _("source")),
            ("line", _("ligne")),
        ],
        title=_("Bilan : actions déjà faites"),
        terminal=["id", "neighbourhoods", "partners", "action", "answers"],
    )
    files = {s.id: s.file for s in record.sources}
    for a in selected(record, neighbourhoods, requests):
        table.rows.append(
            {
                "id": a.id,
                "neighbourhoods": list(a.neighbourhoods),
                "year": a.year,
                "theme": a.theme,
                "partners": list(a.partners),
                "action": a.action,
                "text": a.text,
                "figures": list(a.figures),
                "answers": [link.request for link in a.answers],
                "implements": [link.commitment for link in a.implements],
                "source": files.get(a.provenance.source) or a.provenance.source,
                "line": a.provenance.line,
            }
        )
    return table
