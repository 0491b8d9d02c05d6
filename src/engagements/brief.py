"""The meeting brief: one list, what it committed to, and what to ask it, on one or two pages.

`brief(data, findings, list_id)` gathers plain data from the one coverage matrix (the same
cells as every other view); `to_markdown` and `to_html` render it. The HTML page is made for
printing (A4, print CSS) and self-contained. Nothing here prints or touches the disk.

Each gap comes with the question to ask, a full sentence built from the request's own words
(`question_for`): an elliptic fine demand such as "vestimentaire" is asked through its
spelled-out title ("Que proposez-vous en matière d’aide vestimentaire ?").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .coverage import Coverage, Findings, Row, Verdict
from .i18n import _, current_language
from .marks import CONFIRMED, SUGGESTED, SYMBOLS, confirmed_words, suggested_words

# How much of a pledge a brief quotes, so that two pages hold every gap of a list.
QUOTE = 150
EXAMPLE = 100
CHECK = 110

_ARTICLES = ("le ", "la ", "les ", "l’", "l'", "un ", "une ")
_VOWELS = "aeiouyhàâäéèêëîïôöùûüœ"
# Infinitives that open requests; a word ending in -er/-ir/-re is not enough ("partenaire").
_INFINITIVE = re.compile(r"^(\w+(?:er|ir|re))\b", re.IGNORECASE)
_NOT_VERBS = {"partenaire", "mère", "mères", "frère", "hiver", "premier", "dernier", "quartier", "foyer", "loyer"}


@dataclass(frozen=True)
class Quote:
    """A pledge quoted in the brief, with where it comes from and who says it answers."""

    commitment: str
    text: str
    where: str
    confirmed: bool
    score: int
    # The pledge's current status on the meter and its evidence, when a verdict is recorded.
    status: str | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class Item:
    """One request in the brief: its level for the list, and the pledges behind it."""

    request: str
    label: str
    kind: str | None
    axis: str | None
    level: str
    confirmed: int
    suggested: int
    question: str
    text: str
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class Brief:
    """Everything a brief shows, in the order it shows it."""

    collective: str | None
    list_id: str
    list_name: str
    head: str | None
    answered: bool
    sources: list[str]
    data_date: str | None
    committed: list[Item]  # covered, with at least one confirmed link
    to_confirm: list[Item]  # covered by suggestions only
    partial: list[Item]
    unanswered: list[Item]
    totals: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        found = asdict(self)
        # No verdict recorded: the quotes read as they did before the meter (keys only when set).
        for key in ("committed", "to_confirm", "partial", "unanswered"):
            for item in found[key]:
                for quote in item["quotes"]:
                    for name in ("status", "verdict"):
                        if quote[name] is None:
                            del quote[name]
        return found


def question_for(row: Row) -> str:
    """The question to put to a list about a request, as a full French sentence from its own words."""
    title, text = row.title.strip(), " ".join(row.text.split()).strip()
    if row.kind == "question" or text.lower().startswith("sur "):
        return _("Que proposez-vous en matière {of} ?").format(of=_of(title))
    for phrase in (title, text):
        verb = _INFINITIVE.match(phrase)
        # A verb takes an object: a lone word ("vestimentaire") is an elliptic adjective.
        if verb and len(phrase.split()) > 1 and verb.group(1).lower() not in _NOT_VERBS:
            return _("Comment comptez-vous {action} ?").format(action=_lower_first(phrase.rstrip(" .?;")))
    if text.lower().startswith(_ARTICLES):
        return _("Que proposez-vous pour {object} ?").format(object=text.rstrip(" .?;"))
    if title.lower().startswith(_ARTICLES):
        return _("Que proposez-vous pour {object} ?").format(object=_lower_first(title))
    return _("Que proposez-vous en matière {of} ?").format(of=_of(title))


def _lower_first(text: str) -> str:
    # Keep acronyms and proper names ("QPV", "Aix") as they are.
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _of(title: str) -> str:
    """'d’aide vestimentaire', 'de logements sociaux': French elision before a vowel or a mute h."""
    noun = _lower_first(title)
    if current_language() == "en":
        return noun
    return f"d’{noun}" if noun[:1].lower() in _VOWELS else f"de {noun}"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;:") + "…"


_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(value: str | None) -> str | None:
    """'2026-03-08' -> '8 mars 2026' ('8 March 2026' in English)."""
    if not value:
        return None
    day = dt.date.fromisoformat(value)
    months = _MONTHS_EN if current_language() == "en" else _MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def brief(data: Any, findings: Findings, list_id: str) -> Brief:
    """The brief of one list (a `Dataset` and its `Findings`); `KeyError` if the list is unknown."""
    from .details import provenance_dict
    from .report import where

    lst = next((x for x in data.commitments.lists if x.id == list_id), None)
    if lst is None:
        raise KeyError(list_id)
    sources = {s.id: s for s in data.commitments.sources}
    whole: Coverage = findings.coverage.view("all", [list_id])
    column = whole.columns[0]
    # A merged list's brief quotes its parts' pledges too (see `mergers.py`), and names their sources.
    held = {list_id, *column.inherits}
    members = [x for x in data.commitments.lists if x.id in held]
    own_sources = list(dict.fromkeys(sid for x in members for sid in x.sources))
    commitments = [c for x in members for c in x.commitments]
    pledges = {c.id: c for c in commitments}
    by_pair = {(s["commitment"], s["request"]): s for s in findings.suggestions if s["list"] in held}

    def quotes(rid: str, ids: tuple[str, ...], limit: int, width: int) -> list[Quote]:
        out = []
        for pid in ids[:limit]:
            s = by_pair.get((pid, rid))
            pledge = pledges[pid]
            prov = provenance_dict(pledge.provenance, sources)
            place = ""
            if prov and prov.get("line"):
                # One source: the line says where; several: which one, shortly.
                place = (
                    _("ligne {line}").format(line=prov["line"])
                    if len(own_sources) <= 1
                    else _("{source}, ligne {line}").format(
                        source=_short(prov.get("title") or prov["source"], 40), line=prov["line"]
                    )
                )
            elif prov:
                place = _short(where(prov), 60)
            out.append(
                Quote(
                    pid,
                    _short(pledge.text, width),
                    place,
                    bool(s and s["source"] == "link"),
                    int(s["score"]) if s else 0,
                    *_verdict(findings.coverage.verdicts.get(pid)),
                )
            )
        return out

    committed: list[Item] = []
    to_confirm: list[Item] = []
    partial: list[Item] = []
    unanswered: list[Item] = []
    # Questions first, then fine demands, then anything else, each in data order.
    rank = {"question": 0, "demand": 1}
    for row in sorted(whole.rows, key=lambda r: rank.get(r.kind or "", 2)):
        cell = whole.cell(row.id, list_id)
        if cell.level == "covered" and cell.is_confirmed:
            target, shown, width = committed, cell.confirmed, EXAMPLE
        elif cell.level == "covered":
            target, shown, width = to_confirm, cell.covered, CHECK
        elif cell.level == "partial":
            target, shown, width = partial, cell.partial, QUOTE
        else:
            target, shown, width = unanswered, (), QUOTE
        target.append(
            Item(
                request=row.id,
                label=f"{row.number} — {row.title}" if row.number else row.title,
                kind=row.kind,
                axis=row.axis_title,
                level=cell.level,
                confirmed=cell.confirmed_count,
                suggested=cell.suggested_count,
                question=question_for(row),
                text=" ".join(row.text.split()),
                quotes=quotes(row.id, shown, 1, width),
            )
        )
    dates = [s.date.isoformat() for s in data.commitments.sources if s.id in own_sources and s.date]
    dates += [a.date.isoformat() for c in commitments for a in (*c.answers, *c.rejects) if a.date]
    source_texts = []
    for sid in own_sources:
        src = sources.get(sid)
        if src is None:
            continue
        bits = [src.title]
        if src.date:
            bits.append(long_date(src.date.isoformat()) or "")
        source_texts.append(", ".join(bits))
    totals = {
        "questions": sum(1 for r in whole.rows if r.kind == "question"),
        "demands": sum(1 for r in whole.rows if r.kind == "demand"),
        "pledges": len(commitments),
        "confirmed_links": sum(len(c.answers) for c in commitments),
    }
    return Brief(
        data.requests.collective.name if data.requests.collective else None,
        lst.id,
        lst.name,
        lst.head,
        column.answered,
        source_texts,
        max(dates) if dates else None,
        committed,
        to_confirm,
        partial,
        unanswered,
        totals,
    )


def _verdict(found: Verdict | None) -> tuple[str | None, str | None]:
    """(status, 'rompu le 2026-10-01 (Conseil municipal · https://…)') for a rated pledge: its
    verdict as the coverage computed it (`Coverage.verdicts`), None for a pledge not rated."""
    from .marks import verdict_words

    return (found.status, verdict_words(found)) if found else (None, None)


# -- shared wording -----------------------------------------------------------------------------


def _title(b: Brief) -> str:
    return _("Rencontre avec {name}").format(name=b.list_name)


def _intro(b: Brief) -> list[str]:
    out = []
    if b.collective:
        out.append(_("Document du collectif : {name}.").format(name=b.collective))
    who = _("Liste : {name}").format(name=b.list_name)
    if b.head:
        who += " — " + _("tête de liste : {head}").format(head=b.head)
    out.append(who + ".")
    if b.sources:
        out.append(_("D’après : {sources}.").format(sources=" ; ".join(b.sources)))
    if not b.answered:
        out.append(_("Cette liste n’a pas répondu au collectif : ce qui suit vient de son programme général."))
    if b.data_date:
        out.append(_("État des données : {date}.").format(date=long_date(b.data_date)))
    return out


def _quote_text(item: Item) -> bool:
    """Whether the collective's own text adds to the question: a question's full wording does; a
    fine demand's fragment ("vestimentaire") is already in the question built from it."""
    return item.kind != "demand"


