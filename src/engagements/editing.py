"""Writing the data back: links decided by a person (link, unlink, reject) and the canonical layout (fmt).

Nothing here prints or exits: functions return what they did, or raise `EditError` with a French
message (and the diagnostics, when the data is the problem).

The files are edited as ruamel.yaml round-trip documents, so comments, key order, quoting, blank
lines, flow or block style and the file's own indentation survive an edit: on a file in the
canonical layout, linking a pledge changes one line. Every write follows the same path:

1. take the data directory's lock (another writer is refused at once rather than waited for);
2. load and check the data as it is, and refuse to edit invalid data;
3. edit the document and write it to a temporary file beside the target;
4. load and check the data again with the temporary file in place of the target, and refuse
   (leaving the target untouched) if that data has errors or lost a comment;
5. replace the target by the checked temporary file with one `os.replace`, which is atomic;
   several files as one transaction, through a journal that the next command plays to the end
   if the process was killed between two renames (`write_checked`, `recover`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import json
import os
import stat
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from . import loading
from .checks import check
from .diagnostics import Diagnostic, did_you_mean, has_errors
from .i18n import _
from .models import CandidateList, Commitment, CommitmentsFile, RequestsFile, field_model
from .paths import COMMITMENTS_FILE, LISTS_DIR, REQUESTS_FILE, commitment_names, is_part_name, schema_reference
from .reading import max_bytes
from .writing import (
    TRANSACTION_FILE,
    atomic_write,
    data_pending_recovery,
    ensure_state_dir,
    fsync_directory,
    is_temp_name,
    leftover_temps,
    real_target,
    state_path,
    temp_targets,
    transaction_files,
    write_temp,
)

# The tool's working files, in the data folder's `writing.STATE_DIR` (ignored by git).
LOCK_FILE = "lock"
# Decisions of a session not yet in commitments.yaml (see `Session`): one JSON object a line.
JOURNAL_FILE = "journal"
# Where versions before `writing.STATE_DIR` kept the journal, beside the data: still replayed.
LEGACY_JOURNAL_FILE = ".engagements.journal"
# Wider than any line: ruamel would otherwise fold long texts at 80 columns.
WIDTH = 1 << 30
MODELINE = "# yaml-language-server: $schema={schema}\n"


def modeline(name: str) -> str:
    """The editor's schema comment for a data file (see `schema_reference`)."""
    return MODELINE.format(schema=schema_reference(name))


_COMMITMENT_KEYS = list(Commitment.model_fields)


class EditError(Exception):
    """A refused edit. `message` is for the person who asked; `diagnostics` say what is invalid."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or []


class UnknownId(EditError):
    """An id typed on the command line that the data does not have: a usage error, not bad data."""


@dataclass(frozen=True)
class Outcome:
    """What a link command did: `changed` is False when the data already said so (nothing written).

    `displaced` is True when the opposite decision was taken out: a rejection by `link`, a
    confirmed link by `reject`.
    """

    changed: bool
    displaced: bool = False
    # The file that holds the pledge, relative to the data directory ("lists/x.yaml" in a split one).
    file: str = COMMITMENTS_FILE


# --- Round-trip documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class Indent:
    """Block indentation as ruamel.yaml counts it: `sequence` is where an item's content starts
    and `offset` where its dash is, both relative to the parent key."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


CANONICAL = Indent()


@dataclass
class Document:
    """One data file as read: its bytes, its round-trip document, its indentation and line ends."""

    path: Path
    raw: bytes
    data: CommentedMap
    indent: Indent
    newline: str = "\n"

    @property
    def lines(self) -> list[str]:
        return self.raw.decode("utf-8-sig").splitlines()

    def text(self) -> str:
        """The document as YAML in the file's own indentation and line ends (for an edit)."""
        return dump(self.data, self.indent).replace("\n", self.newline)


def _yaml(indent: Indent = CANONICAL) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def read_document(path: Path) -> Document:
    """Parse a data file for editing, keeping everything a person wrote."""
    raw = path.read_bytes()
    # ruamel would keep a carriage return in each comment: parse with plain line feeds.
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    data = _yaml().load(text)
    newline = "\r\n" if b"\r\n" in raw else "\n"
    return Document(path, raw, data, detect_indent(data, text.splitlines()), newline)


def dump(data: Any, indent: Indent = CANONICAL) -> str:
    """The YAML text of a round-trip document."""
    stream = io.StringIO()
    _yaml(indent).dump(data, stream)
    return stream.getvalue()


def _block(node: Any) -> bool:
    """A non-empty collection written in block style (flow collections sit on their key's line)."""
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node) and not node.fa.flow_style()


def _dash_column(seq: CommentedSeq, index: int, lines: list[str]) -> int | None:
    """The column of the dash before item `index`, read from the text (ruamel keeps the item's)."""
    at = _position(seq, index)
    if at is None or not 0 <= at[0] < len(lines):
        return None
    dash = lines[at[0]].rfind("-", 0, at[1])
    return dash if dash >= 0 else None


def detect_indent(data: CommentedMap, lines: list[str]) -> Indent:
    """The file's own indentation, read from its first nested block mapping and block sequence.

    What the file does not show (no nested mapping, say) is taken from the canonical layout.
    """
    found: dict[str, int] = {}

    def visit(node: CommentedMap) -> None:
        for key, value in node.items():
            if len(found) == 3:
                return
            key_col = node.lc.key(key)[1]
            if _block(value) and isinstance(value, CommentedMap):
                found.setdefault("mapping", value.lc.key(next(iter(value)))[1] - key_col)
                visit(value)
            elif _block(value) and isinstance(value, CommentedSeq):
                dash = _dash_column(value, 0, lines)
                if dash is not None and "sequence" not in found:
                    found["sequence"] = value.lc.item(0)[1] - key_col
                    found["offset"] = dash - key_col
                for item in value:
                    if _block(item) and isinstance(item, CommentedMap):
                        visit(item)

    visit(data)
    return Indent(**found)


