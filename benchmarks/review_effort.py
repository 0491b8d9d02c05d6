"""How much work `engagements review` takes to restore a list's confirmed links, and how fast
each decision reaches the disk.

For each direction (one list's links hidden, the other list's links kept, so they teach the
matcher), a copy of the bundled data has the hidden list's `answers` removed, and a reviewer who
knows them answers the review, as a person would at the keyboard:

- review (this command): pledge by pledge, in data order, the 3 closest requests of the pledge
  (question level), ranked again after each confirmed link. The reviewer presses the number of a
  request it knows is linked; `+` when a linked request is further down the pledge's ranking; `p`
  otherwise (a pledge with no link, or whose link the ranking does not reach). Every pick is a
  real validated write into the copy, through the same `reviewing.Review` the CLI drives.
- baseline (confirming pairs one by one in score order): the matcher's suggestions sorted by
  score, best first, each answered `o` or `r` with Enter, until the last hidden link among them
  is confirmed. Two variants: the suggestions the former `review` showed (at `partial` or above:
  several links are never offered), and every pair with a score above zero (every link offered).

Decisions are answers that write or pass (picks, rejects, passes); keystrokes count every key
(on a terminal the review reads one key per answer, without Enter; with piped input each
answer ends with Enter, one more key). The figure asked for is decisions per linked pledge; a
review that asks each pledge without a link once cannot cost less than (pledges asked) /
(linked pledges), which the last line of each direction prints.

Times, median and worst: "decision on disk" is the journal line (appended and synced) that makes
a decision survive a crash; "write per decision" the whole decision, journal then validated,
atomic round-trip write of commitments.yaml; "answer to next pledge" adds the new ranking.

Usage: python benchmarks/review_effort.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import engagements  # noqa: F401 - only checks that the package is importable
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from engagements import editing
from engagements.coverage import select_requests
from engagements.matching import Matcher, analyze, match, teaching_texts
from engagements.models import Dataset
from engagements.reviewing import PAGE, Review

DATA = ROOT / "data"
DIRECTIONS = (("aix-en-commun", "programme-solidarite"), ("programme-solidarite", "aix-en-commun"))
TARGET = 1.3


@dataclass
class Effort:
    decisions: int = 0
    keys: int = 0  # on a terminal: one key per answer
    answers: int = 0  # answers given (each one Enter more with piped input)
    restored: int = 0
    reviewed: int | None = None  # pledges the review asked about (each costs at least one decision)
    write_times: list[float] = field(default_factory=list)
    journal_times: list[float] = field(default_factory=list)
    step_times: list[float] = field(default_factory=list)


def hide(directory: Path, list_id: str) -> dict[str, set[str]]:
    """Remove a list's confirmed links from the data copy (one write); return them."""
    loaded = editing.load_valid(directory)
    assert loaded.dataset is not None
    truth = {
        c.id: {link.request for link in c.answers}
        for lst in loaded.dataset.commitments.lists
        if lst.id == list_id
        for c in lst.commitments
    }

    def unlink_all(pledge):  # type: ignore[no-untyped-def]
        changed = "answers" in pledge
        if changed:
            del pledge["answers"]
        return editing.Outcome(changed=changed)

    with editing.Session(directory) as session:
        session.apply([(pledge, next(iter(links)), unlink_all) for pledge, links in truth.items() if links])
    return truth


def replay(directory: Path, list_id: str, truth: dict[str, set[str]]) -> Effort:
    effort = Effort()
    with editing.Session(directory) as session:
        journal = session._journal

        def timed(entry):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            journal(entry)
            effort.journal_times.append(time.perf_counter() - start)

        session._journal = timed  # type: ignore[method-assign]
        review = Review(session, lists=[list_id], level="question")
        effort.reviewed = len(review.queue)
        while (item := review.current()) is not None:
            wanted = truth.get(item.pledge.id, set())
            ids = [c.request.id for c in item.shown]
            further = [c.request.id for c in item.candidates[(item.page + 1) * PAGE :]]
            effort.keys += 1
            effort.answers += 1
            if wanted & set(ids):
                n = next(i for i, rid in enumerate(ids, 1) if rid in wanted)
                start = time.perf_counter()
                review.pick(n)
                effort.write_times.append(time.perf_counter() - start)
                review.current()  # the next pledge, ranked again
                effort.step_times.append(time.perf_counter() - start)
                effort.decisions += 1
                effort.restored += 1
            elif wanted & set(further):
                review.more()
            else:
                review.skip()
                effort.decisions += 1
    return effort


