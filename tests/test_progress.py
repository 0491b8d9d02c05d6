"""Long operations tell their progress: the core through an optional (done, total) callback,
the CLI as a Rich bar on stderr, only on a terminal; piped output is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engagements import importer
from engagements.loading import load_directory
from engagements.matching import match, rank
from engagements.models import CandidateList, Commitment, Dataset, Provenance
from test_review import Terminal

ROOT = Path(__file__).resolve().parents[1]
N_PLEDGES = 3000  # above the CLI's PROGRESS_MIN_TOTAL (2,000), and more than one CHUNK (2,048)


def _texts(n: int) -> list[str]:
    """`n` pledge texts: the bundled pledges' own, over and over (their sentence vectors ship
    with the package, so nothing is encoded and the tests stay fast)."""
    data = load_directory(ROOT / "data").dataset
    assert data is not None
    texts = [c.text for lst in data.commitments.lists for c in lst.commitments]
    return [texts[i % len(texts)] for i in range(n)]


@pytest.fixture(scope="module")
def big() -> Dataset:
    """The bundled data with two generated lists: 2,500 and 500 pledges."""
    data = load_directory(ROOT / "data").dataset
    assert data is not None
    source = data.commitments.sources[0].id
    texts = _texts(N_PLEDGES)
    lists = list(data.commitments.lists)
    for name, part in (("gen-a", texts[:2500]), ("gen-b", texts[2500:])):
        commitments = [
            Commitment(id=f"{name}-{i:05d}", text=t, provenance=Provenance(source=source)) for i, t in enumerate(part)
        ]
        lists.append(CandidateList(id=name, name=name, sources=[source], commitments=commitments))
    return data.model_copy(update={"commitments": data.commitments.model_copy(update={"lists": lists})})


def _check_counts(calls: list[tuple[int, int]], total: int) -> None:
    assert calls, "the callback was never called"
    assert all(t == total for _d, t in calls)
    done = [d for d, _t in calls]
    assert done == sorted(done), "counts go down"
    assert all(0 <= d <= total for d in done)
    assert done[-1] == total


def test_match_reports_every_pledge_in_order(big: Dataset, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path))  # every list scored, none read
    calls: list[tuple[int, int]] = []
    total = sum(len(lst.commitments) for lst in big.commitments.lists)
    told = match(big, progress=lambda d, t: calls.append((d, t)))
    _check_counts(calls, total)
    # Within the 2,500-pledge list, the chunks of the last pass are told (not only the list's end).
    assert len({d for d, _t in calls}) > len(big.commitments.lists)
    # The callback changes nothing in the result.
    assert [s.as_dict() for s in told] == [s.as_dict() for s in match(big)]


def test_lists_read_from_the_cache_count_as_done(big: Dataset, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path))
    match(big)
    edited = big.model_copy(deep=True)
    edited.commitments.lists[-1].commitments.pop()  # that list alone is scored again
    calls: list[tuple[int, int]] = []
    match(edited, progress=lambda d, t: calls.append((d, t)))
    total = sum(len(lst.commitments) for lst in edited.commitments.lists)
    _check_counts(calls, total)
    assert calls[0] == (total - len(edited.commitments.lists[-1].commitments), total)


def test_rank_and_a_subset_of_lists_count_only_their_pledges(big: Dataset) -> None:
    calls: list[tuple[int, int]] = []
    rank(big, top=1, lists=["gen-b"], progress=lambda d, t: calls.append((d, t)))
    _check_counts(calls, 500)


def test_import_reports_lines_read() -> None:
    lines = [f"- Engager la mesure numéro {i} pour les familles." for i in range(4500)]
    text = "\n".join(lines)
    calls: list[tuple[int, int]] = []
    imported = importer.build_import(
        text, list_id="l", source_id="s", origin="x.txt", progress=lambda d, t: calls.append((d, t))
    )
    _check_counts(calls, 4500)
    assert [d for d, _t in calls] == [1000, 2000, 3000, 4000, 4500]
    plain = importer.build_import(text, list_id="l", source_id="s", origin="x.txt")
    assert imported == plain


def _write_big_data(folder: Path) -> Path:
    """A data folder of N_PLEDGES generated pledges against the bundled requests."""
    folder.mkdir()
    (folder / "requests.yaml").write_bytes((ROOT / "data" / "requests.yaml").read_bytes())
    out = ["sources:", "  - id: gen", '    title: "Généré"', "lists:", "  - id: gen", '    name: "Générée"']
    out += ["    sources: [gen]", "    commitments:"]
    for i, text in enumerate(_texts(N_PLEDGES)):
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        out += [f"      - id: gen-{i:05d}", f'        text: "{quoted}"', "        provenance:", "          source: gen"]
    (folder / "commitments.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_big_data(tmp_path_factory.mktemp("progress") / "data")


def _run(args: list[str], cache: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "engagements", *args],
        capture_output=True,
        env={**os.environ, "ENGAGEMENTS_CACHE_DIR": str(cache), "LANG": "C.UTF-8", **env},
        timeout=120,
    )


PROGRESS_MARKS = ("Appariement", "Matching pledges", "━", "\x1b[?25l", "\r")


def test_piped_output_has_no_progress_bar(big_folder: Path, tmp_path: Path) -> None:
    args = ["--data", str(big_folder), "gaps", "--format", "json"]
    first = _run(args, tmp_path / "c1")
    assert first.returncode == 0, first.stderr.decode()
    for mark in PROGRESS_MARKS:
        assert mark.encode() not in first.stdout
        assert mark.encode() not in first.stderr
    # Byte-identical to a run that never computes (the cached result).
    again = _run(args, tmp_path / "c1")
    assert again.stdout == first.stdout


def test_terminal_shows_the_bar_label_on_stderr(big_folder: Path, tmp_path: Path) -> None:
    term = Terminal(["--data", str(big_folder), "gaps"], tmp_path / "cache")
    term.expect("Appariement des engagements", timeout=90)
    assert term.wait() == 0


def test_bar_on_stderr_leaves_redirected_stdout_byte_identical(big_folder: Path, tmp_path: Path) -> None:
    """`engagements gaps --format json > out.json` at a terminal: the bar is on the terminal
    (stderr), the file holds exactly what a fully piped run writes."""
    args = ["--data", str(big_folder), "gaps", "--format", "json"]
    piped = _run(args, tmp_path / "c1")
    master, slave = os.openpty()
    target = tmp_path / "out.json"
    with target.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "engagements", *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=slave,
            env={**os.environ, "ENGAGEMENTS_CACHE_DIR": str(tmp_path / "c2"), "LANG": "C.UTF-8", "COLUMNS": "100"},
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=120) == 0
    os.close(master)
    assert b"Appariement des engagements" in seen
    assert target.read_bytes() == piped.stdout


def test_terminal_in_english_and_none_under_no_color_or_dumb_term(
    big_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    term = Terminal(
        ["--data", str(big_folder), "--lang", "en", "match", "--top", "1", "--format", "json"], tmp_path / "c"
    )
    term.expect("Matching pledges", timeout=90)
    assert term.wait() == 0
    for name, value in (("NO_COLOR", "1"), ("TERM", "dumb")):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            quiet = Terminal(["--data", str(big_folder), "coverage", "--format", "json"], tmp_path / f"c-{name}")
            assert quiet.wait() == 0
            assert "Appariement" not in quiet.output
            assert "━" not in quiet.output


def test_import_of_a_large_file_shows_the_bar_on_a_terminal(tmp_path: Path) -> None:
    letter = tmp_path / "lettre.txt"
    letter.write_text(
        "\n".join(f"- Engager la mesure numéro {i} pour les familles." for i in range(3000)) + "\n", encoding="utf-8"
    )
    term = Terminal(["import", str(letter), "--list", "gen"], tmp_path / "cache")
    term.expect("id: gen-", timeout=60)  # the draft
    assert term.wait() == 0
    bars = [
        line
        for line in term.output.replace("\r", "\n").split("\n")
        if line.removeprefix("\x1b[2K").startswith("Import ")
    ]
    assert bars and "━" in bars[-1]
    piped = _run(["import", str(letter), "--list", "gen"], tmp_path / "c2")
    assert piped.returncode == 0
    assert b"\xe2\x94\x81" not in piped.stdout + piped.stderr  # no bar ("━")
