"""From a candidate's letter or programme in plain text to draft pledges, for a person to review.

The texts are extracted from PDFs (see ``data/sources/README.md``). They are read line by line and
these shapes are recognised:

- a numbered heading ``1- Sur …`` (a question of the collective, as a letter restates it) opens a
  section; it runs over the following lines until one ends a sentence;
- a paragraph that starts with ``Pour`` and reads as a title (short, no final punctuation) opens a
  subsection of the current section;
- a bullet ``- …`` is one pledge; it runs over the following lines, and after blank lines a line
  that starts in lower case still belongs to it (the extraction breaks sentences across blank
  lines); an empty bullet ``-`` is skipped;
- a numbered programme item ``12. …`` holds one measure per line, and a line that holds several
  sentences is cut before each one that starts with an infinitive, the way programmes word a
  measure ("… du Pays d’Aix. Expérimenter …"); other sentences stay with the one before.

Prose paragraphs are left out: telling a measure written in prose from commentary needs a reader.

The extraction also turned each ``ff``/``ffi`` ligature into one stray letter; `repair_artefacts`
documents what is repaired. The repaired text is still found in the source by
`checks.find_quote`, which tolerates exactly these artefacts.

Nothing here prints or exits: errors are exceptions that carry a message for the user.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import ascii_lowercase
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .french import repair_artefacts
from .i18n import _
from .loading import display_path, max_bytes
from .models import CandidateList, Commitment, Provenance, Source
from .paths import COMMITMENTS_FILE, LISTS_DIR, schema_reference

# Ids must leave room for the pledge suffix ("-q10a-12") under the model's 100-character limit.
MAX_LIST_ID = 60
_ID = re.compile(r"^[A-Za-z0-9._-]+$")

# The draft is data of the French dataset: its comments, notes and placeholders stay in French
# whatever the interface language, like the rest of data/commitments.yaml.
TITLE_PLACEHOLDER = "À COMPLÉTER : titre du document"
_HEADER = (
    "yaml-language-server: $schema={schema}\n"
    "BROUILLON à relire, produit par « engagements import » depuis :\n"
    "  {origin}\n"
    "Vérifiez chaque engagement (texte, découpage, rubrique), supprimez ce qui n’en est pas un,\n"
    "ajoutez les mesures rédigées en prose et complétez la source (titre, auteur, date, kind)."
)
_APPEND_COMMENT = "Importé par « engagements import » depuis {origin} : brouillon à relire."
_OUTSIDE_NOTE = (
    "Texte importé de {origin}, hors du dossier de données : copiez-le dans sources/ et indiquez-le "
    "dans « file: » pour que les citations soient vérifiées."
)
_REPEATED = {"bullet": "Puce répétée à l’identique {where}.", "item": "Mesure répétée à l’identique {where}."}


class ImportFileError(Exception):
    """The text to import cannot be read; the message is for the user, in the interface language."""


# Extraction artefacts are repaired by `french.repair_artefacts` (one place for that rule).


_SPACES = re.compile(r"\s+")


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph with single spaces.

    A line that ends with a hyphen right after a letter is a compound word cut by the layout
    ("non-" / "binarité"): it is joined without a space.
    """
    joined = ""
    for line in lines:
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        # Only the end is looked at: a bullet may run over thousands of lines.
        if joined and not (joined[-1] == "-" and joined[-2:-1].isalpha()):
            joined += " "
        joined += line
    return joined


