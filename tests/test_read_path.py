"""The read path: libyaml and its pure-Python fallback, positions, bounded reads, hostile values."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broken_corpus import CASES, COM, REQ
from conftest import DATA, IGNORE_STATE, ROOT
from engagements import cache, loading
from engagements.checks import check
from engagements.reading import HARD_MAX_MB, ReadRefused, max_bytes, read_bounded


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    """A read that blocks (on a FIFO, say) fails its test instead of hanging the suite."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("blocked for more than 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def minimal(tmp_path: Path, requests: str | bytes = REQ, commitments: str | bytes = COM) -> Path:
    d = tmp_path / "d"
    d.mkdir(exist_ok=True)
    for name, content in (("requests.yaml", requests), ("commitments.yaml", commitments)):
        (d / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return d


# --- the same data and positions as ruamel.yaml's round trip (the old read path, the write path)


def _round_trip_positions(document: Any) -> dict[tuple[tuple[str | int, ...], bool], tuple[int, int]]:
    """Every node's position as ruamel.yaml records it (`lc`), by path and key-or-value."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    found: dict[tuple[tuple[str | int, ...], bool], tuple[int, int]] = {}

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                key_line, key_col = node.lc.key(key)
                value_line, value_col = node.lc.value(key)
                found[((*path, str(key)), True)] = (key_line + 1, key_col + 1)
                found[((*path, str(key)), False)] = (value_line + 1, value_col + 1)
                walk(value, (*path, str(key)))
        elif isinstance(node, CommentedSeq):
            for i, value in enumerate(node):
                line, col = node.lc.item(i)
                found[((*path, i), False)] = (line + 1, col + 1)
                walk(value, (*path, i))

    walk(document, ())
    return found


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or type(node).__name__ == "ScalarBoolean":
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


@pytest.mark.parametrize("name", ["requests.yaml", "commitments.yaml"])
def test_bundled_files_read_as_the_round_trip_parser_reads_them(name):
    from ruamel.yaml import YAML

    parsed = loading.parse_yaml(DATA / name)
    assert parsed.diagnostics == []
    document = YAML(typ="rt").load((DATA / name).read_text(encoding="utf-8"))
    assert parsed.data == _plain(document)
    expected = _round_trip_positions(document)
    assert len(expected) > 500
    for (path, key), position in expected.items():
        assert parsed.position(path, key=key) == position, (path, key)


def test_scalars_resolve_as_in_yaml_1_2_like_the_round_trip_parser():
    from ruamel.yaml import YAML

    text = (
        "a: yes\nb: on\nc: no\nd: true\ne: False\nf: 010\ng: 0o17\nh: 0x1F\ni: 1_000\nj: 1.5\nk: .inf\n"
        "l: -.INF\nm: ~\nn: null\no:\np: 2026-03-08\nq: 2026-3-8\nr: '2026-03-08'\ns: 1e3\nt: +12\n"
        "u: 0b101\nv: 12:30\nw: Null\nx: TRUE\ny: .5\nz: '010'\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scalars.yaml"
        path.write_text(text, encoding="utf-8")
        ours = loading.parse_yaml(path)
    theirs = _plain(YAML(typ="rt").load(text))
    assert ours.data == theirs
    assert ours.data["a"] == "yes" and ours.data["f"] == 10 and ours.data["p"] == dt.date(2026, 3, 8)
    assert ours.data["q"] == "2026-3-8" and ours.data["v"] == "12:30"


# --- libyaml and the pure-Python fallback ----------------------------------------------------


def test_libyaml_is_used_when_installed():
    pytest.importorskip("yaml.cyaml")
    assert loading.c_parser_available()
    assert type(loading._events("a: 1\n", pure=False)).__name__ == "CSafeLoader"
    assert type(loading._events("a: 1\n", pure=True)).__name__ == "SafeLoader"


def test_without_libyaml_the_pure_python_parser_gives_the_same_results(cli, monkeypatch, tmp_path):
    import yaml

    c_result = cli("--data", str(DATA), "validate", "--format", "json")
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert not loading.c_parser_available()
    pure_result = cli("--data", str(DATA), "validate", "--format", "json")
    assert c_result.exit_code == pure_result.exit_code == 0
    assert c_result.stdout == pure_result.stdout == "[]\n"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_both_parsers_agree_on_every_broken_input(tmp_path, monkeypatch, case):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    case.build(tmp_path / "d")
    results = []
    for pure in ("", "1"):
        monkeypatch.setenv("ENGAGEMENTS_PURE_YAML", pure)
        loaded = loading.load_directory(tmp_path / "d")
        results.append((loaded.diagnostics + check(loaded), loaded.dataset))
    assert results[0] == results[1]


def test_round_trip_document_is_parsed_on_demand_for_writes():
    from ruamel.yaml.comments import CommentedMap

    parsed = loading.parse_yaml(DATA / "requests.yaml")
    assert isinstance(parsed.document, CommentedMap)
    assert parsed.document["requests"][0]["id"] == parsed.data["requests"][0]["id"]


# --- hostile values: each of these crashed or passed silently before -------------------------


def test_a_valid_str_tag_is_accepted_and_other_tags_are_not(cli, tmp_path):
    d = minimal(tmp_path, requests=REQ.replace("text: Du", "text: !!str Du"))
    assert cli("--data", str(d), "validate").exit_code == 0
    d = minimal(tmp_path, requests=REQ + "    keywords: !!set {a, b}\n")
    result = cli("--data", str(d), "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "d/requests.yaml:5:15: erreur: étiquette YAML « !!set » non acceptée : retirez-la"
    ]


def test_a_str_tag_makes_a_number_a_date_or_a_boolean_a_text(tmp_path):
    # What `!!str` is for: without it these would be refused (wrong type, impossible date).
    requests = "requests:\n  - id: q1\n    title: !!str true\n    text: !!str 2026-02-30\n    keywords: [!!str 12]\n"
    loaded = loading.load_directory(minimal(tmp_path, requests=requests))
    assert loaded.diagnostics == []
    (request,) = loaded.dataset.requests.requests
    assert (request.title, request.text, request.keywords) == ("true", "2026-02-30", ["12"])


def test_merge_key_does_not_let_an_alias_through(tmp_path):
    commitments = COM + "      - &p {id: c2, text: t}\n      - <<: *p\n        id: c3\n"
    loaded = loading.load_directory(minimal(tmp_path, commitments=commitments))
    assert [(d.line, d.code) for d in loaded.diagnostics] == [(9, "merge-key")]
    assert loaded.dataset is None


def test_impossible_dates_are_one_diagnostic_each_not_a_crash(cli, tmp_path):
    commitments = "sources:\n  - id: s\n    title: t\n    date: 2026-02-30\n" + COM.replace(
        "[q1]", "[{request: q1, date: 2026-13-45}]"
    )
    d = minimal(tmp_path, commitments=commitments)
    for command in (["validate"], ["coverage"], ["show", "q1"], ["match"], ["gaps"]):
        result = cli("--data", str(d), *command)
        assert result.exit_code == 1, (command, result)
        assert result.stderr.splitlines() == [
            "d/commitments.yaml:4:11: erreur: date impossible « 2026-02-30 » : ce jour n’existe pas "
            "(attendu AAAA-MM-JJ ; mettez-la entre guillemets si c’est un texte)",
            "d/commitments.yaml:11:39: erreur: date impossible « 2026-13-45 » : ce jour n’existe pas "
            "(attendu AAAA-MM-JJ ; mettez-la entre guillemets si c’est un texte)",
        ]


def test_line_true_is_not_line_one(tmp_path):
    commitments = "sources:\n  - id: s\n    title: t\n" + COM + "        provenance: {source: s, line: true}\n"
    loaded = loading.load_directory(minimal(tmp_path, commitments=commitments))
    assert [(d.line, d.col, d.message) for d in loaded.diagnostics] == [(11, 39, "« line » doit être un nombre entier")]


def test_duplicate_key_hint_names_the_first_occurrence_not_the_mapping(tmp_path):
    requests = "requests:\n  - id: q1\n    title: Logement\n    text: Du\n    title: Encore\n"
    loaded = loading.load_directory(minimal(tmp_path, requests=requests))
    assert [d.message for d in loaded.diagnostics] == [
        "clé en double « title » (déjà définie ligne 3) : chaque clé ne doit apparaître qu’une fois"
    ]


@pytest.mark.parametrize(
    ("char", "col", "code"), [("\x07", 16, "0007"), ("\x1b", 16, "001B"), ("\ufffe", 16, "FFFE"), ("\x7f", 16, "007F")]
)
def test_control_characters_have_a_line_a_column_and_a_french_message(tmp_path, char, col, code):
    d = minimal(tmp_path, requests=REQ.replace("Logement", f"Loge{char}ment"))
    loaded = loading.load_directory(d)
    assert [(x.line, x.col, x.message) for x in loaded.diagnostics] == [
        (3, col, f"caractère invisible ou de contrôle U+{code} interdit en YAML : supprimez-le")
    ]


def test_unclosed_double_quote_is_shown_at_the_quote(tmp_path):
    requests = 'requests:\n  - id: q1\n    title: "Logement\n    text: Du\n  - id: q2\n    title: b\n    text: c\n'
    loaded = loading.load_directory(minimal(tmp_path, requests=requests))
    assert [(d.line, d.col, d.message) for d in loaded.diagnostics] == [
        (3, 12, "guillemet jamais refermé (lecture arrêtée ligne 8)")
    ]


def test_a_bracket_left_open_at_the_end_is_shown_at_the_bracket(tmp_path):
    # The parser says "a value was expected" where the file ends, lines after the culprit.
    loaded = loading.load_directory(minimal(tmp_path, requests="requests: [a,\n  b,\n"))
    assert [(d.line, d.col, d.message) for d in loaded.diagnostics] == [
        (1, 11, "crochet « [ » jamais refermé (lecture arrêtée ligne 3) : ajoutez « ] »")
    ]


def test_unsafe_source_path_is_reported_once(tmp_path):
    pledges = "".join(f"      - id: c{i}\n        text: t\n        provenance: {{source: s}}\n" for i in range(2, 40))
    commitments = "sources:\n  - id: s\n    title: t\n    file: ../../etc/passwd\n" + COM + pledges
    loaded = loading.load_directory(minimal(tmp_path, commitments=commitments))
    assert [(d.line, d.code) for d in check(loaded)] == [(4, "unsafe-path")]


# --- bounded reads -----------------------------------------------------------------------------


def test_read_bounded_refuses_special_and_oversized_files_without_reading_them(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ReadRefused) as refused:
        read_bounded(fifo)  # no writer: a plain read would block forever
    assert refused.value.code == "not-a-file"
    with pytest.raises(ReadRefused) as refused:
        read_bounded(Path("/dev/zero"))  # a plain read would never end
    assert refused.value.code == "not-a-file"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(ReadRefused) as refused:
        read_bounded(big, limit=1000)
    assert refused.value.code == "too-large"
    assert read_bounded(big, limit=1001) == b"x" * 1001


def test_a_special_file_is_not_even_opened(tmp_path, monkeypatch):
    # Opening has effects of its own on some devices (a terminal, a tape): stat comes first.
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    for path in (Path("/dev/zero"), Path("/dev/null"), fifo):
        with pytest.raises(ReadRefused) as refused:
            read_bounded(path)
        assert refused.value.code == "not-a-file"
    assert opened == []


def test_a_file_swapped_for_a_fifo_after_its_check_is_refused_on_the_open_descriptor(tmp_path, monkeypatch):
    from engagements import reading

    path = tmp_path / "commitments.yaml"
    path.write_text(COM, encoding="utf-8")
    real_check = reading.check_file

    def check_then_swap(checked: Path, limit: int | None = None) -> int:
        size = real_check(checked, limit)
        checked.unlink()  # what a hostile process could do between the check and the open
        os.mkfifo(checked)
        return size

    monkeypatch.setattr(reading, "check_file", check_then_swap)
    with pytest.raises(ReadRefused) as refused:
        read_bounded(path)  # a read of the FIFO opened without O_NONBLOCK would block
    assert refused.value.code == "not-a-file"


def test_the_cache_key_does_not_read_a_fifo_or_a_device(tmp_path):
    d = shutil.copytree(DATA, tmp_path / "data", ignore=IGNORE_STATE)
    (d / "commitments.yaml").unlink()
    os.mkfifo(d / "commitments.yaml")
    assert cache.data_key(d, "dataset") is None
    (d / "commitments.yaml").unlink()
    (d / "commitments.yaml").symlink_to("/dev/zero")
    assert cache.data_key(d, "dataset") is None


@pytest.mark.parametrize("kind", ["dataset", "findings"])
def test_a_cache_entry_of_the_wrong_shape_is_ignored_and_rebuilt(cli, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    d = shutil.copytree(DATA, tmp_path / "data", ignore=IGNORE_STATE)
    command = ["coverage"] if kind == "findings" else ["show", "q1"]
    first = cli("--data", str(d), *command)
    assert first.exit_code == 0
    entries = list((tmp_path / "cache").glob(f"{kind}-*.json"))  # ENGAGEMENTS_CACHE_DIR is the folder itself
    assert len(entries) == 1
    entries[0].write_text(json.dumps({"requests": "pas une liste", "x": [1]}), encoding="utf-8")
    again = cli("--data", str(d), *command)
    assert again.exit_code == 0, again
    assert again.stdout == first.stdout
    assert cache.read(kind, entries[0].name[len(kind) + 1 : -len(".json")]) is not None  # rebuilt


@pytest.mark.parametrize(
    ("value", "limit_mb"),
    [("inf", HARD_MAX_MB), ("1e9", HARD_MAX_MB), ("nan", 32), ("-1", 32), ("0", 32), ("x", 32), ("4", 4)],
)
def test_any_max_file_mb_value_is_handled(cli, monkeypatch, value, limit_mb):
    monkeypatch.setenv("ENGAGEMENTS_MAX_FILE_MB", value)
    assert max_bytes() == int(limit_mb * 1024 * 1024)
    assert cli("--data", str(DATA), "validate").exit_code == 0


def test_an_ignored_max_file_mb_value_is_named_when_a_file_is_too_large(tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_MAX_FILE_MB", "beaucoup")
    d = minimal(tmp_path)
    with (d / "commitments.yaml").open("ab") as handle:
        handle.truncate(33 * 1024 * 1024)  # sparse: no 33 MB written
    (diagnostic,) = loading.load_directory(d).diagnostics
    assert diagnostic.code == "too-large"
    assert diagnostic.message.endswith(" (valeur 'beaucoup' ignorée : un nombre de Mo positif est attendu)")


def test_an_unreadable_data_file_is_a_diagnostic(tmp_path):
    d = minimal(tmp_path)
    os.chmod(d / "commitments.yaml", 0)
    env = {**os.environ, "ENGAGEMENTS_NO_CACHE": "1", "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "engagements", "--data", str(d), "validate"]
    preexec = None
    if os.geteuid() == 0:  # root reads anything: run it without the capabilities that let it
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)

        def preexec() -> None:
            for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
                if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                    raise OSError(ctypes.get_errno(), "prctl")

    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, preexec_fn=preexec, timeout=60)
    except subprocess.SubprocessError as exc:  # capabilities cannot be dropped here
        pytest.skip(f"cannot make a file unreadable for root: {exc}")
    assert result.returncode == 1, result
    assert result.stderr == f"{d}/commitments.yaml: erreur: fichier illisible : permission refusée\n"


def test_an_unreadable_data_file_is_a_diagnostic_even_as_root(cli, tmp_path, monkeypatch):
    # The test above needs capabilities that CI containers may not let root drop (it is then
    # skipped): here the refusal the kernel gives a non-root reader is simulated at os.open.
    minimal(tmp_path)  # d/, the cli runs in tmp_path
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("commitments.yaml"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    for command in (["validate"], ["coverage"], ["show", "q1"], ["lists"]):
        result = cli("--data", "d", *command)
        assert result.exit_code == 1, (command, result)
        assert result.stderr == "d/commitments.yaml: erreur: fichier illisible : permission refusée\n", command


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\r"])
def test_lines_are_counted_as_editors_count_them(tmp_path, separator):
    # YAML breaks lines at NEL, LS, PS and a lone CR too; a person looks for the LF-separated line.
    requests = REQ.replace("Logement", f'"Loge{separator}ment"') + "    titel: x\n"
    loaded = loading.load_directory(minimal(tmp_path, requests=requests))
    assert [(d.line, d.col, d.code) for d in loaded.diagnostics] == [(5, 5, "unknown-field")]


def test_a_syntax_error_is_libyamls_own_not_the_stricter_fallbacks(tmp_path):
    # PyYAML's pure-Python parser refuses a trailing tab that YAML (and libyaml) allow: the
    # wording of the real error may come from it, but not a complaint libyaml did not make.
    pytest.importorskip("yaml.cyaml")
    path = tmp_path / "requests.yaml"
    path.write_text("requests:\n  - id: q1\t\n    title: t\n    text: [a\n  - b\n", encoding="utf-8")
    diagnostics = loading.parse_yaml(path, pure=False).diagnostics
    assert [(d.line, d.col, d.code) for d in diagnostics] == [(4, 11, "syntax")]  # the unclosed bracket
    assert "[" in diagnostics[0].message and "ligne 6" in diagnostics[0].message
