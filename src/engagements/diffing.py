"""What changed between two versions of the data: pledges, links, and the coverage they give.

Plain functions over two loaded datasets; `render_text` and `render_markdown` turn the result
into what a maintainer reads in a terminal or posts as a pull-request comment.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .competence import UNKNOWN, CompetenceInfo, info
from .competence import label as competence_label
from .coverage import Coverage, compute
from .i18n import _
from .marks import cell_text
from .meter import label
from .models import Dataset, Status
from .paths import COMMITMENTS_FILE, REQUESTS_FILE, is_part_name
from .report import SYMBOLS, level_name


@dataclass
class DataDiff:
    """Changes from an old dataset to a new one (ids are pledge or request ids)."""

    added: list[tuple[str, str, str]] = field(default_factory=list)  # (list, pledge, text)
    removed: list[tuple[str, str, str]] = field(default_factory=list)
    edited: list[tuple[str, str, str, str]] = field(default_factory=list)  # (list, pledge, old, new)
    linked: list[tuple[str, str]] = field(default_factory=list)  # (pledge, request) confirmed
    unlinked: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    unrejected: list[tuple[str, str]] = field(default_factory=list)
    requests_added: list[str] = field(default_factory=list)
    requests_removed: list[str] = field(default_factory=list)
    # The meter: entries appended to a pledge's history, and entries changed or removed (history
    # is never rewritten: a correction is a new entry).
    rated: list[tuple[str, str, int, str, Status]] = field(default_factory=list)  # (list, pledge, n, date, status)
    rewritten: list[tuple[str, str, int]] = field(default_factory=list)  # (list, pledge, n)
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (list, pledge, old note, new note)
    lists_added: list[tuple[str, int, int, int]] = field(default_factory=list)  # (list, pledges, covered, rows)
    lists_removed: list[tuple[str, int]] = field(default_factory=list)  # (list, pledges)
    # (list, request, old level, new level): level or counts changed, in lists present on both sides.
    coverage: list[tuple[str, str, str, str]] = field(default_factory=list)
    cells: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)  # (list, request) -> (old, new) cell
    shares: list[tuple[str, float, float]] = field(default_factory=list)  # (list, old share, new share)
    names: dict[str, str] = field(default_factory=dict)  # list id / request id -> name / title
    # (kind "request" or "commitment", id, old, new): a competence set, changed or removed
    competences: list[tuple[str, str, CompetenceInfo | None, CompetenceInfo | None]] = field(default_factory=list)
    institutions: set[str] = field(default_factory=set)  # ids of the public partners' lists

    def is_empty(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.edited,
                self.linked,
                self.unlinked,
                self.rejected,
                self.unrejected,
                self.requests_added,
                self.requests_removed,
                self.rated,
                self.rewritten,
                self.notes,
                self.lists_added,
                self.lists_removed,
                self.coverage,
                self.competences,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "pledges_added": [{"list": lid, "commitment": c, "text": t} for lid, c, t in self.added],
            "pledges_removed": [{"list": lid, "commitment": c, "text": t} for lid, c, t in self.removed],
            "pledges_edited": [{"list": lid, "commitment": c, "old": o, "new": n} for lid, c, o, n in self.edited],
            "links_confirmed": [{"commitment": c, "request": r} for c, r in self.linked],
            "links_removed": [{"commitment": c, "request": r} for c, r in self.unlinked],
            "links_rejected": [{"commitment": c, "request": r} for c, r in self.rejected],
            "rejections_removed": [{"commitment": c, "request": r} for c, r in self.unrejected],
            "requests_added": self.requests_added,
            "requests_removed": self.requests_removed,
            "statuses_recorded": [
                {"list": lid, "commitment": c, "number": n, "date": d, "status": st} for lid, c, n, d, st in self.rated
            ],
            "history_rewritten": [{"list": lid, "commitment": c, "number": n} for lid, c, n in self.rewritten],
            "notes_edited": [{"list": lid, "commitment": c, "old": o, "new": n} for lid, c, o, n in self.notes],
            "lists_added": [
                {"list": lid, "pledges": n, "covered": cov, "requests": rows, **self._kind(lid)}
                for lid, n, cov, rows in self.lists_added
            ],
            "lists_removed": [{"list": lid, "pledges": n, **self._kind(lid)} for lid, n in self.lists_removed],
            "coverage_changes": [
                {"list": lid, "request": r, "old": o, "new": n, **self._counts(lid, r)} for lid, r, o, n in self.coverage
            ],
            "shares": [{"list": lid, "old": round(o, 4), "new": round(n, 4)} for lid, o, n in self.shares],
            "competences_changed": [
                {
                    "kind": kind,
                    "id": i,
                    "old": old.as_dict() if old else None,
                    "new": new.as_dict() if new else None,
                }
                for kind, i, old, new in self.competences
            ],
        }


    def _kind(self, list_id: str) -> dict[str, str]:
        """`kind: institution` on a public partner's list (a candidate list's entry is unchanged)."""
        return {"kind": "institution"} if list_id in self.institutions else {}

    def _counts(self, list_id: str, request: str) -> dict[str, int]:
        if (list_id, request) not in self.cells:
            return {}
        was, now = self.cells[(list_id, request)]
        return {
            "old_confirmed": was.confirmed_count,
            "old_suggested": was.suggested_count,
            "new_confirmed": now.confirmed_count,
            "new_suggested": now.suggested_count,
        }


def _pledges(data: Dataset) -> dict[str, tuple[str, Any]]:
    return {c.id: (lst.id, c) for lst in data.commitments.lists for c in lst.commitments}


def _pairs(data: Dataset, field_name: str) -> set[tuple[str, str]]:
    return {
        (c.id, link.request)
        for lst in data.commitments.lists
        for c in lst.commitments
        for link in getattr(c, field_name)
    }


def _coverage(data: Dataset, level: str) -> Coverage:
    """The view at `level` of the one matrix of `data`: the same cells `coverage` shows."""
    return compute(data).view(level)  # type: ignore[arg-type]


def diff(old: Dataset, new: Dataset, level: str = "question") -> DataDiff:
    """Every change from `old` to `new`, with the coverage changes it brings, list by list."""
    out = DataDiff()
    before, after = _pledges(old), _pledges(new)
    for pid, (list_id, c) in after.items():
        if pid not in before:
            out.added.append((list_id, pid, c.text))
        else:
            if before[pid][1].text != c.text:
                out.edited.append((list_id, pid, before[pid][1].text, c.text))
            if (before[pid][1].note or "") != (c.note or ""):
                out.notes.append((list_id, pid, before[pid][1].note or "", c.note or ""))
    out.removed = [(list_id, pid, c.text) for pid, (list_id, c) in before.items() if pid not in after]
    # The pledges of a list that is new (or gone) are summed up with the list, not listed one by one.
    old_lists = {lst.id for lst in old.commitments.lists}
    new_lists = {lst.id for lst in new.commitments.lists}
    out.added = [a for a in out.added if a[0] in old_lists]
    out.removed = [r for r in out.removed if r[0] in new_lists]
    out.linked = sorted(_pairs(new, "answers") - _pairs(old, "answers"))
    out.unlinked = sorted(_pairs(old, "answers") - _pairs(new, "answers"))
    out.rejected = sorted(_pairs(new, "rejects") - _pairs(old, "rejects"))
    out.unrejected = sorted(_pairs(old, "rejects") - _pairs(new, "rejects"))
    for pid, (list_id, c) in after.items():
        was = before[pid][1].history if pid in before else []
        for number, entry in enumerate(c.history, start=1):
            if number > len(was):
                out.rated.append((list_id, pid, number, entry.date.isoformat(), entry.status))
            elif was[number - 1] != entry:
                out.rewritten.append((list_id, pid, number))
        out.rewritten.extend((list_id, pid, k) for k in range(len(c.history) + 1, len(was) + 1))
    old_req, new_req = {r.id for r in old.requests.requests}, {r.id for r in new.requests.requests}
    out.requests_added = [r.id for r in new.requests.requests if r.id not in old_req]
    out.requests_removed = [r.id for r in old.requests.requests if r.id not in new_req]
    out.names = {r.id: r.title for r in [*old.requests.requests, *new.requests.requests]}
    old_requests = {r.id: r for r in old.requests.requests}
    for r in new.requests.requests:
        if r.id in old_requests and (then := info(old_requests[r.id].competence)) != (since := info(r.competence)):
            out.competences.append(("request", r.id, then, since))
    for pid, (_list_id, c) in after.items():
        if pid in before and (then := info(before[pid][1].competence)) != (since := info(c.competence)):
            out.competences.append(("commitment", pid, then, since))
    out.names.update({lst.id: lst.name for lst in [*old.commitments.lists, *new.commitments.lists]})
    new_whole = compute(new)
    old_cov, new_cov = _coverage(old, level), new_whole.view(level)  # type: ignore[arg-type]
    old_shares = {s.list: s.share for s in old_cov.summary()}
    new_summary = {s.list: s for s in new_cov.summary()}
    old_pledges = {lst.id: len(lst.commitments) for lst in old.commitments.lists}
    out.institutions = {
        lst.id for lst in [*old.commitments.lists, *new.commitments.lists] if lst.kind == "institution"
    }
    # A list that is new is shown as a new list (what it covers), not as every cell going from
    # absent to covered; a list that is gone, as gone. The public partners' lists (kind
    # `institution`) too, though their cells and shares are never counted with the candidates'.
    every = new_whole.view(level, kind=None)  # type: ignore[arg-type]
    every_summary = {s.list: s for s in every.summary()}
    for col in every.columns:
        if col.id not in old_lists:
            out.lists_added.append((col.id, col.pledges, every_summary[col.id].covered, len(every.rows)))
    for col in new_cov.columns:
        if col.id not in old_shares:
            continue
        for row in new_cov.rows:
            was, now = old_cov.cell(row.id, col.id), new_cov.cell(row.id, col.id)
            counts = (was.confirmed_count, was.suggested_count) != (now.confirmed_count, now.suggested_count)
            if was.level != now.level or counts:
                out.coverage.append((col.id, row.id, was.level, now.level))
                out.cells[(col.id, row.id)] = (was, now)
    out.lists_removed = [(lid, n) for lid, n in old_pledges.items() if lid not in new_lists]
    for list_id in old_shares:
        if list_id in new_summary and old_shares[list_id] != new_summary[list_id].share:
            out.shares.append((list_id, old_shares[list_id], new_summary[list_id].share))
    return out


# A revision as a person types it (main, HEAD~1, v1.0, origin/main, a sha, @{u}): never an option
# (no leading "-"), no blob path (":"), no whitespace or control character.
_REF = re.compile(r"[A-Za-z0-9_./~^@{}+][A-Za-z0-9_./~^@{}+\-]*")


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    # No pager, no prompt, the repository's own configuration only as git reads it for plumbing.
    env = {**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.run(["git", "-C", cwd, *args], capture_output=True, env=env, stdin=subprocess.DEVNULL)


def valid_ref(ref: str) -> bool:
    """Whether `ref` can be a git revision (and can never be read by git as an option)."""
    return bool(_REF.fullmatch(ref)) and ".." not in ref and len(ref) <= 200


def git_snapshot(directory: Path, ref: str, target: Path, max_bytes: int | None = None) -> None:
    """Write the data files of `directory` as they were at git revision `ref` into `target`
    (`requests.yaml`, and `commitments.yaml` and `lists/*.yaml` as far as they existed then).

    `ref` never reaches git as an option: it must look like a revision, it is resolved to a
    commit with `rev-parse --verify` after `--end-of-options`, and only the resulting object id
    is used afterwards, with plumbing (`cat-file`, which applies no filter or text conversion).
    A file larger than `max_bytes` is refused before it is read.

    Raises `ValueError` with a French message when git, the repository or the revision is missing.
    """
    if not valid_ref(ref):
        raise ValueError(_("révision git invalide « {ref} »").format(ref=ref))
    directory = directory.resolve()
    try:
        found = _git(["rev-parse", "--show-toplevel"], str(directory))
    except OSError as exc:
        raise ValueError(_("{dir} n’est pas dans un dépôt git").format(dir=directory)) from exc
    if found.returncode != 0:
        raise ValueError(_("{dir} n’est pas dans un dépôt git").format(dir=directory))
    top = found.stdout.decode("utf-8", "replace").strip()
    relative = directory.relative_to(Path(top).resolve())
    resolved = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top)
    commit = resolved.stdout.decode("ascii", "replace").strip()
    if resolved.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        raise ValueError(_("révision git inconnue « {ref} »").format(ref=ref))
    # The data files at that commit: requests.yaml, commitments.yaml and lists/*.yaml (listed on
    # the resolved commit id, NUL-separated so that no name is quoted or split).
    prefix = "" if relative == Path(".") else f"{relative.as_posix()}/"
    listed = _git(["ls-tree", "-r", "-z", "--full-name", "--name-only", commit, "--", prefix or "."], top)
    at_ref = (
        {entry.decode("utf-8", "replace").removeprefix(prefix) for entry in listed.stdout.split(b"\0") if entry}
        if listed.returncode == 0
        else set()
    )
    parts = sorted(name for name in at_ref if is_part_name(name) and name != COMMITMENTS_FILE)
    names = [REQUESTS_FILE, *([COMMITMENTS_FILE] if COMMITMENTS_FILE in at_ref or not parts else []), *parts]
    for name in names:
        spec = f"{commit}:{(relative / name).as_posix()}"
        shown = f"{ref}:{(relative / name).as_posix()}"
        size = _git(["cat-file", "-s", spec], top)
        if size.returncode != 0:
            raise ValueError(
                _("impossible de lire {spec} dans git : {error}").format(
                    spec=shown, error=size.stderr.decode("utf-8", "replace").strip()
                )
            )
        if max_bytes is not None and int(size.stdout.strip() or 0) > max_bytes:
            raise ValueError(_("{spec} dépasse la taille permise").format(spec=shown))
        result = _git(["cat-file", "blob", spec], top)
        if result.returncode != 0:
            raise ValueError(
                _("impossible de lire {spec} dans git : {error}").format(
                    spec=shown, error=result.stderr.decode("utf-8", "replace").strip()
                )
            )
        (target / name).parent.mkdir(exist_ok=True)
        (target / name).write_bytes(result.stdout)


def temporary_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="engagements-diff-")


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _pair(commitment: str, request: str, names: dict[str, str]) -> str:
    title = names.get(request)
    return f"{commitment} → {request} ({title})" if title else f"{commitment} → {request}"


def _sections(d: DataDiff) -> list[tuple[str, list[str]]]:
    names = d.names
    def cell(c: Any) -> str:
        return f"{cell_text(c)} ({level_name(c.level)})" if c.level != "absent" else f"{SYMBOLS['absent']} {level_name('absent')}"

    cov_lines = [
        f"{names.get(lid, lid)} · {r} {names.get(r, '')} : "
        + (
            f"{cell(d.cells[(lid, r)][0])} → {cell(d.cells[(lid, r)][1])}"
            if (lid, r) in d.cells
            else f"{SYMBOLS[o]} {level_name(o)} → {SYMBOLS[n]} {level_name(n)}"
        )
        for lid, r, o, n in d.coverage
    ]
    partner = _(" ; partenaire public, hors part couverte des listes")
    list_lines = [
        _("{name} ({id}) : {n} engagements ; couvre {covered}/{rows} demandes").format(
            name=names.get(lid, lid), id=lid, n=n, covered=cov, rows=rows
        )
        + (partner if lid in d.institutions else "")
        for lid, n, cov, rows in d.lists_added
    ]
    gone_lines = [
        _("{name} ({id}) : {n} engagements").format(name=names.get(lid, lid), id=lid, n=n)
        + (partner if lid in d.institutions else "")
        for lid, n in d.lists_removed
    ]
    share_lines = [f"{names.get(lid, lid)} : {round(100 * o)} % → {round(100 * n)} %" for lid, o, n in d.shares]

    def competence(found: CompetenceInfo | None) -> str:
        return f"{found.name()} ({found.origin()})" if found else competence_label(UNKNOWN)

    competence_lines = [
        (f"{i} ({names[i]})" if kind == "request" and i in names else i) + f" : {competence(was)} → {competence(now)}"
        for kind, i, was, now in d.competences
    ]
    return [
        (_("Listes ajoutées"), list_lines),
        (_("Listes retirées"), gone_lines),
        (_("Engagements ajoutés"), [f"{c} ({names.get(lid, lid)}) : {_short(t)}" for lid, c, t in d.added]),
        (_("Engagements retirés"), [f"{c} ({names.get(lid, lid)}) : {_short(t)}" for lid, c, t in d.removed]),
        (
            _("Engagements modifiés"),
            [f"{c} ({names.get(lid, lid)}) : « {_short(o, 60)} » → « {_short(n, 60)} »" for lid, c, o, n in d.edited],
        ),
        (
            _("Notes modifiées"),
            [f"{c} ({names.get(lid, lid)}) : « {_short(o, 60)} » → « {_short(n, 60)} »" for lid, c, o, n in d.notes],
        ),
        (_("Liens confirmés"), [_pair(c, r, names) for c, r in d.linked]),
        (_("Liens retirés"), [_pair(c, r, names) for c, r in d.unlinked]),
        (_("Suggestions rejetées"), [_pair(c, r, names) for c, r in d.rejected]),
        (_("Rejets annulés"), [_pair(c, r, names) for c, r in d.unrejected]),
        (
            _("Constats enregistrés"),
            [f"{c} ({names.get(lid, lid)}) : n° {n}, {day}, {label(st)}" for lid, c, n, day, st in d.rated],
        ),
        (
            _("Historique réécrit (une correction s’ajoute avec « corrects », elle ne remplace pas)"),
            [f"{c} ({names.get(lid, lid)}) : n° {n}" for lid, c, n in d.rewritten],
        ),
        (_("Demandes ajoutées"), d.requests_added),
        (_("Demandes retirées"), d.requests_removed),
        (_("Compétences modifiées"), competence_lines),
        (_("Changements de couverture"), cov_lines),
        (_("Part des demandes couvertes"), share_lines),
    ]


def render_text(d: DataDiff) -> str:
    if d.is_empty():
        return _("Aucun changement.") + "\n"
    out = []
    for title, lines in _sections(d):
        if lines:
            out.append(f"{title} ({len(lines)})")
            out.extend(f"  {line}" for line in lines)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Markdown-safe text: no HTML, no table breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def render_markdown(d: DataDiff, title: str | None = None) -> str:
    """A pull-request comment or a CHANGELOG entry."""
    out = [f"## {_md(title or _('Changements des données'))}", ""]
    if d.is_empty():
        return "\n".join([*out, _("Aucun changement."), ""])
    for heading, lines in _sections(d):
        if lines:
            out.append(f"### {heading} ({len(lines)})")
            out.append("")
            out.extend(f"- {_md(line)}" for line in lines)
            out.append("")
    return "\n".join(out)
