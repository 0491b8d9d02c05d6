"""engagements review: answer the matcher pledge by pledge, each decision written at once."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _, current_language
from .common import (
    EXIT_USAGE,
    ByOption,
    DateOption,
    LevelOption,
    ListFilter,
    RequestLevel,
    check_ids,
    fail,
    load_data,
    run_edit,
    say,
    with_parts,
    writable_dir,
)
from .common import out as common_out

if TYPE_CHECKING:
    from ..reviewing import Item, Review

commands = typer.Typer()

# One key per answer; the letters follow the language of the messages.
KEYS = {
    "fr": {"accept": "o", "reject": "r", "pass": "p"},
    "en": {"accept": "y", "reject": "n", "pass": "s"},
}
MORE, UNDO, HELP, QUIT = "+", "u", "?", "q"
EXIT_INTERRUPTED = 130
_STOPPING = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


def keys() -> dict[str, str]:
    return KEYS.get(current_language(), KEYS["fr"])


class Stopped(Exception):
    """The terminal went away (SIGHUP) or the process was asked to end (SIGTERM)."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


@contextmanager
def stoppable() -> Iterator[None]:
    """SIGHUP and SIGTERM end the review the way Ctrl-C does, saying what was saved."""
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for stopping, handler in previous.items():
            signal.signal(stopping, handler)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and hang-ups while a decision is written: they take effect once it is on disk.

    Blocking the signals is not enough: the mask is the main thread's, and once numpy is loaded
    its BLAS threads can receive a Ctrl-C meant for the process, whose Python handler then runs
    at once in the main thread. So the handlers also only note the signal, raised again after.
    """
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda sig, _frame: held.append(sig)) for sig in _STOPPING}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        for stopping, handler in previous.items():
            signal.signal(stopping, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        for sig in dict.fromkeys(held):
            signal.raise_signal(sig)


class Keyboard:
    """Answers one at a time: a single key press on a terminal, a line of piped input otherwise.

    `read()` returns the answer lowercased, or None at the end of the input (Ctrl-D, a closed
    pipe or terminal).
    """

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno() if hasattr(sys.stdin, "fileno") and _has_fd(sys.stdin) else None
        self.tty = self.fd is not None and os.isatty(self.fd)
        self._saved: Any = None

    def __enter__(self) -> Keyboard:
        if self.tty:
            import termios
            import tty

            assert self.fd is not None
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)  # one key at a time; Ctrl-C still interrupts
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None and self.fd is not None:
            import termios

            with suppress(OSError, termios.error):  # the terminal may be gone
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def read(self, prompt: str) -> str | None:
        out(prompt, end="")
        if not self.tty:
            line = sys.stdin.readline()
            if not line:
                out("")
                return None
            out(line.strip())  # piped input is not echoed: show what was answered
            return line.strip().lower()
        assert self.fd is not None
        try:
            key = os.read(self.fd, 1)
        except OSError:
            return None
        if key in (b"", b"\x04"):
            out("")
            return None
        if key == b"\x1b":  # an arrow or function key: drop the rest of its sequence
            import termios

            time.sleep(0.05)
            termios.tcflush(self.fd, termios.TCIFLUSH)
        text = key.decode("utf-8", "replace")
        out(text if text.isprintable() else "")
        return text.lower()


def _has_fd(stream: Any) -> bool:
    try:
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    return True


def out(text: str = "", end: str = "\n") -> None:
    # Through the CLI's output boundary: pledges shown here come from the data.
    common_out(text + end, flush=True)


def _width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))


def _wrap(text: str, indent: int, hanging: int | None = None) -> str:
    pad = " " * indent
    rest = " " * (indent if hanging is None else hanging)
    return textwrap.fill(
        " ".join(text.split()), _width(), initial_indent=pad, subsequent_indent=rest, break_on_hyphens=False
    )


def _level_name(level: str | None) -> str:
    from ..report import level_name

    return level_name(level) if level else _("faible")


def render_item(item: Item, data: Any) -> None:
    """A pledge with its provenance and links, and the requests on the current page, numbered."""
    from ..report import where
    from ..reviewing import PAGE

    requests = {r.id: r for r in data.requests.requests}
    sources = {s.id: s for s in (*data.requests.sources, *data.commitments.sources)}
    pledge = item.pledge
    out("")
    out(f"── {item.position}/{item.total} · {pledge.id} · {item.candidate_list.short_name or item.candidate_list.name}")
    out(_wrap(f"« {pledge.text} »", 2))
    if pledge.provenance is not None:
        prov = pledge.provenance.model_dump()
        source = sources.get(pledge.provenance.source)
        prov["title"] = source.title if source else pledge.provenance.source
        out(_wrap(_("Source : {where}").format(where=where(prov)), 2))
    for label, links in ((_("Déjà lié à"), pledge.answers), (_("Écartées"), pledge.rejects)):
        if links:
            names = []
            for link in links:
                title = requests[link.request].title if link.request in requests else ""
                who = ", ".join(str(x) for x in (link.by, link.date) if x)
                names.append(f"{link.request} {title}" + (f" ({who})" if who else ""))
            out(_wrap(f"{label} : " + " ; ".join(names), 2))
    if not pledge.answers:
        out("  " + _("Aucun lien confirmé."))
    first = item.page * PAGE
    shown = item.shown
    head = _("Demandes les plus proches ({first}–{last} sur {count}) :").format(
        first=first + 1, last=first + len(shown), count=len(item.candidates)
    )
    out("  " + head)
    for n, candidate in enumerate(shown, 1):
        request = candidate.request
        head = f"{n}. {request.id} · {request.title} · {_('score')} {candidate.score} ({_level_name(candidate.level)})"
        out(_wrap(head, 2, 6))
        if " ".join(request.text.split()) != " ".join(request.title.split()):
            out(_wrap(request.text, 6))
        if candidate.why:
            out(_wrap(_("Mots en commun : {why}").format(why=", ".join(candidate.why)), 6))


def prompt_line(item: Item) -> str:
    k = keys()
    choices = "/".join(str(n) for n in range(1, len(item.shown) + 1))
    more = f" {MORE}" if item.has_more or item.page else ""
    return _("Votre choix [{choices} {accept} {reject} {skip}{more} {undo} ? {quit}] : ").format(
        choices=choices, accept=k["accept"], reject=k["reject"], skip=k["pass"], more=more, undo=UNDO, quit=QUIT
    )


def help_text() -> str:
    k = keys()
    lines = [
        _("1, 2, 3 : cette demande répond à l’engagement (lien confirmé, écrit aussitôt) ; engagement suivant"),
        _("{key} : confirmer la demande 1").format(key=k["accept"]),
        _("{key} : rejeter la demande 1 (elle ne sera plus proposée pour cet engagement)").format(key=k["reject"]),
        _("{key} : passer cet engagement (rien n’est écrit ; il sera reproposé à la prochaine revue)").format(
            key=k["pass"]
        ),
        _("{key} : voir les demandes suivantes").format(key=MORE),
        _("{key} : annuler la dernière décision (aussi dans le fichier)").format(key=UNDO),
        _("{key} : cette aide").format(key=HELP),
        _("{key} : quitter (les décisions prises sont déjà enregistrées)").format(key=QUIT),
    ]
    return "\n".join("  " + line for line in lines)


def summary(review: Review, file: str) -> str:
    passed = len(review.passed)
    text = _("{file} : {accepted} lien(s) confirmé(s), {rejected} rejet(s) enregistré(s)").format(
        file=file, accepted=review.accepted, rejected=review.rejected
    )
    if passed:
        text += _(" ; {passed} engagement(s) passé(s), reproposé(s) à la prochaine revue").format(passed=passed)
    return text + "."


def answer(review: Review, keyboard: Keyboard) -> bool:
    """Ask about the current pledge until an answer is given; False when the review should stop."""
    from ..editing import EditError

    item = review.current()
    assert item is not None
    render_item(item, review.session.dataset)
    k = keys()
    while True:
        key = keyboard.read(prompt_line(item))
        if key is None:
            raise EOFError
        if key == QUIT:
            return False
        if key == HELP:
            out(help_text())
            continue
        try:
            if key.isdigit() and 1 <= int(key) <= len(item.shown):
                with uninterrupted():
                    decision = review.pick(int(key))
                out(
                    "  "
                    + _("✓ lien confirmé : {pledge} → {request}").format(
                        pledge=decision.pledge, request=decision.request
                    )
                )
            elif key == k["accept"]:
                with uninterrupted():
                    decision = review.pick(1)
                out(
                    "  "
                    + _("✓ lien confirmé : {pledge} → {request}").format(
                        pledge=decision.pledge, request=decision.request
                    )
                )
            elif key == k["reject"]:
                with uninterrupted():
                    decision = review.reject()
                out(
                    "  "
                    + _("✗ rejet enregistré : {pledge} ↛ {request}").format(
                        pledge=decision.pledge, request=decision.request
                    )
                )
            elif key == k["pass"]:
                review.skip()
            elif key == MORE:
                if not review.more():
                    out("  " + _("pas d’autre demande à montrer"))
                    continue
            elif key == UNDO:
                with uninterrupted():
                    undone = review.undo()
                if undone is None:
                    out("  " + _("rien à annuler"))
                    continue
                if isinstance(undone, str):
                    out("  " + _("↶ retour à {pledge} (passé)").format(pledge=undone))
                else:
                    out(
                        "  "
                        + _("↶ annulé dans le fichier : {pledge} → {request}").format(
                            pledge=undone.pledge, request=undone.request
                        )
                    )
            else:
                out(
                    "  "
                    + _("touche inconnue « {key} » ; « ? » pour l’aide").format(
                        key=key if key.isprintable() else repr(key)
                    )
                )
                continue
        except EditError as error:
            say(f"engagements: {_('erreur')}: {error.message}")
            continue
        return True


def _interactive(review: Review, file: str) -> None:
    k = keys()
    if not review.queue:
        say(_("Aucun engagement à revoir."))
        return
    say(
        _(
            "{count} engagement(s) à revoir. Chaque décision est écrite aussitôt dans {file}. "
            "Touches : 1-3 choisir, {accept} confirmer la 1, {reject} la rejeter, {skip} passer, "
            "{undo} annuler, ? aide, q quitter."
        ).format(count=len(review.queue), file=file, accept=k["accept"], reject=k["reject"], skip=k["pass"], undo=UNDO)
    )
    stopped: str | None = None
    try:
        with stoppable(), Keyboard() as keyboard:
            while review.current() is not None:
                if not answer(review, keyboard):
                    break
            else:
                out(_("Plus rien à revoir."))
    except KeyboardInterrupt:
        stopped = "interrupt"
    except EOFError:
        stopped = "eof"
    except Stopped:
        stopped = "hangup"
    message = summary(review, file)
    try:
        if stopped == "interrupt":
            say("\n" + _("Interrompu. Déjà enregistré : {summary}").format(summary=message))
        elif stopped == "eof":
            say(_("Fin de l’entrée. Déjà enregistré : {summary}").format(summary=message))
        else:
            say(message)
        if review.current() is not None:
            say(_("Relancez la même commande pour continuer."))
    except OSError:
        pass  # the terminal is gone: the decisions are on disk all the same
    if stopped in ("interrupt", "hangup"):
        raise typer.Exit(EXIT_INTERRUPTED)


def _confirm(question: str) -> bool:
    """A yes/no question on stdin; anything but the language's yes, or the end of input, is no."""
    out(question, end="")
    line = sys.stdin.readline()
    if not line:
        out("")
    return line.strip().lower() == keys()["accept"]


