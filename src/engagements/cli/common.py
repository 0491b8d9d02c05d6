"""What every command module shares: exit codes, common options, loading, output helpers.

Command modules import from here and from nowhere else in the CLI package; the app is assembled
in `engagements.cli`. Nothing outside the CLI package prints or exits.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from .. import paths
from ..diagnostics import DiagnosticFormat, has_errors, render
from ..i18n import _

if TYPE_CHECKING:
    from ..coverage import Coverage, Findings, PartnerCell
    from ..editing import Outcome
    from ..models import Dataset, RecordFile
    from ..tables import Table

# Heavy modules (pydantic, ruamel.yaml, scipy) are imported inside the commands that need
# them, so that `--help` and cached reports start fast.

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        "-d",
        metavar=_("DOSSIER"),
        help=_(
            "Dossier de données (requests.yaml, et commitments.yaml ou lists/*.yaml). Par défaut : la variable "
            "ENGAGEMENTS_DATA, sinon le dossier courant s’il contient les données, sinon ./data, sinon les données "
            "d’exemple fournies."
        ),
        file_okay=False,
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", metavar="fr|en", help=_("Langue des messages : fr ou en (par défaut selon LANG)."), show_default=False
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help=_("Remplacer le fichier de sortie s’il existe déjà (jamais un fichier de données).")),
]
ParentsOption = Annotated[bool, typer.Option("--parents", help=_("Créer les dossiers manquants du chemin de sortie."))]
TableFormatOption = Annotated[
    TableFormat, typer.Option("--format", "-f", help=_("Format de sortie."), case_sensitive=False)
]


def _data_choice(ctx: typer.Context, *, announce: bool = True) -> tuple[Path, str]:
    """The data folder and how it was chosen ("option", "env", "cwd", "local" or "bundled")."""
    state = ctx.find_root().obj
    if state is None:
        state = ctx.find_root().obj = {}
    if "data_dir" not in state:
        chosen = state.get("data")
        found = (Path(chosen), "option") if chosen is not None else paths.find_data_dir()
        directory, how = found
        if how in ("option", "env") and directory.is_dir() and not paths.holds_data(directory):
            fail(
                _(
                    "{dir} ne contient pas de données (ni {requests} ni {commitments}) : "
                    "indiquez le dossier qui les contient, par exemple --data data"
                ).format(dir=directory, requests=paths.REQUESTS_FILE, commitments=paths.COMMITMENTS_FILE),
                EXIT_USAGE,
            )
        if how == "bundled" and announce:
            sys.stderr.write(
                _(
                    "engagements: données d’exemple fournies avec le paquet ({dir}) ; pour les vôtres, "
                    "lancez la commande dans leur dossier ou indiquez --data DOSSIER"
                ).format(dir=directory)
                + "\n"
            )
        state["data_dir"] = found
    return state["data_dir"]  # type: ignore[no-any-return]


def data_dir(ctx: typer.Context, *, announce: bool = True) -> Path:
    """The data folder: `--data`, else `ENGAGEMENTS_DATA`, else the current folder when it holds
    the data files, else `./data`, else the bundled copy (said once on stderr, unless the command
    only uses the folder to name paths: `announce=False`)."""
    return _data_choice(ctx, announce=announce)[0]


# -- the output boundary ------------------------------------------------------------------------
#
# Every byte the CLI writes goes through `out`, `err`, `print_json` or a `terminal.SafeConsole`
# (`report.make_console`): text from the data never reaches a terminal with a raw control or bidi
# character (see `engagements.safety`). No other module of the CLI writes to sys.stdout or
# sys.stderr (a test checks it).


def out(text: str, *, flush: bool = False) -> None:
    """Write to standard output, control and bidi characters made visible (line ends kept)."""
    from ..safety import visible

    sys.stdout.write(visible(text))
    if flush:
        sys.stdout.flush()


def out_bytes(chunks: Iterable[bytes]) -> None:
    """Write an export to standard output (`-o -`): its bytes, already made safe by the export."""
    for chunk in chunks:
        sys.stdout.buffer.write(chunk)
    sys.stdout.flush()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


# A progress bar shows for work of at least this many units (pledges, lines), or once the work
# has lasted this long: a short run never flashes a bar.
PROGRESS_MIN_TOTAL = 2000
PROGRESS_DELAY = 0.5


def progress_wanted() -> bool:
    """A progress bar only on a terminal (stderr), never piped, under NO_COLOR or TERM=dumb."""
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr for a long operation, as a callback (done, total) for the
    core's `progress` parameter; None (nothing shown, nothing computed) when stderr is not a
    terminal. The bar starts when the total reaches `PROGRESS_MIN_TOTAL` or after
    `PROGRESS_DELAY` seconds, and is cleared when the work ends."""
    if not progress_wanted():
        yield None
        return
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..terminal import SafeConsole

    start = time.monotonic()
    state: dict[str, Any] = {}

    def tell(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            if total < PROGRESS_MIN_TOTAL and time.monotonic() - start < PROGRESS_DELAY:
                return
            bar = state["bar"] = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=SafeConsole(stderr=True, highlight=False),
                transient=True,
            )
            bar.start()
            state["task"] = bar.add_task(label, total=total)
        bar.update(state["task"], completed=done, total=total)

    try:
        yield tell
    finally:
        if "bar" in state:
            state["bar"].stop()


