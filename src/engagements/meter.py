"""The promise meter: where each pledge stands after the election, and on what evidence.

A pledge's `history` is a list of dated entries; its current status is the latest entry's
(`not_rated` when there is none). History is never rewritten: a correction is a new entry whose
`corrects` names the entry it corrects. Any verdict but `not_rated` rests on evidence: a source,
and a quote from it or a link to it; a quote from a document kept in `sources/` is checked
against it, as pledge quotes are.

Nothing here prints or exits. `rate` records entries through the same locked, checked, atomic
write path as `editing.link`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .checks import SourceText, find_quote, read_source
from .diagnostics import Diagnostic, did_you_mean
from .i18n import _
from .loading import Loaded
from .models import STATUSES, CandidateList, Commitment, Dataset, HistoryEntry, Source, Status
from .statuses import LABELS, current, label  # re-exported: `meter.label` and the like are public

# English labels are accepted on the way in (sheets filled in English, scripts).
_ENGLISH: dict[str, Status] = {
    "not rated": "not_rated",
    "in progress": "in_progress",
    "stalled": "stalled",
    "compromise": "compromise",
    "kept": "kept",
    "broken": "broken",
}
OPEN: frozenset[Status] = frozenset({"not_rated", "in_progress"})  # still owed: overdue past the deadline


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower().replace("_", " ").replace("-", " "))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def parse_status(text: str) -> Status | None:
    """A status from its id (`kept`), its French label (« tenu », « Au point mort ») or its English one."""
    folded = _fold(text)
    for status in STATUSES:
        if folded in (_fold(status), _fold(LABELS[status]), _fold(label(status))):
            return status
    return _ENGLISH.get(folded)


def unknown_status(text: str) -> str:
    """The message for a status nobody knows, with the closest French label as a hint."""
    return _("statut inconnu « {value} »").format(value=text) + did_you_mean(
        text, [label(s) for s in STATUSES]
    )


def latest(pledge: Commitment) -> HistoryEntry | None:
    return pledge.history[-1] if pledge.history else None


def overdue(pledge: Commitment, today: dt.date) -> bool:
    """Past its deadline and still not rated or in progress."""
    return pledge.deadline is not None and pledge.deadline < today and current(pledge) in OPEN


# --- Rules on a history (used by `check` and before any write) ----------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule in one entry: `path` is relative to the entry, `message` is French."""

    path: tuple[str, ...]
    message: str
    code: str
    level: str = "error"


def entry_problems(
    history: Sequence[HistoryEntry],
    index: int,
    sources: dict[str, Source],
    directory: Path,
    today: dt.date,
) -> Iterator[Problem]:
    """What is wrong with `history[index]`, given the entries before it and the declared sources."""
    entry = history[index]
    if entry.date > today:
        yield Problem(
            ("date",),
            _("date {date} dans le futur : un constat se date du jour où il est fait").format(date=entry.date),
            "future-date",
        )
    if index > 0 and entry.date < history[index - 1].date:
        yield Problem(
            ("date",),
            _(
                "date {date} antérieure à celle de l’entrée précédente ({previous}) : l’historique va dans l’ordre"
                " ; pour corriger une entrée, ajoutez-en une avec « corrects »"
            ).format(date=entry.date, previous=history[index - 1].date),
            "date-order",
        )
    if entry.corrects is not None and entry.corrects > index:
        yield Problem(
            ("corrects",),
            (
                _("« corrects » désigne une entrée antérieure (de 1 à {n})").format(n=index)
                if index
                else _("la première entrée ne peut rien corriger")
            ),
            "bad-correction",
        )
    evidence = entry.evidence
    if evidence is None:
        if entry.status != "not_rated":
            yield Problem(
                ("status",),
                _("statut « {status} » sans preuve : indiquez une source et une citation ou un lien").format(
                    status=label(entry.status)
                ),
                "missing-evidence",
            )
        return
    if not (evidence.quote or evidence.url):
        yield Problem(
            ("evidence",),
            _("preuve sans citation ni lien : ajoutez « quote » ou « url »"),
            "missing-evidence",
        )
    if evidence.document is None:
        return
    source = sources.get(evidence.document)
    if source is None:
        yield Problem(
            ("evidence", "document"),
            _("source « {id} » inconnue : déclarez-la dans « sources: »").format(id=evidence.document)
            + did_you_mean(evidence.document, sources),
            "unknown-source",
        )
        return
    if evidence.quote and source.file:
        content = _source_text(directory, source.file)
        if content is not None and find_quote(evidence.quote, content) is None:
            yield Problem(
                ("evidence", "quote"),
                _("citation introuvable dans la source {file} : recopiez-la telle qu’elle y figure").format(
                    file=source.file
                ),
                "quote-not-found",
            )


