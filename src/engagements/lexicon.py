"""The shipped French lexicon of social-policy synonyms and acronyms.

Each group of the lexicon (`lexicon/fr_social.yaml`) names one concept and lists the words,
phrases and acronyms that say it ("sans-abri", "SDF", "personnes à la rue"…). A text that
contains any of them is given the concept as an extra token, so that a pledge and a request
that say the same thing in other words still meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .french import stem, words

LEXICON_PATH = Path(__file__).parent / "lexicon" / "fr_social.yaml"


@dataclass(frozen=True)
class Hit:
    """A lexicon phrase found in a text: its concept and the word span [start, end)."""

    concept: str
    start: int
    end: int


class Lexicon:
    """Phrase lookup over stemmed words; the longest phrase wins at each position."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = groups
        self.phrases: dict[tuple[str, ...], str] = {}
        for concept, terms in groups.items():
            for term in terms:
                key = tuple(stem(w) for w in words(term))
                if key:
                    self.phrases.setdefault(key, concept)
        self.longest = max((len(k) for k in self.phrases), default=0)

    def find(self, stems: Sequence[str]) -> list[Hit]:
        """Every lexicon phrase in a sequence of stems (all words, stopwords included)."""
        hits: list[Hit] = []
        i = 0
        while i < len(stems):
            for n in range(min(self.longest, len(stems) - i), 0, -1):
                concept = self.phrases.get(tuple(stems[i : i + n]))
                if concept is not None:
                    hits.append(Hit(concept, i, i + n))
                    i += n
                    break
            else:
                i += 1
        return hits

    def fingerprint(self) -> str:
        """A short stable digest, so caches are invalidated when the lexicon changes."""
        import hashlib

        text = "\n".join(f"{c}:{'|'.join(t)}" for c, t in sorted(self.groups.items()))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@cache
def shipped_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon shipped with the package (empty if the file is absent)."""
    if not path.exists():
        return Lexicon({})
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    groups = {str(g["id"]): [str(t) for t in g.get("terms", [])] for g in data.get("groups", [])}
    return Lexicon(groups)
