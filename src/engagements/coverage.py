"""Who covers what: the requests × lists matrix, built from links and suggestions.

One source of truth: `compute` runs the matcher once over the whole data set (every list, every
request, every level) and builds the whole matrix from it; every view (`coverage`, `gaps`,
`show`, `match`, `export`, `brief`, `diff`) reads that one result, and filters (`--list`,
`--request`, `--level`) only choose what is displayed (`Coverage.view`, `Findings.select`).
So the same cell has the same level and the same counts wherever it is shown.

Each cell also says how much of it a person confirmed: `confirmed` are the pledges behind it
that a person linked (`answers:`), the rest are the matcher's suggestions, to be checked.

The result is plain data (dataclasses of strings and numbers, no pydantic), so that it can be
cached as JSON and rendered without loading the data again: `engagements coverage` then starts
in the time it takes to import the terminal library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .competence import CompetenceInfo

if TYPE_CHECKING:
    from .matching import Suggestion
    from .models import Commitment, Dataset

CellLevel = Literal["covered", "partial", "absent"]
LEVELS: tuple[CellLevel, ...] = ("covered", "partial", "absent")
RequestLevel = Literal["question", "demand", "all"]
# The meter's statuses, in `models.STATUSES` order (kept here so that a cached matrix is read
# without importing pydantic; a test checks both agree).
METER_STATUSES: tuple[str, ...] = ("not_rated", "in_progress", "stalled", "compromise", "kept", "broken")


@dataclass(frozen=True)
class Verdict:
    """A pledge's current status on the meter (its latest history entry) and its evidence."""

    list: str
    status: str
    date: str
    source: str | None = None
    url: str | None = None
    quote: str | None = None

    @classmethod
    def of(cls, list_id: str, pledge: Any) -> Verdict | None:
        """The pledge's current verdict (its latest history entry), None while it has none."""
        if not pledge.history:
            return None
        entry = pledge.history[-1]
        ev = entry.evidence
        return cls(
            list_id,
            entry.status,
            entry.date.isoformat(),
            ev.source if ev else None,
            ev.url if ev else None,
            ev.quote if ev else None,
        )


ListKind = Literal["candidate", "institution"]


@dataclass(frozen=True)
class Row:
    """A request as the matrix shows it."""

    id: str
    title: str
    text: str
    kind: str | None
    number: str | None
    axis: str | None
    axis_title: str | None
    # which level of government is responsible, and on whose word (None: not recorded)
    competence: CompetenceInfo | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "competence": self.competence.as_dict() if self.competence else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        found = data.get("competence")
        return cls(**{**data, "competence": CompetenceInfo.from_dict(found) if found else None})


@dataclass(frozen=True)
class Column:
    """A list as the matrix shows it."""

    id: str
    name: str
    answered: bool  # answered the collective itself (not only a general programme)
    pledges: int
    short_name: str | None = None
    # "institution": a public partner's commitments (a contract, a record), shown apart and never
    # counted with the candidate lists
    kind: str = "candidate"
    # The date of the list's election (AAAA-MM-JJ), once it is recorded.
    elected: str | None = None
    # A list merged between the two rounds: the lists it merges (as `merged_from` names them), and
    # every list whose pledges it holds (its parts, their parts…). `pledges` counts them all.
    merged_from: tuple[str, ...] = ()
    inherits: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The name to put in a narrow column header."""
        return self.short_name or self.name

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: `elected`, `merged_from` and `inherits` only when they are set, so that
        data without an election or a merger reads as it did before them."""
        found = asdict(self)
        for key in ("elected", "merged_from", "inherits"):
            if not found[key]:
                del found[key]
            elif isinstance(found[key], tuple):
                found[key] = list(found[key])
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Column:
        return cls(
            **{
                **data,
                "merged_from": tuple(data.get("merged_from", ())),
                "inherits": tuple(data.get("inherits", ())),
            }
        )