def err(text: str) -> None:
    """Write to standard error, control and bidi characters made visible (line ends kept)."""
    from ..safety import visible

    sys.stderr.write(visible(text))


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    from ..safety import visible

    err(f"engagements: {_('erreur')}: {visible(message, multiline=False)}\n")
    raise typer.Exit(code)


def recover_writes(directory: Path) -> None:
    """Finish or clean up what a killed write left in the data directory, and say so; when it
    cannot be done now (another writer at work, a read-only folder), warn."""
    from ..writing import data_pending_recovery

    if not directory.is_dir() or not data_pending_recovery(directory):
        return  # the usual case: one directory listing, no import
    from ..editing import recover_if_needed
    from ..loading import display_path

    for line in recover_if_needed(directory):
        say(line)
    if data_pending_recovery(directory):
        say(
            _(
                "avertissement : une écriture interrompue a laissé des fichiers temporaires dans {dir} ; "
                "la prochaine commande d’écriture les traitera"
            ).format(dir=display_path(directory))
        )


def load_data(ctx: typer.Context) -> Dataset:
    """The data, loaded and checked; on errors print every diagnostic and exit 1.

    A data set that passed every check is kept in the cache (as JSON, keyed by the bytes of the
    files and of the sources): reading YAML with positions is the slow part, and it is only
    needed to point at problems.
    """
    from .. import cache
    from ..models import Dataset

    directory = data_dir(ctx)
    if not directory.is_dir():
        fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    recover_writes(directory)
    key = cache.data_key(directory, "dataset")
    cached = cache.read("dataset", key)
    if cached is not None:
        return Dataset.model_validate(cached)
    # Only on a cache miss: loading brings ruamel.yaml, and checking reads every source.
    from .. import loading
    from ..checks import check

    loaded = loading.load_directory(directory)
    loaded.diagnostics.extend(check(loaded))
    if has_errors(loaded.diagnostics) or loaded.dataset is None:
        print_diagnostics(loaded.diagnostics, auto_format())
        raise typer.Exit(EXIT_INVALID)
    cache.write("dataset", key, loaded.dataset.model_dump(mode="json", exclude_defaults=True))
    return loaded.dataset


def load_record(ctx: typer.Context, data: Dataset) -> RecordFile:
    """The public partners' record (`record/*.yaml`), checked against `data` (from `load_data`);
    on errors print every diagnostic and exit 1. Empty when there is no `record/` folder.

    Only the commands that show the record read it (the others never pay for it), and only its
    own files. Cached like the dataset, under a key that covers the record files too.
    """
    from .. import cache
    from ..models import RecordFile
    from ..paths import record_names

    directory = data_dir(ctx)
    if not record_names(directory):
        return RecordFile(actions=[])
    key = cache.data_key(directory, "record", record=True)
    cached = cache.read("record", key)
    if cached is not None:
        return RecordFile.model_validate(cached)
    from .. import loading
    from ..checks import check_record_files

    parts = loading.load_records(directory)
    diagnostics = [d for part in parts for d in part.file.diagnostics]
    diagnostics += check_record_files(directory, parts, data)
    record = loading.merge_records([part.model for part in parts])
    if has_errors(diagnostics) or record is None:
        print_diagnostics(diagnostics, auto_format())
        raise typer.Exit(EXIT_INVALID)
    cache.write("record", key, record.model_dump(mode="json", exclude_defaults=True))
    return record


