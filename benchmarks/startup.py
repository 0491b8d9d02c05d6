"""How fast commands start, as ratios to a floor app, measured side by side in one run.

The floor is what any Typer + Rich command pays: a one-command Typer app that prints a Rich
table (Typer 0.2x imports pydantic to convert parameters, so the floor includes it). Each
command is timed as a whole process, in pairs with the floor (floor, command, floor, command…),
and the ratio is taken pair by pair, so that a machine whose speed drifts during the run still
gives meaningful ratios; the median of the pairs is printed.

- `coverage` after an edit: a copy of the data whose first pledge gets a new deadline before each
  run: the data is read and checked again and its first list matched again, the other lists'
  suggestions read from the cache (no target: the maintainer's case the issue describes);
- cold `coverage`: an empty cache for each run (load with positions, validate, match, render);
- cached `coverage`: the result of an earlier run in the cache (the usual case);
- cold `validate`: `validate` always reads the YAML with positions (it reports lines);
- cached `show q1`, `bilan`, `match`, `export --format html`: the data checked and matched earlier;
- and, in one process, the lexicon loaded from its compiled JSON against parsed from its YAML.

Targets (issue 10): cold coverage ≤ 2.5, cached coverage ≤ 1.3, validate ≤ 2.5, cached
show / match / export ≤ 2; cached `bilan` (the record's view) ≤ 2 like show.

Bytecode: with `PYTHONDONTWRITEBYTECODE=1` in the environment (as on the development machine)
and the package installed in editable mode, Python never writes `__pycache__` for `src/engagements`
and compiles its ~14,000 lines of source again in every process (about 25 ms for a cached
`coverage`), a cost an installed package (pip compiles its bytecode) does not pay. `--bytecode`
compiles the package's bytecode first, as an install does; the lines printed say which was measured.

Usage: python benchmarks/startup.py [-n 9] [--data DIR] [--bytecode]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = """
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def main(title: str = "floor") -> None:
    table = Table(title=title)
    table.add_column("a")
    table.add_column("b")
    table.add_row("1", "2")
    Console().print(table)


app()
"""


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


def paired(cmd: list[str], floor: list[str], runs: int, env_for: object) -> tuple[float, float, float]:
    """Median seconds of the command, of the floor, and median of the pair-by-pair ratios."""
    assert callable(env_for)
    wall(floor, env_for(False))
    wall(cmd, env_for(False))  # warm-up (and, for the cached rows, the cache fill)
    mine, base, ratios = [], [], []
    for _ in range(runs):
        b = wall(floor, env_for(False))
        a = wall(cmd, env_for(True))
        mine.append(a)
        base.append(b)
        ratios.append(a / b)
    return statistics.median(mine), statistics.median(base), statistics.median(ratios)


LEXICON_PROBE = """
import time
import engagements.french
from engagements import lexicon
t = time.perf_counter(); lexicon.shipped_lexicon(); compiled = time.perf_counter() - t
t = time.perf_counter(); lexicon.compile_lexicon(); parsed = time.perf_counter() - t
print(compiled, parsed)
"""


def edit_first_pledge(path: Path, n: int) -> None:
    """Give the first pledge of the file's first list a new deadline (the n-th day from 2027-01-01)."""
    import datetime as dt

    from ruamel.yaml import YAML

    yaml = YAML()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    doc["lists"][0]["commitments"][0]["deadline"] = dt.date(2027, 1, 1) + dt.timedelta(days=n)
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(doc, out)


def lexicon_figures(env: dict[str, str]) -> tuple[float, float]:
    """Seconds to load the shipped lexicon from its compiled JSON, and to compile it from YAML."""
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", LEXICON_PROBE], capture_output=True, text=True, env=env, cwd=ROOT, check=True
        )
        compiled, parsed = (float(x) for x in out.stdout.split())
        runs.append((compiled, parsed))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=9, help="pairs of runs per command")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument(
        "--bytecode", action="store_true", help="compile the package's bytecode first, as an install does"
    )
    args = parser.parse_args()
    package = ROOT / "src" / "engagements"
    if args.bytecode:
        import compileall

        compileall.compile_dir(package, quiet=1)
    compiled = any(package.glob("__pycache__/*.pyc"))
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        floor_file = tmp / "floor.py"
        floor_file.write_text(FLOOR, encoding="utf-8")
        floor = [sys.executable, str(floor_file)]
        warm_cache = tmp / "cache"
        base_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
        base_env.pop("ENGAGEMENTS_NO_CACHE", None)
        counter = iter(range(1_000_000))

        def warm(_timed: bool) -> dict[str, str]:
            return {**base_env, "ENGAGEMENTS_CACHE_DIR": str(warm_cache)}

        def cold(_timed: bool) -> dict[str, str]:
            # A new, empty cache folder for every run of the command.
            return {**base_env, "ENGAGEMENTS_CACHE_DIR": str(tmp / f"cold-{next(counter)}")}

        engagements = [sys.executable, "-m", "engagements", "--data", str(args.data)]
        # A maintainer's edit: a copy of the data whose first list's first pledge gets a new
        # deadline before each run, so the findings are computed again, but only that list is
        # matched again (the others' suggestions are read from the cache, see matching._list_keys).
        edited = tmp / "edited"
        shutil.copytree(args.data, edited, ignore=shutil.ignore_patterns(".engagements*"))
        edits = iter(range(1_000_000))

        def after_edit(_timed: bool) -> dict[str, str]:
            edit_first_pledge(edited / "commitments.yaml", next(edits))
            return {**base_env, "ENGAGEMENTS_CACHE_DIR": str(tmp / "edited-cache")}

        rows = [
            (
                "coverage, one list edited",
                [sys.executable, "-m", "engagements", "--data", str(edited), "coverage"],
                after_edit,
                None,
            ),
            ("coverage, cold (empty cache)", [*engagements, "coverage"], cold, 2.5),
            ("coverage, cached", [*engagements, "coverage"], warm, 1.3),
            ("validate, cold", [*engagements, "validate"], cold, 2.5),
            ("show q1, cached", [*engagements, "show", "q1"], warm, 2.0),
            ("bilan, cached", [*engagements, "bilan"], warm, 2.0),
            ("match, cached", [*engagements, "match"], warm, 2.0),
            (
                "export --format html, cached",
                [*engagements, "export", "--format", "html", "-o", str(tmp / "x.html")],
                warm,
                2.0,
            ),
        ]
        print(f"{args.n} pairs per command (floor, command, …); medians; data: {args.data}")
        print(
            "bytecode of the package: "
            + ("compiled" if compiled else "none (its source is compiled in every process)")
            + ("; PYTHONDONTWRITEBYTECODE is set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
        )
        print(f"{'command':<30} {'seconds':>8} {'floor s':>8} {'ratio':>6} {'target':>7}  met")
        for name, cmd, env_for, target in rows:
            seconds, base, ratio = paired(cmd, floor, args.n, env_for)
            met = "—" if target is None else "yes" if ratio <= target else "NO"
            bound = "—" if target is None else f"≤ {target}"
            print(f"{name:<30} {seconds:>8.3f} {base:>8.3f} {ratio:>6.2f} {bound:>7}  {met}")
        compiled, parsed = lexicon_figures(warm(False))
        print(
            f"lexicon: {1000 * compiled:.1f} ms from its compiled JSON, {1000 * parsed:.0f} ms to parse and stem "
            "its YAML (median of 3 processes)"
        )


if __name__ == "__main__":
    main()
