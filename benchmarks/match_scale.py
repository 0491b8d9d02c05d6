"""Matcher scale: 1,000 requests against 1k, 10k and 100k pledges, time and peak memory.

Synthetic texts are drawn (with a fixed seed) from the vocabulary of the bundled data, so
their word frequencies look like real pledges. Each size runs in its own process so that its
peak memory (max RSS) is its own. The whole matching path is timed: analysis of every text
(normalisation, stemming, lexicon), TF-IDF and the sparse products, and the selection of
suggestions.

Usage: python benchmarks/match_scale.py [--sizes 1000 10000 100000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def vocabulary() -> list[str]:
    from engagements.french import words
    from engagements.loading import load_directory

    data = load_directory(ROOT / "data").dataset
    assert data is not None
    texts = [r.text for r in data.requests.requests] + [
        c.text for lst in data.commitments.lists for c in lst.commitments
    ]
    return [w for t in texts for w in words(t)]


def synthetic(vocab: list[str], n: int, rng: random.Random, lo: int, hi: int) -> list[str]:
    return [" ".join(rng.choices(vocab, k=rng.randint(lo, hi))) for _ in range(n)]


def run_one(n_pledges: int, n_requests: int) -> dict[str, float]:
    from engagements.lexicon import shipped_lexicon
    from engagements.matching import Matcher, analyze, level_of, to_score
    from engagements.models import Request

    rng = random.Random(20260315)
    vocab = vocabulary()
    requests = [
        Request(id=f"r{i}", title=" ".join(rng.choices(vocab, k=4)), text=t)
        for i, t in enumerate(synthetic(vocab, n_requests, rng, 8, 30))
    ]
    pledges = synthetic(vocab, n_pledges, rng, 10, 45)
    lexicon = shipped_lexicon()
    started = time.perf_counter()
    matcher = Matcher(requests, lexicon, {})
    analyses = [analyze(t, lexicon) for t in pledges]
    analysed = time.perf_counter()
    kept = 0
    for pairs in matcher.score_all(analyses):
        best = to_score(pairs[0][1]) if pairs else 0
        kept += sum(1 for _i, v in pairs if level_of(to_score(v), best) is not None)
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "pledges": n_pledges,
        "requests": n_requests,
        "analyse_s": round(analysed - started, 2),
        "score_s": round(done - analysed, 2),
        "total_s": round(done - started, 2),
        "peak_mb": round(peak_mb),
        "suggestions": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.requests)))
        return
    print(
        f"{'pledges':>8} {'requests':>8} {'analyse s':>10} {'score s':>8} {'total s':>8} {'peak MB':>8} {'per 1k':>7}"
    )
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--requests", str(args.requests)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_k = r["total_s"] / (size / 1000)
        print(
            f"{r['pledges']:>8} {r['requests']:>8} {r['analyse_s']:>10} {r['score_s']:>8} {r['total_s']:>8} "
            f"{r['peak_mb']:>8} {per_k:>7.2f}"
        )


if __name__ == "__main__":
    main()