# --- Sentences and measures ----------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?…][»”\")]*$")
# Told (lines read, lines) as a text is read, for a progress bar; the core itself never prints.
Progress = Callable[[int, int], None]
_PROGRESS_LINES = 1000
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_REFLEXIVE = re.compile(r"^(?:[Ss]['’]|[Ss]e\s+)")
# Words that end like an infinitive but start sentences or titles as something else.
_NOT_INFINITIVES = frozenset(
    """notre votre entre contre outre autre leur premier dernier hier cher centre cadre ordre nombre
    membre libre propre titre ministre maire culture nature structure histoire mémoire territoire
    avenir loisir loisirs plaisir désir espoir soir""".split()  # noqa: SIM905 - a word list reads better as text
)


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with a full stop, "!", "?" or "…" (possibly before a closing quote)."""
    return bool(_TERMINAL.search(text.rstrip()))


def starts_with_infinitive(sentence: str) -> bool:
    """Whether `sentence` starts with a capitalised infinitive ("Expérimenter", "S’appuyer").

    Programmes state each measure as an infinitive, so such a sentence is a measure of its own.
    """
    sentence = sentence.lstrip('«“"( ')
    if not sentence or not sentence[0].isupper():
        return False
    word_match = _FIRST_WORD.match(_REFLEXIVE.sub("", sentence))
    if word_match is None:
        return False
    word = word_match.group(0)
    lower = word.lower()
    return (
        len(word) >= 4
        and word[1:] == word[1:].lower()
        and lower.endswith(("er", "ir", "re"))
        and lower not in _NOT_INFINITIVES
    )


def split_measures(text: str) -> list[str]:
    """Split one line of a programme item into its measures: one per sentence that starts with an
    infinitive; any other sentence ("Il ou elle examinera…") stays with the one before it."""
    measures: list[str] = []
    for sentence in _SENTENCE_BREAK.split(text.strip()):
        if measures and not starts_with_infinitive(sentence):
            measures[-1] += " " + sentence
        else:
            measures.append(sentence)
    return measures


# --- Reading the structure -----------------------------------------------------------------------

_HEADING = re.compile(r"^(\d{1,2})\s*[-–]\s+[^\s\d]")
_ITEM = re.compile(r"^(\d{1,3})\.(?:\s+(?=[^\s\d])(.*))?$")
_BULLET = re.compile(r"^[-–•](?:\s+(.*))?$")
_TITLE = re.compile(r"^Pour\s")
_TITLE_MAX = 200
_TITLE_END = re.compile(r"[.,;:!?…]$")  # a paragraph ending so is a sentence, not a title

BlockKind = Literal["heading", "title", "bullet", "item", "prose"]


@dataclass
class _Part:
    line: int
    text: str


@dataclass
class _Block:
    kind: BlockKind
    number: str | None = None
    parts: list[_Part] = field(default_factory=list)
    gap: bool = False

    @property
    def text(self) -> str:
        return join_lines([p.text for p in self.parts])

    def add(self, line: int, text: str) -> None:
        if text.strip():
            self.parts.append(_Part(line, text))
        self.gap = False


def _blocks(lines: list[str], progress: Progress | None = None) -> Iterator[_Block]:
    """Group the lines into headings, titles, bullets, items and prose paragraphs (`progress`
    is told (lines read, len(lines)) every `_PROGRESS_LINES` lines and at the end)."""
    block: _Block | None = None
    for number, raw in enumerate(lines, start=1):
        if progress and number % _PROGRESS_LINES == 0:
            progress(number, len(lines))
        line = raw.strip()
        if not line:
            if block is not None:
                block.gap = True
            continue
        new: _Block
        if match := _BULLET.match(line):
            new, text = _Block("bullet"), match.group(1) or ""
        elif match := _HEADING.match(line):
            new, text = _Block("heading", match.group(1)), line  # the number is part of the title
        elif match := _ITEM.match(line):
            new, text = _Block("item", match.group(1)), match.group(2) or ""
        elif block is not None and _continues(block, line):
            block.add(number, line)
            continue
        else:
            new, text = _Block("title" if _TITLE.match(line) else "prose"), line
        if block is not None:
            yield block
        block = new
        block.add(number, text)
    if block is not None:
        yield block
    if progress:
        progress(len(lines), len(lines))


def _continues(block: _Block, line: str) -> bool:
    """Whether a line that is not a bullet, heading or item belongs to the open block."""
    if block.kind == "heading" and block.parts and ends_sentence(block.parts[-1].text):
        return False  # a heading ends with its question; what follows is the answer
    if not block.gap:
        return True
    if line[0].islower():
        return True  # a sentence cut by blank lines: an extraction artefact
    # In a programme item each line is a measure, even after a blank line; but a title
    # ("Culture") after the last item is not: a measure is a sentence.
    return block.kind == "item" and starts_with_infinitive(line) and ends_sentence(line)


# --- Pledges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pledge:
    """One pledge found in the text, before it gets an id."""

    text: str
    line: int
    kind: Literal["bullet", "item"]
    section: str | None = None
    section_key: str | None = None
    subsection: str | None = None
    item: str | None = None
    repeated_at: tuple[int, ...] = ()


def _item_measures(block: _Block) -> Iterator[tuple[int, str]]:
    """The measures of a numbered item with their lines: a line ending a sentence and followed
    by one that starts in upper case ends a measure; other line breaks are layout."""
    current: list[_Part] = []
    for part in block.parts:
        if current and ends_sentence(current[-1].text) and not part.text[0].islower():
            yield from _measures_of(current)
            current = []
        current.append(part)
    if current:
        yield from _measures_of(current)


def _measures_of(parts: list[_Part]) -> Iterator[tuple[int, str]]:
    for measure in split_measures(repair_artefacts(join_lines([p.text for p in parts]))):
        yield parts[0].line, measure


def _is_title(text: str) -> bool:
    return len(text) <= _TITLE_MAX and not _TITLE_END.search(text)


def find_pledges(text: str, progress: Progress | None = None) -> list[Pledge]:
    """The pledges of a letter or programme, in order, each exact duplicate kept once.

    A repeated pledge is kept at its first place, with the lines where it comes again in
    `repeated_at`. `progress` is told (lines read, lines) as the text is read.
    """
    # Split on "\n" only, as `checks.read_source` counts lines: PDF text holds form feeds.
    blocks = list(_blocks(text.split("\n"), progress))
    heading_numbers = Counter(b.number for b in blocks if b.kind == "heading")
    seen_numbers: Counter[str] = Counter()
    section: str | None = None
    section_key: str | None = None
    subsection: str | None = None
    found: list[Pledge] = []
    for block in blocks:
        if not block.parts:
            continue  # an empty bullet
        if block.kind == "heading":
            assert block.number is not None
            seen_numbers[block.number] += 1
            section, section_key, subsection = repair_artefacts(block.text), f"q{block.number}", None
            if heading_numbers[block.number] > 1:
                # A number used twice ("10" in the seed letter) gets letters: q10a, q10b.
                nth = seen_numbers[block.number]
                section_key += ascii_lowercase[nth - 1] if nth <= len(ascii_lowercase) else f"_{nth}"
        elif block.kind == "title" and _is_title(block.text):
            subsection = repair_artefacts(block.text)
        elif block.kind == "bullet":
            repaired = repair_artefacts(block.text)
            found.append(Pledge(repaired, block.parts[0].line, "bullet", section, section_key, subsection))
        elif block.kind == "item":
            for line, measure in _item_measures(block):
                found.append(Pledge(measure, line, "item", section, section_key, subsection, block.number))
    return _deduplicate(found)


def _deduplicate(pledges: list[Pledge]) -> list[Pledge]:
    first: dict[str, int] = {}
    kept: list[Pledge] = []
    repeats: dict[int, list[int]] = {}
    for pledge in pledges:
        if pledge.text in first:
            repeats.setdefault(first[pledge.text], []).append(pledge.line)
            continue
        first[pledge.text] = len(kept)
        kept.append(pledge)
    for index, lines in repeats.items():
        kept[index] = replace(kept[index], repeated_at=tuple(lines))
    return kept


# --- Building the list --------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """The result of an import: a source entry to declare and the list with its draft pledges."""

    source: Source
    candidate: CandidateList
    origin: str


def is_valid_id(value: str, max_length: int = 100) -> bool:
    """Whether `value` is usable as an id (see `models.Id`)."""
    return 0 < len(value) <= max_length and bool(_ID.match(value))


def default_source_id(path: Path) -> str:
    """A source id from a file name: its stem, accents dropped, other characters turned into "-"."""
    unaccented = "".join(ch for ch in unicodedata.normalize("NFKD", path.stem) if not unicodedata.combining(ch))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", unaccented).strip("-.")
    return slug[:80] or "source"


def pledge_ids(list_id: str, pledges: list[Pledge]) -> list[str]:
    """Ids that follow the text's structure, so that they read like the bundled ones.

    Bullets: ``<list>-<section>-NN`` (``<section>`` is ``q3`` under heading "3- …", ``intro`` before
    the first heading); measures of item 12: ``<list>-12-N`` (``<list>-q3-12-N`` under a heading).
    Counters run per group, so ids are unique and the same text always gives the same ids.
    """
    counters: Counter[tuple[str, ...]] = Counter()
    ids: list[str] = []
    for pledge in pledges:
        if pledge.kind == "item":
            assert pledge.item is not None
            group = (pledge.section_key, pledge.item) if pledge.section_key else (pledge.item,)
            counters[group] += 1
            ids.append("-".join((list_id, *group, str(counters[group]))))
        else:
            group = (pledge.section_key or "intro",)
            counters[group] += 1
            ids.append("-".join((list_id, *group, f"{counters[group]:02d}")))
    return ids


def _repeat_note(pledge: Pledge) -> str | None:
    if not pledge.repeated_at:
        return None
    lines = ", ".join(str(n) for n in pledge.repeated_at)
    where = f"ligne {lines}" if len(pledge.repeated_at) == 1 else f"lignes {lines}"
    return _REPEATED[pledge.kind].format(where=where)


def build_import(
    text: str,
    *,
    list_id: str,
    source_id: str,
    origin: str,
    name: str | None = None,
    source_file: str | None = None,
    progress: Progress | None = None,
) -> Imported:
    """Turn the text of a letter or programme into a draft list of pledges and its source entry.

    `origin` names the imported file in comments and notes; `source_file` is its path relative to
    the data directory when it lies inside it (None otherwise: quotes then cannot be checked).
    `progress` is told (lines read, lines) as the text is read.
    """
    pledges = find_pledges(text, progress)
    commitments = [
        Commitment(
            id=pledge_id,
            text=p.text,
            provenance=Provenance(
                source=source_id, section=p.section, subsection=p.subsection, item=p.item, line=p.line
            ),
            note=_repeat_note(p),
        )
        for pledge_id, p in zip(pledge_ids(list_id, pledges), pledges, strict=True)
    ]
    source = Source(
        id=source_id,
        title=TITLE_PLACEHOLDER,
        file=source_file,
        note=None if source_file else _OUTSIDE_NOTE.format(origin=origin),
    )
    candidate = CandidateList(id=list_id, name=name or list_id, sources=[source_id], commitments=commitments)
    return Imported(source, candidate, origin)


def build_outline_import(
    text: str,
    *,
    list_id: str,
    source_id: str,
    origin: str,
    name: str | None = None,
    source_file: str | None = None,
    progress: Progress | None = None,
) -> Imported:
    """Turn a structured document (headings, nested bullets, table fragments) into a draft list
    of kind `institution` whose records keep the document's hierarchy (see `outline`). `progress`
    is only told (lines, lines) at the end: the outline reader does not count as it goes."""
    from .outline import build_list

    source = Source(
        id=source_id,
        title=TITLE_PLACEHOLDER,
        file=source_file,
        kind="institutional",
        note=None if source_file else _OUTSIDE_NOTE.format(origin=origin),
    )
    candidate = build_list(text, list_id=list_id, source=source, name=name)
    if progress:
        lines = text.count("\n") + 1
        progress(lines, lines)
    return Imported(source, candidate, origin)


def read_text(path: Path) -> str:
    """The text of the file to import; `ImportFileError` with a one-line message when unusable."""
    shown = display_path(path)
    try:
        if not path.exists():
            raise ImportFileError(_("fichier introuvable : {file}").format(file=shown))
        if not path.is_file():
            raise ImportFileError(_("{file} n’est pas un fichier").format(file=shown))
        size, limit = path.stat().st_size, max_bytes()
        if size > limit:
            raise ImportFileError(
                shown
                + " : "
                + _(
                    "fichier trop volumineux ({size:.1f} Mo, limite {limit:.1f} Mo) : "
                    "découpez-le ou relevez ENGAGEMENTS_MAX_FILE_MB"
                ).format(size=size / 1048576, limit=limit / 1048576)
            )
        raw = path.read_bytes()
    except PermissionError:
        raise ImportFileError(_("impossible de lire {file} : accès refusé").format(file=shown)) from None
    except OSError as exc:
        raise ImportFileError(
            _("impossible de lire {file} : {reason}").format(file=shown, reason=exc.strerror or exc)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            _("{file} n’est pas en UTF-8 (octet invalide ligne {line}) : enregistrez-le en UTF-8").format(
                file=shown, line=line
            )
        ) from None
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


# --- YAML ---------------------------------------------------------------------------------------


def _yaml() -> YAML:
    """The layout of data/commitments.yaml: 2-space maps, list dashes indented, long lines kept."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100_000
    yaml.allow_unicode = True
    return yaml


