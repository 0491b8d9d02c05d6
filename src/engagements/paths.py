"""Where the data is: light enough to import before anything else."""

from __future__ import annotations

import os
from pathlib import Path

REQUESTS_FILE = "requests.yaml"
COMMITMENTS_FILE = "commitments.yaml"
# A data directory may split its lists into files of their own: lists/<id>.yaml, each with the
# schema of commitments.yaml (`sources:` and `lists:`), alongside or instead of it.
LISTS_DIR = "lists"
# What public partners report as done (their record, e.g. the City's "bilan"): record/<name>.yaml,
# each with `sources:` and `actions:`. Optional, and read only by the commands that use it.
RECORD_DIR = "record"


def bundled_data_dir() -> Path:
    """The data shipped with the package (or, in a source checkout, the repository's data/)."""
    packaged = Path(__file__).parent / "data"
    if (packaged / REQUESTS_FILE).exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


DATA_ENV = "ENGAGEMENTS_DATA"


def holds_data(directory: Path) -> bool:
    """Whether a folder holds data files (not whether they are valid)."""
    return (
        (directory / REQUESTS_FILE).exists()
        or (directory / COMMITMENTS_FILE).exists()
        or commitment_names(directory) != [COMMITMENTS_FILE]  # some lists/*.yaml
    )


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


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def is_part_name(name: str) -> bool:
    """A file name, relative to the data directory, that holds lists: `commitments.yaml` or `lists/*.yaml`."""
    if name == COMMITMENTS_FILE:
        return True
    folder, _, file = name.partition("/")
    return folder == LISTS_DIR and "/" not in file and file.endswith(".yaml") and not file.startswith(".")


def commitment_names(directory: Path) -> list[str]:
    """The files of a data directory that hold lists, relative and in the order they are read.

    `commitments.yaml` first, when present or when there is no `lists/*.yaml` (it is then
    reported missing), then `lists/*.yaml` by name. Hidden files (an editor's or a write's
    temporary files) are not data.
    """
    folder = directory / LISTS_DIR
    try:
        split = sorted(
            f"{LISTS_DIR}/{entry.name}" for entry in folder.iterdir() if is_part_name(f"{LISTS_DIR}/{entry.name}")
        )
    except OSError:  # no lists/ folder (the usual case), or an unreadable one
        split = []
    main = [COMMITMENTS_FILE] if (directory / COMMITMENTS_FILE).exists() or not split else []
    return main + split


def is_record_name(name: str) -> bool:
    """A file name, relative to the data directory, that holds a record: `record/*.yaml`."""
    folder, _, file = name.partition("/")
    return folder == RECORD_DIR and "/" not in file and file.endswith(".yaml") and not file.startswith(".")


def record_names(directory: Path) -> list[str]:
    """The record files of a data directory (`record/*.yaml`, hidden files excepted), by name;
    empty when there is no `record/` folder."""
    try:
        return sorted(
            f"{RECORD_DIR}/{entry.name}"
            for entry in (directory / RECORD_DIR).iterdir()
            if is_record_name(f"{RECORD_DIR}/{entry.name}")
        )
    except OSError:  # no record/ folder, or an unreadable one
        return []


def data_files(directory: Path) -> list[Path]:
    """Every data file of a directory: `requests.yaml` and the files that hold lists."""
    return [directory / REQUESTS_FILE, *(directory / name for name in commitment_names(directory))]


def schema_reference(name: str) -> str:
    """The modeline's schema path for a data file named relative to the data directory.

    `schema/` sits in the data directory: `requests.yaml` and `commitments.yaml` point at
    `schema/….schema.json`, a file of `lists/` at `../schema/commitments.schema.json`, one of
    `record/` at `../schema/record.schema.json`.
    """
    kind = "requests" if name == REQUESTS_FILE else "record" if is_record_name(name) else "commitments"
    return "../" * name.count("/") + f"schema/{kind}.schema.json"
