"""The command line: parse arguments, call the core, print, choose the exit code.

Nothing else in the package prints or exits. Exit codes: 0 success, 1 invalid data,
2 usage error (unknown option, bad value). Layout: `common` holds the shared options and output
helpers; one module per group of commands (`data`, `reports`, `brief`, `edit`, `review`, `export`,
`importing`, `mandate`)
registers its commands on its own `commands`; the app is assembled here, in that order.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import _
from . import brief, data, edit, export, importing, mandate, reports, review
from .common import DataOption, LangOption
from .usage import Command, Group

app = typer.Typer(
    name="engagements",
    cls=Group,
    help=_(
        "Suivi des engagements des listes candidates face aux demandes d’un collectif "
        "d’associations : validation des données, couverture, manques, exports."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("engagements")
        except PackageNotFoundError:  # a source tree that was never installed
            number = "?"
        typer.echo(f"engagements {number}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option("--version", help=_("Afficher la version et quitter."), callback=_version, is_eager=True),
]


@app.callback()
def main(ctx: typer.Context, data: DataOption = None, lang: LangOption = None, version: VersionOption = False) -> None:
    """Options common to every command."""
    if lang is not None and lang not in ("fr", "en"):
        raise typer.BadParameter(_("langue inconnue « {lang} » (fr ou en)").format(lang=lang), param_hint="--lang")
    ctx.obj = {"data": data}


for _module in (data, reports, brief, edit, review, export, importing, mandate):
    for _info in _module.commands.registered_commands:
        _info.cls = Command
        app.registered_commands.append(_info)
    for _group in _module.commands.registered_groups:  # `sheet status`
        _group.cls = Group
        assert _group.typer_instance is not None
        for _info in _group.typer_instance.registered_commands:
            _info.cls = Command
        app.registered_groups.append(_group)
