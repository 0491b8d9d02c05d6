"""Matcher quality on the bundled data, with the confirmed links hidden from the pledges under test.

Ground truth: the links people confirmed (`answers:`), at the question level (the 12 questions).
For each evaluated pledge the matcher scores every question; we report
- top-1: share of pledges whose best-scoring question is a confirmed one;
- precision, recall and F1 of the suggestions at `partial` or above;
under three settings:
- blind: no confirmed link at all teaches the matcher;
- leave-one-list-out: the other lists' links teach, the tested list's do not;
- 10-fold within the list (extra): links of the other 90 % of the list's pledges teach.
A naive baseline is printed in the same run: rapidfuzz `token_set_ratio` on lowercased raw
text, best question per pledge.

Usage: python benchmarks/match_quality.py [--data DIR] [--level question|all]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from engagements.lexicon import shipped_lexicon
from engagements.loading import load_directory
from engagements.matching import PARTIAL, Matcher, analyze, level_of, partial_floor, to_score


@dataclass
class Counts:
    """Raw counts, summed over folds before rates are computed (micro-average)."""

    n: int = 0  # pledges with at least one confirmed link (top-1 is over these)
    scored: int = 0  # every pledge evaluated (precision counts suggestions on all of them)
    hits: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.n, self.hits, self.scored = self.n + other.n, self.hits + other.hits, self.scored + other.scored
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        return self

    def rates(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        top1 = self.hits / self.n if self.n else 0.0
        return {"n": self.n, "all": self.scored, "top1": top1, "precision": precision, "recall": recall, "f1": f1}


def evaluate(requests, pledges, truth, teaching, partial=PARTIAL) -> Counts:
    """Counts for pledges [(id, text)] against truth {id: set(request ids)}, with `teaching`."""
    lexicon = shipped_lexicon()
    matcher = Matcher(requests, lexicon, teaching)
    analyses = [analyze(text, lexicon) for _id, text in pledges]
    counts = Counts(n=sum(1 for pid, _t in pledges if truth[pid]), scored=len(pledges))
    for k, ((pid, _text), pairs) in enumerate(zip(pledges, matcher.score_all(analyses, every_pair=True), strict=False)):
        expected = truth[pid]
        scores = [(matcher.request_ids[i], to_score(v)) for i, v in pairs]
        best = scores[0][1] if scores else 0
        if expected and scores and scores[0][0] in expected:
            counts.hits += 1
        index = {rid: i for i, rid in enumerate(matcher.request_ids)}
        suggested = {
            rid
            for rid, s in scores
            if level_of(s, best, matcher.evidence(analyses[k], index[rid]), partial) is not None
        }
        counts.tp += len(suggested & expected)
        counts.fp += len(suggested - expected)
        counts.fn += len(expected - suggested)
    return counts


def baseline(requests, pledges, truth) -> Counts:
    from rapidfuzz import fuzz, process

    choices = [f"{r.title} {r.text}".lower() for r in requests]
    hits = 0
    pledges = [(pid, text) for pid, text in pledges if truth[pid]]
    for pid, text in pledges:
        best = process.extractOne(text.lower(), choices, scorer=fuzz.token_set_ratio)
        if best and requests[best[2]].id in truth[pid]:
            hits += 1
    n = len(pledges)
    # One suggestion and (here) one truth per pledge: precision = recall = top-1.
    return Counts(n=n, scored=n, hits=hits, tp=hits, fp=n - hits, fn=n - hits)


Fold = tuple[list[tuple[str, str]], dict[str, set[str]], dict[str, list[str]]]  # pledges, truth, teaching


def settings(data, ids: set[str]) -> Iterator[tuple[str, str, int, list[Fold]]]:  # type: ignore[no-untyped-def]
    """Per reviewed list: each setting's name, the list's partial floor and its folds.

    A list with confirmed links is taken as reviewed in full: its pledges without a link answer
    no request, and any suggestion for them counts as a false positive.
    """
    sources = {s.id: s for s in data.commitments.sources}
    for lst in data.commitments.lists:
        linked = [(c.id, c.text, {a.request for a in c.answers} & ids) for c in lst.commitments]
        if not any(exp for _p, _t, exp in linked):
            continue
        pledges = [(pid, text) for pid, text, _e in linked]
        truth = {pid: exp for pid, _t, exp in linked}
        others: dict[str, list[str]] = {}
        for other in data.commitments.lists:
            if other.id != lst.id:
                for c in other.commitments:
                    for a in c.answers:
                        if a.request in ids:
                            others.setdefault(a.request, []).append(c.text)
        floor = partial_floor(lst, sources)  # the same floor as `match`
        yield lst.id, "blind", floor, [(pledges, truth, {})]
        yield lst.id, "leave-one-list-out", floor, [(pledges, truth, others)]
        # 10-fold inside the list: each tenth is scored with the other nine tenths teaching.
        folds = [linked[k::10] for k in range(10)]
        runs: list[Fold] = []
        for k, fold in enumerate(folds):
            teach = {rid: list(texts) for rid, texts in others.items()}
            for j, other_fold in enumerate(folds):
                if j != k:
                    for _pid, text, exp in other_fold:
                        for rid in exp:
                            teach.setdefault(rid, []).append(text)
            runs.append(([(p, t) for p, t, _e in fold], {p: e for p, _t, e in fold}, teach))
        yield lst.id, "10-fold within list (extra)", floor, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--level", choices=["question", "all"], default="question")
    args = parser.parse_args()
    loaded = load_directory(args.data)
    assert loaded.dataset is not None, loaded.diagnostics
    data = loaded.dataset
    requests = [r for r in data.requests.requests if args.level == "all" or r.kind == "question"]
    ids = {r.id for r in requests}
    rows = []
    started = time.perf_counter()
    for list_id, setting, floor, folds in settings(data, ids):
        if setting == "blind":
            ((pledges, truth, _teach),) = folds
            rows.append((list_id, "naive baseline (token_set_ratio)", baseline(requests, pledges, truth)))
        total = Counts()
        for pledges, truth, teach in folds:
            total += evaluate(requests, pledges, truth, teach, floor)
        rows.append((list_id, setting, total))
    elapsed = time.perf_counter() - started
    print(f"Matcher quality, {args.level} level, {len(requests)} requests, data {args.data}")
    print(f"{'list':<22} {'setting':<34} {'n':>4} {'all':>4} {'top-1':>6} {'prec.':>6} {'recall':>6} {'F1':>6}")
    for list_id, setting, counts in rows:
        r = counts.rates()
        print(
            f"{list_id:<22} {setting:<34} {r['n']:>4} {r['all']:>4} {r['top1']:>6.2f} {r['precision']:>6.2f} "
            f"{r['recall']:>6.2f} {r['f1']:>6.2f}"
        )
    print(f"({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
