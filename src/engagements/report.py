"""Terminal views of coverage, gaps, suggestions and details, with Rich.

Readable without colour: every level has a symbol and a word in the legend, counts are
numbers. Rich drops colour when the output is piped or `NO_COLOR` is set. Data text is always
passed as `Text`, never as markup, so brackets in a pledge are shown as they are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from .terminal import Lines

from .competence import label as competence_label
from .coverage import Coverage, Gaps, PartnerCell, competence_groups, competence_summary, gaps_by_competence
from .i18n import _
from .marks import (
    CONFIRMED,
    SUGGESTED,
    SYMBOLS,
    cell_parts,
    confirmed_requests,
    confirmed_words,
    level_name,
    list_marks,
    meter_words,
    no_confirmed_link,
    no_verdict,
    origin_mark,
    origin_text,
    source_name,
    verdict_words,
)

__all__ = ["SYMBOLS", "level_name", "source_name"]

# Absent is what volunteers look for: bold red reads on dark and light terminals alike.
STYLES = {"covered": "bold green", "partial": "bold yellow", "absent": "bold red"}
# The matrix's request column: wide enough for most titles on two lines, never stretched.
TITLE_WIDTH = 46
CELL_WIDTH = 18


def make_console(width: int | None = None) -> Console:
    from .terminal import SafeConsole, french_wrapping

    french_wrapping()
    return SafeConsole(highlight=False, width=width)


def row_label(row: Any) -> str:
    """A request as a person names it: its number in the letter, or its title alone."""
    number = row.number or ""
    return f"{number:>2} {row.title}" if number else row.title


def legend() -> Text:
    text = Text(_("Légende : "))
    for level in ("covered", "partial", "absent"):
        text.append(f"{SYMBOLS[level]} ", style=STYLES[level])
        text.append(level_name(level) + "   ")
    text.append(f"{CONFIRMED} " + _("confirmé par une personne") + "   ")
    text.append(f"{SUGGESTED} " + _("suggestion de l’appariement, à vérifier") + "   ")
    text.append(_("(le nombre est celui des engagements en cause ; * = liste qui n’a pas répondu au collectif)"))
    return text


def bar(share: float, width: int = 20) -> str:
    full = round(share * width)
    return "█" * full + "░" * (width - full)


def competence_line(row: Any) -> str:
    """Under a request's title: on whose word its competence rests ('selon
    aec-lettre-2026-03-08, ligne 182', 'appréciation de l’équipe'); the level is the group's heading."""
    return row.competence.origin() if row.competence is not None else ""


def coverage_table(cov: Coverage, by_competence: bool = False) -> Group:
    """The matrix, its footer of shares per list, a bar chart and the legend; `by_competence`:
    the requests grouped by the level of government responsible, with a share per group."""
    titles = {
        "question": _("Couverture des questions du collectif"),
        "demand": _("Couverture des demandes du collectif"),
    }
    table = Table(title=titles.get(cov.level, _("Couverture des demandes du collectif")), show_footer=True)
    summary = {s.list: s for s in cov.summary()}
    # The id is what `engagements show` takes: its own column, never wrapped (the letter numbers
    # two questions "10"; their ids say which is which).
    table.add_column(_("Id"), no_wrap=True, style="bold")
    table.add_column(_("Demande"), footer=_("Part couverte"), min_width=12, max_width=TITLE_WIDTH)
    for col in cov.columns:
        name = col.label if col.answered else f"{col.label} *"
        if not cov.has_confirmed(col.id):
            name += f" ({no_confirmed_link()})"
        name += "".join("\n" + mark for mark in list_marks(col))
        s = summary[col.id]
        footer = f"{s.covered}/{len(cov.rows)} ({round(100 * s.share)} %)\n{CONFIRMED} " + confirmed_requests(
            s.confirmed
        )
        if cov.verdicts:
            footer += "\n" + _("Suivi : {meter}").format(meter=meter_words(cov.list_meter(col.id)) or no_verdict())
        table.add_column(Text(name), footer=footer, justify="left", min_width=9, max_width=CELL_WIDTH)
    groups = competence_groups(cov) if by_competence else {"": cov.rows}
    for key, rows in groups.items():
        if by_competence:
            table.add_row(
                Text("", style="bold"),
                Text(f"{competence_label(key)} ({len(rows)})", style="bold underline"),
                *[""] * len(cov.columns),
            )
        _matrix_rows(table, cov, rows, axes=not by_competence)
    chart = Table.grid(padding=(0, 1))
    chart.add_column()
    chart.add_column()
    chart.add_column(justify="right")
    for col in cov.columns:
        s = summary[col.id]
        chart.add_row(Text(col.label[:28]), Text(bar(s.share), style="green"), f"{round(100 * s.share)} %")
    parts: list[Any] = [
        table,
        legend(),
        Text(""),
        Text(_("Part des demandes couvertes, par liste"), style="bold"),
        chart,
    ]
    if by_competence:
        parts += [Text(""), competence_shares(cov)]
    return Group(*parts)


def competence_words(competence: dict[str, Any]) -> str:
    """'Compétence : Commune (selon aec-lettre-2026-03-08, ligne 515 : « C’est une compétence
    majeure de la municipalité. »)' for a competence dict of `show`."""
    from .competence import CompetenceInfo

    found = CompetenceInfo.from_dict(competence)
    origin = found.origin()
    if found.quote:
        origin += f" : « {found.quote} »"
    text = _("Compétence : {level} ({origin})").format(level=found.name(), origin=origin)
    if found.note:
        text += " — " + found.note
    return text


