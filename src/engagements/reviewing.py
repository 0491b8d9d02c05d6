"""What `engagements review` asks, pledge by pledge, and what each answer writes.

A review goes through the pledges that have no confirmed link yet (or all of them), in the
order of the data. For each it shows the requests it is closest to, best first, three at a
time; the person picks one (a confirmed link), rejects the first one shown (it is never
suggested again for that pledge), passes, or undoes the last decision. Every decision is
written at once through an `editing.Session` (one validated, atomic write), so an interrupted
review loses nothing that was answered; a review started again skips the pledges that got a
link and the requests that were rejected, and asks again the pledges that were passed.

The requests are ranked again before each pledge is shown, from the data as it is on disk:
the links confirmed earlier in the review teach the matcher, as any confirmed link does.

Nothing here prints or reads the terminal: the CLI (`cli/review.py`) and the effort
benchmark (`benchmarks/review_effort.py`) drive a `Review` with the same calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .coverage import RequestLevel, select_requests
from .editing import Session
from .lexicon import Lexicon, shipped_lexicon
from .models import CandidateList, Commitment, Dataset, Request

PAGE = 3
"""How many requests are shown at once (and can be picked with one key, 1 to PAGE)."""

Action = Literal["accept", "reject", "pass"]


@dataclass(frozen=True)
class Candidate:
    """A request a pledge may answer: its score (0–100), level (None below `partial`) and why."""

    request: Request
    score: int
    level: str | None
    why: tuple[str, ...]


def ranked_requests(
    data: Dataset,
    list_id: str,
    *,
    requests: Collection[str] | None = None,
    lexicon: Lexicon | None = None,
) -> dict[str, list[Candidate]]:
    """For each pledge of a list, every request it neither answers nor rejects, best first.

    Unlike `matching.match`, nothing is cut at the `partial` level: a reviewer needs the
    nearest requests even when none is close. Scores are the matcher's, taught by every
    confirmed link. (Meant to give way to the matcher's own ranking of the K best requests.)
    """
    from .matching import rank

    by_id = {r.id: r for r in data.requests.requests}
    (candidate_list,) = [lst for lst in data.commitments.lists if lst.id == list_id]
    out: dict[str, list[Candidate]] = {c.id: [] for c in candidate_list.commitments}
    # The matcher's own ranking (`match --top K`) with K = every request: same scores and levels
    # as `match`, `show` and `coverage`. Rejected pairs are already left out.
    for r in rank(data, top=len(by_id), lists=[list_id], lexicon=lexicon):
        if r.source == "link" or r.score <= 0 or (requests is not None and r.request not in requests):
            continue
        out[r.commitment].append(Candidate(by_id[r.request], r.score, r.level, r.why))
    return out


@dataclass(frozen=True)
class Item:
    """One pledge as the review shows it: `position` is 1-based among `total` pledges to review."""

    candidate_list: CandidateList
    pledge: Commitment
    candidates: list[Candidate]
    page: int
    position: int
    total: int

    @property
    def shown(self) -> list[Candidate]:
        """The requests on the current page (up to PAGE): the keys 1…PAGE pick among them."""
        return self.candidates[self.page * PAGE : (self.page + 1) * PAGE]

    @property
    def has_more(self) -> bool:
        return len(self.candidates) > (self.page + 1) * PAGE


@dataclass(frozen=True)
class Decision:
    """A decision written by the review: the pair, and whether it was accepted."""

    pledge: str
    request: str
    accepted: bool


@dataclass
class Review:
    """A review session over an open `editing.Session`.

    `current()` is the pledge to answer (None once the review is over); `pick`, `reject`,
    `skip`, `more` and `undo` answer it. Each accepted or rejected pair is written before the
    call returns. `decisions` holds what this review wrote (and did not undo), `passed` the
    pledges passed over.
    """

    session: Session
    lists: Sequence[str] | None = None
    level: RequestLevel = "question"
    min_score: int = 0
    include_linked: bool = False
    by: str | None = None
    date: dt.date | None = None
    lexicon: Lexicon = field(default_factory=shipped_lexicon)

    def __post_init__(self) -> None:
        data = self.session.dataset
        self.request_ids = {r.id for r in select_requests(data.requests.requests, self.level)}
        self.queue: list[tuple[str, str]] = []  # (list id, pledge id), in data order
        for lst in data.commitments.lists:
            if self.lists and lst.id not in self.lists:
                continue
            ranked = ranked_requests(data, lst.id, requests=self.request_ids, lexicon=self.lexicon)
            for pledge in lst.commitments:
                wanted = self.include_linked or not pledge.answers
                if wanted and any(c.score >= self.min_score for c in ranked[pledge.id]):
                    self.queue.append((lst.id, pledge.id))
        self.cursor = 0
        self.page = 0
        self.decisions: list[Decision] = []
        self.passed: list[str] = []
        # What `undo` takes back, last first: ("write", cursor) or ("pass", cursor).
        self._undo: list[tuple[str, int]] = []
        self._ranked: tuple[int, str, dict[str, list[Candidate]]] | None = None

    def _candidates(self, list_id: str, pledge_id: str) -> list[Candidate]:
        # Ranked again whenever the data changed: confirmed links teach the matcher.
        version = self.session.version
        if self._ranked is None or self._ranked[:2] != (version, list_id):
            ranked = ranked_requests(self.session.dataset, list_id, requests=self.request_ids, lexicon=self.lexicon)
            self._ranked = (version, list_id, ranked)
        return [c for c in self._ranked[2].get(pledge_id, []) if c.score >= self.min_score]

    def current(self) -> Item | None:
        """The pledge to answer now, with its requests; pledges left with none are skipped."""
        data = self.session.dataset
        while self.cursor < len(self.queue):
            list_id, pledge_id = self.queue[self.cursor]
            candidates = self._candidates(list_id, pledge_id)
            (lst,) = [lst for lst in data.commitments.lists if lst.id == list_id]
            found = [c for c in lst.commitments if c.id == pledge_id]
            if candidates and found:
                self.page = min(self.page, (len(candidates) - 1) // PAGE)
                return Item(lst, found[0], candidates, self.page, self.cursor + 1, len(self.queue))
            self.cursor += 1
            self.page = 0
        return None

    def _next(self) -> None:
        self.cursor += 1
        self.page = 0

    def _write(self, item: Item, candidate: Candidate, accepted: bool) -> Decision:
        self.session.decide(item.pledge.id, candidate.request.id, accepted, by=self.by, date=self.date)
        decision = Decision(item.pledge.id, candidate.request.id, accepted)
        self.decisions.append(decision)
        self._undo.append(("write", self.cursor))
        return decision

    def pick(self, n: int) -> Decision:
        """Confirm the n-th request shown (1-based), then go to the next pledge."""
        item = self.current()
        assert item is not None
        decision = self._write(item, item.shown[n - 1], True)
        self._next()
        return decision

    def reject(self) -> Decision:
        """Reject the first request shown; the pledge stays, with its next requests."""
        item = self.current()
        assert item is not None
        return self._write(item, item.shown[0], False)

    def skip(self) -> None:
        """Pass: nothing is written, and the next review asks this pledge again."""
        item = self.current()
        assert item is not None
        self.passed.append(item.pledge.id)
        self._undo.append(("pass", self.cursor))
        self._next()

    def more(self) -> bool:
        """Show the next requests of the pledge (back to the first ones after the last page).
        Returns False when there is no other page."""
        item = self.current()
        assert item is not None
        if not item.has_more and item.page == 0:
            return False
        self.page = item.page + 1 if item.has_more else 0
        return True

    def undo(self) -> Decision | str | None:
        """Take back the last answer: a written decision is undone on disk too; a pass is
        forgotten. The review goes back to that pledge. Returns the decision undone, the id of
        the pledge passed, or None when there is nothing to undo."""
        if not self._undo:
            return None
        kind, cursor = self._undo.pop()
        self.cursor, self.page = cursor, 0
        if kind == "pass":
            return self.passed.pop()
        self.session.undo()
        return self.decisions.pop()

    @property
    def accepted(self) -> int:
        return sum(d.accepted for d in self.decisions)

    @property
    def rejected(self) -> int:
        return len(self.decisions) - self.accepted


def pairs_above(
    data: Dataset, threshold: int, lists: Sequence[str] | None, level: RequestLevel
) -> list[tuple[str, str, int]]:
    """The (pledge, request, score) suggestions of the matcher at or above a score, best first:
    what `review --accept-above` would confirm."""
    from .matching import match

    requests = [r.id for r in select_requests(data.requests.requests, level)]
    found = [
        (s.commitment, s.request, s.score)
        for s in match(data, lists=lists, requests=requests, min_score=threshold)
        if s.source == "matcher" and s.score >= threshold
    ]
    return sorted(found, key=lambda p: (-p[2], p[0], p[1]))
