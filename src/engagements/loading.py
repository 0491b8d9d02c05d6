"""Reading the data files: bytes to YAML to pydantic models, keeping every position.

Nothing here prints or exits. Each problem becomes a `Diagnostic` naming the file, the 1-based
line and column, and what to do about it; loading goes on as far as it can so that all
problems of a file are reported at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .diagnostics import Diagnostic, did_you_mean
from .i18n import N_, _
from .models import CommitmentsFile, Dataset, RequestsFile, field_model
from .paths import COMMITMENTS_FILE, REQUESTS_FILE, commitment_names, display_path, is_part_name

DEFAULT_MAX_BYTES = 2 * 1024 * 1024  # ruamel parses ~100 KB/s on a slow machine: bounded time
MAX_NODES = 1_000_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


def max_bytes() -> int:
    """The size limit for one data file; `ENGAGEMENTS_MAX_FILE_MB` raises it."""
    value = os.environ.get("ENGAGEMENTS_MAX_FILE_MB")
    if value:
        try:
            return int(float(value) * 1024 * 1024)
        except ValueError:
            pass
    return DEFAULT_MAX_BYTES


@dataclass
class YamlFile:
    """One parsed YAML file: its round-trip document, for positions and for writing back."""

    path: Path
    name: str
    document: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int | None, col: int | None, message: str, code: str) -> None:
        self.diagnostics.append(Diagnostic(self.name, line, col, message, code))

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the node at `path`, or of its nearest existing ancestor.

        With `key=True`, the position of the last mapping key rather than its value.
        """
        node = self.document
        line, col = 1, 1
        if isinstance(node, (CommentedMap, CommentedSeq)):
            line, col = node.lc.line + 1, node.lc.col + 1
        for i, step in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, CommentedMap) and step in node:
                pos = node.lc.key(step) if (key and last) else node.lc.value(step)
                line, col = pos[0] + 1, pos[1] + 1
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
                pos = node.lc.item(step)
                line, col = pos[0] + 1, pos[1] + 1
                node = node[step]
            else:
                break
        return line, col


