"""Study: does a small logistic regression on the matcher's features beat its own floors?

Setting "others teach" of match_quality.py: for each tested list, the other lists of the same data
set are reviewed (their labelled links confirmed, their wrong blind suggestions rejected). A
logistic regression (numpy, L2, gradient descent) is fitted on the reviewed lists' pairs, as they
are ranked by `matching.rank` with their own links hidden (blind, so that their features look like
the tested list's), and applied to the tested list's pairs. Features of a pair: score / 100, score
relative to the pledge's best, whether it is the pledge's best, and, per request (one-hot), a bias
("per-request" model) or not ("global" model). A pair is suggested when p ≥ 0.5; the ranking
is by p. Compared with the matcher's own suggestions (level not None) on the same pairs.

Bundled rows are in-sample, external rows out-of-sample (see match_quality.py).

Result when written (2026-12-02): neither model wins. Top-1 is the same within ±0.04, and at
p ≥ 0.5 both suggest far fewer pairs (F1 0.00–0.63 against the matcher's 0.45–0.65): the
features are learnt on blind rankings and applied to a taught one, whose scores run higher, and
a handful of positives per request is too few for a per-request bias. Not kept in `matching`.
A fairer study would fit on the reviewed lists' pairs scored by cross-validation.

Usage: python benchmarks/logistic_study.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import match_quality as mq


def features(rows, requests: list[str], per_request: bool) -> tuple[np.ndarray, list[tuple[str, str]]]:
    by_pledge: dict[str, list] = {}
    for r in rows:
        by_pledge.setdefault(r.commitment, []).append(r)
    x, keys = [], []
    for pid, rs in by_pledge.items():
        best = max((r.score for r in rs), default=0) or 1
        for r in rs:
            f = [1.0, r.score / 100, r.score / best, float(r.rank == 1)]
            if per_request:
                f += [float(r.request == q) for q in requests]
            x.append(f)
            keys.append((pid, r.request))
    return np.array(x), keys


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) / len(y) + l2 * w / len(y)
        w -= 0.5 * grad
    return w


def main() -> None:
    cases = [mq.bundled_case(mq.ROOT / "data"), *mq.external_cases(mq.DEFAULT_CORPUS)]
    print(f"{'data set':<10} {'list':<26} {'model':<14} {'n+':>4} {'top1':>5} {'sugg':>5} {'P':>5} {'R':>5} {'F1':>5}")
    for case in cases:
        # The bundled lists are scored against every request (as the commands do), judged on the questions.
        requests = [q["id"] for q in case.requests if case.judged is None or q["id"] in case.judged]
        judged = set(requests)
        blind = {lst["id"]: mq.ranked(case, lst["id"], {}, {}) for lst in case.lists}
        for lst in case.lists:
            lid, truth = lst["id"], case.truth[lst["id"]]
            if not any(truth.values()):
                continue
            answers: dict[str, set[str]] = {}
            rejects: dict[str, set[str]] = {}
            train_rows, train_truth = [], {}
            for other in case.lists:
                if other["id"] == lid:
                    continue
                answers.update({p: set(r) for p, r in case.truth[other["id"]].items() if r})
                for p, r in mq.suggested_by(blind[other["id"]]).items():
                    if r - case.truth[other["id"]][p]:
                        rejects[p] = r - case.truth[other["id"]][p]
                train_rows += [r for rs in blind[other["id"]].values() for r in rs if r.request in judged]
                train_truth.update(case.truth[other["id"]])
            test = mq.ranked(case, lid, answers, rejects)
            test_rows = [r for rs in test.values() for r in rs if r.source == "matcher" and r.request in judged]
            for name, per_request in (("matcher", None), ("global LR", False), ("per-request LR", True)):
                if per_request is None:
                    chosen = {(r.commitment, r.request) for r in test_rows if r.level is not None}
                    order = {(r.commitment, r.request): -r.rank for r in test_rows}
                else:
                    x, keys = features(train_rows, requests, per_request)
                    y = np.array([float(q in train_truth[p]) for p, q in keys])
                    w = fit(x, y)
                    xt, kt = features(test_rows, requests, per_request)
                    prob = 1 / (1 + np.exp(-xt @ w))
                    chosen = {k for k, pr in zip(kt, prob, strict=True) if pr >= 0.5}
                    order = dict(zip(kt, prob.tolist(), strict=True))
                pos = [p for p in truth if truth[p]]
                top1 = sum(
                    1
                    for p in pos
                    if max(((v, q) for (pp, q), v in order.items() if pp == p), default=(0, None))[1] in truth[p]
                )
                tp = sum(1 for p, q in chosen if q in truth[p])
                fp, fn = len(chosen) - tp, sum(len(truth[p]) for p in truth) - tp
                prec, rec = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
                f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
                print(
                    f"{case.name:<10} {lid[:26]:<26} {name:<14} {len(pos):>4} {top1 / len(pos):>5.2f} "
                    f"{len(chosen):>5} {prec:>5.2f} {rec:>5.2f} {f1:>5.2f}"
                )


if __name__ == "__main__":
    main()
