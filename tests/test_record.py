"""The public partners' record (`record/*.yaml`) in the read path: loading, `validate`, `show`'s
« Déjà fait », the `bilan` view.

The expected figures on the bundled data are computed here from the YAML itself, so that the
tests follow the file; the small fixture (one source, two actions) gives each new diagnostic
its exact place.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import DATA, IGNORE_STATE, data_counts
from engagements.checks import check
from engagements.loading import load_directory

RECORD = DATA / "record" / "bilan-politique-de-la-ville.yaml"
NEIGHBOURHOODS = ["beisson", "corsy", "encagnane", "jas-de-bouffan", "pinette"]


@pytest.fixture(scope="module")
def bundled() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(RECORD.read_text(encoding="utf-8"))


def _answering(record: dict, request: str) -> list[dict]:  # type: ignore[type-arg]
    return [a for a in record["actions"] if request in [link["request"] for link in a.get("answers", [])]]


# -- the bundled record ---------------------------------------------------------------------------


def test_the_bundled_record_loads_and_checks_clean(bundled):
    loaded = load_directory(DATA, record=True)
    assert loaded.diagnostics == []
    assert check(loaded) == []
    assert loaded.record is not None
    assert [a.id for a in loaded.record.actions] == [a["id"] for a in bundled["actions"]]
    assert [s.id for s in loaded.record.sources] == [s["id"] for s in bundled["sources"]]
    # opt-in: the commands that do not show the record never read it
    assert load_directory(DATA).records == []


def test_validate_counts_the_recorded_actions(cli, bundled):
    result = cli("--data", str(DATA), "validate")
    assert result.exit_code == 0, result
    assert f", {len(bundled['actions'])} actions au bilan)." in result.stderr


def test_every_implements_link_resolves_against_the_whole_contrat_de_ville():
    """The bundled data read the Contrat de ville (lists/, an institution list): every
    `implements` of the record names one of its pledges (an unknown one would be a warning)."""
    assert (DATA / "lists" / "contrat-de-ville.yaml").is_file()
    loaded = load_directory(DATA, record=True)
    assert [d for d in loaded.diagnostics + check(loaded)] == []
    assert any(a.implements for a in loaded.record.actions)  # type: ignore[union-attr]


def test_a_row_printed_in_every_table_is_found_at_each_of_its_lines(bundled):
    from engagements.checks import find_quote, read_source

    source = read_source(DATA / bundled["sources"][0]["file"])
    texts = Counter(a["text"] for a in bundled["actions"])
    text = max(texts, key=lambda t: texts[t])
    lines = sorted(a["provenance"]["line"] for a in bundled["actions"] if a["text"] == text)
    assert len(lines) > 1
    assert find_quote(text, source) == lines[0]  # type: ignore[arg-type]
    assert [find_quote(text, source, line) for line in lines] == lines  # type: ignore[arg-type]
    # a line where the text is not: its first occurrence, as before
    assert find_quote(text, source, lines[0] + 1) == lines[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("printed", "quote"),
    [
        ("Les eJectifs et les effectifs", "effectifs"),
        ("aeecter puis affecter", "affecter"),
        ("suffisant", "sufisant"),  # no "ff" in the quote: exact only
        ("xfy xffy", "xffy"),
        ("un ffff fff", "ffff"),
    ],
)
def test_the_stray_letter_search_finds_what_the_pattern_finds(tmp_path, printed, quote):
    from engagements.checks import find_quote, quote_pattern, read_source

    path = tmp_path / "s.txt"
    path.write_text(printed.replace(" ", "\n"), encoding="utf-8")
    source = read_source(path)
    match = quote_pattern(quote).search(source.compact)  # type: ignore[union-attr]
    expected = None if match is None else source.lines[match.start()]  # type: ignore[union-attr]
    assert find_quote(quote, source) == expected  # type: ignore[arg-type]


def test_show_lists_what_is_already_done_by_neighbourhood(cli, bundled):
    result = cli("--data", str(DATA), "show", "q6", "--format", "json")
    assert result.exit_code == 0, result
    done = json.loads(result.stdout)["record"]
    expected = _answering(bundled, "q6")
    assert expected and done["actions"] == len(expected)
    wanted = [n for n in NEIGHBOURHOODS if any(n in a["neighbourhoods"] for a in expected)]
    assert [g["neighbourhood"] for g in done["neighbourhoods"]] == wanted
    by_id = {a["id"]: a for a in expected}
    for group in done["neighbourhoods"]:
        for shown in group["actions"]:
            source = by_id[shown["id"]]
            assert group["neighbourhood"] in source["neighbourhoods"]
            assert shown["action"] == source["action"] and shown["text"] == source["text"]
            assert shown["partners"] == source["partners"] and shown["year"] == source["year"]
            assert shown["figures"] == source.get("figures", [])
            assert shown["provenance"]["line"] == source["provenance"]["line"]
            assert shown["provenance"]["file"] == bundled["sources"][0]["file"]
            assert shown["by"] == "équipe engagements (relecture)"


def test_show_text_says_where_and_with_whom(cli, bundled):
    result = cli("--data", str(DATA), "show", "d2.2")
    assert result.exit_code == 0, result
    expected = _answering(bundled, "d2.2")
    text = " ".join(result.stdout.split())
    assert f"Déjà fait : ce que le bilan des partenaires publics relie à cette demande ({len(expected)})" in text
    per_place = Counter(n for a in expected for n in a["neighbourhoods"])
    names = {"beisson": "Beisson", "corsy": "Corsy", "encagnane": "Encagnane", "jas-de-bouffan": "Jas de Bouffan"}
    for key, n in per_place.items():
        assert f"{names.get(key, key.title())} ({n})" in text
    for action in expected:
        assert f"{action['id']} · {action['action']} · {', '.join(action['partners'])} · {action['year']}" in text
        assert f"ligne {action['provenance']['line']}" in text
    assert bundled["sources"][0]["file"] in text


def test_show_of_a_request_nothing_answers_has_an_empty_record(cli, bundled):
    assert not _answering(bundled, "q1")
    result = cli("--data", str(DATA), "show", "q1", "--format", "json")
    assert json.loads(result.stdout)["record"] == {"actions": 0, "neighbourhoods": []}
    assert "Déjà fait" not in cli("--data", str(DATA), "show", "q1").stdout


def test_bilan_counts_actions_per_request_and_neighbourhood(cli, bundled):
    result = cli("--data", str(DATA), "bilan", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["request"]: row for row in json.loads(result.stdout)}
    requests = yaml.safe_load((DATA / "requests.yaml").read_text(encoding="utf-8"))["requests"]
    linked = [r["id"] for r in requests if _answering(bundled, r["id"])]
    assert list(rows) == [*linked, None]
    for request in linked:
        actions = _answering(bundled, request)
        assert rows[request]["total"] == len(actions)
        for n in NEIGHBOURHOODS:
            assert rows[request][n] == sum(1 for a in actions if n in a["neighbourhoods"]), (request, n)
    unlinked = [a for a in bundled["actions"] if not a.get("answers")]
    assert rows[None]["total"] == len(unlinked)


def test_bilan_filtered_by_neighbourhood(cli, bundled):
    result = cli("--data", str(DATA), "bilan", "--quartier", "Jas de Bouffan", "--format", "csv")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "request,title,jas-de-bouffan,total"
    there = [a for a in bundled["actions"] if "jas-de-bouffan" in a["neighbourhoods"]]
    d27 = next(line for line in lines if line.startswith("d2.7,"))
    n = sum(1 for a in there if "d2.7" in [link["request"] for link in a.get("answers", [])])
    assert d27.endswith(f",{n},{n}")
    listed = cli("--data", str(DATA), "bilan", "--neighbourhood", "pinette", "--actions", "--format", "json")
    ids = [row["id"] for row in json.loads(listed.stdout)]
    assert ids == [a["id"] for a in bundled["actions"] if "pinette" in a["neighbourhoods"]]
    # the English name of the command gives the same table
    english = cli("--data", str(DATA), "record", "--neighbourhood", "pinette", "--actions", "--format", "json")
    assert english.stdout == listed.stdout


def test_bilan_actions_of_one_request(cli, bundled):
    result = cli("--data", str(DATA), "bilan", "--actions", "-r", "q7", "--format", "json")
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [a["id"] for a in _answering(bundled, "q7")]
    first = _answering(bundled, "q7")[0]
    assert rows[0]["line"] == first["provenance"]["line"] and rows[0]["partners"] == first["partners"]


def test_bilan_refuses_an_unknown_neighbourhood_or_request(cli):
    result = cli("--data", str(DATA), "bilan", "--quartier", "encagane")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("engagements: erreur: quartier inconnu « encagane »")
    assert "vouliez-vous dire « encagnane »" in result.stderr
    result = cli("--data", str(DATA), "bilan", "-r", "q99")
    assert result.exit_code == 2 and "demande « q99 » inconnue" in result.stderr


def test_a_data_directory_without_record_works_unchanged(cli, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=IGNORE_STATE)
    shutil.rmtree(target / "record")
    valid = cli("--data", str(target), "validate")
    _requests, _lists, pledges = data_counts(target)
    assert valid.exit_code == 0 and valid.stderr.endswith(f"{pledges} engagements).\n"), valid
    shown = cli("--data", str(target), "show", "q6", "--format", "json")
    assert json.loads(shown.stdout)["record"] == {"actions": 0, "neighbourhoods": []}
    empty = cli("--data", str(target), "bilan")
    assert empty.exit_code == 0 and "Aucun bilan dans ces données" in empty.stdout
    assert json.loads(cli("--data", str(target), "bilan", "-f", "json").stdout) == []


def test_the_record_points_at_its_committed_schema():
    from engagements.paths import schema_reference
    from engagements.schema import schema_text

    first = RECORD.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema_reference('record/' + RECORD.name)}"
    assert first.endswith("=../schema/record.schema.json")
    committed = (DATA / "schema" / "record.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text("record"), "run: engagements schema record -o data/schema/record.schema.json"


# -- a small fixture, and one broken copy of it per diagnostic --------------------------------------

REQ = "requests:\n  - id: q1\n    title: Logement\n    text: Du logement pour tous\n"
COM = "lists:\n  - id: l1\n    name: Liste\n    commitments:\n      - id: c1\n        text: Construire\n"
INSTITUTION = "  - id: cdv\n    name: Contrat\n    kind: institution\n    commitments:\n      - id: cdv-1\n        text: Agir\n"
SOURCE = (
    "Actions financées pour l'année 2022\n"
    "Accès au droit : permanences d'accès au droit, 3 par semaine\n"
    "Logement : accompagnement de 12 familles\n"
)
RECORD_FILE = """sources:
  - id: b1
    title: Bilan
    file: sources/bilan.txt
