"""One source of truth: every view shows the same level and counts for the same cell.

The reference is `coverage --level all --format json` on the bundled data; every other view
(coverage table and JSON, gaps table/md/json, show, match, export in every format, brief, diff)
is rendered with and without each filter (--list, --request, --level, --format) and each cell
it shows is compared with the reference.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import DATA

LISTS = ["aix-en-commun", "programme-solidarite"]
PARTNERS_TITLE = "Ce à quoi les partenaires publics s’étaient déjà engagés"
LEVELS = ["question", "demand", "all"]
# Filter combinations: none, each list alone, both lists in reverse order.
LIST_FILTERS: list[list[str]] = [[], ["aix-en-commun"], ["programme-solidarite"], list(reversed(LISTS))]


def _args(lists: list[str]) -> list[str]:
    return [a for lid in lists for a in ("--list", lid)]


@pytest.fixture(scope="module")
def reference() -> dict:
    """Cells of the whole matrix: (request, list) -> the cell's JSON, plus the rows and columns."""
    from typer.testing import CliRunner

    from engagements.cli import app

    result = CliRunner().invoke(app, ["--data", str(DATA), "coverage", "--level", "all", "--format", "json"])
    assert result.exit_code == 0, result.output
    cov = json.loads(result.stdout)
    return {
        "cells": {(c["request"], c["list"]): c for c in cov["cells"]},
        "rows": {r["id"]: r for r in cov["requests"]},
        "names": {c["id"]: c["name"] for c in cov["lists"]},
        # the public partners' lists (lists/contrat-de-ville.yaml), shown apart from the candidates
        "institutions": {(c["request"], c["list"]): c for c in cov["institutions"]["cells"]},
        "partners": [c["id"] for c in cov["institutions"]["lists"]],
    }


def _key(cell: dict) -> tuple:
    return (cell["level"], cell["count"], cell["confirmed_count"], cell["suggested_count"])


def _ids_at(reference: dict, level: str) -> list[str]:
    return [rid for rid, r in reference["rows"].items() if level == "all" or r["kind"] == level]


def test_the_reference_has_both_origins(reference):
    cells = reference["cells"].values()
    assert any(c["confirmed_count"] and c["suggested_count"] for c in cells)
    assert any(c["level"] == "covered" and not c["confirmed_count"] for c in cells)
    assert any(c["level"] == "partial" for c in cells) and any(c["level"] == "absent" for c in cells)
    for c in cells:
        assert c["count"] == c["confirmed_count"] + c["suggested_count"] == len(c["covered"]) + len(c["partial"])
        assert set(c["confirmed"]) <= set(c["covered"])


@pytest.mark.parametrize("level", LEVELS)
def test_coverage_json_under_every_filter(cli, reference, level):
    for lists in LIST_FILTERS:
        for requests in ([], _ids_at(reference, level)[1:3]):
            args = ["--level", level, *_args(lists), *[a for r in requests for a in ("--request", r)]]
            cov = json.loads(cli("--data", str(DATA), "coverage", "--format", "json", *args).stdout)
            assert [c["id"] for c in cov["lists"]] == (lists or LISTS)
            assert [r["id"] for r in cov["requests"]] == (requests or _ids_at(reference, level))
            for cell in cov["cells"]:
                assert _key(cell) == _key(reference["cells"][(cell["request"], cell["list"])]), (args, cell)
            shares = {s["list"]: s for s in cov["summary"]}
            for lid in lists or LISTS:
                shown = [reference["cells"][(r["id"], lid)] for r in cov["requests"]]
                assert shares[lid]["covered"] == sum(c["level"] == "covered" for c in shown)
                assert shares[lid]["confirmed"] == sum(bool(c["confirmed_count"]) for c in shown)


