"""What the list facts of issue 13 cost: the three writes, and a merged list in the matrix.

On a copy of the bundled data (nothing is written to data/): `link` of one pledge (the baseline
checked write: lock, load and check, edit, check again, atomic replace), then `fusion` of the two
bundled lists into a new list (a fixture: the sources record no merger), `elu` of it and `reponse`
of one part. Then the matcher and the whole matrix (`coverage.compute`) without and with the
merged list, and `coverage.build` alone (where the union of the parts' cells is made), each the
best of REPEAT runs. Figures are wall-clock seconds measured in this run.

Usage: python benchmarks/list_facts.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import engagements  # noqa: F401 - only checks that the package is importable
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from engagements import coverage, editing
from engagements.loading import load_directory
from engagements.matching import match

REPEAT = 3


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best(action: Callable[[], object]) -> float:
    return min(timed(action) for _ in range(REPEAT))


def dataset(directory: Path):  # type: ignore[no-untyped-def]
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    return loaded.dataset


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", directory, ignore=shutil.ignore_patterns(".engagements*"))
        before = dataset(directory)
        link = timed(lambda: editing.link(directory, "aec-intro-01", "q2"))
        fusion = timed(
            lambda: editing.merge(
                directory,
                "second-tour",
                ["aix-en-commun", "programme-solidarite"],
                date=dt.date(2026, 3, 17),
                name="Liste d’union",
                round=2,
            )
        )
        elu = timed(lambda: editing.elect(directory, "second-tour", date=dt.date(2026, 3, 22), round=2))
        reponse = timed(lambda: editing.reply(directory, "aix-en-commun", confirmed_by="Awa", date=dt.date(2026, 4, 1)))
        after = dataset(directory)
        without = best(lambda: coverage.compute(before))
        with_merged = best(lambda: coverage.compute(after))
        found = match(after)
        build_without = best(lambda: coverage.build(before, [s for s in found if s.list != "second-tour"], "all"))
        build_with = best(lambda: coverage.build(after, found, "all"))
        merged = coverage.build(after, found, "all")
        cells = sum(1 for (_r, list_id) in merged.cells if list_id == "second-tour")
        print("checked writes (s):")
        print(f"  link (baseline)      {link:.3f}")
        print(f"  fusion (new list)    {fusion:.3f}  ({fusion / link:.2f} x link)")
        print(f"  elu                  {elu:.3f}  ({elu / link:.2f} x link)")
        print(f"  reponse              {reponse:.3f}  ({reponse / link:.2f} x link)")
        print(f"matrix, best of {REPEAT} (s):")
        print(f"  compute, 2 lists     {without:.3f}")
        print(f"  compute, + merged    {with_merged:.3f}  ({with_merged / without:.2f} x)")
        print(f"  build, 2 lists       {build_without:.4f}")
        print(f"  build, + merged      {build_with:.4f}  ({build_with / build_without:.2f} x)")
        print(f"merged list: {merged.columns[-1].pledges} pledges inherited, {cells} non-empty cells")


if __name__ == "__main__":
    main()
