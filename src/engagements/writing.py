"""Writing files safely: a write either happens whole or not at all, and only where it may.

- `atomic_write`: one file, through a synced temporary file beside it and one rename; the
  directory is synced after the rename; permissions (and, when allowed, the owner) are kept; a
  symlinked file is written through to its target.
- `check_output` and `write_output`: the rules of `-o`. A data file of the directory in use, a
  device, a FIFO, a socket or a symlink is never replaced; an existing file only with `force`
  (or when it is recognisably this tool's own previous export); a missing parent folder is an
  error unless `parents`.
- `replace_directory`: a multi-file export is written to a temporary folder, then renamed into
  place, so a failure leaves the old export or nothing, and no stale file beside the new ones.

Nothing here prints; refusals raise `OutputError` with a French message.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .i18n import _


class OutputError(Exception):
    """An output path that must not be written: `message` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _default_mode(base: int = 0o666) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def write_temp(target: Path, content: bytes | Iterable[bytes]) -> Path:
    """Write `content` to a new temporary file beside `target`, synced to disk, with `target`'s
    permission bits and (when this process may set it) owner and group, or the default mode.

    The name is `.<target>.<random>.tmp`, which `leftover_temps` recognises.
    """
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in [content] if isinstance(content, bytes) else content:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            info = target.stat()
        except FileNotFoundError:
            os.chmod(temp, _default_mode())
        else:
            os.chmod(temp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                # Only root (or the owner, for a group it belongs to) may: otherwise the new file
                # is the writer's, as with any editor.
                with contextlib.suppress(OSError):
                    os.chown(temp, info.st_uid, info.st_gid)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def real_target(path: Path) -> Path:
    """The file a write to `path` must replace: `path` itself, or the end of its symlinks.

    Replacing a symlink by a regular file would leave the real file without the change.
    """
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write(path: Path, content: bytes | Iterable[bytes], *, parents: bool = True) -> None:
    """Replace `path` with `content` atomically: temporary file beside it, fsync, rename, fsync
    of the directory. An interruption leaves either the old file or the new one, never a
    half-written file. A symlink is written through (its target is replaced); permission bits
    and, where allowed, owner and group are kept. `content` may be an iterable of chunks, so
    that a large export is streamed rather than built in memory.
    """
    target = real_target(path)
    directory = target.parent if str(target.parent) else Path(".")
    if parents:
        directory.mkdir(parents=True, exist_ok=True)
    temp = write_temp(target, content)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(directory)


# -- leftovers of a killed write -------------------------------------------------------------------


def is_temp_name(name: str, of: Iterable[str]) -> bool:
    """Whether `name` is a temporary file `write_temp` made for one of the files `of`."""
    return name.endswith(".tmp") and any(name.startswith(f".{target}.") for target in of)


# The tool's own working files (lock, journals) live in this hidden folder of the data folder,
# never beside the data: its `.gitignore` (`*`) makes git ignore the whole folder, so that
# `git add -A` in a user's data repository commits none of them.
STATE_DIR = ".engagements"
# The record of a multi-file write in progress (see `editing.write_checked`), in `STATE_DIR`.
TRANSACTION_FILE = "transaction"
# Where versions before `STATE_DIR` kept it, beside the data: still read by recovery.
LEGACY_TRANSACTION_FILE = ".engagements.transaction"
_STATE_GITIGNORE = b"# Created by engagements: its working files, never to be committed.\n*\n"


def state_path(directory: Path, name: str) -> Path:
    """The path of the tool's working file `name` of data folder `directory` (not created)."""
    return directory / STATE_DIR / name


def ensure_state_dir(directory: Path) -> Path:
    """Create the tool's working folder of `directory` with its `.gitignore`, if missing;
    return it. Raises OSError when it cannot be created (a read-only data folder)."""
    folder = directory / STATE_DIR
    folder.mkdir(exist_ok=True)
    if not os.path.lexists(folder / ".gitignore"):
        atomic_write(folder / ".gitignore", _STATE_GITIGNORE, parents=False)
    return folder


def transaction_files(directory: Path) -> list[Path]:
    """The multi-file write journals a killed write may have left: the current place first,
    then the place of older versions."""
    return [state_path(directory, TRANSACTION_FILE), directory / LEGACY_TRANSACTION_FILE]


def pending_recovery(directory: Path, of: Iterable[str]) -> bool:
    """Whether a killed write left a journal or temporary files of the files `of` in `directory`."""
    return any(os.path.lexists(p) for p in transaction_files(directory)) or bool(leftover_temps(directory, of))


def temp_targets(directory: Path) -> list[str]:
    """The names of the files whose temporary files (`.<name>.<random>.tmp`) are in `directory`.

    Those files may not exist: a killed write may have been creating one (a new `lists/` file).
    """
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    names = {
        e.name[1:-4].rpartition(".")[0]
        for e in entries
        if e.name.startswith(".") and e.name.endswith(".tmp") and e.name.count(".") >= 3
    }
    return sorted(name for name in names if name)


def data_pending_recovery(directory: Path) -> bool:
    """Whether a killed write left a journal or temporary files of data files in a data
    directory: beside `requests.yaml` and `commitments.yaml`, or in `lists/`."""
    from .paths import COMMITMENTS_FILE, LISTS_DIR, REQUESTS_FILE, is_part_name

    if pending_recovery(directory, [REQUESTS_FILE, COMMITMENTS_FILE]):
        return True
    lists = directory / LISTS_DIR
    return bool(leftover_temps(lists, [n for n in temp_targets(lists) if is_part_name(f"{LISTS_DIR}/{n}")]))


def leftover_temps(directory: Path, of: Iterable[str]) -> list[Path]:
    """Temporary files a killed write left beside the files `of` in `directory`."""
    names = list(of)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return sorted(Path(e.path) for e in entries if is_temp_name(e.name, names) and e.is_file(follow_symlinks=False))


# -- the rules of -o ---------------------------------------------------------------------------------

STDOUT = "-"


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _inside(path: Path, directory: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(directory))
    except ValueError:
        return False
    return True


# Names no output may replace in a data directory: its data and the tool's working files (those
# older versions left beside the data too); every file under `sources/` is protected (the texts
# quotes are checked against), and every file under `STATE_DIR` (the lock, the journals).
PROTECTED_SUFFIXES = (".yaml", ".yml")
PROTECTED_NAMES = (".engagements.lock", ".engagements.journal", LEGACY_TRANSACTION_FILE)
PROTECTED_FOLDERS = ("sources", STATE_DIR)


def _protected(data_dir: Path | None) -> list[os.stat_result]:
    """The files of the data directory in use that an output must never replace (its YAML
    files, its sources, its lock), by device and inode, so that a hard link or another
    spelling of the same path is caught too."""
    if data_dir is None:
        return []
    found = []
    for root, _dirs, files in os.walk(data_dir):
        under_folder = Path(root).relative_to(data_dir).parts[:1] in [(f,) for f in PROTECTED_FOLDERS]
        for name in files:
            if under_folder or name.endswith(PROTECTED_SUFFIXES) or name in PROTECTED_NAMES:
                with contextlib.suppress(OSError):
                    found.append(os.stat(os.path.join(root, name)))
    return found


def check_output(
    path: Path,
    *,
    directory: bool = False,
    data_dir: Path | None = None,
    force: bool = False,
    parents: bool = False,
    own: Callable[[Path], bool] | None = None,
) -> None:
    """Refuse an output path that must not be written (raises `OutputError`).

    `directory`: the output is a folder of files (csv exports). `own(path)` tells whether an
    existing file or folder is this tool's previous output, which may be replaced without
    `force`. Whatever `force` says, never: a symlink, a device, a FIFO or a socket, a file of
    the data directory `data_dir`; for a folder output, a non-empty folder that is not a
    previous export.
    """
    shown = str(path)
    parent = path.parent if str(path.parent) else Path(".")
    if os.path.lexists(path):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                _("{path} est un lien symbolique : il ne sera pas remplacé ; indiquez sa cible ou un autre nom").format(
                    path=shown
                )
            )
        if stat.S_ISDIR(info.st_mode):
            if not directory:
                raise OutputError(_("{path} est un dossier : -o désigne ici un fichier").format(path=shown))
            if data_dir is not None and _inside(data_dir, path):
                raise OutputError(
                    _("{path} contient le dossier de données : choisissez un autre dossier").format(path=shown)
                )
            if any(path.iterdir()) and not (own is not None and own(path)):
                raise OutputError(
                    _(
                        "{path} n’est pas vide et n’est pas un export précédent : "
                        "choisissez un dossier nouveau ou vide (rien n’a été écrit)"
                    ).format(path=shown)
                )
            return
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                _("{path} n’est pas un fichier ordinaire (périphérique, tube ou socket) : rien n’a été écrit").format(
                    path=shown
                )
            )
        if directory:
            raise OutputError(_("{path} est un fichier : -o désigne ici un dossier").format(path=shown))
        if any(_same_file(info, p) for p in _protected(data_dir)):
            raise OutputError(
                _("{path} est un fichier du dossier de données : il ne sera jamais remplacé par une sortie").format(
                    path=shown
                )
            )
        if not force and not (own is not None and own(path)):
            raise OutputError(_("{path} existe déjà : ajoutez --force pour le remplacer").format(path=shown))
        return
    if not parent.is_dir():
        if os.path.lexists(parent):
            raise OutputError(_("{path} n’est pas un dossier").format(path=str(parent)))
        if not parents:
            raise OutputError(
                _("le dossier {path} n’existe pas : créez-le, ou ajoutez --parents").format(path=str(parent))
            )