def competence_shares(cov: Coverage) -> Table:
    """Per competence group and list: requests covered out of the group's."""
    table = Table(title=_("Part couverte, par niveau compétent"))
    table.add_column(_("Compétence"), min_width=12, max_width=TITLE_WIDTH)
    for col in cov.columns:
        table.add_column(Text(col.label), justify="left", min_width=9, max_width=CELL_WIDTH)
    for group in competence_summary(cov):
        cells = [f"{s['covered']}/{len(group['requests'])} ({round(100 * s['share'])} %)" for s in group["lists"]]
        table.add_row(Text(group["label"]), *cells)
    return table


def _matrix_rows(table: Table, cov: Coverage, rows: Sequence[Any], *, axes: bool) -> None:
    current_axis = None
    for row in rows:
        if axes and cov.level == "demand" and row.axis != current_axis:
            current_axis = row.axis
            table.add_row(
                Text(row.axis or "", style="bold"),
                Text(f"{_('Axe')} {row.axis} — {row.axis_title or ''}", style="bold"),
                *[""] * len(cov.columns),
            )
        cells = []
        for col in cov.columns:
            cell = cov.cell(row.id, col.id)
            parts = cell_parts(cell)
            if cov.verdicts and (words := meter_words(cov.cell_meter(cell))):
                parts.append(words)
            cells.append(Text("\n".join(parts), style=STYLES[cell.level]))
        title = Text(row.title)
        if not axes and (line := competence_line(row)):
            title.append("\n" + line, style="dim")
        table.add_row(Text(row.id), title, *cells)


def partners_table(cov: Coverage, cells: Sequence[PartnerCell]) -> Group:
    """« Ce à quoi les partenaires publics s’étaient déjà engagés »: per request and public
    partner, the level, the counts (confirmed or suggested) and the most relevant records. Never
    a share: these are not candidate lists and are not counted with them."""
    table = Table(title=_("Ce à quoi les partenaires publics s’étaient déjà engagés"))
    table.add_column(_("Id"), no_wrap=True, style="bold")
    table.add_column(_("Demande"), min_width=12, max_width=TITLE_WIDTH)
    for col in cov.columns:
        table.add_column(Text(col.label), justify="left", min_width=9)
    by_key = {(c.request, c.list): c for c in cells}
    for row in cov.rows:
        shown = []
        for col in cov.columns:
            pc = by_key[(row.id, col.id)]
            lines = cell_parts(cov.cell(row.id, col.id))
            if pc.labels:
                lines.append(_("dont {records}").format(records=", ".join(pc.labels)))
            shown.append(Text("\n".join(lines), style=STYLES[pc.level]))
        table.add_row(Text(row.id), Text(row.title), *shown)
    note = Text(
        _(
            "Engagements d’institutions (non candidates) : ils ne comptent pas dans la part couverte "
            "des listes. Détail : engagements show ID."
        ),
        style="dim",
    )
    return Group(table, note)