# --- Comments -----------------------------------------------------------------------------------
#
# ruamel keeps a comment on the entry it follows: an entry's "tail" is its end-of-line comment
# followed by the blank lines and comments up to the next entry (for a block collection, on its
# deepest last entry). When entries move, are added or removed, those following lines are moved
# with the entry they come before, except comments indented deeper than the entry's key, which
# still belong to its value. Whatever this misses, the checked write catches: it refuses to
# write a file that lost a comment.


@dataclass(frozen=True)
class _Slot:
    """A place where ruamel keeps one comment token: `owner.ca.items[key][index]`."""

    owner: CommentedMap | CommentedSeq
    key: Any
    index: int

    def get(self) -> CommentToken | None:
        entry = self.owner.ca.items.get(self.key)
        return entry[self.index] if entry else None

    def set(self, token: CommentToken | None) -> None:
        self.owner.ca.items.setdefault(self.key, [None, None, None, None])[self.index] = token


def _tail(container: CommentedMap | CommentedSeq, key: Any) -> _Slot:
    value = container[key]
    if _block(value):
        return _tail(value, next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1)
    return _Slot(container, key, 2 if isinstance(container, CommentedMap) else 0)


def _take_rest(slot: _Slot) -> str:
    """Cut what follows the first line of a tail (the lines before the next entry) and return it."""
    token = slot.get()
    if token is None:
        return ""
    first, newline, rest = token.value.partition("\n")
    # Cut the token itself, not only the slot: a flow collection's node holds it too.
    token.value = first + newline
    if not first:
        slot.set(None)
    return rest


def _split_rest(rest: str, column: int | None) -> tuple[str, str]:
    """Split the lines after an entry: comments indented deeper than the entry's key (at `column`)
    still belong to its value; what follows is the gap before the next entry."""
    lines = rest.splitlines(keepends=True)
    own = 0
    if column is not None:
        while (
            own < len(lines)
            and lines[own].lstrip(" ").startswith("#")
            and len(lines[own]) - len(lines[own].lstrip(" ")) > column
        ):
            own += 1
    return "".join(lines[:own]), "".join(lines[own:])


def _give_rest(slot: _Slot, text: str) -> None:
    """Append lines (each ending in a newline) after the first line of a tail."""
    if not text:
        return
    token = slot.get()
    if token is None:
        slot.set(CommentToken("\n" + text, CommentMark(0)))
    else:
        token.value = token.value + ("" if token.value.endswith("\n") else "\n") + text


def _give_before(container: CommentedMap | CommentedSeq, key: Any, text: str) -> None:
    """Put lines before an entry, as the comments ruamel writes above it."""
    tokens = []
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        column = len(line) - len(stripped) if stripped else 0
        tokens.append(CommentToken(stripped + "\n", CommentMark(column)))
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[1] = tokens + (entry[1] or [])


def _flatten(value: Any) -> Iterator[CommentToken]:
    if isinstance(value, CommentToken):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)


def _tokens(node: Any) -> Iterator[CommentToken]:
    """Every comment token in a subtree, each once (ruamel attaches some to two nodes)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, (CommentedMap, CommentedSeq)):
            continue
        ca = current.ca
        for token in _flatten([ca.comment, list(ca.items.values()), ca.end]):
            if id(token) not in seen:
                seen.add(id(token))
                yield token
        stack.extend(current.values() if isinstance(current, CommentedMap) else current)


def _lines_of(tokens: Iterable[CommentToken]) -> list[str]:
    return [line.strip() for token in tokens for line in token.value.splitlines() if line.strip().startswith("#")]


def comment_lines(data: Any) -> Counter[str]:
    """The comments of a document, as a multiset of lines: what a write must not lose."""
    return Counter(_lines_of(_tokens(data)))


def _position(container: CommentedMap | CommentedSeq, key: Any) -> tuple[int, int] | None:
    """Where an entry was in the file as read (None for an entry added since)."""
    try:
        found = container.lc.key(key) if isinstance(container, CommentedMap) else container.lc.item(key)
    except (KeyError, IndexError):
        return None
    return (found[0], found[1]) if found else None


def _column(container: CommentedMap | CommentedSeq, key: Any) -> int | None:
    at = _position(container, key)
    return at[1] if at else None


def _delete_entry(container: CommentedMap | CommentedSeq, key: Any) -> None:
    """Delete one entry, keeping every comment a person wrote.

    The entry's own comments stay where it stood, as full-line comments; the lines that followed
    it stay before the entry that followed it.
    """
    keys = list(container) if isinstance(container, CommentedMap) else list(range(len(container)))
    position = keys.index(key)
    gap = _take_rest(_tail(container, key))
    own = container.ca.items.get(key) or []
    column = _column(container, key) or 0
    # A sequence item's position is its content's; its comments go at its dash, written "- ".
    indent = " " * (max(column - 2, 0) if isinstance(container, CommentedSeq) else column)
    tokens = {id(token): token for token in (*_flatten(own), *_tokens(container[key]))}
    kept = "".join(f"{indent}{line}\n" for line in _lines_of(tokens.values()))
    del container[key]
    text = kept + gap
    if not text or not container:
        return  # an emptied container: a lost comment makes the checked write refuse
    if position > 0:
        _give_rest(_tail(container, keys[position - 1]), text)
    else:
        # The new first entry: a map's next key, or a sequence's item now at index 0.
        _give_before(container, keys[1] if isinstance(container, CommentedMap) else 0, text)


def _insert_key(node: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Add a key where the model declares it (after the existing keys that come before it)."""
    keys = list(node)
    rank = order.index(key)
    position = max((i + 1 for i, k in enumerate(keys) if k in order and order.index(k) < rank), default=0)
    node.insert(position, key, value)
    if position > 0:
        # The gap after the previous key came before the key that now follows the new one.
        previous = _tail(node, keys[position - 1])
        own, gap = _split_rest(_take_rest(previous), _column(node, keys[position - 1]))
        _give_rest(previous, own)
        _give_rest(_tail(node, key), gap)


def append_item(seq: CommentedSeq, item: Any) -> None:
    """Append to a sequence, keeping a block sequence's trailing comments after the new item."""
    if not _block(seq):
        seq.append(item)
        return
    rest = _take_rest(_tail(seq, len(seq) - 1))
    seq.append(item)
    _give_rest(_tail(seq, len(seq) - 1), rest)