@dataclass(frozen=True)
class Cell:
    """One request × list: the level, and the pledges behind it (best first).

    `confirmed` are the pledges of `covered` that a person linked to the request; every other
    pledge behind the cell is a suggestion of the matcher, to be checked.
    """

    request: str
    list: str
    level: CellLevel
    covered: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.covered) + len(self.partial)

    @property
    def confirmed_count(self) -> int:
        return len(self.confirmed)

    @property
    def suggested_count(self) -> int:
        """Pledges behind the cell that no person confirmed."""
        return self.count - len(self.confirmed)

    @property
    def is_confirmed(self) -> bool:
        """Whether a person confirmed the cell's level (at least one confirmed link)."""
        return bool(self.confirmed)

    def confirmed_only(self) -> Cell:
        """The cell as the confirmed links alone make it: covered by them, or absent."""
        if not self.confirmed:
            return Cell(self.request, self.list, "absent")
        return Cell(self.request, self.list, "covered", self.confirmed, (), self.confirmed)


@dataclass(frozen=True)
class ListSummary:
    list: str
    covered: int
    partial: int
    absent: int
    confirmed: int = 0  # requests whose level a person confirmed (covered by a confirmed link)

    @property
    def share(self) -> float:
        total = self.covered + self.partial + self.absent
        return self.covered / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The summary's public JSON form (the `summary` rows of `coverage --format json`)."""
        return {
            "list": self.list,
            "covered": self.covered,
            "partial": self.partial,
            "absent": self.absent,
            "share": round(self.share, 4),
            "confirmed": self.confirmed,
        }


