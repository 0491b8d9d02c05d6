"""Views of the promise meter: terminal renderables with Rich, and the plain table scripts read.

Nothing here prints: the CLI prints what these functions return. Data text is passed as `Text`,
never as markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from .competence import label as competence_label
from .i18n import _
from .marks import meter_words
from .meter import LABELS, Meter, label
from .models import STATUSES, Status
from .report import bar
from .tables import Table as DataTable

STYLES: dict[Status, str] = {
    "not_rated": "dim",
    "in_progress": "cyan",
    "stalled": "yellow",
    "compromise": "magenta",
    "kept": "bold green",
    "broken": "bold red",
}


def _percent(share: float) -> str:
    return f"{round(share * 100):>3} %"


def _bar(count: int, total: int, width: int) -> str:
    """A bar of `width` cells; a status that has any pledge gets at least one full cell."""
    if not total:
        return bar(0.0, width)
    full = max(round(count / total * width), 1 if count else 0)
    return "█" * full + "░" * (width - full)


def status_view(result: Meter, *, bar_width: int = 20) -> Group:
    """`engagements status`: per list a bar per status, then the latest changes and the overdue pledges."""
    parts: list[Any] = [Text(_("Suivi des engagements, par liste"), style="bold")]
    width = max(len(label(s)) for s in STATUSES)
    for m in result.lists:
        parts.append(Text(""))
        parts.append(
            Text(_("{name} ({total} engagements)").format(name=m.name, total=m.total), style="bold underline")
        )
        for status in STATUSES:
            line = Text(f"  {label(status):<{width}} {m.counts[status]:>4} {_percent(m.share(status))} ")
            line.append(_bar(m.counts[status], m.total, bar_width), style=STYLES[status])
            parts.append(line)
        if m.by_competence is not None:
            parts.append(Text(_("  Par niveau compétent :")))
            for key, counts in m.by_competence.items():
                total = sum(counts.values())
                words = meter_words({str(k): v for k, v in counts.items()}) or (
                    _("{n} non évalué") if total <= 1 else _("{n} non évalués")
                ).format(n=total)
                parts.append(Padding(Text(f"{competence_label(key)} : {words}"), (0, 0, 0, 4)))
                for pledge in (m.broken_by_competence or {}).get(key, ()):
                    parts.append(Padding(Text(f"✘ {pledge}", style=STYLES["broken"]), (0, 0, 0, 6)))
    parts.append(Text(""))
    # Lines rather than tables: they wrap under themselves and read at any terminal width.
    if result.changes:
        parts.append(Text(_("Derniers changements"), style="bold underline"))
        for c in result.changes:
            line = Text(f"{c.date.isoformat()}  {c.pledge} ({c.list}) : {label(c.previous)} → ")
            line.append(label(c.status), style=STYLES[c.status])
            if c.entry.corrects is not None:
                line.append(" " + _("(corrige n° {n})").format(n=c.entry.corrects))
            if c.entry.evidence is not None:
                line.append(f" — {c.entry.evidence.source}", style="dim")
            parts.append(Padding(line, (0, 0, 0, 2)))
    else:
        parts.append(Text(_("Aucun constat enregistré : tous les engagements sont non évalués.")))
    if result.overdue:
        parts.append(Text(""))
        parts.append(Text(_("En retard (échéance passée)"), style="bold underline"))
        for o in result.overdue:
            late = _("{pledge} ({list}) : échéance {date}, {status}").format(
                pledge=o.pledge, list=o.list, date=o.deadline.isoformat(), status=label(o.status)
            )
            parts.append(Padding(Text(late), (0, 0, 0, 2)))
    return Group(*parts)


def status_table(result: Meter) -> DataTable:
    """The meter as one row per list and status (for CSV): count and share. With the meter's
    competence groups (`status --par-competence`), one row per list, group and status, with the
    group in a `competence` column."""
    grouped = any(m.by_competence is not None for m in result.lists)
    columns = [("list", _("liste")), ("name", _("nom"))]
    if grouped:
        columns.append(("competence", _("compétence")))
    columns += [("status", _("statut")), ("label", _("libellé")), ("count", _("nombre")), ("share", _("part"))]
    table = DataTable(columns, title=_("Suivi des engagements, par liste"))
    for m in result.lists:
        groups = m.by_competence.items() if m.by_competence is not None else [(None, m.counts)]
        for key, counts in groups:
            total = sum(counts.values())
            for status in STATUSES:
                row: dict[str, Any] = {"list": m.list, "name": m.name}
                if grouped:
                    row["competence"] = key
                row |= {
                    "status": status,
                    "label": _(LABELS[status]),
                    "count": counts[status],
                    "share": round(counts[status] / total, 4) if total else 0.0,
                }
                table.rows.append(row)
    return table


def timeline_view(found: dict[str, Any]) -> Group:
    """`engagements timeline`: the pledge, then each entry of its history, oldest first."""
    parts: list[Any] = [
        Text(f"{found['id']} — {found['list_name']}", style="bold"),
        Text(f"« {found['text']} »"),
    ]
    now = Text(_("Statut actuel : "))
    now.append(found["label"], style=STYLES[found["status"]])
    if found["deadline"]:
        now.append(" · " + _("échéance {date}").format(date=found["deadline"]))
    parts.append(now)
    parts.append(Text(""))
    if not found["history"]:
        parts.append(Text(_("Aucun constat enregistré.")))
    for e in found["history"]:
        head = Text(f"{e['number']}. {e['date']} · ")
        head.append(e["label"], style=STYLES[e["status"]])
        if e["by"]:
            head.append(" · " + _("par {who}").format(who=e["by"]))
        if e["corrects"]:
            head.append(" · " + _("corrige n° {n}").format(n=e["corrects"]))
        if e["corrected_by"]:
            head.append(
                " · " + _("corrigé par n° {n}").format(n=", ".join(str(n) for n in e["corrected_by"])), style="dim"
            )
        parts.append(head)
        if e["source"]:
            where = e["source"] + (f" ({e['document']})" if e["document"] else "")
            parts.append(Text("   " + _("Source : {where}").format(where=where), style="dim"))
        if e["url"]:
            parts.append(Text("   " + e["url"], style="dim"))
        if e["quote"]:
            parts.append(Text(f"   « {e['quote']} »"))
        if e["note"]:
            parts.append(Text("   " + e["note"]))
    return Group(*parts)
