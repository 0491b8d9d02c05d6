"""Exports for journalists and open-data portals: the coverage matrix and the links behind it.

Pure functions: a `Coverage`, the suggestions it was built from and the data set go in, the
bytes of each file come out. Nothing here prints, exits or touches the disk; the CLI
(`cli/export.py`) checks the options, writes each file atomically and reports.

Every format carries the same two tables:
- the matrix: one row per request, and for each list the cell's level and count;
- the links: one row per pledge behind a cell (request, list, pledge, level, score, why,
  provenance), so that a reader can check each level against the words of the lists.

Text cells of CSV and xlsx files are neutralised against formula injection (`tables.neutralise`:
many pledges begin with "-"); Markdown and HTML escape every piece of data text.

`report` (Rich) and `details` (pydantic) are imported inside the functions that use them.
`ExportFormat` lives in `formats`, so that the CLI starts without this module.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from .coverage import Coverage, Gaps
from .formats import ExportFormat
from .i18n import N_, _, current_language
from .safety import json_text, visible
from .tables import Table, iter_csv, neutralise

if TYPE_CHECKING:
    from .matching import Suggestion
    from .models import Dataset


# File suffixes that name a format, so that `-o couverture.html` needs no `--format`.
_SUFFIXES = {
    ".md": ExportFormat.md,
    ".markdown": ExportFormat.md,
    ".json": ExportFormat.json,
    ".html": ExportFormat.html,
    ".htm": ExportFormat.html,
    ".xlsx": ExportFormat.xlsx,
}

MATRIX_NAME = "couverture"
LINKS_NAME = "liens"
PACKAGE_FILE = "datapackage.json"

SOURCE_KINDS = {
    "answer": N_("réponse adressée au collectif"),
    "programme": N_("programme général"),
    "interpellation": N_("interpellation du collectif"),
    "record": N_("bilan"),
    "institutional": N_("engagement public"),
}


class MissingExtra(RuntimeError):
    """An optional dependency of a format is not installed (the `xlsx` extra: openpyxl)."""


def format_for(path: Path) -> ExportFormat | None:
    """The format a file name implies (`.md`, `.json`, `.html`, `.xlsx`; `.csv`: csv), if any."""
    if path.suffix.lower() == ".csv":
        return ExportFormat.csv
    return _SUFFIXES.get(path.suffix.lower())


def mismatch(fmt: ExportFormat, path: Path) -> bool:
    """Whether the name `path` implies another format than `fmt` (`--format xlsx -o x.csv`)."""
    implied = format_for(path)
    if implied is None or implied is fmt:
        return False
    # Both CSV flavours are .csv files.
    return not (implied.writes_directory and fmt.writes_directory)


def csv_folder(fmt: ExportFormat, path: Path) -> Path | None:
    """The folder a CSV export writes when `-o` names one .csv file (`-o couverture.csv`): the
    name without its extension (`couverture/`), where the matrix is `couverture/couverture.csv`.
    None when `path` is not such a name, or is already a folder."""
    if not fmt.writes_directory or path.suffix.lower() != ".csv" or path.is_dir():
        return None
    return path.with_suffix("")


def xlsx_available() -> bool:
    """Whether openpyxl, needed by the xlsx format, can be imported."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