@dataclass
class Coverage:
    """The matrix: rows (requests), columns (lists), and a cell for each pair."""

    level: str
    rows: list[Row]
    columns: list[Column]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    # Pledge id -> its verdict, for every pledge with a history (empty: no verdict recorded, and
    # every view reads as it did before the meter).
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    # Merged list id -> {inherited pledge id: the list it is written under} (see `mergers.py`):
    # where each pledge of a merged list's cells comes from. Empty without a merger.
    origins: dict[str, dict[str, str]] = field(default_factory=dict)

    def origin(self, list_id: str, pledge: str) -> str:
        """The list a pledge of `list_id`'s cells is written under (`list_id` itself unless inherited)."""
        return self.origins.get(list_id, {}).get(pledge, list_id)
    # Pledge id -> its own competence, for the pledges whose data states one (a pledge otherwise
    # falls under its request's)
    pledge_competences: dict[str, CompetenceInfo] = field(default_factory=dict)

    def competence_of(self, request: str, pledge: str | None = None) -> CompetenceInfo | None:
        """Who is responsible for a request, or for a pledge on it: the pledge's own competence
        when its data states one, else the request's."""
        if pledge is not None and pledge in self.pledge_competences:
            return self.pledge_competences[pledge]
        row = next((r for r in self.rows if r.id == request), None)
        return row.competence if row else None

    def status(self, pledge: str) -> str:
        verdict = self.verdicts.get(pledge)
        return verdict.status if verdict else "not_rated"

    def cell_meter(self, cell: Cell) -> dict[str, int]:
        """The statuses of the confirmed pledges behind a cell (every status, zeros included)."""
        counts = dict.fromkeys(METER_STATUSES, 0)
        for pledge in cell.confirmed:
            counts[self.status(pledge)] += 1
        return counts

    def list_meter(self, list_id: str) -> dict[str, int]:
        """The statuses of all of a list's pledges: the numbers of `engagements status`."""
        counts = dict.fromkeys(METER_STATUSES, 0)
        col = next(c for c in self.columns if c.id == list_id)
        held = {list_id, *col.inherits}
        rated = [v.status for v in self.verdicts.values() if v.list in held]
        for status in rated:
            counts[status] += 1
        counts["not_rated"] += col.pledges - len(rated)
        return counts

    def cell(self, request: str, list_id: str) -> Cell:
        found = self.cells.get((request, list_id))
        return found if found is not None else Cell(request, list_id, "absent")

    def summary(self) -> list[ListSummary]:
        """Per list: how many requests it covers, partly covers, leaves out, and how many of its
        levels a person confirmed."""
        out = []
        get = self.cells.get
        row_ids = [r.id for r in self.rows]
        for col in self.columns:
            # A missing cell is absent and unconfirmed (what `cell` would make of it), read
            # without making one: most of a large matrix's cells are missing.
            counts = {"covered": 0, "partial": 0, "absent": 0}
            confirmed = 0
            for rid in row_ids:
                cell = get((rid, col.id))
                if cell is None:
                    counts["absent"] += 1
                    continue
                counts[cell.level] += 1
                if cell.confirmed:
                    confirmed += 1
            out.append(ListSummary(col.id, counts["covered"], counts["partial"], counts["absent"], confirmed))
        return out

    def has_confirmed(self, list_id: str) -> bool:
        """Whether any cell shown for the list rests on a link confirmed by a person."""
        return any(self.cell(r.id, list_id).is_confirmed for r in self.rows)

    def view(
        self,
        level: RequestLevel,
        lists: Sequence[str] | None = None,
        requests: Sequence[str] | None = None,
        kind: ListKind | None = "candidate",
    ) -> Coverage:
        """The same matrix, showing only the rows of `level` (and of `requests`) and the columns
        of `lists` (in that order) that are of `kind` (None: every kind). Cells are shared, never
        recomputed: a filter chooses what is displayed, it never changes a number.

        The default kind is "candidate": the public partners' commitments are never counted with
        the candidate lists (shares, gaps, brief); `partners` shows them apart."""
        rows = [r for r in select_requests(self.rows, level) if not requests or r.id in requests]
        of_kind = [c for c in self.columns if kind is None or c.kind == kind]
        if lists:
            by_id = {c.id: c for c in of_kind}
            columns = [by_id[i] for i in dict.fromkeys(lists) if i in by_id]
        else:
            columns = of_kind
        row_ids, col_ids = {r.id for r in rows}, {c.id for c in columns}
        cells = {k: v for k, v in self.cells.items() if k[0] in row_ids and k[1] in col_ids}
        origins = {k: v for k, v in self.origins.items() if k in col_ids}
        return Coverage(level, rows, columns, cells, self.verdicts, origins, self.pledge_competences)

    def confirmed_only(self) -> Coverage:
        """The matrix as the confirmed links alone make it (what `export` publishes by default)."""
        cells = {k: v.confirmed_only() for k, v in self.cells.items() if v.is_confirmed}
        return Coverage(
            self.level, self.rows, self.columns, cells, self.verdicts, self.origins, self.pledge_competences
        )

    def to_dict(self, stream: bool = False) -> dict[str, Any]:
        """The public JSON form (`coverage --format json`).

        With a verdict recorded, cells and summary rows gain `statuses` (counts per status: of
        the cell's confirmed pledges, of all the list's pledges) and `verdicts` is added; with
        none, the form is the one from before the meter. With `stream`, `cells` is an iterator
        of the same dicts, made as a writer reads them (`jsonout.pieces`, `cache.write`): a
        million cells at 100,000 pledges x 1,000 requests are never held all at once.
        """
        found: dict[str, Any] = {
            "level": self.level,
            "requests": [r.as_dict() for r in self.rows],
            "lists": [c.as_dict() for c in self.columns],
            "cells": self._cell_dicts() if stream else list(self._cell_dicts()),
            "summary": [s.as_dict() for s in self.summary()],
        }
        if self.verdicts:
            for row in found["summary"]:
                row["statuses"] = self.list_meter(row["list"])
            found["verdicts"] = {k: asdict(v) for k, v in self.verdicts.items()}
        if self.pledge_competences:  # only once a pledge states its own
            found["pledge_competences"] = {k: v.as_dict() for k, v in self.pledge_competences.items()}
        return found

    def _cell_dicts(self) -> Iterator[dict[str, Any]]:
        """Every cell's public form, rows then columns: what `cell(...)` and its properties give,
        read from the fields directly (a million cells at 100,000 pledges x 1,000 requests: an
        absent `Cell` made per missing cell and five property calls per cell cost seconds)."""
        cells = self.cells.get
        origins, verdicts = self.origins, self.verdicts
        for r in self.rows:
            rid = r.id
            for c in self.columns:
                cell = cells((rid, c.id))
                if cell is None:
                    found: dict[str, Any] = {
                        "request": rid,
                        "list": c.id,
                        "level": "absent",
                        "count": 0,
                        "covered": [],
                        "partial": [],
                        "confirmed": [],
                        "confirmed_count": 0,
                        "suggested_count": 0,
                    }
                else:
                    count = len(cell.covered) + len(cell.partial)
                    found = {
                        "request": rid,
                        "list": c.id,
                        "level": cell.level,
                        "count": count,
                        "covered": list(cell.covered),
                        "partial": list(cell.partial),
                        "confirmed": list(cell.confirmed),
                        "confirmed_count": len(cell.confirmed),
                        "suggested_count": count - len(cell.confirmed),
                    }
                if origins:
                    # A merged list's cells say which part each inherited pledge comes from.
                    mine = origins.get(c.id)
                    if mine is not None:
                        behind = (*found["covered"], *found["partial"])
                        found["origin"] = {p: mine[p] for p in behind if p in mine}
                if verdicts:
                    found["statuses"] = self.cell_meter(self.cell(rid, c.id))
                yield found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coverage:
        cov = cls(
            data["level"],
            [Row.from_dict(r) for r in data["requests"]],
            [Column.from_dict(c) for c in data["lists"]],
            verdicts={k: Verdict(**v) for k, v in data.get("verdicts", {}).items()},
            pledge_competences={k: CompetenceInfo.from_dict(v) for k, v in data.get("pledge_competences", {}).items()},
        )
        for c in data["cells"]:
            if "origin" in c:  # a merged list's cell (see `to_dict`)
                cov.origins.setdefault(c["list"], {}).update(c["origin"])
            if c["level"] != "absent":
                cov.cells[(c["request"], c["list"])] = Cell(
                    c["request"],
                    c["list"],
                    c["level"],
                    tuple(c["covered"]),
                    tuple(c["partial"]),
                    tuple(c.get("confirmed", ())),
                )
        return cov


