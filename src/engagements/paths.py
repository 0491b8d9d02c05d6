"""Where the data is: light enough to import before anything else."""

from __future__ import annotations

import os
from pathlib import Path

REQUESTS_FILE = "requests.yaml"
COMMITMENTS_FILE = "commitments.yaml"


def bundled_data_dir() -> Path:
    """The data shipped with the package (or, in a source checkout, the repository's data/)."""
    packaged = Path(__file__).parent / "data"
    if (packaged / REQUESTS_FILE).exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def default_data_dir(cwd: Path | None = None) -> Path:
    """`./data` when it holds the data files, else the bundled data."""
    local = (cwd or Path.cwd()) / "data"
    if (local / REQUESTS_FILE).exists() or (local / COMMITMENTS_FILE).exists():
        return local
    return bundled_data_dir()


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