# -- the data of an export ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """One pledge behind a cell of the matrix, with what a reader needs to check it (slots: 100k
    pledges make a few hundred thousand of them, and a per-object dict would add a third)."""

    request: str
    request_title: str
    list: str
    list_name: str
    commitment: str
    commitment_text: str
    level: str  # covered | partial
    score: int
    source: str  # link: confirmed by a person; matcher: suggested by the matcher
    why: tuple[str, ...] = ()
    by: str | None = None
    date: str | None = None
    provenance: dict[str, Any] | None = None
    # The pledge's follow-up after the election (issue 13): its current status, and the latest
    # entry of its history with its evidence (`details.verdict`), None when never rated.
    status: str = "not_rated"
    verdict: dict[str, Any] | None = None
    # In a merged list's column, the part the pledge is written under (see `mergers.py`).
    inherited_from: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.source == "link"

    @property
    def origin(self) -> str:
        """Who stands behind the link, for people: '✔ confirmé par … le …' or '? suggestion à vérifier (score …)'."""
        from .marks import origin_text

        return origin_text(self.source, self.score, self.by, self.date)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "request_title": self.request_title,
            "list": self.list,
            "list_name": self.list_name,
            "commitment": self.commitment,
            "commitment_text": self.commitment_text,
            "level": self.level,
            "score": self.score,
            "source": self.source,
            "why": list(self.why),
            "by": self.by,
            "date": self.date,
            "provenance": self.provenance,
            "confirmed": self.confirmed,
            "origin": self.origin,
            "status": self.status,
            "verdict": self.verdict,
            **({"inherited_from": self.inherited_from} if self.inherited_from else {}),
        }


@dataclass(frozen=True)
class Origin:
    """A source document the data was transcribed from, for the colophon of an export."""

    title: str
    author: str | None = None
    date: str | None = None
    kind: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Export:
    """Everything an export shows: the matrix, its links, and where the data comes from."""

    coverage: Coverage
    links: list[Link]
    origins: list[Origin] = field(default_factory=list)
    collective: str | None = None
    use_links: bool = True
    # False: the matrix and the links as the confirmed links alone make them (the default of
    # `export`, for publication); True: with the matcher's suggestions, each marked as such.
    with_suggestions: bool = True
    # For the HTML page's introduction: the organisations that signed, the document the
    # collective wrote, and each list's head of list (by list id) when the data knows it.
    members: tuple[str, ...] = ()
    document: Origin | None = None
    heads: dict[str, str] = field(default_factory=dict)
    # When the export was made (ISO date) and which version of the data it shows (`data_version`).
    generated: str | None = None
    version: str | None = None

    def cell_links(self, request: str, list_id: str) -> list[Link]:
        """The links behind one cell, in export order."""
        return self._by_cell.get((request, list_id), [])

    @cached_property
    def _by_cell(self) -> dict[tuple[str, str], list[Link]]:
        # An index, so that rendering every cell stays linear in the number of links.
        index: dict[tuple[str, str], list[Link]] = {}
        for link in self.links:
            index.setdefault((link.request, link.list), []).append(link)
        return index


def prepare(
    data: Dataset,
    coverage: Coverage,
    suggestions: Sequence[Suggestion],
    *,
    use_links: bool = True,
    with_suggestions: bool = True,
    generated: str | None = None,
    version: str | None = None,
) -> Export:
    """Gather what the exports show: `coverage` (built from `suggestions`) and the links behind
    each of its cells, in matrix order, then covered before partial, confirmed before
    suggested, best score first.

    Without `with_suggestions`, only what people confirmed: each cell as its confirmed links
    make it (`Coverage.confirmed_only`), and only those links.
    """
    from .details import provenance_dict, verdict
    from .statuses import current

    if not with_suggestions:
        coverage = coverage.confirmed_only()
        suggestions = [s for s in suggestions if s.source == "link"]
    sources = {s.id: s for s in data.commitments.sources}
    pledges = {c.id: c for lst in data.commitments.lists for c in lst.commitments}
    by_pair = {(s.commitment, s.request): s for s in suggestions}
    # A pledge's provenance, status and verdict, made once and shared by all its links (they are
    # only read): a pledge behind several cells would otherwise hold as many equal dicts.
    about: dict[str, tuple[dict[str, Any] | None, str, dict[str, Any] | None]] = {}
    names = {col.id: col.name for col in coverage.columns}
    links: list[Link] = []
    for row in coverage.rows:
        for col in coverage.columns:
            cell = coverage.cell(row.id, col.id)
            # The cell's own lists, so that the links always add up to its count. A coverage built
            # from other suggestions (read from a cache, say) may name pairs missing here: those
            # are left out rather than made up.
            found = [by_pair[(pid, row.id)] for pid in (*cell.covered, *cell.partial) if (pid, row.id) in by_pair]
            found.sort(key=lambda s: (s.level != "covered", s.source != "link", -s.score))
            for s in found:
                pledge = pledges[s.commitment]
                said = about.get(s.commitment)
                if said is None:
                    said = about[s.commitment] = (
                        provenance_dict(pledge.provenance, sources),
                        current(pledge),
                        verdict(pledge),
                    )
                links.append(
                    Link(
                        request=row.id,
                        request_title=row.title,
                        list=col.id,
                        list_name=names[col.id],
                        commitment=s.commitment,
                        commitment_text=pledge.text,
                        level=s.level,
                        score=s.score,
                        source=s.source,
                        why=tuple(s.why),
                        by=s.by,
                        date=s.date,
                        provenance=said[0],
                        status=said[1],
                        verdict=said[2],
                        inherited_from=origin if (origin := coverage.origin(col.id, s.commitment)) != col.id else None,
                    )
                )
    origins: dict[str, Origin] = {}
    for source in (*data.requests.sources, *data.commitments.sources):
        origins.setdefault(
            source.id,
            Origin(
                source.title,
                source.author,
                source.date.isoformat() if source.date else None,
                source.kind,
                source.note,
            ),
        )
    who = data.requests.collective
    document = origins.get(who.document) if who and who.document else None
    return Export(
        coverage,
        links,
        list(origins.values()),
        who.name if who else None,
        use_links,
        with_suggestions,
        members=tuple(who.members) if who else (),
        document=document,
        heads={lst.id: lst.head for lst in data.commitments.lists if lst.head},
        generated=generated,
        version=version,
    )


# -- the two tables, with the schema open-data portals read ------------------------------------


@dataclass(frozen=True)
class Field:
    """A column: key (the CSV header), label (for people), Table Schema type and description."""

    key: str
    label: str
    type: str = "string"
    description: str = ""
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def schema(self) -> dict[str, Any]:
        """This field in a Frictionless Table Schema."""
        out: dict[str, Any] = {"name": self.key, "title": self.label, "type": self.type}
        if self.description:
            out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class DataTable:
    """One exported table: its fields, its rows of plain values, and how it is keyed."""

    name: str
    title: str
    description: str
    fields: list[Field]
    rows: list[dict[str, Any]] | Iterator[dict[str, Any]]  # an iterator: read once, as written
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> Table:
        """The same table as `tables.Table`, for `tables.to_csv`."""
        return Table([(f.key, f.label) for f in self.fields], list(self.rows), self.title)


def _matrix_title(level: str) -> str:
    return (
        _("Couverture des questions du collectif") if level == "question" else _("Couverture des demandes du collectif")
    )


def matrix_table(export: Export) -> DataTable:
    """The coverage matrix: one row per request; per list, `<list>_level` and `<list>_count`."""
    cov = export.coverage
    fields = [
        Field("id", _("id"), description=_("Identifiant de la demande.")),
        Field(
            "kind",
            _("type"),
            description=_("question : question posée aux listes ; demand : demande fine."),
            enum=("question", "demand"),
        ),
        Field("number", _("n°"), description=_("Numéro de la demande dans le document du collectif.")),
        Field("axis", _("axe"), description=_("Axe du collectif auquel la demande appartient.")),
        Field("title", _("intitulé"), description=_("Intitulé court de la demande.")),
    ]
    for col in cov.columns:
        header = col.name if cov.has_confirmed(col.id) else f"{col.name} ({_no_confirmed()})"
        fields.append(
            Field(
                f"{col.id}_level",
                (_("{name} : niveau") if export.with_suggestions else _("{name} : niveau, liens confirmés")).format(
                    name=header
                ),
                description=_(
                    "Niveau de couverture par la liste « {name} » : covered (couvert), partial (partiel) ou absent."
                ).format(name=col.name),
                enum=("covered", "partial", "absent"),
            )
        )
        fields.append(
            Field(
                f"{col.id}_count",
                (_("{name} : nombre") if export.with_suggestions else _("{name} : nombre, liens confirmés")).format(
                    name=header
                ),
                "integer",
                _("Nombre d’engagements de la liste « {name} » qui répondent à la demande (voir liens.csv).").format(
                    name=col.name
                )
                + " "
                + (
                    _("Liens confirmés et suggestions à vérifier.")
                    if export.with_suggestions
                    else _("Liens confirmés par une personne seulement.")
                ),
                minimum=0,
            )
        )
        if export.with_suggestions:
            fields.append(
                Field(
                    f"{col.id}_confirmed",
                    _("{name} : confirmés").format(name=header),
                    "integer",
                    _("Dont engagements liés à la demande par une personne (liens confirmés)."),
                    minimum=0,
                )
            )
            fields.append(
                Field(
                    f"{col.id}_suggested",
                    _("{name} : à vérifier").format(name=header),
                    "integer",
                    _("Dont suggestions de l’appariement automatique, qu’aucune personne n’a encore confirmées."),
                    minimum=0,
                )
            )
    rows = []
    for r in cov.rows:
        row: dict[str, Any] = {
            "id": r.id,
            "kind": r.kind,
            "number": r.number,
            "axis": r.axis,
            "title": r.title,
            "_axis_title": r.axis_title,
        }
        for col in cov.columns:
            cell = cov.cell(r.id, col.id)
            row[f"{col.id}_level"] = cell.level
            row[f"{col.id}_count"] = cell.count
            if export.with_suggestions:
                row[f"{col.id}_confirmed"] = cell.confirmed_count
                row[f"{col.id}_suggested"] = cell.suggested_count
        rows.append(row)
    return DataTable(
        MATRIX_NAME,
        _matrix_title(cov.level),
        _("Une ligne par demande, et pour chaque liste candidate le niveau de couverture et le nombre d’engagements."),
        fields,
        rows,
        ["id"],
    )


def _no_confirmed() -> str:
    from .marks import no_confirmed_link

    return no_confirmed_link()


def links_table(export: Export, *, lazy: bool = False) -> DataTable:
    """The links: one row per pledge behind a cell of the matrix (`lazy`: rows made as they are read)."""
    from .models import STATUSES

    fields = [
        Field(
            "request",
            _("demande"),
            description=_("Identifiant de la demande (colonne id de couverture.csv)."),
        ),
        Field("request_title", _("intitulé de la demande"), description=_("Intitulé court de la demande.")),
        Field("list", _("liste"), description=_("Identifiant de la liste candidate.")),
        Field("list_name", _("nom de la liste"), description=_("Nom de la liste candidate.")),
        Field("commitment", _("engagement"), description=_("Identifiant de l’engagement.")),
        Field(
            "commitment_text",
            _("texte de l’engagement"),
            description=_("Texte de l’engagement, tel que la liste l’a écrit."),
        ),
        Field(
            "level",
            _("niveau"),
            description=_("covered : l’engagement répond à la demande ; partial : il y répond en partie."),
            enum=("covered", "partial"),
        ),
        Field(
            "score",
            _("score"),
            "integer",
            _("Proximité des textes de l’engagement et de la demande, de 0 à 100."),
            minimum=0,
            maximum=100,
        ),
        Field(
            "source",
            _("origine du lien"),
            description=_("link : lien confirmé par une personne ; matcher : suggestion de l’appariement automatique."),
            enum=("link", "matcher"),
        ),
        Field(
            "origin",
            _("origine, en clair"),
            description=_(
                "✔ confirmé par une personne (qui et quand, si c’est noté) ou ? suggestion à vérifier (avec son score)."
            ),
        ),
        Field(
            "why",
            _("pourquoi"),
            description=_("Mots et notions communs qui expliquent le score, séparés par « | »."),
        ),
        Field("by", _("décidé par"), description=_("Qui a confirmé le lien, si c’est noté.")),
        Field(
            "date",
            _("décidé le"),
            "date",
            _("Date de la confirmation du lien (AAAA-MM-JJ), si elle est notée."),
        ),
        Field("provenance_title", _("source"), description=_("Titre du document d’où vient l’engagement.")),
        Field(
            "provenance_section",
            _("rubrique"),
            description=_("Rubrique du document (souvent la question posée)."),
        ),
        Field("provenance_subsection", _("sous-titre"), description=_("Sous-titre dans la rubrique.")),
        Field("provenance_item", _("article"), description=_("Numéro de l’article ou de la puce.")),
        Field(
            "provenance_line",
            _("ligne"),
            "integer",
            _("Ligne de début dans la copie texte du document."),
            minimum=1,
        ),
        # Added after the provenance, so that scripts reading the columns above by position
        # keep working.
        Field(
            "status",
            _("statut"),
            description=_(
                "Statut actuel de l’engagement : not_rated (non évalué), in_progress (en cours), "
                "stalled (au point mort), compromise (compromis), kept (tenu), broken (rompu)."
            ),
            enum=STATUSES,
        ),
        Field("status_date", _("statut constaté le"), "date", _("Date du dernier constat (AAAA-MM-JJ).")),
        Field("status_source", _("preuve : source"), description=_("Source du dernier constat.")),
        Field("status_url", _("preuve : lien"), description=_("Adresse de la source, si elle est en ligne.")),
        Field("status_quote", _("preuve : citation"), description=_("Citation exacte de la source.")),
        Field("status_note", _("explication du statut"), description=_("Explication du verdict.")),
        Field("status_by", _("statut constaté par"), description=_("Qui a fait le constat.")),
    ]
    rows: list[dict[str, Any]] | Iterator[dict[str, Any]] = links_rows(export) if lazy else list(links_rows(export))
    return DataTable(
        LINKS_NAME,
        _("Liens entre engagements et demandes"),
        _("Une ligne par engagement qui répond à une demande, avec son niveau, son score, pourquoi, et sa provenance."),
        fields,
        rows,
        ["request", "commitment"],
        [{"fields": ["request"], "reference": {"resource": MATRIX_NAME, "fields": ["id"]}}],
    )


def links_rows(export: Export) -> Iterator[dict[str, Any]]:
    """The rows of the links table, one at a time."""
    for link in export.links:
        prov = link.provenance or {}
        verdict = link.verdict or {}
        yield (
            {
                "request": link.request,
                "request_title": link.request_title,
                "list": link.list,
                "list_name": link.list_name,
                "commitment": link.commitment,
                "commitment_text": link.commitment_text,
                "level": link.level,
                "score": link.score,
                "source": link.source,
                "origin": link.origin,
                # Joined here rather than by `to_csv`, so that the joined text is neutralised too.
                "why": " | ".join(link.why),
                "by": link.by,
                "date": link.date,
                "provenance_title": prov.get("title"),
                "provenance_section": prov.get("section"),
                "provenance_subsection": prov.get("subsection"),
                "provenance_item": prov.get("item"),
                "provenance_line": prov.get("line"),
                "status": link.status,
                "status_date": verdict.get("date"),
                "status_source": verdict.get("source"),
                "status_url": verdict.get("url"),
                "status_quote": verdict.get("quote"),
                "status_note": verdict.get("note"),
                "status_by": verdict.get("by"),
                # Not columns of the table: what `people_table` shows instead of the codes.
                "_why_plain": plain_why(link.why),
            }
        )


def data_tables(export: Export) -> list[DataTable]:
    """The matrix and the links, in that order."""
    return [matrix_table(export), links_table(export)]


def plain_why(why: Sequence[str]) -> str:
    """The matcher's reasons in plain words: 'mots en commun : logement, urgence ; thèmes : Logement'.

    The matcher writes a word it recognised as a notion as 'logements urgence ≈ hebergement-urgence'
    and a theme as '[Logement]': the notion's id and the brackets are for maintainers.
    """
    words: list[str] = []
    themes: list[str] = []
    for item in why:
        item = item.strip()
        if item.startswith("[") and item.endswith("]"):
            theme = item[1:-1].strip()
            if theme and theme not in themes:
                themes.append(theme)
            continue
        word = item.split("≈", 1)[0].strip()
        if word and word not in words:
            words.append(word)
    parts = []
    if words:
        parts.append(_("mots en commun : {words}").format(words=", ".join(words)))
    if themes:
        parts.append(_("thèmes : {themes}").format(themes=", ".join(themes)))
    return " ; ".join(parts)


# -- the same tables for people (csv-excel, xlsx) -------------------------------------------------

# French headers, for the columns a person reads; a column missing here is left out (`list`:
# the list's name says it; `source`: the origin says it, in words).
_PEOPLE_HEADERS = {
    MATRIX_NAME: {
        "id": N_("Réf."),
        "kind": N_("Type"),
        "number": N_("N°"),
        "axis": N_("Axe"),
        "title": N_("Demande"),
    },
    LINKS_NAME: {
        "request": N_("Réf. demande"),
        "request_title": N_("Demande"),
        "list_name": N_("Liste"),
        "commitment": N_("Réf. engagement"),
        "commitment_text": N_("Engagement"),
        "level": N_("Niveau"),
        "score": N_("Score"),
        "origin": N_("Origine"),
        "why": N_("Pourquoi"),
        "by": N_("Confirmé par"),
        "date": N_("Confirmé le"),
        "provenance_title": N_("Source"),
        "provenance_section": N_("Rubrique"),
        "provenance_subsection": N_("Sous-titre"),
        "provenance_item": N_("Article"),
        "provenance_line": N_("Ligne"),
        "status": N_("Statut"),
        "status_date": N_("Statut constaté le"),
        "status_source": N_("Preuve : source"),
        "status_url": N_("Preuve : lien"),
        "status_quote": N_("Preuve : citation"),
        "status_note": N_("Explication du statut"),
        "status_by": N_("Statut constaté par"),
    },
}
KIND_NAMES = {"question": N_("question"), "demand": N_("demande fine")}


def _people_value(key: str, value: Any, row: dict[str, Any], symbols: bool) -> Any:
    """A code as a person reads it: 'couvert' (or '● couvert'), 'demande fine', 'tenu'."""
    from .marks import SYMBOLS, level_name
    from .statuses import LABELS

    if value is None:
        return None
    if key == "level" or key.endswith("_level"):
        return f"{SYMBOLS[value]} {level_name(value)}" if symbols else level_name(value)
    if key == "kind":
        return _(KIND_NAMES[value]) if value in KIND_NAMES else value
    if key == "axis":
        return row.get("_axis_title") or value
    if key == "status":
        return _(LABELS[value]) if value in LABELS else value
    if key == "why":
        return row.get("_why_plain", value)
    return value


def people_table(table: DataTable, *, symbols: bool = False) -> DataTable:
    """`table` for people: French headers as column names, French words for the codes (levels,
    kinds, statuses), plain reasons; `symbols` puts ● ◐ ○ before each level, for print in black
    and white. The rows are made as they are read when `table`'s are."""
    headers = {f.key: _(label) for f in table.fields if (label := _PEOPLE_HEADERS[table.name].get(f.key))}
    # The matrix's per-list columns already have headers for people: '<list> : niveau'.
    if table.name == MATRIX_NAME:
        headers.update({f.key: f.label for f in table.fields if f.key not in _PEOPLE_HEADERS[MATRIX_NAME]})
    fields = []
    for f in table.fields:
        if f.key not in headers:
            continue
        enum = tuple(_people_value(f.key, v, {}, symbols) for v in f.enum)
        if f.key == "axis":
            enum = ()
        fields.append(Field(headers[f.key], headers[f.key], f.type, f.description, enum, f.minimum, f.maximum))
    keys = [f.key for f in table.fields if f.key in headers]

    def rows() -> Iterator[dict[str, Any]]:
        for row in table.rows:
            yield {headers[k]: _people_value(k, row.get(k), row, symbols) for k in keys}

    foreign = [
        {
            "fields": [headers[k] for k in fk["fields"]],
            "reference": {
                "resource": fk["reference"]["resource"],
                "fields": [_(_PEOPLE_HEADERS[fk["reference"]["resource"]][k]) for k in fk["reference"]["fields"]],
            },
        }
        for fk in table.foreign_keys
    ]
    return DataTable(
        table.name,
        table.title,
        table.description,
        fields,
        rows() if not isinstance(table.rows, list) else list(rows()),
        [headers[k] for k in table.primary_key if k in headers],
        foreign,
    )


