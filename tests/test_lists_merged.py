"""Issue 13: elected lists, lists merged between the two rounds, and the right of reply.

Every write runs on a copy of the bundled data (`data_copy`): the bundled data records no
election, no merger and no reply, since its sources say none. The merged list of these tests,
`second-tour`, is a fixture.
"""

from __future__ import annotations

import difflib
import json

from conftest import DATA
from engagements.models import CommitmentsFile

COMMITMENTS = "commitments.yaml"
PARTS = ("aix-en-commun", "programme-solidarite")


def changes(before: str, after: str) -> list[str]:
    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]


def merge(cli, data, *extra: str):
    return cli(
        "--data",
        str(data),
        "fusion",
        "second-tour",
        "--de",
        PARTS[0],
        "--de",
        PARTS[1],
        "--date",
        "2026-03-17",
        "--tour",
        "2",
        "--nom",
        "Liste d’union du second tour",
        *extra,
    )


def coverage_json(cli, data) -> dict:
    result = cli("--data", str(data), "coverage", "--level", "all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def bundled_sizes() -> dict[str, int]:
    import yaml

    model = CommitmentsFile.model_validate(yaml.safe_load((DATA / COMMITMENTS).read_text(encoding="utf-8")))
    return {lst.id: len(lst.commitments) for lst in model.lists}


# --- Writing -----------------------------------------------------------------------------------


def test_fusion_appends_the_merged_list_and_changes_nothing_else(cli, data_copy):
    path = data_copy / COMMITMENTS
    before = path.read_text(encoding="utf-8")
    result = merge(cli, data_copy)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "data/commitments.yaml : « second-tour » est la fusion de aix-en-commun + programme-solidarite le 2026-03-17.\n"
    )
    after = path.read_text(encoding="utf-8")
    added = [line for line in changes(before, after) if not line.startswith("@@")]
    assert added == [
        "+  - id: second-tour",
        "+    name: Liste d’union du second tour",
        "+    merged_from: {lists: [aix-en-commun, programme-solidarite], date: 2026-03-17, round: 2}",
        "+    commitments: []",
    ]
    assert after.startswith(before)  # every comment and line of the file kept, the list appended
    again = merge(cli, data_copy)
    assert (again.exit_code, again.stderr) == (
        0,
        "rien à changer : cette fusion est déjà enregistrée pour « second-tour ».\n",
    )
    assert path.read_text(encoding="utf-8") == after
    assert cli("--data", str(data_copy), "validate").exit_code == 0


