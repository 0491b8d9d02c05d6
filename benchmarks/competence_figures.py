"""Competence figures (issue 13) on the bundled data: on whose word each request's competence
rests, how the requests fall into competence groups, each list's share covered per group, and
what checking the competence quotes costs `validate`.

The cost is the median of `--runs` loads and checks of the bundled data, against the same data
with every `competence:` block removed (the same files otherwise), in this one process.

Usage: python benchmarks/competence_figures.py [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from engagements.checks import check
from engagements.competence import group_key, info, label
from engagements.coverage import competence_summary, compute
from engagements.loading import load_directory

DATA = ROOT / "data"
# A `competence:` block: the key line and the lines indented deeper than it.
BLOCK = re.compile(r"^( +)competence:.*\n(?:\1 +.*\n)*", re.MULTILINE)


def checked(directory: Path) -> tuple[float, int]:
    """Seconds to load and check `directory` once, and how many diagnostics."""
    start = time.perf_counter()
    loaded = load_directory(directory)
    found = check(loaded)
    return time.perf_counter() - start, len(loaded.diagnostics) + len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    loaded = load_directory(DATA)
    assert loaded.dataset is not None, "the bundled data must be valid"
    data = loaded.dataset
    requests = data.requests.requests
    with_competence = [r for r in requests if r.competence is not None]
    stated = [r for r in with_competence if not r.competence.by_team]  # type: ignore[union-attr]
    print(f"requests: {len(requests)}, with a competence: {len(with_competence)}")
    print(f"  stated by a source (quote checked): {len(stated)}")
    for source, n in sorted(Counter(r.competence.source for r in stated).items()):  # type: ignore[union-attr]
        print(f"    {source}: {n}")
    print(f"  the team's assessment: {len(with_competence) - len(stated)}")
    pledges = [c for lst in data.commitments.lists for c in lst.commitments if c.competence is not None]
    print(f"pledges with their own competence: {len(pledges)} ({', '.join(c.id for c in pledges)})")

    whole = compute(data).coverage
    for level in ("question", "demand"):
        view = whole.view(level)
        groups = Counter(group_key(info(r.competence)) if r.competence else "non_renseignee" for r in view.rows)
        print(f"\n{level}: {len(view.rows)} requests in {len(groups)} groups")
        names = [c.id for c in view.columns]
        print(f"  {'group':<48} " + " ".join(f"{n[:22]:>22}" for n in names))
        for g in competence_summary(view):
            cells = [f"{s['covered']}/{len(g['requests'])} covered" for s in g["lists"]]
            print(f"  {label(g['competence'])[:48]:<48} " + " ".join(f"{c:>22}" for c in cells))

    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "data"
        shutil.copytree(DATA, bare)
        removed = 0
        for name in ("requests.yaml", "commitments.yaml"):
            path = bare / name
            text, n = BLOCK.subn("", path.read_text(encoding="utf-8"))
            path.write_text(text, encoding="utf-8")
            removed += n
        checked(DATA), checked(bare)  # warm the source cache and imports alike
        timed = {"with competences": [], "without": []}
        for _ in range(args.runs):
            for name, directory in (("with competences", DATA), ("without", bare)):
                seconds, diagnostics = checked(directory)
                assert diagnostics == 0, (name, diagnostics)
                timed[name].append(seconds)
    print(f"\nload + check, median of {args.runs} (competence blocks removed: {removed}):")
    for name, runs in timed.items():
        print(f"  {name:<17} {statistics.median(runs) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
