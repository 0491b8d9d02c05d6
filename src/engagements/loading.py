"""Reading the data files: bytes to YAML to pydantic models, keeping every position.

Nothing here prints or exits. Each problem becomes a `Diagnostic` naming the file, the 1-based
line and column, and what to do about it; loading goes on as far as it can so that all
problems of a file are reported at once.

Reads go through libyaml (PyYAML's C parser) when it is installed, about 30 times faster than
ruamel.yaml's round-trip parser, and through PyYAML's pure-Python parser otherwise: both give
the same events, and this module builds plain data and a tree of positions from them itself,
so that the refusals (duplicate keys, aliases, merge keys, tags, depth) are decided here, the
same way on both paths, and never by a loader that would silently accept them. ruamel.yaml's
round trip is only for writing (see `editing.py`); `YamlFile.document` parses it on demand.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, did_you_mean
from .i18n import N_, _
from .models import CommitmentsFile, Dataset, RecordFile, RequestsFile, field_model
from .paths import COMMITMENTS_FILE, REQUESTS_FILE, commitment_names, display_path, is_part_name, record_names
from .reading import ReadRefused, max_bytes, read_bounded

__all__ = ["Loaded", "YamlFile", "display_path", "load_directory", "load_file", "max_bytes", "parse_yaml"]

MAX_NODES = 5_000_000
MAX_DEPTH = 64
# A syntax error's message is taken from the pure-Python parser (its wording is the one the
# diagnostics have always had) when the error is within this many characters of the start.
PURE_MESSAGE_LIMIT = 4 * 1024 * 1024

Path_ = tuple[str | int, ...]


def c_parser_available() -> bool:
    """Whether libyaml is there; `ENGAGEMENTS_PURE_YAML=1` forces the pure-Python parser."""
    if os.environ.get("ENGAGEMENTS_PURE_YAML"):
        return False
    try:
        from yaml import CSafeLoader  # noqa: F401
    except ImportError:
        return False
    return True


class _At:
    """Where a container is, and where each of its entries is.

    `entries` maps a key to (key line, key col, value) in a mapping, or lists the values of a
    sequence; a value is a (line, col) pair for a scalar, or another `_At`. Lines and columns
    are 1-based.
    """

    __slots__ = ("col", "entries", "line")

    def __init__(self, line: int, col: int, entries: dict[str, tuple[int, int, Any]] | list[Any]) -> None:
        self.line, self.col, self.entries = line, col, entries


def _where(entry: Any) -> tuple[int, int]:
    return (entry.line, entry.col) if isinstance(entry, _At) else entry


@dataclass
class YamlFile:
    """One parsed YAML file: its plain data, and where each node of it is."""

    path: Path
    name: str
    data: Any = None
    root: Any = None
    text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int | None, col: int | None, message: str, code: str) -> None:
        self.diagnostics.append(Diagnostic(self.name, line, col, message, code))

    @cached_property
    def document(self) -> Any:
        """The file's ruamel.yaml round-trip document (parsed on first use, for writes), or None."""
        if self.data is None or self.text is None:
            return None
        from ruamel.yaml import YAML

        return YAML(typ="rt").load(self.text)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the node at `path`, or of its nearest existing ancestor.

        With `key=True`, the position of the last mapping key rather than its value.
        """
        node = self.root
        line, col = _where(node) if node is not None else (1, 1)
        for i, step in enumerate(path):
            if not isinstance(node, _At):
                break
            entries = node.entries
            if isinstance(entries, dict) and isinstance(step, str) and step in entries:
                key_line, key_col, node = entries[step]
                line, col = (key_line, key_col) if (key and i == len(path) - 1) else _where(node)
            elif isinstance(entries, list) and isinstance(step, int) and 0 <= step < len(entries):
                node = entries[step]
                line, col = _where(node)
            else:
                break
        return line, col


# YAML 1.2 core schema, as ruamel.yaml resolves plain scalars (so `yes` and `on` stay texts).
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_TIMESTAMP = re.compile(
    r"""^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})
    (?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?
    (?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$""",
    re.X,
)
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


class _BadDate(ValueError):
    pass


def _int(value: str) -> int:
    text = value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


def _float(value: str) -> float:
    text = value.replace("_", "").lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


def _timestamp(value: str) -> dt.date | dt.datetime | None:
    """A date or a date and time; None when `value` does not look like one; _BadDate if impossible."""
    match = _DATE.match(value)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _TIMESTAMP.match(value)
        if not match:
            return None
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        fraction = int((match[7] or "0")[:6].ljust(6, "0"))
        zone = None
        if match[8] == "Z":
            zone = dt.UTC
        elif match[8]:
            hours, _sep, minutes = match[8][1:].partition(":")
            delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
            zone = dt.timezone(-delta if match[8][0] == "-" else delta)
        return dt.datetime(year, month, day, hour, minute, second, fraction, tzinfo=zone)
    except ValueError:
        raise _BadDate(value) from None


def _resolve(value: str) -> tuple[str, Any]:
    """The core tag and the Python value of a plain scalar."""
    first = value[:1]
    if first in "tTfF" and _BOOL.match(value):
        return "bool", value[0] in "tT"
    if first in "-+0123456789" and _INT.match(value):
        try:
            return "int", _int(value)
        except ValueError:
            return "str", value
    if first in "-+0123456789." and _FLOAT.match(value):
        try:
            return "float", _float(value)
        except ValueError:
            return "str", value
    if first in "~nN" and _NULL.match(value):
        return "null", None
    if first.isdigit():
        found = _timestamp(value)
        if found is not None:
            return "timestamp", found
    return "str", value


# A plain scalar starting with none of these is a text in the core schema (no regex needed).
_MAY_RESOLVE = frozenset("tTfFnN~-+.0123456789")


def _needs_resolving(event: Any) -> bool:
    """Whether an untagged scalar event may be something other than its text."""
    if not event.implicit[0]:
        return False  # quoted or block: a text
    value = event.value
    return not value or value[0] in _MAY_RESOLVE


class _Stop(Exception):
    """A refusal after which the rest of the file is not read (aliases, depth, size)."""


class _Composer:
    """Builds plain data and its positions from YAML events, refusing what the data must not use.

    Refusals that leave the rest of the file readable (duplicate keys, merge keys, tags,
    impossible dates, non-text keys) are all reported; aliases, excessive depth or size stop
    the reading at once (an alias can make a tiny file expand to gigabytes).
    """

    def __init__(self, source: YamlFile, get_event: Any) -> None:
        self.source = source
        self.get_event = get_event
        self.nodes = 0
        self.refused = False
        import yaml

        self.events = yaml.events

    def refuse(self, line: int, col: int, message: str, code: str) -> None:
        self.refused = True
        self.source.error(line, col, message, code)

    def stop(self, line: int, col: int, message: str, code: str) -> None:
        self.refuse(line, col, message, code)
        raise _Stop

    def alias(self, line: int, col: int) -> None:
        self.stop(
            line, col, _("alias YAML (*…) : les ancres et alias ne sont pas acceptés, recopiez la valeur"), "alias"
        )

    def node(self, event: Any, depth: int, alias_at: tuple[int, int]) -> tuple[Any, Any]:
        """The value and position entry of the node starting with `event`.

        `alias_at` is where an alias found here is reported: its key in a mapping, the flow
        sequence that holds it, or the alias itself.
        """
        ev = self.events
        mark = event.start_mark
        line, col = mark.line + 1, mark.column + 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.stop(line, col, _("trop d’éléments (plus de {n})").format(n=MAX_NODES), "too-large")
        cls = event.__class__
        if cls is ev.ScalarEvent:
            return self.scalar(event, line, col), (line, col)
        if cls is ev.AliasEvent:
            self.alias(*alias_at)
        if depth >= MAX_DEPTH:
            self.stop(line, col, _("imbrication trop profonde (plus de {n} niveaux)").format(n=MAX_DEPTH), "too-deep")
        self.check_tag(event.tag, "seq" if cls is ev.SequenceStartEvent else "map", line, col)
        if cls is ev.SequenceStartEvent:
            return self.sequence(event, depth, line, col)
        return self.mapping(depth, line, col)

    def check_tag(self, tag: str | None, kind: str, line: int, col: int) -> None:
        if tag is None or tag == "!" or tag == f"{_CORE}{kind}":
            return
        shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
        self.refuse(
            line,
            col,
            _("étiquette YAML « {tag} » non acceptée : retirez-la").format(tag=shown),
            "tag",
        )

    def scalar(self, event: Any, line: int, col: int) -> Any:
        value, tag = event.value, event.tag
        if tag in (None, "!") or tag == f"{_CORE}str":
            if tag is not None or not event.implicit[0]:
                return value  # quoted, a block scalar, or tagged as a text
            kind, result = self.resolve(value, line, col)
            return result
        if tag in _SCALAR_TAGS:
            kind, result = self.resolve(value, line, col)
            if f"{_CORE}{kind}" == tag:
                return result
            shown = "!!" + tag[len(_CORE) :]
            self.refuse(
                line,
                col,
                _("valeur {value!r} incompatible avec l’étiquette YAML « {tag} »").format(value=value, tag=shown),
                "tag",
            )
            return None
        self.check_tag(tag, "str", line, col)
        return None

    def resolve(self, value: str, line: int, col: int) -> tuple[str, Any]:
        try:
            return _resolve(value)
        except _BadDate:
            self.refuse(
                line,
                col,
                _(
                    "date impossible « {value} » : ce jour n’existe pas (attendu AAAA-MM-JJ ; "
                    "mettez-la entre guillemets si c’est un texte)"
                ).format(value=value),
                "bad-date",
            )
            return "timestamp", value

    def sequence(self, start: Any, depth: int, line: int, col: int) -> tuple[list[Any], _At]:
        scalar_event, end_event = self.events.ScalarEvent, self.events.SequenceEndEvent
        values: list[Any] = []
        entries: list[Any] = []
        get = self.get_event
        flow = start.flow_style
        while True:
            event = get()
            cls = event.__class__
            if cls is end_event:
                return values, _At(line, col, entries)
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
            if cls is scalar_event and event.tag is None and not _needs_resolving(event):
                # The common case, inline: a text (quoted, block, or plain and plainly a text).
                self.nodes += 1
                values.append(event.value)
                entries.append(at)
                continue
            # In a flow sequence, an alias is reported where the sequence starts (one line).
            value, entry = self.node(event, depth + 1, (line, col) if flow else at)
            values.append(value)
            entries.append(entry)

    def mapping(self, depth: int, line: int, col: int) -> tuple[dict[str, Any], _At]:
        scalar_event, end_event = self.events.ScalarEvent, self.events.MappingEndEvent
        values: dict[str, Any] = {}
        entries: dict[str, tuple[int, int, Any]] = {}
        get = self.get_event
        while True:
            event = get()
            if event.__class__ is end_event:
                return values, _At(line, col, entries)
            mark = event.start_mark
            key_line, key_col = mark.line + 1, mark.column + 1
            plain_key = event.__class__ is scalar_event and event.tag is None
            key = event.value if plain_key else self.key(event, depth, key_line, key_col)
            value_event = get()
            if key == "<<" and plain_key and event.implicit[0]:
                self.refuse(
                    key_line,
                    key_col,
                    _("clé de fusion YAML « << » non acceptée : recopiez les clés voulues dans la table"),
                    "merge-key",
                )
                if value_event.__class__ is not self.events.AliasEvent:
                    self.node(value_event, depth + 1, (key_line, key_col))
                continue
            if value_event.__class__ is scalar_event and value_event.tag is None and not _needs_resolving(value_event):
                self.nodes += 1
                mark = value_event.start_mark
                value, entry = value_event.value, (mark.line + 1, mark.column + 1)
            else:
                value, entry = self.node(value_event, depth + 1, (key_line, key_col))
            if key is None:
                continue
            if key in entries:
                self.refuse(
                    key_line,
                    key_col,
                    _("clé en double « {key} »{first} : chaque clé ne doit apparaître qu’une fois").format(
                        key=key, first=f" ({_('déjà définie ligne')} {entries[key][0]})"
                    ),
                    "duplicate-key",
                )
                continue
            values[key] = value
            entries[key] = (key_line, key_col, entry)

    def key(self, event: Any, depth: int, line: int, col: int) -> str | None:
        """A mapping key as written (`1:` is the key "1"); None for a key that is not a text."""
        ev = self.events
        if event.__class__ is ev.ScalarEvent:
            if event.tag not in (None, "!", f"{_CORE}str"):
                self.check_tag(event.tag, "str", line, col)
                return None
            return str(event.value)
        if event.__class__ is ev.AliasEvent:
            self.alias(line, col)
        self.refuse(line, col, _("clé qui n’est pas un texte : une clé doit être un simple mot"), "bad-key")
        self.node(event, depth + 1, (line, col))
        return None

    def document(self) -> tuple[Any, Any] | None:
        """The single document of the stream (None for an empty file)."""
        ev = self.events
        get = self.get_event
        get()  # StreamStartEvent
        event = get()
        if event.__class__ is ev.StreamEndEvent:
            return None
        value, entry = self.node(get(), 0, (1, 1))
        get()  # DocumentEndEvent
        event = get()
        if event.__class__ is ev.DocumentStartEvent:
            mark = event.start_mark
            self.refuse(
                mark.line + 1,
                mark.column + 1,
                _("plusieurs documents YAML (« --- ») dans le fichier : un seul est attendu"),
                "syntax",
            )
        return value, entry


# Characters YAML does not allow in a stream (it reads only printable Unicode).
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _yaml_message(exc: Any, text: str = "") -> str:
    """The parser's complaint in plain French (see `yaml_french`)."""
    from .yaml_french import explain

    mark = exc.problem_mark
    found = None
    if mark is not None and mark.index is not None and 0 <= mark.index < len(text):
        found = text[mark.index]
    stop_line = None
    problem = exc.problem
    opened = _open_flow(exc, text)
    if opened is not None:
        # Reported as the bracket it is (the parser only says a value was expected at the end).
        problem = "expected ',' or ']'" if opened[2] == "[" else "expected ',' or '}'"
        stop_line = _stop_position(exc, text)[0]
        if stop_line == opened[0]:
            stop_line = None
    elif _unclosed(exc, text):
        stop_line = _stop_position(exc, text)[0]
        if stop_line == exc.context_mark.line + 1:
            stop_line = None  # the position already says it
    return explain(problem, exc.context, stop_line, found)


def _open_flow(exc: Any, text: str) -> tuple[int, int, str] | None:
    """The innermost `[` or `{` still open when the parser met the end of the file where a value
    of a flow collection was expected (`[`, `[a,`, `{a: b,`): its line, column and character.

    The parser reports that at the end of the file, possibly lines after the bracket, which is
    the offending token. Found by scanning the tokens again (the error path only, small files).
    """
    if "while parsing a flow node" not in str(exc.context or ""):
        return None
    mark = exc.problem_mark
    at_end = mark is not None and mark.index is not None and mark.index >= len(text)
    if not at_end and "stream end" not in str(exc.problem or ""):  # libyaml: at the end; PyYAML: says so
        return None
    if len(text) > PURE_MESSAGE_LIMIT:
        return None
    import yaml

    scanner = yaml.SafeLoader(text)
    opened: list[Any] = []
    try:
        while True:
            token = scanner.get_token()
            if token is None or isinstance(token, yaml.StreamEndToken):
                break
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                opened.append(token)
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and opened:
                opened.pop()
    except yaml.YAMLError:
        return None
    finally:
        scanner.dispose()
    if not opened:
        return None
    mark = opened[-1].start_mark
    return mark.line + 1, mark.column + 1, "[" if isinstance(opened[-1], yaml.FlowSequenceStartToken) else "{"


def _unclosed(exc: Any, text: str) -> bool:
    """Whether the error is a quote or a bracket left open: then its opening is the offending token.

    A quote left open swallows what follows until the end of the file; a bracket left open is
    only noticed where a token cannot be inside it, lines later. A bracket that meets a wrong
    closing sign on its own line (`[a, b}`) is not unclosed: the wrong sign is the culprit.
    """
    start, mark, context = exc.context_mark, exc.problem_mark, str(exc.context or "")
    if start is None or mark is None:
        return False
    if "while scanning a quoted scalar" in context:
        return "end of stream" in str(exc.problem or "")
    if "while parsing a flow sequence" in context or "while parsing a flow mapping" in context:
        return mark.index is None or mark.index >= len(text) or mark.line > start.line or "stream end" in str(exc.problem)
    return False


def _stop_position(exc: Any, text: str) -> tuple[int, int]:
    """Where the parser gave up (libyaml puts the end of a file without a final LF on a line after it)."""
    mark = exc.problem_mark or exc.context_mark
    if mark.index is not None and mark.index >= len(text):
        return _end_position(text)
    return mark.line + 1, mark.column + 1


def _yaml_position(exc: Any, text: str) -> tuple[int | None, int | None]:
    """Where a syntax error is reported: the offending token.

    That is where the parser stopped, except for an unclosed quote or bracket (reported at its
    opening: see `_unclosed`) and a word that should have been a key (shown where it is, not
    where the parser gave up on it).
    """
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None, None
    opened = _open_flow(exc, text)
    if opened is not None:
        return opened[0], opened[1]
    start, context = exc.context_mark, str(exc.context or "")
    if _unclosed(exc, text) or (start is not None and "while scanning a simple key" in context):
        if start.index is not None and start.index >= len(text):
            return _end_position(text)
        return start.line + 1, start.column + 1
    return _stop_position(exc, text)


def _end_position(text: str) -> tuple[int, int]:
    """The (line, col) just after the last character, lines counted as YAML counts them."""
    if _OTHER_BREAK.search(text) is None:
        return text.count("\n") + 1, len(text) - (text.rfind("\n") + 1) + 1
    last = 0
    count = 0
    for count, found in enumerate(_YAML_BREAK.finditer(text), 1):  # noqa: B007
        last = found.end()
    return count + 1, len(text) - last + 1


def _events(text: str, pure: bool) -> Any:
    import yaml

    if not pure:
        from yaml import CSafeLoader

        return CSafeLoader(text)
    return yaml.SafeLoader(text)


def _replay(result: YamlFile, text: str, c_error: Any) -> bool:
    """Redo a file that libyaml refused with the pure-Python parser, up to a few lines past the error.

    The diagnostics then have the wording they have always had, and the same positions on both
    paths (libyaml also stops at its own depth limit, deeper than ours). They are kept only
    when the pure-Python parser finds no problem past libyaml's line, and its syntax error, if
    any, on libyaml's line.
    """
    mark = c_error.problem_mark or c_error.context_mark
    if mark is None or mark.index is None or mark.index > PURE_MESSAGE_LIMIT:
        return False
    end = mark.index
    for _i in range(3):
        next_break = text.find("\n", end)
        if next_break < 0:
            end = len(text)
            break
        end = next_break + 1
    again = YamlFile(path=result.path, name=result.name)
    _compose(again, text[:end], pure=True)
    if not again.diagnostics or any(d.line is None or d.line > mark.line + 1 for d in again.diagnostics):
        return False
    # A syntax error must be libyaml's own (the pure-Python parser is stricter on tabs, say).
    c_line = _yaml_position(c_error, text)[0]
    if any(d.code == "syntax" and d.line != c_line for d in again.diagnostics):
        return False
    result.diagnostics[:] = again.diagnostics
    return True


def _compose(result: YamlFile, text: str, pure: bool) -> None:
    import yaml

    loader = _events(text, pure)
    composer = _Composer(result, loader.get_event)
    try:
        document = composer.document()
    except _Stop:
        return
    except yaml.MarkedYAMLError as exc:
        if pure or not _replay(result, text, exc):
            result.error(*_yaml_position(exc, text), _yaml_message(exc, text), "syntax")
        return
    except yaml.YAMLError as exc:
        result.error(None, None, _("erreur de syntaxe YAML : {e}").format(e=exc), "syntax")
        return
    finally:
        loader.dispose()
    if document is None:
        result.error(1, 1, _("fichier vide : il doit contenir des données YAML"), "empty")
        return
    if composer.refused:
        return
    result.data, result.root = document


def parse_yaml(path: Path, name: str | None = None, *, pure: bool | None = None) -> YamlFile:
    """Read and parse one YAML file; problems are collected in `.diagnostics`.

    `pure` chooses the parser (default: libyaml when installed); both give the same results.
    """
    result = YamlFile(path=path, name=name or display_path(path))
    try:
        raw = read_bounded(path)
    except ReadRefused as refused:
        result.error(None, None, refused.message, refused.code)
        return result
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        result.error(
            line,
            col,
            _("le fichier n’est pas en UTF-8 (octet 0x{byte:02x}) : réenregistrez-le en UTF-8").format(
                byte=raw[exc.start]
            ),
            "encoding",
        )
        return result
    del raw
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        if bad.group() == "\x00":
            result.error(line, col, _("caractère NUL : ce fichier n’est pas du texte"), "encoding")
            return result
        result.error(
            line,
            col,
            _("caractère invisible ou de contrôle U+{code:04X} interdit en YAML : supprimez-le").format(
                code=ord(bad.group())
            ),
            "control-char",
        )
        return result
    result.text = text
    try:
        _compose(result, text, pure=not c_parser_available() if pure is None else pure)
    except RecursionError:  # the depth limit is far below Python's: a guard, not a path
        result.error(None, None, _("imbrication trop profonde"), "too-deep")
    _renumber(result, text)
    return result


# YAML also breaks lines at NEL, LS, PS and a lone CR; editors, grep and git count LF only.
_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_OTHER_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def _renumber(result: YamlFile, text: str) -> None:
    """Give positions as lines separated by LF, where the parser counted other breaks too."""
    if _OTHER_BREAK.search(text) is None:
        return
    yaml_starts = [0, *(m.end() for m in _YAML_BREAK.finditer(text))]
    lf_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def move(line: int, col: int) -> tuple[int, int]:
        index = yaml_starts[min(line, len(yaml_starts)) - 1] + col - 1
        row = bisect.bisect_right(lf_starts, index)
        return row, index - lf_starts[row - 1] + 1

    def walk(entry: Any) -> Any:
        if not isinstance(entry, _At):
            return move(*entry)
        entry.line, entry.col = move(entry.line, entry.col)
        if isinstance(entry.entries, dict):
            entry.entries = {k: (*move(kl, kc), walk(v)) for k, (kl, kc, v) in entry.entries.items()}
        else:
            entry.entries = [walk(v) for v in entry.entries]
        return entry

    if result.root is not None:
        result.root = walk(result.root)
    result.diagnostics[:] = [
        replace(d, line=(moved := move(d.line, d.col or 1))[0], col=moved[1] if d.col is not None else None)
        if d.line is not None
        else d
        for d in result.diagnostics
    ]


_TYPE_NAMES = {
    "string_type": N_("un texte"),
    "list_type": N_("une liste"),
    "dict_type": N_("une table (clé : valeur)"),
    "model_type": N_("une table (clé : valeur)"),
    "model_attributes_type": N_("une table (clé : valeur)"),
    "int_type": N_("un nombre entier"),
    "int_parsing": N_("un nombre entier"),
    "int_from_float": N_("un nombre entier"),
    "bool_type": N_("vrai ou faux"),
    "date_type": N_("une date AAAA-MM-JJ"),
    "date_parsing": N_("une date AAAA-MM-JJ"),
    "date_from_datetime_parsing": N_("une date AAAA-MM-JJ"),
    "date_from_datetime_inexact": N_("une date AAAA-MM-JJ"),
}


def _field_label(loc: Path_) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    return names[-1] if names else "document"


def _describe(error: Any, model: type[BaseModel], loc: Path_) -> tuple[str, str]:
    """A French message and a code for one pydantic error."""
    kind = error["type"]
    label = _field_label(loc)
    if kind == "missing":
        return "missing-field", _("champ obligatoire « {field} » manquant").format(field=label)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = did_you_mean(label, allowed) or _(" ; clés permises : {keys}").format(keys=", ".join(allowed))
        return "unknown-field", _("clé inconnue « {field} »").format(field=label) + hint
    if kind == "string_pattern_mismatch":
        return "bad-id", _(
            "« {field} » : identifiant invalide {value!r} (lettres, chiffres, « . », « _ », « - » seulement)"
        ).format(field=label, value=error.get("input"))
    if kind in ("string_too_short", "too_short"):
        return "empty", _("« {field} » ne doit pas être vide").format(field=label)
    if kind == "string_too_long":
        return "too-long", _("« {field} » est trop long").format(field=label)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        # pydantic says "'a', 'b' or 'c'": the choices, in the user's words, and the closest one
        choices = re.findall(r"'([^']*)'", expected)
        if choices:
            expected = ", ".join(f"'{c}'" for c in choices)
        value = error.get("input")
        hint = did_you_mean(value.lower(), choices) if isinstance(value, str) and choices else ""
        return "bad-value", _("« {field} » : valeur {value!r} invalide, attendu : {expected}").format(
            field=label, value=value, expected=expected
        ) + hint
    if kind == "greater_than_equal":
        return "bad-value", _("« {field} » doit être supérieur ou égal à {n}").format(
            field=label, n=error.get("ctx", {}).get("ge")
        )
    if kind in _TYPE_NAMES:
        return "wrong-type", _("« {field} » doit être {what}").format(field=label, what=_(_TYPE_NAMES[kind]))
    return "invalid", f"« {label} » : {error['msg']}"


def _allowed_keys(model: type[BaseModel], loc: Path_) -> list[str]:
    """The keys a mapping at `loc` may hold, found by walking the model's fields."""
    current: Any = model
    for step in loc:
        if isinstance(step, int) or current is None:
            continue
        info = current.model_fields.get(step) if hasattr(current, "model_fields") else None
        current = field_model(info.annotation) if info else None
    if current is None or not hasattr(current, "model_fields"):
        return []
    return list(current.model_fields)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    """Drop the tags pydantic adds inside unions and validators (they are not data keys)."""
    return tuple(
        p
        for p in loc
        if isinstance(p, int) or not (p.startswith("function-") or p in ("str", "Decision", "constrained-str"))
    )


def _hinted_keys(model: type[BaseModel], loc: Path_) -> list[str]:
    """The allowed keys an unknown key at `loc` is a likely misspelling of (the "did you mean")."""
    from .diagnostics import closest

    key = loc[-1] if loc else None
    if not isinstance(key, str):
        return []
    best = closest(key, _allowed_keys(model, loc[:-1]))
    return [best] if best is not None else []


def validate_model(source: YamlFile, model: type[BaseModel], data: Any) -> BaseModel | None:
    """Validate plain data against `model`, turning each pydantic error into a positioned diagnostic."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        seen: set[tuple[Path_, str]] = set()
        errors = exc.errors()
        # A misspelled key is one mistake: "clé inconnue « titel » ; vouliez-vous dire « title » ?"
        # says it all, so the "champ obligatoire « title » manquant" it causes is not repeated.
        misspelled = {
            (_clean_loc(tuple(e["loc"]))[:-1], hint)
            for e in errors
            if e["type"] == "extra_forbidden"
            for hint in _hinted_keys(model, _clean_loc(tuple(e["loc"])))
        }
        for error in errors:
            loc = _clean_loc(tuple(error["loc"]))
            if error["type"] == "missing" and loc and (loc[:-1], loc[-1]) in misspelled:
                continue
            code, message = _describe(error, model, loc)
            if (loc, code) in seen:
                continue
            seen.add((loc, code))
            if code == "missing-field":
                line, col = source.position(loc[:-1])
            else:
                line, col = source.position(loc, key=code == "unknown-field")
            source.error(line, col, message, code)
        return None


def load_file(path: Path, model: type[BaseModel], top_key: str, name: str | None = None) -> tuple[YamlFile, Any]:
    """Parse and validate one data file. Returns the file and the model (or None)."""
    source = parse_yaml(path, name)
    if source.root is None:
        return source, None
    if not isinstance(source.data, dict):
        source.error(
            1,
            1,
            _("le document doit être une table avec une clé « {key}: » au premier niveau").format(key=top_key),
            "wrong-top-level",
        )
        return source, None
    return source, validate_model(source, model, source.data)


@dataclass
class Part:
    """One file that holds lists: `commitments.yaml` or one of `lists/*.yaml`.

    `name` is its path relative to the data directory, with "/" (the key of `overrides`, and of
    the edits that write it); `model` is None when the file is invalid.
    """

    name: str
    file: YamlFile
    model: CommitmentsFile | None


@dataclass
class RecordPart:
    """One file of `record/`: its name relative to the data directory, the parsed file, and its
    model (None when the file is invalid)."""

    name: str
    file: YamlFile
    model: RecordFile | None


@dataclass
class Loaded:
    """A data directory after loading: the models when valid, every diagnostic, the parsed files.

    `commitments_file` and `commitments` are the first file that holds lists and, when every such
    file is valid, all their lists and sources together (in file order); `parts` has each file.
    """

    directory: Path
    dataset: Dataset | None
    diagnostics: list[Diagnostic]
    requests_file: YamlFile
    commitments_file: YamlFile
    # Each file's model on its own, so that a valid file is still checked when the other is not.
    requests: RequestsFile | None = None
    commitments: CommitmentsFile | None = None
    parts: list[Part] = field(default_factory=list)
    # `record/*.yaml`, when asked for (`load_directory(record=True)`); `record` is all their
    # actions and sources together when every one is valid (empty when there is none), else None.
    records: list[RecordPart] = field(default_factory=list)
    record: RecordFile | None = None
    _pledges: dict[str, tuple[Part, int, int]] | None = field(default=None, repr=False, compare=False)

    def files(self) -> dict[str, YamlFile]:
        """Every data file as parsed, by its name relative to the directory."""
        return {REQUESTS_FILE: self.requests_file, **{part.name: part.file for part in self.parts}}

    def part_of_list(self, list_id: str) -> tuple[Part, int] | None:
        """The file that holds a list, and the list's index in it."""
        for part in self.parts:
            for i, candidate in enumerate(part.model.lists if part.model else []):
                if candidate.id == list_id:
                    return part, i
        return None

    def part_of_pledge(self, commitment_id: str) -> tuple[Part, int, int] | None:
        """The file that holds a pledge, and the indexes of its list and of the pledge there."""
        if self._pledges is None:  # built once: a review may record thousands of decisions
            self._pledges = {}
            for part in self.parts:
                for i, candidate in enumerate(part.model.lists if part.model else []):
                    for j, pledge in enumerate(candidate.commitments):
                        self._pledges.setdefault(pledge.id, (part, i, j))
        return self._pledges.get(commitment_id)


def merge_parts(models: list[CommitmentsFile]) -> CommitmentsFile:
    """The lists and sources of several files as one `commitments.yaml` would hold them."""
    if len(models) == 1:
        return models[0]
    return CommitmentsFile.model_construct(
        sources=[s for m in models for s in m.sources], lists=[lst for m in models for lst in m.lists]
    )


def load_directory(directory: Path, overrides: dict[str, Path] | None = None, *, record: bool = False) -> Loaded:
    """Load `requests.yaml` and the files that hold lists from a data directory (no cross-file checks).

    The lists are in `commitments.yaml`, in `lists/*.yaml`, or in both (see
    `paths.commitment_names`). `overrides` reads a file from elsewhere under its usual name
    (e.g. a temporary file that a write checks before it replaces the real one, or a file that
    the write creates); diagnostics still name the real file. With `record`, the files of
    `record/` too (optional: a directory without it loads the same), which only the commands
    that show the record need.
    """
    overrides = overrides or {}

    def one(name: str, model: type[BaseModel], key: str) -> tuple[YamlFile, Any]:
        real = directory / name
        return load_file(overrides.get(name, real), model, key, display_path(real))

    req_file, requests = one(REQUESTS_FILE, RequestsFile, "requests")
    names = commitment_names(directory)
    added = sorted(name for name in overrides if is_part_name(name) and name not in names)
    if added and names == [COMMITMENTS_FILE] and not (directory / COMMITMENTS_FILE).exists():
        names = []  # the first lists/ file is being written: commitments.yaml is not missing
    parts = [Part(name, *one(name, CommitmentsFile, "lists")) for name in sorted(set(names) | set(added), key=_order)]
    diagnostics = [*req_file.diagnostics, *(d for part in parts for d in part.file.diagnostics)]
    models = [part.model for part in parts]
    commitments = merge_parts(models) if all(m is not None for m in models) else None  # type: ignore[arg-type]
    dataset = None
    if requests is not None and commitments is not None:
        assert isinstance(requests, RequestsFile) and isinstance(commitments, CommitmentsFile)
        dataset = Dataset(requests=requests, commitments=commitments)
    loaded = Loaded(directory, dataset, diagnostics, req_file, parts[0].file, requests, commitments, parts)
    if record:
        loaded.records = load_records(directory)
        loaded.diagnostics.extend(d for part in loaded.records for d in part.file.diagnostics)
        loaded.record = merge_records([part.model for part in loaded.records])
    return loaded


def load_records(directory: Path) -> list[RecordPart]:
    """Parse and validate each file of `record/` (none when there is no such folder)."""
    return [
        RecordPart(name, *load_file(directory / name, RecordFile, "actions", display_path(directory / name)))
        for name in record_names(directory)
    ]


def merge_records(models: list[RecordFile | None]) -> RecordFile | None:
    """The actions and sources of the record files as one file would hold them; None if one is invalid."""
    if any(m is None for m in models):
        return None
    if len(models) == 1:
        return models[0]
    return RecordFile.model_construct(
        sources=[s for m in models if m for s in m.sources], actions=[a for m in models if m for a in m.actions]
    )


def _order(name: str) -> tuple[bool, str]:
    """`commitments.yaml` first, then `lists/*.yaml` by name."""
    return name != COMMITMENTS_FILE, name
