"""Where the data is: light enough to import before anything else."""

from __future__ import annotations

from pathlib import Path

REQUESTS_FILE = "requests.yaml"
COMMITMENTS_FILE = "commitments.yaml"


def bundled_data_dir() -> Path:
    """The data shipped with the package (or, in a source checkout, the repository's data/)."""
    packaged = Path(__file__).parent / "data"
    if (packaged / REQUESTS_FILE).exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


DATA_ENV = "ENGAGEMENTS_DATA"


def holds_data(directory: Path) -> bool:
    """Whether a folder holds data files (not whether they are valid)."""
    return (directory / REQUESTS_FILE).exists() or (directory / COMMITMENTS_FILE).exists()


def find_data_dir(cwd: Path | None = None, environ: dict[str, str] | None = None) -> tuple[Path, str]:
    """The data folder to use when `--data` is not given, and how it was found.

    In order: the `ENGAGEMENTS_DATA` variable ("env"); the current folder when it holds the data
    files ("cwd"), so that a maintainer working inside a data folder reads and writes that one;
    `./data` ("local"); the copy bundled with the package ("bundled").
    """
    import os

    env = (os.environ if environ is None else environ).get(DATA_ENV)
    if env:
        return Path(env), "env"
    here = cwd or Path.cwd()
    if holds_data(here):
        return here, "cwd"
    if holds_data(here / "data"):
        return here / "data", "local"
    return bundled_data_dir(), "bundled"


def default_data_dir(cwd: Path | None = None) -> Path:
    """The folder `find_data_dir` chooses."""
    return find_data_dir(cwd)[0]