# -- CSV and the Data Package -------------------------------------------------------------------


def csv_files(export: Export, *, excel: bool = False) -> dict[str, bytes]:
    """`couverture.csv`, `liens.csv` and `datapackage.json`.

    Plain: RFC 4180, UTF-8 without BOM, commas, CRLF (for open-data portals). `excel`: UTF-8
    with a BOM and semicolons, which French Excel and LibreOffice open without an import dialog.
    """
    return {name: b"".join(chunks) for name, chunks in csv_streams(export, excel=excel).items()}


def csv_streams(export: Export, *, excel: bool = False) -> dict[str, Iterator[bytes]]:
    """The files of `csv_files`, each as chunks of bytes made as they are written: the links
    table, the large one, is never held whole in memory."""
    tables = [matrix_table(export), links_table(export, lazy=True)]
    if excel:
        # For people: French headers and words (the plain csv keeps the codes, for scripts).
        tables = [people_table(t) for t in tables]

    def encoded(table: DataTable) -> Iterator[bytes]:
        for i, piece in enumerate(iter_csv([f.key for f in table.fields], table.rows, excel=excel)):
            # The BOM once, at the start of the file.
            yield piece.encode("utf-8-sig" if excel and i == 0 else "utf-8")

    files = {f"{t.name}.csv": encoded(t) for t in tables}
    # Last, so that a directory holding the descriptor holds the files it describes.
    files[PACKAGE_FILE] = iter(
        [
            json_text(json.dumps(datapackage(export, tables, excel=excel), ensure_ascii=False, indent=2) + "\n").encode(
                "utf-8"
            )
        ]
    )
    return files