def auto_format() -> DiagnosticFormat:
    return DiagnosticFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else DiagnosticFormat.text


def print_diagnostics(diagnostics: list, fmt: DiagnosticFormat) -> None:  # type: ignore[type-arg]
    if not diagnostics:
        return
    from dataclasses import replace

    from ..safety import json_text, visible

    if fmt is DiagnosticFormat.json:
        sys.stdout.write(json_text(render(diagnostics, fmt)) + "\n")
        return
    # One line per problem: a line feed in a key name must not forge a diagnostic of its own.
    shown = [
        replace(d, file=visible(d.file, multiline=False), message=visible(d.message, multiline=False))
        for d in diagnostics
    ]
    err(render(shown, fmt) + "\n")


def print_json(value: object) -> None:
    """JSON for scripts on stdout: UTF-8 text as is, indented; characters a terminal would
    obey (DEL, C1, bidi) written as JSON escapes, which keep the values."""
    from ..jsonout import pieces as json_pieces
    from ..safety import json_text

    # The text of json.dumps(value, ensure_ascii=False, indent=2), written as it is made: json's
    # indenting encoder makes a list of millions of small pieces before joining them (1.7 GB
    # for `coverage --format json` on 100,000 pledges), and is pure Python (`jsonout`).
    pieces: list[str] = []
    for piece in json_pieces(value):
        pieces.append(piece)
        if len(pieces) >= 8192:
            sys.stdout.write(json_text("".join(pieces)))
            pieces.clear()
    sys.stdout.write(json_text("".join(pieces)) + "\n")


def emit_table(table: Table, fmt: TableFormat) -> None:
    from ..tables import to_csv, to_json

    if fmt is TableFormat.json:
        from ..safety import json_text

        sys.stdout.write(json_text(to_json(table)) + "\n")
    elif fmt is TableFormat.csv:
        out(to_csv(table))
    else:
        from ..terminal import print_table

        print_table(table)


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


class GapsFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class RequestLevel(StrEnum):
    question = "question"
    demand = "demand"
    all = "all"


ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help=_("Format de sortie."), case_sensitive=False)
]
ListFilter = Annotated[
    list[str] | None,
    typer.Option("--list", "-l", help=_("Seulement cette liste (option répétable)."), show_default=False),
]
RequestFilter = Annotated[
    list[str] | None,
    typer.Option("--request", "-r", help=_("Seulement cette demande (option répétable)."), show_default=False),
]
NoLinksOption = Annotated[
    bool,
    typer.Option("--no-links", help=_("Ignorer les liens confirmés et rejetés : ce que trouve l’appariement seul.")),
]
NoPartnersOption = Annotated[
    bool,
    typer.Option(
        "--sans-partenaires",
        "--no-institutions",
        help=_("Ne pas montrer les engagements des partenaires publics (listes de type institution)."),
    ),
]
ByCompetenceOption = Annotated[
    bool,
    typer.Option(
        "--par-competence",
        "--by-competence",
        help=_(
            "Regrouper par niveau compétent (commune, CCAS, Métropole, Département, Région, État…), "
            "selon une source ou l’appréciation de l’équipe : rien n’est caché, chaque manque est attribué."
        ),
    ),
]
LevelOption = Annotated[
    RequestLevel,
    typer.Option(
        "--level",
        help=_("question : les questions posées aux listes ; demand : les demandes fines, par axe ; all : toutes."),
        case_sensitive=False,
    ),
]


def check_ids(kind: str, wanted: list[str] | None, known: list[str]) -> None:
    """Unknown ids in a filter are a usage error, with a suggestion."""
    from ..diagnostics import did_you_mean

    for value in wanted or []:
        if value not in known:
            fail(_("{kind} « {id} » inconnue").format(kind=kind, id=value) + did_you_mean(value, known), EXIT_USAGE)