def _count_words(item: Item) -> str:
    parts = []
    if item.confirmed:
        parts.append(f"{CONFIRMED} {confirmed_words(item.confirmed)}")
    if item.suggested:
        parts.append(f"{SUGGESTED} {suggested_words(item.suggested)}")
    return " + ".join(parts)


def _sections(b: Brief) -> list[tuple[str, str, list[Item]]]:
    return [
        (
            "unanswered",
            _("Sans réponse : les questions à poser ({n})").format(n=len(b.unanswered)),
            b.unanswered,
        ),
        (
            "partial",
            _("Réponse partielle : ce que la liste en dit, et ce qu’il faut préciser ({n})").format(n=len(b.partial)),
            b.partial,
        ),
        (
            "to_confirm",
            _("Couvert selon l’appariement automatique, à faire confirmer ({n})").format(n=len(b.to_confirm)),
            b.to_confirm,
        ),
    ]


# -- Markdown -------------------------------------------------------------------------------------


def to_markdown(b: Brief) -> str:
    """The brief as Markdown, to paste into a pad, a mail or a pull request."""
    from .exports import md_text

    out = [f"# {md_text(_title(b))}", ""]
    out += [md_text(line) + "  " for line in _intro(b)]
    out += ["", f"## {md_text(_('Ce à quoi la liste s’est engagée (liens confirmés)'))} ({len(b.committed)})", ""]
    if not b.committed:
        out.append(md_text(_("Aucun engagement confirmé par une personne pour l’instant.")))
    for item in b.committed:
        example = item.quotes[0] if item.quotes else None
        line = f"- {SYMBOLS['covered']} **{md_text(item.label)}** — {md_text(_count_words(item))}"
        if example:
            line += f" ; {md_text(_('par exemple'))} « {md_text(example.text)} »"
            if example.verdict:
                line += f" — {md_text(_('Suivi'))} : {md_text(example.verdict)}"
        out.append(line)
    for _key, heading, items in _sections(b):
        if not items and _key == "to_confirm":
            continue
        out += ["", f"## {md_text(heading)}", ""]
        if not items:
            out.append(md_text(_("aucune")))
        for item in items:
            out.append(f"- {SYMBOLS[item.level]} **{md_text(item.label)}** — {md_text(item.question)}")
            if _quote_text(item):
                out.append(f"  {md_text(_('Demande du collectif'))} : « {md_text(item.text)} »")
            for q in item.quotes:
                said = _("Ce que la liste en dit") if item.level == "partial" else _("Semble y répondre")
                out.append(
                    f"  {md_text(said)} ({SUGGESTED} {md_text(_('à vérifier'))}) : « {md_text(q.text)} »"
                    + (f" ({md_text(q.where)})" if q.where else "")
                    + (f" — {md_text(_('Suivi'))} : {md_text(q.verdict)}" if q.verdict else "")
                )
    out += ["", md_text(_legend()), ""]
    return "\n".join(out)


