"""The spreadsheet round-trip: volunteers rate pledges in a sheet, not in YAML.

`status_rows` makes one row per pledge with the public French headers; `to_csv` (French Excel:
UTF-8 with BOM, semicolons) and `to_xlsx` write it. `read_sheet` reads a filled sheet back (xlsx
or csv, either delimiter, with or without BOM, UTF-8 or Windows-1252, French or English headers),
`plan` turns its filled rows into history entries and diagnostics that name the row as the
spreadsheet numbers it (header = row 1), and `apply` records them all in one checked write, or
nothing. `review_rows` and `plan_review` do the same for suggested links (a « décision » column of
o or r), recorded through `editing.decide`. Nothing here prints or exits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, did_you_mean, has_errors
from .i18n import _
from .meter import entry_problems, label, parse_status, unknown_status
from .models import STATUSES, Commitment, Dataset, Evidence, HistoryEntry
from .safety import visible
from .tables import neutralise

if TYPE_CHECKING:
    from .matching import Suggestion

# (key, public French header, English header). The French headers are a public interface.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "id", "id"),
    ("list", "liste", "list"),
    ("pledge", "engagement", "pledge"),
    ("current", "statut actuel", "current status"),
    ("status", "nouveau statut", "new status"),
    ("date", "date", "date"),
    ("source", "source", "source"),
    ("url", "lien", "link"),
    ("quote", "citation", "quote"),
    ("note", "explication", "explanation"),
)
# Read back when present, never written: who rated, the checked document, the corrected entry.
OPTIONAL: tuple[tuple[str, str, str], ...] = (
    ("by", "par", "by"),
    ("document", "document", "document"),
    ("corrects", "corrige", "corrects"),
)
# The review sheet (suggested links): the same reading, other columns.
REVIEW_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "id", "id"),
    ("pledge", "engagement", "pledge"),
    ("request", "demande", "request"),
    ("score", "score", "score"),
    ("why", "pourquoi", "why"),
    ("decision", "décision", "decision"),
)
_ALIASES = {"url": "url", "commitment": "pledge", "note": "note", "explanation": "note", "new_status": "status"}
NEW_FIELDS = ("status", "date", "source", "url", "quote", "note", "by", "document", "corrects")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower().replace("_", " "))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


_HEADERS: dict[str, str] = {}
for _key, _french, _english in (*COLUMNS, *OPTIONAL, *REVIEW_COLUMNS):
    _HEADERS[_fold(_french)] = _key
    _HEADERS[_fold(_english)] = _key
for _alias, _key in _ALIASES.items():
    _HEADERS[_fold(_alias)] = _key


def headers(columns: Sequence[tuple[str, str, str]] = COLUMNS) -> list[str]:
    return [french for _key, french, _english in columns]


def status_rows(data: Dataset, lists: Sequence[str] | None = None) -> list[list[Any]]:
    """One row per pledge (the header first): its id, list, text and current status; the new
    status and its evidence left blank for the volunteer."""
    from .meter import current

    rows: list[list[Any]] = [headers()]
    for lst in data.commitments.lists:
        if lists and lst.id not in lists:
            continue
        for pledge in lst.commitments:
            rows.append([pledge.id, lst.short_name or lst.name, pledge.text, label(current(pledge))] + [""] * 6)
    return rows


def review_rows(data: Dataset, suggestions: Sequence[Suggestion]) -> list[list[Any]]:
    """One row per suggested link (neither confirmed nor rejected), best score first; the
    volunteer writes o (confirm) or r (reject) in « décision »."""
    texts = {c.id: c.text for lst in data.commitments.lists for c in lst.commitments}
    titles = {r.id: r.title for r in data.requests.requests}
    rows: list[list[Any]] = [headers(REVIEW_COLUMNS)]
    found = sorted((s for s in suggestions if s.source == "matcher"), key=lambda s: (-s.score, s.commitment, s.request))
    for s in found:
        rows.append(
            [s.commitment, texts[s.commitment], f"{s.request} : {titles[s.request]}", s.score, ", ".join(s.why), ""]
        )
    return rows


def to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """French Excel CSV: UTF-8 with BOM, semicolons, CRLF; formula-like text neutralised, control
    and bidi characters shown as visible escapes (`\\x1b`, `\\u202e`), as in every export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(visible(cell)) if isinstance(cell, str) else cell for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook: bold frozen header, filters, a drop-down in the column to fill (the French
    statuses in « nouveau statut », o or r in « décision »)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = _("Suivi")[:31]
    widths = {
        "id": 16, "liste": 18, "engagement": 60, "statut actuel": 14, "nouveau statut": 16, "date": 12,
        "demande": 36, "score": 8, "pourquoi": 36, "décision": 10,
    }  # fmt: skip
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(visible(value)))
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, never a formula
            if r == 1:
                cell.font = Font(bold=True)
            elif c == 3:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, head in enumerate(rows[0], start=1):
        sheet.column_dimensions[get_column_letter(c)].width = widths.get(str(head), 24)
    header = [str(h) for h in rows[0]]
    fill, options = (
        ("décision", ["o", "r"]) if "décision" in header else ("nouveau statut", [label(s) for s in STATUSES])
    )
    column = get_column_letter(header.index(fill) + 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    choices.add(f"{column}2:{column}{max(len(rows), 2)}")
    sheet.add_data_validation(choices)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Reading a filled sheet --------------------------------------------------------------------


class SheetError(Exception):
    """A sheet that cannot be read at all (not a spreadsheet, no header): one diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's « CSV (séparateur : point-virgule) » on Windows writes Windows-1252.
        return raw.decode("cp1252", errors="replace")


def _csv_rows(raw: bytes) -> list[list[Any]]:
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: Path, name: str) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetError(
            Diagnostic(name, None, None, _("classeur illisible : {error}").format(error=error), "bad-sheet")
        ) from error
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass(frozen=True)
class Row:
    """One row of a sheet: its number as the spreadsheet shows it, its cells by key."""

    number: int
    cells: dict[str, Any]

    def text(self, key: str) -> str:
        value = self.cells.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


@dataclass(frozen=True)
class Sheet:
    """A sheet as read: `status` (a follow-up sheet) or `review` (suggested links), and its rows."""

    kind: str
    rows: list[Row]


def read_sheet(path: Path, name: str) -> Sheet:
    """The data rows of a sheet, keyed by column, and which sheet it is (a « décision » column
    makes it a review sheet); raises `SheetError` when it cannot be read."""
    try:
        rows = _xlsx_rows(path, name) if path.suffix.lower() == ".xlsx" else _csv_rows(path.read_bytes())
    except OSError as error:
        raise SheetError(
            Diagnostic(name, None, None, _("lecture impossible : {error}").format(error=error.strerror), "bad-sheet")
        ) from error
    except csv.Error as error:
        raise SheetError(
            Diagnostic(name, None, None, _("CSV illisible : {error}").format(error=error), "bad-sheet")
        ) from None
    if not rows:
        raise SheetError(Diagnostic(name, 1, None, _("feuille vide : il manque la ligne d’en-tête"), "bad-sheet"))
    keys = [_HEADERS.get(_fold(head)) if head is not None else None for head in rows[0]]
    kind = "review" if "decision" in keys else "status"
    required = (
        (("id", "id"), ("status", "nouveau statut")) if kind == "status" else (("id", "id"), ("request", "demande"))
    )
    missing = [french for key, french in required if key not in keys]
    if missing:
        raise SheetError(
            Diagnostic(
                name,
                1,
                None,
                _("colonne(s) manquante(s) : {columns} ; en-têtes attendus : {expected}").format(
                    columns=", ".join(f"« {m} »" for m in missing),
                    expected=", ".join(headers(COLUMNS if kind == "status" else REVIEW_COLUMNS)),
                ),
                "bad-sheet",
            )
        )
    found = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {key: value for key, value in zip(keys, values, strict=False) if key is not None}
        found.append(Row(number, cells))
    return Sheet(kind, found)


# --- From rows to entries ----------------------------------------------------------------------

_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_cell_date(value: Any) -> dt.date | str:
    """A date from a cell: a spreadsheet date, AAAA-MM-JJ or JJ/MM/AAAA (as French Excel saves
    it). Returns the French message when it is not a real date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return _("date « {value} » illisible : attendu AAAA-MM-JJ ou JJ/MM/AAAA").format(value=text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return _("date impossible « {date} » : ce jour n’existe pas au calendrier").format(date=text)


@dataclass(frozen=True)
class Planned:
    """A filled row and the entry it makes; `recorded` is False when the pledge already has it."""

    row: int
    pledge: str
    entry: HistoryEntry
    recorded: bool


@dataclass(frozen=True)
class PlannedDecision:
    """A filled row of a review sheet; `recorded` is False when the data already says so."""

    row: int
    pledge: str
    request: str
    accepted: bool
    recorded: bool


@dataclass
class Plan:
    entries: list[Planned] = field(default_factory=list)
    decisions: list[PlannedDecision] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    blank: int = 0  # rows left without a new status

    @property
    def new(self) -> list[Planned]:
        return [p for p in self.entries if p.recorded]

    @property
    def new_decisions(self) -> list[PlannedDecision]:
        return [d for d in self.decisions if d.recorded]


def plan(data: Dataset, directory: Path, rows: Sequence[Row], name: str, today: dt.date) -> Plan:
    """The entries a filled sheet asks for, each checked against the rules of the meter and
    against the rows before it; every problem is a diagnostic at its row."""
    result = Plan()
    pledges: dict[str, Commitment] = {c.id: c for lst in data.commitments.lists for c in lst.commitments}
    histories: dict[str, list[HistoryEntry]] = {pid: list(p.history) for pid, p in pledges.items()}
    sources = {s.id: s for s in data.commitments.sources}

    def error(row: Row, message: str, code: str) -> None:
        result.diagnostics.append(Diagnostic(name, row.number, None, message, code))

    for row in rows:
        if not any(row.text(key) for key in NEW_FIELDS):
            result.blank += 1
            continue
        pledge_id = row.text("id")
        status_text = row.text("status")
        if not status_text:
            error(row, _("« nouveau statut » vide alors que la ligne est remplie : indiquez le statut"), "bad-row")
            continue
        if pledge_id not in pledges:
            error(
                row,
                _("engagement « {id} » inconnu").format(id=pledge_id) + did_you_mean(pledge_id, pledges),
                "unknown-pledge",
            )
            continue
        status = parse_status(status_text)
        if status is None:
            error(row, unknown_status(status_text), "bad-status")
            continue
        if not row.text("date"):
            error(row, _("date manquante : indiquez le jour du constat (AAAA-MM-JJ)"), "bad-date")
            continue
        date = parse_cell_date(row.cells["date"])
        if isinstance(date, str):
            error(row, date, "bad-date")
            continue
        corrects: int | None = None
        if row.text("corrects"):
            if not row.text("corrects").isdigit() or int(row.text("corrects")) < 1:
                error(row, _("« corrige » doit être un numéro d’entrée (1, 2…)"), "bad-correction")
                continue
            corrects = int(row.text("corrects"))
        source = row.text("source")
        if not source and any(row.text(k) for k in ("url", "quote", "document")):
            error(row, _("une preuve nomme sa source : remplissez la colonne « source »"), "missing-evidence")
            continue
        evidence = (
            Evidence(
                source=source,
                url=row.text("url") or None,
                quote=row.text("quote") or None,
                document=row.text("document") or None,
            )
            if source
            else None
        )
        try:
            entry = HistoryEntry(
                status=status,
                date=date,
                evidence=evidence,
                note=row.text("note") or None,
                by=row.text("by") or None,
                corrects=corrects,
            )
        except ValueError:  # the only free-form cell the model constrains: the document's id
            error(
                row,
                _(
                    "document « {value} » : identifiant invalide (lettres, chiffres, « . », « _ », « - » seulement)"
                ).format(value=row.text("document")),
                "bad-row",
            )
            continue
        history = histories[pledge_id]
        if entry in history:
            result.entries.append(Planned(row.number, pledge_id, entry, False))
            continue
        candidate = [*history, entry]
        problems = list(entry_problems(candidate, len(history), sources, directory, today))
        for problem in problems:
            error(row, problem.message, problem.code)
        if not problems:
            history.append(entry)
            result.entries.append(Planned(row.number, pledge_id, entry, True))
    return result


_YES = frozenset({"o", "oui", "y", "yes", "confirmer", "confirme", "1"})
_NO = frozenset({"r", "rejeter", "rejete", "n", "non", "no", "0"})


def plan_review(data: Dataset, rows: Sequence[Row], name: str) -> Plan:
    """The decisions a filled review sheet asks for (o: confirm, r: reject; blank: no decision)."""
    result = Plan()
    pledges = {c.id: c for lst in data.commitments.lists for c in lst.commitments}
    request_ids = [r.id for r in data.requests.requests]
    for row in rows:
        choice = _fold(row.text("decision"))
        if not choice:
            result.blank += 1
            continue
        pledge_id = row.text("id")
        # « q1 : Logement… » as written by `sheet review`, or the bare id.
        request_id = re.split(r"\s|:", row.text("request"), maxsplit=1)[0]

        def error(message: str, code: str, row: Row = row) -> None:
            result.diagnostics.append(Diagnostic(name, row.number, None, message, code))

        if choice not in _YES and choice not in _NO:
            error(
                _("décision « {value} » inconnue : o (confirmer) ou r (rejeter)").format(value=row.text("decision")),
                "bad-decision",
            )
        elif pledge_id not in pledges:
            error(
                _("engagement « {id} » inconnu").format(id=pledge_id) + did_you_mean(pledge_id, pledges),
                "unknown-pledge",
            )
        elif request_id not in request_ids:
            error(
                _("demande « {id} » inconnue").format(id=request_id) + did_you_mean(request_id, request_ids),
                "unknown-request",
            )
        else:
            accepted = choice in _YES
            pledge = pledges[pledge_id]
            already = {link.request for link in (pledge.answers if accepted else pledge.rejects)}
            result.decisions.append(
                PlannedDecision(row.number, pledge_id, request_id, accepted, request_id not in already)
            )
    return result


def apply(directory: Path, path: Path, name: str, *, dry_run: bool = False, today: dt.date | None = None) -> Plan:
    """Record every filled row of a sheet in one checked write, or nothing when any row is bad
    (the plan's diagnostics say which). With `dry_run`, nothing is written either way."""
    from . import editing, meter

    today = today or dt.date.today()
    loaded = editing.load_valid(directory)
    assert loaded.dataset is not None
    try:
        sheet = read_sheet(path, name)
    except SheetError as error:
        return Plan(diagnostics=[error.diagnostic])
    if sheet.kind == "review":
        result = plan_review(loaded.dataset, sheet.rows, name)
        if not (dry_run or has_errors(result.diagnostics) or not result.new_decisions):
            editing.decide(directory, [(d.pledge, d.request, d.accepted) for d in result.new_decisions])
        return result
    result = plan(loaded.dataset, directory, sheet.rows, name, today)
    if dry_run or has_errors(result.diagnostics) or not result.new:
        return result
    meter.rate(directory, [(p.pledge, p.entry) for p in result.new], today=today)
    return result