actions:
  - id: a1
    text: "permanences d'accès au droit, 3 par semaine"
    action: "Accès au droit"
    partners: [AITE]
    neighbourhoods: [encagnane, corsy]
    figures: ["3 par semaine"]
    year: 2022
    provenance: {source: b1, line: 2}
    answers: [q1]
  - id: a2
    text: "accompagnement de 12 familles"
    action: "Logement"
    neighbourhoods: [pinette]
    year: 2022
    provenance: {source: b1, line: 3}
    implements:
      - {commitment: cdv-1, by: test, date: 2026-12-01}
"""
NAME = "record/bilan.yaml"


def _build(root: Path, record: str = RECORD_FILE, commitments: str = COM, extra: dict[str, str] | None = None) -> Path:
    directory = root / "d"
    for name, content in {
        "requests.yaml": REQ,
        "commitments.yaml": commitments,
        "sources/bilan.txt": SOURCE,
        NAME: record,
        **(extra or {}),
    }.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return directory


def _name(directory: Path) -> str:
    """A record file's name as diagnostics give it: relative to the working directory."""
    return os.path.relpath(directory / NAME)


def _at(text: str, token: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the `nth` occurrence of `token` in `text`."""
    index = -1
    for _ in range(nth):
        index = text.index(token, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _diagnostics(cli, directory: Path) -> tuple[int, list[tuple[str, int, int, str, str]]]:  # type: ignore[no-untyped-def]
    result = cli("--data", str(directory), "validate", "--format", "json")
    found = json.loads(result.stdout)
    return result.exit_code, [(d["file"], d["line"], d["col"], d["code"], d["level"]) for d in found]


def test_the_fixture_is_valid_and_shown(cli, tmp_path):
    directory = _build(tmp_path, commitments=COM + INSTITUTION)
    assert _diagnostics(cli, directory) == (0, [])
    done = json.loads(cli("--data", str(directory), "show", "q1", "--format", "json").stdout)["record"]
    assert done["actions"] == 1
    assert [(g["neighbourhood"], [a["id"] for a in g["actions"]]) for g in done["neighbourhoods"]] == [
        ("corsy", ["a1"]),
        ("encagnane", ["a1"]),
    ]
    pledge = json.loads(cli("--data", str(directory), "show", "cdv-1", "--format", "json").stdout)["record"]
    assert [a["id"] for g in pledge["neighbourhoods"] for a in g["actions"]] == ["a2"]
    assert pledge["neighbourhoods"][0]["actions"][0]["by"] == "test"
    text = cli("--data", str(directory), "show", "cdv-1").stdout
    assert "Déjà fait : les actions du bilan qui le mettent en œuvre (1)" in text


BROKEN = [
    # (id, the record file, the token the diagnostic points at (nth occurrence), code, level)
    ("unknown-request", RECORD_FILE.replace("answers: [q1]", "answers: [q2]"), ("q2", 1), "unknown-request", "error"),
    (
        "neighbourhood-outside-the-vocabulary",
        RECORD_FILE.replace("[encagnane, corsy]", "[encagnane, Corsy]"),
        ("Corsy", 1),
        "bad-value",
        "error",
    ),
    (
        "figure-not-in-the-text",
        RECORD_FILE.replace('figures: ["3 par semaine"]', 'figures: ["4 par semaine"]'),
        ('"4 par semaine"', 1),
        "figure-not-in-text",
        "error",
    ),
    (
        "text-not-in-the-source",
        RECORD_FILE.replace('"accompagnement de 12 familles"', '"accompagnement de 13 familles"'),
        ('"accompagnement de 13 familles"', 1),
        "quote-not-found",
        "error",
    ),
    ("wrong-line", RECORD_FILE.replace("line: 3}", "line: 1}"), ("1}", 1), "wrong-line", "warning"),
    ("duplicate-action-id", RECORD_FILE.replace("id: a2", "id: a1"), ("a1", 2), "duplicate-id", "error"),
    ("unknown-source", RECORD_FILE.replace("{source: b1, line: 3}", "{source: b2, line: 3}"), ("b2", 1), "unknown-source", "error"),
    ("string-year", RECORD_FILE.replace("year: 2022\n    provenance: {source: b1, line: 3}", 'year: "2022"\n    provenance: {source: b1, line: 3}'), ('"2022"', 1), "wrong-type", "error"),
    ("misspelt-key", RECORD_FILE.replace("partners: [AITE]", "partner: [AITE]"), ("partner:", 1), "unknown-field", "error"),
    ("no-neighbourhood", RECORD_FILE.replace("neighbourhoods: [pinette]", "neighbourhoods: []"), ("[]", 1), "empty", "error"),
    ("syntax", RECORD_FILE.replace('"Logement"', '"Logement'), None, "syntax", "error"),
    (
        "candidate-pledge-implemented",
        RECORD_FILE.replace("commitment: cdv-1", "commitment: c1"),
        ("c1", 1),
        "not-an-institution-pledge",
        "error",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", BROKEN, ids=[case[0] for case in BROKEN])
def test_each_broken_record_gives_its_diagnostic(cli, tmp_path, case):
    _id, record, token, code, level = case
    directory = _build(tmp_path, record=record)
    exit_code, found = _diagnostics(cli, directory)
    assert exit_code == (1 if level == "error" else 0)
    assert len(found) == 1, found
    file, line, col, got_code, got_level = found[0]
    assert (file, got_code, got_level) == (_name(directory), code, level)
    if token is not None:
        assert (line, col) == _at(record, *token)
    else:  # a syntax error: on the line of the unclosed quote or after it
        assert line >= _at(record, '"Logement')[0]
    # the commands that show the record refuse it too, with validate's very diagnostics (they
    # check the record files alone, against the cached data set); the others do not read it
    validated = cli("--data", str(directory), "validate").stderr
    for command in (["show", "q1"], ["bilan"]):
        result = cli("--data", str(directory), *command)
        assert result.exit_code == (1 if level == "error" else 0), command
        if level == "error":
            assert result.stderr == validated, command
    assert cli("--data", str(directory), "coverage").exit_code == 0


def test_a_misspelt_neighbourhood_gets_a_suggestion(cli, tmp_path):
    record = RECORD_FILE.replace("[encagnane, corsy]", "[encagnane, Corsy]")
    result = cli("--data", str(_build(tmp_path, record=record)), "validate")
    assert result.stderr == (
        f"{_name(tmp_path / 'd')}:{':'.join(map(str, _at(record, 'Corsy')))}: erreur: « neighbourhoods » : valeur "
        "'Corsy' invalide, attendu : 'beisson', 'corsy', 'encagnane', 'jas-de-bouffan', 'pinette' ; "
        "vouliez-vous dire « corsy » ?\n"
    )


def test_an_unknown_public_pledge_is_a_warning_when_institution_lists_are_loaded(cli, tmp_path):
    record = RECORD_FILE.replace("commitment: cdv-1", "commitment: cdv-2")
    directory = _build(tmp_path, record=record, commitments=COM + INSTITUTION)
    code, found = _diagnostics(cli, directory)
    assert code == 0
    assert found == [(_name(directory), *_at(record, "cdv-2"), "unknown-commitment", "warning")]
    result = cli("--data", str(directory), "validate")
    assert "engagement « cdv-2 » inconnu parmi les listes de partenaires publics ; vouliez-vous dire « cdv-1 » ?" in (
        result.stderr
    )
    # without any institution list, the link cannot be checked, and is accepted
    assert _diagnostics(cli, _build(tmp_path / "none", record=record)) == (0, [])


def test_an_action_id_used_in_two_record_files(cli, tmp_path):
    other = RECORD_FILE.split("  - id: a2")[0].replace("id: b1", "id: b9").replace("source: b1", "source: b9")
    directory = _build(tmp_path, extra={"record/autre.yaml": other})
    code, found = _diagnostics(cli, directory)
    assert code == 1
    # record/autre.yaml is read first (by name): the second use of a1 is bilan.yaml's
    assert found == [(_name(directory), *_at(RECORD_FILE, "a1"), "duplicate-id", "error")]


def test_the_cached_record_follows_its_file(cli, tmp_path):
    """`show` keeps the checked record in the cache; any change to a record file is seen."""
    directory = _build(tmp_path)
    first = json.loads(cli("--data", str(directory), "show", "q1", "--format", "json").stdout)["record"]
    assert first["actions"] == 1
    path = directory / NAME
    path.write_text(RECORD_FILE.replace("    implements:", "    answers: [q1]\n    implements:"), encoding="utf-8")
    again = json.loads(cli("--data", str(directory), "show", "q1", "--format", "json").stdout)["record"]
    assert again["actions"] == 2
    (directory / "record" / "autre.yaml").write_text("actions: [\n", encoding="utf-8")
    assert cli("--data", str(directory), "show", "q1").exit_code == 1


def test_a_cached_bilan_reads_the_record_from_the_cache(tmp_path):
    """Once checked, the record comes from the cache: no YAML parser, no loader, no numerics.
    (`show` imports the loader anyway, through the meter, as it did before the record.)"""
    from test_startup import loaded_after

    data = ["--data", str(DATA)]
    for command in (["bilan"], ["bilan", "--actions", "-q", "corsy"], ["show", "q6"]):
        first, out = loaded_after([*data, *command], tmp_path)
        loaded, again = loaded_after([*data, *command], tmp_path)
        if command[0] == "bilan":
            assert loaded == set(), (command, loaded)
        assert again == out and again
    first, _ = loaded_after(["--data", str(DATA), "bilan"], tmp_path / "empty")
    assert "engagements.loading" in first and "engagements.matching" not in first  # bilan never matches
