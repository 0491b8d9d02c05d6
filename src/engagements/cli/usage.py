"""The command line's own texts, in the user's language: help pages and usage errors.

Typer and its vendored Click write their help and their usage errors in English ("No such
command", "Missing argument", "Show this message and exit.", `<bool>`, `[default: …]`). The
users are French: this module renders both from the parameters themselves, through the
catalogue, and lets the common options (`--data`, `--lang`) stand after the command name too.
Only `engagements.cli` imports it, to build the app.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup

from ..diagnostics import did_you_mean
from ..i18n import _
from .common import err, out

EXIT_USAGE = 2
# The command line being parsed (Click's errors do not keep the value the user typed).
_given_args: list[str] = []
# Options of the app itself that a user may also type after the command name.
HOISTED = {"--data": True, "-d": True, "--lang": True}


def hoist_common_options(args: Sequence[str]) -> list[str]:
    """Move `--data X`, `-d X`, `--data=X`, `--lang X` typed after the command to its front.

    Everything after a `--` separator is left alone (it is an argument, not an option).
    """
    args = list(args)
    try:
        end = args.index("--")
    except ValueError:
        end = len(args)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_command = False
    while i < end:
        arg = args[i]
        name = arg.split("=", 1)[0]
        if seen_command and name in HOISTED:
            if "=" in arg or i + 1 >= end:
                front.append(arg)
                i += 1
            else:
                front.extend(args[i : i + 2])
                i += 2
            continue
        if not seen_command and name in HOISTED and "=" not in arg and i + 1 < end:
            # An option of the app before the command: keep it with its value.
            rest.extend(args[i : i + 2])
            i += 2
            continue
        if not arg.startswith("-"):
            seen_command = True
        rest.append(arg)
        i += 1
    return front + rest + args[end:]


# -- describing parameters ---------------------------------------------------------------------


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _info(param: Any) -> Any:
    return getattr(getattr(param, "type_descriptor", None), "parameter_info", None)


def _choices(param: Any) -> list[str] | None:
    annotation = _annotation(param)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    return None


def _bounds(param: Any) -> tuple[Any, Any]:
    info = _info(param)
    return getattr(info, "min", None), getattr(info, "max", None)


def metavar(param: Any) -> str:
    """What to type as the value of a parameter, in words a reader knows."""
    if getattr(param, "is_flag", False):
        return ""
    if param.metavar:
        return str(param.metavar)
    choices = _choices(param)
    if choices:
        return "|".join(choices)
    annotation = _annotation(param)
    if annotation is int:
        return "N"
    if annotation is Path:
        return _("CHEMIN")
    if annotation is dt.date:
        return _("AAAA-MM-JJ")
    if param.param_type_name == "argument":
        return str(param.name).upper()
    return _("TEXTE")


def _default_text(param: Any) -> str | None:
    if param.required or getattr(param, "is_flag", False) or not getattr(param, "show_default", True):
        return None
    default = param.default
    if default is None or default == [] or default == ():
        return None
    if isinstance(default, Enum):
        default = default.value
    return str(default)


def _param_help(param: Any) -> str:
    parts = [param.help or ""] if getattr(param, "help", None) else []
    low, high = _bounds(param)
    if low is not None and high is not None:
        parts.append(_("[de {low} à {high}]").format(low=low, high=high))
    if getattr(param, "multiple", False):
        parts.append(_("[répétable]"))
    default = _default_text(param)
    if default is not None:
        parts.append(_("[par défaut : {value}]").format(value=default))
    if param.required:
        parts.append(_("[obligatoire]"))
    return " ".join(p for p in parts if p)


def _option_label(param: Any) -> str:
    names = sorted(param.opts, key=lambda o: (o.startswith("--"), o))
    value = metavar(param)
    return ", ".join(names) + (f" {value}" if value else "")


def usage_line(command: Any, ctx: Any) -> str:
    pieces = [ctx.command_path, _("[OPTIONS]")]
    for param in command.params:
        if param.param_type_name == "argument":
            label = metavar(param)
            pieces.append(label if param.required else f"[{label}]")
    if isinstance(command, TyperGroup):
        pieces.append(_("COMMANDE [ARGUMENTS]…"))
    return _("Utilisation : {usage}").format(usage=" ".join(pieces))


def write_help(command: Any, ctx: Any, formatter: Any) -> None:
    """The help page of a command or of the app, in the catalogue's language."""
    formatter.write(usage_line(command, ctx) + "\n")
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    arguments = [(metavar(p), _param_help(p)) for p in command.params if p.param_type_name == "argument"]
    options = [(_option_label(p), _param_help(p)) for p in command.params if p.param_type_name == "option"]
    options.append(("-h, --help", _("Afficher cette aide et quitter.")))
    if arguments:
        with formatter.section(_("Arguments")):
            formatter.write_dl(arguments)
    with formatter.section(_("Options")):
        formatter.write_dl(options)
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, sub.get_short_help_str(limit=200)))
        with formatter.section(_("Commandes")):
            formatter.write_dl(rows)
        formatter.write_paragraph()
        formatter.write_text(_("Aide d’une commande : engagements COMMANDE --help."))


