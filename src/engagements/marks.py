"""How every view says a level and who stands behind it, in words and in symbols.

Two independent marks, both plain characters that survive black-and-white printing, `NO_COLOR`
and a screen reader (which reads the words next to them):
- the level of a cell: ● covered, ◐ partial, ○ absent;
- its origin: ✔ confirmed by a person (a link in the data, with who and when), ? a suggestion
  of the matcher (with its score), to be checked.

The terminal (`report`), the exports (`exports`), `brief` and `diff` all take their wording
from here, so that a cell reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

from .i18n import N_, _

SYMBOLS = {"covered": "●", "partial": "◐", "absent": "○"}
CONFIRMED = "✔"
SUGGESTED = "?"
# A list recorded as elected, in the headers of the views (the words "élue le …" follow it).
ELECTED = "★"
LEVEL_NAMES = {"covered": N_("couvert"), "partial": N_("partiel"), "absent": N_("absent")}
SOURCE_NAMES = {"link": N_("lien confirmé"), "matcher": N_("suggestion")}


def level_name(level: str) -> str:
    return _(LEVEL_NAMES[level])


def source_name(source: str) -> str:
    return _(SOURCE_NAMES[source])


def origin_mark(source: str) -> str:
    return CONFIRMED if source == "link" else SUGGESTED


def confirmed_words(n: int) -> str:
    """'3 confirmés'."""
    # French puts 0 and 1 in the singular.
    return (_("{n} confirmé") if n <= 1 else _("{n} confirmés")).format(n=n)


def confirmed_requests(n: int) -> str:
    """'10 confirmées': how many requests of a list rest on a confirmed link."""
    return (_("{n} confirmée") if n <= 1 else _("{n} confirmées")).format(n=n)


def suggested_words(n: int) -> str:
    """'2 à vérifier'."""
    return _("{n} à vérifier").format(n=n)


def cell_parts(cell: Any) -> list[str]:
    """A cell in words, one part per origin: ['● ✔ 3 confirmés', '+ ? 2 à vérifier'], or
    ['◐ ? 1 à vérifier'], or ['○']."""
    symbol = SYMBOLS[cell.level]
    if cell.level == "absent":
        return [symbol]
    sure, unsure = cell.confirmed_count, cell.suggested_count
    if sure and unsure:
        return [f"{symbol} {CONFIRMED} {confirmed_words(sure)}", f"+ {SUGGESTED} {suggested_words(unsure)}"]
    if sure:
        return [f"{symbol} {CONFIRMED} {confirmed_words(sure)}"]
    return [f"{symbol} {SUGGESTED} {suggested_words(unsure)}"]


def cell_text(cell: Any) -> str:
    """A cell on one line: '● ✔ 3 confirmés + ? 2 à vérifier'."""
    return " ".join(cell_parts(cell))


def origin_text(source: str, score: int, by: str | None = None, date: str | None = None) -> str:
    """Who stands behind one link: '✔ confirmé par Awa le 2026-03-20' or '? suggestion à vérifier (score 62)'."""
    if source == "link":
        if by and date:
            return f"{CONFIRMED} " + _("confirmé par {by} le {date}").format(by=by, date=date)
        if by:
            return f"{CONFIRMED} " + _("confirmé par {by}").format(by=by)
        if date:
            return f"{CONFIRMED} " + _("confirmé le {date}").format(date=date)
        return f"{CONFIRMED} " + _("confirmé (qui et quand non notés)")
    return f"{SUGGESTED} " + _("suggestion à vérifier (score {score})").format(score=score)


def no_confirmed_link() -> str:
    """What a column header says when no cell of the list rests on a confirmed link."""
    return _("aucun lien confirmé")


def legend_text(*, with_origins: bool = True) -> str:
    """'Légende : ● couvert ◐ partiel ○ absent · ✔ confirmé par une personne · ? suggestion à vérifier'."""
    parts = [f"{SYMBOLS[level]} {level_name(level)}" for level in ("covered", "partial", "absent")]
    if with_origins:
        parts += [
            f"{CONFIRMED} " + _("confirmé par une personne"),
            f"{SUGGESTED} " + _("suggestion de l’appariement, à vérifier"),
        ]
    return _("Légende : ") + " · ".join(parts)


# The meter in a cell or a footer: rated statuses only, best first, then what is left to rate.
METER_ORDER = ("kept", "compromise", "in_progress", "stalled", "broken")
METER_WORDS = {
    "kept": (N_("{n} tenu"), N_("{n} tenus")),
    "compromise": (N_("{n} compromis"), N_("{n} compromis")),
    "in_progress": (N_("{n} en cours"), N_("{n} en cours")),
    "stalled": (N_("{n} au point mort"), N_("{n} au point mort")),
    "broken": (N_("{n} rompu"), N_("{n} rompus")),
}


def meter_words(counts: dict[str, int]) -> str:
    """'2 tenus · 1 rompu sur 3' (the rated statuses among `counts`), or '' when none is rated."""
    total = sum(counts.values())
    parts = [_(METER_WORDS[s][0 if counts[s] <= 1 else 1]).format(n=counts[s]) for s in METER_ORDER if counts.get(s)]
    if not parts:
        return ""
    return " · ".join(parts) + " " + _("sur {total}").format(total=total)


def verdict_words(verdict: Any) -> str:
    """'rompu le 2026-10-01 (Conseil municipal · https://…)': a `coverage.Verdict` as every view says it."""
    from .statuses import label

    evidence = " · ".join(x for x in (verdict.source, verdict.url) if x)
    text = _("{status} le {date}").format(status=label(verdict.status), date=verdict.date)
    return text + (f" ({evidence})" if evidence else "")


def no_verdict() -> str:
    return _("aucun verdict enregistré")


def list_marks(col: Any) -> list[str]:
    """What a header adds for an elected or a merged list (a `coverage.Column`):
    ['★ élue le 2026-03-22', 'fusion de a + b'], or nothing."""
    marks = []
    if col.elected:
        marks.append(ELECTED + " " + _("élue le {date}").format(date=col.elected))
    if col.merged_from:
        marks.append(_("fusion de {lists}").format(lists=" + ".join(col.merged_from)))
    return marks
