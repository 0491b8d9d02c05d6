"""Structured documents (Markdown headings, nested bullets, HTML table fragments) to a hierarchy of
commitments: the public partners' contracts, whose every level is a commitment.

The extraction of such a document (seed 004, the Contrat de ville du Pays d'Aix) mixes Markdown
headings of any depth, bullets, and table rows flattened into tab-separated cells holding HTML
(`<p><b>Objectif opérationnel 1 : …</b></p> <ul><li>☞ …</li></ul>`). Heading depth is not reliable
(an "AXE" is `##`, `###` or `####`), so each line is classified by what it says:

- ``B) Le pilier …``: a pillar (the document's top level);
- ``2) Volet …`` (or ``1) Projets urbains``) under a pillar: a volet;
- ``Orientation 3 : …``: an orientation of the volet; the volets list their orientations twice (a
  presentation, then the deployment): the same number and title is one record;
- ``AXE 2.3 …`` (``Axe 4.1. …``): an axis, under the orientation before it;
- ``Objectif opérationnel 2 : …``: an operational objective, under the axis before it;
- a bullet ``☞ …``: an action, under the nearest level above it.

Other text (prose, the "•" paragraphs that explain an objective, the pilots, partners, target
publics and resources of each axis, the lists of "axes prioritaires") is left out. Everything
before the first pillar (the document's general principles) is left out too.

Nothing here prints or exits.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

from .diagnostics import Diagnostic, did_you_mean
from .french import repair_artefacts
from .i18n import _
from .loading import Loaded
from .models import CandidateList, Commitment, Provenance, Source

LEVELS = ("pilier", "volet", "orientation", "axe", "objectif", "action")

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>")
_BLOCK_TAGS = frozenset(
    {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "div", "table", "tr", "td"}
)
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[-*•]\s+)+")
_EMPHASIS = re.compile(r"\*{1,3}")
_SPACES = re.compile(r"\s+")

_PILIER = re.compile(r"^([A-Z])\)\s+(Le pilier\s+.+?)\s*$")
_VOLET = re.compile(r"^(\d+)\)\s+((?:Volets?\s+.+|Projets urbains))\s*$")
_ORIENTATION = re.compile(r"^(Orientation\s*(\d+))\s*:\s*(.+?)\s*$", re.IGNORECASE)
_AXE = re.compile(r"^((?:AXE|Axe)\s+(\d+\.\d+)\.?)\s+(.+?)\s*$")
_OBJECTIF = re.compile(r"^(Objectif opérationnel\s*(\d+))\s*:\s*(.+?)\s*$", re.IGNORECASE)
_ACTION = "☞"
_TICK = "✓"
# A French sentence does not end on these: a text that does was cut by the page or the table.
_DANGLING = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "le",
        "la",
        "les",
        "l",
        "à",
        "au",
        "aux",
        "en",
        "et",
        "ou",
        "pour",
        "par",
        "sur",
        "dans",
        "avec",
        "qui",
        "que",
        "dont",
        "un",
        "une",
        "son",
        "sa",
        "ses",
    ]
)
CUT_NOTE = "Texte interrompu dans l’extraction (page ou tableau coupé) : la suite n’y figure pas à cet endroit."
_LEADERS = re.compile(r"\.{4,}")  # a table of contents' dot leaders: "Volet Santé ..... 109"
_FRAME = re.compile(r"^Cadre d['’]action\s*")  # a table's column title run into its first objective


@dataclass(frozen=True)
class Segment:
    """One piece of text of the extraction, at its line (1-based)."""

    line: int
    text: str
    item: bool  # a list item (`<li>` or a bullet)
    heading: bool = False  # a Markdown heading
    html: bool = False  # cut out of an HTML fragment


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _EMPHASIS.sub("", html.unescape(text))).strip()


def _html_segments(cell: str, line: int) -> Iterator[Segment]:
    """The texts between block tags of an HTML fragment; inline tags (b, i, span) are dropped."""
    position = 0
    item = False
    buffer = ""
    for match in _TAG.finditer(cell):
        buffer += cell[position : match.start()]
        position = match.end()
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _BLOCK_TAGS:
            continue
        if buffer.strip():
            yield Segment(line, buffer, item, html=True)
        buffer = ""
        if tag == "li":
            item = not closing
        elif tag in ("ul", "ol") and closing:
            item = False
    buffer += cell[position:]
    if buffer.strip():
        yield Segment(line, buffer, item, html=True)


def segments(text: str) -> Iterator[Segment]:
    """Every piece of text of the document with its line: Markdown lines as they are, table cells
    (tab-separated) one by one, HTML fragments cut at their block tags."""
    for number, raw in enumerate(text.split("\n"), start=1):
        for cell in raw.split("\t"):
            if not cell.strip():
                continue
            if _TAG.search(cell):
                yield from _html_segments(cell, number)
                continue
            stripped = cell.strip()
            heading = _HEADING.match(stripped)
            if heading:
                yield Segment(number, stripped[heading.end() :], False, True)
                continue
            bullet = _BULLET.match(stripped)
            yield Segment(number, stripped[bullet.end() :] if bullet else stripped, bullet is not None)


@dataclass(frozen=True)
class Node:
    """One record of the hierarchy, before it becomes a commitment."""

    id: str
    level: str
    text: str
    line: int
    number: str | None = None
    parent: str | None = None
    pilier: str | None = None  # the heading of the pillar it is under
    volet: str | None = None  # the heading of the volet it is under
    note: str | None = None


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text.lower().replace("’", "'")).strip()


def find_outline(text: str, prefix: str = "cdv") -> list[Node]:
    """The records of a structured document, in order, each with the id of its parent."""
    nodes: list[Node] = []
    seen: dict[tuple[str | None, str, str, str], Node] = {}
    used: Counter[str] = Counter()
    pilier: Node | None = None
    volet: Node | None = None
    orientation: Node | None = None
    axe: Node | None = None
    objectif: Node | None = None
    actions: Counter[str] = Counter()

    def unique(wanted: str) -> str:
        used[wanted] += 1
        return wanted if used[wanted] == 1 else f"{wanted}-bis" if used[wanted] == 2 else f"{wanted}-{used[wanted]}"

    def record(level: str, base: str, text: str, line: int, number: str | None, parent: Node | None) -> Node:
        key = (parent.id if parent else None, level, number or "", _fold(text))
        if key in seen:  # the same heading again (presentation, then deployment): one record
            return seen[key]
        words = re.findall(r"[\w']+", text.lower())
        node = Node(
            unique(base),
            level,
            repair_artefacts(text),
            line,
            number,
            parent.id if parent else None,
            pilier.text if pilier else None,
            volet.text if volet else None,
            CUT_NOTE if words and not text.endswith(":") and words[-1].split("'")[-1] in _DANGLING else None,
        )
        seen[key] = node
        nodes.append(node)
        return node

    def record_orientation(base: str, number: str, text: str, line: int, parent: Node) -> Node:
        """The volets list their orientations twice: one record per number, the other wording noted."""
        for key, node in seen.items():
            if key[0] == parent.id and key[1] == "orientation" and key[2] == number:
                if _fold(node.text) != _fold(text) and node.note is None:
                    index = nodes.index(node)
                    noted = nodes[index] = replace(node, note=f"Intitulé ligne {line} : « {repair_artefacts(text)} ».")
                    seen[key] = noted
                    return noted
                return node
        return record("orientation", base, text, line, number, parent)

    lead: Node | None = None  # an action ending with ":", whose parts may follow
    lead_line = 0
    for segment in segments(text):
        cleaned = _FRAME.sub("", _clean(segment.text))
        if not cleaned or _LEADERS.search(cleaned):
            continue
        if segment.heading and cleaned[0].islower() and nodes and nodes[-1].level != "action":
            # A heading cut by the layout: its end came out as a heading of its own, further down.
            cut = nodes[-1]
            noted = replace(
                cut, note=f"Intitulé coupé par l’extraction ; la fin, « {cleaned} », est ligne {segment.line}."
            )
            nodes[-1] = noted
            for key, node in seen.items():
                if node is cut:
                    seen[key] = noted
            axe = noted if axe is cut else axe
            objectif = noted if objectif is cut else objectif
            orientation = noted if orientation is cut else orientation
            continue
        if match := _PILIER.match(cleaned):
            pilier = None
            pilier = record(
                "pilier", f"{prefix}-{match.group(1).lower()}", match.group(2), segment.line, match.group(1), None
            )
            volet = orientation = axe = objectif = None
            continue
        if pilier is None:
            continue
        if match := _VOLET.match(cleaned):
            volet = None
            volet = record(
                "volet", f"{pilier.id}-v{match.group(1)}", match.group(2), segment.line, f"{match.group(1)})", pilier
            )
            orientation = axe = objectif = None
        elif match := _ORIENTATION.match(cleaned):
            parent = volet or pilier
            orientation = record_orientation(
                f"{parent.id}-o{match.group(2)}", match.group(1), match.group(3), segment.line, parent
            )
            axe = objectif = None
        elif match := _AXE.match(cleaned):
            parent = orientation or volet or pilier
            base = (volet or pilier).id
            axe = record("axe", f"{base}-a{match.group(2)}", match.group(3), segment.line, match.group(1), parent)
            objectif = None
        elif match := _OBJECTIF.match(cleaned):
            parent = axe or orientation or volet or pilier
            objectif = record(
                "objectif", f"{parent.id}-oo{match.group(2)}", match.group(3), segment.line, match.group(1), parent
            )
        elif (
            segment.item
            and not segment.html
            and lead is not None
            and segment.line == lead_line + 1
            and not cleaned.startswith(_ACTION)
        ):
            # The bullets right under an action that ends with ":" are its parts.
            actions[lead.id] += 1
            words = cleaned.removeprefix(_TICK).strip()
            record("action", f"{lead.id}-{actions[lead.id]:02d}", words, segment.line, None, lead)
            lead_line = segment.line
            continue
        elif cleaned.startswith(_ACTION):
            words = cleaned.removeprefix(_ACTION).strip().lstrip("-").strip()
            if not words:
                continue
            parent = objectif or axe or orientation or volet or pilier
            actions[parent.id] += 1
            action = record("action", f"{parent.id}-{actions[parent.id]:02d}", words, segment.line, None, parent)
            if action.text.endswith(":") and not segment.html:
                lead, lead_line = action, segment.line
                continue
        lead = None
    return nodes


def commitments(nodes: list[Node], source_id: str) -> list[Commitment]:
    """The records as commitments: hierarchy in `parent`, numbering in `number`, level in `level`,
    provenance with the pillar as section and the volet as subsection."""
    return [
        Commitment(
            id=node.id,
            text=node.text,
            parent=node.parent,
            number=node.number,
            level=node.level,
            provenance=Provenance(
                source=source_id,
                section=node.pilier or node.text,
                subsection=node.volet if node.level != "volet" else None,
                line=node.line,
            ),
            note=node.note,
        )
        for node in nodes
    ]


def build_list(
    text: str, *, list_id: str, source: Source, name: str | None = None, prefix: str = "cdv"
) -> CandidateList:
    """The document as one list of kind `institution`."""
    return CandidateList(
        id=list_id,
        name=name or list_id,
        kind="institution",
        sources=[source.id],
        commitments=commitments(find_outline(text, prefix), source.id),
    )


def check_parents(loaded: Loaded) -> list[Diagnostic]:
    """Each `parent` names another pledge of the same list, and following parents never loops."""
    com = loaded.commitments
    if com is None:
        return []
    file = loaded.commitments_file
    found: list[Diagnostic] = []
    for i, lst in enumerate(com.lists):
        parents = {c.id: c.parent for c in lst.commitments}
        for j, pledge in enumerate(lst.commitments):
            if pledge.parent is None:
                continue
            line, col = file.position(("lists", i, "commitments", j, "parent"))
            if pledge.parent not in parents:
                message = _("parent « {id} » inconnu dans la liste « {list} »").format(
                    id=pledge.parent, list=lst.id
                ) + did_you_mean(pledge.parent, parents)
                found.append(Diagnostic(file.name, line, col, message, "unknown-parent"))
                continue
            seen = {pledge.id}
            current: str | None = pledge.parent
            while current is not None and current not in seen:
                seen.add(current)
                current = parents.get(current)
            if current is not None:
                message = _("« parent » tourne en rond : « {id} » finit par être son propre parent").format(
                    id=pledge.id
                )
                found.append(Diagnostic(file.name, line, col, message, "parent-cycle"))
    return found