def gaps_view(cov: Coverage, gaps: Gaps, by_competence: bool = False) -> Group:
    """Per list: unanswered and partly answered requests; per request: silent lists.

    `by_competence`: each list's gaps and broken pledges under the level of government
    responsible for them, so that a list is not blamed for what is not the commune's job; every
    gap is still shown."""
    titles = {r.id: row_label(r).strip() for r in cov.rows}
    grouped = gaps_by_competence(cov, gaps) if by_competence else {}
    parts: list[Any] = [Text(_("Manques, liste par liste"), style="bold underline")]

    def section(heading: str, ids: list[str], kind: str, line: Any, empty: bool = True) -> None:
        if not ids and not empty:
            return
        parts.append(Text(heading.format(n=len(ids))))
        if not ids:
            parts.append(Text(_("    aucune")))
            return
        if not by_competence:
            parts.extend(_indent(Text(line(r)), 4) for r in ids)
            return
        for key, members in grouped[col_id][kind].items():
            parts.append(_indent(Text(f"{competence_label(key)} ({len(members)})", style="italic"), 4))
            parts.extend(_indent(Text(line(r)), 6) for r in members)

    for col in cov.columns:
        col_id = col.id
        parts.append(Text(""))
        parts.append(Text(col.name, style="bold"))
        if col.elected or col.merged_from:
            parts.append(Text("  " + " ; ".join(list_marks(col))))
        if not col.answered:
            parts.append(
                Text(_("  Cette liste n’a pas répondu au collectif : ce qui suit vient de son programme général."))
            )
        section(
            _("  Sans réponse ({n}) :"),
            gaps.unanswered[col.id],
            "unanswered",
            lambda r: f"{SYMBOLS['absent']} {titles[r]}",
        )
        section(
            _("  Réponse partielle ({n}) :"),
            gaps.partial[col.id],
            "partial",
            lambda r: f"{SYMBOLS['partial']} {SUGGESTED} {titles[r]}",
        )
        section(
            _("  Couvertes, mais par des suggestions à vérifier ({n}) :"),
            gaps.unconfirmed.get(col.id, []),
            "unconfirmed",
            lambda r: f"{SYMBOLS['covered']} {SUGGESTED} {titles[r]}",
            empty=False,
        )
        broken = gaps.broken.get(col.id, [])
        if broken:
            parts.append(Text(_("  Promis puis rompus ({n}) :").format(n=len(broken))))
            groups = grouped[col.id]["broken"] if by_competence else {"": broken}
            for key, pairs in groups.items():
                if by_competence:
                    parts.append(_indent(Text(f"{competence_label(key)} ({len(pairs)})", style="italic"), 4))
                for rid, pid in pairs:
                    parts.append(
                        _indent(
                            Text(f"✘ {titles[rid]} — {pid} : {broken_evidence(cov, pid)}"), 6 if by_competence else 4
                        )
                    )
    if by_competence:
        parts.append(Text(""))
        parts.append(
            Text(
                _(
                    "Niveau compétent : selon la source citée dans les données, ou appréciation de l’équipe "
                    "(détail : engagements coverage --par-competence, ou --format json)."
                ),
                style="dim",
            )
        )
    parts.append(Text(""))
    parts.append(Text(_("Listes silencieuses, demande par demande"), style="bold underline"))
    names = {c.id: c.name for c in cov.columns}
    for row in cov.rows:
        silent = gaps.silent[row.id]
        if silent:
            parts.append(_indent(Text(f"{titles[row.id]} : " + ", ".join(names[s] for s in silent)), 2))
    if not any(gaps.silent.values()):
        parts.append(Text(_("  Aucune : chaque demande a au moins une réponse de chaque liste.")))
    return Group(*parts)


def broken_evidence(cov: Coverage, pledge: str) -> str:
    """'rompu le 2026-09-01 (Délibération … · https://…)': the verdict behind a broken gap."""
    return verdict_words(cov.verdicts[pledge])


