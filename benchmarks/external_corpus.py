"""The matcher on texts it was not built around: other collectives' demands × Montpellier programmes.

`engagements` was tuned on the Aix-en-Provence data (social-policy demands, letters answering
them). This benchmark runs it, unchanged, on the external corpus (`shared/corpus/external`, see
its README): five sets of demands from other collectives (animal welfare, the Montpellier
airport, ecological and social pacts) and the full programmes of three Montpellier 2026 lists.
Nothing of that corpus is bundled: the data directories are built in a temporary directory.

For each demands file it
1. builds a data directory: `requests.yaml` (one `kind: demand` request per item, its text
   verbatim, its title the item's own title if it has one, else the first words of its text, no
   keywords) and `commitments.yaml` (the three programmes as lists, one pledge per item, text
   verbatim, ids made valid by replacing characters such as `#` with `-`, no links, no rejects);
   it is checked the way `engagements validate` checks it (load + cross-file checks);
2. runs the matcher as `engagements match` and `coverage --level all` do (`matching.match` with
   the shipped lexicon, then `coverage.build`), and times it;
3. prints the number of requests and pledges, the time, the coverage per list
   (covered / partial / absent requests) and, where the demands file records which Montpellier
   lists signed which measures (`signatories_montpellier_2026[].signed_item_ids`), how many of
   the measures a list signed the matcher finds (covered or partial) in that list's programme,
   and how many of those it did not sign;
4. prints, for three requests per file (first, middle, last: a fixed choice), the top three
   suggestions with score, level and `why`, so that a person can judge them; then the number of
   suggestions per level and the terms that most often lead the explanations.

Limits, to read the figures right:
- there is no ground truth. Signing an association's charter is not writing the measure in a
  programme (a list may sign without a programme line, or write a measure without signing), so
  the signatory comparison is an indicative agreement, not precision or recall. Read the
  examples: they are the measure of quality here;
- "found" is cheap: a request is `partial` for a list as soon as one of its pledges has that
  request as its best match with a score of 15 or more, so with 140–270 pledges per list almost
  every request is found (no programme mentions the airport, yet the Greenpeace questions are
  found for every list);
- only the `text` of each programme item is read, as the tool would store it: the item's
  title (the "Faire mieux pour Montpellier" list keeps it apart from the text) and the
  programme headings are not, although a reader would use them;
- the Greenpeace items are yes/no questions, some expecting "no" (e.g. "favourable to the
  airport's growth?"): a pledge on the same subject "covers" them whatever its position;
- two demand files are partial extracts (see their notes), and their items come from several
  sources;
- TF-IDF weights are fitted per list (its pledges, the requests, the confirmed pledges), so
  scores are comparable within a file only;
- times are the matcher's and the matrix's only (not loading); the first file also fills the
  stemming cache, so it is slower than the others.

Usage: python benchmarks/external_corpus.py [--corpus PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ruamel.yaml import YAML

from engagements.checks import check
from engagements.coverage import Coverage, build
from engagements.loading import load_directory
from engagements.matching import Suggestion, match
from engagements.models import Dataset

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "external"
TITLE_WORDS = 8  # a title made from the text: its first words
EXAMPLES = 3  # requests shown per file, each with its top suggestions
TOP = 3  # suggestions shown per example request
TEXT_WIDTH = 150  # characters of a pledge shown in an example
NOTE = "INDICATIVE: signing a charter is not writing the measure in a programme"
_INVALID_ID = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Programme:
    """One list's programme: its id (from the file name), its name, and its pledges."""

    id: str
    name: str
    pledges: list[dict[str, str]]  # {"id", "text"}, ids already valid


@dataclass(frozen=True)
class Result:
    """One demands file after matching."""

    name: str
    doc: dict
    data: Dataset
    suggestions: list[Suggestion]
    coverage: Coverage
    seconds: float


# -- building the data directories ------------------------------------------------------------
def valid_id(raw: str) -> str:
    """`1000-premiers-jours#1` -> `1000-premiers-jours-1`, `#01` -> `01`: the format's id pattern."""
    cleaned = _INVALID_ID.sub("-", raw).strip("-")
    if not cleaned:
        raise SystemExit(f"cannot make a valid id from {raw!r}")
    return cleaned[:100]


def list_name(doc: dict, fallback: str) -> str:
    """The list's name as quoted in the source title (« Demain Montpellier »)."""
    found = re.search(r"«\s*(.+?)\s*»", doc.get("source_title", ""))
    return found.group(1) if found else fallback


