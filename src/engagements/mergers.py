"""Lists merged between the two rounds: which pledges a merged list holds, and the rules of a merger.

A list declares `merged_from: {lists: [a, b], date: …}`. Its pledges are those of its parts
(each keeps the list it is written under as its origin), then its own `commitments`, if any.
A part may itself be a merged list: the pledges come down the whole chain.

How a merged list is scored: never refitted. The matcher scores each list on its own pledges
(see `matching.py`), and a merged list's inherited pledges stay written under their parts, so
their links and suggestions are the parts' own; the merged list's cells are the union of its
parts' cells (and of its own pledges' cells). Merging therefore changes no part's numbers, and
a merged list's numbers are the same in every view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, did_you_mean
from .i18n import _

if TYPE_CHECKING:
    from .loading import Loaded, YamlFile
    from .models import CandidateList


def members(lists: Sequence[CandidateList]) -> dict[str, tuple[str, ...]]:
    """Each list id -> the lists whose pledges it holds: itself first, then, for a merged list,
    each part's members in the order of `merged_from` (no list twice).

    Unknown parts and cycles (refused by `check_mergers`) are skipped, so that this never fails.
    """
    by_id = {lst.id: lst for lst in lists}
    found: dict[str, tuple[str, ...]] = {}

    def walk(list_id: str, path: tuple[str, ...]) -> tuple[str, ...]:
        if list_id in found:
            return found[list_id]
        lst = by_id[list_id]
        chain: dict[str, None] = {list_id: None}
        for part in lst.merged_from.lists if lst.merged_from else []:
            if part in by_id and part not in path and part != list_id:
                chain.update(dict.fromkeys(walk(part, (*path, list_id))))
        found[list_id] = tuple(chain)
        return found[list_id]

    for lst in lists:
        walk(lst.id, ())
    return found


def origins(lists: Sequence[CandidateList]) -> dict[str, dict[str, str]]:
    """Each merged list id -> {inherited pledge id: the list it is written under}."""
    by_id = {lst.id: lst for lst in lists}
    found: dict[str, dict[str, str]] = {}
    for list_id, held in members(lists).items():
        if len(held) > 1:
            found[list_id] = {c.id: part for part in held[1:] for c in by_id[part].commitments}
    return found


def check_mergers(loaded: Loaded, today: dt.date | None = None) -> list[Diagnostic]:
    """The rules of `merged_from`, across every file that holds lists: known parts, at least two
    of them, no list merged with itself or into two lists, no cycle, candidate lists only, a
    date in the past and a declared source."""
    today = today or dt.date.today()
    entries = [
        (part.file, i, lst, {s.id for s in part.model.sources})
        for part in loaded.parts
        if part.model is not None
        for i, lst in enumerate(part.model.lists)
    ]
    known = {lst.id: lst for _f, _i, lst, _s in entries}
    found: list[Diagnostic] = []

    def report(file: YamlFile, path: tuple[str | int, ...], message: str, code: str) -> None:
        line, col = file.position(path)
        found.append(Diagnostic(file.name, line, col, message, code))

    # part id -> (file, path, merged list id) of the first merger that takes it
    taken: dict[str, tuple[YamlFile, tuple[str | int, ...], str]] = {}
    for file, i, lst, sources in entries:
        merger = lst.merged_from
        if merger is None:
            continue
        at: tuple[str | int, ...] = ("lists", i, "merged_from")
        if lst.kind == "institution":
            report(
                file,
                (*at, "lists"),
                _("un partenaire public (kind: institution) ne peut pas être une liste fusionnée"),
                "merge-institution",
            )
        if len(set(merger.lists)) < 2:
            report(file, (*at, "lists"), _("une fusion réunit au moins deux listes"), "merge-too-small")
        seen: set[str] = set()
        for k, part in enumerate(merger.lists):
            where = (*at, "lists", k)
            if part in seen:
                report(file, where, _("liste « {id} » en double dans la fusion").format(id=part), "duplicate-part")
                continue
            seen.add(part)
            if part == lst.id:
                report(
                    file,
                    where,
                    _("la liste « {id} » ne peut pas fusionner avec elle-même").format(id=part),
                    "merge-cycle",
                )
                continue
            if part not in known:
                report(
                    file,
                    where,
                    _("liste « {id} » inconnue").format(id=part) + did_you_mean(part, known),
                    "unknown-list",
                )
                continue
            if known[part].kind == "institution":
                report(
                    file,
                    where,
                    _(
                        "« {id} » est un partenaire public (kind: institution) : seules des listes candidates fusionnent"
                    ).format(id=part),
                    "merge-institution",
                )
            if part in taken:
                other_file, other_path, other = taken[part]
                line = other_file.position(other_path)[0]
                where_other = (
                    _("ligne {line}").format(line=line)
                    if other_file is file
                    else _("{file} ligne {line}").format(file=other_file.name, line=line)
                )
                report(
                    file,
                    where,
                    _(
                        "la liste « {id} » est déjà fusionnée dans « {other} » ({where}) : "
                        "une liste ne peut fusionner que dans une seule"
                    ).format(id=part, other=other, where=where_other),
                    "merged-twice",
                )
            else:
                taken[part] = (file, where, lst.id)
        if merger.date > today:
            report(file, (*at, "date"), _("date {date} dans le futur").format(date=merger.date), "future-date")
        if merger.source is not None and merger.source not in sources:
            report(
                file,
                (*at, "source"),
                _("source « {id} » inconnue : déclarez-la dans « sources: »").format(id=merger.source)
                + did_you_mean(merger.source, sources),
                "unknown-source",
            )
    for cycle in _cycles(known.values()):
        file, i, _lst, _s = next(e for e in entries if e[2].id == cycle[0])
        report(
            file,
            ("lists", i, "merged_from", "lists"),
            _("fusion circulaire : {chain} (une liste ne peut pas hériter d’elle-même)").format(
                chain=" → ".join((*cycle, cycle[0]))
            ),
            "merge-cycle",
        )
    return found


def _cycles(lists: Iterable[CandidateList]) -> list[tuple[str, ...]]:
    """Each cycle of `merged_from` once (starting at its first list in file order); a list merged
    with itself is reported apart, not here."""
    by_id = {lst.id: lst for lst in lists}
    order = {list_id: n for n, list_id in enumerate(by_id)}
    cycles: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    done: set[str] = set()

    def visit(list_id: str, path: list[str]) -> None:
        if list_id in path:
            cycle = path[path.index(list_id) :]
            key = frozenset(cycle)
            if len(cycle) > 1 and key not in seen:
                seen.add(key)
                start = min(range(len(cycle)), key=lambda n: order[cycle[n]])
                cycles.append(tuple(cycle[start:] + cycle[:start]))
            return
        if list_id in done:
            return
        lst = by_id[list_id]
        for part in dict.fromkeys(lst.merged_from.lists if lst.merged_from else []):
            if part in by_id and part != list_id:
                visit(part, [*path, list_id])
        done.add(list_id)

    for list_id in by_id:
        visit(list_id, [])
    return cycles