def baseline(data: Dataset, list_id: str, truth: dict[str, set[str]], every_pair: bool) -> Effort:
    """Pairs in score order, best first, answered one by one until the last reachable link."""
    questions = {r.id for r in select_requests(data.requests.requests, "question")}
    if every_pair:
        matcher = Matcher(data.requests.requests, teaching=teaching_texts(data))
        (lst,) = [x for x in data.commitments.lists if x.id == list_id]
        scored = matcher.score_all([analyze(c.text, matcher.lexicon) for c in lst.commitments], every_pair=True)
        pairs = [
            (-cosine, c.id, matcher.request_ids[i])
            for c, found in zip(lst.commitments, scored, strict=True)
            for i, cosine in found
            if matcher.request_ids[i] in questions
        ]
    else:
        pairs = [
            (-s.score, s.commitment, s.request)
            for s in match(data, lists=[list_id], requests=sorted(questions))
            if s.source == "matcher"
        ]
    pairs.sort()
    hits = [k for k, (_s, pledge, request) in enumerate(pairs) if request in truth.get(pledge, set())]
    effort = Effort()
    if hits:
        effort.decisions = hits[-1] + 1
    effort.answers = effort.keys = effort.decisions
    effort.restored = len(hits)
    return effort


def row(name: str, effort: Effort, linked: int, links: int) -> str:
    reviewed = "—" if effort.reviewed is None else f"{effort.reviewed} ({effort.decisions / effort.reviewed:.2f})"
    return (
        f"| {name} | {effort.decisions} | {effort.decisions / linked:.2f} | {reviewed} | {effort.keys} "
        f"| {effort.keys + effort.answers} | {effort.restored}/{links} |"
    )


def main() -> None:
    print(
        "| direction | method | decisions | per linked pledge | pledges asked (decisions per pledge) "
        "| keys (terminal) | keys (piped) | links restored |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    all_writes: list[float] = []
    all_journal: list[float] = []
    all_steps: list[float] = []
    for hidden, teacher in DIRECTIONS:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "data"
            shutil.copytree(DATA, directory, ignore=shutil.ignore_patterns(".engagements.lock"))
            truth = hide(directory, hidden)
            linked = sum(1 for links in truth.values() if links)
            links = sum(len(links) for links in truth.values())
            data = editing.load_valid(directory).dataset
            assert data is not None
            ours = replay(directory, hidden, truth)
            all_writes += ours.write_times
            all_journal += ours.journal_times
            all_steps += ours.step_times
            label = f"{hidden} ({linked} linked pledges, taught by {teacher})"
            print("| " + label + " " + row("review, 3 best requests", ours, linked, links))
            for every, name in ((False, "baseline: former review's suggestions"), (True, "baseline: every pair")):
                theirs = baseline(data, hidden, truth, every)
                # Baseline answers are a letter and Enter at the terminal too (typer.prompt).
                theirs.keys = theirs.decisions * 2
                theirs.answers = 0
                print("| " + label + " " + row(name, theirs, linked, links))
            verdict = "met" if ours.decisions / linked <= TARGET else "NOT met"
            unlinked = len(truth) - linked
            print(
                f"|  | target ≤ {TARGET} decisions per linked pledge: {verdict} "
                f"({unlinked} of the list's {len(truth)} pledges have no link: asking each pledge once costs "
                f"at least {(ours.reviewed or 0) / linked:.2f} per linked pledge) | | | | | | |"
            )
    print()
    print(
        f"decision on disk (journal line appended and synced): median {statistics.median(all_journal) * 1000:.1f} ms, "
        f"worst {max(all_journal) * 1000:.1f} ms"
    )
    print(
        f"write per decision (journal, then validated atomic write of commitments.yaml): median {statistics.median(all_writes):.2f} s, "
        f"worst {max(all_writes):.2f} s over {len(all_writes)} writes"
    )
    print(
        f"answer to next pledge shown (write + new ranking): median {statistics.median(all_steps):.2f} s, "
        f"worst {max(all_steps):.2f} s"
    )


if __name__ == "__main__":
    main()
