"""Aligning pledges to requests: an explainable lexical matcher, plus links decided by people.

How a score is made, so that a volunteer can check it:
1. each text is reduced to word stems (see `french.py`) plus the concepts of the shipped
   lexicon it mentions (see `lexicon.py`);
2. each stem or concept is weighted by TF-IDF over all the texts at hand (rare words count
   more), and a text becomes a unit vector;
3. a request's profile is its title, text and keywords, plus, when people have confirmed
   links, the pledges linked to it ("confirmed links teach the matcher");
4. the score is the cosine of pledge and profile, scaled to 0–100; the words that weigh most in
   it are the explanation.

Confirmed links (`answers:`) always count as `covered`, with source `link`; rejected links
(`rejects:`) are never suggested. The same data always gives the same result, in the same order.
All pairs are scored at once with sparse matrix products (scipy), in chunks of pledges, so
100,000 pledges against 1,000 requests stay within seconds and bounded memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .french import is_stopword, stem, words
from .lexicon import Lexicon, shipped_lexicon
from .models import CandidateList, Commitment, Dataset, Request, Source

Level = Literal["covered", "partial"]
LinkSource = Literal["link", "matcher"]

# Score thresholds (0–100), measured on the bundled data by benchmarks/match_quality.py.
COVERED = 45
PARTIAL = 15
# A general programme was not written to answer the collective: most of its pledges answer
# none of its requests, and with hundreds of pledges some faint resemblance always turns up.
# Its partial suggestions need a higher score than those of a letter answering the collective.
PARTIAL_PROGRAMME = 30
# A partial suggestion must also be close to the pledge's best one: a pledge usually answers
# one or two requests, and listing every faint resemblance would bury the right one.
RELATIVE = 0.75
# Shared words or concepts (domains aside) that a `covered` suggestion needs.
COVERED_EVIDENCE = 2
# Cosine at which the score reaches 100.
FULL_COSINE = 0.45
# Pledges closest to each request after a first pass, added to its profile (pseudo-relevance
# feedback); 0 turns it off. On the bundled data, blind F1 0.47 -> 0.58 (Aix en commun) and
# 0.45 -> 0.50 (the unnamed list); see benchmarks/match_quality.py.
FEEDBACK = 2
# Only pledges that the first pass already finds `covered` teach a request by feedback.
FEEDBACK_FLOOR = COVERED
# Weight of confirmed pledges in a request's profile, relative to the request's own text.
TEACHING_WEIGHT = 0.8
CONCEPT_PREFIX = "§"
DOMAIN_PREFIX = "¤"
# A shared domain weighs like a word said twice: questions are broad topics, pledges concrete
# measures, and the domain is often all they have in common.
DOMAIN_WEIGHT = 2
CHUNK = 2048


@dataclass(frozen=True)
class Analysis:
    """A text as the matcher sees it: weighted terms and, for each, the words that said it."""

    counts: Counter[str]
    surfaces: dict[str, str]


def analyze(text: str, lexicon: Lexicon) -> Analysis:
    """Stems of the content words, plus one token per lexicon concept found."""
    ws = words(text)
    stems = [stem(w) for w in ws]
    counts: Counter[str] = Counter()
    surfaces: dict[str, str] = {}
    for w, s in zip(ws, stems, strict=False):
        if not is_stopword(w):
            counts[s] += 1
            surfaces.setdefault(s, w.lower())
    domains: set[str] = set()
    for hit in lexicon.find(stems, ws):
        token = CONCEPT_PREFIX + hit.concept
        counts[token] += 1
        surfaces.setdefault(token, " ".join(ws[hit.start : hit.end]).lower())
        if hit.domain:
            domains.add(hit.domain)
    # A domain counts once per text: it says what the text is about, not how often.
    for domain in sorted(domains):
        counts[DOMAIN_PREFIX + domain] = DOMAIN_WEIGHT
    return Analysis(counts, surfaces)


def request_text(request: Request) -> str:
    """The text of a request the matcher reads: title, text and keywords."""
    return " \n ".join([request.title, request.text, *request.keywords])


@dataclass(frozen=True)
class Suggestion:
    """One pledge–request pair worth showing, with its score and why."""

    list: str
    commitment: str
    request: str
    score: int
    level: Level
    source: LinkSource
    why: tuple[str, ...] = ()
    by: str | None = None
    date: str | None = None

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

    def __post_init__(self) -> None:
        self.request_ids = [r.id for r in self.requests]
        self.analyses = [analyze(request_text(r), self.lexicon) for r in self.requests]
        self.taught = {rid: [analyze(t, self.lexicon) for t in texts] for rid, texts in self.teaching.items()}
        self.vocabulary: dict[str, int] = {}
        self.df: Counter[str] = Counter()
        self.n_docs = 0

    # -- weighting ---------------------------------------------------------------------------
    def fit(self, pledge_analyses: Iterable[Analysis]) -> None:
        """Document frequencies over the requests, the teaching pledges and the pledges to score."""
        docs = [*self.analyses, *(a for group in self.taught.values() for a in group), *pledge_analyses]
        for a in docs:
            self.df.update(a.counts.keys())
        self.n_docs = len(docs)
        for term in sorted(self.df):
            self.vocabulary[term] = len(self.vocabulary)

    def idf(self, term: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def weights(self, analysis: Analysis) -> dict[str, float]:
        """Unit TF-IDF vector of one text (sublinear term frequency)."""
        vec = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in analysis.counts.items() if t in self.vocabulary}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def profiles(self, feedback: dict[str, list[Analysis]] | None = None) -> list[dict[str, float]]:
        """Each request's unit profile: its own text, plus its confirmed pledges (teaching) and,
        when given, the pledges that the first pass found closest to it (feedback)."""
        out = []
        for rid, analysis in zip(self.request_ids, self.analyses, strict=True):
            own = self.weights(analysis)
            taught = [*self.taught.get(rid, []), *(feedback or {}).get(rid, [])]
            if taught:
                mixed: dict[str, float] = dict(own)
                share = TEACHING_WEIGHT / len(taught)
                for a in taught:
                    for t, v in self.weights(a).items():
                        mixed[t] = mixed.get(t, 0.0) + share * v
                norm = math.sqrt(sum(v * v for v in mixed.values())) or 1.0
                own = {t: v / norm for t, v in mixed.items()}
            out.append(own)
        return out

    # -- scoring -----------------------------------------------------------------------------
    def score_all(self, pledges: Sequence[Analysis], *, every_pair: bool = False) -> list[list[tuple[int, float]]]:
        """For each pledge, its best (request index, cosine) pair and every pair that may reach
        `partial` (see `level_of`), best first; with `every_pair`, all pairs above zero.

        Filtering happens on the sparse product with numpy, so only the pairs worth showing ever
        become Python objects: that keeps time and memory linear in the number of pledges.
        """
        import numpy as np
        from scipy import sparse

        self.fit(pledges)
        # The pledges' unit vectors as sparse chunks, built once for both passes: a dict per
        # pledge would hold about 2 KB of Python objects each, 2 GB for a million pledges.
        vectors = [
            self._matrix([self.weights(a) for a in pledges[start : start + CHUNK]], sparse, np)
            for start in range(0, len(pledges), CHUNK)
        ]
        self._profiles = self.profiles()
        if FEEDBACK and pledges:
            # Pseudo-relevance feedback: each request also learns from the few pledges that the
            # first pass found closest to it (among those whose best request it is). No label is
            # used; abstract questions meet the concrete words that pledges use for them.
            closest: dict[int, list[tuple[float, int]]] = {}
            for p, pairs in enumerate(self._score(vectors, every_pair=False)):
                # Only clear matches teach: a request that nothing answers must not drift
                # towards whatever pledge happens to be least far from it.
                if pairs and pairs[0][1] >= _cosine_of(FEEDBACK_FLOOR):
                    closest.setdefault(pairs[0][0], []).append((pairs[0][1], p))
            feedback = {
                self.request_ids[i]: [pledges[p] for _v, p in sorted(found, key=lambda x: (-x[0], x[1]))[:FEEDBACK]]
                for i, found in closest.items()
            }
            self._profiles = self.profiles(feedback)
        return self._score(vectors, every_pair=every_pair)

    def _score(self, vectors: Sequence[object], *, every_pair: bool) -> list[list[tuple[int, float]]]:
        """The sparse products of the pledge chunks (CSR matrices of `CHUNK` rows, see
        `score_all`) with the current request profiles."""
        import numpy as np
        from scipy import sparse

        r_matrix = self._matrix(self._profiles, sparse, np).T.tocsc()
        results: list[list[tuple[int, float]]] = []
        for chunk in vectors:
            product = (chunk @ r_matrix).tocsr()
            product.sum_duplicates()
            counts = np.diff(product.indptr)
            row_of = np.repeat(np.arange(product.shape[0]), counts)
            row_max = np.zeros(product.shape[0], dtype=product.data.dtype)
            np.maximum.at(row_max, row_of, product.data)
            values, best = product.data, row_max[row_of]
            if every_pair:
                keep = values > 0
            else:
                # Half a point below each threshold: `level_of` decides on the rounded scores.
                floor = np.minimum(_cosine_of(COVERED - 0.5), np.maximum(_cosine_of(PARTIAL - 0.5), RELATIVE * best))
                keep = (values > 0) & ((values >= floor) | (values == best))
            kept_rows, kept_cols, kept_vals = row_of[keep], product.indices[keep], product.data[keep]
            # Order within each row: best score first, then request order (deterministic).
            order = np.lexsort((kept_cols, -kept_vals, kept_rows))
            kept_rows, kept_cols, kept_vals = kept_rows[order], kept_cols[order], kept_vals[order]
            bounds = np.searchsorted(kept_rows, np.arange(product.shape[0] + 1))
            cols, vals = kept_cols.tolist(), kept_vals.tolist()
            for row in range(product.shape[0]):
                lo, hi = bounds[row], bounds[row + 1]
                results.append(list(zip(cols[lo:hi], vals[lo:hi], strict=False)))
        return results

    def cosine(self, pledge: Analysis, request_index: int) -> float:
        """The cosine of one pair (for confirmed links, whatever their score)."""
        pw = self.weights(pledge)
        profile = self._profiles[request_index]
        return sum(v * profile.get(t, 0.0) for t, v in pw.items())

    def _matrix(self, vectors: Sequence[dict[str, float]], sparse, np):  # type: ignore[no-untyped-def]
        rows, cols, vals = [], [], []
        for i, vec in enumerate(vectors):
            for t, v in vec.items():
                j = self.vocabulary.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(v)
        shape = (len(vectors), len(self.vocabulary))
        return sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=shape)

    def evidence(self, pledge: Analysis, request_index: int) -> int:
        """How many words and concepts (domains aside) a pledge shares with a request's profile."""
        profile = self._profiles[request_index]
        return sum(1 for t in pledge.counts if t in profile and not t.startswith(DOMAIN_PREFIX))

    def explain(self, pledge: Analysis, request_index: int, top: int = 5) -> tuple[str, ...]:
        """The shared words and concepts that weigh most in a pair's score, then the shared domains.

        A concept is shown as "words in the pledge ≈ concept" when the words differ from the
        concept's name; a domain as "[Domain title]".
        """
        from .french import fold

        pw = self.weights(pledge)
        profile = self._profiles[request_index]
        shared = sorted(((pw[t] * profile[t], t) for t in pw if t in profile), key=lambda p: (-p[0], p[1]))
        terms = [t for _w, t in shared if not t.startswith(DOMAIN_PREFIX)]
        domains = [t for _w, t in shared if t.startswith(DOMAIN_PREFIX)]
        out: list[str] = []
        for term in terms:
            surface = pledge.surfaces.get(term, term)
            if term.startswith(CONCEPT_PREFIX):
                concept = term[len(CONCEPT_PREFIX) :]
                label = surface if fold(surface).replace(" ", "-") == concept else f"{surface} ≈ {concept}"
            else:
                label = surface
            if label not in out:
                out.append(label)
        out = out[:top]
        if domains:
            from .lexicon import domain_titles

            titles = domain_titles()
            out.extend(f"[{titles.get(d[len(DOMAIN_PREFIX) :], d[len(DOMAIN_PREFIX) :])}]" for d in domains[:2])
        return tuple(out)