def _quoted(value: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(value)


def _source_node(source: Source) -> CommentedMap:
    node = CommentedMap(id=source.id, title=_quoted(source.title))
    if source.file:
        node["file"] = source.file
    if source.kind:
        node["kind"] = source.kind
    if source.note:
        node["note"] = _quoted(source.note)
    return node


def _commitment_node(commitment: Commitment) -> CommentedMap:
    node = CommentedMap(id=commitment.id, text=_quoted(commitment.text))
    for key in ("parent", "number", "level"):  # a structured document's hierarchy (see `outline`)
        value = getattr(commitment, key)
        if value is not None:
            node[key] = _quoted(value) if key == "number" else value
    if commitment.provenance is not None:
        prov = CommentedMap()
        for key, value in commitment.provenance.model_dump(exclude_none=True).items():
            prov[key] = _quoted(value) if key in ("section", "subsection", "item") else value
        node["provenance"] = prov
    if commitment.note:
        node["note"] = _quoted(commitment.note)
    return node


def _list_node(candidate: CandidateList) -> CommentedMap:
    sources = CommentedSeq(candidate.sources)
    sources.fa.set_flow_style()
    node = CommentedMap(id=candidate.id, name=_quoted(candidate.name))
    if candidate.kind is not None:
        node["kind"] = candidate.kind
    node["sources"] = sources
    node["commitments"] = CommentedSeq(_commitment_node(c) for c in candidate.commitments)
    return node


def _one_line(text: str) -> str:
    """`text` safe inside a YAML comment: a line break in a file name would end the comment."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _dump(yaml: YAML, document: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def draft_yaml(imported: Imported, name: str = COMMITMENTS_FILE) -> str:
    """The draft as a complete commitments file, with a French header saying it is to review.

    `name` is where the file goes, relative to the data directory: `lists/<id>.yaml` points its
    editor's schema line one folder up.
    """
    document = CommentedMap(
        sources=CommentedSeq([_source_node(imported.source)]),
        lists=CommentedSeq([_list_node(imported.candidate)]),
    )
    document.yaml_set_start_comment(_HEADER.format(origin=_one_line(imported.origin), schema=schema_reference(name)))
    return _dump(_yaml(), document)


# --- Appending to the data -----------------------------------------------------------------------


def append_to_data(directory: Path, imported: Imported) -> str:
    """Add the imported list, and its source, to the data: the file written, relative to `directory`.

    In a directory without `commitments.yaml` (its lists are all in `lists/`), the list gets a
    file of its own, `lists/<id>.yaml`, written as the draft is; otherwise it goes at the end of
    `commitments.yaml`, as it always did.

    The write goes through `editing`, as every edit of the data does: under the directory's lock,
    on valid data only, round trip (comments, order, quoting and the file's own indentation kept),
    checked again before the file is atomically replaced. Raises `editing.EditError` (a message
    and, when the data is the problem, its diagnostics) when refused; nothing is written then.
    """
    from . import editing

    with editing.data_lock(directory):
        # The private helpers are editing's checked write path; they are not public yet.
        loaded = editing.load_valid(directory)
        assert loaded.dataset is not None
        holder = loaded.part_of_list(imported.candidate.id)
        if holder is not None:
            raise editing.EditError(
                _("la liste « {id} » existe déjà dans {file} : choisissez un autre identifiant avec --list").format(
                    id=imported.candidate.id, file=holder[0].file.name
                )
            )
        for part in loaded.parts:  # a source id is unique across the files that hold lists
            if any(source.id == imported.source.id for source in (part.model.sources if part.model else [])):
                raise editing.EditError(
                    _(
                        "la source « {id} » existe déjà dans {file} : choisissez un autre identifiant avec --source-id"
                    ).format(id=imported.source.id, file=part.file.name)
                )
        if not (directory / COMMITMENTS_FILE).exists():
            return _write_list_file(directory, imported)
        document = editing.read_document(directory / COMMITMENTS_FILE)
        data = document.data
        comments = editing.comment_lines(data)
        if not isinstance(data.get("sources"), CommentedSeq):
            data.insert(0, "sources", CommentedSeq())  # where the model declares it, before lists
        editing.append_item(data["sources"], _source_node(imported.source))
        lists: CommentedSeq = data["lists"]
        editing.append_item(lists, _list_node(imported.candidate))
        comment = _APPEND_COMMENT.format(origin=_one_line(imported.origin))
        lists.yaml_set_comment_before_after_key(len(lists) - 1, before=comment, indent=document.indent.offset)
        # The check that no comment is lost must expect the one added here.
        comments[f"# {comment}"] += 1
        editing.write_checked(
            directory, {COMMITMENTS_FILE: editing.dump(data, document.indent)}, {COMMITMENTS_FILE: comments}
        )
        return COMMITMENTS_FILE


def _write_list_file(directory: Path, imported: Imported) -> str:
    """Write the imported list as a new `lists/<id>.yaml` (under the lock `append_to_data` holds)."""
    from . import editing

    name = f"{LISTS_DIR}/{imported.candidate.id}.yaml"
    if (directory / name).exists():
        raise editing.EditError(
            _("{file} existe déjà : choisissez un autre identifiant avec --list").format(
                file=display_path(directory / name)
            )
        )
    text = draft_yaml(imported, name)
    # The checked write must find every comment of the new file (its header) once written.
    editing.write_checked(directory, {name: text}, {name: editing.comment_lines(YAML(typ="rt").load(text))})
    return name