def _make_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _yaml_message(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    context_mark = exc.context_mark
    if problem.startswith("found duplicate key"):
        key = problem.split('"')[1] if '"' in problem else "?"
        first = f" ({_('déjà définie ligne')} {context_mark.line + 1})" if context_mark else ""
        return _("clé en double « {key} »{first} : chaque clé ne doit apparaître qu’une fois").format(
            key=key, first=first
        )
    if "'\\t'" in problem:
        return _("tabulation dans l’indentation : YAML n’accepte que des espaces")
    if "another document" in problem:
        return _("plusieurs documents YAML (« --- ») dans le fichier : un seul est attendu")
    if "while scanning a quoted scalar" in str(exc.context or ""):
        return _("guillemet ouvert ligne {line} jamais refermé").format(
            line=(context_mark.line + 1) if context_mark else "?"
        )
    context = f" ({exc.context})" if exc.context else ""
    return _("erreur de syntaxe YAML : {problem}{context}").format(problem=problem, context=context)


def parse_yaml(path: Path, name: str | None = None) -> YamlFile:
    """Read and parse one YAML file; problems are collected in `.diagnostics`."""
    result = YamlFile(path=path, name=name or display_path(path))
    if not path.exists():
        result.error(None, None, _("fichier introuvable"), "missing-file")
        return result
    if not path.is_file():
        result.error(None, None, _("ce n’est pas un fichier"), "not-a-file")
        return result
    size = path.stat().st_size
    limit = max_bytes()
    if size > limit:
        result.error(
            None,
            None,
            _(
                "fichier trop volumineux ({size:.1f} Mo, limite {limit:.1f} Mo) : "
                "découpez-le ou relevez ENGAGEMENTS_MAX_FILE_MB"
            ).format(size=size / 1048576, limit=limit / 1048576),
            "too-large",
        )
        return result
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        result.error(
            line,
            col,
            _("le fichier n’est pas en UTF-8 (octet 0x{byte:02x}) : réenregistrez-le en UTF-8").format(
                byte=raw[exc.start]
            ),
            "encoding",
        )
        return result
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        result.error(line, None, _("caractère NUL : ce fichier n’est pas du texte"), "encoding")
        return result
    try:
        document = _make_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        result.error(mark.line + 1 if mark else None, mark.column + 1 if mark else None, _yaml_message(exc), "syntax")
        return result
    except YAMLError as exc:
        result.error(None, None, _("erreur de syntaxe YAML : {e}").format(e=exc), "syntax")
        return result
    except RecursionError:
        result.error(None, None, _("imbrication trop profonde"), "too-deep")
        return result
    if document is None:
        result.error(1, 1, _("fichier vide : il doit contenir des données YAML"), "empty")
        return result
    result.document = document
    return result


class _Plain:
    """Converts a ruamel document to plain Python, refusing aliases and oversized trees."""

    def __init__(self, source: YamlFile) -> None:
        self.source = source
        self.seen: set[int] = set()
        self.nodes = 0
        self.failed = False

    def convert(self, node: Any, path: Path_ = ()) -> Any:
        if self.failed:
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            self.failed = True
            code, msg = (
                ("too-deep", _("imbrication trop profonde (plus de {n} niveaux)").format(n=MAX_DEPTH))
                if len(path) > MAX_DEPTH
                else ("too-large", _("trop d’éléments (plus de {n})").format(n=MAX_NODES))
            )
            self.source.error(*self.source.position(path), msg, code)
            return None
        # Containers are shared objects when aliased; so are anchored scalars (`&a texte`),
        # which ruamel.yaml marks with an anchor. Plain scalars may legitimately share an object.
        anchored = getattr(getattr(node, "anchor", None), "value", None) is not None
        if isinstance(node, (CommentedMap, CommentedSeq)) or anchored:
            if id(node) in self.seen:
                self.failed = True
                # Point at the alias itself: its key, or the sequence holding it.
                at = (
                    self.source.position(path[:-1])
                    if path and isinstance(path[-1], int)
                    else self.source.position(path, key=True)
                )
                self.source.error(
                    *at,
                    _("alias YAML (*…) : les ancres et alias ne sont pas acceptés, recopiez la valeur"),
                    "alias",
                )
                return None
            self.seen.add(id(node))
        if isinstance(node, CommentedMap):
            return {str(k): self.convert(v, (*path, str(k))) for k, v in node.items()}
        if isinstance(node, CommentedSeq):
            return [self.convert(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str):
            return str(node)
        return node


_TYPE_NAMES = {
    "string_type": N_("un texte"),
    "list_type": N_("une liste"),
    "dict_type": N_("une table (clé : valeur)"),
    "model_type": N_("une table (clé : valeur)"),
    "model_attributes_type": N_("une table (clé : valeur)"),
    "int_type": N_("un nombre entier"),
    "int_parsing": N_("un nombre entier"),
    "int_from_float": N_("un nombre entier"),
    "bool_type": N_("vrai ou faux"),
    "date_type": N_("une date AAAA-MM-JJ"),
    "date_parsing": N_("une date AAAA-MM-JJ"),
    "date_from_datetime_parsing": N_("une date AAAA-MM-JJ"),
    "date_from_datetime_inexact": N_("une date AAAA-MM-JJ"),
}


def _field_label(loc: Path_) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    return names[-1] if names else "document"


def _describe(error: Any, model: type[BaseModel], loc: Path_) -> tuple[str, str]:
    """A French message and a code for one pydantic error."""
    kind = error["type"]
    label = _field_label(loc)
    if kind == "missing":
        return "missing-field", _("champ obligatoire « {field} » manquant").format(field=label)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = did_you_mean(label, allowed) or _(" ; clés permises : {keys}").format(keys=", ".join(allowed))
        return "unknown-field", _("clé inconnue « {field} »").format(field=label) + hint
    if kind == "string_pattern_mismatch":
        return "bad-id", _(
            "« {field} » : identifiant invalide {value!r} (lettres, chiffres, « . », « _ », « - » seulement)"
        ).format(field=label, value=error.get("input"))
    if kind in ("string_too_short", "too_short"):
        return "empty", _("« {field} » ne doit pas être vide").format(field=label)
    if kind == "string_too_long":
        return "too-long", _("« {field} » est trop long").format(field=label)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return "bad-value", _("« {field} » : valeur {value!r} invalide, attendu : {expected}").format(
            field=label, value=error.get("input"), expected=expected
        )
    if kind == "greater_than_equal":
        return "bad-value", _("« {field} » doit être supérieur ou égal à {n}").format(
            field=label, n=error.get("ctx", {}).get("ge")
        )
    if kind in _TYPE_NAMES:
        return "wrong-type", _("« {field} » doit être {what}").format(field=label, what=_(_TYPE_NAMES[kind]))
    return "invalid", f"« {label} » : {error['msg']}"


def _allowed_keys(model: type[BaseModel], loc: Path_) -> list[str]:
    """The keys a mapping at `loc` may hold, found by walking the model's fields."""
    current: Any = model
    for step in loc:
        if isinstance(step, int) or current is None:
            continue
        info = current.model_fields.get(step) if hasattr(current, "model_fields") else None
        current = field_model(info.annotation) if info else None
    if current is None or not hasattr(current, "model_fields"):
        return []
    return list(current.model_fields)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    """Drop the tags pydantic adds inside unions and validators (they are not data keys)."""
    return tuple(
        p
        for p in loc
        if isinstance(p, int) or not (p.startswith("function-") or p in ("str", "Decision", "constrained-str"))
    )


def validate_model(source: YamlFile, model: type[BaseModel], data: Any) -> BaseModel | None:
    """Validate plain data against `model`, turning each pydantic error into a positioned diagnostic."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        seen: set[tuple[Path_, str]] = set()
        for error in exc.errors():
            loc = _clean_loc(tuple(error["loc"]))
            code, message = _describe(error, model, loc)
            if (loc, code) in seen:
                continue
            seen.add((loc, code))
            if code == "missing-field":
                line, col = source.position(loc[:-1])
            else:
                line, col = source.position(loc, key=code == "unknown-field")
            source.error(line, col, message, code)
        return None


def load_file(path: Path, model: type[BaseModel], top_key: str, name: str | None = None) -> tuple[YamlFile, Any]:
    """Parse, convert and validate one data file. Returns the file and the model (or None)."""
    source = parse_yaml(path, name)
    if source.document is None:
        return source, None
    if not isinstance(source.document, CommentedMap):
        source.error(
            1,
            1,
            _("le document doit être une table avec une clé « {key}: » au premier niveau").format(key=top_key),
            "wrong-top-level",
        )
        return source, None
    converter = _Plain(source)
    try:
        data = converter.convert(source.document)
    except RecursionError:
        source.error(None, None, _("imbrication trop profonde"), "too-deep")
        return source, None
    if converter.failed:
        return source, None
    return source, validate_model(source, model, data)


@dataclass
class Part:
    """One file that holds lists: `commitments.yaml` or one of `lists/*.yaml`.

    `name` is its path relative to the data directory, with "/" (the key of `overrides`, and of
    the edits that write it); `model` is None when the file is invalid.
    """

    name: str
    file: YamlFile
    model: CommitmentsFile | None


@dataclass
class Loaded:
    """A data directory after loading: the models when valid, every diagnostic, the parsed files.

    `commitments_file` and `commitments` are the first file that holds lists and, when every such
    file is valid, all their lists and sources together (in file order); `parts` has each file.
    """

    directory: Path
    dataset: Dataset | None
    diagnostics: list[Diagnostic]
    requests_file: YamlFile
    commitments_file: YamlFile
    # Each file's model on its own, so that a valid file is still checked when the other is not.
    requests: RequestsFile | None = None
    commitments: CommitmentsFile | None = None
    parts: list[Part] = field(default_factory=list)
    _pledges: dict[str, tuple[Part, int, int]] | None = field(default=None, repr=False, compare=False)

    def files(self) -> dict[str, YamlFile]:
        """Every data file as parsed, by its name relative to the directory."""
        return {REQUESTS_FILE: self.requests_file, **{part.name: part.file for part in self.parts}}

    def part_of_list(self, list_id: str) -> tuple[Part, int] | None:
        """The file that holds a list, and the list's index in it."""
        for part in self.parts:
            for i, candidate in enumerate(part.model.lists if part.model else []):
                if candidate.id == list_id:
                    return part, i
        return None

    def part_of_pledge(self, commitment_id: str) -> tuple[Part, int, int] | None:
        """The file that holds a pledge, and the indexes of its list and of the pledge there."""
        if self._pledges is None:  # built once: a review may record thousands of decisions
            self._pledges = {}
            for part in self.parts:
                for i, candidate in enumerate(part.model.lists if part.model else []):
                    for j, pledge in enumerate(candidate.commitments):
                        self._pledges.setdefault(pledge.id, (part, i, j))
        return self._pledges.get(commitment_id)


def merge_parts(models: list[CommitmentsFile]) -> CommitmentsFile:
    """The lists and sources of several files as one `commitments.yaml` would hold them."""
    if len(models) == 1:
        return models[0]
    return CommitmentsFile.model_construct(
        sources=[s for m in models for s in m.sources], lists=[lst for m in models for lst in m.lists]
    )


def load_directory(directory: Path, overrides: dict[str, Path] | None = None) -> Loaded:
    """Load `requests.yaml` and the files that hold lists from a data directory (no cross-file checks).

    The lists are in `commitments.yaml`, in `lists/*.yaml`, or in both (see
    `paths.commitment_names`). `overrides` reads a file from elsewhere under its usual name
    (e.g. a temporary file that a write checks before it replaces the real one, or a file that
    the write creates); diagnostics still name the real file.
    """
    overrides = overrides or {}

    def one(name: str, model: type[BaseModel], key: str) -> tuple[YamlFile, Any]:
        real = directory / name
        return load_file(overrides.get(name, real), model, key, display_path(real))

    req_file, requests = one(REQUESTS_FILE, RequestsFile, "requests")
    names = commitment_names(directory)
    added = sorted(name for name in overrides if is_part_name(name) and name not in names)
    if added and names == [COMMITMENTS_FILE] and not (directory / COMMITMENTS_FILE).exists():
        names = []  # the first lists/ file is being written: commitments.yaml is not missing
    parts = [Part(name, *one(name, CommitmentsFile, "lists")) for name in sorted(set(names) | set(added), key=_order)]
    diagnostics = [*req_file.diagnostics, *(d for part in parts for d in part.file.diagnostics)]
    models = [part.model for part in parts]
    commitments = merge_parts(models) if all(m is not None for m in models) else None  # type: ignore[arg-type]
    dataset = None
    if requests is not None and commitments is not None:
        assert isinstance(requests, RequestsFile) and isinstance(commitments, CommitmentsFile)
        dataset = Dataset(requests=requests, commitments=commitments)
    return Loaded(directory, dataset, diagnostics, req_file, parts[0].file, requests, commitments, parts)


def _order(name: str) -> tuple[bool, str]:
    """`commitments.yaml` first, then `lists/*.yaml` by name."""
    return name != COMMITMENTS_FILE, name
