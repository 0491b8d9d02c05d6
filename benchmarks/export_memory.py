"""Export memory: peak memory of `export` (CSV folder and JSON) on 100k pledges, streamed vs built whole.

The data set is the bundled one with its lists filled up to N pledges (texts drawn, with a fixed
seed, from the bundled pledges, each with a provenance and an `answers` link), so the whole
export path runs: matching, coverage, the links behind each cell, and the files. Each run is
its own process, so that its peak memory (max RSS) is its own:

- baseline: everything up to the export's data (`exports.prepare`), no file written;
- streamed: what `engagements export` does now (`render_stream` written chunk by chunk);
- whole: the former way, every file built in memory as bytes (`render`), then written.

Figures: the process's peak (max RSS, which the matcher sets), its ratio to the baseline (same
machine, same run), and the peak of what writing the files allocates (tracemalloc, started once
the export's data is ready). Goal (issue 11): 100k pledges export in ≤ 500 MB.

The matcher runs lexical only unless --semantic is given: the sentence encoder reads each new
text in about a second on this machine (1.2 s per text measured with a load average near 10), so
100k new pledges would take a day to encode before any export; with --semantic, run it on a
cache that already holds their vectors (ENGAGEMENTS_CACHE_DIR) to measure the blended path.

Usage: python benchmarks/export_memory.py [--pledges 100000] [--formats csv json] [--semantic]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 500  # issue 11: 100k pledges export in bounded memory
sys.path.insert(0, str(ROOT / "src"))


def synthetic_dataset(n_pledges: int):  # type: ignore[no-untyped-def]
    from engagements.loading import load_directory

    data = load_directory(ROOT / "data").dataset
    assert data is not None
    rng = random.Random(20260315)
    # The candidate lists only: an institution list's pledges (the Contrat de ville) are not in
    # the export's cells, so filling one would export fewer links for the same pledge count.
    candidates = [lst for lst in data.commitments.lists if lst.kind != "institution"]
    pledges = [c for lst in candidates for c in lst.commitments]
    lists = []
    per_list = n_pledges // len(candidates)
    for lst in candidates:
        made = []
        for i in range(per_list):
            model = rng.choice(pledges)
            words = model.text.split()
            rng.shuffle(words)
            made.append(model.model_copy(update={"id": f"{lst.id}-{i:06d}", "text": " ".join(words)}))
        lists.append(lst.model_copy(update={"commitments": made}))
    commitments = data.commitments.model_copy(update={"lists": lists})
    return data.model_copy(update={"commitments": commitments})


def run_one(n_pledges: int, fmt: str, mode: str, semantic: bool = False) -> dict[str, object]:
    from engagements import exports
    from engagements.coverage import build
    from engagements.matching import match
    from engagements.writing import replace_directory, write_output

    data = synthetic_dataset(n_pledges)
    started = time.perf_counter()
    suggestions = match(data, semantic=None if semantic else False)
    coverage = build(data, suggestions, "question")
    bundle = exports.prepare(data, coverage, suggestions)
    del suggestions
    prepared = time.perf_counter()
    chosen = exports.ExportFormat(fmt)
    size = 0
    # The export's own allocations, apart from the matcher's (which set the process's peak).
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / ("out" if chosen.writes_directory else f"out.{fmt}")
        if mode != "baseline":
            files = (
                exports.render_stream(bundle, chosen, output)
                if mode == "streamed"
                else {p: [b] for p, b in exports.render(bundle, chosen, output).items()}
            )
            if chosen.writes_directory:
                replace_directory(output, {p.name: chunks for p, chunks in files.items()})
                size = sum(p.stat().st_size for p in output.iterdir())
            else:
                for path, chunks in files.items():
                    write_output(path, chunks)
                size = output.stat().st_size
    write_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    done = time.perf_counter()
    return {
        "pledges": n_pledges,
        "semantic": semantic,
        "format": fmt,
        "mode": mode,
        "links": len(bundle.links),
        "prepare_s": round(prepared - started, 1),
        "write_s": round(done - prepared, 1),
        "output_mb": round(size / 1e6, 1),
        "write_peak_mb": round(write_peak / 1e6, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "json"])
    parser.add_argument(
        "--semantic", action="store_true", help="blend the sentence encoder (needs the vectors in the cache)"
    )
    parser.add_argument("--one", nargs=2, metavar=("FORMAT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.pledges, *args.one, semantic=args.semantic)))
        return
    results = []
    for fmt in args.formats:
        for mode in ("baseline", "streamed", "whole"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--pledges",
                    str(args.pledges),
                    "--one",
                    fmt,
                    mode,
                    *(["--semantic"] if args.semantic else []),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    print()
    print("| format | mode | links | output MB | writing peak MB | process peak MB | peak ratio to baseline |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        base = next(b for b in results if b["format"] == r["format"] and b["mode"] == "baseline")
        ratio = r["peak_mb"] / base["peak_mb"]  # type: ignore[operator]
        print(
            f"| {r['format']} | {r['mode']} | {r['links']} | {r['output_mb']} | {r['write_peak_mb']} "
            f"| {r['peak_mb']} | {ratio:.2f} |"
        )
    print()
    for r in results:
        if r["mode"] == "streamed":
            met = "met" if r["peak_mb"] <= TARGET_MB else "missed"  # type: ignore[operator]
            matcher = "blended matcher" if r["semantic"] else "lexical matcher"
            print(
                f"{r['format']} ({matcher}): target {TARGET_MB} MB at {r['pledges']} pledges, "
                f"peak {r['peak_mb']} MB: {met}"
            )


if __name__ == "__main__":
    main()