def suggestions_view(rows: Sequence[dict[str, Any]], width: int) -> Lines:
    """`engagements match` for people: each pledge once, then the requests it was linked or
    matched to, with the level, whether a person confirmed it, the score and why.

    Lines are cut to the terminal's width by hand and printed without Rich's wrapping, so that
    a thousand pairs show in a blink: a table of that size costs seconds to lay out, and even
    one `Text` of its thousands of lines costs Rich a tenth of a second to split (`Lines`).
    """
    from .terminal import Lines

    ranked = any("rank" in r for r in rows)
    text = Lines(style="bold")
    text.append(_("Demandes les plus proches") if ranked else _("Liens et suggestions"))
    text.append(f" ({len(rows)})")
    width = max(width, 40)
    previous = None
    for r in rows:
        if r["commitment"] != previous:
            previous = r["commitment"]
            text.append("\n\n" + r["commitment"], style="bold")
            pledge = " ".join(r.get("commitment_text", "").split())
            for line in textwrap.wrap(pledge, width - 2, max_lines=2, placeholder="…"):
                text.append("\n  " + line)
        if r["level"] is None:  # `match --top`: under the floors, shown for the ranking only
            head, style = "· " + _("sous le seuil"), "dim"
        else:
            head, style = f"{SYMBOLS[r['level']]} {level_name(r['level'])}", STYLES[r["level"]]
        text.append(f"\n  {head}  ", style=style)
        text.append(r["request"] + " ", style="bold")
        text.append(shorten(r.get("request_title", ""), width - len(head) - len(r["request"]) - 6))
        facts = [_("rang {n}").format(n=r["rank"])] if ranked else []
        facts.append(_("score {n}").format(n=r["score"]))
        if r["level"] is not None:
            facts.append(_origin(r))
        if r["why"]:
            facts.append(_("pourquoi : {words}").format(words=", ".join(r["why"])))
        text.append("\n    " + shorten(" · ".join(facts), width - 4), style="dim")
    text.append("\n")
    return text


def _origin(r: dict[str, Any]) -> str:
    """'✔ lien confirmé (Awa, 2026-03-20)' or '? suggestion' — the score has its own column."""
    who = ", ".join(p for p in (r.get("by"), r.get("date")) if p)
    return f"{origin_mark(r['source'])} {source_name(r['source'])}" + (f" ({who})" if who else "")


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def where(prov: dict[str, Any] | None) -> str:
    """'Lettre …, 1- Sur nos solutions… › Pour répondre…, ligne 99' for a provenance dict."""
    if not prov:
        return ""
    parts = [p for p in (prov.get("title"), prov.get("section"), prov.get("subsection")) if p]
    if prov.get("item"):
        parts.append(_("article {n}").format(n=prov["item"]))
    if prov.get("line"):
        parts.append(_("ligne {n}").format(n=prov["line"]))
    return " › ".join(parts)


def _indent(renderable: Any, left: int) -> Padding:
    """Indent a block so that its wrapped lines stay under its first one."""
    return Padding(renderable, (0, 0, 0, left), expand=False)