def _accept_above(
    ctx: typer.Context,
    directory: Any,
    threshold: int,
    lists: list[str] | None,
    level: RequestLevel,
    dry_run: bool,
    yes: bool,
    by: str | None,
    date: Any,
) -> None:
    from .. import editing
    from ..loading import display_path
    from ..paths import commitment_names
    from ..report import shorten
    from ..reviewing import pairs_above

    data = load_data(ctx)
    pairs = pairs_above(data, threshold, lists, level.value)
    names = commitment_names(directory)
    # A split directory: each link goes to the file that holds its pledge.
    file = (
        display_path(directory / names[0])
        if len(names) == 1
        else _("{dir} (le fichier de chaque engagement)").format(dir=display_path(directory))
    )
    if not pairs:
        say(_("Aucune suggestion de score {n} ou plus.").format(n=threshold))
        return
    texts = {c.id: c.text for lst in data.commitments.lists for c in lst.commitments}
    titles = {r.id: r.title for r in data.requests.requests}
    out(_("{count} lien(s) à confirmer (score {n} ou plus) :").format(count=len(pairs), n=threshold))
    for pledge, request, score in pairs:
        out(f"  {pledge} → {request} · {_('score')} {score}")
        out("      « " + shorten(texts[pledge], _width() - 10) + " »")
        out("      " + shorten(titles.get(request, ""), _width() - 6))
    if dry_run:
        say(_("Essai : rien n’est écrit."))
        return
    if not yes:
        question = _("Écrire ces {count} lien(s) dans {file}{by} ? [{yes}/N] ").format(
            count=len(pairs),
            file=file,
            by=_(" au nom de {by}").format(by=by) if by else "",
            yes=keys()["accept"],
        )
        try:
            confirmed = _confirm(question)
        except KeyboardInterrupt:
            say("\n" + _("Interrompu : rien n’est écrit."))
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if not confirmed:
            say(_("Rien n’est écrit."))
            return
    decisions = [(pledge, request, True) for pledge, request, _score in pairs]
    with uninterrupted():
        changed = run_edit(lambda: editing.decide(directory, decisions, by=by, date=date))
    say(
        _("{file} : {accepted} lien(s) confirmé(s) ; {changed} engagement(s) modifié(s).").format(
            file=file, accepted=len(decisions), changed=changed
        )
    )


