"""What reading the record (`record/*.yaml`) costs, and the quote search it leans on.

Printed, medians of N fresh processes (CPU seconds, user + sys, so that other work on the
machine weighs less than on wall time):
- `validate` without the record (a copy of the data without `record/`) and with it;
- `show q6` and `bilan` on an empty cache (parse and check the record) and on a warm one;
- `coverage` on a warm cache, with and without `record/` (it never reads the record);
and, in this process, the quote search of every text of the bundled data (pledges, requests,
the record's rows, the Contrat de ville) at its line: `checks.find_quote` against a search through
`quote_pattern`'s regex, the way it was done before, each text's pattern compiled afresh.

Usage: python benchmarks/record_read.py [-n 5]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def cpu(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def texts() -> list[tuple[str, Path, int | None]]:
    """Every quoted text of the bundled data with its source file and line."""
    found = []
    for name in (
        "requests.yaml",
        "commitments.yaml",
        "partners/contrat-de-ville.yaml",
        "record/bilan-politique-de-la-ville.yaml",
    ):
        document = yaml.load((DATA / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        files = {s["id"]: s.get("file") for s in document.get("sources", [])}
        items = [
            *document.get("requests", []),
            *document.get("axes", []),
            *(c for lst in document.get("lists", []) for c in lst["commitments"]),
            *document.get("actions", []),
        ]
        for item in items:
            prov = item.get("provenance")
            if prov and files.get(prov["source"]) and item.get("text"):
                found.append((item["text"], DATA / files[prov["source"]], prov.get("line")))
    return found


def regex_search(text: str, source: object, line: int | None) -> int | None:
    """The search as it was: one regex per quote, compiled afresh, for every tolerant search."""
    from engagements.checks import _SPACE, quote_pattern
    from engagements.french import unify

    compact = _SPACE.sub("", unify(text))
    start = source.compact.find(compact)  # type: ignore[attr-defined]
    if start < 0 or "ff" in compact:
        match = quote_pattern(text).search(source.compact)  # type: ignore[attr-defined]
        if match is None:
            return None
        start = match.start()
    found = source.lines[start]  # type: ignore[attr-defined]
    if line is None or found == line:
        return int(found)
    for match in quote_pattern(text).finditer(source.compact, start + 1):  # type: ignore[attr-defined]
        if source.lines[match.start()] == line:  # type: ignore[attr-defined]
            return line
    return int(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="processes per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        without = tmp / "without" / "data"
        shutil.copytree(DATA, without, ignore=shutil.ignore_patterns(".engagements*"))
        shutil.rmtree(without / "record")
        base = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
        base.pop("ENGAGEMENTS_NO_CACHE", None)
        counter = iter(range(1_000_000))
        engagements = [sys.executable, "-m", "engagements", "--data"]
        rows = [
            ("validate, without record/", [*engagements, str(without), "validate"], True),
            ("validate, with record/", [*engagements, str(DATA), "validate"], True),
            ("show q6, empty cache", [*engagements, str(DATA), "show", "q6"], True),
            ("show q6, warm cache", [*engagements, str(DATA), "show", "q6"], False),
            ("bilan, empty cache", [*engagements, str(DATA), "bilan"], True),
            ("bilan, warm cache", [*engagements, str(DATA), "bilan"], False),
            ("coverage, warm, without record/", [*engagements, str(without), "coverage"], False),
            ("coverage, warm, with record/", [*engagements, str(DATA), "coverage"], False),
        ]
        print(f"CPU seconds (user + sys), median of {args.n} processes")
        for name, cmd, cold in rows:
            warm = tmp / f"warm-{name}"

            def env(cold: bool = cold, warm: Path = warm) -> dict[str, str]:
                folder = tmp / f"cold-{next(counter)}" if cold else warm
                return {**base, "ENGAGEMENTS_CACHE_DIR": str(folder)}

            cpu(cmd, env())  # warm-up, and the warm cache's fill
            print(f"{name:<34} {statistics.median(cpu(cmd, env()) for _ in range(args.n)):6.3f}", flush=True)

    from engagements.checks import find_quote, read_source

    quoted = texts()
    sources = {path: read_source(path) for _, path, _ in quoted}
    for label, search in (("checks.find_quote", find_quote), ("one regex per quote (before)", regex_search)):
        re.purge()
        start = time.process_time()
        results = [search(text, sources[path], line) for text, path, line in quoted]  # type: ignore[arg-type]
        spent = time.process_time() - start
        print(f"{label:<34} {spent:6.3f} s for {len(quoted)} texts")
        if label == "checks.find_quote":
            reference = results
        else:
            print(f"same lines found: {results == reference}")


if __name__ == "__main__":
    main()
