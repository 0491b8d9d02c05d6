"""A pledge's status in words, and its status now: the little of the promise meter that reports
and exports need, apart from `meter` (which checks histories against the sources, and imports
the YAML reader, the loader and the checks to do so)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .i18n import N_, _

if TYPE_CHECKING:
    from .models import Commitment, Status

LABELS: dict[Status, str] = {
    "not_rated": N_("non évalué"),
    "in_progress": N_("en cours"),
    "stalled": N_("au point mort"),
    "compromise": N_("compromis"),
    "kept": N_("tenu"),
    "broken": N_("rompu"),
}


def label(status: Status) -> str:
    """A status in the current language (French by default)."""
    return _(LABELS[status])


def current(pledge: Commitment) -> Status:
    """The pledge's status now: its latest entry's, or `not_rated`."""
    return pledge.history[-1].status if pledge.history else "not_rated"
