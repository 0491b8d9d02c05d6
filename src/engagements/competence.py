"""Which level of government is responsible for a request or a pledge (issue 13).

A list is judged on what it promises for the city; much of what the collective asks is not the
commune's job alone (emergency shelter is the State's, the RSA the département's…). Reports
group requests and broken pledges by competence so that a gap is attributed fairly: they show
who is responsible, they hide nothing.

Each value says on whose word it rests: a source document that states it (its id, the line and
the exact quote, checked here against the source's file), or the team's assessment
(`source: equipe`), always shown as such.

`CompetenceInfo` is plain data (no pydantic), so that the cached coverage matrix carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import N_, _

if TYPE_CHECKING:
    from .models import Competence, Source

# In `models.COMPETENCE_LEVELS` order (kept here so that a cached matrix is read without
# importing pydantic; a test checks both agree).
LEVELS: tuple[str, ...] = (
    "commune",
    "ccas",
    "metropole",
    "departement",
    "region",
    "etat",
    "securite_sociale",
    "partagee",
)
TEAM = "equipe"
LABELS: dict[str, str] = {
    "commune": N_("Commune"),
    "ccas": N_("CCAS"),
    "metropole": N_("Métropole"),
    "departement": N_("Département"),
    "region": N_("Région"),
    "etat": N_("État"),
    "securite_sociale": N_("Sécurité sociale"),
    "partagee": N_("Partagée"),
}
# The group of requests whose data says nothing about competence.
UNKNOWN = "non_renseignee"


def label(level: str) -> str:
    """A level, or a group key, in the current language ("Métropole Aix-Marseille-Provence",
    "Compétence partagée : Commune, État")."""
    if level == UNKNOWN:
        return _("Compétence non renseignée")
    if level == "plusieurs":  # a pledge answering requests of different levels (see meter.pledge_group)
        return _("Plusieurs niveaux (demandes de niveaux différents)")
    if level.startswith("partagee:"):
        return _("{shared} : {levels}").format(
            shared=_(LABELS["partagee"]), levels=", ".join(_(LABELS[b]) for b in level.split(":", 1)[1].split(","))
        )
    return _(LABELS[level])


@dataclass(frozen=True)
class CompetenceInfo:
    """A competence as the reports show it: the level, and on whose word."""

    level: str
    source: str  # a source id, or "equipe"
    between: tuple[str, ...] = ()
    line: int | None = None
    quote: str | None = None
    note: str | None = None

    @property
    def by_team(self) -> bool:
        return self.source == TEAM

    def name(self) -> str:
        """'Compétence partagée : Commune, État', or the level's label."""
        if self.level == "partagee" and self.between:
            return _("{shared} : {levels}").format(
                shared=label("partagee"), levels=", ".join(label(b) for b in self.between)
            )
        return label(self.level)

    def origin(self) -> str:
        """'appréciation de l’équipe' or 'selon interpellation-2026, ligne 6'."""
        if self.by_team:
            return _("appréciation de l’équipe")
        if self.line is not None:
            return _("selon {source}, ligne {line}").format(source=self.source, line=self.line)
        return _("selon {source}").format(source=self.source)

    def as_dict(self) -> dict[str, Any]:
        """The public JSON form: the YAML mapping, with the label and `by_team` spelled out."""
        return {
            "level": self.level,
            "label": self.name(),
            "between": list(self.between),
            "source": self.source,
            "by_team": self.by_team,
            "line": self.line,
            "quote": self.quote,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompetenceInfo:
        return cls(
            data["level"],
            data["source"],
            tuple(data.get("between", ())),
            data.get("line"),
            data.get("quote"),
            data.get("note"),
        )


def info(competence: Competence | None) -> CompetenceInfo | None:
    """The plain-data form of a model's competence (None when the data says nothing)."""
    if competence is None:
        return None
    return CompetenceInfo(
        competence.level,
        competence.source,
        tuple(competence.between),
        competence.line,
        competence.quote,
        competence.note,
    )


def group_key(competence: CompetenceInfo | None) -> str:
    """The group a request falls in: its level; for a shared one, the levels that share it
    (`partagee:commune,etat`, in vocabulary order), since who shares it is what matters; or
    `non_renseignee`."""
    if competence is None:
        return UNKNOWN
    if competence.level == "partagee" and competence.between:
        members = sorted(set(competence.between) & set(LEVELS), key=LEVELS.index)
        return "partagee:" + ",".join(members)
    return competence.level


def _rank(key: str) -> tuple[int, tuple[int, ...]]:
    if key == UNKNOWN:
        return (len(LEVELS) + 1, ())
    if key.startswith("partagee:"):
        return (LEVELS.index("partagee"), tuple(LEVELS.index(m) for m in key.split(":", 1)[1].split(",")))
    return (LEVELS.index(key), ())


def group_order(keys: Iterable[str]) -> list[str]:
    """Groups in vocabulary order (the commune first), shared ones after the single levels (by
    the levels they name), the unknown group last."""
    return sorted(set(keys), key=_rank)


def group(ids: Sequence[str], competences: dict[str, CompetenceInfo | None]) -> dict[str, list[str]]:
    """`ids` (requests, or pledges) by competence group, in `group_order`, each in its given order."""
    found: dict[str, list[str]] = {}
    for i in ids:
        found.setdefault(group_key(competences.get(i)), []).append(i)
    return {k: found[k] for k in group_order(found)}


# How a check reports a problem: the path under the competence, the message, the code, the level.
Report = Callable[[tuple[str | int, ...], str, str, str], None]


def check_competence(
    competence: Competence,
    sources: dict[str, Source],
    document: Callable[[Source], Path | None],
    report: Report,
) -> None:
    """One competence's own rules: `between` only for a shared one (at least two other levels);
    a source's word rests on a quote found in that source's file (`document` gives the file,
    having reported once why there is none); the team's assessment quotes nothing."""
    from .checks import SourceText, find_quote, read_source
    from .diagnostics import did_you_mean

    if competence.level == "partagee":
        others = [b for b in dict.fromkeys(competence.between) if b != "partagee"]
        if len(others) < 2 or len(others) != len(competence.between):
            report(
                ("between",) if competence.between else ("level",),
                _("une compétence partagée nomme dans « between » au moins deux niveaux distincts (hors « partagee »)"),
                "bad-competence",
                "error",
            )
    elif competence.between:
        report(
            ("between",),
            _("« between » ne sert qu’à une compétence partagée (level: partagee)"),
            "bad-competence",
            "error",
        )
    if competence.source == TEAM:
        if competence.quote is not None or competence.line is not None:
            report(
                ("quote",) if competence.quote is not None else ("line",),
                _(
                    "une appréciation de l’équipe (source: equipe) ne cite pas de source : "
                    "ôtez line et quote, ou nommez la source"
                ),
                "bad-competence",
                "error",
            )
        return
    source = sources.get(competence.source)
    if source is None:
        report(
            ("source",),
            _(
                "source « {id} » inconnue : déclarez-la dans « sources: », "
                "ou écrivez « equipe » pour une appréciation de l’équipe"
            ).format(id=competence.source)
            + did_you_mean(competence.source, [*sources, TEAM]),
            "unknown-source",
            "error",
        )
        return
    if competence.quote is None:
        report(
            ("source",),
            _(
                "une compétence attribuée à une source cite ses mots (quote) : "
                "sans citation, c’est une appréciation de l’équipe (source: equipe)"
            ),
            "competence-without-quote",
            "error",
        )
        return
    if source.file is None:
        # Not a warning: a quote nobody can check must not pass as the source's word.
        report(
            ("quote",),
            _(
                "citation non vérifiée : la source « {id} » n’a pas de fichier lisible (file:) dans le dossier de données"
            ).format(id=source.id),
            "unchecked-quote",
            "error",
        )
        return
    path = document(source)
    content = read_source(path) if path is not None else None
    if not isinstance(content, SourceText):
        return  # `document` said why, at the source's entry (a missing copy is a warning, as for provenances)
    where = find_quote(competence.quote, content, competence.line)
    if where is None:
        report(
            ("quote",),
            _("citation introuvable dans la source {file} : recopiez-la telle qu’elle y figure").format(
                file=source.file
            ),
            "quote-not-found",
            "error",
        )
    elif competence.line is not None and where != competence.line:
        report(
            ("line",),
            _("la citation commence ligne {found} de {file}, pas ligne {line}").format(
                found=where, file=source.file, line=competence.line
            ),
            "wrong-line",
            "warning",
        )