def select_requests(requests: Sequence[Any], level: RequestLevel) -> list[Any]:
    """The requests shown at a level: the questions, the fine demands, or all of them.

    A data set whose requests carry no `kind` shows all of them at every level.
    """
    if level == "all" or not any(r.kind for r in requests):
        return list(requests)
    chosen = [r for r in requests if r.kind == level]
    return chosen or list(requests)


def build(
    data: Any, suggestions: Sequence[Suggestion], level: RequestLevel = "question", lists: Sequence[str] | None = None
) -> Coverage:
    """The coverage matrix of `data` (a Dataset) from links and suggestions: the whole matrix
    (every request, every list), then the view of `level` and `lists`.

    A merged list's cells are the union of the cells of the lists it holds (see `mergers.py`):
    each suggestion for a part's pledge counts in the part's column and in the merged list's,
    never scored again, so merging changes no part's numbers."""
    from .competence import info
    from .mergers import members, origins
    from .tables import answered_collective

    axes = {a.id: a.title for a in data.requests.axes}
    rows = [
        Row(r.id, r.title, r.text, r.kind, r.number, r.axis, axes.get(r.axis) if r.axis else None, info(r.competence))
        for r in data.requests.requests
    ]
    sources = {s.id: s for s in data.commitments.sources}
    every = data.commitments.lists
    held = members(every)
    sizes = {lst.id: len(lst.commitments) for lst in every}
    by_id = {lst.id: lst for lst in every}
    columns = [
        Column(
            lst.id,
            lst.name,
            # a merged list answered the collective when one of the lists it holds did
            any(answered_collective(by_id[m].sources, sources) for m in held[lst.id]),
            sum(sizes[m] for m in held[lst.id]),
            lst.short_name,
            lst.kind or "candidate",
            lst.elected.date.isoformat() if lst.elected else None,
            tuple(lst.merged_from.lists) if lst.merged_from else (),
            held[lst.id][1:],
        )
        for lst in every
    ]
    # list id -> the columns its pledges count in: its own, and every merged list that holds it
    holders: dict[str, list[str]] = {}
    for list_id, inside in held.items():
        for m in inside:
            holders.setdefault(m, []).append(list_id)
    row_ids = {r.id for r in rows}
    col_ids = {c.id for c in columns}
    covered: dict[tuple[str, str], list[str]] = {}
    partial: dict[tuple[str, str], list[str]] = {}
    confirmed: dict[tuple[str, str], list[str]] = {}
    for s in suggestions:
        if s.request not in row_ids or s.list not in col_ids:
            continue
        target = covered if s.level == "covered" else partial
        for column in holders.get(s.list, (s.list,)):
            target.setdefault((s.request, column), []).append(s.commitment)
            if s.source == "link":
                confirmed.setdefault((s.request, column), []).append(s.commitment)
    verdicts = {
        pledge.id: verdict
        for lst in data.commitments.lists
        for pledge in lst.commitments
        if (verdict := Verdict.of(lst.id, pledge)) is not None
    }
    pledge_competences = {
        pledge.id: found
        for lst in data.commitments.lists
        for pledge in lst.commitments
        if (found := info(pledge.competence)) is not None
    }
    whole = Coverage(
        "all", rows, columns, verdicts=verdicts, origins=origins(every), pledge_competences=pledge_competences
    )
    for key in sorted({*covered, *partial}):
        cov = tuple(dict.fromkeys(covered.get(key, [])))
        part = tuple(p for p in dict.fromkeys(partial.get(key, [])) if p not in cov)
        sure = tuple(p for p in dict.fromkeys(confirmed.get(key, [])) if p in cov)
        whole.cells[key] = Cell(key[0], key[1], "covered" if cov else "partial", cov, part, sure)
    return whole.view(level, lists, kind=None)


