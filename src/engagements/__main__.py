"""Console entry point: `engagements` and `python -m engagements`."""

from __future__ import annotations

import os
import sys


def requested_language(argv: list[str]) -> str | None:
    """The value of `--lang` in the arguments, if any (read before the CLI is built)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def run() -> None:
    """Choose the language first: help texts are built, in that language, when the CLI is imported."""
    from .i18n import SUPPORTED, detect_language, set_language

    chosen = detect_language(requested_language(sys.argv[1:]))
    if chosen in SUPPORTED:
        set_language(chosen)
    from .cli import app

    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("ENGAGEMENTS_DEBUG"):
            raise
        from .i18n import _
        from .safety import visible

        message = _(
            "engagements: erreur interne ({kind}: {error}) ; relancez avec ENGAGEMENTS_DEBUG=1 et signalez-la"
        ).format(kind=type(exc).__name__, error=exc)
        # The error may quote the data: one safe line.
        sys.stderr.write(visible(message, multiline=False) + "\n")
        raise SystemExit(70) from None


if __name__ == "__main__":
    run()
