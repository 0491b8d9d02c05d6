"""Cross-file integrity rules, run on a loaded data directory.

Loading checks each file against its model; these rules need both files at once: unique ids,
links that name existing requests, sources that exist, quotes found in their source text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .diagnostics import Diagnostic, did_you_mean
from .french import unify
from .i18n import _
from .loading import Loaded, RecordPart, YamlFile
from .models import CandidateList, CommitmentsFile, Competence, Dataset, Provenance, RecordFile, RequestsFile, Source
from .reading import ReadRefused, max_bytes, read_bounded

_SPACE = re.compile(r"\s+")
_TAGS = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>")


@dataclass(frozen=True)
class SourceText:
    """A source document with whitespace removed, and the line each remaining character is on."""

    compact: str
    lines: tuple[int, ...]


@cache
def read_source(path: Path) -> SourceText | ReadRefused:
    """Read a source document, or say why it was not read; cached, since many quotes share one."""
    try:
        raw = read_bounded(path, max_bytes())
    except ReadRefused as refused:
        return refused
    # HTML tags of table fragments in an extraction are layout, not text ("3<sup>e</sup>").
    text = _TAGS.sub("", unify(raw.decode("utf-8", errors="replace")))
    # Line by line rather than character by character: a few C calls per line, not a Python
    # step per character (a 350 kB source took 0.13 s). `str.split("\n")` keeps every other
    # line break (CR, U+2028…) inside its line, where `\s` drops it, as the old loop did.
    chars: list[str] = []
    lines: list[int] = []
    for number, row in enumerate(text.split("\n"), start=1):
        compact = _SPACE.sub("", row)
        if compact:
            chars.append(compact)
            lines.extend([number] * len(compact))
    return SourceText("".join(chars), tuple(lines))


def quote_pattern(text: str) -> re.Pattern[str]:
    """A pattern for `text` that tolerates the PDF extraction's artefacts.

    Whitespace (and so line breaks) is ignored, apostrophes are unified, and each "ff" may
    have come out as one stray letter ("eJectifs", "oOre", "aeecter").
    """
    compact = _SPACE.sub("", unify(text))
    parts = [re.escape(chunk) for chunk in compact.split("ff")]
    return re.compile("(?:ff|.)".join(parts), re.DOTALL)


def _tolerant_end(chunks: list[str], source: str, at: int, i: int = 1) -> int | None:
    """Where a match of `chunks` joined by "ff or one stray letter" ends when its chunk `i`
    starts right after `at`, trying "ff" first, then one letter: the end `quote_pattern`'s
    regex finds, without building it (compiling a long pattern costs far more than the search)."""
    if i == len(chunks):
        return at
    for step in (2, 1):
        if step == 2 and not source.startswith("ff", at):
            continue
        if at + step > len(source):
            continue
        nxt = at + step
        if source.startswith(chunks[i], nxt):
            end = _tolerant_end(chunks, source, nxt + len(chunks[i]), i + 1)
            if end is not None:
                return end
    return None


def _tolerant_matches(compact: str, source: str, pos: int = 0) -> Iterator[int]:
    """The starts of the successive non-overlapping matches of `quote_pattern` at or after
    `pos`, as its `finditer` gives them."""
    chunks = compact.split("ff")
    if not chunks[0] or len(chunks) > 12:  # a quote starting with "ff", or too many junctions
        for match in quote_pattern(compact).finditer(source, pos):
            yield match.start()
        return
    head = chunks[0]
    start = source.find(head, pos)
    while start >= 0:
        end = _tolerant_end(chunks, source, start + len(head))
        if end is None:
            start = source.find(head, start + 1)
            continue
        yield start
        start = source.find(head, end)


def _may_match_earlier(compact: str, source: str, start: int) -> bool:
    """Whether a quote found exactly at `start` may also match, with a stray letter for an
    "ff", somewhere before: only where the text before its first "ff" occurs earlier (building
    the tolerant pattern costs more than the search, for a long quote)."""
    head = compact.split("ff", 1)[0]
    return not head or source.find(head, 0, start + len(head) - 1) >= 0


def find_quote(text: str, source: SourceText, line: int | None = None) -> int | None:
    """The line where `text` starts in `source`, or None when it is not there.

    With `line`, an occurrence at that line is preferred to an earlier one (a title that a table
    of contents repeats)."""
    compact = _SPACE.sub("", unify(text))
    exact = start = source.compact.find(compact)  # most quotes are exact: no pattern to build
    if start < 0 or ("ff" in compact and _may_match_earlier(compact, source.compact, start)):
        # where "ff" may be one stray letter, an earlier match may exist
        first = next(_tolerant_matches(compact, source.compact), None)
        if first is None:
            return None
        start = first
    found = source.lines[start] if source.lines else 1
    if line is None or found == line:
        return found
    # The same text printed again further on (a row repeated in each neighbourhood's table):
    # its exact occurrences first, no pattern to build; lines only grow along the text.
    while exact >= 0 and source.lines[exact] <= line:
        if source.lines[exact] == line:
            return line
        exact = source.compact.find(compact, exact + 1)
    for other in _tolerant_matches(compact, source.compact, start + 1):
        if source.lines[other] == line:
            return line
    return found


def _duplicates(
    items: Iterable[tuple[str, tuple[str | int, ...]]],
) -> Iterator[tuple[str, tuple[str | int, ...], tuple[str | int, ...]]]:
    first: dict[str, tuple[str | int, ...]] = {}
    for key, path in items:
        if key in first:
            yield key, path, first[key]
        else:
            first[key] = path


class _Checker:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.diagnostics: list[Diagnostic] = []
        # Each source file is looked up, and its problem reported, once per data file.
        self._documents: dict[tuple[str, str], Path | None] = {}

    def report(
        self, file: YamlFile, path: tuple[str | int, ...], message: str, code: str, *, level: str = "error"
    ) -> None:
        line, col = file.position(path)
        self.diagnostics.append(Diagnostic(file.name, line, col, message, code, level))  # type: ignore[arg-type]

    def unique(self, file: YamlFile, items: Iterable[tuple[str, tuple[str | int, ...]]], what: str) -> None:
        for key, path, first in _duplicates(items):
            first_line = file.position(first)[0]
            self.report(
                file,
                path,
                _("{what} « {id} » en double (déjà utilisé ligne {line}) : chaque identifiant doit être unique").format(
                    what=what, id=key, line=first_line
                ),
                "duplicate-id",
            )

    def run(self) -> list[Diagnostic]:
        """Each valid file's own rules; links to requests checked against requests.yaml's ids,
        read from its data when the file fails its schema (so both files' problems come at once)."""
        if self.loaded.requests is not None:
            self.check_requests(self.loaded.requests)
        request_ids = (
            {r.id for r in self.loaded.requests.requests}
            if self.loaded.requests
            else _readable_ids(self.loaded.requests_file.data, "requests")
        )
        for part in self.loaded.parts:
            if part.model is not None:
                self.check_commitments(part.model, request_ids, part.file)
        self.unique_across_parts()
        if self.loaded.records:
            lists_known = all(part.model is not None for part in self.loaded.parts)
            lists = [lst for part in self.loaded.parts for lst in (part.model.lists if part.model else [])]
            self.check_records(request_ids, _pledge_kinds(lists) if lists_known else None)
        return self.diagnostics

    def check_records(self, request_ids: set[str] | None, pledges: tuple[set[str], set[str]] | None) -> None:
        """The files of `record/`: each on its own, then action ids unique across them.

        `implements` names pledges of institution lists: a candidate list's pledge is an error;
        an unknown id is a warning when some institution list is loaded (it may hold only part
        of its document), and accepted when none is (the bundled data read the Contrat de ville
        from `lists/`, so every link is checked; tests/test_record.py says they all resolve).
        """
        first: dict[str, tuple[YamlFile, tuple[str | int, ...]]] = {}
        for record in self.loaded.records:
            if record.model is None:
                continue
            self.check_record(record.model, record.file, request_ids, pledges)
            mine: set[str] = set()
            for i, action in enumerate(record.model.actions):
                path: tuple[str | int, ...] = ("actions", i, "id")
                if action.id in mine:
                    continue  # reported by the file's own check
                mine.add(action.id)
                if action.id in first:
                    other, where = first[action.id]
                    self.report(
                        record.file,
                        path,
                        _(
                            "{what} « {id} » en double (déjà utilisé dans {file} ligne {line}) : "
                            "chaque identifiant doit être unique"
                        ).format(
                            what=_("identifiant d’action"), id=action.id, file=other.name, line=other.position(where)[0]
                        ),
                        "duplicate-id",
                    )
                else:
                    first[action.id] = (record.file, path)

    def check_record(
        self,
        record: RecordFile,
        rf: YamlFile,
        request_ids: set[str] | None,
        pledges: tuple[set[str], set[str]] | None,
    ) -> None:
        """One record file: unique ids, its own sources, quotes and figures found, links that name
        existing requests and public pledges."""
        sources = {s.id: s for s in record.sources}
        self.unique(
            rf, ((s.id, ("sources", i, "id")) for i, s in enumerate(record.sources)), _("identifiant de source")
        )
        self.unique(rf, ((a.id, ("actions", i, "id")) for i, a in enumerate(record.actions)), _("identifiant d’action"))
        requests_file = self.loaded.requests_file.name
        for i, action in enumerate(record.actions):
            path: tuple[str | int, ...] = ("actions", i)
            self.provenance(rf, path, action.provenance, action.text, sources)
            printed = _SPACE.sub("", unify(action.text)) + "\0" + _SPACE.sub("", unify(action.action))
            for k, figure in enumerate(action.figures):
                if _SPACE.sub("", unify(figure)) not in printed:
                    self.report(
                        rf,
                        (*path, "figures", k),
                        _(
                            "chiffre « {figure} » absent du texte de l’action : recopiez-le tel qu’il est imprimé "
                            "dans son descriptif (text) ou son nom (action)"
                        ).format(figure=figure),
                        "figure-not-in-text",
                    )
            for k, link in enumerate(action.answers):
                if request_ids is not None and link.request not in request_ids:
                    self.report(
                        rf,
                        (*path, "answers", k),
                        _("demande « {id} » inconnue dans {file}").format(id=link.request, file=requests_file)
                        + did_you_mean(link.request, request_ids),
                        "unknown-request",
                    )
            if pledges is None:
                continue
            institution, candidate = pledges
            for k, done in enumerate(action.implements):
                if done.commitment in candidate and done.commitment not in institution:
                    self.report(
                        rf,
                        (*path, "implements", k, "commitment"),
                        _(
                            "« {id} » est un engagement d’une liste candidate : « implements » ne nomme que des "
                            "engagements de partenaires publics (listes de type institution)"
                        ).format(id=done.commitment),
                        "not-an-institution-pledge",
                    )
                elif institution and done.commitment not in institution:
                    self.report(
                        rf,
                        (*path, "implements", k, "commitment"),
                        _("engagement « {id} » inconnu parmi les listes de partenaires publics").format(
                            id=done.commitment
                        )
                        + did_you_mean(done.commitment, institution),
                        "unknown-commitment",
                        # a warning: a data set may hold only part of a partner's document
                        level="warning",
                    )

    def unique_across_parts(self) -> None:
        """Source, list and pledge ids are unique across the files that hold lists, too.

        Each file checks its own duplicates; here, an id already used in an earlier file.
        """
        kinds: tuple[tuple[str, Callable[[CommitmentsFile], Iterable[tuple[str, tuple[str | int, ...]]]]], ...] = (
            (_("identifiant de source"), lambda m: ((s.id, ("sources", i, "id")) for i, s in enumerate(m.sources))),
            (_("identifiant de liste"), lambda m: ((lst.id, ("lists", i, "id")) for i, lst in enumerate(m.lists))),
            (
                _("identifiant d’engagement"),
                lambda m: (
                    (c.id, ("lists", i, "commitments", j, "id"))
                    for i, lst in enumerate(m.lists)
                    for j, c in enumerate(lst.commitments)
                ),
            ),
        )
        parts = [(part, part.model) for part in self.loaded.parts if part.model is not None]
        if len(parts) < 2:
            return
        for what, ids in kinds:
            first: dict[str, tuple[YamlFile, tuple[str | int, ...]]] = {}
            for part, model in parts:
                mine: dict[str, tuple[str | int, ...]] = {}
                for key, path in ids(model):
                    if key in mine:
                        continue  # a duplicate inside this file: reported by the file's own check
                    mine[key] = path
                    if key in first:
                        other, where = first[key]
                        self.report(
                            part.file,
                            path,
                            _(
                                "{what} « {id} » en double (déjà utilisé dans {file} ligne {line}) : "
                                "chaque identifiant doit être unique"
                            ).format(what=what, id=key, file=other.name, line=other.position(where)[0]),
                            "duplicate-id",
                        )
                for key, path in mine.items():
                    first.setdefault(key, (part.file, path))

    def check_requests(self, req: RequestsFile) -> None:
        rf = self.loaded.requests_file
        self.unique(
            rf, ((r.id, ("requests", i, "id")) for i, r in enumerate(req.requests)), _("identifiant de demande")
        )
        self.unique(rf, ((a.id, ("axes", i, "id")) for i, a in enumerate(req.axes)), _("identifiant d’axe"))
        self.unique(rf, ((s.id, ("sources", i, "id")) for i, s in enumerate(req.sources)), _("identifiant de source"))
        axis_ids = {a.id for a in req.axes}
        req_sources = {s.id: s for s in req.sources}

        if req.collective and req.collective.document and req.collective.document not in req_sources:
            self.report(
                rf,
                ("collective", "document"),
                self._unknown_source(req.collective.document, req_sources),
                "unknown-source",
            )
        for i, axis in enumerate(req.axes):
            self.provenance(rf, ("axes", i), axis.provenance, axis.text, req_sources)
        for i, r in enumerate(req.requests):
            if r.axis is not None and r.axis not in axis_ids:
                self.report(
                    rf,
                    ("requests", i, "axis"),
                    _("axe « {id} » inconnu").format(id=r.axis) + did_you_mean(r.axis, axis_ids),
                    "unknown-axis",
                )
            self.provenance(rf, ("requests", i), r.provenance, r.text, req_sources)
            self.competence(rf, ("requests", i), r.competence, req_sources)

    def check_commitments(self, com: CommitmentsFile, request_ids: set[str] | None, cf: YamlFile) -> None:
        """One file that holds lists (`cf`), on its own: its lists refer to the sources it declares.

        `request_ids` is None when requests.yaml is invalid: links are then not checked.
        """
        rf = self.loaded.requests_file
        com_sources = {s.id: s for s in com.sources}
        self.unique(cf, ((s.id, ("sources", i, "id")) for i, s in enumerate(com.sources)), _("identifiant de source"))
        self.unique(cf, ((lst.id, ("lists", i, "id")) for i, lst in enumerate(com.lists)), _("identifiant de liste"))
        self.unique(
            cf,
            (
                (c.id, ("lists", i, "commitments", j, "id"))
                for i, lst in enumerate(com.lists)
                for j, c in enumerate(lst.commitments)
            ),
            _("identifiant d’engagement"),
        )
        for i, lst in enumerate(com.lists):
            for k, sid in enumerate(lst.sources):
                if sid not in com_sources:
                    self.report(
                        cf, ("lists", i, "sources", k), self._unknown_source(sid, com_sources), "unknown-source"
                    )
            for j, c in enumerate(lst.commitments):
                path = ("lists", i, "commitments", j)
                for field in ("answers", "rejects"):
                    for k, link in enumerate(getattr(c, field)):
                        if request_ids is not None and link.request not in request_ids:
                            self.report(
                                cf,
                                (*path, field, k),
                                _("demande « {id} » inconnue dans {file}").format(id=link.request, file=rf.name)
                                + did_you_mean(link.request, request_ids),
                                "unknown-request",
                            )
                answered = {a.request for a in c.answers}
                for k, link in enumerate(c.rejects):
                    if link.request in answered:
                        self.report(
                            cf,
                            (*path, "rejects", k),
                            _(
                                "le lien vers « {id} » est à la fois confirmé (answers) et rejeté (rejects) : gardez l’un des deux"
                            ).format(id=link.request),
                            "conflicting-link",
                        )
                self.provenance(cf, path, c.provenance, c.text, com_sources)
                self.competence(cf, path, c.competence, com_sources)

    def competence(
        self, file: YamlFile, path: tuple[str | int, ...], competence: Competence | None, sources: dict[str, Source]
    ) -> None:
        """A competence's rules (`competence.check_competence`); its quote is checked against the
        source's file as provenances are, each missing or unreadable file reported once."""
        if competence is None:
            return
        from .competence import check_competence

        def report(at: tuple[str | int, ...], message: str, code: str, level: str) -> None:
            self.report(file, (*path, "competence", *at), message, code, level=level)

        check_competence(competence, sources, lambda source: self.source_document(file, source, sources), report)

    @staticmethod
    def _unknown_source(sid: str, sources: dict[str, Source]) -> str:
        return _("source « {id} » inconnue : déclarez-la dans « sources: »").format(id=sid) + did_you_mean(sid, sources)

    def provenance(
        self,
        file: YamlFile,
        path: tuple[str | int, ...],
        prov: Provenance | None,
        text: str | None,
        sources: dict[str, Source],
    ) -> None:
        if prov is None:
            return
        source = sources.get(prov.source)
        if source is None:
            self.report(
                file, (*path, "provenance", "source"), self._unknown_source(prov.source, sources), "unknown-source"
            )
            return
        if source.file is None or text is None:
            return
        document = self.source_document(file, source, sources)
        if document is None:
            return
        content = read_source(document)
        assert isinstance(content, SourceText)  # source_document read it
        found = find_quote(text, content, prov.line)
        if found is None:
            self.report(
                file,
                (*path, "text"),
                _("texte introuvable dans la source {file} : recopiez-le tel qu’il y figure").format(file=source.file),
                "quote-not-found",
            )
        elif prov.line is not None and found != prov.line:
            self.report(
                file,
                (*path, "provenance", "line"),
                _("la citation commence ligne {found} de {file}, pas ligne {line}").format(
                    found=found, file=source.file, line=prov.line
                ),
                "wrong-line",
                level="warning",
            )

    def source_document(self, file: YamlFile, source: Source, sources: dict[str, Source]) -> Path | None:
        """The readable source file quotes are checked against; None (reported once) if there is none."""
        key = (file.name, source.id)
        if key not in self._documents:
            self._documents[key] = self._find_document(file, source, sources)
        return self._documents[key]

    def _find_document(self, file: YamlFile, source: Source, sources: dict[str, Source]) -> Path | None:
        assert source.file is not None
        base = self.loaded.directory.resolve()
        candidate = (base / source.file).resolve()
        at = ("sources", list(sources).index(source.id), "file")
        if Path(source.file).is_absolute() or not candidate.is_relative_to(base):
            self.report(
                file,
                at,
                _("le fichier source doit être un chemin relatif à l’intérieur du dossier de données"),
                "unsafe-path",
            )
            return None
        if not candidate.exists():
            self.report(
                file,
                at,
                _("fichier source {file} absent : les citations ne sont pas vérifiées").format(file=source.file),
                "missing-source",
                level="warning",
            )
            return None
        content = read_source(candidate)
        if isinstance(content, ReadRefused):
            # Not a warning: an invented quote must not pass as checked.
            self.report(
                file,
                at,
                _("fichier source {file} non lu, les citations ne peuvent pas être vérifiées : {problem}").format(
                    file=source.file, problem=content.message
                ),
                "unreadable-source",
            )
            return None
        return candidate


def _pledge_kinds(lists: Iterable[CandidateList]) -> tuple[set[str], set[str]]:
    """The pledge ids of the institution lists, and those of the candidate lists."""
    institution: set[str] = set()
    candidate: set[str] = set()
    for lst in lists:
        (institution if lst.kind == "institution" else candidate).update(c.id for c in lst.commitments)
    return institution, candidate


def check_record_files(directory: Path, records: list[RecordPart], data: Dataset) -> list[Diagnostic]:
    """What `check` says of the files of `record/`, against a data set that passed its own checks
    (the cached one): the commands that show the record read only its files, not the others again."""
    from .paths import REQUESTS_FILE, display_path

    requests = YamlFile(directory / REQUESTS_FILE, display_path(directory / REQUESTS_FILE))
    loaded = Loaded(directory, data, [], requests, requests, data.requests, data.commitments, [], records)
    checker = _Checker(loaded)
    checker.check_records({r.id for r in data.requests.requests}, _pledge_kinds(data.commitments.lists))
    return checker.diagnostics


def check(loaded: Loaded) -> list[Diagnostic]:
    """The integrity diagnostics of a loaded data directory (empty when it is consistent).

    A file that failed its schema is skipped, but the other one is still checked on its own.
    """
    from .mergers import check_mergers
    from .meter import check_history, check_lists  # the meter builds on this module's quote search
    from .outline import check_parents

    return (
        _Checker(loaded).run()
        + check_history(loaded)
        + check_lists(loaded)
        + check_mergers(loaded)
        + check_parents(loaded)
    )


def _readable_ids(data: object, key: str) -> set[str] | None:
    """The ids of a file that failed its schema, when its data says every one of them plainly;
    None otherwise (a syntax error, or an item whose id is itself wrong: a link to it would be
    reported as unknown although the mistake is the id's, already reported)."""
    import re

    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(i, str) and re.fullmatch(r"[A-Za-z0-9._-]{1,100}", i) for i in ids):
        return None
    return set(ids)  # type: ignore[arg-type]