def test_elu_and_reponse_write_one_line_each_and_the_english_names_work_too(cli, data_copy):
    path = data_copy / COMMITMENTS
    before = path.read_text(encoding="utf-8")
    result = cli("--data", str(data_copy), "elu", "aix-en-commun", "--date", "2026-03-22", "--tour", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "data/commitments.yaml : « aix-en-commun » est élue le 2026-03-22.\n"
    elected = path.read_text(encoding="utf-8")
    # after `note:` (line 22; the key before `elected` in the schema), nothing else touched
    assert changes(before, elected) == ["@@ -22,0 +23 @@", "+    elected: {date: 2026-03-22, round: 2}"]
    result = cli("--data", str(data_copy), "reply", "aix-en-commun", "--date", "2026-04-01", "--by", "Awa")
    assert result.exit_code == 0, result.stderr
    replied = path.read_text(encoding="utf-8")
    assert changes(elected, replied) == ["@@ -23,0 +24 @@", "+    reply: {confirmed_by: Awa, date: 2026-04-01}"]
    same = cli("--data", str(data_copy), "elected", "aix-en-commun", "--date", "2026-03-22", "--round", "2")
    assert same.stderr == "rien à changer : l’élection de « aix-en-commun » le 2026-03-22 est déjà enregistrée.\n"
    # A corrected date replaces the recorded one, in place.
    cli("--data", str(data_copy), "elu", "aix-en-commun", "--date", "2026-03-23")
    assert changes(replied, path.read_text(encoding="utf-8")) == [
        "@@ -23 +23 @@",
        "-    elected: {date: 2026-03-22, round: 2}",
        "+    elected: {date: 2026-03-23}",
    ]
    listed = {r["id"]: r for r in json.loads(cli("--data", str(data_copy), "lists", "-f", "json").stdout)}
    assert (listed["aix-en-commun"]["elected"], listed["aix-en-commun"]["reply"]) == ("2026-03-23", "Awa le 2026-04-01")


def test_refused_writes_leave_the_file_as_it_was(cli, data_copy):
    path = data_copy / COMMITMENTS
    before = path.read_text(encoding="utf-8")
    unknown = cli("--data", str(data_copy), "elu", "aix-en-comun", "--date", "2026-03-22")
    assert unknown.exit_code == 2
    assert "liste « aix-en-comun » inconnue" in unknown.stderr and "aix-en-commun" in unknown.stderr
    future = cli("--data", str(data_copy), "elu", "aix-en-commun", "--date", "2999-03-22")
    assert future.exit_code == 1
    assert "data/commitments.yaml:23:21: erreur: date 2999-03-22 dans le futur" in future.stderr
    assert "Traceback" not in future.stderr
    unknown_source = cli(
        "--data", str(data_copy), "reponse", "aix-en-commun", "--date", "2026-04-01", "--par", "Awa", "--source", "x"
    )
    assert unknown_source.exit_code == 1 and "source « x » inconnue" in unknown_source.stderr
    new_without_name = cli(
        "--data", str(data_copy), "fusion", "t", "--de", PARTS[0], "--de", PARTS[1], "--date", "2026-03-17"
    )
    assert new_without_name.exit_code == 1 and "--nom" in new_without_name.stderr
    assert path.read_text(encoding="utf-8") == before
    assert merge(cli, data_copy).exit_code == 0
    merged = path.read_text(encoding="utf-8")
    twice = cli(
        "--data",
        str(data_copy),
        "merge",
        "other",
        "--from",
        PARTS[0],
        "--from",
        "sol",
        "--date",
        "2026-03-17",
        "--name",
        "O",
    )
    assert twice.exit_code == 2 and "liste « sol » inconnue" in twice.stderr
    again = cli(
        "--data",
        str(data_copy),
        "merge",
        "other",
        "--from",
        PARTS[0],
        "--from",
        PARTS[1],
        "--date",
        "2026-03-17",
        "--name",
        "O",
    )
    assert again.exit_code == 1
    assert "la liste « aix-en-commun » est déjà fusionnée dans « second-tour »" in again.stderr
    assert path.read_text(encoding="utf-8") == merged


# --- Validation --------------------------------------------------------------------------------


def test_merger_rules_are_file_line_col_errors(cli, data_copy):
    path = data_copy / COMMITMENTS
    text = path.read_text(encoding="utf-8")
    start = text.count("\n") + 1  # the first line appended
    path.write_text(
        text
        + "  - id: m1\n"
        + "    name: M1\n"
        + "    merged_from: {lists: [aix-en-commun, aix-en-comun, m1], date: 2026-03-17}\n"
        + "    commitments: []\n"
        + "  - id: m2\n"
        + "    name: M2\n"
        + "    merged_from: {lists: [aix-en-commun, programme-solidarite], date: 2026-03-17}\n"
        + "    commitments: []\n"
        + "  - id: c1\n"
        + "    name: C1\n"
        + "    merged_from: {lists: [c2, m2], date: 2026-03-17}\n"
        + "    commitments: []\n"
        + "  - id: c2\n"
        + "    name: C2\n"
        + "    merged_from: {lists: [c1, programme-solidarite], date: 2999-03-17}\n"
        + "    commitments: []\n",
        encoding="utf-8",
    )
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    # in the order of the file (c1's cycle once, at c1)
    m1, m2, c1, c2 = start + 2, start + 6, start + 10, start + 14
    assert result.stderr.splitlines() == [
        f"data/commitments.yaml:{m1}:42: erreur: liste « aix-en-comun » inconnue ; vouliez-vous dire « aix-en-commun » ?",
        f"data/commitments.yaml:{m1}:56: erreur: la liste « m1 » ne peut pas fusionner avec elle-même",
        f"data/commitments.yaml:{m2}:27: erreur: la liste « aix-en-commun » est déjà fusionnée dans « m1 » (ligne {m1}) : "
        "une liste ne peut fusionner que dans une seule",
        f"data/commitments.yaml:{c1}:26: erreur: fusion circulaire : c1 → c2 → c1 (une liste ne peut pas hériter d’elle-même)",
        f"data/commitments.yaml:{c2}:31: erreur: la liste « programme-solidarite » est déjà fusionnée dans « m2 » "
        f"(ligne {m2}) : une liste ne peut fusionner que dans une seule",
        f"data/commitments.yaml:{c2}:60: erreur: date 2999-03-17 dans le futur",
    ]


def test_a_merger_of_one_list_or_of_a_public_partner_is_refused(cli, data_copy):
    path = data_copy / COMMITMENTS
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 3
    path.write_text(
        text + "  - id: m\n    name: M\n    merged_from: {lists: [aix-en-commun, aix-en-commun], date: 2026-03-17}\n"
        "    commitments: []\n",
        encoding="utf-8",
    )
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"data/commitments.yaml:{line}:26: erreur: une fusion réunit au moins deux listes",
        f"data/commitments.yaml:{line}:42: erreur: liste « aix-en-commun » en double dans la fusion",
    ]


