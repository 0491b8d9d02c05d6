"""Every broken input of `broken_corpus.py`: its exact diagnostics, and no command crashes on it."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator

import pytest

from broken_corpus import CASES, Case

# A command that hangs (on a FIFO, say) fails the test instead of blocking the suite.
TIME_LIMIT = 20


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"more than {TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_input(cli, tmp_path, monkeypatch, case: Case):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    case.build(tmp_path / "d")
    result = cli("--data", "d", "validate", "--format", "json")
    assert result.exit_code == case.run, result
    found = [(d["file"], d["line"], d["col"], d["code"]) for d in json.loads(result.stdout)]
    assert found == [(f"d/{file}", line, col, code) for file, line, col, code in case.expect]
    for command in (["coverage"], ["show", "q1"]):
        other = cli("--data", "d", *command)
        assert other.exit_code == case.run, (command, other)


# The other ways commands read data: a write command (the editing path), two data folders at
# once (diff), an export. Issue 11's done criterion: no command exits 70 on any input here.
OTHER_READERS = (["link", "c1", "q1"], ["diff", "d", "d"], ["export", "-f", "json", "-o", "-"])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_input_stops_the_other_readers_too(cli, tmp_path, monkeypatch, case: Case):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    case.build(tmp_path / "d")
    for command in OTHER_READERS:
        result = cli("--data", "d", *command)
        assert result.exit_code == case.run, (command, result)
        if case.run:
            assert "d/" in result.stderr and "Traceback" not in result.stderr, (command, result)
