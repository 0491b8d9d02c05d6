"""How much of the Contrat de ville (seed 004) `engagements import --outline` recovers unaided.

For each level, the markers counted in the raw text (each printed once: the table of contents and
the volets' presentations repeat headings) against the records the importer makes, how many of
those are found verbatim at their line by the quote check, and how many carry a note (a text cut
by the extraction, a heading printed with two wordings).

Usage: python benchmarks/outline_recovery.py
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import engagements  # noqa: F401 - only checks that the package is importable
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from engagements.checks import find_quote, read_source
from engagements.outline import LEVELS, find_outline

SEED = ROOT / "data" / "sources" / "004_2478bf577ca4ee32.txt"
START = re.compile(r"^#+\s*\**B\) Le pilier", re.MULTILINE)  # the body: after the contents and part A
MARKERS = {
    "pilier": re.compile(r"\b[B-D]\) Le pilier"),
    "objectif": re.compile(r"Objectif opérationnel\s*\d+\s*:"),
    "action": re.compile(r"☞"),
}


def main() -> None:
    text = SEED.read_text(encoding="utf-8")
    body = text[START.search(text).start() :]  # type: ignore[union-attr]
    nodes = find_outline(text)
    source = read_source(SEED.resolve())
    assert source is not None
    levels = Counter(n.level for n in nodes)
    at_line = Counter(n.level for n in nodes if find_quote(n.text, source, n.line) == n.line)
    noted = Counter(n.level for n in nodes if n.note)
    print(f"{'level':<12} {'markers':>8} {'records':>8} {'at line':>8} {'noted':>6}")
    for level in LEVELS:
        markers = len(MARKERS[level].findall(body)) if level in MARKERS else None
        shown = "" if markers is None else str(markers)
        print(f"{level:<12} {shown:>8} {levels[level]:>8} {at_line[level]:>8} {noted[level]:>6}")
    print(f"{'total':<12} {'':>8} {len(nodes):>8} {sum(at_line.values()):>8} {sum(noted.values()):>6}")
    print("markers: occurrences in the body (after part A); actions also count the parts of an action")
    print("ending in ':' (bullets right under it, no ☞), so records may exceed markers.")


if __name__ == "__main__":
    main()
