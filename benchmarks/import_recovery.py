"""How many of the bundled pledges `engagements import` recovers from their source texts.

For each seed source, the importer runs on the text (as the CLI would) and its drafts are paired
with the hand-transcribed pledges of the same list in data/commitments.yaml:

- exact: a bundled pledge whose text the importer produced as is;
- near: otherwise, the closest remaining draft has a rapidfuzz ratio of at least 90;
- missed: no draft comes close (the bundled prose measures, noted "Mesure rédigée en prose",
  are counted apart: the importer does not look for them);
- extra: drafts paired with no bundled pledge (bullets or measures that the transcription left
  out, or prose that the importer read as a pledge).

Usage: python benchmarks/import_recovery.py [--details]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import engagements  # noqa: F401 - only checks that the package is importable
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz

from engagements.importer import build_import, read_text
from engagements.loading import load_directory

DATA = ROOT / "data"
NEAR = 90.0
# (source file, list id in data/commitments.yaml)
SEEDS = (
    ("sources/000_1d5eca14aae107d3.txt", "aix-en-commun"),
    ("sources/001_3d18f1cd15f82665.txt", "programme-solidarite"),
)


@dataclass
class Recovery:
    """The pairing of one source's drafts with the bundled pledges of its list."""

    source: str
    list_id: str
    bundled: int
    drafts: int
    exact: list[str] = field(default_factory=list)
    near: list[tuple[str, str, float]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    missed_prose: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def recover(source_file: str, list_id: str, data: Path = DATA) -> Recovery:
    """Import `source_file` (relative to `data`) and pair its drafts with the list's pledges."""
    loaded = load_directory(data)
    assert loaded.dataset is not None, "the bundled data must load"
    bundled = next(lst for lst in loaded.dataset.commitments.lists if lst.id == list_id)
    imported = build_import(
        read_text(data / source_file),
        list_id=list_id,
        source_id="benchmark",
        origin=source_file,
        source_file=source_file,
    )
    drafts = [c.text for c in imported.candidate.commitments]
    result = Recovery(source_file, list_id, len(bundled.commitments), len(drafts))

    remaining = list(drafts)
    unmatched = []
    for pledge in bundled.commitments:
        if pledge.text in remaining:
            remaining.remove(pledge.text)
            result.exact.append(pledge.text)
        else:
            unmatched.append(pledge)
    for pledge in unmatched:
        scored = [(fuzz.ratio(pledge.text, draft), draft) for draft in remaining]
        best = max(scored, default=(0.0, ""))
        if best[0] >= NEAR:
            remaining.remove(best[1])
            result.near.append((pledge.text, best[1], best[0]))
        elif "prose" in (pledge.note or ""):
            result.missed_prose.append(pledge.text)
        else:
            result.missed.append(pledge.text)
    result.extra = remaining
    return result


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    details = "--details" in (sys.argv[1:] if argv is None else argv)
    header = f"{'source':<38} {'list':<22} {'bundled':>7} {'drafts':>6} {'exact':>5} {'near':>4} {'missed':>6} {'(prose)':>7} {'extra':>5}"
    print(header)
    print("-" * len(header))
    results = [recover(source, list_id) for source, list_id in SEEDS]
    for r in results:
        print(
            f"{Path(r.source).name:<38} {r.list_id:<22} {r.bundled:>7} {r.drafts:>6} {len(r.exact):>5} "
            f"{len(r.near):>4} {len(r.missed) + len(r.missed_prose):>6} {len(r.missed_prose):>7} {len(r.extra):>5}"
        )
    if details:
        for r in results:
            print(f"\n== {r.list_id}")
            for bundled, draft, score in r.near:
                print(f"near ({score:.0f}):\n  bundled: {_short(bundled)}\n  draft:   {_short(draft)}")
            for text in r.missed:
                print(f"missed: {_short(text)}")
            for text in r.missed_prose:
                print(f"missed (prose): {_short(text)}")
            for text in r.extra:
                print(f"extra: {_short(text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