def _terminal_cells(text: str, reference: dict, level: str, lists: list[str]) -> dict[tuple[str, str], str]:
    """The text of each cell of the terminal matrix (each row starts with its request's id)."""
    titles = {rid: rid for rid in _ids_at(reference, level)}
    found: dict[tuple[str, str], str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("│"):
            current = None if line.startswith(("├", "└")) else current
            continue
        cols = [c.strip() for c in line.strip("│").split("│")]
        if cols[0]:
            current = titles.get(cols[0])
        if current is None:
            continue
        for lid, value in zip(lists, cols[2:], strict=True):
            found[(current, lid)] = (found.get((current, lid), "") + " " + value).strip()
    return found


def _expected_text(cell: dict) -> str:
    symbol = {"covered": "●", "partial": "◐", "absent": "○"}[cell["level"]]
    if cell["level"] == "absent":
        return symbol
    sure, unsure = cell["confirmed_count"], cell["suggested_count"]
    parts = []
    if sure:
        parts.append(f"✔ {sure} confirmé" + ("s" if sure > 1 else ""))
    if unsure:
        parts.append(f"? {unsure} à vérifier")
    return f"{symbol} " + " + ".join(parts)


@pytest.mark.parametrize("level", LEVELS)
def test_coverage_table_under_every_filter(cli, reference, level, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for lists in LIST_FILTERS:
        text = cli("--data", str(DATA), "coverage", "--level", level, *_args(lists)).stdout
        # The candidate matrix, then the public partners' own table (after its title).
        candidates, title, partners = text.partition(PARTNERS_TITLE)
        cells = _terminal_cells(candidates, reference, level, lists or LISTS)
        assert len(cells) == len(_ids_at(reference, level)) * len(lists or LISTS)
        for key, shown in cells.items():
            assert shown == _expected_text(reference["cells"][key]), (level, lists, key)
        if lists:  # a --list of candidates only: no partner asked for
            assert not title, lists
            continue
        shown_partners = _terminal_cells(partners, reference, level, reference["partners"])
        assert len(shown_partners) == len(_ids_at(reference, level)) * len(reference["partners"])
        for key, shown in shown_partners.items():
            # the counts, then which records ("dont B › AXE 2.3 …")
            expected = _expected_text(reference["institutions"][key])
            assert shown == expected or shown.startswith(expected + " dont "), (level, key, shown)


@pytest.mark.parametrize("level", ["question", "demand"])
def test_gaps_in_every_format_under_every_filter(cli, reference, level):
    for lists in LIST_FILTERS:
        args = ["--level", level, *_args(lists)]
        gaps = json.loads(cli("--data", str(DATA), "gaps", "--format", "json", *args).stdout)
        sheet = cli("--data", str(DATA), "gaps", "--format", "md", *args).stdout
        table = cli("--data", str(DATA), "gaps", *args).stdout
        ids = _ids_at(reference, level)
        for entry in gaps["lists"]:
            lid = entry["list"]
            cells = {rid: reference["cells"][(rid, lid)] for rid in ids}
            assert entry["unanswered"] == [r for r in ids if cells[r]["level"] == "absent"]
            assert entry["partial"] == [r for r in ids if cells[r]["level"] == "partial"]
            assert entry["unconfirmed"] == [
                r for r in ids if cells[r]["level"] == "covered" and not cells[r]["confirmed_count"]
            ]
            section = sheet.split(f"## {reference['names'][lid]}")[1].split("\n## ")[0]
            assert f"### Sans réponse ({len(entry['unanswered'])})" in section
            assert f"### Réponse partielle ({len(entry['partial'])})" in section
            for rid in entry["unanswered"]:
                assert f"- ○ **{_label(reference['rows'][rid])}** :" in section
            for rid in entry["partial"]:
                assert f"- ◐ ? **{_label(reference['rows'][rid])}** :" in section
            block = table.split(reference["names"][lid] + "\n")[1]
            assert f"Sans réponse ({len(entry['unanswered'])})" in block
            assert f"Réponse partielle ({len(entry['partial'])})" in block


def _label(row: dict) -> str:
    text = f"{row['number']} — {row['title']}" if row["number"] else row["title"]
    return text.replace("*", "\\*").replace("_", "\\_")


def test_match_and_show_count_the_same_pledges(cli, reference):
    everything = json.loads(cli("--data", str(DATA), "match", "--format", "json").stdout)
    for lists in LIST_FILTERS:
        rows = json.loads(cli("--data", str(DATA), "match", "--format", "json", *_args(lists)).stdout)
        assert rows == [r for r in everything if not lists or r["list"] in lists]
    per_cell: dict[tuple[str, str], list[dict]] = {}
    for r in everything:
        per_cell.setdefault((r["request"], r["list"]), []).append(r)
    for key, cell in reference["cells"].items():
        found = per_cell.get(key, [])
        assert len(found) == cell["count"], key
        assert sorted(r["commitment"] for r in found if r["source"] == "link") == sorted(cell["confirmed"]), key
    for rid in ("q8", "q9", "d1.2", "d3.13"):
        only = json.loads(cli("--data", str(DATA), "match", "--format", "json", "--request", rid).stdout)
        assert only == [r for r in everything if r["request"] == rid]
        shown = json.loads(cli("--data", str(DATA), "show", rid, "--format", "json").stdout)
        for lst in shown["lists"]:
            cell = reference["cells"][(rid, lst["list"])]
            assert (len(lst["pledges"]), lst["confirmed"]) == (cell["count"], cell["confirmed_count"]), rid
            text = cli("--data", str(DATA), "show", rid).stdout
            assert f"{lst['name']} ({cell['count']})" in text


def _export(cli, tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"{fmt}-{abs(hash(args))}"
    if fmt not in ("csv", "csv-excel"):
        out = out.with_suffix("." + {"md": "md", "json": "json", "html": "html", "xlsx": "xlsx"}[fmt])
    result = cli("--data", str(DATA), "export", "--format", fmt, "-o", str(out), *args)
    assert result.exit_code == 0, result
    return out


def _expected_export(cell: dict, with_suggestions: bool) -> tuple[str, int]:
    if with_suggestions:
        return cell["level"], cell["count"]
    return ("covered" if cell["confirmed_count"] else "absent"), cell["confirmed_count"]


@pytest.mark.parametrize("with_suggestions", [False, True])
def test_exports_in_every_format_under_every_filter(cli, reference, tmp_path, with_suggestions):
    from openpyxl import load_workbook

    extra = ["--suggestions"] if with_suggestions else []
    for level, lists in (("question", []), ("demand", ["programme-solidarite"]), ("all", list(reversed(LISTS)))):
        args = ["--level", level, *_args(lists), *extra]
        ids, shown = _ids_at(reference, level), lists or LISTS
        expected = {
            (r, lid): _expected_export(reference["cells"][(r, lid)], with_suggestions) for r in ids for lid in shown
        }

        for fmt, encoding, delimiter in (("csv", "utf-8", ","), ("csv-excel", "utf-8-sig", ";")):
            out = _export(cli, tmp_path, fmt, *args)
            text = (out / "couverture.csv").read_text(encoding=encoding)
            rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
            links = list(
                csv.DictReader(
                    io.StringIO((out / "liens.csv").read_text(encoding=encoding), newline=""), delimiter=delimiter
                )
            )
            assert len(links) == sum(n for _lvl, n in expected.values())
            if fmt == "csv":
                assert [r["id"] for r in rows] == ids
                got = {(r["id"], lid): (r[f"{lid}_level"], int(r[f"{lid}_count"])) for r in rows for lid in shown}
                assert all(link["origin"][0] == ("✔" if link["source"] == "link" else "?") for link in links)
            else:  # for people: French headers and words
                assert [r["Réf."] for r in rows] == ids
                level_col = {
                    lid: _people_column(list(rows[0]), reference["names"][lid], with_suggestions) for lid in shown
                }
                words = {"couvert": "covered", "partiel": "partial", "absent": "absent"}
                got = {}
                for r in rows:
                    for lid in shown:
                        header = list(r)[level_col[lid]]
                        got[(r["Réf."], lid)] = (words[r[header]], int(r[list(r)[level_col[lid] + 1]]))
                assert all(link["Origine"][0] in "✔?" for link in links)
            assert got == expected, (fmt, args)

        payload = json.loads(_export(cli, tmp_path, "json", *args).read_text(encoding="utf-8"))
        assert payload["with_suggestions"] is with_suggestions
        got = {(c["request"], c["list"]): (c["level"], c["count"]) for c in payload["coverage"]["cells"]}
        assert got == expected

        book = load_workbook(_export(cli, tmp_path, "xlsx", *args), read_only=True)
        sheet = list(book.worksheets[0].iter_rows(values_only=True))
        labels = list(sheet[0])
        by_id = {row[0]: row for row in sheet[1:]}
        for (rid, lid), (lvl, n) in expected.items():
            level_col = _people_column(labels, reference["names"][lid], with_suggestions)
            symbol = {"covered": "●", "partial": "◐", "absent": "○"}[lvl]
            word = {"covered": "couvert", "partial": "partiel", "absent": "absent"}[lvl]
            assert (by_id[rid][level_col], by_id[rid][level_col + 1]) == (f"{symbol} {word}", n), (rid, lid)

        md = _export(cli, tmp_path, "md", *args).read_text(encoding="utf-8")
        page = _export(cli, tmp_path, "html", *args).read_text(encoding="utf-8")
        for (rid, lid), (lvl, _n) in expected.items():
            cell = reference["cells"][(rid, lid)]
            view = dict(cell, level=lvl) if with_suggestions else _confirmed_view(cell)
            row = next(line for line in md.splitlines() if line.startswith(f"| {rid} |"))
            assert _expected_text(view) in row, (rid, lid, row)
            # The page names rows and lists by position (no internal id in it).
            key = f"l{shown.index(lid) + 1}" if lists else f"l{LISTS.index(lid) + 1}"
            td = re.search(
                rf'<tr id="demande-{ids.index(rid) + 1}">.*?<td class="level-(\w+)( unconfirmed)?" data-list="{key}">(.*?)</td>',
                page,
                re.S,
            )
            assert td and td.group(1) == lvl, (rid, lid)
            assert bool(td.group(2)) == (lvl != "absent" and not view["confirmed_count"]), (rid, lid)
            words = re.sub(r"<[^>]+>", "", td.group(3).split("</summary>")[0])
            for part in _expected_text(view).split(" + "):
                assert part.split(" ", 1)[-1].removeprefix("✔ ").removeprefix("? ") in words, (rid, lid, words)


def _people_column(labels: list, name: str, with_suggestions: bool) -> int:
    """The index of a list's level column in an export for people (csv-excel, xlsx)."""
    suffix = ": niveau" if with_suggestions else ": niveau, liens confirmés"
    return next(i for i, h in enumerate(labels) if h.startswith(name) and h.endswith(suffix))


def _confirmed_view(cell: dict) -> dict:
    n = cell["confirmed_count"]
    return {"level": "covered" if n else "absent", "confirmed_count": n, "suggested_count": 0}


def test_diff_reports_the_same_levels(reference):
    from engagements.checks import check
    from engagements.diffing import diff, render_text
    from engagements.loading import load_directory

    loaded = load_directory(DATA)
    assert not check(loaded) and loaded.dataset is not None
    new = loaded.dataset
    kept = [lst for lst in new.commitments.lists if lst.id != "aix-en-commun"]
    old = new.model_copy(update={"commitments": new.commitments.model_copy(update={"lists": kept})})
    # A list that is new is reported as a new list, with what it covers: the matrix's count.
    added = diff(old, new, "question")
    covered = sum(reference["cells"][(r, "aix-en-commun")]["level"] == "covered" for r in _ids_at(reference, "question"))
    assert [(lid, cov) for lid, _n, cov, _rows in added.lists_added] == [("aix-en-commun", covered)]
    assert not [c for c in added.coverage if c[0] == "aix-en-commun"]
    # A list whose confirmed links are taken away: every changed cell says what the matrix says now.
    unlinked = [
        lst.model_copy(update={"commitments": [c.model_copy(update={"answers": []}) for c in lst.commitments]})
        if lst.id == "aix-en-commun"
        else lst
        for lst in new.commitments.lists
    ]
    old = new.model_copy(update={"commitments": new.commitments.model_copy(update={"lists": unlinked})})
    changes = diff(old, new, "question")
    assert changes.coverage
    for list_id, rid, _was, now in changes.coverage:
        assert now == reference["cells"][(rid, list_id)]["level"], (list_id, rid)
        assert changes.cells[(list_id, rid)][1].confirmed_count == reference["cells"][(rid, list_id)]["confirmed_count"]
    assert "Changements de couverture" in render_text(changes)