def read_programmes(corpus: Path) -> list[Programme]:
    """The Montpellier programmes, in file-name order, with ids unique across all lists."""
    programmes = []
    seen: set[str] = set()
    for path in sorted(corpus.glob("pledges_*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        list_id = valid_id(re.sub(r"^pledges_[a-z]+\d{4}_", "", path.stem).replace("_", "-"))
        pledges = []
        for item in doc["items"]:
            pid = valid_id(item["id"])
            if pid in seen:  # commitment ids are unique across lists: qualify a clash
                pid = valid_id(f"{list_id}.{pid}")
            if pid in seen:
                raise SystemExit(f"{path.name}: duplicate pledge id {item['id']!r}")
            seen.add(pid)
            pledges.append({"id": pid, "text": item["text"]})
        programmes.append(Programme(list_id, list_name(doc, list_id), pledges))
    return programmes


def request_title(item: dict) -> str:
    """The item's own title, else the first words of its text."""
    if item.get("title"):
        return item["title"]
    words = item["text"].split()
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")


def write_directory(directory: Path, doc: dict, programmes: list[Programme]) -> None:
    """requests.yaml and commitments.yaml in the minimum public schema, plus `kind` and one
    source per programme (`kind: programme`: these lists did not answer the collective)."""
    yaml = YAML()
    yaml.width = 4096  # one line per text: easier to read and to grep
    yaml.allow_unicode = True
    requests = [
        {"id": valid_id(item["id"]), "title": request_title(item), "text": item["text"], "kind": "demand"}
        for item in doc["items"]
    ]
    sources = [{"id": f"src-{p.id}", "title": p.name, "kind": "programme"} for p in programmes]
    lists = [{"id": p.id, "name": p.name, "sources": [f"src-{p.id}"], "commitments": p.pledges} for p in programmes]
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "requests.yaml").open("w", encoding="utf-8") as out:
        yaml.dump({"requests": requests}, out)
    with (directory / "commitments.yaml").open("w", encoding="utf-8") as out:
        yaml.dump({"sources": sources, "lists": lists}, out)


def load_valid(directory: Path) -> Dataset:
    """The data set, or exit listing every diagnostic (what `engagements validate` would say)."""
    loaded = load_directory(directory)
    problems = [*loaded.diagnostics, *check(loaded)]
    if problems or loaded.dataset is None:
        for d in problems:
            print(f"  {d}", file=sys.stderr)
        raise SystemExit(f"{directory}: the generated data does not validate")
    return loaded.dataset


def run(name: str, doc: dict, directory: Path) -> Result:
    """Validate a built directory, then match and build the coverage matrix (timed)."""
    data = load_valid(directory)
    started = time.perf_counter()
    suggestions = match(data)  # what `engagements match` computes
    coverage = build(data, suggestions, "all")  # what `engagements coverage --level all` shows
    return Result(name, doc, data, suggestions, coverage, time.perf_counter() - started)


def warm_up_seconds() -> float:
    """Import the matcher's numeric libraries and read the lexicon once, so a file's time is its own."""
    started = time.perf_counter()
    import numpy  # noqa: F401 - imported to warm up before timing

    from engagements import sparse  # noqa: F401 - imported to warm up before timing
    from engagements.lexicon import domain_titles, shipped_lexicon

    shipped_lexicon()
    domain_titles()
    return time.perf_counter() - started


# -- report -----------------------------------------------------------------------------------
def print_coverage(result: Result) -> None:
    print(f"  coverage per list ({len(result.coverage.rows)} requests): covered / partial / absent")
    for s, col in zip(result.coverage.summary(), result.coverage.columns, strict=False):
        print(f"    {col.id:<40} {s.covered:>3} / {s.partial:>3} / {s.absent:>3}   ({col.pledges} pledges)")


def print_signatories(result: Result, programmes: list[Programme]) -> None:
    """Signed measures found in the signer's programme, and non-signed ones found there too."""
    entries = result.doc.get("signatories_montpellier_2026") or []
    by_name = {p.name.casefold(): p.id for p in programmes}
    named = [(e, e.get("list_name", "").casefold()) for e in entries]
    ours = [(e, by_name[key]) for e, key in named if key in by_name]
    if not ours:
        return
    print(f"  signatories ({NOTE})")
    items = [r.id for r in result.coverage.rows]
    for entry, list_id in ours:
        found = {rid: result.coverage.cell(rid, list_id).level for rid in items}
        hits = [rid for rid in items if found[rid] != "absent"]
        if "signed_item_ids" not in entry:
            what = (
                f"signed {entry['signed_count']} (no per-measure detail)"
                if entry.get("signed")
                else "did not sign / no answer"
            )
            print(f"    {list_id:<40} {what}; found {len(hits)} of {len(items)}")
            continue
        signed = [valid_id(i) for i in entry["signed_item_ids"]]
        other = [i for i in items if i not in signed]
        cov = sum(found[i] == "covered" for i in signed)
        part = sum(found[i] == "partial" for i in signed)
        extra = [i for i in other if i in hits]
        extra_cov = sum(found[i] == "covered" for i in extra)
        print(
            f"    {list_id:<40} signed {len(signed):>2}: "
            f"found {cov + part:>2} ({cov} covered, {part} partial); "
            f"not signed {len(other):>2}: found {len(extra)} ({extra_cov} covered) {','.join(extra)}".rstrip()
        )
        missed = [i for i in signed if found[i] == "absent"]
        if missed:
            print(f"    {'':<40} signed but not found: {','.join(missed)}")


def shorten(text: str, width: int = TEXT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_levels(result: Result) -> Counter[str]:
    """Suggestions per level, and the terms that most often weigh most in an explanation."""
    levels = Counter(s.level for s in result.suggestions)
    leaders = Counter(s.why[0] for s in result.suggestions if s.why)
    top = ", ".join(f"{term} ×{n}" for term, n in sorted(leaders.items(), key=lambda p: (-p[1], p[0]))[:6])
    print(f"  suggestions: {levels['covered']} covered, {levels['partial']} partial; most frequent first reason: {top}")
    return levels


def print_examples(result: Result) -> None:
    """The top suggestions of a fixed choice of requests: first, middle and last."""
    requests = result.data.requests.requests
    picks = sorted({0, len(requests) // 2, len(requests) - 1})[:EXAMPLES]
    texts = {c.id: c.text for lst in result.data.commitments.lists for c in lst.commitments}
    order = {lst.id: i for i, lst in enumerate(result.data.commitments.lists)}
    print("  examples (top suggestions of a request, all lists):")
    for i in picks:
        req = requests[i]
        print(f"    [{req.id}] {shorten(req.text, 200)}")
        found = sorted(
            (s for s in result.suggestions if s.request == req.id),
            key=lambda s: (-s.score, order[s.list], s.commitment),
        )
        if not found:
            print("      (no suggestion)")
        for s in found[:TOP]:
            print(f"      {s.score:>3} {s.level:<7} {s.list}/{s.commitment}")
            print(f"          why: {'; '.join(s.why)}")
            print(f"          « {shorten(texts[s.commitment])} »")


def print_summary(summary: list[tuple[str, Coverage]], programmes: list[Programme]) -> None:
    """One line per demands file: covered/partial/absent requests for each list."""
    width = max(len(name) for name, _c in summary)
    cols = [(p, max(len(p.name), 8)) for p in programmes]
    print("Summary: requests covered/partial/absent, per list")
    print(f"  {'demands':<{width}} {'n':>3}  " + "  ".join(f"{p.name:>{w}}" for p, w in cols))
    for name, cov in summary:
        cells = {s.list: f"{s.covered}/{s.partial}/{s.absent}" for s in cov.summary()}
        print(f"  {name:<{width}} {len(cov.rows):>3}  " + "  ".join(f"{cells[p.id]:>{w}}" for p, w in cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default: {DEFAULT_CORPUS}")
    parser.add_argument("--keep", type=Path, help="write the data directories here and keep them")
    args = parser.parse_args()
    corpus: Path = args.corpus
    demand_files = sorted(corpus.glob("demands_*.json")) if corpus.is_dir() else []
    if not demand_files or not any(corpus.glob("pledges_*.json")):
        raise SystemExit(
            f"external corpus not found: no demands_*.json and pledges_*.json in {corpus} (use --corpus PATH)"
        )

    started = time.perf_counter()
    warm_up = warm_up_seconds()
    programmes = read_programmes(corpus)
    work = args.keep or Path(tempfile.mkdtemp(prefix="engagements-external-"))
    total: Counter[str] = Counter()
    summary: list[tuple[str, Coverage]] = []
    try:
        print(f"External corpus: {corpus}")
        lists = "; ".join(f"{p.id} = « {p.name} » ({len(p.pledges)} pledges)" for p in programmes)
        print(f"Lists: {lists}")
        print(f"(one-off imports and lexicon loading: {warm_up * 1000:.0f} ms, not in the times below)")
        for path in demand_files:
            doc = json.loads(path.read_text(encoding="utf-8"))
            name = path.stem.removeprefix("demands_")
            write_directory(work / name, doc, programmes)
            result = run(name, doc, work / name)
            n_pledges = sum(len(lst.commitments) for lst in result.data.commitments.lists)
            print()
            print(
                f"== {name}: {len(result.data.requests.requests)} requests × {n_pledges} pledges, "
                f"match + coverage {result.seconds * 1000:.0f} ms"
            )
            print_coverage(result)
            print_signatories(result, programmes)
            total += print_levels(result)
            print_examples(result)
            summary.append((name, result.coverage))
        print()
        print_summary(summary, programmes)
        print(
            f"All files: {total['covered']} covered and {total['partial']} partial suggestions "
            f"({time.perf_counter() - started:.1f} s in all, loading and validation included)"
        )
        if args.keep:
            print(f"Data directories kept in {work} (e.g. engagements --data {work / name} coverage)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