def _legend() -> str:
    return _(
        "● couvert · ◐ partiel · ○ sans réponse · ✔ lien confirmé par une personne · "
        "? suggestion de l’appariement automatique, à vérifier avec la liste."
    )


# -- HTML -----------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 12mm 14mm; }
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 9pt; line-height: 1.25; color: #111;
  max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 15pt; margin: 0 0 .2rem; }
h2 { font-size: 11pt; margin: .7rem 0 .25rem; border-bottom: 1px solid #555; }
p { margin: .1rem 0; }
.intro p { margin: 0; }
ul { margin: .2rem 0; padding-left: 0; list-style: none; }
li { margin: .15rem 0; break-inside: avoid; }
ul.cols { columns: 2; column-gap: 1.2rem; }
.q { font-weight: 700; }
.ask { display: block; }
.text, .said { display: block; color: #333; }
.said { font-style: italic; }
.sym { font-weight: 700; }
.legend { margin-top: .6rem; font-size: 8pt; color: #333; border-top: 1px solid #999; padding-top: .2rem; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def to_html(b: Brief) -> str:
    """The brief as one self-contained page, made to be printed on one or two A4 pages."""
    from .exports import esc

    def sym(symbol: str) -> str:
        return f'<span class="sym" aria-hidden="true">{esc(symbol)}</span>'

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(current_language())}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="generator" content="engagements">',
        f"<title>{esc(_title(b))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(_title(b))}</h1>",
        '<div class="intro">',
        *(f"<p>{esc(line)}</p>" for line in _intro(b)),
        "</div>",
        f"<h2>{esc(_('Ce à quoi la liste s’est engagée (liens confirmés)'))} ({len(b.committed)})</h2>",
    ]
    if not b.committed:
        parts.append(f"<p>{esc(_('Aucun engagement confirmé par une personne pour l’instant.'))}</p>")
    else:
        parts.append('<ul class="cols">')
        for item in b.committed:
            example = item.quotes[0] if item.quotes else None
            words = " + ".join(
                p
                for p in (
                    f"{sym(CONFIRMED)} {esc(confirmed_words(item.confirmed))}" if item.confirmed else "",
                    f"{sym(SUGGESTED)} {esc(suggested_words(item.suggested))}" if item.suggested else "",
                )
                if p
            )
            line = f'<li>{sym(SYMBOLS["covered"])} <span class="q">{esc(item.label)}</span> — {words}'
            if example:
                line += f" ; {esc(_('par exemple'))} « {esc(example.text)} »"
                if example.verdict:
                    line += f" — {esc(_('Suivi'))} : {esc(example.verdict)}"
            parts.append(line + "</li>")
        parts.append("</ul>")
    for key, heading, items in _sections(b):
        if not items and key == "to_confirm":
            continue
        parts.append(f'<h2 id="{key}">{esc(heading)}</h2>')
        if not items:
            parts.append(f"<p>{esc(_('aucune'))}</p>")
            continue
        parts.append('<ul class="cols">')
        for item in items:
            li = [
                f'<li>{sym(SYMBOLS[item.level])} <span class="q">{esc(item.label)}</span>',
                f'<span class="ask">{esc(item.question)}</span>',
            ]
            if _quote_text(item):
                li.append(f'<span class="text">{esc(_("Demande du collectif"))} : « {esc(item.text)} »</span>')
            for q in item.quotes:
                said = _("Ce que la liste en dit") if item.level == "partial" else _("Semble y répondre")
                li.append(
                    f'<span class="said">{esc(said)} ({sym(SUGGESTED)} {esc(_("à vérifier"))}) : '
                    f"« {esc(q.text)} »"
                    + (f" ({esc(q.where)})" if q.where else "")
                    + (f" — {esc(_('Suivi'))} : {esc(q.verdict)}" if q.verdict else "")
                    + "</span>"
                )
            parts.append("".join(li) + "</li>")
        parts.append("</ul>")
    parts += [f'<p class="legend">{esc(_legend())}</p>', "</body>", "</html>"]
    return "\n".join(parts) + "\n"
