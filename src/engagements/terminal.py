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
    for _key, label in table.columns:
        out.add_column(label, overflow="fold")
    for row in table.rows:
        # Text() so that brackets in the data are never read as Rich markup.
        out.add_row(*(Text(cell(row.get(k))) for k in table.keys))
    console().print(out)
