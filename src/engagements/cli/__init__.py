"""The command line: parse arguments, call the core, print, choose the exit code.

Nothing else in the package prints or exits. Exit codes: 0 success, 1 invalid data,
2 usage error (unknown option, bad value). Layout: `common` holds the shared options and output
helpers; one module per group of commands (`data`, `reports`, `brief`, `edit`, `review`, `export`,
`importing`, `mandate`)
registers its commands on its own `commands`; the app is assembled here, in that order.

A command's module is imported, and its command built, only when it runs (or for the app's help
page): `coverage` does not pay for importing and converting the twenty other commands. The
table `COMMANDS` names each command's module; tests/test_cli_package.py keeps it in step with
what the modules register.
"""

from __future__ import annotations

from importlib import import_module
from typing import Annotated, Any

import typer

from ..i18n import _
from .common import DataOption, LangOption
from .usage import Command, Group

# Every command, in the order of the help page, and the module of this package that registers it.
COMMANDS: dict[str, str] = {
    "validate": "data",
    "requests": "data",
    "lists": "data",
    "schema": "data",
    "match": "reports",
    "coverage": "reports",
    "gaps": "reports",
    "show": "reports",
    "bilan": "reports",
    "record": "reports",
    "brief": "brief",
    "link": "edit",
    "unlink": "edit",
    "reject": "edit",
    "fmt": "edit",
    "elu": "edit",
    "elected": "edit",
    "fusion": "edit",
    "merge": "edit",
    "reponse": "edit",
    "reply": "edit",
    "review": "review",
    "export": "export",
    "import": "importing",
    "diff": "importing",
    "rate": "mandate",
    "status": "mandate",
    "timeline": "mandate",
    "apply": "mandate",
    "sheet": "mandate",
}
# The modules that register commands, in the order of the help page.
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def command_name(info: Any) -> str:
    """The name a registered command or group is called by on the command line."""
    instance = getattr(info, "typer_instance", None)
    if instance is not None:
        return str(instance.info.name)
    return str(info.name or info.callback.__name__.replace("_", "-"))


def every_command() -> dict[str, Any]:
    """Name -> registered command or group of every module, in registration order (imports them all)."""
    found: dict[str, Any] = {}
    for module in MODULES:
        infos, groups = registered(module)
        found.update((command_name(info), info) for info in [*infos, *groups])
    return found


def registered(module: str) -> tuple[list[Any], list[Any]]:
    """The commands and the groups (`sheet`) that a module of the package registers."""
    commands = import_module(f"{__name__}.{module}").commands
    return list(commands.registered_commands), list(commands.registered_groups)


def build(name: str) -> Any:
    """The click command of `name`, its module imported now; None for an unknown name."""
    from typer.main import get_command_from_info, get_group_from_info

    module = COMMANDS.get(name)
    if module is None:
        return None
    infos, groups = registered(module)
    for info in infos:
        if command_name(info) == name:
            info.cls = Command
            return get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode
            )
    for group in groups:
        if command_name(group) == name:
            group.cls = Group
            for sub in group.typer_instance.registered_commands:
                sub.cls = Command
            return get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=app.rich_markup_mode,
            )
    raise LookupError(f"{name} is not registered by engagements.cli.{module}")


class App(Group):
    """The app's group: its commands are built on first use (see `COMMANDS`)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in self.commands:
            command = build(name)
            if command is None:
                return None
            self.commands[name] = command
        return self.commands[name]


app = typer.Typer(
    name="engagements",
    cls=App,
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