# --- Locking and checked writes ---------------------------------------------------------------

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def data_lock(directory: Path, *, recover_first: bool = True) -> Iterator[None]:
    """Hold the data directory's write lock; refuse at once if another process holds it.

    Not waiting is deliberate: the other writer may be a person in an interactive review, and
    an edit queued behind it would apply to data that person is changing. The lock file stays
    in place (removing it would let two writers lock two different files). Once the lock is
    held, what a killed write left is recovered first (`recover`). The lock is in the tool's
    working folder (`writing.STATE_DIR`), created with its `.gitignore` on the first write.
    """
    lock = state_path(directory, LOCK_FILE)
    try:
        ensure_state_dir(directory)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EditError(
            _("impossible de créer le verrou {lock} : {error}").format(
                lock=loading.display_path(lock), error=exc.strerror
            )
        ) from exc
    try:
        try:
            _try_lock(fd)
        except OSError:
            raise EditError(
                _(
                    "les données de {dir} sont en cours de modification par un autre processus "
                    "(verrou {lock}) : réessayez quand il aura terminé"
                ).format(dir=loading.display_path(directory), lock=loading.display_path(lock))
            ) from None
        try:
            if recover_first:
                recover(directory)
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def load_valid(directory: Path) -> loading.Loaded:
    """Load and check the data; refuse to go on if it has errors (warnings are fine)."""
    loaded = loading.load_directory(directory)
    diagnostics = loaded.diagnostics + check(loaded)
    if has_errors(diagnostics):
        raise EditError(_("données invalides : corrigez-les avant de les modifier"), diagnostics)
    return loaded


def data_target(directory: Path, name: str) -> Path:
    """The file a write of data file `name` replaces: the file, or its symlink's target.

    A symlinked data file is written through, so the real file gets the change; its target must
    be inside the data directory (a write never lands outside it).
    """
    path = directory / name
    target = real_target(path)
    if target != path:
        real_dir = Path(os.path.realpath(directory))
        if not Path(os.path.realpath(target)).is_relative_to(real_dir):
            raise EditError(
                _("{file} est un lien symbolique vers l’extérieur du dossier de données : modification refusée").format(
                    file=loading.display_path(path)
                )
            )
    return target


def _write_temp(target: Path, content: bytes) -> Path:
    """Write `content` to a new temporary file beside `target`, with its permissions, synced to disk."""
    return write_temp(target, content)


# A multi-file write is one transaction: every new file is written, synced and checked as a
# temporary file first; then this journal, naming each (temporary file, target) pair and the
# temporary file's digest, is written and synced; then the renames; then the journal is removed.
# A kill between two renames leaves the journal: the next command that holds the lock finishes
# the renames (the temporary files were complete and checked before the journal existed).
_TRANSACTION_MAX = 1 << 14


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_journal(directory: Path, pairs: list[tuple[Path, Path]]) -> Path:
    journal = state_path(directory, TRANSACTION_FILE)
    ensure_state_dir(directory)
    entries = [{"temp": str(temp), "target": str(target), "sha256": _digest(temp)} for temp, target in pairs]
    atomic_write(journal, json.dumps({"replace": entries}, indent=1).encode("utf-8"))
    return journal


def _data_names(directory: Path) -> list[str]:
    """The data files of `directory`, relative: requests.yaml, commitments.yaml, lists/*.yaml."""
    return [REQUESTS_FILE, *commitment_names(directory)]


def _expected_targets(directory: Path) -> set[str]:
    out = set()
    for name in _data_names(directory):
        with suppress(EditError, OSError):
            out.add(str(data_target(directory, name)))
    return out


def _new_part(directory: Path, target: Path) -> bool:
    """Whether `target` is a `lists/` file a journaled write was creating: a part name, not
    there yet, in a `lists/` folder that is really inside the data directory."""
    folder = directory / LISTS_DIR
    return (
        target.parent == folder
        and is_part_name(f"{LISTS_DIR}/{target.name}")
        and not os.path.lexists(target)
        and not folder.is_symlink()
        and Path(os.path.realpath(folder)).is_relative_to(Path(os.path.realpath(directory)))
    )


def recover(directory: Path) -> list[str]:
    """Finish or clean up a write that was killed in `directory`; call it holding the lock.

    A journal left between two renames is played to the end; the temporary files of a write
    killed before its journal are removed (they were never checked). Entries that do not name
    a data file of this directory and a temporary file beside it are ignored: a journal is
    never a way to write elsewhere. The journal is looked for in the tool's working folder and
    where older versions left it, beside the data. Returns what was done, as French sentences
    for the user.
    """
    done: list[str] = []
    for journal in transaction_files(directory):
        if os.path.lexists(journal):
            done += _finish_transaction(directory, journal)
    done += _remove_temps(directory)
    return done


def _finish_transaction(directory: Path, journal: Path) -> list[str]:
    """Play the transaction journal `journal` to the end, then remove it (see `recover`)."""
    done: list[str] = []
    entries: list[dict[str, str]] = []
    try:
        info = os.lstat(journal)
        if stat.S_ISREG(info.st_mode) and info.st_size <= _TRANSACTION_MAX:
            loaded = json.loads(journal.read_text(encoding="utf-8"))
            entries = [e for e in loaded.get("replace", []) if isinstance(e, dict)]
    except (OSError, ValueError, AttributeError):
        entries = []
    targets = _expected_targets(directory)
    finished = []
    for entry in entries:
        temp, target = Path(str(entry.get("temp"))), Path(str(entry.get("target")))
        if (
            (str(target) not in targets and not _new_part(directory, target))
            or temp.parent != target.parent
            or not is_temp_name(temp.name, [target.name])
            or not temp.is_file()
            or temp.is_symlink()
        ):
            continue
        with suppress(OSError):
            # A checked temporary file is a data file, within the size limit: a larger one is
            # not read (a journal slipped into a pull request could name a huge file).
            if temp.stat().st_size <= max_bytes() and _digest(temp) == entry.get("sha256"):
                os.replace(temp, target)
                finished.append(loading.display_path(target))
    if finished:
        fsync_directory(directory)
        done.append(
            _("écriture interrompue terminée : {files} remplacé(s) comme prévu").format(files=", ".join(finished))
        )
    with suppress(OSError):
        journal.unlink()
        fsync_directory(journal.parent)
    return done