def details_view(found: dict[str, Any]) -> Group:
    """`engagements show` for people."""
    parts: list[Any] = []
    if found["kind"] == "request":
        parts.append(Text(f"{found['id']} — {found['title']}", style="bold"))
        parts.append(Text(found["text"]))
        if found.get("competence"):
            parts.append(Text(competence_words(found["competence"]), style="dim"))
        for lst in [*found["lists"], *found.get("institutions", [])]:
            if lst is next(iter(found.get("institutions", [])), None):
                parts.append(Text(""))
                parts.append(Text(_("Ce à quoi les partenaires publics s’étaient déjà engagés"), style="bold"))
                parts.append(Text(_("(institutions, non candidates : hors part couverte des listes)"), style="dim"))
            parts.append(Text(""))
            head = Text(f"{lst['name']} ({len(lst['pledges'])})", style="bold underline")
            if lst["pledges"]:
                sure = lst.get("confirmed", 0)
                head.append(
                    " — "
                    + (f"{CONFIRMED} {confirmed_words(sure)}" if sure else no_confirmed_link())
                    + (
                        f", {SUGGESTED} " + _("{n} à vérifier").format(n=len(lst["pledges"]) - sure)
                        if len(lst["pledges"]) > sure
                        else ""
                    ),
                    style="",
                )
            parts.append(head)
            marks = list_marks(SimpleNamespace(elected=lst.get("elected"), merged_from=lst.get("merged_from")))
            if marks:
                parts.append(Text("  " + " ; ".join(marks), style="dim"))
            if not lst["pledges"]:
                parts.append(Text(f"  {SYMBOLS['absent']} " + _("aucun engagement trouvé")))
            for p in lst["pledges"]:
                head = Text(f"  {SYMBOLS[p['level']]} ", style=STYLES[p["level"]])
                head.append(
                    (f"{p['label']} · " if p.get("label") else "")
                    + f"{p['commitment']} · {level_name(p['level'])} · "
                    + origin_text(p["source"], p["score"], p.get("by"), p.get("date"))
                    + (f" · {_('score')} {p['score']}" if p["source"] == "link" else "")
                    + (
                        " · " + _("hérité de {list}").format(list=p["inherited_from"])
                        if p.get("inherited_from")
                        else ""
                    )
                )
                parts.append(head)
                parts.append(_indent(Text(f"« {p['text']} »"), 4))
                if p["provenance"]:
                    parts.append(
                        _indent(Text(_("Source : {where}").format(where=where(p["provenance"])), style="dim"), 4)
                    )
                if p["why"]:
                    parts.append(_indent(Text(_("Pourquoi : {why}").format(why=", ".join(p["why"])), style="dim"), 4))
        parts.extend(
            done_view(
                found.get("record"), _("Déjà fait : ce que le bilan des partenaires publics relie à cette demande")
            )
        )
    else:
        parts.append(Text(f"{found['id']} — {found['list_name']}", style="bold"))
        parts.append(Text(f"« {found['text']} »"))
        if found["provenance"]:
            parts.append(Text(_("Source : {where}").format(where=where(found["provenance"])), style="dim"))
        if found.get("note"):
            parts.append(Text(_("Note : {note}").format(note=found["note"]), style="dim"))
        if found.get("merged_into"):
            parts.append(
                Text(_("Repris par la liste fusionnée : {lists}").format(lists=", ".join(found["merged_into"])))
            )
        if found.get("competence"):
            parts.append(Text(competence_words(found["competence"]), style="dim"))
        if found.get("verdict"):
            v = found["verdict"]
            evidence = " · ".join(str(x) for x in (v["source"], v["url"]) if x)
            parts.append(
                Text(
                    _("Statut : {status} le {date} ({evidence}) ; historique : engagements timeline {id}").format(
                        status=found["status_label"], date=v["date"], evidence=evidence, id=found["id"]
                    )
                )
            )
        parts.append(Text(""))
        parts.append(Text(_("Demandes auxquelles il répond"), style="bold underline"))
        if not found["requests"]:
            parts.append(Text(f"  {SYMBOLS['absent']} " + _("aucune")))
        for r in found["requests"]:
            line = Text(f"  {SYMBOLS[r['level']]} ", style=STYLES[r["level"]])
            line.append(
                f"{r['request']} — {r['title']} · {level_name(r['level'])} · "
                + origin_text(r["source"], r["score"], r.get("by"), r.get("date"))
                + (f" · {_('score')} {r['score']}" if r["source"] == "link" else "")
            )
            parts.append(line)
            if r["why"]:
                parts.append(_indent(Text(_("Pourquoi : {why}").format(why=", ".join(r["why"])), style="dim"), 4))
        parts.extend(done_view(found.get("record"), _("Déjà fait : les actions du bilan qui le mettent en œuvre")))
    return Group(*parts)


def done_view(done: dict[str, Any] | None, title: str) -> list[Any]:
    """« Déjà fait »: the recorded actions of `show`, by neighbourhood; nothing when there are none."""
    if not done or not done["actions"]:
        return []
    parts: list[Any] = [Text(""), Text(f"{title} ({done['actions']})", style="bold underline")]
    documents = {
        (a["provenance"]["title"], a["provenance"]["file"]) for g in done["neighbourhoods"] for a in g["actions"]
    }
    one = len(documents) == 1
    if one:
        # one document for every action: named once, each action then gives its table and line
        document, file = next(iter(documents))
        parts.append(
            Text(_("D’après : {where}").format(where=" · ".join(x for x in (document, file) if x)), style="dim")
        )
    for group in done["neighbourhoods"]:
        parts.append(Text(f"  {group['name']} ({len(group['actions'])})", style="bold"))
        for a in group["actions"]:
            head = " · ".join(
                str(x) for x in (a["id"], a["action"], ", ".join(a["partners"]), a["year"]) if x not in (None, "")
            )
            parts.append(_indent(Text(f"{CONFIRMED} {head}"), 4))
            parts.append(_indent(Text(f"« {a['text']} »"), 6))
            if a["figures"]:
                parts.append(_indent(Text(_("Chiffres : {figures}").format(figures=" ; ".join(a["figures"]))), 6))
            prov = {**a["provenance"], "title": None} if one else a["provenance"]
            parts.append(_indent(Text(_("Source : {where}").format(where=where(prov)), style="dim"), 6))
    return parts