def _source_text(directory: Path, file: str) -> SourceText | None:
    """The source's text when it is a readable file inside the data directory (else None: not
    checked here; the source's own problems are reported by `checks` where pledges quote it)."""
    base = directory.resolve()
    candidate = (base / file).resolve()
    if Path(file).is_absolute() or not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    content = read_source(candidate)
    return content if isinstance(content, SourceText) else None


def check_history(loaded: Loaded, today: dt.date | None = None) -> list[Diagnostic]:
    """The meter's rules on every pledge of a loaded data directory, as positioned diagnostics."""
    com = loaded.commitments
    if com is None:
        return []
    today = today or dt.date.today()
    file = loaded.commitments_file
    sources = {s.id: s for s in com.sources}
    found: list[Diagnostic] = []
    for i, lst in enumerate(com.lists):
        for j, pledge in enumerate(lst.commitments):
            path: tuple[str | int, ...] = ("lists", i, "commitments", j)
            if pledge.status is not None:
                line, col = file.position((*path, "status"), key=True)
                found.append(
                    Diagnostic(
                        file.name,
                        line,
                        col,
                        _("« status » est remplacé par « history » (entrées datées, avec leur preuve)"),
                        "deprecated-field",
                        "warning",
                    )
                )
            for k in range(len(pledge.history)):
                for problem in entry_problems(pledge.history, k, sources, loaded.directory, today):
                    line, col = file.position((*path, "history", k, *problem.path))
                    found.append(Diagnostic(file.name, line, col, problem.message, problem.code, "error"))
    return found


def check_lists(loaded: Loaded, today: dt.date | None = None) -> list[Diagnostic]:
    """An election or a reply is dated in the past and cites a declared source (of the file
    that holds the list: `commitments.yaml` or its own `lists/*.yaml`)."""
    today = today or dt.date.today()
    found: list[Diagnostic] = []
    for part in loaded.parts:
        if part.model is None:
            continue
        file = part.file
        sources = {s.id for s in part.model.sources}
        for i, lst in enumerate(part.model.lists):
            for key, value in (("elected", lst.elected), ("reply", lst.reply)):
                if value is None:
                    continue
                if value.date > today:
                    line, col = file.position(("lists", i, key, "date"))
                    message = _("date {date} dans le futur").format(date=value.date)
                    found.append(Diagnostic(file.name, line, col, message, "future-date", "error"))
                if value.source is not None and value.source not in sources:
                    line, col = file.position(("lists", i, key, "source"))
                    message = _("source « {id} » inconnue : déclarez-la dans « sources: »").format(
                        id=value.source
                    ) + did_you_mean(value.source, sources)
                    found.append(Diagnostic(file.name, line, col, message, "unknown-source", "error"))
    return found


# --- The meter, per list ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListMeter:
    """How one list's pledges stand: a count per status (every status, zeros included)."""

    list: str
    name: str
    total: int
    counts: dict[Status, int]
    # With `meter(..., by_competence=True)`: competence group -> its pledges' counts, and the
    # broken pledges of each group (see `pledge_group`)
    by_competence: dict[str, dict[Status, int]] | None = None
    broken_by_competence: dict[str, tuple[str, ...]] | None = None

    def share(self, status: Status) -> float:
        return self.counts[status] / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "list": self.list,
            "name": self.name,
            "total": self.total,
            "counts": dict(self.counts),
            "shares": {s: round(self.share(s), 4) for s in STATUSES},
        }
        if self.by_competence is not None:
            found["by_competence"] = {k: dict(v) for k, v in self.by_competence.items()}
            found["broken_by_competence"] = {k: list(v) for k, v in (self.broken_by_competence or {}).items()}
        return found