def findings_for(ctx: typer.Context, use_links: bool = True) -> Findings:
    """Every link and suggestion and the whole coverage matrix, computed once per data set.

    Cached (keyed by the bytes of the data, its sources, the lexicon and the code): every view
    reads this one result, and filters only choose what it displays.
    """
    from .. import cache
    from ..coverage import Findings, compute

    directory = data_dir(ctx)
    recover_writes(directory)
    key = cache.data_key(directory, "findings", str(use_links))
    # This command's findings, once found: `coverage` asks twice (candidates, then partners), and
    # reading them back from the cache parses the whole result (hundreds of MB at 100,000 pledges).
    memo: dict[str, Findings] = ctx.meta.setdefault("engagements.findings", {})
    if key is not None and key in memo:
        return memo[key]
    cached = cache.read("findings", key)
    if cached is not None:
        result = Findings.from_dict(cached)
    else:
        data = load_data(ctx)
        say_semantic_notice()
        with progress_bar(_("Appariement des engagements")) as progress:
            result = compute(data, use_links=use_links, progress=progress)
        cache.write("findings", key, result.to_dict(stream=True))  # its cells made as they are written
    if key is not None:
        memo[key] = result
    return result


def say_semantic_notice() -> None:
    """Once per run that scores pairs: say when the semantic half of the matcher is off."""
    from ..matching import semantic_notice

    notice = semantic_notice()
    if notice:
        err(f"engagements: {notice}\n")


def ranked_rows(
    ctx: typer.Context, top: int, lists: list[str] | None, requests: list[str] | None, use_links: bool
) -> list[dict[str, Any]]:
    """`match --top K`: each pledge's K best requests by score whatever the floors, with the
    texts of both sides and each pair's origin in words; `level` is None under the floors."""
    from ..marks import origin_text
    from ..matching import rank

    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    check_ids(_("demande"), requests, [r.id for r in data.requests.requests])
    say_semantic_notice()
    texts = {c.id: c.text for lst in data.commitments.lists for c in lst.commitments}
    titles = {r.id: r.title for r in data.requests.requests}
    wanted = set(requests) if requests else None
    rows = []
    with progress_bar(_("Appariement des engagements")) as progress:
        ranking = rank(data, top=top, use_links=use_links, lists=with_parts(data, lists), progress=progress)
    for ranked in ranking:
        if wanted is not None and ranked.request not in wanted:
            continue
        row = ranked.as_dict()
        if ranked.level is None:
            row["origin"] = _("sous le seuil de suggestion (score {score})").format(score=ranked.score)
        else:
            row["origin"] = origin_text(ranked.source, ranked.score)
        row["commitment_text"] = texts[ranked.commitment]
        row["request_title"] = titles.get(ranked.request, "")
        rows.append(row)
    return rows


def with_parts(data: Dataset, lists: list[str] | None) -> list[str] | None:
    """`--list` of a merged list also selects the lists it holds: their pledges are its pledges
    (each row keeps, in `list`, the list the pledge is written under)."""
    if not lists:
        return lists
    from ..mergers import members

    held = members(data.commitments.lists)
    return list(dict.fromkeys(m for list_id in lists for m in held.get(list_id, (list_id,))))


def suggestion_rows(
    ctx: typer.Context, lists: list[str] | None, requests: list[str] | None, use_links: bool, min_score: int
) -> list[dict[str, Any]]:
    """The links and suggestions `match` shows for these filters, with the texts of both sides
    and each one's origin in words ("✔ confirmé par … le …", "? suggestion à vérifier (score …)")."""
    from ..marks import origin_text

    data = load_data(ctx)
    check_ids(_("liste"), lists, [lst.id for lst in data.commitments.lists])
    check_ids(_("demande"), requests, [r.id for r in data.requests.requests])
    texts = {c.id: c.text for lst in data.commitments.lists for c in lst.commitments}
    titles = {r.id: r.title for r in data.requests.requests}
    rows = []
    for s in findings_for(ctx, use_links).select(with_parts(data, lists), requests, min_score):
        row = dict(s)
        row["origin"] = origin_text(s["source"], s["score"], s.get("by"), s.get("date"))
        row["commitment_text"] = texts[s["commitment"]]
        row["request_title"] = titles.get(s["request"], "")
        rows.append(row)
    return rows