# --- Views -------------------------------------------------------------------------------------


def test_merging_changes_no_part_number_and_the_merged_cells_are_the_union(cli, data_copy):
    before = coverage_json(cli, data_copy)
    assert merge(cli, data_copy).exit_code == 0
    after = coverage_json(cli, data_copy)
    assert coverage_json(cli, data_copy) == after  # read back from the cache: the same, origins included
    part_cells = [c for c in after["cells"] if c["list"] != "second-tour"]
    assert part_cells == before["cells"]
    assert [s for s in after["summary"] if s["list"] != "second-tour"] == before["summary"]
    assert [c for c in after["lists"] if c["id"] != "second-tour"] == before["lists"]
    sizes = bundled_sizes()
    (column,) = [c for c in after["lists"] if c["id"] == "second-tour"]
    assert column["pledges"] == sizes[PARTS[0]] + sizes[PARTS[1]]
    assert (column["merged_from"], column["inherits"]) == (list(PARTS), list(PARTS))
    assert "elected" not in column
    cells = {(c["request"], c["list"]): c for c in after["cells"]}
    levels = {"absent": 0, "partial": 1, "covered": 2}
    for request in {c["request"] for c in after["cells"]}:
        merged = cells[(request, "second-tour")]
        parts = [cells[(request, p)] for p in PARTS]
        assert merged["count"] == sum(p["count"] for p in parts)
        assert merged["confirmed_count"] == sum(p["confirmed_count"] for p in parts)
        assert set(merged["covered"]) == {x for p in parts for x in p["covered"]}
        assert levels[merged["level"]] == max(levels[p["level"]] for p in parts)
        expected_origin = {
            x: part for part, cell in zip(PARTS, parts, strict=True) for x in (*cell["covered"], *cell["partial"])
        }
        assert merged.get("origin", {}) == expected_origin
    assert any(cells[(r, "second-tour")].get("origin") for r in {c["request"] for c in after["cells"]})
    # the parts' cells carry no `origin`: only a merged list inherits
    assert all("origin" not in c for c in part_cells)


def test_the_elected_list_is_marked_in_the_coverage_header_and_json(cli, data_copy):
    assert merge(cli, data_copy).exit_code == 0
    assert cli("--data", str(data_copy), "elu", "second-tour", "--date", "2026-03-22").exit_code == 0
    data = coverage_json(cli, data_copy)
    elected = {c["id"]: c.get("elected") for c in data["lists"]}
    assert elected == {"aix-en-commun": None, "programme-solidarite": None, "second-tour": "2026-03-22"}
    table = cli("--data", str(data_copy), "coverage").stdout
    assert "★ élue le" in table and "2026-03-22" in table
    for fmt in ("md", "html"):
        page = cli("--data", str(data_copy), "export", "--format", fmt, "-o", "-")
        assert page.exit_code == 0, page.stderr
        assert "★ élue le 2026-03-22" in page.stdout and "fusion de aix-en-commun + programme-solidarite" in page.stdout
    gaps = json.loads(cli("--data", str(data_copy), "gaps", "-f", "json").stdout)
    by_list = {entry["list"]: entry for entry in gaps["lists"]}
    assert by_list["second-tour"]["elected"] == "2026-03-22"
    assert by_list["second-tour"]["merged_from"] == list(PARTS)
    # what the merged list leaves unanswered is what none of its parts answers
    assert set(by_list["second-tour"]["unanswered"]) == set(by_list[PARTS[0]]["unanswered"]) & set(
        by_list[PARTS[1]]["unanswered"]
    )