# -- usage errors ----------------------------------------------------------------------------


def _param_name(param: Any) -> str:
    if param is None:
        return "?"
    if param.param_type_name == "argument":
        return metavar(param)
    return sorted(param.opts, key=lambda o: (not o.startswith("--"), o))[0]


def _bad_value(error: Any) -> str:
    param = error.param
    info = _info(param)
    if getattr(info, "parser", None) is not None:
        return str(error.message)  # our own parsers speak French already
    name = _param_name(param)
    value = _given_value(error)
    choices = _choices(param)
    if choices:
        return _("valeur invalide « {value} » pour {name} : au choix {choices}").format(
            value=value, name=name, choices=", ".join(choices)
        ) + did_you_mean(str(value), choices)
    low, high = _bounds(param)
    if _annotation(param) is int:
        if low is not None and high is not None:
            return _("valeur invalide « {value} » pour {name} : un nombre entier de {low} à {high}").format(
                value=value, name=name, low=low, high=high
            )
        return _("valeur invalide « {value} » pour {name} : un nombre entier").format(value=value, name=name)
    return _("valeur invalide « {value} » pour {name}").format(value=value, name=name)


def _given_value(error: Any) -> str:
    """The value the user typed, found back in the command line (Click does not keep it)."""
    param = error.param
    args = _given_args
    for i, arg in enumerate(args):
        for opt in getattr(param, "opts", []):
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg.split("=", 1)[1]
    return "?"


def french_message(error: click_errors.ClickException) -> str:
    """A usage error in the catalogue's language, from what the exception knows."""
    if isinstance(error, click_errors.NoSuchOption):
        possibilities = list(error.possibilities or [])
        return _("option inconnue « {name} »").format(name=error.option_name) + did_you_mean(
            error.option_name, possibilities
        )
    if isinstance(error, click_errors.MissingParameter):
        param = error.param
        if param is not None and param.param_type_name == "argument":
            return _("argument manquant : {name}").format(name=_param_name(param))
        return _("option obligatoire manquante : {name}").format(name=_param_name(param))
    if isinstance(error, click_errors.BadOptionUsage):
        return _("l’option « {name} » attend une valeur").format(name=error.option_name)
    if isinstance(error, click_errors.BadParameter) and error.param is not None:
        return _bad_value(error)
    message = error.format_message()
    if message.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)\s*$", message)
        return _("argument(s) en trop : {args}").format(args=found.group(1) if found else "?")
    return message


def report_usage_error(error: click_errors.ClickException) -> NoReturn:
    ctx = getattr(error, "ctx", None)
    lines = [f"engagements: {_('erreur')}: {french_message(error)}"]
    if ctx is not None:
        lines.append(usage_line(ctx.command, ctx))
        lines.append(_("Aide : {path} --help").format(path=ctx.command_path))
    # Through the output boundary: the message may quote what was typed.
    err("\n".join(lines) + "\n")
    sys.exit(EXIT_USAGE)


class Command(TyperCommand):
    """A command whose help page is written in the user's language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        write_help(self, ctx, formatter)


class Group(TyperGroup):
    """The app: French help and usage errors, common options anywhere on the line."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        write_help(self, ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            known = self.list_commands(ctx)
            raise click_errors.UsageError(
                _("commande inconnue « {name} »").format(name=name) + did_you_mean(name, known), ctx
            )
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        global _given_args
        given = hoist_common_options(sys.argv[1:] if args is None else args)
        _given_args = given
        extra["standalone_mode"] = False
        # `python -m engagements` would otherwise call itself "python -m engagements".
        if not rest and extra.get("prog_name") is None:
            extra["prog_name"] = "engagements"
        try:
            code = super().main(given, *rest, **extra)
        except click_errors.NoArgsIsHelpError as error:
            out(error.ctx.get_help() + "\n")
            sys.exit(EXIT_USAGE)
        except click_errors.ClickException as error:
            report_usage_error(error)
        except typer.Abort:
            err(_("Interrompu.") + "\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
