"""One command, before and after a change, against the floor app, in one run: A/B ratios.

Each triple runs the floor app of `startup.py`, the command with the code of another checkout
(`--base`, its `src` put first on `PYTHONPATH`), then with this checkout's code; the ratio of
each to the floor of its triple is taken, and the medians are printed. The cache key includes
the code, so both keep their own cached results in one cache folder (filled by a warm-up run).

Usage:
    git worktree add --detach /tmp/base REV
    python benchmarks/startup_ab.py --base /tmp/base [-n 9] -- show q1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from startup import FLOOR, ROOT, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="a checkout of the code before the change")
    parser.add_argument("-n", type=int, default=9, help="triples of runs (floor, before, after)")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("command", nargs="+", help="the engagements command and its arguments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        floor_file = tmp / "floor.py"
        floor_file.write_text(FLOOR, encoding="utf-8")
        floor = [sys.executable, str(floor_file)]
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "ENGAGEMENTS_CACHE_DIR": str(tmp / "cache")}
        env.pop("ENGAGEMENTS_NO_CACHE", None)
        before = {**env, "PYTHONPATH": str(args.base.resolve() / "src")}
        after = {**env, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "engagements", "--data", str(args.data), *args.command]
        wall(floor, env)
        wall(command, before)
        wall(command, after)
        ratios_before, ratios_after = [], []
        for _ in range(args.n):
            base = wall(floor, env)
            ratios_before.append(wall(command, before) / base)
            ratios_after.append(wall(command, after) / base)
        print(
            f"{' '.join(args.command)}: before {statistics.median(ratios_before):.2f}, "
            f"after {statistics.median(ratios_after):.2f} × the floor (medians of {args.n} triples)"
        )


if __name__ == "__main__":
    main()