def coverage_for(
    ctx: typer.Context, level: RequestLevel, lists: list[str] | None, use_links: bool, requests: list[str] | None = None
) -> Coverage:
    """The view of the one coverage matrix at `level`, for `lists` and `requests`."""
    findings = findings_for(ctx, use_links)
    check_ids(_("liste"), lists, [c.id for c in findings.coverage.columns])
    check_ids(_("demande"), requests, [r.id for r in findings.coverage.rows])
    return findings.view(level.value, lists, requests)  # type: ignore[arg-type]


def partners_for(
    ctx: typer.Context, level: RequestLevel, lists: list[str] | None, use_links: bool, requests: list[str] | None = None
) -> tuple[Coverage, list[PartnerCell]]:
    """The public partners' view (institution lists), apart from the candidate matrix; the ids
    were checked by `coverage_for`."""
    from ..coverage import partners

    return partners(findings_for(ctx, use_links), level.value, lists, requests)  # type: ignore[arg-type]


T = TypeVar("T")


def parse_date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(_("date invalide « {value} » : attendu AAAA-MM-JJ").format(value=value)) from None


PledgeArgument = Annotated[
    str,
    typer.Argument(metavar=_("ENGAGEMENT"), help=_("Identifiant de l’engagement (ex. aec-q1-01)."), show_default=False),
]
RequestArgument = Annotated[
    str,
    typer.Argument(metavar=_("DEMANDE"), help=_("Identifiant de la demande (ex. q1)."), show_default=False),
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", metavar=_("NOM"), help=_("Qui prend la décision (noté avec le lien)."), show_default=False),
]
DateOption = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        help=_("Date de la décision (AAAA-MM-JJ)."),
        parser=parse_date,
        metavar=_("AAAA-MM-JJ"),
        show_default=False,
    ),
]


def writable_dir(ctx: typer.Context, *, writing: bool = True) -> Path:
    """The data directory, refused when missing or, for a write, when it is the installed package's copy."""
    directory, how = _data_choice(ctx, announce=not writing)
    if not directory.is_dir():
        fail(_("dossier de données introuvable : {dir}").format(dir=directory), EXIT_USAGE)
    if writing and (how == "bundled" or directory.resolve() == (Path(paths.__file__).parent / "data").resolve()):
        fail(
            _(
                "refus d’écrire dans les données d’exemple fournies avec le paquet ({dir}) : elles seraient "
                "perdues à la prochaine installation. Copiez-les (cp -r {dir} mes-donnees), puis lancez la "
                "commande dans ce dossier ou avec --data mes-donnees"
            ).format(dir=directory),
            EXIT_USAGE,
        )
    return directory


def run_edit(action: Callable[[], T]) -> T:
    """Run a core edit; a refusal becomes its diagnostics, one error line, and exit 1 (2 when
    the refusal is an unknown id typed on the command line)."""
    from ..editing import EditError, UnknownId

    try:
        return action()
    except EditError as error:
        print_diagnostics(error.diagnostics, auto_format())
        fail(error.message, EXIT_USAGE if isinstance(error, UnknownId) else EXIT_INVALID)


def say(message: str) -> None:
    err(message + "\n")


def report_outcome(directory: Path, outcome: Outcome, done: str, unchanged: str, displaced: str | None = None) -> None:
    """One line on stderr: what changed in the file that holds the pledge, or that nothing did."""
    from ..paths import display_path

    if not outcome.changed:
        say(unchanged)
    else:
        message = displaced if outcome.displaced and displaced else done
        say(_("{file} : {change}").format(file=display_path(directory / outcome.file), change=message))


def write_file_output(
    ctx: typer.Context, output: Path, content: bytes, *, force: bool, parents: bool, own: Callable[[Path], bool]
) -> None:
    """Write a one-file output (`brief -o`, `schema -o`) by the `-o` rules: a data file, a device
    or another program's file is never replaced (`own` tells this command's previous output,
    which may be); a failed write replaces nothing. Usage errors exit 2, write errors 1."""
    from ..paths import display_path
    from ..writing import OutputError, check_output, write_output

    try:
        check_output(output, data_dir=data_dir(ctx), force=force, parents=parents, own=own)
        write_output(output, content, parents=parents)
    except OutputError as error:
        fail(error.message, EXIT_USAGE)
    except OSError as error:
        fail(
            _("impossible d’écrire {file} : {reason} ; rien n’a été remplacé").format(
                file=display_path(output), reason=error.strerror or error
            )
        )
