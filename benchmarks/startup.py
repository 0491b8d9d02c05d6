"""How fast `engagements coverage` starts, as a ratio to `python -c "import typer, rich"`.

Whole processes, median of N runs after one warm-up, on the bundled data:
- baseline: `python -c "import typer, rich"` (the goal is coverage ≤ 1.5 × this);
- a trivial typer app with one command: what any typer CLI pays to parse its arguments (typer
  0.2x imports pydantic to convert parameters, which the baseline does not);
- `engagements coverage` with its result cached (the usual case: the data did not change);
- `engagements coverage` with `ENGAGEMENTS_NO_CACHE=1` (load, validate, match, render).

Usage: python benchmarks/startup.py [-n 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIVIAL = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = "x") -> None:
    print(name)
app()
"""


def median_time(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)  # warm-up (and cache fill)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": cache, "NO_COLOR": "1"}
        env.pop("ENGAGEMENTS_NO_CACHE", None)
        trivial = Path(cache) / "trivial.py"
        trivial.write_text(TRIVIAL)
        coverage = [sys.executable, "-m", "engagements", "coverage"]
        rows = [
            ("import typer, rich (baseline)", median_time([sys.executable, "-c", "import typer, rich"], args.n, env)),
            ("trivial typer app, one command", median_time([sys.executable, str(trivial)], args.n, env)),
            ("engagements coverage (cached)", median_time(coverage, args.n, env)),
            ("engagements coverage (no cache)", median_time(coverage, args.n, {**env, "ENGAGEMENTS_NO_CACHE": "1"})),
        ]
    base = rows[0][1]
    print(f"{'command':<36} {'median s':>9} {'ratio':>6}")
    for name, seconds in rows:
        print(f"{name:<36} {seconds:>9.3f} {seconds / base:>6.2f}")


if __name__ == "__main__":
    main()