# What `engagements import` leaves for a person to fill in (see importer.TITLE_PLACEHOLDER).
TO_COMPLETE = "À COMPLÉTER"


def strict_checks(loaded: Loaded) -> list[Diagnostic]:
    """What `validate --strict` adds: placeholders an import left to complete, and sources
    without `file:` (their quotes cannot be checked). Warnings, each at its place."""
    found: list[Diagnostic] = []
    for source_file in (loaded.requests_file, loaded.commitments_file):
        for loc, value in _strings(source_file.data, ()):
            if TO_COMPLETE in value:
                line, col = source_file.position(loc)
                found.append(
                    Diagnostic(
                        source_file.name,
                        line,
                        col,
                        _("à compléter : « {text} » a été laissé par l’import").format(text=value[:80]),
                        "to-complete",
                        "warning",
                    )
                )
    data = loaded.commitments_file.data
    sources = data.get("sources") if isinstance(data, dict) else None
    for i, source in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(source, dict) and not source.get("file"):
            line, col = loaded.commitments_file.position(("sources", i))
            found.append(
                Diagnostic(
                    loaded.commitments_file.name,
                    line,
                    col,
                    _("source « {id} » sans fichier (file:) : ses citations ne sont pas vérifiées").format(
                        id=source.get("id", "?")
                    ),
                    "source-without-file",
                    "warning",
                )
            )
    return found


def _strings(node: object, loc: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        return [(loc, node)]
    if isinstance(node, dict):
        return [found for k, v in node.items() for found in _strings(v, (*loc, k))]
    if isinstance(node, list):
        return [found for i, v in enumerate(node) for found in _strings(v, (*loc, i))]
    return []
