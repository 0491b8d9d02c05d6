"""What one checked write costs for the promise meter, and what a filled sheet saves.

On a copy of the bundled data: `rate` of one entry (the baseline: lock, load and check, edit,
check again, atomic replace), then `apply` of a sheet with a new status on every pledge (139 rows)
in one write, then the same sheet applied again (nothing to record). Figures are wall-clock
seconds measured in this run, and ratios to the baseline.

Usage: python benchmarks/meter_writes.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import engagements  # noqa: F401 - only checks that the package is importable
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from engagements import meter, sheet
from engagements.loading import load_directory
from engagements.models import Evidence, HistoryEntry

TODAY = dt.date(2026, 12, 1)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", directory, ignore=shutil.ignore_patterns(".engagements.lock"))
        entry = HistoryEntry(
            status="in_progress",
            date=dt.date(2026, 10, 1),
            evidence=Evidence(source="Conseil municipal", url="https://example.org/cm"),
        )
        start = time.perf_counter()
        meter.rate(directory, [("aec-intro-01", entry)], today=TODAY)
        one = time.perf_counter() - start

        loaded = load_directory(directory)
        assert loaded.dataset is not None
        rows = sheet.status_rows(loaded.dataset)
        for row in rows[1:]:
            row[4:10] = ["tenu", "2026-11-02", "Bilan de mi-mandat", "https://example.org/bilan", "", ""]
        filled = Path(tmp) / "suivi.csv"
        filled.write_bytes(sheet.to_csv(rows))
        start = time.perf_counter()
        result = sheet.apply(directory, filled, "suivi.csv", today=TODAY)
        whole = time.perf_counter() - start
        assert not result.diagnostics and len(result.new) == len(rows) - 1
        start = time.perf_counter()
        again = sheet.apply(directory, filled, "suivi.csv", today=TODAY)
        second = time.perf_counter() - start
        assert not again.new

    n = len(rows) - 1
    print(f"rate, 1 entry:                 {one:6.2f} s  (baseline 1.00)")
    print(f"apply, {n} rows in one write:  {whole:6.2f} s  ({whole / one:.2f} × baseline; {n} rates would be ~{n:.0f} ×)")
    print(f"apply again, nothing to write: {second:6.2f} s  ({second / one:.2f} × baseline)")


if __name__ == "__main__":
    main()
