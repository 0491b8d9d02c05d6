"""fmt --check shows the diff it would apply; fmt puts multi-line texts on one line (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

LINE = '        text: "Renforcer ou créer dans tous les quartiers de vraies centralités."\n'


def first_text(path: Path) -> str:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data["lists"][0]["commitments"][0]["text"]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        # A literal block: its line break is part of the value.
        (
            "        text: |\n          Renforcer ou créer dans tous les quartiers\n          de vraies centralités.\n",
            "Renforcer ou créer dans tous les quartiers\nde vraies centralités.\n",
        ),
        # A folded block, then texts folded by hand over two lines: one line of words.
        (
            "        text: >-\n          Renforcer ou créer dans tous les quartiers\n          de vraies centralités.\n",
            "Renforcer ou créer dans tous les quartiers de vraies centralités.",
        ),
        (
            "        text: Renforcer ou créer dans tous les quartiers\n          de vraies centralités.\n",
            "Renforcer ou créer dans tous les quartiers de vraies centralités.",
        ),
        (
            '        text: "Renforcer ou créer dans tous les quartiers\n          de vraies centralités."\n',
            "Renforcer ou créer dans tous les quartiers de vraies centralités.",
        ),
    ],
)
def test_fmt_puts_a_multi_line_text_on_one_line_with_the_same_value(cli, data_copy, written, value):
    path = data_copy / "commitments.yaml"
    canonical = path.read_text(encoding="utf-8")
    assert canonical.count(LINE) == 1
    path.write_text(canonical.replace(LINE, written), encoding="utf-8")
    assert first_text(path) == value
    edited = path.read_bytes()

    check = cli("--data", str(data_copy), "fmt", "--check")
    assert check.exit_code == 1
    assert check.stderr == "data/commitments.yaml: erreur: pas en forme canonique : lancez « engagements fmt »\n"
    assert path.read_bytes() == edited  # --check writes nothing

    result = cli("--data", str(data_copy), "fmt")
    assert (result.exit_code, result.stderr) == (0, "reformaté : data/commitments.yaml\n")
    formatted = path.read_text(encoding="utf-8")
    assert first_text(path) == value
    # One line, and nothing else moved.
    (line,) = [x for x in formatted.splitlines(keepends=True) if "Renforcer ou créer" in x]
    assert line.startswith("        text: ") and "de vraies centralités" in line
    assert formatted.replace(line, LINE) == canonical
    # The diff --check showed is what fmt applied.
    old, new = edited.decode("utf-8").splitlines(keepends=True), formatted.splitlines(keepends=True)
    removed = [x[1:] for x in check.stdout.splitlines(keepends=True) if x.startswith("-") and not x.startswith("---")]
    added = [x[1:] for x in check.stdout.splitlines(keepends=True) if x.startswith("+") and not x.startswith("+++")]
    assert removed == [x for x in old if x not in new] and added == [line]
    assert cli("--data", str(data_copy), "fmt", "--check").exit_code == 0
    assert cli("--data", str(data_copy), "validate").exit_code == 0


def test_fmt_check_prints_a_unified_diff_with_names_relative_to_the_data(cli, data_copy):
    path = data_copy / "commitments.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(LINE, "        text: |\n          a\n          b\n"), "utf-8"
    )
    requests = data_copy / "requests.yaml"
    requests.write_text(requests.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # no schema line

    result = cli("--data", str(data_copy), "fmt", "--check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == ["--- requests.yaml", "+++ requests.yaml"]
    assert lines[2].startswith("@@ -1,") and lines[3].startswith("+# yaml-language-server: $schema=")
    start = lines.index("--- commitments.yaml")
    assert lines[start + 1] == "+++ commitments.yaml" and lines[start + 2].startswith("@@ ")
    assert "-        text: |" in lines and '+        text: "a\\nb\\n"' in lines
    assert sorted(result.stderr.splitlines()) == [
        "data/commitments.yaml: erreur: pas en forme canonique : lancez « engagements fmt »",
        "data/requests.yaml: erreur: pas en forme canonique : lancez « engagements fmt »",
    ]


def test_fmt_check_prints_nothing_on_canonical_files(cli, data_copy):
    result = cli("--data", str(data_copy), "fmt", "--check")
    assert (result.exit_code, result.stdout) == (0, "")