@dataclass
class Findings:
    """What is computed once per data set: every link and suggestion, and the whole matrix.

    `suggestions` are plain dicts in the form of `matching.Suggestion.as_dict()` (so that a
    cached result is read without importing the matcher); `coverage` is the whole matrix
    (level "all", every list), from which every view is cut.
    """

    coverage: Coverage
    suggestions: list[dict[str, Any]]
    use_links: bool = True
    # pledge id -> how its document numbers it ("AXE 2.3"), for the public partners' records
    labels: dict[str, str] = field(default_factory=dict)

    def view(
        self,
        level: RequestLevel,
        lists: Sequence[str] | None = None,
        requests: Sequence[str] | None = None,
        kind: ListKind | None = "candidate",
    ) -> Coverage:
        return self.coverage.view(level, lists, requests, kind)

    def select(
        self,
        lists: Sequence[str] | None = None,
        requests: Sequence[str] | None = None,
        min_score: int = 0,
    ) -> list[dict[str, Any]]:
        """The links and suggestions shown by `match` for these filters (links whatever their score)."""
        return [
            s
            for s in self.suggestions
            if (not lists or s["list"] in lists)
            and (not requests or s["request"] in requests)
            and (s["source"] == "link" or s["score"] >= min_score)
        ]

    def matched(self) -> list[Suggestion]:
        """The suggestions as `matching.Suggestion` objects."""
        from .matching import Suggestion

        return [Suggestion(**{**s, "why": tuple(s["why"])}) for s in self.suggestions]

    def to_dict(self, stream: bool = False) -> dict[str, Any]:
        """The cached form; with `stream`, the matrix's cells as an iterator (see `Coverage.to_dict`)."""
        return {
            "coverage": self.coverage.to_dict(stream),
            "suggestions": self.suggestions,
            "use_links": self.use_links,
            "labels": self.labels,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Findings:
        return cls(
            Coverage.from_dict(data["coverage"]),
            list(data["suggestions"]),
            bool(data["use_links"]),
            dict(data.get("labels", {})),
        )


def compute(data: Dataset, *, use_links: bool = True, progress: Callable[[int, int], None] | None = None) -> Findings:
    """Run the matcher once over the whole data set and build the whole matrix from it
    (`progress` is told (pledges scored, total), see `matching.match`)."""
    from .matching import match

    suggestions = match(data, use_links=use_links, progress=progress)
    return Findings(build(data, suggestions, "all"), [s.as_dict() for s in suggestions], use_links, record_labels(data))


def record_labels(data: Dataset) -> dict[str, str]:
    """How a public partner's document numbers each record, from the nearest axis down
    ("AXE 2.3 › Objectif opérationnel 1 › action 3"): objectives are numbered within their axis,
    so their own number alone would be ambiguous. A record the document does not number (an
    action "☞") is told apart from its siblings by its rank under its parent, in document order."""
    out: dict[str, str] = {}
    for lst in data.commitments.lists:
        if lst.kind != "institution":
            continue
        by_id = {c.id: c for c in lst.commitments}
        rank: dict[str, int] = {}
        unnumbered: Counter[tuple[str | None, str | None]] = Counter()
        for c in lst.commitments:
            if not c.number and c.level:
                unnumbered[(c.parent, c.level)] += 1
                rank[c.id] = unnumbered[(c.parent, c.level)]
        axes = Counter((_root(by_id, c).id, c.number) for c in lst.commitments if c.level == "axe")
        for c in lst.commitments:
            chain: list[str] = []
            node: Commitment | None = c
            seen: set[str] = set()
            while node is not None and node.id not in seen:
                seen.add(node.id)
                chain.append(node.number or (f"{node.level} {rank[node.id]}" if node.id in rank else ""))
                if node.level == "axe":
                    break
                node = by_id.get(node.parent or "")
            # axes are numbered within their pillar (the pillar's letter says which "AXE 1.1"),
            # or, in some pillars, within each volet: then the volet's number too ("D › 3) › AXE 1.1")
            if node is not None and node.level == "axe":
                root, volet = node, None
                while root.parent in by_id and root.parent not in seen:
                    seen.add(root.parent)
                    root = by_id[root.parent]
                    volet = root if root.level == "volet" else volet
                if volet is not None and volet.number and axes[(root.id, node.number)] > 1:
                    chain.append(volet.number)
                if root is not node and root.number:
                    chain.append(root.number)
            label = " › ".join(p for p in reversed(chain) if p)
            if label:
                out[c.id] = label
    return out


def _root(by_id: dict[str, Commitment], record: Commitment) -> Commitment:
    """The topmost ancestor of a record (its pillar), `record` itself if it has none."""
    seen = {record.id}
    while record.parent in by_id and record.parent not in seen:
        seen.add(record.parent)
        record = by_id[record.parent]
    return record


@dataclass(frozen=True)
class PartnerCell:
    """What one public partner had already committed to on one request."""

    request: str
    list: str
    level: CellLevel
    count: int
    confirmed_count: int
    suggested_count: int
    records: tuple[str, ...]  # the most relevant records, best first
    labels: tuple[str, ...]  # their numbers in the document ("AXE 2.3")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "records": list(self.records), "labels": list(self.labels)}


def partners(
    findings: Findings,
    level: RequestLevel,
    lists: Sequence[str] | None = None,
    requests: Sequence[str] | None = None,
    top: int = 3,
) -> tuple[Coverage, list[PartnerCell]]:
    """The public partners' matrix (institution lists only) and, per request × partner, the level,
    the counts (confirmed by a person or suggested) and the `top` most relevant records by score
    (confirmed first)."""
    cov = findings.view(level, lists, requests, kind="institution")
    scores: dict[tuple[str, str], int] = {}
    for s in findings.suggestions:
        key = (s["request"], s["commitment"])
        scores[key] = max(scores.get(key, 0), int(s["score"]))
    cells = []
    for row in cov.rows:
        for col in cov.columns:
            cell = cov.cell(row.id, col.id)
            sure = set(cell.confirmed)
            ranked = sorted(
                dict.fromkeys((*cell.covered, *cell.partial)),
                key=lambda p: (p not in sure, -scores.get((row.id, p), 0), p),
            )[:top]
            cells.append(
                PartnerCell(
                    row.id,
                    col.id,
                    cell.level,
                    cell.count,
                    cell.confirmed_count,
                    cell.suggested_count,
                    tuple(ranked),
                    tuple(findings.labels.get(p, p) for p in ranked),
                )
            )
    return cov, cells


def partners_dict(cov: Coverage, cells: Sequence[PartnerCell]) -> dict[str, Any]:
    """The `institutions` key of `coverage --format json`: the public partners, apart."""
    return {
        "lists": [c.as_dict() for c in cov.columns],
        "cells": [c.as_dict() for c in cells],
    }


@dataclass(frozen=True)
class Gaps:
    """What a volunteer takes to a meeting: per list, what is missing; per request, who is silent."""

    unanswered: dict[str, list[str]]  # list id -> request ids absent
    partial: dict[str, list[str]]  # list id -> request ids only partly answered
    silent: dict[str, list[str]]  # request id -> list ids absent
    # list id -> request ids covered only by suggestions that no person confirmed yet
    unconfirmed: dict[str, list[str]] = field(default_factory=dict)
    # list id -> (request id, pledge id): confirmed pledges on a request whose current status is
    # broken (« promis puis rompu »)
    broken: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def gaps(coverage: Coverage) -> Gaps:
    unanswered = {
        c.id: [r.id for r in coverage.rows if coverage.cell(r.id, c.id).level == "absent"] for c in coverage.columns
    }
    partial = {
        c.id: [r.id for r in coverage.rows if coverage.cell(r.id, c.id).level == "partial"] for c in coverage.columns
    }
    silent = {
        r.id: [c.id for c in coverage.columns if coverage.cell(r.id, c.id).level == "absent"] for r in coverage.rows
    }
    unconfirmed = {
        c.id: [
            r.id
            for r in coverage.rows
            if (cell := coverage.cell(r.id, c.id)).level == "covered" and not cell.is_confirmed
        ]
        for c in coverage.columns
    }
    broken = {
        c.id: [
            (r.id, p)
            for r in coverage.rows
            for p in coverage.cell(r.id, c.id).confirmed
            if coverage.status(p) == "broken"
        ]
        for c in coverage.columns
    }
    return Gaps(unanswered, partial, silent, unconfirmed, broken)


def competence_groups(cov: Coverage) -> dict[str, list[Row]]:
    """The rows shown, by competence group (`competence.group_order`: the commune first, the
    requests whose data records none last), each group in the matrix's order."""
    from .competence import group

    rows = {r.id: r for r in cov.rows}
    grouped = group([r.id for r in cov.rows], {r.id: r.competence for r in cov.rows})
    return {k: [rows[i] for i in ids] for k, ids in grouped.items()}


def competence_summary(cov: Coverage) -> list[dict[str, Any]]:
    """Per competence group and per list: how many of the group's requests the list covers,
    partly covers, leaves out (the `by_competence` key of `coverage --par-competence --format json`)."""
    from .competence import label

    out = []
    for key, rows in competence_groups(cov).items():
        part = Coverage(cov.level, rows, cov.columns, cov.cells, cov.verdicts, cov.origins, cov.pledge_competences)
        out.append(
            {
                "competence": key,
                "label": label(key),
                "requests": [r.id for r in rows],
                "lists": [s.as_dict() for s in part.summary()],
            }
        )
    return out


def gaps_by_competence(cov: Coverage, found: Gaps) -> dict[str, dict[str, Any]]:
    """Per list, its gaps by competence group: `unanswered`, `partial`, `unconfirmed` (request
    ids) and `broken` ((request, pledge) pairs, under the pledge's own competence when its data
    states one). Groups in `competence.group_order`; an empty group is left out."""
    from .competence import group, group_key, group_order

    competences = {r.id: r.competence for r in cov.rows}
    out: dict[str, dict[str, Any]] = {}
    for col in cov.columns:
        broken: dict[str, list[tuple[str, str]]] = {}
        for rid, pid in found.broken.get(col.id, []):
            broken.setdefault(group_key(cov.competence_of(rid, pid)), []).append((rid, pid))
        out[col.id] = {
            "unanswered": group(found.unanswered[col.id], competences),
            "partial": group(found.partial[col.id], competences),
            "unconfirmed": group(found.unconfirmed.get(col.id, []), competences),
            "broken": {k: broken[k] for k in group_order(broken)},
        }
    return out