@dataclass(frozen=True)
class Change:
    """One recorded entry, with the status it replaced."""

    date: dt.date
    list: str
    pledge: str
    status: Status
    previous: Status
    number: int  # 1-based position in the pledge's history
    entry: HistoryEntry

    def as_dict(self) -> dict[str, Any]:
        evidence = self.entry.evidence
        return {
            "date": self.date.isoformat(),
            "list": self.list,
            "pledge": self.pledge,
            "status": self.status,
            "previous": self.previous,
            "number": self.number,
            "source": evidence.source if evidence else None,
            "url": evidence.url if evidence else None,
            "corrects": self.entry.corrects,
        }


@dataclass(frozen=True)
class Overdue:
    list: str
    pledge: str
    deadline: dt.date
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.list, "pledge": self.pledge, "deadline": self.deadline.isoformat(), "status": self.status}


@dataclass(frozen=True)
class Meter:
    lists: list[ListMeter]
    changes: list[Change] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lists": [m.as_dict() for m in self.lists],
            "changes": [c.as_dict() for c in self.changes],
            "overdue": [o.as_dict() for o in self.overdue],
        }


def _selected(data: Dataset, lists: Sequence[str] | None) -> list[CandidateList]:
    return [lst for lst in data.commitments.lists if not lists or lst.id in lists]


SEVERAL = "plusieurs"


def pledge_group(pledge: Commitment, requests: dict[str, Any]) -> str:
    """The competence group a pledge is counted under: its own competence when its data states
    one; else that of the requests it answers (confirmed links) when they agree; `plusieurs` when
    they do not; `non_renseignee` when nothing says."""
    from .competence import group_key, info

    if pledge.competence is not None:
        return group_key(info(pledge.competence))
    keys = {group_key(info(requests[a.request].competence)) for a in pledge.answers if a.request in requests}
    if len(keys) > 1:
        return SEVERAL
    return keys.pop() if keys else group_key(None)


def meter(
    data: Dataset,
    today: dt.date,
    *,
    lists: Sequence[str] | None = None,
    changes: int = 10,
    by_competence: bool = False,
) -> Meter:
    """The meter of each list (or of `lists`), the `changes` latest entries (newest first) and the
    overdue pledges (earliest deadline first); `by_competence`: each list's counts and broken
    pledges by competence group too (`pledge_group`; a merged list's include its parts')."""
    from .competence import group_order
    from .mergers import members

    requests = {r.id: r for r in data.requests.requests}
    per_list: list[ListMeter] = []
    recorded: list[Change] = []
    late: list[Overdue] = []
    held = members(data.commitments.lists)
    by_id = {lst.id: lst for lst in data.commitments.lists}
    for lst in _selected(data, lists):
        counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        # A merged list counts its parts' pledges too (see `mergers.py`); their entries and
        # deadlines are listed once, under the list each pledge is written under.
        inherited = [pledge for part in held[lst.id][1:] for pledge in by_id[part].commitments]
        for pledge in inherited:
            counts[current(pledge)] += 1
        for pledge in lst.commitments:
            counts[current(pledge)] += 1
            previous: Status = "not_rated"
            for n, entry in enumerate(pledge.history, start=1):
                recorded.append(Change(entry.date, lst.id, pledge.id, entry.status, previous, n, entry))
                previous = entry.status
            if overdue(pledge, today):
                assert pledge.deadline is not None
                late.append(Overdue(lst.id, pledge.id, pledge.deadline, current(pledge)))
        grouped: dict[str, dict[Status, int]] | None = None
        broken: dict[str, tuple[str, ...]] | None = None
        if by_competence:
            found: dict[str, dict[Status, int]] = {}
            broken_found: dict[str, list[str]] = {}
            for pledge in [*lst.commitments, *inherited]:
                key = pledge_group(pledge, requests)
                found.setdefault(key, dict.fromkeys(STATUSES, 0))[current(pledge)] += 1
                if current(pledge) == "broken":
                    broken_found.setdefault(key, []).append(pledge.id)
            order = group_order([k for k in found if k != SEVERAL]) + ([SEVERAL] if SEVERAL in found else [])
            grouped = {k: found[k] for k in order}
            broken = {k: tuple(broken_found[k]) for k in order if k in broken_found}
        per_list.append(
            ListMeter(lst.id, lst.name, len(lst.commitments) + len(inherited), counts, grouped, broken)
        )
    # Stable sort: entries of one date keep the data's order, the latest recorded first.
    recorded.reverse()
    recorded.sort(key=lambda c: c.date, reverse=True)
    late.sort(key=lambda o: (o.deadline, o.list, o.pledge))
    return Meter(per_list, recorded[:changes], late)


