"""The shipped French lexicon of social-policy synonyms and acronyms.

Each group of the lexicon (`lexicon/fr_social.yaml`) names one concept and lists the words,
phrases and acronyms that say it ("sans-abri", "SDF", "personnes à la rue"…); each group
belongs to a domain ("Santé", "Logement"…). A text that contains any term of a group is given
the group's concept and its domain as extra tokens, so that a pledge and a request that say the
same thing in other words still meet, and texts on the same subject come closer.

An acronym written in capitals in the lexicon ("AME", "PASS") only matches a word written in
capitals in the text, so that "âme" or "Pass Culture" do not pass for "AME" or "PASS".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .french import fold, stem, words

LEXICON_PATH = Path(__file__).parent / "lexicon" / "fr_social.yaml"


@dataclass(frozen=True)
class Hit:
    """A lexicon phrase found in a text: its concept, its domain and the word span [start, end)."""

    concept: str
    domain: str | None
    start: int
    end: int


# Articles and the commonest prepositions are skipped inside phrases, in the lexicon and in the
# text alike: "spectacles avec des animaux" then matches "spectacles avec animaux".
_SKIPPED = frozenset({"le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux"})


def _is_acronym(term: str) -> bool:
    return term.isupper() and len(term) > 1 and " " not in term


class Lexicon:
    """Phrase lookup over stemmed words; the longest phrase wins at each position."""

    def __init__(
        self, groups: dict[str, list[str]], domains: dict[str, str] | None = None, titles: dict[str, str] | None = None
    ) -> None:
        self.groups = groups
        self.domains = domains or {}  # group id -> domain id
        self.titles = titles or {}  # domain id -> French title
        self.phrases: dict[tuple[str, ...], str] = {}
        self.acronyms: dict[str, str] = {}
        for concept, terms in groups.items():
            for term in terms:
                if _is_acronym(term):
                    self.acronyms.setdefault(fold(term), concept)
                    continue
                key = tuple(stem(w) for w in words(term) if w.lower() not in _SKIPPED)
                if key:
                    self.phrases.setdefault(key, concept)
        self.longest = max((len(k) for k in self.phrases), default=0)
        self._index()

    def _index(self) -> None:
        # The stems that start a phrase: most words start none, and need no lookup (`find`).
        self.first = frozenset(k[0] for k in self.phrases)

    def find(self, stems: Sequence[str], surface: Sequence[str] | None = None) -> list[Hit]:
        """Every lexicon phrase in a sequence of stems (all words, stopwords included).

        `surface` holds the words as written, to recognise acronyms written in capitals.
        """
        # Positions of the words that count in a phrase (articles skipped), in text order.
        kept = [i for i, s in enumerate(stems) if surface is None or surface[i].lower() not in _SKIPPED]
        keys = [stems[i] for i in kept]
        hits: list[Hit] = []
        k = 0
        first = self.first
        while k < len(keys):
            for n in range(min(self.longest, len(keys) - k) if keys[k] in first else 0, 0, -1):
                concept = self.phrases.get(tuple(keys[k : k + n]))
                if concept is not None:
                    hits.append(Hit(concept, self.domains.get(concept), kept[k], kept[k + n - 1] + 1))
                    k += n
                    break
            else:
                word = surface[kept[k]] if surface is not None else ""
                concept = self.acronyms.get(fold(word)) if word.isupper() and len(word) > 1 else None
                if concept is not None:
                    hits.append(Hit(concept, self.domains.get(concept), kept[k], kept[k] + 1))
                k += 1
        return hits

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "domains": self.domains,
            "titles": self.titles,
            "phrases": [[list(k), c] for k, c in self.phrases.items()],
            "acronyms": self.acronyms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        """Rebuild a lexicon without stemming its terms again (see `shipped_lexicon`)."""
        lexicon = cls({}, data["domains"], data.get("titles"))
        lexicon.groups = data["groups"]
        lexicon.phrases = {tuple(k): c for k, c in data["phrases"]}
        lexicon.acronyms = data["acronyms"]
        lexicon.longest = max((len(k) for k in lexicon.phrases), default=0)
        lexicon._index()
        return lexicon


# The compiled lexicon: the YAML's groups with every term already stemmed, as JSON beside it.
# It is rebuilt by `python -c "from engagements.lexicon import write_compiled; write_compiled()"`
# and a test keeps it in step with the YAML.
COMPILED_PATH = LEXICON_PATH.with_suffix(".json")
# Bump when the compiled form changes meaning (what `compile_lexicon` does with the terms).
COMPILED_FORMAT = 1


def source_key(path: Path = LEXICON_PATH) -> str:
    """What a compiled lexicon depends on: the YAML's bytes, the French text code, the format.

    Hashing 100 KB takes well under a millisecond: far less than parsing the YAML again.
    """
    import hashlib

    digest = hashlib.sha256(path.read_bytes())
    digest.update((Path(__file__).parent / "french.py").read_bytes())
    digest.update(f"{COMPILED_FORMAT}:{sorted(_SKIPPED)}".encode())
    return digest.hexdigest()


def compile_lexicon(path: Path = LEXICON_PATH) -> dict[str, Any]:
    """Parse the lexicon's YAML and stem its terms: the JSON-ready form `Lexicon.from_dict` reads."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    groups = {str(g["id"]): [str(t) for t in g.get("terms", [])] for g in data.get("groups", [])}
    domains = {str(g["id"]): str(g["domain"]) for g in data.get("groups", []) if g.get("domain")}
    titles = {str(d["id"]): str(d.get("title", d["id"])) for d in data.get("domains", [])}
    return {"key": source_key(path), **Lexicon(groups, domains, titles).to_dict()}


def write_compiled(path: Path = LEXICON_PATH, target: Path | None = None) -> Path:
    """Write the compiled lexicon beside its YAML (or to `target`); returns the file written."""
    import json

    from .writing import atomic_write

    target = target or path.with_suffix(".json")
    text = json.dumps(compile_lexicon(path), ensure_ascii=False, indent=0, sort_keys=True) + "\n"
    atomic_write(target, text.encode("utf-8"))
    return target


def _read_json(path: Path) -> Any:
    import json

    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


@cache
def shipped_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon shipped with the package (empty if the file is absent).

    Read from its compiled JSON, a few milliseconds, when that was compiled from these very
    bytes of the YAML and this code. Otherwise (the YAML was edited and not compiled again) the
    YAML is parsed and its 2,700 terms stemmed, about a second on a small machine, once: the
    result goes to the user's cache (see `cache.py`) under the same key.
    """
    if not path.exists():
        return Lexicon({})
    key = source_key(path)
    compiled = _read_json(path.with_suffix(".json"))
    if isinstance(compiled, dict) and compiled.get("key") == key:
        return Lexicon.from_dict(compiled)
    from . import cache as store

    cached = store.read("lexicon", key)
    if isinstance(cached, dict) and cached.get("key") == key:
        return Lexicon.from_dict(cached)
    data = compile_lexicon(path)
    store.write("lexicon", key, data)
    return Lexicon.from_dict(data)


def domain_titles() -> dict[str, str]:
    """Domain id -> French title, for explanations."""
    return shipped_lexicon().titles
