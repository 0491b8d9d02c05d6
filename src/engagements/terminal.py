"""What a person sees in a terminal: Rich tables, no colour when piped or under NO_COLOR.

Every console of the CLI is a `SafeConsole`: whatever text a renderable holds (a table cell, a
title, a caption), control and bidi characters come out as visible escapes (`safety.visible`),
while Rich's own colour codes are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.table import Table as RichTable
from rich.text import Span, Text

from .safety import UNSAFE_TEXT, visible
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


def safe_text(text: Text) -> Text:
    """A copy of `text` with its control and bidi characters made visible, styles kept."""
    plain = text.plain
    if UNSAFE_TEXT.search(plain) is None:
        return text
    cuts = sorted({i for m in UNSAFE_TEXT.finditer(plain) for i in (m.start(), m.end())})
    pieces = []
    for piece in text.divide(cuts):
        if UNSAFE_TEXT.fullmatch(piece.plain):
            shown = Text(visible(piece.plain), style=piece.style)
            for span in piece.spans:
                shown.stylize(span.style, 0, len(shown))
            piece = shown
        pieces.append(piece)
    out = Text.assemble(
        *pieces, style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap, end=text.end
    )
    out.tab_size = text.tab_size
    return out


class SafeConsole(Console):
    """A Rich console that never writes a control or bidi character of the data raw.

    Text is made safe where Rich renders it (`render` is called for every renderable, nested
    ones included), before it is laid out, so tables stay aligned.
    """

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if isinstance(renderable, str):
            renderable = self.render_str(renderable)
        if isinstance(renderable, Text):
            renderable = safe_text(renderable)
        return super().render(renderable, options)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        return safe_text(super().render_str(text, **kwargs))


class Lines:
    """Text laid out by hand, kept one Rich `Text` per line, printed as it is: no wrapping and
    no cropping (print it with `soft_wrap=True`), each line made safe like any text.

    The same output as one `Text` of many lines printed with `soft_wrap=True` (Rich splits such
    a text into its lines, every line with the text's style, its spans cut at the line ends), at
    a tenth of the cost: splitting a text of thousands of lines and spans is what costs.
    """

    def __init__(self, style: str = "") -> None:
        self.style = style
        self.lines = [Text(style=style)]

    def append(self, text: str, style: str | None = None) -> None:
        """Like `Text.append`: a line end in `text` starts a new line."""
        first, *rest = text.split("\n")
        if first:
            self.lines[-1].append(first, style)
        for part in rest:
            line = Text(style=self.style)
            if part:
                line.append(part, style)
            self.lines.append(line)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        for n, line in enumerate(self.lines):
            if n:
                yield Segment.line()
            shown = safe_text(line)
            if shown.style:
                # As Rich joins the lines back: the line's style as its first span.
                shown = shown.copy()
                shown.spans = [Span(0, len(shown), shown.style), *shown.spans]
                shown.style = ""
            yield from shown.render(console, end="")
        yield Segment.line()


def console(width: int | None = None) -> Console:
    french_wrapping()
    return SafeConsole(highlight=False, soft_wrap=False, width=width)


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
            # fold: a long unbroken run (an escaped control sequence, say) is shown whole
            out.add_column(labels[key], ratio=1, min_width=10, overflow="fold")
    for row in table.rows:
        # Text() so that brackets in the data are never read as Rich markup.
        # made safe here too, so that columns are measured on what is shown.
        out.add_row(*(safe_text(Text(cell(row.get(k)))) for k in keys))
    console().print(out)
