"""What a person sees in a terminal: Rich tables, no colour when piped or under NO_COLOR."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from .tables import Table


def console() -> Console:
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
            out.add_column(labels[key], justify="right" if numeric else "left", overflow="fold")
        else:
            out.add_column(labels[key], ratio=1, min_width=10)
    for row in table.rows:
        # Text() so that brackets in the data are never read as Rich markup.
        out.add_row(*(Text(cell(row.get(k))) for k in keys))
    console().print(out)
