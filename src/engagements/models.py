"""The data model: one pydantic class per YAML mapping.

These classes are the single source of truth for the two data files: they validate them,
generate the JSON Schema that editors use (``engagements schema``), and document each field.
The minimum public schema (see README) is: ``requests[].{id,title,text,keywords?}`` and
``lists[].{id,name,commitments[].{id,text,answers?}}``; every other field is optional.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]+$", min_length=1, max_length=100),
    Field(description="Identifiant stable : lettres, chiffres, '.', '_' ou '-'."),
]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]


def not_a_boolean(value: object) -> object:
    """For a `line` field: `line: true` is not line 1 (pydantic would take a boolean for an integer)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def field_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through `list[...]`, `X | None` and `Annotated[...]` (or None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = field_model(arg)
        if found is not None:
            return found
    return None


class Strict(BaseModel):
    """Base for every mapping: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A document that data is transcribed from."""

    id: Id
    title: Text = Field(description="Titre du document.")
    author: Text | None = Field(default=None, description="Auteur ou signataire.")
    date: dt.date | None = Field(default=None, description="Date du document (AAAA-MM-JJ), si connue.")
    file: str | None = Field(
        default=None,
        description="Copie du texte, relative au dossier de données (ex. sources/000.txt).",
    )
    kind: Literal["answer", "programme", "interpellation", "record", "institutional"] | None = Field(
        default=None,
        description=(
            "answer : réponse adressée au collectif ; programme : programme général ; "
            "interpellation : texte du collectif ; record : bilan ; institutional : engagement public."
        ),
    )
    note: str | None = None


class Provenance(Strict):
    """Where in a source a request or a pledge comes from."""

    source: Id = Field(description="Identifiant d'une entrée de `sources`.")
    section: str | None = Field(default=None, description="Titre de la partie (ex. la question).")
    subsection: str | None = Field(default=None, description="Sous-titre (ex. « Pour … »).")
    item: str | None = Field(default=None, description="Numéro de l'article ou de la puce.")
    line: int | None = Field(default=None, ge=1, description="Ligne de début dans le fichier source.")

    _line_not_a_boolean = field_validator("line", mode="before")(not_a_boolean)


# Which level of government is responsible: a closed vocabulary (French labels in
# `competence.py`). `partagee`: several levels share it, named in `between`.
CompetenceLevel = Literal[
    "commune", "ccas", "metropole", "departement", "region", "etat", "securite_sociale", "partagee"
]
COMPETENCE_LEVELS: tuple[CompetenceLevel, ...] = get_args(CompetenceLevel)
# The `source` of a competence that no document states: the team's own assessment.
TEAM = "equipe"


class Competence(Strict):
    """Which level of government is responsible for a request or a pledge, and on whose word:
    a source that states it (its id, the line and the exact quote, checked against its file), or
    the team's assessment (`source: equipe`)."""

    level: CompetenceLevel = Field(
        description=(
            "commune ; ccas : centre communal d'action sociale ; metropole : Métropole Aix-Marseille-Provence ; "
            "departement : Département des Bouches-du-Rhône ; region : Région Provence-Alpes-Côte d'Azur ; "
            "etat : État et ses services (préfecture, ARS, Éducation nationale…) ; "
            "securite_sociale : CAF, Assurance maladie ; partagee : plusieurs niveaux (voir `between`)."
        )
    )
    between: list[CompetenceLevel] = Field(
        default_factory=list, description="Pour « partagee » seulement : les niveaux qui se la partagent (au moins deux)."
    )
    source: Id = Field(
        description=(
            "Identifiant d'une entrée de `sources` qui l'énonce (avec `line` et `quote`), "
            "ou « equipe » : appréciation de l'équipe, qu'aucun document ne dit."
        )
    )
    line: int | None = Field(default=None, ge=1, description="Ligne de la citation dans le fichier source.")
    quote: str | None = Field(
        default=None, description="Citation exacte de la source qui dit qui est compétent (vérifiée dans son fichier)."
    )
    note: str | None = Field(default=None, description="Explication : pourquoi ce niveau, ce que dit la source.")

    _line_not_a_boolean = field_validator("line", mode="before")(not_a_boolean)

    @property
    def by_team(self) -> bool:
        """Whether this is the team's assessment rather than a source's statement."""
        return self.source == TEAM


class Decision(Strict):
    """A link decided by a person, with who and when."""

    request: Id
    by: str | None = Field(default=None, description="Qui a pris la décision.")
    date: dt.date | None = None
    note: str | None = None


def _link_from_id(value: object) -> object:
    """A bare request id is the short form of a decision with no author or date."""
    return {"request": value} if isinstance(value, str) else value


LinkRef = Annotated[
    Decision,
    BeforeValidator(_link_from_id, json_schema_input_type=Id | Decision),
    Field(description="Identifiant d'une demande, ou {request, by, date, note}."),
]


class Request(Strict):
    """One demand of the collective, or one question put to the lists."""

    id: Id
    title: Text = Field(description="Intitulé court.")
    text: Text = Field(description="Texte de la demande, verbatim.")
    keywords: list[str] = Field(default_factory=list, description="Mots que l'apparieur peut utiliser.")
    kind: Literal["question", "demand"] | None = Field(
        default=None, description="question : question posée aux listes ; demand : demande fine."
    )
    number: str | None = Field(default=None, description="Numérotation du document source.")
    axis: str | None = Field(default=None, description="Identifiant de l'axe (voir `axes`).")
    provenance: Provenance | None = None
    competence: Competence | None = Field(
        default=None, description="Niveau de collectivité compétent, et qui le dit (une source ou l'équipe)."
    )
    note: str | None = None


class Axis(Strict):
    """One of the collective's axes, grouping fine demands."""

    id: Id
    title: Text
    text: Text | None = None
    provenance: Provenance | None = None


class Collective(Strict):
    """Who asks: the collective and the organisations that signed."""

    name: Text
    members: list[Text] = Field(default_factory=list)
    document: Id | None = Field(default=None, description="Identifiant de la source du texte.")
    note: str | None = None


class RequestsFile(Strict):
    """`requests.yaml`: the collective's demands."""

    collective: Collective | None = None
    sources: list[Source] = Field(default_factory=list)
    axes: list[Axis] = Field(default_factory=list)
    requests: list[Request]


Status = Literal["not_rated", "in_progress", "stalled", "compromise", "kept", "broken"]
STATUSES: tuple[Status, ...] = get_args(Status)


class Evidence(Strict):
    """What a verdict rests on: a source, and a quote from it or a link to it."""

    source: Text = Field(description="Titre de la source (article, délibération, rapport…).")
    url: str | None = Field(default=None, description="Adresse de la source en ligne.")
    document: Id | None = Field(
        default=None,
        description="Identifiant d'une entrée de `sources` dont le fichier contient la citation (vérifiée).",
    )
    quote: str | None = Field(default=None, description="Citation exacte de la source.")


class HistoryEntry(Strict):
    """One dated step of a pledge's follow-up. History is never rewritten: a correction is a new entry."""

    status: Status = Field(
        description=(
            "not_rated : non évalué ; in_progress : en cours ; stalled : au point mort ; "
            "compromise : compromis ; kept : tenu ; broken : rompu."
        )
    )
    date: dt.date = Field(description="Date du constat (AAAA-MM-JJ), ni future ni antérieure à l'entrée précédente.")
    evidence: Evidence | None = Field(
        default=None, description="Obligatoire pour tout statut sauf not_rated : une source et une citation ou un lien."
    )
    note: str | None = Field(default=None, description="Explication du verdict.")
    by: str | None = Field(default=None, description="Qui a fait ce constat.")
    corrects: int | None = Field(
        default=None, ge=1, description="Numéro (à partir de 1) de l'entrée antérieure que celle-ci corrige."
    )


class Commitment(Strict):
    """One pledge of one list."""

    id: Id
    text: Text = Field(description="Texte de l'engagement, verbatim (artefacts d'extraction corrigés).")
    answers: list[LinkRef] = Field(
        default_factory=list, description="Demandes auxquelles il répond : liens confirmés par une personne."
    )
    rejects: list[LinkRef] = Field(
        default_factory=list, description="Demandes écartées par une personne : jamais suggérées."
    )
    parent: Id | None = Field(
        default=None, description="Identifiant de l'engagement dont celui-ci est une partie (document hiérarchisé)."
    )
    number: str | None = Field(default=None, description="Numérotation du document source (ex. « axe 2.3 »).")
    level: str | None = Field(
        default=None, description="Niveau dans la hiérarchie du document (ex. pilier, orientation, axe, action)."
    )
    provenance: Provenance | None = None
    status: Literal["pending", "in_progress", "kept", "partly_kept", "broken"] | None = Field(
        default=None,
        description="Ancien champ, remplacé par `history` (le statut actuel est la dernière entrée de l'historique).",
        json_schema_extra={"deprecated": True},
    )
    deadline: dt.date | None = Field(
        default=None, description="Échéance (AAAA-MM-JJ) : passée, un engagement non évalué ou en cours est en retard."
    )
    history: list[HistoryEntry] = Field(
        default_factory=list,
        description="Suivi après l'élection : entrées datées, dans l'ordre ; la dernière donne le statut actuel.",
    )
    competence: Competence | None = Field(
        default=None,
        description="Niveau de collectivité compétent pour cet engagement, s'il diffère de celui de ses demandes.",
    )
    note: str | None = None


class Elected(Strict):
    """The election of a list: when, at which round, on what source."""

    date: dt.date = Field(description="Date de l’élection (AAAA-MM-JJ), pas dans le futur.")
    round: Literal[1, 2] | None = Field(default=None, description="Tour de scrutin (1 ou 2).")
    source: Id | None = Field(default=None, description="Identifiant d’une entrée de `sources` (résultats officiels).")
    note: str | None = None


class Reply(Strict):
    """A list's right of reply: its pledges confirmed by the list itself on a date."""

    confirmed_by: Text = Field(description="Qui, pour la liste, a confirmé ses engagements.")
    date: dt.date = Field(description="Date de la confirmation (AAAA-MM-JJ), pas dans le futur.")
    source: Id | None = Field(default=None, description="Identifiant d’une entrée de `sources` (courrier, courriel).")
    note: str | None = None


class Merger(Strict):
    """A list formed by merging lists between the two rounds: which ones, when, on what source.

    The merged list inherits its parts' pledges (they stay where they are written, under their
    own list, and keep that list as their origin); its own `commitments` are added to them.
    """

    lists: list[Id] = Field(description="Identifiants des listes fusionnées (au moins deux), dans l’ordre.")
    date: dt.date = Field(description="Date de la fusion (AAAA-MM-JJ), pas dans le futur.")
    round: Literal[1, 2] | None = Field(
        default=None, description="Tour de scrutin où la liste fusionnée se présente (en général 2)."
    )
    source: Id | None = Field(default=None, description="Identifiant d’une entrée de `sources` (dépôt des listes).")
    note: str | None = None


class CandidateList(Strict):
    """A candidate list and its pledges."""

    id: Id
    name: Text
    short_name: str | None = Field(default=None, description="Nom court, pour les en-têtes de tableaux.")
    kind: Literal["candidate", "institution"] | None = Field(
        default=None,
        description="candidate : liste candidate (par défaut) ; institution : partenaire public (contrat, bilan).",
    )
    head: str | None = Field(default=None, description="Tête de liste.")
    sources: list[Id] = Field(default_factory=list, description="Identifiants des sources de la liste.")
    note: str | None = None
    elected: Elected | None = Field(default=None, description="Élection de la liste (après le scrutin).")
    reply: Reply | None = Field(default=None, description="Droit de réponse : engagements confirmés par la liste.")
    merged_from: Merger | None = Field(
        default=None,
        description="Fusion entre les deux tours : la liste hérite des engagements des listes fusionnées.",
    )
    commitments: list[Commitment]


class CommitmentsFile(Strict):
    """`commitments.yaml`: each list's pledges."""

    sources: list[Source] = Field(default_factory=list)
    lists: list[CandidateList]


class Dataset(BaseModel):
    """Both files of a data directory, loaded and validated."""

    model_config = ConfigDict(frozen=True)

    requests: RequestsFile
    commitments: CommitmentsFile


# -- the record: what a public partner reports as done (data/record/*.yaml) ---------------------

Neighbourhood = Literal["beisson", "corsy", "encagnane", "jas-de-bouffan", "pinette"]
NEIGHBOURHOODS: tuple[Neighbourhood, ...] = get_args(Neighbourhood)
# The names as the documents print them.
NEIGHBOURHOOD_NAMES: dict[str, str] = {
    "beisson": "Beisson",
    "corsy": "Corsy",
    "encagnane": "Encagnane",
    "jas-de-bouffan": "Jas de Bouffan",
    "pinette": "Pinette",
}


class Implementation(Strict):
    """A link, decided by a person, from a recorded action to the public pledge it carries out."""

    commitment: Id = Field(description="Identifiant d'un engagement d'une liste de type institution.")
    by: str | None = Field(default=None, description="Qui a pris la décision.")
    date: dt.date | None = None
    note: str | None = None


class RecordedAction(Strict):
    """One row of a public partner's record: an action done, where, with whom, as printed."""

    id: Id
    text: Text = Field(description="Descriptif de l'action, verbatim (son nom quand la ligne n'en a pas).")
    action: Text = Field(description="Nom de l'action, tel qu'imprimé.")
    theme: str | None = Field(default=None, description="Thématique, telle qu'imprimée.")
    partners: list[Text] = Field(default_factory=list, description="Partenaires nommés (associations, structures).")
    neighbourhoods: list[Neighbourhood] = Field(
        min_length=1,
        description="Quartiers où l'action a eu lieu : beisson, corsy, encagnane, jas-de-bouffan, pinette.",
    )
    figures: list[Text] = Field(
        default_factory=list, description="Chiffres tels qu'imprimés, chacun un extrait du texte ou du nom de l'action."
    )
    year: int | None = Field(default=None, ge=1900, le=2100, strict=True, description="Année de l'action (AAAA).")
    provenance: Provenance = Field(description="Où l'action figure dans le document (source, légende, ligne).")
    implements: list[Implementation] = Field(
        default_factory=list, description="Engagements de partenaires publics que l'action met en œuvre."
    )
    answers: list[LinkRef] = Field(
        default_factory=list, description="Demandes du collectif auxquelles l'action répond : liens confirmés."
    )
    note: str | None = None


class RecordFile(Strict):
    """`record/*.yaml`: what a public partner reports as done, row by row, with provenance."""

    sources: list[Source] = Field(default_factory=list)
    actions: list[RecordedAction]
