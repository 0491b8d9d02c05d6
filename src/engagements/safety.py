"""Text from the data made safe to show: no raw control sequence ever reaches a terminal.

A stranger's pull request can put anything in a list name or a pledge: ESC sequences (CSI
`\\x1b[2J` clears the screen, OSC 0 sets the window title, OSC 8 hides a hyperlink), C1 controls
(`\\x9b` is CSI on some terminals), bidi overrides (U+202E makes text read backwards, the
"Trojan Source" trick). Such characters are never written raw: they are shown as visible
escapes (`\\x1b`, `\\u202e`), so a maintainer sees that they are there.

One function, `visible`, does it; the CLI applies it at its output boundary (`cli.common.out`
and `err`, and the Rich console of `terminal.SafeConsole`), so every command gets it. JSON keeps
the exact values: `json_text` only writes the same characters as JSON escapes. Pure functions.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls; the bidi marks, embeddings, overrides
# and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9); the Unicode line and paragraph
# separators, which some terminals take as a line break.
_OTHER = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x08\x0a-\x1f{_OTHER}]")
# In multi-line output a line feed is kept, and so is the carriage return of a CRLF line end
# (CSV); a lone carriage return, which lets a line overwrite itself, is not.
_UNSAFE_MULTILINE = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHER}]")
UNSAFE_TEXT = _UNSAFE_MULTILINE
# What JSON leaves raw with ensure_ascii=False (json.dumps escapes C0 itself).
_JSON_RAW = re.compile(f"[{_OTHER}]")


def escape(char: str) -> str:
    """The visible form of one character: `\\x1b`, `\\u202e`."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_match(match: re.Match[str]) -> str:
    return escape(match.group())


def visible(text: str, *, multiline: bool = True) -> str:
    """`text` with every control or bidi character replaced by its visible escape.

    With `multiline` (output written line by line) line feeds, tabs and CRLF line ends are kept;
    without it (a name, a message on one line) line feeds are escaped too, so that a value can
    never forge a line of its own, such as a fake diagnostic.
    """
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE_ONE_LINE
    if pattern.search(text) is None:  # the usual case: nothing to do, no copy
        return text
    return pattern.sub(_escape_match, text)


def is_safe(text: str) -> bool:
    """Whether `text` holds no control or bidi character but tab and line feed."""
    return _UNSAFE_MULTILINE.search(text) is None


def json_text(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with the characters it leaves raw
    (DEL, C1, bidi, line separators) written as `\\uXXXX` escapes: the same values, nothing raw.

    Safe on the whole document: outside strings, JSON holds none of these characters.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