def _cosine_of(score: float) -> float:
    return score * FULL_COSINE / 100


def to_score(cosine: float) -> int:
    """Cosine to a 0–100 score."""
    return max(0, min(100, round(100 * cosine / FULL_COSINE)))


def level_of(score: int, best: int, evidence: int = COVERED_EVIDENCE, partial: int = PARTIAL) -> Level | None:
    """covered, partial, or None (not worth suggesting).

    `evidence` is the number of words and lexicon concepts the pair shares (domains aside):
    one shared word, however rare, can say `partial` but never `covered`, and a shared domain
    alone says nothing. `partial` is the floor for a partial suggestion (higher for programmes).
    """
    if evidence < 1:
        return None
    if score >= COVERED and evidence >= COVERED_EVIDENCE:
        return "covered"
    if score >= partial and score >= RELATIVE * best:
        return "partial"
    return None


def partial_floor(candidate_list: CandidateList, sources: dict[str, Source]) -> int:
    """The score a partial suggestion needs for a list: higher when its sources are general
    programmes than when it answered the collective (or when nothing says which)."""
    from .tables import answered_collective

    if answered_collective(candidate_list.sources, sources) or not candidate_list.sources:
        return PARTIAL
    return PARTIAL_PROGRAMME


def teaching_texts(data: Dataset, exclude_lists: Iterable[str] = ()) -> dict[str, list[str]]:
    """The texts of confirmed pledges, per request, that teach the request's profile."""
    skip = set(exclude_lists)
    out: dict[str, list[str]] = {}
    for lst in data.commitments.lists:
        if lst.id in skip:
            continue
        for c in lst.commitments:
            for link in c.answers:
                out.setdefault(link.request, []).append(c.text)
    return out


