"""No raw control sequence from the data ever reaches a terminal (issue 11).

A hostile data set carries ESC sequences (OSC 0 window title, CSI 2J clear screen, OSC 8 hidden
hyperlink, colours), a C1 CSI and bidi overrides in a list name, a request title and a pledge
(with its source, so the data stays valid). Every command that prints data must show them as
visible escapes, on stdout and stderr.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rich.table import Table as RichTable
from rich.text import Text

from conftest import DATA, IGNORE_STATE, ROOT
from engagements import safety
from engagements.terminal import SafeConsole

# As YAML double-quoted escapes, and as the characters they stand for.
PAYLOAD_YAML = r"\e]0;pwned\a\e[2J\e]8;;http://evil.example\e\\clic\e]8;;\e\\\e[31m\u202eRTL\u2066iso\x9b1m\x7f"
PAYLOAD = (
    "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\clic\x1b]8;;\x1b\\\x1b[31m\u202eRTL\u2066iso\x9b1m\x7f"
)
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SOURCE = "sources/000_1d5eca14aae107d3.txt"


def hostile_copy(target: Path) -> Path:
    shutil.copytree(DATA, target, ignore=IGNORE_STATE)
    commitments = target / "commitments.yaml"
    text = commitments.read_text(encoding="utf-8")
    text = text.replace('name: "Aix en commun"', f'name: "Aix en commun{PAYLOAD_YAML}"', 1)
    text = text.replace('inscrit dans la loi."', f'inscrit dans la loi.{PAYLOAD_YAML}"', 1)
    commitments.write_text(text, encoding="utf-8")
    requests = target / "requests.yaml"
    text = requests.read_text(encoding="utf-8")
    old = 'title: "Logement social et hébergement d’urgence"'
    assert old in text
    requests.write_text(text.replace(old, f'title: "Logement social{PAYLOAD_YAML}"', 1), encoding="utf-8")
    # The pledge is a quote: its source carries the same characters, so the data stays valid.
    source = target / SOURCE
    text = source.read_text(encoding="utf-8")
    assert "dans la loi. \n" in text
    source.write_text(text.replace("dans la loi. \n", f"dans la loi.{PAYLOAD}\n", 1), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_copy(tmp_path_factory.mktemp("hostile") / "data")


def assert_safe(result, *, shown: bool = True) -> None:  # type: ignore[no-untyped-def]
    for stream in (result.stdout, result.stderr):
        found = RAW.search(stream)
        assert found is None, f"raw {found.group()!r} in {stream[max(found.start() - 40, 0) : found.end() + 40]!r}"
    if shown:
        # Table cells fold long runs: look at the text without borders and line breaks.
        flat = re.sub(r"[\s│┃]", "", result.stdout + result.stderr)
        assert "\\x1b" in flat and "pwned" in flat


def test_the_hostile_data_is_valid(cli, hostile):
    result = cli("--data", str(hostile), "validate")
    assert result.exit_code == 0, result
    assert_safe(result, shown=False)


@pytest.mark.parametrize(
    "command",
    [
        ["coverage"],
        ["coverage", "--level", "demand"],
        ["coverage", "--format", "json"],
        ["gaps"],
        ["gaps", "--format", "md"],
        ["gaps", "--format", "json"],
        ["show", "q1"],
        ["show", "aec-q1-01"],
        ["show", "aec-q1-01", "--format", "json"],
        ["match", "--request", "q1"],
        ["match", "--request", "q1", "--format", "json"],
        ["lists"],
        ["lists", "--format", "csv"],
        ["lists", "--format", "json"],
        ["requests"],
        ["requests", "--format", "csv"],
        ["requests", "--format", "json"],
    ],
    ids=" ".join,
)
def test_every_command_shows_control_characters_visibly(cli, hostile, command):
    result = cli("--data", str(hostile), *command)
    assert result.exit_code == 0, result
    json_output = "json" in command
    # The match table shortens pledges, gaps' JSON holds only ids: nothing of the payload to show.
    assert_safe(result, shown=not json_output and command[0] != "match")
    if json_output and command[0] != "gaps":
        # JSON keeps the exact values: the characters are only written as escapes.
        assert "\\u001b]0;pwned\\u0007" in result.stdout
        assert "\\u202eRTL\\u2066iso\\u009b1m\\u007f" in result.stdout


def test_csv_on_a_terminal_keeps_its_line_ends(cli, hostile):
    result = cli("--data", str(hostile), "requests", "--format", "csv")
    assert result.stdout.splitlines()[0] == "id,kind,number,axis,title,text,keywords"
    assert "Logement social\\x1b]0;pwned\\x07\\x1b[2J" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "md"])  # JSON goes through print_json, tested above
def test_diff_shows_control_characters_visibly(cli, hostile, fmt):
    result = cli("diff", str(DATA), str(hostile), "--format", fmt)
    assert result.exit_code == 0, result
    assert_safe(result, shown=fmt != "json")
    assert "pwned" in result.stdout


def test_unknown_key_names_on_stderr_are_one_visible_line(cli, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=IGNORE_STATE)
    path = data / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    marker = '        text: "Construire 450 logements'
    assert marker in text
    path.write_text(
        text.replace(marker, '        "ti\\e]0;pwned\\a\\e[2J\\ntle\\u202e": 1\n' + marker, 1), encoding="utf-8"
    )
    result = cli("--data", str(data), "validate")
    assert result.exit_code == 1, result
    assert_safe(result, shown=False)
    lines = [line for line in result.stderr.splitlines() if "pwned" in line]
    # The line feed inside the key is escaped too: one problem, one line, with its position.
    assert len(lines) == 1, result.stderr
    assert re.match(r"data/commitments\.yaml:44:9: erreur: clé inconnue « ", lines[0]), lines[0]
    assert "ti\\x1b]0;pwned\\x07\\x1b[2J\\x0atle\\u202e" in lines[0]


def test_import_draft_shows_control_characters_visibly(cli, tmp_path):
    letter = tmp_path / "lettre.txt"
    letter.write_text(f"1- Sur le logement\n- Construire des logements{PAYLOAD}\n", encoding="utf-8")
    result = cli("import", str(letter), "--list", "test")
    assert result.exit_code == 0, result
    assert_safe(result, shown=False)
    assert "\\u202e" in result.stdout


def test_usage_errors_show_the_argument_visibly(cli):
    result = cli("show", "q\x1b]0;pwned\x07")
    assert result.exit_code == 2
    assert_safe(result)
    unknown = cli("coverage", "--x\x1b]0;pwned\x07")
    assert unknown.exit_code == 2
    assert_safe(unknown)


def test_colours_of_a_real_terminal_survive_but_data_escapes_do_not(hostile):
    """Rich's own SGR codes are kept on a terminal; the data's ESC is never one of them."""
    import io

    from engagements.checks import check
    from engagements.coverage import build
    from engagements.loading import load_directory
    from engagements.matching import match
    from engagements.report import coverage_table

    loaded = load_directory(hostile)
    assert not [d for d in check(loaded) if d.level == "error"]
    data = loaded.dataset
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, force_terminal=True, width=100, color_system="standard")
    console.print(coverage_table(build(data, match(data), "question")))
    output = buffer.getvalue()
    assert "\x1b[" in output  # colours and bold, as before
    without_sgr = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert RAW.search(without_sgr) is None
    assert "\\x1b]0;pw" in without_sgr


def test_safe_console_keeps_styles_and_alignment():
    import io

    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=40)
    table = RichTable(title="t\x1b[2J")
    table.add_column("a")
    table.add_row(Text("x\u202ey z", style="bold"))
    table.add_row("plain \x9b str")
    console.print(table)
    lines = buffer.getvalue().splitlines()
    assert RAW.search(buffer.getvalue()) is None
    assert "t\\x1b[2J" in lines[0]
    assert len({len(line) for line in lines[1:]}) == 1  # borders stay aligned


def test_visible():
    assert safety.visible("a\x1bb\u202ec\r\nd\re\tf\n") == "a\\x1bb\\u202ec\r\nd\\x0de\tf\n"
    assert safety.visible("a\nb", multiline=False) == "a\\x0ab"
    assert safety.visible("Aix en commun · « 25 % »") == "Aix en commun · « 25 % »"
    assert safety.json_text('"\x7f\x9b\u2066"') == '"\\u007f\\u009b\\u2066"'


def test_no_command_module_writes_around_the_boundary():
    """Only cli/common.py writes to sys.stdout or sys.stderr; only terminal.py makes consoles."""
    package = ROOT / "src" / "engagements"
    for path in sorted((package / "cli").glob("*.py")):
        if path.name != "common.py":
            text = path.read_text(encoding="utf-8")
            assert (
                "sys.stdout" not in text and "sys.stderr" not in text and "print(" not in text.replace(".print(", "")
            ), path
    for path in sorted(package.rglob("*.py")):
        if path.name != "terminal.py":
            assert not re.search(r"(?<!Safe)Console\(", path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("color_system", [None, "standard", "truecolor"])
def test_lines_print_as_one_text_of_many_lines_would_escapes_included(cli, color_system):
    """`Lines` (the `match` view) prints byte for byte what one Rich Text of the same lines
    printed with soft_wrap does, styles cut at line ends, control characters made visible."""
    import io
    import json

    from rich.text import Text

    from engagements.report import suggestions_view
    from engagements.terminal import SafeConsole

    rows = json.loads(cli("--data", str(DATA), "match", "--format", "json").stdout)[:40]
    rows[3] = {**rows[3], "request_title": "titre \x1b[31m rouge \u202e à l’envers", "why": ["a\tb"]}
    lines = suggestions_view(rows, 60)
    text = Text(lines.lines[0].plain, style="bold")
    for line in lines.lines[1:]:
        text.append("\n")
        text.append_text(Text(line.plain, spans=line.spans))
    printed = []
    for renderable in (lines, text):
        console = SafeConsole(file=io.StringIO(), width=60, highlight=False, color_system=color_system)
        console.print(renderable, soft_wrap=True)
        printed.append(console.file.getvalue())
    assert printed[0] == printed[1]
    assert "\\x1b" in printed[0] and "\x1b[31m rouge" not in printed[0]
    assert "rouge" in lines.plain
