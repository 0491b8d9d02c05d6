"""What a person sees in a terminal: Rich tables, no colour when piped or under NO_COLOR."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from .tables import Table

# A "word" for line wrapping, French-style: « and the word after it, a word and the » : ; ? ! %
# after it, stay on one line ("« mot »", "(100 %)"), as they would with no-break spaces; so do
# the matrix's symbols and the word they stand for ("✔ confirmé", "? suggestion"). Rich wraps
# text by this pattern (rich._wrap.re_word, `\s*\S+\s*` by default).
FRENCH_WORD = re.compile(r"\s*(?:(?:«|[●◐○✔?+])\s)*\S+(?:\s[»:;?!%]\S*)*\s*")


def french_wrapping() -> None:
    """Make Rich keep French punctuation with its word when it wraps (idempotent)."""
    import rich._wrap

    rich._wrap.re_word = FRENCH_WORD


def console() -> Console:
    french_wrapping()
    return Console(highlight=False, soft_wrap=False)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        from .i18n import _

        return _("oui") if value else _("non")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def print_table(table: Table) -> None:
    out = RichTable(title=table.title or None, show_lines=False, expand=False)
    keys = table.terminal or table.keys
    labels = dict(table.columns)
    for key in keys:
        numeric = all(isinstance(row.get(key), int) and not isinstance(row.get(key), bool) for row in table.rows)
        if numeric or key == "id":
            # Ids are typed back on the command line: never split across lines.
            out.add_column(labels[key], justify="right" if numeric else "left", no_wrap=True)
        else:
            out.add_column(labels[key], ratio=1, min_width=10)
    for row in table.rows:
        # Text() so that brackets in the data are never read as Rich markup.
        out.add_row(*(Text(cell(row.get(k))) for k in keys))
    console().print(out)