def datapackage(export: Export, tables: Sequence[DataTable], *, excel: bool = False) -> dict[str, Any]:
    """A Frictionless (Tabular) Data Package describing the CSV files, with a Table Schema each."""
    return {
        "profile": "tabular-data-package",
        "name": "engagements-couverture",
        "title": _matrix_title(export.coverage.level),
        "description": _(
            "Les demandes d’un collectif d’associations et les engagements des listes candidates qui y répondent. "
            "Les textes qui commencent par =, +, -, @, une tabulation ou un retour à la ligne sont précédés "
            "d’une apostrophe, pour qu’un tableur ne les exécute pas comme des formules."
        ),
        "sources": [{"title": _origin_text(o)} for o in export.origins],
        "resources": [
            {
                "name": t.name,
                "path": f"{t.name}.csv",
                "profile": "tabular-data-resource",
                "title": t.title,
                "description": t.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig" if excel else "utf-8",
                "dialect": {
                    "delimiter": ";" if excel else ",",
                    "lineTerminator": "\r\n",
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "header": True,
                },
                "schema": {
                    "fields": [f.schema() for f in t.fields],
                    "missingValues": [""],
                    "primaryKey": t.primary_key,
                    **({"foreignKeys": t.foreign_keys} if t.foreign_keys else {}),
                },
            }
            for t in tables
        ],
    }


def _origin_text(origin: Origin) -> str:
    """'Title — author, 2026-03-08 (réponse au collectif)'."""
    details = ", ".join(p for p in (origin.author, origin.date) if p)
    kind = _(SOURCE_KINDS[origin.kind]) if origin.kind in SOURCE_KINDS else None
    return origin.title + (f" — {details}" if details else "") + (f" ({kind})" if kind else "")


# -- JSON -----------------------------------------------------------------------------------------


def to_json(export: Export) -> str:
    """`{"coverage": …, "links": […]}`: `coverage --format json` and the links behind it."""
    return "".join(iter_json(export))