def _remove_temps(directory: Path) -> list[str]:
    """Remove the temporary files of data files a write killed before its journal left (see `recover`)."""
    done: list[str] = []
    expected = _expected_targets(directory)
    names = [*_data_names(directory), *(Path(t).name for t in expected)]
    folders = {Path(t).parent: names for t in expected} | {directory: names}
    lists = directory / LISTS_DIR
    if lists.is_dir() and not lists.is_symlink():
        # Also the temporary files of a lists/ file a killed write was creating.
        created = [n for n in temp_targets(lists) if is_part_name(f"{LISTS_DIR}/{n}")]
        folders[lists] = [*folders.get(lists, []), *created]
    for folder in sorted(folders):
        for temp in leftover_temps(folder, folders[folder]):
            with suppress(OSError):
                temp.unlink()
                done.append(
                    _("fichier temporaire d’une écriture interrompue supprimé : {file}").format(
                        file=loading.display_path(temp)
                    )
                )
    return done


def recover_if_needed(directory: Path) -> list[str]:
    """For commands that only read: when a killed write left something, take the lock (if no
    one holds it) and recover. Returns what was done; nothing when another writer is at work
    or the directory cannot be written (then `writing.pending_recovery` still says so)."""
    if not data_pending_recovery(directory):
        return []
    try:
        with data_lock(directory, recover_first=False):
            return recover(directory)
    except EditError:
        return []


def write_checked(directory: Path, texts: dict[str, str], comments: dict[str, Counter[str]]) -> loading.Loaded:
    """Replace data files by new texts, if the data they make is valid and keeps every comment.

    `texts` and `comments` are keyed by file name: the new text, and the comment lines it must
    hold. Nothing is replaced unless every new file passes. Several files are replaced as one
    transaction (see `TRANSACTION_FILE`): a kill between two renames is finished by the next
    command. A temporary file never outlives this call, unless the process is killed; then
    the next command removes it. Symlinked files are written through; permissions and, when
    allowed, owner are kept; the directory is synced after the renames. Returns the data as
    written, loaded and checked.
    """
    temps: dict[str, Path] = {}
    targets: dict[str, Path] = {}
    replaced: list[str] = []
    journal: Path | None = None
    try:
        for name, text in texts.items():
            (directory / name).parent.mkdir(exist_ok=True)  # lists/, for a directory's first one
            targets[name] = data_target(directory, name)
            temps[name] = _write_temp(targets[name], text.encode("utf-8"))
        loaded = loading.load_directory(directory, overrides=temps)
        diagnostics = loaded.diagnostics + check(loaded)
        if has_errors(diagnostics):
            raise EditError(
                _("modification refusée : les données deviendraient invalides ; aucun fichier n’a été modifié"),
                diagnostics,
            )
        parsed = loaded.files()
        for name in texts:
            if comment_lines(parsed[name].document) != comments[name]:
                raise EditError(
                    _(
                        "modification refusée : des commentaires de {file} seraient perdus ; aucun fichier n’a été modifié"
                    ).format(file=parsed[name].name)
                )
        if len(temps) > 1:
            journal = _write_journal(directory, [(temps[name], targets[name]) for name in temps])
        for name, temp in temps.items():
            os.replace(temp, targets[name])
            replaced.append(name)
        for folder in {t.parent for t in targets.values()}:
            fsync_directory(folder)
        if journal is not None:
            journal.unlink()
            fsync_directory(directory)
        return loaded
    except OSError as exc:
        where, error = loading.display_path(directory), exc.strerror or str(exc)
        if replaced:  # a second file could not replace its target: say which one did
            message = _("écriture interrompue dans {dir} : {error} ; seul {files} a été remplacé").format(
                dir=where, error=error, files=", ".join(replaced)
            )
        else:
            message = _("écriture impossible dans {dir} : {error} ; les fichiers de données sont inchangés").format(
                dir=where, error=error
            )
        raise EditError(message) from exc
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


# --- Links ------------------------------------------------------------------------------------


def _link_index(links: Any, request_id: str) -> int | None:
    """The position of a request in an `answers` or `rejects` list (a bare id or a decision)."""
    if not isinstance(links, CommentedSeq):
        return None
    for i, item in enumerate(links):
        if (item.get("request") if isinstance(item, CommentedMap) else item) == request_id:
            return i
    return None


def _link_item(request_id: str, by: str | None, date: dt.date | None) -> str | CommentedMap:
    """A bare request id, or `{request: …, by: …, date: …}` when the decision has an author or date."""
    if by is None and date is None:
        return request_id
    item = CommentedMap(request=request_id)
    if by is not None:
        item["by"] = by
    if date is not None:
        # A fresh object each time: ruamel.yaml would write one shared date as an anchor and
        # aliases (&id001 / *id001), which this project's files never use.
        item["date"] = dt.date(date.year, date.month, date.day)
    item.fa.set_flow_style()
    return item


def _add_link(pledge: CommentedMap, field: str, item: str | CommentedMap) -> None:
    links = pledge.get(field)
    if isinstance(links, CommentedSeq):
        append_item(links, item)
        return
    links = CommentedSeq([item])
    links.fa.set_flow_style()  # `answers: [q1]`, as in the bundled data
    _insert_key(pledge, field, links, _COMMITMENT_KEYS)


def _remove_link(pledge: CommentedMap, field: str, request_id: str) -> bool:
    """Remove every occurrence of a request from a list, and the key once the list is empty."""
    removed = False
    while (index := _link_index(pledge.get(field), request_id)) is not None:
        if len(pledge[field]) == 1:
            _delete_entry(pledge, field)
        else:
            _delete_entry(pledge[field], index)
        removed = True
    return removed


