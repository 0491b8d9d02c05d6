"""User-facing text: French by default, English on request.

Strings are written in French in the code, wrapped in ``_()`` so that standard gettext tools
(xgettext, pybabel) can extract them. Translations live in ``locale/<lang>.po`` beside this
module; a tiny reader loads them, so no compiled ``.mo`` file or build step is needed.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

SUPPORTED = ("fr", "en")
_LOCALE_DIR = Path(__file__).parent / "locale"
_current = "fr"


def detect_language(explicit: str | None = None) -> str:
    """The language to use: `explicit` if given, else from LANGUAGE/LC_ALL/LC_MESSAGES/LANG."""
    if explicit:
        return explicit
    for var in ("ENGAGEMENTS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        code = value.split(":")[0].split("_")[0].split(".")[0].lower()
        if code in SUPPORTED:
            return code
        if code and code not in ("c", "posix"):
            # Another language the user chose: English serves them better than French.
            return "en"
    return "fr"


def set_language(lang: str) -> None:
    global _current
    if lang not in SUPPORTED:
        raise ValueError(lang)
    _current = lang


def current_language() -> str:
    return _current


def _unquote(chunk: str) -> str:
    value = ast.literal_eval(chunk)
    assert isinstance(value, str)
    return value


@cache
def catalog(lang: str) -> dict[str, str]:
    """Read `locale/<lang>.po` into {msgid: msgstr} (multi-line strings supported)."""
    path = _LOCALE_DIR / f"{lang}.po"
    if not path.exists():
        return {}
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def _(message: str) -> str:
    """Translate a French message into the current language."""
    if _current == "fr":
        return message
    return catalog(_current).get(message, message)


def extract_messages(root: Path | None = None) -> list[str]:
    """Every literal passed to `_()` in the package's source, in order of first appearance."""
    root = root or Path(__file__).parent
    found: dict[str, None] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, None)
    return list(found)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate with `_()` at use)."""
    return message


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    import json
    import sys

    lang = sys.argv[1] if len(sys.argv) > 1 else "en"
    known = catalog(lang)
    for message in extract_messages():
        if message not in known:
            print(f'msgid {json.dumps(message, ensure_ascii=False)}\nmsgstr ""\n')
