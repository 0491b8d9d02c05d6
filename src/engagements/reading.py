"""Bounded reads: every file the tool reads is checked (regular file, size) before it is read.

A data directory comes from strangers' pull requests: `commitments.yaml` may be a FIFO (a read
would wait forever), a symlink to `/dev/zero` (a read would never end), or a 5 GB file. Nothing
here reads more than the limit, and nothing blocks: the file is opened without waiting for a
writer, checked with `fstat` on the open descriptor (so it cannot be swapped after the check),
and read up to the limit. Light on purpose: the cache uses it before anything heavy is imported.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path

from .i18n import N_, _

DEFAULT_MAX_MB = 32.0
# The most `ENGAGEMENTS_MAX_FILE_MB` may ask for (`inf` means this): beyond it, one file's
# parse needs more memory than a small machine has.
HARD_MAX_MB = 512.0
ENV = "ENGAGEMENTS_MAX_FILE_MB"


class ReadRefused(Exception):
    """A file that was not read, with a diagnostic code and a French message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _limit_mb() -> tuple[float, str | None]:
    """The limit in MB, and the raw environment value when it was not usable (else None)."""
    value = os.environ.get(ENV)
    if not value:
        return DEFAULT_MAX_MB, None
    try:
        number = float(value)
    except ValueError:
        return DEFAULT_MAX_MB, value
    if math.isnan(number) or number <= 0:
        return DEFAULT_MAX_MB, value
    return min(number, HARD_MAX_MB), None


def max_bytes() -> int:
    """The size limit for one file: `ENGAGEMENTS_MAX_FILE_MB` (up to HARD_MAX_MB), else the default."""
    return int(_limit_mb()[0] * 1024 * 1024)


def too_large_message(size: int, limit: int) -> str:
    message = _(
        "fichier trop volumineux ({size:.1f} Mo, limite {limit:.1f} Mo) : découpez-le ou relevez ENGAGEMENTS_MAX_FILE_MB"
    ).format(size=size / 1048576, limit=limit / 1048576)
    ignored = _limit_mb()[1]
    if ignored is not None:
        message += _(" (valeur {value!r} ignorée : un nombre de Mo positif est attendu)").format(value=ignored)
    return message


_KINDS = {
    stat.S_IFIFO: N_("tube nommé"),
    stat.S_IFCHR: N_("périphérique"),
    stat.S_IFBLK: N_("périphérique"),
    stat.S_IFSOCK: N_("socket"),
}


def _not_regular(mode: int) -> ReadRefused:
    if stat.S_ISDIR(mode):
        return ReadRefused("not-a-file", _("ce n’est pas un fichier"))
    kind = _KINDS.get(stat.S_IFMT(mode))
    what = _(kind) if kind else _("fichier spécial")
    return ReadRefused(
        "not-a-file", _("ce n’est pas un fichier ordinaire ({kind}) : il n’est pas lu").format(kind=what)
    )


def _os_error(exc: OSError) -> ReadRefused:
    if isinstance(exc, PermissionError):
        return ReadRefused("unreadable", _("fichier illisible : permission refusée"))
    if exc.errno == errno.ELOOP:
        return ReadRefused("unreadable", _("fichier illisible : boucle de liens symboliques"))
    return ReadRefused("unreadable", _("fichier illisible : {error}").format(error=exc.strerror or exc))


def check_file(path: Path, limit: int | None = None) -> int:
    """The size of `path` when it is a regular file within the limit; else raises ReadRefused."""
    limit = max_bytes() if limit is None else limit
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ReadRefused("missing-file", _("lien symbolique cassé : sa cible n’existe pas")) from None
        raise ReadRefused("missing-file", _("fichier introuvable")) from None
    except OSError as exc:
        raise _os_error(exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(info.st_mode)
    if info.st_size > limit:
        raise ReadRefused("too-large", too_large_message(info.st_size, limit))
    return info.st_size


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (default: max_bytes()).

    Raises ReadRefused for a missing, special, unreadable or oversized file; never blocks on a
    FIFO and never reads past the limit, even if the file grows or is swapped meanwhile.
    """
    limit = max_bytes() if limit is None else limit
    check_file(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for a FIFO or a device since the check
            raise _not_regular(info.st_mode)
        if info.st_size > limit:
            raise ReadRefused("too-large", too_large_message(info.st_size, limit))
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _os_error(exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while being read
        raise ReadRefused("too-large", too_large_message(len(data), limit))
    return data