@commands.command(
    help=_(
        "Passer en revue, engagement par engagement, ceux qui n’ont pas encore de lien confirmé : "
        "leurs 3 demandes les plus proches, à choisir d’une touche (1-3), rejeter (r), passer (p), "
        "annuler (u). Chaque décision est écrite aussitôt dans le fichier de l’engagement "
        "(commitments.yaml ou lists/*.yaml) ; relancée, la revue "
        "reprend où elle s’était arrêtée."
    )
)
def review(
    ctx: typer.Context,
    lists: ListFilter = None,
    level: LevelOption = RequestLevel.question,
    min_score: Annotated[
        int,
        typer.Option("--min-score", min=0, max=100, help=_("Seulement les demandes de ce score (0–100) ou plus.")),
    ] = 0,
    linked: Annotated[
        bool, typer.Option("--linked", help=_("Revoir aussi les engagements qui ont déjà un lien confirmé."))
    ] = False,
    accept_above: Annotated[
        int | None,
        typer.Option(
            "--accept-above",
            min=0,
            max=100,
            help=_(
                "Sans revue : lister toutes les suggestions de score supérieur ou égal, "
                "puis les confirmer après accord."
            ),
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Avec --accept-above : seulement lister, ne rien écrire."))
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Avec --accept-above : écrire sans demander (scripts)."))
    ] = False,
    by: ByOption = None,
    date: DateOption = None,
) -> None:
    from .. import editing
    from ..loading import display_path
    from ..paths import COMMITMENTS_FILE
    from ..reviewing import Review

    directory = writable_dir(ctx, writing=not dry_run)
    if (dry_run or yes) and accept_above is None:
        fail(_("--dry-run et --yes vont avec --accept-above"), EXIT_USAGE)
    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    lists = with_parts(data, lists)  # a merged list's pledges are its parts'
    if accept_above is not None:
        _accept_above(ctx, directory, accept_above, lists, level, dry_run, yes, by, date)
        return
    file = display_path(directory / COMMITMENTS_FILE)
    session = editing.Session(directory)
    run_edit(session.__enter__)  # the lock is held, and the data checked, for the whole review
    try:
        if session.replayed:
            say(
                _("{n} décision(s) d’une revue interrompue, restée(s) dans le journal, écrite(s) dans {file}.").format(
                    n=session.replayed, file=file
                )
            )
        session_review = Review(
            session, lists=lists, level=level.value, min_score=min_score, include_linked=linked, by=by, date=date
        )
        _interactive(session_review, file)
    finally:
        session.__exit__(None, None, None)
