"""The read path: how fast and how big a commitments file `validate` takes, and what it costs.

Generated data directories hold the bundled `requests.yaml`, the bundled sources, and a
`commitments.yaml` made of the bundled lists repeated (ids suffixed) up to a target size, so
every pledge is a real one whose quote is checked against its real source. Each `validate`
runs in its own process (cache off) so that its time and peak memory (max RSS) are its own.

Printed, measured in the same run:
- parse only, on one file: ruamel.yaml's round trip (the old read path, still the write path)
  against the new path through libyaml and through the pure-Python fallback, as ratios;
- `validate` end to end on 1, 10, 32 and 50 MB files through libyaml (32 MB is the default
  limit; a 50 MB file is refused by it, and is also run with the limit raised, to show what
  it would cost), and the 10 MB file through the pure-Python fallback.

Usage: python benchmarks/read_path.py [--sizes 1 10 32 50] [--parse-mb 1]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "data"


def commitments_text(megabytes: float) -> str:
    """The bundled commitments file, its lists repeated with fresh ids up to `megabytes`."""
    text = (DATA / "commitments.yaml").read_text(encoding="utf-8")
    head, lists = text.split("\nlists:\n", 1)
    parts = [head, "\nlists:\n"]
    size, copy = len(text.encode("utf-8")), 0
    target = int(megabytes * 1024 * 1024)
    parts.append(lists)
    while True:  # whole copies of the lists, up to the target size and not past it
        copy += 1
        block = re.sub(r"(\n\s*- id: )([A-Za-z0-9._-]+)", rf"\1\2-x{copy}", "\n" + lists)[1:]
        if size + len(block.encode("utf-8")) > target:
            break
        parts.append(block)
        size += len(block.encode("utf-8"))
    return "".join(parts)


def make_directory(base: Path, megabytes: float) -> Path:
    directory = base / f"data-{megabytes:g}mb"
    directory.mkdir()
    shutil.copytree(DATA / "sources", directory / "sources")
    (directory / "requests.yaml").write_bytes((DATA / "requests.yaml").read_bytes())
    (directory / "commitments.yaml").write_text(commitments_text(megabytes), encoding="utf-8")
    return directory


# The child reports its own high-water mark (VmHWM is per process image, reset at exec; the
# ru_maxrss of a forked child would include the parent's memory).
_CHILD = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for row in open('/proc/self/status'):\n"
    "        if row.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_KB ' + row.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['engagements', *sys.argv[1:]]\n"
    "from engagements.__main__ import run\n"
    "run()\n"
)


def run_validate(directory: Path, **env: str) -> dict[str, object]:
    """`engagements validate` in a fresh process: seconds, peak MB, exit code, first stderr line."""
    environment = {**os.environ, "ENGAGEMENTS_NO_CACHE": "1", **env}
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", _CHILD, "--data", str(directory), "validate"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = process.stderr.decode("utf-8", "replace").strip().splitlines()
    peaks = [int(line.split()[1]) for line in lines if line.startswith("PEAK_KB ")]
    lines = [line for line in lines if not line.startswith("PEAK_KB ")]
    return {
        "seconds": elapsed,
        "peak_mb": peaks[-1] / 1024 if peaks else float("nan"),
        "exit": process.returncode,
        "message": lines[0][:110] if lines else "",
        "lines": len(lines),
    }


def parse_ratios(path: Path) -> None:
    from ruamel.yaml import YAML

    from engagements.loading import parse_yaml

    text = path.read_text(encoding="utf-8")
    timings = {}
    started = time.perf_counter()
    YAML(typ="rt").load(text)
    timings["ruamel.yaml round trip (old read path)"] = time.perf_counter() - started
    for label, pure in (("libyaml events + positions (new)", False), ("pure-Python fallback", True)):
        started = time.perf_counter()
        parsed = parse_yaml(path, pure=pure)
        timings[label] = time.perf_counter() - started
        assert parsed.data is not None and not parsed.diagnostics, parsed.diagnostics
    base = timings["ruamel.yaml round trip (old read path)"]
    size = path.stat().st_size / 1048576
    print(f"## parse only, {size:.1f} MB commitments file (in-process)")
    print("| parser | seconds | MB/s | ratio to ruamel |")
    print("| --- | --- | --- | --- |")
    for label, seconds in timings.items():
        print(f"| {label} | {seconds:.2f} | {size / seconds:.1f} | {seconds / base:.3f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 32, 50])
    parser.add_argument("--parse-mb", type=float, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="engagements-read-") as name:
        base = Path(name)
        (base / "parse").mkdir()
        parse_dir = make_directory(base / "parse", args.parse_mb)
        parse_ratios(parse_dir / "commitments.yaml")
        rows = []
        for megabytes in args.sizes:
            directory = make_directory(base, megabytes)
            actual = (directory / "commitments.yaml").stat().st_size / 1048576
            rows.append((f"{actual:.1f} MB, libyaml", run_validate(directory)))
            if megabytes > 32:
                rows.append(
                    (f"{actual:.1f} MB, libyaml, limit raised", run_validate(directory, ENGAGEMENTS_MAX_FILE_MB="100"))
                )
            if megabytes == 10:
                rows.append((f"{actual:.1f} MB, pure Python", run_validate(directory, ENGAGEMENTS_PURE_YAML="1")))
        print("## `engagements validate`, end to end (fresh process, no cache)")
        print("| commitments file | seconds | peak MB | exit | diagnostics | first line of stderr |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, row in rows:
            print(
                f"| {label} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | {row['exit']} | {row['lines']} "
                f"| {row['message']} |"
            )


if __name__ == "__main__":
    main()
