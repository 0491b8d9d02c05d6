"""Plain tables (columns and rows of text) and the formats scripts read them in.

A `Table` is the common currency of the read-only views: the CLI shows it with Rich in a
terminal, or writes it as CSV or JSON. Text cells of CSV are protected against spreadsheet
formula injection (`neutralise`) and hold no raw control or bidi character (`safety.visible`);
`iter_csv` yields the text in batches of rows, so a large export is never built whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .i18n import _
from .safety import visible

if TYPE_CHECKING:
    from .models import Dataset

# What a spreadsheet may read as the start of a formula: = + - @, their fullwidth forms (Excel
# and LibreOffice fold them), | (DDE in old Excel), and tab, CR, LF, which hide what follows.
_FORMULA_START = ("=", "+", "-", "@", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP advice).

    Leading spaces do not help: " =1+1" is a formula too once a spreadsheet trims the cell.
    """
    if isinstance(value, str) and (value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


@dataclass
class Table:
    """Named columns (key, French header) and rows of plain values."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    terminal: list[str] | None = None  # the keys worth showing in an 80-column terminal

    @property
    def keys(self) -> list[str]:
        return [key for key, _label in self.columns]


def to_csv(table: Table, *, excel: bool = False) -> str:
    """RFC 4180 CSV with a header row of column keys; `excel`: semicolons (BOM added by the writer)."""
    return "".join(iter_csv(table.keys, table.rows, excel=excel))


def iter_csv(
    keys: Sequence[str], rows: Iterable[dict[str, Any]], *, excel: bool = False, batch: int = 500
) -> Iterator[str]:
    """The CSV text of `rows`, a header row first, in pieces of `batch` rows (see `to_csv`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(keys)
    for n, row in enumerate(rows, 1):
        writer.writerow([neutralise(_csv_cell(row.get(k))) for k in keys])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return visible(" | ".join(str(v) for v in value))
    if isinstance(value, str):
        return visible(value)
    return value


def to_json(table: Table) -> str:
    return json.dumps([{k: row.get(k) for k in table.keys} for row in table.rows], ensure_ascii=False, indent=2)


def requests_table(data: Dataset) -> Table:
    """Every request of the collective."""
    table = Table(
        [
            ("id", _("id")),
            ("kind", _("type")),
            ("number", _("n°")),
            ("axis", _("axe")),
            ("title", _("intitulé")),
            ("text", _("texte")),
            ("keywords", _("mots-clés")),
        ],
        title=_("Demandes du collectif"),
        terminal=["id", "number", "axis", "title"],
    )
    for r in data.requests.requests:
        table.rows.append(
            {
                "id": r.id,
                "kind": r.kind,
                "number": r.number,
                "axis": r.axis,
                "title": r.title,
                "text": r.text,
                "keywords": list(r.keywords),
            }
        )
    return table


def lists_table(data: Dataset) -> Table:
    """Every candidate list, with how many pledges and links it has."""
    sources = {s.id: s for s in data.commitments.sources}
    table = Table(
        [
            ("id", _("id")),
            ("name", _("liste")),
            ("head", _("tête de liste")),
            ("commitments", _("engagements")),
            ("links", _("liens")),
            ("answered", _("réponse au collectif")),
            ("sources", _("sources")),
        ],
        title=_("Listes candidates"),
        terminal=["id", "name", "commitments", "links", "answered"],
    )
    from .mergers import members

    held = members(data.commitments.lists)
    by_id = {lst.id: lst for lst in data.commitments.lists}
    for lst in data.commitments.lists:
        # a merged list holds its parts' pledges too (see `mergers.py`)
        pledges = [c for m in held[lst.id] for c in by_id[m].commitments]
        table.rows.append(
            {
                "id": lst.id,
                "name": lst.name,
                "head": lst.head,
                "commitments": len(pledges),
                "links": sum(len(c.answers) for c in pledges),
                "answered": any(answered_collective(by_id[m].sources, sources) for m in held[lst.id]),
                "sources": [sources[s].title if s in sources else s for s in lst.sources],
            }
        )
    # Columns added only once a list records an election or a reply (the form is otherwise unchanged).
    if any(lst.elected or lst.reply for lst in data.commitments.lists):
        table.columns += [("elected", _("élue le")), ("reply", _("confirmé par la liste"))]
        if table.terminal is not None:
            table.terminal += ["elected", "reply"]
        for row, lst in zip(table.rows, data.commitments.lists, strict=True):
            row["elected"] = lst.elected.date.isoformat() if lst.elected else None
            row["reply"] = (
                _("{who} le {date}").format(who=lst.reply.confirmed_by, date=lst.reply.date.isoformat())
                if lst.reply
                else None
            )
    if any(lst.merged_from for lst in data.commitments.lists):
        table.columns.append(("merged_from", _("fusion de")))  # not in the terminal's columns: too wide
        for row, lst in zip(table.rows, data.commitments.lists, strict=True):
            row["merged_from"] = list(lst.merged_from.lists) if lst.merged_from else None
    # Likewise a kind column once a list is a public partner's (kind `institution`), which the
    # reports keep apart from the candidate lists: the table no longer holds candidates only.
    if any(lst.kind == "institution" for lst in data.commitments.lists):
        table.title = _("Listes candidates et partenaires publics")
        table.columns.append(("kind", _("type")))  # last in CSV and JSON: the other columns keep their place
        for row, lst in zip(table.rows, data.commitments.lists, strict=True):
            row["kind"] = lst.kind or "candidate"
    return table


def lists_tables_for_people(table: Table) -> list[Table]:
    """The `lists` table for a terminal: the candidate lists, then the public partners' lists in a
    table of their own (as coverage, gaps and show keep them apart), or the table as it is."""
    if "kind" not in table.keys:
        return [table]
    candidates = Table(
        table.columns,
        [row for row in table.rows if row["kind"] != "institution"],
        title=_("Listes candidates"),
        terminal=table.terminal,
    )
    partners = Table(
        table.columns,
        [row for row in table.rows if row["kind"] == "institution"],
        title=_("Partenaires publics (institutions : hors part couverte des listes)"),
        # no reply to the collective is asked of an institution
        terminal=[key for key in table.terminal or table.keys if key != "answered"],
    )
    return [t for t in (candidates, partners) if t.rows]


def answered_collective(source_ids: Sequence[str], sources: dict[str, Any]) -> bool:
    """Whether a list answered the collective itself (not only published a programme)."""
    return any(getattr(sources.get(s), "kind", None) == "answer" for s in source_ids)