def match(
    data: Dataset,
    *,
    use_links: bool = True,
    lists: Sequence[str] | None = None,
    requests: Sequence[str] | None = None,
    min_score: int = 0,
    lexicon: Lexicon | None = None,
) -> list[Suggestion]:
    """Every link and suggestion at `partial` or above, in data order (list, pledge, best score first).

    With `use_links=False`, confirmed and rejected links are ignored and nothing is taught:
    what the matcher alone finds.
    """
    lexicon = lexicon or shipped_lexicon()
    all_requests = data.requests.requests
    teach = teaching_texts(data) if use_links else {}
    matcher = Matcher(all_requests, lexicon, teach)
    wanted_lists = set(lists) if lists else None
    wanted_requests = set(requests) if requests else None
    sources = {src.id: src for src in data.commitments.sources}
    floors = {lst.id: partial_floor(lst, sources) for lst in data.commitments.lists}
    pledges: list[tuple[str, Commitment]] = [
        (lst.id, c)
        for lst in data.commitments.lists
        if wanted_lists is None or lst.id in wanted_lists
        for c in lst.commitments
    ]
    analyses = [analyze(c.text, lexicon) for _l, c in pledges]
    scored = matcher.score_all(analyses)
    index = {rid: i for i, rid in enumerate(matcher.request_ids)}
    out: list[Suggestion] = []
    for (list_id, c), analysis, pairs in zip(pledges, analyses, scored, strict=False):
        scores = {matcher.request_ids[i]: to_score(v) for i, v in pairs}
        best = max(scores.values(), default=0)
        linked = {link.request: link for link in c.answers} if use_links else {}
        rejected = {link.request for link in c.rejects} if use_links else set()
        rows: list[Suggestion] = []
        for rid, link in linked.items():
            score = (
                scores[rid] if rid in scores else to_score(matcher.cosine(analysis, index[rid])) if rid in index else 0
            )
            rows.append(
                Suggestion(
                    list_id,
                    c.id,
                    rid,
                    score,
                    "covered",
                    "link",
                    matcher.explain(analysis, index[rid]) if rid in index else (),
                    link.by,
                    link.date.isoformat() if link.date else None,
                )
            )
        for i, _cos in pairs:
            rid = matcher.request_ids[i]
            if rid in linked or rid in rejected:
                continue
            level = level_of(scores[rid], best, matcher.evidence(analysis, i), floors[list_id])
            if level is None:
                continue
            rows.append(Suggestion(list_id, c.id, rid, scores[rid], level, "matcher", matcher.explain(analysis, i)))
        rows.sort(key=lambda s: (s.source != "link", -s.score, index.get(s.request, 0)))
        out.extend(
            s
            for s in rows
            if (wanted_requests is None or s.request in wanted_requests)
            and (s.source == "link" or s.score >= min_score)
        )
    return out
