"""Who covers what: the requests × lists matrix, built from links and suggestions.

The result is plain data (dataclasses of strings and numbers, no pydantic), so that it can be
cached as JSON and rendered without loading the data again: `engagements coverage` then starts
in the time it takes to import the terminal library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .matching import Suggestion

CellLevel = Literal["covered", "partial", "absent"]
LEVELS: tuple[CellLevel, ...] = ("covered", "partial", "absent")
RequestLevel = Literal["question", "demand", "all"]


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


@dataclass(frozen=True)
class Column:
    """A list as the matrix shows it."""

    id: str
    name: str
    answered: bool  # answered the collective itself (not only a general programme)
    pledges: int
    short_name: str | None = None

    @property
    def label(self) -> str:
        """The name to put in a narrow column header."""
        return self.short_name or self.name


@dataclass(frozen=True)
class Cell:
    """One request × list: the level, and the pledges behind it (best first)."""

    request: str
    list: str
    level: CellLevel
    covered: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.covered) + len(self.partial)


@dataclass(frozen=True)
class ListSummary:
    list: str
    covered: int
    partial: int
    absent: int

    @property
    def share(self) -> float:
        total = self.covered + self.partial + self.absent
        return self.covered / total if total else 0.0


@dataclass
class Coverage:
    """The matrix: rows (requests), columns (lists), and a cell for each pair."""

    level: str
    rows: list[Row]
    columns: list[Column]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, request: str, list_id: str) -> Cell:
        return self.cells.get((request, list_id), Cell(request, list_id, "absent"))

    def summary(self) -> list[ListSummary]:
        """Per list: how many requests it covers, partly covers, leaves out."""
        out = []
        for col in self.columns:
            levels = [self.cell(r.id, col.id).level for r in self.rows]
            out.append(ListSummary(col.id, levels.count("covered"), levels.count("partial"), levels.count("absent")))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form (`coverage --format json`)."""
        return {
            "level": self.level,
            "requests": [asdict(r) for r in self.rows],
            "lists": [asdict(c) for c in self.columns],
            "cells": [
                {
                    "request": r.id,
                    "list": c.id,
                    "level": (cell := self.cell(r.id, c.id)).level,
                    "count": cell.count,
                    "covered": list(cell.covered),
                    "partial": list(cell.partial),
                }
                for r in self.rows
                for c in self.columns
            ],
            "summary": [
                {
                    "list": s.list,
                    "covered": s.covered,
                    "partial": s.partial,
                    "absent": s.absent,
                    "share": round(s.share, 4),
                }
                for s in self.summary()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coverage:
        cov = cls(
            data["level"],
            [Row(**r) for r in data["requests"]],
            [Column(**c) for c in data["lists"]],
        )
        for c in data["cells"]:
            if c["level"] != "absent":
                cov.cells[(c["request"], c["list"])] = Cell(
                    c["request"], c["list"], c["level"], tuple(c["covered"]), tuple(c["partial"])
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
    """The coverage matrix of `data` (a Dataset) at `level`, from links and suggestions."""
    from .tables import answered_collective

    axes = {a.id: a.title for a in data.requests.axes}
    rows = [
        Row(r.id, r.title, r.text, r.kind, r.number, r.axis, axes.get(r.axis) if r.axis else None)
        for r in select_requests(data.requests.requests, level)
    ]
    sources = {s.id: s for s in data.commitments.sources}
    wanted = list(lists) if lists else None
    chosen = [lst for lst in data.commitments.lists if wanted is None or lst.id in wanted]
    if wanted:
        chosen.sort(key=lambda lst: wanted.index(lst.id))
    columns = [
        Column(lst.id, lst.name, answered_collective(lst.sources, sources), len(lst.commitments), lst.short_name)
        for lst in chosen
    ]
    row_ids = {r.id for r in rows}
    col_ids = {c.id for c in columns}
    covered: dict[tuple[str, str], list[str]] = {}
    partial: dict[tuple[str, str], list[str]] = {}
    for s in suggestions:
        if s.request not in row_ids or s.list not in col_ids:
            continue
        target = covered if s.level == "covered" else partial
        target.setdefault((s.request, s.list), []).append(s.commitment)
    coverage = Coverage(level, rows, columns)
    for key in {*covered, *partial}:
        cov = tuple(dict.fromkeys(covered.get(key, [])))
        part = tuple(p for p in dict.fromkeys(partial.get(key, [])) if p not in cov)
        coverage.cells[key] = Cell(key[0], key[1], "covered" if cov else "partial", cov, part)
    return coverage


@dataclass(frozen=True)
class Gaps:
    """What a volunteer takes to a meeting: per list, what is missing; per request, who is silent."""

    unanswered: dict[str, list[str]]  # list id -> request ids absent
    partial: dict[str, list[str]]  # list id -> request ids only partly answered
    silent: dict[str, list[str]]  # request id -> list ids absent


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
    return Gaps(unanswered, partial, silent)