def timeline(data: Dataset, pledge_id: str) -> dict[str, Any] | None:
    """A pledge's history as plain data, each entry numbered and marked when a later one corrects it."""
    for lst in data.commitments.lists:
        for pledge in lst.commitments:
            if pledge.id != pledge_id:
                continue
            corrected: dict[int, list[int]] = {}
            for n, entry in enumerate(pledge.history, start=1):
                if entry.corrects is not None:
                    corrected.setdefault(entry.corrects, []).append(n)
            entries = []
            for n, entry in enumerate(pledge.history, start=1):
                evidence = entry.evidence
                entries.append(
                    {
                        "number": n,
                        "date": entry.date.isoformat(),
                        "status": entry.status,
                        "label": label(entry.status),
                        "source": evidence.source if evidence else None,
                        "url": evidence.url if evidence else None,
                        "document": evidence.document if evidence else None,
                        "quote": evidence.quote if evidence else None,
                        "note": entry.note,
                        "by": entry.by,
                        "corrects": entry.corrects,
                        "corrected_by": corrected.get(n, []),
                    }
                )
            return {
                "id": pledge.id,
                "list": lst.id,
                "list_name": lst.name,
                "text": pledge.text,
                "deadline": pledge.deadline.isoformat() if pledge.deadline else None,
                "status": current(pledge),
                "label": label(current(pledge)),
                "history": entries,
            }
    return None


# --- Recording --------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


def _entry_node(entry: HistoryEntry) -> CommentedMap:
    """An entry as the YAML writes it: keys in the model's order, evidence as a nested block."""
    node = CommentedMap()
    for key, value in entry.model_dump(exclude_none=True).items():
        if isinstance(value, dict):
            # Free text double-quoted, as the bundled data writes texts; ids and links plain.
            node[key] = CommentedMap(
                {k: DoubleQuotedScalarString(v) if k in ("source", "quote") else v for k, v in value.items()}
            )
        elif key == "note":
            node[key] = DoubleQuotedScalarString(value)
        elif isinstance(value, dt.date):
            # A fresh object: ruamel would write one shared date as an anchor and aliases.
            node[key] = dt.date(value.year, value.month, value.day)
        else:
            node[key] = value
    return node


def rate(
    directory: Path, entries: Sequence[tuple[str, HistoryEntry]], *, today: dt.date | None = None
) -> list[bool]:
    """Append each (pledge id, entry) to the pledge's history, all in one checked write (or none).

    An entry equal to one the pledge already has is not recorded again, so applying the same
    sheet twice records nothing the second time. Returns, for each entry, whether it was
    recorded. Raises `editing.EditError` (nothing written) when an entry breaks a rule of the
    meter, naming the pledge.
    """
    from . import editing

    today = today or dt.date.today()
    recorded: list[bool] = []
    sources: dict[str, Source] = {}

    def change_for(pledge_id: str, entry: HistoryEntry) -> editing.Change:
        def change(pledge: CommentedMap) -> editing.Outcome:
            history = pledge.get("history")
            existing = [HistoryEntry.model_validate(_plain(item)) for item in history or []]
            if entry in existing:
                recorded.append(False)
                return editing.Outcome(changed=False)
            candidate = [*existing, entry]
            problems = list(entry_problems(candidate, len(existing), sources, directory, today))
            if problems:
                raise editing.EditError(
                    _("engagement « {id} » : {problem}").format(id=pledge_id, problem=problems[0].message)
                )
            if isinstance(history, CommentedSeq):
                editing.append_item(history, _entry_node(entry))
            else:
                editing._insert_key(pledge, "history", CommentedSeq([_entry_node(entry)]), editing._COMMITMENT_KEYS)
            recorded.append(True)
            return editing.Outcome(changed=True)

        return change

    def keep_sources(loaded: Loaded) -> None:
        assert loaded.dataset is not None
        sources.update((s.id, s) for s in loaded.dataset.commitments.sources)

    edits = [(pledge_id, None, change_for(pledge_id, entry)) for pledge_id, entry in entries]
    editing._edit_pledges(directory, edits, before=keep_sources)
    return recorded