def write_output(path: Path, content: bytes | Iterable[bytes], *, parents: bool = False) -> None:
    """Write one checked output file atomically (see `check_output`)."""
    if parents:
        (path.parent if str(path.parent) else Path(".")).mkdir(parents=True, exist_ok=True)
    atomic_write(path, content, parents=False)


def replace_directory(path: Path, files: Mapping[str, bytes | Iterable[bytes]], *, parents: bool = False) -> None:
    """Make `path` a folder holding exactly `files` (name to content), all or nothing.

    The files are written and synced in a temporary folder beside `path`; an existing `path`
    (checked by `check_output`) is moved aside, the new folder renamed into place, and the old
    one removed. Whatever fails, `path` is the old folder or the complete new one, never a mix.
    """
    parent = path.parent if str(path.parent) else Path(".")
    if parents:
        parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    try:
        os.chmod(temp, _default_mode(0o777))
        for name, content in files.items():
            with open(temp / name, "xb") as handle:
                for chunk in [content] if isinstance(content, bytes) else content:
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp / name, _default_mode())
        fsync_directory(temp)
        if path.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(path, old)
        try:
            os.rename(temp, path)
        except BaseException:
            if old is not None:
                os.rename(old, path)
                old = None
            raise
        fsync_directory(parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def previous_export(path: Path, names: Iterable[str], package_file: str, package_name: str) -> bool:
    """Whether the folder `path` is a previous csv export: nothing but the export's own regular
    files, and a Data Package descriptor of that name."""
    wanted = set(names)
    try:
        entries = list(os.scandir(path))
        if not entries or any(e.name not in wanted or not e.is_file(follow_symlinks=False) for e in entries):
            return False
        descriptor = path / package_file
        if descriptor.stat().st_size > 1 << 20:
            return False
        return json.loads(descriptor.read_text(encoding="utf-8")).get("name") == package_name
    except (OSError, ValueError, AttributeError):
        return False
