"""Property-based tests of loading and validation: nothing raises, nothing hangs, and every
diagnostic names a file and a line inside it.

Bounded for CI (a few seconds in all). For a longer run, as maintainers should after touching
the read path: `ENGAGEMENTS_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py`, or `pytest -m fuzz`
(the same properties with 2,000 examples each).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, IGNORE_STATE
from engagements import loading
from engagements.checks import check
from engagements.diagnostics import Diagnostic

EXAMPLES = int(os.environ.get("ENGAGEMENTS_FUZZ_EXAMPLES", "0"))
LONG = 2000
# Per example: a guard against a hang, far above what any example takes (milliseconds).
BOUND_SECONDS = 20


def bounded(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        derandomize=examples != LONG and not EXAMPLES,  # CI runs the same examples every time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


class Hang(Exception):
    pass


def load_within_bound(directory: Path) -> list[Diagnostic]:
    """Load and check a directory, failing if it takes more than BOUND_SECONDS."""

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"loading took more than {BOUND_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(BOUND_SECONDS)
    try:
        loaded = loading.load_directory(directory)
        return loaded.diagnostics + check(loaded)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_positioned(diagnostics: list[Diagnostic], directory: Path) -> None:
    """Every diagnostic names one of the two data files, and a line inside it."""
    for d in diagnostics:
        name = Path(d.file).name
        assert name in ("requests.yaml", "commitments.yaml"), d
        raw = (directory / name).read_bytes()
        lines = raw.count(b"\n") + 1
        assert d.line is not None and 1 <= d.line <= lines, (d, lines)
        assert d.col is None or d.col >= 1, d
        assert d.message and d.code, d


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled data that each example overwrites (sources included, for quotes)."""
    target = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA, target, ignore=IGNORE_STATE)
    return target


def write(directory: Path, name: str, content: bytes) -> None:
    for other in ("requests.yaml", "commitments.yaml"):
        (directory / other).write_bytes((DATA / other).read_bytes())
    (directory / name).write_bytes(content)


# --- arbitrary YAML documents ---------------------------------------------------------------

KEYS = st.sampled_from(
    ["requests", "lists", "id", "title", "text", "commitments", "answers", "rejects", "provenance", "line",
     "source", "sources", "date", "file", "name", "<<", "1", "note", "axes", "axis"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(["q1", "2026-02-30", "0000-01-01", "yes", "~", "*a", "&a x", "!!set", "<<", "- x", "{", "'"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
DOCUMENTS = st.one_of(
    st.dictionaries(st.sampled_from(["requests", "lists", "sources", "axes", "collective"]), VALUES, max_size=4),
    VALUES,
)


def dump(value: Any, flow: bool) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow).encode("utf-8")


def _document(workdir: Path, name: str, value: Any, flow: bool) -> None:
    write(workdir, name, dump(value, flow))
    assert_positioned(load_within_bound(workdir), workdir)


def _text(workdir: Path, name: str, text: str) -> None:
    write(workdir, name, text.encode("utf-8", "surrogatepass"))
    assert_positioned(load_within_bound(workdir), workdir)


FILES = st.sampled_from(["requests.yaml", "commitments.yaml"])


# --- random mutations of the bundled files ----------------------------------------------------

SNIPPETS = [
    b":", b": ", b"- ", b"[", b"]", b"{", b"}", b"'", b'"', b"&a ", b"*a", b"!!set ", b"!x ", b"<<: ", b"#",
    b"\t", b"\n", b"  ", b"\x07", b"\x1b[2J", b"\xff", b"\xc3", b"\x00", b"\xef\xbf\xbe", b"---\n", b"? ",
    b"|", b">", b"%", b"@", b"2026-02-30", b"true", b"~", b"id: c1\n", b"\r\n",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate-line", "truncate", "replace"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(SNIPPETS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate-line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        elif kind == "truncate":
            del data[at:]
        else:
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=3))
    return bytes(data)


def _mutation(workdir: Path, name: str, data: st.DataObject) -> None:
    content = data.draw(mutated((DATA / name).read_bytes()))
    write(workdir, name, content)
    assert_positioned(load_within_bound(workdir), workdir)


def _tests(examples: int) -> dict[str, Any]:
    """The four properties, each as a test of `examples` examples (a fresh wrapper each call)."""
    return {
        "arbitrary_yaml_documents": bounded(examples)(
            given(name=FILES, value=DOCUMENTS, flow=st.booleans())(_document)
        ),
        "arbitrary_text": bounded(examples)(given(name=FILES, text=st.text(max_size=300))(_text)),
        "mutations_of_the_bundled_files": bounded(examples)(given(name=FILES, data=st.data())(_mutation)),
    }


_CI = _tests(60)
test_arbitrary_yaml_documents = _CI["arbitrary_yaml_documents"]
test_arbitrary_text = _CI["arbitrary_text"]
test_mutations_of_the_bundled_files = _CI["mutations_of_the_bundled_files"]

_LONG = _tests(LONG)


@pytest.mark.fuzz
@pytest.mark.parametrize("name", sorted(_LONG))
def test_long_run(workdir, name):
    """`pytest -m fuzz`: each property with 2,000 examples (or ENGAGEMENTS_FUZZ_EXAMPLES), not derandomized."""
    _LONG[name](workdir)