def test_show_gives_each_inherited_pledge_its_origin(cli, data_copy):
    assert merge(cli, data_copy).exit_code == 0
    found = json.loads(cli("--data", str(data_copy), "show", "q1", "-f", "json").stdout)
    lists = {entry["list"]: entry for entry in found["lists"]}
    merged = lists["second-tour"]
    assert merged["merged_from"] == list(PARTS)
    assert [p["commitment"] for p in merged["pledges"]] and all(
        p["inherited_from"] == p["list"] and p["list"] in PARTS for p in merged["pledges"]
    )
    assert sorted(p["commitment"] for p in merged["pledges"]) == sorted(
        p["commitment"] for part in PARTS for p in lists[part]["pledges"]
    )
    assert all("inherited_from" not in p for part in PARTS for p in lists[part]["pledges"])
    pledge = merged["pledges"][0]["commitment"]
    assert json.loads(cli("--data", str(data_copy), "show", pledge, "-f", "json").stdout)["merged_into"] == [
        "second-tour"
    ]
    text = cli("--data", str(data_copy), "show", "q1").stdout
    assert "hérité de aix-en-commun" in text and "fusion de aix-en-commun + programme-solidarite" in text


def test_the_export_names_the_part_of_each_inherited_link(cli, data_copy, tmp_path):
    assert merge(cli, data_copy).exit_code == 0
    out = tmp_path / "export.json"
    result = cli("--data", str(data_copy), "export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    links = json.loads(out.read_text(encoding="utf-8"))["links"]
    inherited = [link for link in links if link["list"] == "second-tour"]
    assert inherited and all(link["inherited_from"] in PARTS for link in inherited)
    assert all("inherited_from" not in link for link in links if link["list"] != "second-tour")
    # the merged list's links are its parts' links, one for one
    parts = sorted((link["request"], link["commitment"]) for link in links if link["list"] in PARTS)
    assert sorted((link["request"], link["commitment"]) for link in inherited) == parts


def test_the_bundled_data_records_no_election_merger_or_reply():
    import yaml

    model = CommitmentsFile.model_validate(yaml.safe_load((DATA / COMMITMENTS).read_text(encoding="utf-8")))
    assert all(lst.elected is None and lst.reply is None and lst.merged_from is None for lst in model.lists)


def test_a_rated_part_pledge_counts_for_the_merged_list_in_status_and_coverage(cli, data_copy):
    assert merge(cli, data_copy).exit_code == 0
    rated = cli(
        "--data",
        str(data_copy),
        "rate",
        "aec-q1-01",
        "en cours",
        "--date",
        "2026-09-28",
        "--source",
        "Délibération du conseil municipal",
        "--url",
        "https://example.org/deliberation",
    )
    assert rated.exit_code == 0, rated.stderr
    status = json.loads(cli("--data", str(data_copy), "status", "-f", "json").stdout)
    meters = {entry["list"]: entry for entry in status["lists"]}
    sizes = bundled_sizes()
    assert meters["second-tour"]["total"] == sizes[PARTS[0]] + sizes[PARTS[1]]
    assert meters["second-tour"]["counts"]["in_progress"] == meters[PARTS[0]]["counts"]["in_progress"] == 1
    # the entry is listed once, under the list the pledge is written under
    assert [(c["list"], c["pledge"]) for c in status["changes"]] == [(PARTS[0], "aec-q1-01")]
    summary = {row["list"]: row for row in coverage_json(cli, data_copy)["summary"]}
    assert summary["second-tour"]["statuses"] == meters["second-tour"]["counts"]
    assert summary[PARTS[0]]["statuses"] == meters[PARTS[0]]["counts"]


def test_a_merged_list_in_its_own_file_and_its_errors_there(cli, data_copy):
    lists = data_copy / "lists"
    lists.mkdir(exist_ok=True)
    own = lists / "union.yaml"
    own.write_text(
        "sources: []\n"
        "lists:\n"
        "  - id: union\n"
        "    name: Union\n"
        "    merged_from: {lists: [aix-en-commun, programme-solidaire], date: 2026-03-17}\n"
        "    commitments: []\n",
        encoding="utf-8",
    )
    result = cli("--data", str(data_copy), "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "data/lists/union.yaml:5:42: erreur: liste « programme-solidaire » inconnue ; "
        "vouliez-vous dire « programme-solidarite » ?"
    ]
    fixed = cli("--data", str(data_copy), "fusion", "union", "--de", PARTS[0], "--de", PARTS[1], "--date", "2026-03-17")
    assert fixed.exit_code == 1  # the file is invalid: no write on top of invalid data
    own.write_text(own.read_text(encoding="utf-8").replace("programme-solidaire", PARTS[1]), encoding="utf-8")
    assert cli("--data", str(data_copy), "validate").exit_code == 0
    elected = cli("--data", str(data_copy), "elu", "union", "--date", "2026-03-22")
    assert elected.stderr == "data/lists/union.yaml : « union » est élue le 2026-03-22.\n"
    columns = {c["id"]: c for c in coverage_json(cli, data_copy)["lists"]}
    assert columns["union"]["inherits"] == list(PARTS) and columns["union"]["elected"] == "2026-03-22"


def test_the_brief_of_a_merged_list_quotes_its_parts(cli, data_copy):
    assert merge(cli, data_copy).exit_code == 0
    result = cli("--data", str(data_copy), "brief", "second-tour", "--format", "md", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Rencontre avec Liste d’union du second tour\n")
    # both parts' sources are named, and a part's pledge is quoted with its place in its source
    assert "Lettre de la liste Aix en commun" in result.stdout and "chapitre « Solidarité »" in result.stdout
    # the first question's line counts the parts' pledges, as the coverage cell does
    cells = {c["request"]: c for c in coverage_json(cli, data_copy)["cells"] if c["list"] == "second-tour"}
    q1 = cells["q1"]
    assert f"✔ {q1['confirmed_count']} confirmés + ? {q1['suggested_count']} à vérifier" in result.stdout


def test_match_of_a_merged_list_gives_its_parts_rows_unchanged(cli, data_copy):
    before = json.loads(cli("--data", str(data_copy), "match", "-f", "json").stdout)
    assert merge(cli, data_copy).exit_code == 0
    merged = json.loads(cli("--data", str(data_copy), "match", "--list", "second-tour", "-f", "json").stdout)
    assert merged == [row for row in before if row["list"] in PARTS] and merged


def test_a_merged_lists_own_pledges_count_with_the_inherited_ones(cli, data_copy):
    assert merge(cli, data_copy).exit_code == 0
    path = data_copy / COMMITMENTS
    text = path.read_text(encoding="utf-8")
    assert text.endswith("    commitments: []\n")
    own = '    commitments:\n      - id: union-01\n        text: "Recréer une maison des associations."\n        answers: [q4]\n'
    path.write_text(text[: -len("    commitments: []\n")] + own, encoding="utf-8")
    data = coverage_json(cli, data_copy)
    cells = {(c["request"], c["list"]): c for c in data["cells"]}
    merged = cells[("q4", "second-tour")]
    assert "union-01" in merged["confirmed"] and "union-01" not in merged["origin"]
    assert merged["count"] == 1 + sum(cells[("q4", p)]["count"] for p in PARTS)
    (column,) = [c for c in data["lists"] if c["id"] == "second-tour"]
    assert column["pledges"] == 1 + sum(bundled_sizes().values())
    found = json.loads(cli("--data", str(data_copy), "show", "q4", "-f", "json").stdout)
    (entry,) = [e for e in found["lists"] if e["list"] == "second-tour"]
    (mine,) = [p for p in entry["pledges"] if p["commitment"] == "union-01"]
    assert "inherited_from" not in mine


def test_the_follow_up_sheet_of_a_merged_list_has_its_parts_pledges(cli, data_copy, tmp_path):
    assert merge(cli, data_copy).exit_code == 0
    out = tmp_path / "suivi.csv"
    result = cli("--data", str(data_copy), "sheet", "status", "-o", str(out), "--list", "second-tour")
    assert result.exit_code == 0, result.stderr
    sizes = bundled_sizes()
    assert result.stderr.endswith(f" : {sizes[PARTS[0]] + sizes[PARTS[1]]} engagement(s) à suivre.\n")


def test_lists_counts_a_merged_lists_pledges_as_coverage_does(cli, data_copy):
    before = {r["id"]: r for r in json.loads(cli("--data", str(data_copy), "lists", "-f", "json").stdout)}
    assert all("merged_from" not in row for row in before.values())
    assert merge(cli, data_copy).exit_code == 0
    rows = {r["id"]: r for r in json.loads(cli("--data", str(data_copy), "lists", "-f", "json").stdout)}
    merged = rows.pop("second-tour")
    assert merged["merged_from"] == list(PARTS)
    assert merged["commitments"] == sum(before[p]["commitments"] for p in PARTS)
    assert merged["links"] == sum(before[p]["links"] for p in PARTS)
    assert merged["answered"] is True  # one of its parts answered the collective
    assert {k: {f: v for f, v in r.items() if f != "merged_from"} for k, r in rows.items()} == before
    (column,) = [c for c in coverage_json(cli, data_copy)["lists"] if c["id"] == "second-tour"]
    assert (column["pledges"], column["answered"]) == (merged["commitments"], merged["answered"])