def iter_json(export: Export) -> Iterator[str]:
    """The text of `to_json` in pieces, one link at a time, exactly as `json.dumps(…, indent=2)`
    writes it; characters a terminal would obey (DEL, C1, bidi) are written as JSON escapes."""
    coverage = json.dumps(export.coverage.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    tail = f',\n  "with_suggestions": {json.dumps(export.with_suggestions)}\n}}\n'
    if not export.links:
        yield json_text('{\n  "coverage": ' + coverage + ',\n  "links": []' + tail)
        return
    yield json_text('{\n  "coverage": ' + coverage + ',\n  "links": [\n')
    last = len(export.links) - 1
    for i, link in enumerate(export.links):
        item = json.dumps(link.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield json_text("    " + item + (",\n" if i < last else "\n"))
    yield "  ]" + tail


# -- Markdown -------------------------------------------------------------------------------------

# Characters that Markdown would read as emphasis, code, links or a cell boundary.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md_text(value: Any) -> str:
    """Data text for one Markdown table cell: newlines folded, HTML and Markdown escaped."""
    if value is None:
        return ""
    folded = visible(" ".join(str(value).split()), multiline=False)
    return _MD_SPECIAL.sub(r"\\\1", html.escape(folded, quote=False))


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def to_markdown(export: Export) -> str:
    """GitHub-flavoured Markdown: the matrix with symbols and counts, its legend, then the links."""
    from .marks import cell_text, legend_text, list_marks
    from .report import SYMBOLS, level_name, where

    cov = export.coverage
    with_axis = any(r.axis for r in cov.rows)
    lines = [f"# {md_text(_matrix_title(cov.level))}", ""]
    if export.collective:
        lines += [_("Collectif : {name}").format(name=md_text(export.collective)), ""]
    lines += [md_text(_scope_text(export)), ""]
    head = [_("id"), _("n°"), *([_("axe")] if with_axis else []), _("Demande")]
    names = [
        md_text(c.name)
        + ("" if c.answered else " \\*")
        + ("" if cov.has_confirmed(c.id) else f" ({md_text(_no_confirmed())})")
        + "".join(f" — {md_text(mark)}" for mark in list_marks(c))
        for c in cov.columns
    ]
    lines.append(_md_row([*head, *names]))
    lines.append(_md_row(["---"] * (len(head) + len(names))))
    for r in cov.rows:
        cells = []
        for col in cov.columns:
            cell = cov.cell(r.id, col.id)
            cells.append(md_text(cell_text(cell)))
        axis = [md_text(r.axis)] if with_axis else []
        lines.append(_md_row([md_text(r.id), md_text(r.number), *axis, md_text(r.title), *cells]))
    shares = [_share_text(s.covered, len(cov.rows), s.share, s.confirmed) for s in cov.summary()]
    lines.append(_md_row([""] * (len(head) - 1) + [f"**{_('Part couverte')}**", *shares]))
    lines += [
        "",
        f"{md_text(legend_text())} {md_text(_('(le nombre est celui des engagements en cause ; * = liste qui n’a pas répondu au collectif)'))}",
        "",
        f"## {md_text(_('Liens entre engagements et demandes'))}",
        "",
    ]
    lines.append(
        _md_row(
            [
                _("Demande"),
                _("Liste"),
                _("Engagement"),
                _("Texte"),
                _("Niveau"),
                _("Score"),
                _("Origine"),
                _("Pourquoi"),
                _("Source"),
                _("Statut"),
            ]
        )
    )
    lines.append(_md_row(["---"] * 5 + ["---:"] + ["---"] * 4))
    for link in export.links:
        lines.append(
            _md_row(
                [
                    md_text(link.request),
                    md_text(link.list_name),
                    md_text(link.commitment),
                    md_text(link.commitment_text),
                    f"{SYMBOLS[link.level]} {level_name(link.level)}",
                    str(link.score),
                    md_text(link.origin),
                    md_text(", ".join(link.why)),
                    md_text(where(link.provenance)),
                    md_text(_md_status(link)),
                ]
            )
        )
    if not export.links:
        empty = _("Aucun lien ni suggestion.") if export.with_suggestions else _("Aucun lien confirmé.")
        lines.append(_md_row([md_text(empty)] + [""] * 9))
    if export.origins:
        lines += ["", f"## {md_text(_('Sources des données'))}", ""]
        lines += [f"- {md_text(_origin_text(o))}" for o in export.origins]
    return "\n".join(lines) + "\n"


def _md_status(link: Link) -> str:
    """'tenu (2027-05-12, Délibération du conseil)', or 'non évalué'."""
    from .statuses import label

    text = label(link.status)  # type: ignore[arg-type]
    verdict = link.verdict
    if verdict and verdict["status"] != "not_rated":
        details = ", ".join(p for p in (verdict.get("date"), verdict.get("source")) if p)
        text += f" ({details})" if details else ""
    return text


def _scope_text(export: Export) -> str:
    """What the export counts: confirmed links only, or suggestions too (and how to get them)."""
    if not export.use_links:
        return _(
            "Niveaux établis par l’appariement automatique seul, sans les liens confirmés : des suggestions à vérifier."
        )
    if export.with_suggestions:
        return _(
            "Liens confirmés par une personne (✔) et suggestions de l’appariement automatique à vérifier (?), "
            "chacun marqué."
        )
    return _(
        "Seuls les liens confirmés par une personne (✔) sont comptés ; les suggestions de l’appariement "
        "automatique, à vérifier, s’ajoutent avec engagements export --suggestions."
    )


def _share_text(covered: int, total: int, share: float, confirmed: int | None = None) -> str:
    """'12/12 (100 %)', and with `confirmed`: '12/12 (100 %) · ✔ 10 confirmées'."""
    text = f"{covered}/{total} ({round(100 * share)} %)"
    if confirmed is None:
        return text
    from .marks import CONFIRMED, confirmed_requests

    return text + f" · {CONFIRMED} " + confirmed_requests(confirmed)


# -- HTML -----------------------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Data text for HTML, in element content or in a quoted attribute; control and bidi
    characters shown as visible escapes (a U+202E would reverse the text around it)."""
    return html.escape(visible("" if value is None else str(value)), quote=True)


_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45;
  color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 80rem; padding: 1rem 1.5rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .2rem; }
p, li, td, th, caption, dd { overflow-wrap: break-word; hyphens: auto; }
[hidden] { display: none !important; }
:focus-visible { outline: 3px solid #1a4fa0; outline-offset: 2px; }
.generated { color: #333; font-size: .9rem; }
.intro { max-width: 50rem; }
.members { font-size: .9rem; color: #333; }
.intro dt { font-weight: 700; margin-top: .4rem; }
.intro dd { margin: 0 0 0 1rem; }
.filter fieldset { border: 1px solid #767676; padding: .5rem 1rem; margin: 1rem 0; }
.filter label { margin-right: 1.5rem; display: inline-block; }
table.matrix { border-collapse: collapse; width: 100%; table-layout: fixed; }
thead th:first-child { width: 34%; }
caption { caption-side: top; text-align: left; padding: .5rem 0; color: #333; }
th, td { border: 1px solid #767676; padding: .4rem .5rem; vertical-align: top; text-align: left; }
thead th, tfoot th, tfoot td { background: #f0f0f0; }
thead .head { display: block; font-weight: 400; font-size: .85rem; }
th.axis { background: #e4e8f0; }
.num { display: inline-block; min-width: 1.6em; font-weight: 700; }
.level-covered { background: #dcefdc; color: #14501a; }
.level-partial { background: #fff0c2; color: #5c4300; }
.level-absent { background: #f9e0e0; color: #7f1717; }
summary { cursor: pointer; font-weight: 600; }
.sym { font-size: 1.1em; }
ul.pledges { list-style: none; margin: .4rem 0 0; padding: 0; color: #1a1a1a; }
ul.pledges li { border-top: 1px solid #b0b0b0; padding: .4rem 0; }
blockquote { margin: 0 0 .2rem; padding-left: .5rem; border-left: 3px solid #767676; }
.meta, .src, .why, .status { font-size: .85rem; margin: .1rem 0; color: #333; }
.status { font-weight: 600; }
.ok { font-weight: 700; }
td.unconfirmed { background-image: repeating-linear-gradient(135deg, transparent 0 7px, rgba(0,0,0,.07) 7px 9px); }
.unsure { font-style: italic; }
th .none { font-weight: 400; font-style: italic; }
.legend > span { display: inline-block; padding: .1rem .5rem; margin: 0 .5rem .3rem 0; border: 1px solid #767676; }
.only-print { display: none; }
ul.chart { list-style: none; padding: 0; margin: 0; max-width: 48rem; }
ul.chart li { margin: 0 0 .9rem; }
.bar { display: flex; height: 1.3rem; border: 1px solid #555; background: #fff; margin: .2rem 0; }
.bar-covered { background: #2e7d32; }
.bar-partial { background: #e0b000; background-image: repeating-linear-gradient(135deg, transparent 0 4px,
  rgba(0,0,0,.25) 4px 6px); }
.bar-text { font-size: .9rem; }
footer { margin-top: 2rem; border-top: 1px solid #767676; font-size: .9rem; color: #333; }
@media (max-width: 40rem) {
  body { padding: .5rem .6rem; }
  h1 { font-size: 1.3rem; }
  th, td { padding: .3rem .25rem; font-size: .9rem; }
  thead th:first-child { width: 38%; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  .filter { display: none !important; }
  .only-screen { display: none; }
  .only-print { display: inline; }
  /* Each cell collapsed to its level and counts: the pledges are on the screen and in the CSV. */
  summary { list-style: none; cursor: auto; }
  summary::-webkit-details-marker { display: none; }
  ul.pledges { display: none; }
  th, td { padding: .15rem .3rem; }
  tr, li, .bar { break-inside: avoid; }
  table.matrix { break-before: page; }
  tfoot { display: table-row-group; }
  h2 { break-after: avoid; }
  .level-covered, .level-partial, .level-absent, td.unconfirmed, .legend span, .bar span {
    print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""
# Alone, because a browser that does not know `::details-content` drops the whole rule.
_CSS_PRINT_DETAILS = "@media print { details::details-content { display: none; } }\n"

# The list filter. Everything is visible without it; it shows itself, then marks the page
# (`data-filter="ready"`) so that tests can tell that it ran.
_JS = """
(function () {
  "use strict";
  var form = document.getElementById("filter");
  function apply() {
    var shown = {};
    form.querySelectorAll("input[name=list]").forEach(function (box) { shown[box.value] = box.checked; });
    document.querySelectorAll("[data-list]").forEach(function (el) {
      el.toggleAttribute("hidden", !shown[el.getAttribute("data-list")]);
    });
  }
  form.addEventListener("change", apply);
  form.hidden = false;
  document.documentElement.setAttribute("data-filter", "ready");
})();
"""


def _csp() -> str:
    """Content Security Policy: no network at all, inline style, and only our own script (by hash).

    Escaping already keeps data text from running; the policy is a second lock on the same door.
    """
    digest = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"


_MONTHS = (
    N_("janvier"),
    N_("février"),
    N_("mars"),
    N_("avril"),
    N_("mai"),
    N_("juin"),
    N_("juillet"),
    N_("août"),
    N_("septembre"),
    N_("octobre"),
    N_("novembre"),
    N_("décembre"),
)


def long_date(iso: str) -> str:
    """'2026-03-08' as people write it: '8 mars 2026' (in English: '8 March 2026')."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return _("{day} {month} {year}").format(
        day="1er" if day.day == 1 and current_language() == "fr" else day.day,
        month=_(_MONTHS[day.month - 1]),
        year=day.year,
    )


def data_version(directory: Path) -> str:
    """Which version of the data an export shows, for its reader: the git revision of the data
    folder when it is in a git work tree (noting edits not yet committed), else a short hash of
    its data files' content (`requests.yaml`, `commitments.yaml`, `lists/*.yaml`).

    git is run with fixed arguments only; the folder is passed as the value of `-C`, resolved to
    an absolute path, and no option comes from the user.
    """
    import os
    import subprocess

    folder = directory.resolve()
    env = {**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

    def git(*args: str) -> subprocess.CompletedProcess[bytes] | None:
        try:
            return subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                env=env,
                stdin=subprocess.DEVNULL,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None

    head = git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    commit = head.stdout.decode("ascii", "replace").strip() if head and head.returncode == 0 else ""
    tracked = git("ls-files", "--", "requests.yaml") if commit else None
    if commit and re.fullmatch(r"[0-9a-f]{40,64}", commit) and tracked and tracked.stdout.strip():
        status = git("status", "--porcelain", "--untracked-files=no", "--", ".")
        if status is not None and status.returncode == 0 and status.stdout.strip():
            return _("révision git {rev}, avec des modifications non enregistrées").format(rev=commit[:7])
        return _("révision git {rev}").format(rev=commit[:7])
    from .paths import data_files
    from .reading import ReadRefused, read_bounded

    # The data files only, each read by the bounded read (a stranger's folder may hold a FIFO
    # named `notes.yaml`, or a symlink to /dev/zero, which a walk of every *.yaml would read).
    digest = hashlib.sha256()
    for path in data_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        try:
            digest.update(read_bounded(path) + b"\0")
        except ReadRefused as refused:
            digest.update(refused.code.encode("ascii") + b"\1")
    return _("empreinte du contenu {hash}").format(hash=digest.hexdigest()[:12])


def to_html(export: Export) -> str:
    """One self-contained page a journalist can publish: an introduction (who asked what, when;
    how to read the matrix; how links are made and confirmed), the matrix with each cell's
    pledges, the legend, a bar chart, the sources, the date and the data's version. It fits a
    phone's width and prints on a few A4 pages (each cell collapsed to its level and counts)."""
    cov = export.coverage
    title = _matrix_title(cov.level)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(current_language())}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">',
        '<meta name="generator" content="engagements">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}{_CSS_PRINT_DETAILS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
    ]
    stamp = []
    if export.generated:
        stamp.append(_("Page produite le {date}").format(date=long_date(export.generated)))
    if export.version:
        stamp.append(_("données : {version}").format(version=export.version))
    if stamp:
        parts.append(f'<p class="generated">{esc(" · ".join(stamp))}.</p>')
    parts += ["</header>", "<main>"]
    parts += _html_intro(export)
    parts += _html_filter(cov)
    parts += _html_matrix(export)
    parts += _html_legend()
    parts += _html_chart(cov)
    parts += ["</main>"]
    parts += _html_footer(export)
    parts += [f"<script>{_JS}</script>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_scope(export: Export) -> str:
    """`_scope_text` without the command line: what the page counts, for its readers."""
    if not export.use_links:
        return _scope_text(export)
    if export.with_suggestions:
        return _(
            "Cette page montre les liens confirmés (✔) et, marquées comme telles, les suggestions "
            "que personne n’a encore vérifiées (?)."
        )
    return _("Cette page ne compte que les liens confirmés par une personne (✔).")


def _html_intro(export: Export) -> list[str]:
    """Who asked what and when, how to read the matrix, how the links are made and confirmed."""
    cov = export.coverage
    n = len(cov.rows)
    asked = (
        (_("{n} question") if n <= 1 else _("{n} questions"))
        if cov.level == "question"
        else (_("{n} demande") if n <= 1 else _("{n} demandes"))
    ).format(n=n)
    doc = export.document
    out = [
        '<section class="intro" aria-labelledby="intro-title">',
        f'<h2 id="intro-title">{esc(_("À propos de ce tableau"))}</h2>',
        "<dl>",
        f"<dt>{esc(_('Qui demande'))}</dt>",
        f"<dd>{esc(export.collective or _('un collectif d’associations'))}",
    ]
    if export.members:
        label = _("{n} organisations signataires : ").format(n=len(export.members))
        out.append(f'<br><span class="members">{esc(label)}{esc(", ".join(export.members))}.</span>')
    out.append("</dd>")
    what = _("{asked} posées aux listes candidates").format(asked=asked)
    if doc:
        what += " " + _("dans le document « {title} »").format(title=doc.title)
    out += [f"<dt>{esc(_('Quoi'))}</dt>", f"<dd>{esc(what)}.</dd>"]
    if doc and (doc.date or doc.note):
        when = long_date(doc.date) if doc.date else (doc.note or "").rstrip(".")
        out += [f"<dt>{esc(_('Quand'))}</dt>", f"<dd>{esc(when)}.</dd>"]
    out.append("</dl>")
    answered = [c.name for c in cov.columns if c.answered]
    if answered and len(answered) < len(cov.columns):
        out.append(
            "<p>"
            + esc(
                _(
                    "Une liste marquée * n’a pas répondu au collectif : ses engagements viennent de son "
                    "programme général."
                )
            )
            + "</p>"
        )
    out += [
        f"<h3>{esc(_('Comment lire le tableau'))}</h3>",
        "<p>"
        + esc(
            _(
                "Une ligne par demande du collectif, une colonne par liste. Chaque case dit si la liste y répond : "
                "● couvert (un engagement y répond), ◐ partiel (un engagement y répond en partie), "
                "○ absent (aucun engagement trouvé), avec le nombre d’engagements en cause. Sur écran, "
                "ouvrez une case pour lire ces engagements, cités mot pour mot avec leur source "
                "et, quand il est connu, leur statut depuis l’élection (tenu, en cours…)."
            )
        )
        + "</p>",
        f"<h3>{esc(_('Comment les liens sont établis'))}</h3>",
        "<p>"
        + esc(
            _(
                "Un programme rapproche les mots de chaque engagement de ceux de chaque demande et propose des "
                "liens : ce sont des suggestions (?), avec un score de 0 à 100. Une personne relit chaque "
                "suggestion et confirme (✔) celles qui sont justes ; son nom et la date sont notés quand "
                "elle les donne."
            )
        )
        + " "
        + esc(_html_scope(export))
        + "</p>",
        "</section>",
    ]
    return out


def _list_keys(cov: Coverage) -> dict[str, str]:
    """A neutral key per list for the page's attributes (`l1`, `l2`…): no internal id in the page."""
    return {col.id: f"l{i}" for i, col in enumerate(cov.columns, start=1)}


def _html_filter(cov: Coverage) -> list[str]:
    # Hidden until the script shows it: without JavaScript it could not work, and every list
    # is shown anyway.
    keys = _list_keys(cov)
    out = [
        '<form id="filter" class="filter" hidden>',
        f"<fieldset><legend>{esc(_('Listes affichées'))}</legend>",
    ]
    out += [
        f'<label><input type="checkbox" name="list" value="{keys[c.id]}" checked> {esc(c.name)}</label>'
        for c in cov.columns
    ]
    out += ["</fieldset>", "</form>"]
    return out


def _level_label(level: str, count: int | None = None) -> str:
    """Symbol (hidden from screen readers, the word says it) and word, with the count if any."""
    from .report import SYMBOLS, level_name

    text = f'<span class="sym" aria-hidden="true">{SYMBOLS[level]}</span> {esc(level_name(level))}'
    return text + (f" ({count})" if count else "")


def _origin_counts(cell: Any) -> str:
    """'✔ 3 confirmés + ? 2 à vérifier', the marks hidden from screen readers (the words say it)."""
    from .marks import CONFIRMED, SUGGESTED, confirmed_words, suggested_words

    parts = []
    if cell.confirmed_count:
        parts.append(
            f'<span class="ok"><span class="sym" aria-hidden="true">{CONFIRMED}</span> '
            f"{esc(confirmed_words(cell.confirmed_count))}</span>"
        )
    if cell.suggested_count:
        parts.append(
            f'<span class="unsure"><span class="sym" aria-hidden="true">{SUGGESTED}</span> '
            f"{esc(suggested_words(cell.suggested_count))}</span>"
        )
    return " + ".join(parts)


def _html_matrix(export: Export) -> list[str]:
    from .marks import list_marks

    cov = export.coverage
    keys = _list_keys(cov)
    title = _matrix_title(cov.level)
    on_screen = _(
        "{title} : une ligne par demande, une colonne par liste. Chaque case donne le niveau (symbole et mot) "
        "et le nombre d’engagements, confirmés par une personne (✔) ou à vérifier (?) ; ouvrez-la pour les lire."
    ).format(title=title)
    on_paper = _(
        "{title} : une ligne par demande, une colonne par liste. Chaque case donne le niveau (symbole et mot) "
        "et le nombre d’engagements, confirmés par une personne (✔) ou à vérifier (?). Les engagements "
        "eux-mêmes, cités avec leur source, sont dans la version en ligne de cette page."
    ).format(title=title)
    caption = f'<span class="only-screen">{esc(on_screen)}</span><span class="only-print">{esc(on_paper)}</span>'
    out = ['<table class="matrix">', f"<caption>{caption}</caption>", "<thead>", "<tr>"]
    out.append(f'<th scope="col">{esc(_("Demande"))}</th>')
    for col in cov.columns:
        mark = "" if col.answered else ' <abbr title="{}">*</abbr>'.format(esc(_("n’a pas répondu au collectif")))
        head = export.heads.get(col.id)
        if head:
            mark += f' <span class="head">{esc(_("tête de liste : {name}").format(name=head))}</span>'
        if not cov.has_confirmed(col.id):
            mark += f' <span class="none">({esc(_no_confirmed())})</span>'
        for words in list_marks(col):
            mark += f' <span class="head">{esc(words)}</span>'
        out.append(f'<th scope="col" data-list="{keys[col.id]}">{esc(col.name)}{mark}</th>')
    out += ["</tr>", "</thead>", "<tbody>"]
    axis = None
    for n, row in enumerate(cov.rows, start=1):
        if row.axis and row.axis != axis:
            axis = row.axis
            label = row.axis_title or _("Axe")
            if out[-1] != "<tbody>":  # each axis is its own row group
                out += ["</tbody>", "<tbody>"]
            out.append(f'<tr><th scope="rowgroup" class="axis" colspan="{len(cov.columns) + 1}">{esc(label)}</th></tr>')
        number = f'<span class="num">{esc(row.number)}</span> ' if row.number else ""
        out.append(f'<tr id="demande-{n}">')
        out.append(f'<th scope="row">{number}{esc(row.title)}</th>')
        for col in cov.columns:
            out.append(_html_cell(export, row.id, col.id, keys[col.id]))
        out.append("</tr>")
    out += ["</tbody>", "<tfoot>", "<tr>", f'<th scope="row">{esc(_("Part couverte"))}</th>']
    for s in cov.summary():
        out.append(
            f'<td data-list="{keys[s.list]}">{esc(_share_text(s.covered, len(cov.rows), s.share, s.confirmed))}</td>'
        )
    out += ["</tr>", "</tfoot>", "</table>"]
    return out


def _status_text(link: Link) -> str | None:
    """'Suivi : tenu le 12 mai 2027 — « quote » (source)', for a pledge whose status was recorded."""
    from .statuses import label

    verdict = link.verdict
    if not verdict:
        return None
    text = _("Suivi : {status}, constaté le {date}").format(
        status=label(verdict["status"]),
        date=long_date(verdict["date"]),  # type: ignore[arg-type]
    )
    if verdict.get("quote"):
        text += f" — « {verdict['quote']} »"
    if verdict.get("source"):
        text += f" ({verdict['source']})"
    if verdict.get("note"):
        text += f". {verdict['note']}"
    return text


def _html_cell(export: Export, request: str, list_id: str, key: str) -> str:
    from .report import SYMBOLS, level_name, where

    cell = export.coverage.cell(request, list_id)
    # A level that no person confirmed is hatched, on screen and on paper, besides its "?".
    unsure = " unconfirmed" if cell.level != "absent" and not cell.is_confirmed else ""
    opening = f'<td class="level-{esc(cell.level)}{unsure}" data-list="{key}">'
    if cell.level == "absent":
        return opening + _level_label("absent") + "</td>"
    items = []
    for link in export.cell_links(request, list_id):
        meta = " · ".join(
            [
                f'<span class="sym" aria-hidden="true">{SYMBOLS[link.level]}</span> {esc(level_name(link.level))}',
                f'<span class="{"ok" if link.confirmed else "unsure"}">{esc(link.origin)}</span>',
                *([esc(f"{_('score')} {link.score}")] if link.confirmed else []),
            ]
        )
        item = [
            f"<li><blockquote>« {esc(link.commitment_text)} »</blockquote>",
            f'<p class="meta">{meta}</p>',
        ]
        status = _status_text(link)
        if status:
            item.append(f'<p class="status">{esc(status)}</p>')
        if link.provenance:
            item.append(f'<p class="src">{esc(_("Source : {where}").format(where=where(link.provenance)))}</p>')
        why = plain_why(link.why)
        if why:
            item.append(f'<p class="why">{esc(_("Pourquoi ce lien : {why}").format(why=why))}</p>')
        items.append("".join(item) + "</li>")
    return (
        opening
        + f"<details><summary>{_level_label(cell.level)} <br>{_origin_counts(cell)}</summary>"
        + f'<ul class="pledges">{"".join(items)}</ul></details></td>'
    )


def _html_legend() -> list[str]:
    from .marks import CONFIRMED, SUGGESTED
    from .report import SYMBOLS, level_name

    spans = " ".join(
        f'<span class="level-{level}"><span aria-hidden="true">{SYMBOLS[level]}</span> {esc(level_name(level))}</span>'
        for level in ("covered", "partial", "absent")
    )
    spans += (
        f' <span class="ok"><span aria-hidden="true">{CONFIRMED}</span> {esc(_("confirmé par une personne"))}</span>'
        f' <span class="unsure"><span aria-hidden="true">{SUGGESTED}</span> '
        f"{esc(_('suggestion de l’appariement, à vérifier'))}</span>"
    )
    note = _("(le nombre est celui des engagements en cause ; * = liste qui n’a pas répondu au collectif)")
    return [f'<p class="legend">{esc(_("Légende : "))}{spans} {esc(note)}</p>']


def _html_chart(cov: Coverage) -> list[str]:
    """Covered and partial shares per list, as stacked bars that take the page's width, each
    with its numbers written under it (the bars themselves are hidden from screen readers)."""
    keys = _list_keys(cov)
    heading = _("Part des demandes couvertes, par liste")
    total = len(cov.rows)
    names = {c.id: c.name + ("" if c.answered else " *") for c in cov.columns}
    out = [
        '<section aria-labelledby="chart-title">',
        f'<h2 id="chart-title">{esc(heading)}</h2>',
        '<ul class="chart" id="chart">',
    ]
    for s in cov.summary():
        label = _("{covered} couvertes, {partial} partielles, sur {total} ({share} %)").format(
            covered=s.covered, partial=s.partial, total=total, share=round(100 * s.share)
        )
        covered = 100 * s.covered / total if total else 0
        partial = 100 * s.partial / total if total else 0
        out.append(
            f'<li data-list="{keys[s.list]}"><strong>{esc(names[s.list])}</strong>'
            '<span class="bar" aria-hidden="true">'
            f'<span class="bar-covered" style="width:{covered:.1f}%"></span>'
            f'<span class="bar-partial" style="width:{partial:.1f}%"></span></span>'
            f'<span class="bar-text">{esc(label)}</span></li>'
        )
    out += [
        "</ul>",
        '<p class="legend">'
        f'<span class="level-covered">{esc(_("vert : couvertes"))}</span> '
        f'<span class="level-partial">{esc(_("jaune hachuré : partielles"))}</span></p>',
        "</section>",
    ]
    return out


def _html_footer(export: Export) -> list[str]:
    out = ["<footer>", f"<h2>{esc(_('Sources des données'))}</h2>"]
    if export.origins:
        out.append("<ul>" + "".join(f"<li>{esc(_origin_text(o))}</li>" for o in export.origins) + "</ul>")
    out += [f"<p>{esc(_html_scope(export))}</p>", f"<p>{esc(_('Page produite par engagements.'))}</p>", "</footer>"]
    return out


# -- xlsx -----------------------------------------------------------------------------------------


# Level colours of the workbook (the HTML page's, light enough for black text), and the codes they
# are keyed by: the cell's text starts with the level's symbol, which prints in black and white.
_XLSX_FILLS = {"covered": "DCEFDC", "partial": "FFF0C2", "absent": "F9E0E0"}


def to_xlsx(export: Export) -> bytes:
    """A workbook for people, one sheet per table: French headers and words, each level coloured
    and written with its symbol (● couvert), numbers as numbers, a bold frozen header row, an
    autofilter, column widths that fit (long texts wrapped).

    Text cells are neutralised and stored as strings, never as formulas. Raises `MissingExtra`
    when openpyxl is not installed.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError as error:
        raise MissingExtra("xlsx") from error
    from .marks import SYMBOLS

    fills = {SYMBOLS[level]: PatternFill("solid", start_color=colour) for level, colour in _XLSX_FILLS.items()}
    book = Workbook()
    book.remove(book.active)
    for source, sheet_name in zip(data_tables(export), (_("Couverture"), _("Liens")), strict=False):
        table = people_table(source, symbols=True)
        levels = {f.key for f in source.fields if f.key == "level" or f.key.endswith("_level")}
        coloured = {i for i, f in enumerate(table.fields, start=1) if f.key in {_people_key(source, k) for k in levels}}
        sheet = book.create_sheet(sheet_name[:31])
        widths = [min(len(f.label), 30) for f in table.fields]
        for c, f in enumerate(table.fields, start=1):
            # A label holds a list's name: as safe as any cell.
            head = sheet.cell(row=1, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(visible(f.label))))
            head.font = Font(bold=True)
            head.data_type = "s"
            head.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(table.rows, start=2):
            for c, f in enumerate(table.fields, start=1):
                value = row.get(f.key)
                if isinstance(value, str):
                    # openpyxl refuses control characters; a formula must stay text.
                    value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(visible(value)))
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                    if len(value) > 60:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    if c in coloured and value[:1] in fills:
                        cell.fill = fills[value[:1]]
                widths[c - 1] = max(widths[c - 1], len(str(value)) if value is not None else 0)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width, 6), 60) + 2
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _people_key(table: DataTable, key: str) -> str:
    """The header `people_table` gives the column `key` of `table`."""
    label = _PEOPLE_HEADERS[table.name].get(key)
    if label:
        return _(label)
    return next(f.label for f in table.fields if f.key == key)


# -- the dispatcher -------------------------------------------------------------------------------


def render(export: Export, fmt: ExportFormat, output: Path) -> dict[Path, bytes]:
    """The files to write for `fmt`: in the directory `output` (csv, csv-excel), or `output` itself."""
    return {path: b"".join(chunks) for path, chunks in render_stream(export, fmt, output).items()}


def render_stream(export: Export, fmt: ExportFormat, output: Path) -> dict[Path, Iterable[bytes]]:
    """The files of `render`, each as chunks of bytes: CSV and JSON are made as they are written."""
    match fmt:
        case ExportFormat.csv:
            return {output / name: chunks for name, chunks in csv_streams(export).items()}
        case ExportFormat.csv_excel:
            return {output / name: chunks for name, chunks in csv_streams(export, excel=True).items()}
        case ExportFormat.md:
            return {output: [to_markdown(export).encode("utf-8")]}
        case ExportFormat.json:
            return {output: (piece.encode("utf-8") for piece in iter_json(export))}
        case ExportFormat.html:
            return {output: [to_html(export).encode("utf-8")]}
        case ExportFormat.xlsx:
            return {output: [to_xlsx(export)]}
        case _:
            assert_never(fmt)


def previous_export(path: Path, fmt: ExportFormat) -> bool:
    """Whether `path` is recognisably an export this tool wrote, which `-o` may replace
    without `--force`: a csv folder holding only its three files and its Data Package, an HTML
    page with this tool's generator tag, a JSON export. Markdown and xlsx are not recognised."""
    from .writing import previous_export as folder_export

    if fmt.writes_directory:
        names = [f"{MATRIX_NAME}.csv", f"{LINKS_NAME}.csv", PACKAGE_FILE]
        return folder_export(path, names, PACKAGE_FILE, "engagements-couverture")
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    if fmt is ExportFormat.html:
        return head.startswith(b"<!DOCTYPE html>") and b'<meta name="generator" content="engagements">' in head
    if fmt is ExportFormat.json:
        return head.startswith(b'{\n  "coverage": {\n    "level": ')
    return False


def gaps_markdown(coverage: Coverage, gaps: Gaps, by_competence: bool = False) -> str:
    """The gap sheet a volunteer prints for a meeting with a list: per list, what to ask about.

    Each unanswered or partly answered request comes with its full text, the question to put.
    `by_competence`: under each heading, the requests by the level of government responsible
    (and on whose word), so that the list is asked about what is the commune's to do.
    """
    from .competence import label as competence_label
    from .coverage import gaps_by_competence
    from .marks import SUGGESTED
    from .report import SYMBOLS

    out = [f"# {md_text(_('Manques, liste par liste'))}", ""]
    rows = {r.id: r for r in coverage.rows}
    grouped = gaps_by_competence(coverage, gaps) if by_competence else {}

    def groups(col_id: str, kind: str, items: list[Any]) -> list[tuple[str | None, list[Any]]]:
        if not by_competence:
            return [(None, items)]
        return [(competence_label(k), v) for k, v in grouped[col_id][kind].items()]

    def origin(rid: str, pid: str | None = None) -> str:
        found = coverage.competence_of(rid, pid)
        return f" _({md_text(found.origin())})_" if by_competence and found is not None else ""

    for col in coverage.columns:
        out += [f"## {md_text(col.name)}", ""]
        if not col.answered:
            out += [
                md_text(_("Cette liste n’a pas répondu au collectif : ce qui suit vient de son programme général.")),
                "",
            ]
        for heading, kind, ids, symbol, always in (
            (_("Sans réponse ({n})"), "unanswered", gaps.unanswered[col.id], SYMBOLS["absent"], True),
            (
                _("Réponse partielle ({n})"),
                "partial",
                gaps.partial[col.id],
                f"{SYMBOLS['partial']} {SUGGESTED}",
                True,
            ),
            (
                _("Couvertes, mais par des suggestions à vérifier ({n})"),
                "unconfirmed",
                gaps.unconfirmed.get(col.id, []),
                f"{SYMBOLS['covered']} {SUGGESTED}",
                False,
            ),
        ):
            if not ids and not always:
                continue
            out += [f"### {md_text(heading.format(n=len(ids)))}", ""]
            if not ids:
                out.append(md_text(_("aucune")))
            for group_label, members in groups(col.id, kind, ids):
                if group_label is not None:
                    out += [f"#### {md_text(group_label)} ({len(members)})", ""]
                for rid in members:
                    row = rows[rid]
                    label = f"{row.number} — {row.title}" if row.number else row.title
                    out.append(f"- {symbol} **{md_text(label)}** : {md_text(row.text)}{origin(rid)}")
                if group_label is not None:
                    out.append("")
            if not by_competence or not ids:
                out.append("")
        broken = gaps.broken.get(col.id, [])
        if broken:
            from .report import broken_evidence

            out += [f"### {md_text(_('Promis puis rompus ({n})').format(n=len(broken)))}", ""]
            for group_label, pairs in groups(col.id, "broken", broken):
                if group_label is not None:
                    out += [f"#### {md_text(group_label)} ({len(pairs)})", ""]
                for rid, pid in pairs:
                    row = rows[rid]
                    label = f"{row.number} — {row.title}" if row.number else row.title
                    out.append(
                        f"- ✘ **{md_text(label)}** — {md_text(pid)} : {md_text(broken_evidence(coverage, pid))}"
                        + origin(rid, pid)
                    )
                out.append("")
    return "\n".join(out)
