"""Problems found in the data, and the three ways of printing them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Literal, assert_never

from .i18n import _

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. `line` and `col` are 1-based; None when not applicable."""

    file: str
    line: int | None
    col: int | None
    message: str
    code: str = "invalid"
    level: Level = "error"


class DiagnosticFormat(StrEnum):
    text = "text"
    github = "github"
    json = "json"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A " ; vouliez-vous dire « x » ?" hint, or "" when nothing is close.

    rapidfuzz keeps it fast even against 100,000 ids.
    """
    best = closest(value, choices)
    return _(" ; vouliez-vous dire « {id} » ?").format(id=best) if best is not None else ""


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice `value` is most likely a misspelling of, or None when nothing is close."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(value, list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return str(best[0]) if best else None


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.level == "error" for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.file, d.line or 0, d.col or 0, d.message)


def format_text(d: Diagnostic) -> str:
    """`file:line:col: erreur: message`, as compilers and linters print it."""
    where = d.file
    if d.line is not None:
        where += f":{d.line}"
        if d.col is not None:
            where += f":{d.col}"
    level = _("erreur") if d.level == "error" else _("avertissement")
    return f"{where}: {level}: {d.message}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, escaped as the runner requires."""
    props = [f"file={_escape_property(d.file)}"]
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.col is not None:
        props.append(f"col={d.col}")
    kind = "error" if d.level == "error" else "warning"
    return f"::{kind} {','.join(props)}::{_escape_data(d.message)}"


def render(diagnostics: list[Diagnostic], fmt: DiagnosticFormat) -> str:
    """All diagnostics in one format, sorted by file and position."""
    ordered = sorted(diagnostics, key=sort_key)
    match fmt:
        case DiagnosticFormat.text:
            return "\n".join(format_text(d) for d in ordered)
        case DiagnosticFormat.github:
            return "\n".join(format_github(d) for d in ordered)
        case DiagnosticFormat.json:
            return json.dumps([asdict(d) for d in ordered], ensure_ascii=False, indent=2)
        case _:
            assert_never(fmt)