def _find_pledge(loaded: loading.Loaded, commitment_id: str) -> tuple[str, int, int]:
    """The file that holds a pledge (its name relative to the directory), and where in it."""
    assert loaded.dataset is not None
    found = loaded.part_of_pledge(commitment_id)
    if found is not None:
        part, i, j = found
        return part.name, i, j
    lists = loaded.dataset.commitments.lists
    known = (other.id for candidate_list in lists for other in candidate_list.commitments)
    where = loaded.commitments_file.name if len(loaded.parts) == 1 else loading.display_path(loaded.directory)
    raise UnknownId(
        _("engagement « {id} » inconnu dans {file}").format(id=commitment_id, file=where)
        + did_you_mean(commitment_id, known)
    )


Change = Callable[[CommentedMap], Outcome]


class Session:
    """An open write session on a data directory: the lock held, the data checked, and each file
    that holds lists (`commitments.yaml`, `lists/*.yaml`) kept as a round-trip document between
    edits once an edit has touched it.

    Each `apply` is one validated, atomic write (see the module's docstring), so a caller can
    write every decision as soon as it is made; `undo` puts back the file as it was before the
    last write of this session.

    `decide` first appends the decision to a journal in the data's working folder
    (`.engagements/journal`, synced to disk: milliseconds), then makes the validated write (a fraction of a second to
    seconds, as the YAML is parsed again), then empties the journal. A process killed in
    between loses nothing: the next session applies what the journal holds (deciding again the
    same way changes nothing, so a decision already written is not written twice). Opening costs one load and check of the data; each write then
    costs one dump and one check of the new file. If the file changed on disk behind the
    session (an editor, say), it is read again before the next edit rather than overwritten.
    Use it as a context manager: the lock is released on exit.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / COMMITMENTS_FILE
        self._lock = data_lock(directory)
        # Before each write: the bytes of the files it replaced, by name.
        self._history: list[dict[str, bytes]] = []
        self.version = 0  # counts the data's changes seen by this session
        self.replayed = 0  # decisions of an interrupted session written on opening this one

    def __enter__(self) -> Session:
        self._lock.__enter__()
        try:
            self._read(load_valid(self.directory))
            self._replay()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(None, None, None)

    def _read(self, loaded: loading.Loaded) -> None:
        assert loaded.dataset is not None
        self.loaded = loaded
        self.version += 1
        self.documents: dict[str, Document] = {}
        self.comments: dict[str, Counter[str]] = {}
        self._seen = self._stamps()
        self.request_ids = [r.id for r in loaded.dataset.requests.requests]

    def _stamps(self) -> dict[str, bytes]:
        """The bytes of every file that holds lists, by name: what this session last saw."""
        return {name: (self.directory / name).read_bytes() for name in commitment_names(self.directory)}

    def _document(self, name: str) -> Document:
        """The round-trip document of one file, read when an edit first needs it."""
        if name not in self.documents:
            self.documents[name] = read_document(self.directory / name)
            self.comments[name] = comment_lines(self.documents[name].data)
        return self.documents[name]

    @property
    def document(self) -> Document:
        """The document of `commitments.yaml` (for a directory that keeps its lists there)."""
        return self._document(COMMITMENTS_FILE)

    @property
    def dataset(self) -> Any:
        """The data as it is on disk now (a `models.Dataset`)."""
        return self.loaded.dataset

    def _fresh(self) -> None:
        """Read the data again if a file is no longer what this session last read or wrote."""
        if self._stamps() != self._seen:
            self._read(load_valid(self.directory))

    def _write(self, texts: dict[str, str]) -> None:
        loaded = write_checked(self.directory, texts, {name: self.comments[name] for name in texts})
        self.loaded = loaded
        self.version += 1
        for name, text in texts.items():
            self.documents[name].raw = text.encode("utf-8")
            self._seen[name] = text.encode("utf-8")

    def apply(self, edits: Sequence[tuple[str, str | None, Change]]) -> list[Outcome]:
        """Apply each (pledge id, request id, change), then write the file once if anything changed.

        Ids are checked first, so an unknown one changes nothing. A refused write leaves the
        file as it was, and the session reads it again.
        """
        self._fresh()
        loaded = self.loaded
        targets = [(*_find_pledge(loaded, commitment_id), request_id) for commitment_id, request_id, _c in edits]
        for _name, _i, _j, request_id in targets:
            if request_id is not None and request_id not in self.request_ids:
                raise UnknownId(
                    _("demande « {id} » inconnue dans {file}").format(id=request_id, file=loaded.requests_file.name)
                    + did_you_mean(request_id, self.request_ids)
                )
        outcomes: list[Outcome] = []
        changed: list[str] = []
        for (name, i, j, _r), (_c, _r2, change) in zip(targets, edits, strict=True):
            document = self._document(name)
            outcome = change(document.data["lists"][i]["commitments"][j])
            outcomes.append(Outcome(outcome.changed, outcome.displaced, name))
            if outcome.changed and name not in changed:
                changed.append(name)
        if changed:
            before = {name: self.documents[name].raw for name in changed}
            try:
                self._write({name: self.documents[name].text() for name in sorted(changed)})
            except BaseException:
                self._read(load_valid(self.directory))
                raise
            self._history.append(before)
        return outcomes

    def decide(
        self, commitment_id: str, request_id: str, accepted: bool, *, by: str | None = None, date: dt.date | None = None
    ) -> Outcome:
        """Record one decision and write it at once (see `decide`): journal first, then the file."""
        entry = {"pledge": commitment_id, "request": request_id, "accepted": accepted, "by": by}
        if date is not None:
            entry["date"] = date.isoformat()
        self._journal(entry)
        try:
            (outcome,) = self.apply([(commitment_id, request_id, _decision(request_id, accepted, by, date))])
        except EditError:
            self._clear_journal()  # refused, not lost: the next session must not try it again
            raise
        self._clear_journal()
        return outcome

    @property
    def journal(self) -> Path:
        return state_path(self.directory, JOURNAL_FILE)

    def _journal(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        ensure_state_dir(self.directory)
        fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _clear_journal(self) -> None:
        self.journal.unlink(missing_ok=True)
        (self.directory / LEGACY_JOURNAL_FILE).unlink(missing_ok=True)

    def _replay(self) -> None:
        """Apply the decisions an interrupted session journaled but may not have written (in
        the journal where older versions kept it, beside the data, first: it is older)."""
        lines: list[str] = []
        found = False
        for journal in (self.directory / LEGACY_JOURNAL_FILE, self.journal):
            try:
                lines += journal.read_text(encoding="utf-8").splitlines()
                found = True
            except FileNotFoundError:
                continue
        if not found:
            return
        assert self.loaded.dataset is not None
        pledges = {c.id for lst in self.loaded.dataset.commitments.lists for c in lst.commitments}
        edits = []
        for line in lines:
            try:
                entry = json.loads(line)
                when = dt.date.fromisoformat(entry["date"]) if entry.get("date") else None
                request = str(entry["request"])
                edits.append(
                    (str(entry["pledge"]), request, _decision(request, bool(entry["accepted"]), entry.get("by"), when))
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by the interruption: its decision was never confirmed
        # A pledge or request removed by hand since has nothing left to decide.
        edits = [e for e in edits if e[0] in pledges and e[1] in self.request_ids]
        if edits:
            self.replayed = sum(outcome.changed for outcome in self.apply(edits))
        self._clear_journal()

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> None:
        """Put back the file as it was before this session's last write (one validated write).

        Refused when the file was changed behind the session since: undoing would lose that change.
        """
        if not self._history:
            raise EditError(_("rien à annuler"))
        previous = self._history[-1]
        for name in previous:
            if (self.directory / name).read_bytes() != self.documents[name].raw:
                raise EditError(
                    _("{file} a été modifié par ailleurs depuis la dernière décision : rien n’est annulé").format(
                        file=loading.display_path(self.directory / name)
                    )
                )
        self._write({name: raw.decode("utf-8") for name, raw in previous.items()})
        self._history.pop()
        for name in previous:
            self.documents[name] = read_document(self.directory / name)
            self.comments[name] = comment_lines(self.documents[name].data)


def _edit_pledges(
    directory: Path,
    edits: Sequence[tuple[str, str | None, Change]],
    before: Callable[[loading.Loaded], None] | None = None,
) -> list[Outcome]:
    """Apply each (pledge id, request id, change) to the file that holds the pledge
    (`commitments.yaml` or one of `lists/*.yaml`), then write the changed files once: one lock,
    one check of the ids, one validated write for any number of edits.

    A request id of None is an edit that names no request (a meter entry). `before` sees the
    data as loaded and checked, before any change runs."""
    with Session(directory) as session:
        if before is not None:
            before(session.loaded)
        return session.apply(edits)


def _decision(request_id: str, accepted: bool, by: str | None, date: dt.date | None) -> Change:
    """The change that records a decision: the request goes into `answers` (accepted) or
    `rejects` (refused) and out of the other list. Deciding again the same way changes nothing:
    the first decision, with its author and date, stands."""
    keep, drop = ("answers", "rejects") if accepted else ("rejects", "answers")

    def change(pledge: CommentedMap) -> Outcome:
        displaced = _remove_link(pledge, drop, request_id)
        if _link_index(pledge.get(keep), request_id) is not None:
            return Outcome(changed=displaced, displaced=displaced)
        _add_link(pledge, keep, _link_item(request_id, by, date))
        return Outcome(changed=True, displaced=displaced)

    return change


def link(
    directory: Path,
    commitment_id: str,
    request_id: str,
    *,
    by: str | None = None,
    date: dt.date | None = None,
) -> Outcome:
    """Record that a pledge answers a request: add it to the pledge's `answers`.

    The key is created after `text:` when absent, in flow style (`answers: [q1]`); with `by` or
    `date` the link is written as a decision, `{request: q1, by: Awa, date: 2026-03-20}`. A
    rejection of the same request is taken out. Linking an already linked request changes
    nothing, even with another `by` or `date`: the first decision stands.
    """
    (outcome,) = _edit_pledges(directory, [(commitment_id, request_id, _decision(request_id, True, by, date))])
    return outcome


def unlink(directory: Path, commitment_id: str, request_id: str) -> Outcome:
    """Take a request out of a pledge's `answers` (the key goes when the list is empty)."""

    def change(pledge: CommentedMap) -> Outcome:
        return Outcome(changed=_remove_link(pledge, "answers", request_id))

    (outcome,) = _edit_pledges(directory, [(commitment_id, request_id, change)])
    return outcome


def reject(
    directory: Path,
    commitment_id: str,
    request_id: str,
    *,
    by: str | None = None,
    date: dt.date | None = None,
) -> Outcome:
    """Record that a pledge does not answer a request: add it to `rejects`, and out of `answers`.

    The matcher never suggests a rejected link again. Rejecting twice changes nothing.
    """
    (outcome,) = _edit_pledges(directory, [(commitment_id, request_id, _decision(request_id, False, by, date))])
    return outcome


def decide(
    directory: Path,
    decisions: Sequence[tuple[str, str, bool]],
    *,
    by: str | None = None,
    date: dt.date | None = None,
) -> int:
    """Record many decisions in one write: (pledge id, request id, accepted?) each.

    An accepted pair is linked as `link` does, a refused one rejected as `reject` does; the
    file is read, checked and written once, so a review session costs one round trip.
    Returns how many decisions changed the file.
    """
    if not decisions:
        return 0
    edits = [(c, r, _decision(r, accepted, by, date)) for c, r, accepted in decisions]
    return sum(outcome.changed for outcome in _edit_pledges(directory, edits))


# --- Lists: election, merger, right of reply ---------------------------------------------------

_LIST_KEYS = list(CandidateList.model_fields)


def _plain(node: Any) -> Any:
    """A round-trip node as plain data, to compare a recorded fact with a new one."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _fact(values: dict[str, Any]) -> CommentedMap:
    """`{date: 2026-03-22, round: 2, …}` in flow style, the keys that are None left out."""
    node = CommentedMap()
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, dt.date):
            value = dt.date(value.year, value.month, value.day)  # a fresh object: no YAML anchor
        elif isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        node[key] = value
    node.fa.set_flow_style()
    return node


def _find_list(loaded: loading.Loaded, list_id: str) -> tuple[str, int]:
    """The file that holds a list (its name relative to the directory), and the list's index there."""
    found = loaded.part_of_list(list_id)
    if found is not None:
        return found[0].name, found[1]
    assert loaded.dataset is not None
    where = loaded.commitments_file.name if len(loaded.parts) == 1 else loading.display_path(loaded.directory)
    raise UnknownId(
        _("liste « {id} » inconnue dans {file}").format(id=list_id, file=where)
        + did_you_mean(list_id, [lst.id for lst in loaded.dataset.commitments.lists])
    )


def _set_list_key(directory: Path, list_id: str, key: str, value: CommentedMap) -> Outcome:
    """Record `key: value` on a list (replacing what the key held), in one validated write;
    the same fact recorded again changes nothing."""
    with Session(directory) as session:
        name, i = _find_list(session.loaded, list_id)
        document = session._document(name)
        node = document.data["lists"][i]
        if key in node and _plain(node[key]) == _plain(value):
            return Outcome(changed=False, file=name)
        if key in node:
            node[key] = value
        else:
            _insert_key(node, key, value, _LIST_KEYS)
        session._write({name: document.text()})
        return Outcome(changed=True, file=name)


def elect(
    directory: Path,
    list_id: str,
    *,
    date: dt.date,
    round: int | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Outcome:
    """Record a list's election: `elected: {date, round, source, note}` (replaced if recorded)."""
    fact = _fact({"date": date, "round": round, "source": source, "note": note})
    return _set_list_key(directory, list_id, "elected", fact)


def reply(
    directory: Path,
    list_id: str,
    *,
    confirmed_by: str,
    date: dt.date,
    source: str | None = None,
    note: str | None = None,
) -> Outcome:
    """Record a list's right of reply: its pledges confirmed by `confirmed_by` on `date`."""
    fact = _fact({"confirmed_by": confirmed_by, "date": date, "source": source, "note": note})
    return _set_list_key(directory, list_id, "reply", fact)


def merge(
    directory: Path,
    list_id: str,
    parts: Sequence[str],
    *,
    date: dt.date,
    name: str | None = None,
    round: int | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Outcome:
    """Record that `list_id` is the merger of `parts`: `merged_from: {lists, date, round, …}`.

    An existing list gains (or has replaced) its `merged_from`; a new one is created, with
    `name` and no pledges of its own, after the lists of the file that holds the first part.
    The rules of a merger (known parts, none merged twice, no cycle…) are those of `validate`:
    a write that breaks one is refused with its diagnostics.
    """
    fact = _fact({"lists": list(parts), "date": date, "round": round, "source": source, "note": note})
    with Session(directory) as session:
        loaded = session.loaded
        if loaded.part_of_list(list_id) is None:
            for part in parts:
                _find_list(loaded, part)
            if not name:
                raise EditError(
                    _("la liste « {id} » n’existe pas : donnez son nom pour la créer (--nom)").format(id=list_id)
                )
            file_name, _i = _find_list(loaded, parts[0]) if parts else (COMMITMENTS_FILE, 0)
            document = session._document(file_name)
            commitments = CommentedSeq()
            commitments.fa.set_flow_style()
            append_item(
                document.data["lists"],
                CommentedMap([("id", list_id), ("name", name), ("merged_from", fact), ("commitments", commitments)]),
            )
            session._write({file_name: document.text()})
            return Outcome(changed=True, file=file_name)
    return _set_list_key(directory, list_id, "merged_from", fact)


# --- Canonical layout -------------------------------------------------------------------------


def _reorder(node: CommentedMap, order: list[str], before_node: Callable[[str], None]) -> None:
    """Sort a mapping's keys as `order` lists them (others last), moving comments with their key.

    The lines before a key travel with it. `before_node` places the lines of a key that becomes
    first, above the mapping.
    """
    keys = list(node)
    wanted = sorted(keys, key=lambda k: order.index(k) if k in order else len(order))
    if wanted == keys:
        return
    tails = {key: _tail(node, key) for key in keys}
    own: dict[str, str] = {}
    gaps: dict[str, str] = {}
    for key in keys:
        own[key], gaps[key] = _split_rest(_take_rest(tails[key]), _column(node, key))
    before = {keys[i + 1]: gaps[keys[i]] for i in range(len(keys) - 1)}
    for key in wanted:
        node.move_to_end(key)
    if before.get(wanted[0]):
        before_node(before[wanted[0]])
    for key, following in pairwise(wanted):
        _give_rest(tails[key], own[key] + before.get(following, ""))
    _give_rest(tails[wanted[-1]], own[wanted[-1]] + gaps[keys[-1]])


def _sort_keys(node: Any, model: type[BaseModel] | None, lines: list[str], before_node: Callable[[str], None]) -> None:
    """Put every mapping's keys in the order its model declares its fields."""
    if isinstance(node, CommentedSeq):
        for i, item in enumerate(node):

            def above_item(text: str, i: int = i) -> None:
                # Above the dash, and aligned with it rather than with the keys.
                dash = " " * (_dash_column(node, i, lines) or 0)
                parts = text.splitlines(keepends=True)
                _give_before(node, i, "".join(dash + line.lstrip(" ") if line.strip() else line for line in parts))

            _sort_keys(item, model, lines, above_item)
    elif isinstance(node, CommentedMap) and model is not None:
        fields = model.model_fields
        for key, value in node.items():
            info = fields.get(key)

            def above_first_key(text: str, value: Any = value) -> None:
                _give_before(value, next(iter(value)), text)

            _sort_keys(value, field_model(info.annotation) if info else None, lines, above_first_key)
        _reorder(node, list(fields), before_node)


def _column_map(data: CommentedMap, lines: list[str]) -> dict[int, int]:
    """For each indentation column of the file as read, the column it has in the canonical layout.

    Learnt from where keys and dashes were and where they go; a file with mixed indentation
    gets each old column's most frequent new one.
    """
    votes: defaultdict[int, Counter[int]] = defaultdict(Counter)

    def mapping(node: CommentedMap, column: int) -> None:
        for key, value in node.items():
            at = _position(node, key)
            if at is not None:
                votes[at[1]][column] += 1
            if _block(value) and isinstance(value, CommentedMap):
                mapping(value, column + CANONICAL.mapping)
            elif _block(value) and isinstance(value, CommentedSeq):
                sequence(value, column + CANONICAL.offset)

    def sequence(seq: CommentedSeq, dash: int) -> None:
        for i, item in enumerate(seq):
            old = _dash_column(seq, i, lines)
            if old is not None:
                votes[old][dash] += 1
            content = dash + CANONICAL.sequence - CANONICAL.offset
            if _block(item) and isinstance(item, CommentedMap):
                mapping(item, content)
            elif _block(item) and isinstance(item, CommentedSeq):
                sequence(item, content)

    mapping(data, 0)
    return {old: counts.most_common(1)[0][0] for old, counts in votes.items()}


def _reindent_comments(data: CommentedMap, columns: dict[int, int], lines: list[str]) -> None:
    """Move comments with the lines they belong to when the indentation changes.

    A full-line comment takes the new column of the column it was at (the keys or dashes it
    was aligned with); an end-of-line comment moves as far as its line's content does, so
    comments aligned with one another in a block stay aligned.
    """

    def move(line: str) -> str:
        stripped = line.lstrip(" ")
        if not stripped.startswith("#"):
            return line
        column = len(line) - len(stripped)
        return " " * columns.get(column, column) + stripped

    def shift(line: str) -> int:
        # The line's content starts after its indentation and any "- " of sequence items.
        indent = len(line) - len(line.lstrip(" "))
        content = indent
        while line.startswith("- ", content):
            content += 2
            content = len(line) - len(line[content:].lstrip(" "))
        if content in columns:
            return columns[content] - content
        return columns.get(indent, indent) - indent

    for token in _tokens(data):
        first, newline, rest = token.value.partition("\n")
        mark = token.start_mark
        line = getattr(mark, "line", None)
        if first.startswith("#"):
            # A token without a line was made by `_give_before`: a comment on its own line.
            if line is None or not lines[line][: mark.column].strip():
                column = columns.get(mark.column, mark.column)
            else:
                column = mark.column + shift(lines[line])
            # The emitter reads only the column; ruamel marks the comments it makes the same way.
            token.start_mark = CommentMark(column)  # type: ignore[assignment]
        if rest:
            token.value = first + newline + "".join(move(part) for part in rest.splitlines(keepends=True))


def _ensure_modeline(data: CommentedMap, line: str) -> None:
    """Make the editor's schema comment the first line, adding it when the file has none."""
    if data.ca.comment is None:
        data.ca.comment = [None, []]
    if data.ca.comment[1] is None:
        data.ca.comment[1] = []
    leading: list[CommentToken] = data.ca.comment[1]
    for i, token in enumerate(leading):
        if token.value.startswith("# yaml-language-server:"):
            leading.insert(0, leading.pop(i))
            return
    leading.insert(0, CommentToken(line, CommentMark(0)))


def _one_line_texts(node: Any) -> None:
    """Write every text on one line, with the same value: a block scalar (`|`, `>`) becomes a
    double-quoted text (its line breaks as `\\n`). A text folded over several lines (plain or
    quoted) already reads as one line from the parser, and is written so."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(node, CommentedMap):
        items = list(node.items())
    elif isinstance(node, CommentedSeq):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        if isinstance(value, LiteralScalarString | FoldedScalarString):
            # Always a ScalarString: ruamel keeps a block style on a plain `str` assigned over it.
            node[key] = DoubleQuotedScalarString("".join(value))
        else:
            _one_line_texts(value)


def canonical_text(document: Document, model: type[BaseModel], name: str | None = None) -> str:
    """The canonical layout of a data file (the document is rearranged in place).

    Keys in the order the model declares its fields; block indentation mapping 2, sequence 4,
    offset 2; the `# yaml-language-server` line first (added for `name`, the file's path relative
    to the data directory, when absent); comments kept, full-line ones re-aligned.
    Every text is on one line, never folded, block scalars (`|`, `>`) included, with the same
    value: a pledge's text is one line of a diff, and the line numbers in diagnostics do not
    move when a text is edited.
    """
    lines = document.lines
    columns = _column_map(document.data, lines)
    # Sort first: telling which comments belong to which key relies on the columns as read.
    _sort_keys(document.data, model, lines, lambda text: _give_before(document.data, next(iter(document.data)), text))
    _reindent_comments(document.data, columns, lines)
    _ensure_modeline(document.data, modeline(name or document.path.name))
    _one_line_texts(document.data)
    return dump(document.data, CANONICAL)


def fmt(directory: Path, *, check_only: bool = False) -> list[Path]:
    """Put every data file in the canonical layout (see `canonical_text`): `requests.yaml` and
    the files that hold lists (`commitments.yaml`, `lists/*.yaml`).

    Returns the files that changed, or with `check_only` the files that would change (nothing
    is written then, and no lock is taken). Refuses invalid data.
    """
    with nullcontext() if check_only else data_lock(directory):
        changes = _canonical_changes(directory)
        if changes and not check_only:
            write_checked(
                directory,
                {n: new for n, (_old, new, _c) in changes.items()},
                {n: c for n, (_o, _n, c) in changes.items()},
            )
        return [directory / name for name in changes]


def _canonical_changes(directory: Path) -> dict[str, tuple[str, str, Counter[str]]]:
    """The data files not in canonical layout, by name relative to `directory`: their text
    now, their canonical text, and the comment lines it must keep. Refuses invalid data."""
    loaded = load_valid(directory)
    changes: dict[str, tuple[str, str, Counter[str]]] = {}
    files: list[tuple[str, type[BaseModel]]] = [(REQUESTS_FILE, RequestsFile)]
    files += [(part.name, CommitmentsFile) for part in loaded.parts]
    for name, model in files:
        document = read_document(directory / name)
        text = canonical_text(document, model, name)
        if text.encode("utf-8") != document.raw:
            changes[name] = (document.raw.decode("utf-8"), text, comment_lines(document.data))
    return changes


def fmt_diff(directory: Path) -> str:
    """What `fmt` would change, as a unified diff (file names relative to `directory`); empty
    when every file is canonical. Writes nothing, takes no lock. Refuses invalid data."""
    out: list[str] = []
    for name, (old, new, _comments) in _canonical_changes(directory).items():
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), name, name)
        out += [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    return "".join(out)
