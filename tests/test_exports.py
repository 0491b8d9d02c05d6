"""`engagements export`: the coverage matrix and its links as CSV, Markdown, JSON, HTML and xlsx."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA
from engagements import exports
from engagements.coverage import build
from engagements.exports import Export, ExportFormat

QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10a", "q10b", "q11"]

SMALL_REQUESTS = """\
collective:
  name: "Collectif <b>test</b>"
requests:
  - id: r1
    title: Hébergement d’urgence
    text: "Assurer un hébergement d’urgence inconditionnel."
    kind: question
    number: "1"
  - id: r2
    title: "Accès | droits"
    text: "Ouvrir un guichet d’accès aux droits."
    kind: question
    number: "2"
"""
SMALL_COMMITMENTS = """\
sources:
  - id: lettre
    title: "Lettre <i>test</i>"
    author: "Liste A"
    date: 2026-03-08
    kind: answer
lists:
  - id: liste-a
    name: "Liste A & co"
    sources: [lettre]
    commitments:
      - id: a-01
        text: '=HYPERLINK("http://example.com/x","clic")'
        answers: [r1]
        provenance: {source: lettre, section: "1- Logement", item: "3"}
      - id: a-02
        text: "- Créer des places d’hébergement d’urgence."
        answers: [{request: r1, by: Awa, date: 2026-03-20}]
      - id: a-03
        text: "Un guichet <script>document.title='pwned';alert(1)</script>\\na | b"
        answers: [r2]
  - id: liste-b
    name: "Liste B"
    commitments:
      - id: b-01
        text: "Planter des arbres."
"""
HYPERLINK = '=HYPERLINK("http://example.com/x","clic")'
DASH = "- Créer des places d’hébergement d’urgence."
SCRIPT = "Un guichet <script>document.title='pwned';alert(1)</script>\na | b"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A tiny data directory with hostile pledges: a formula, a leading dash, a script, a pipe."""
    directory = tmp_path / "small"
    directory.mkdir()
    (directory / "requests.yaml").write_text(SMALL_REQUESTS, encoding="utf-8")
    (directory / "commitments.yaml").write_text(SMALL_COMMITMENTS, encoding="utf-8")
    return directory


@dataclass
class Loaded:
    data: Any
    suggestions: list[Any]

    def export(self, level: str = "question", lists: list[str] | None = None, use_links: bool = True) -> Export:
        coverage = build(self.data, [s for s in self.suggestions if not lists or s.list in lists], level, lists)  # type: ignore[arg-type]
        return exports.prepare(self.data, coverage, self.suggestions, use_links=use_links)


def _load(directory: Path) -> Loaded:
    from engagements.checks import check
    from engagements.loading import load_directory
    from engagements.matching import match

    loaded = load_directory(directory)
    assert not check(loaded) and loaded.dataset is not None
    return Loaded(loaded.dataset, match(loaded.dataset))


@pytest.fixture(scope="module")
def bundled() -> Loaded:
    """The bundled data, loaded and matched once for the module (about a second)."""
    return _load(DATA)


@pytest.fixture
def small_export(small: Path) -> Export:
    return _load(small).export()


def _rows(content: bytes, *, excel: bool = False) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig" if excel else "utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))


# -- CSV and the Data Package -------------------------------------------------------------------


def test_csv_export_of_the_bundled_data_matches_coverage(cli, tmp_path):
    result = cli("--data", str(DATA), "export", "--format", "csv", "-o", "out")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "out/couverture.csv : écrit.",
        "out/liens.csv : écrit.",
        "out/datapackage.json : écrit.",
    ]
    out = tmp_path / "out"
    matrix_bytes = (out / "couverture.csv").read_bytes()
    assert not matrix_bytes.startswith(b"\xef\xbb\xbf")
    assert matrix_bytes.startswith(b"id,kind,number,axis,title,aix-en-commun_level,aix-en-commun_count,")
    assert matrix_bytes.count(b"\r\n") == 13 and b"\n" not in matrix_bytes.replace(b"\r\n", b"")
    matrix = _rows(matrix_bytes)
    links = _rows((out / "liens.csv").read_bytes())
    assert [r["id"] for r in matrix] == QUESTIONS
    q9 = matrix[QUESTIONS.index("q9")]
    assert (q9["number"], q9["title"]) == ("9", "Apprentissage du français")
    assert (q9["aix-en-commun_level"], q9["aix-en-commun_count"]) == ("covered", "1")

    # By default only what people confirmed: each cell as its confirmed links make it.
    coverage = json.loads(cli("--data", str(DATA), "coverage", "--format", "json").stdout)
    by_row = {r["id"]: r for r in matrix}
    assert "aix-en-commun_suggested" not in matrix[0]
    assert {link["source"] for link in links} == {"link"}
    for cell in coverage["cells"]:
        row = by_row[cell["request"]]
        assert row[f"{cell['list']}_level"] == ("covered" if cell["confirmed_count"] else "absent")
        assert row[f"{cell['list']}_count"] == str(cell["confirmed_count"])
        behind = [
            link["commitment"] for link in links if (link["request"], link["list"]) == (cell["request"], cell["list"])
        ]
        assert sorted(behind) == sorted(cell["confirmed"])
    assert any(cell["suggested_count"] for cell in coverage["cells"])

    # With --suggestions: the same cells as `coverage`, each link marked with its origin.
    assert cli("--data", str(DATA), "export", "--format", "csv", "--suggestions", "-o", "all").exit_code == 0
    full = {r["id"]: r for r in _rows((tmp_path / "all" / "couverture.csv").read_bytes())}
    every_link = _rows((tmp_path / "all" / "liens.csv").read_bytes())
    for cell in coverage["cells"]:
        row, lid = full[cell["request"]], cell["list"]
        assert row[f"{lid}_level"] == cell["level"]
        assert (row[f"{lid}_count"], row[f"{lid}_confirmed"], row[f"{lid}_suggested"]) == (
            str(cell["count"]),
            str(cell["confirmed_count"]),
            str(cell["suggested_count"]),
        )
        behind = [
            link for link in every_link if (link["request"], link["list"]) == (cell["request"], cell["list"])
        ]
        assert sorted(link["commitment"] for link in behind) == sorted(cell["covered"] + cell["partial"])
        assert sorted(link["commitment"] for link in behind if link["source"] == "link") == sorted(cell["confirmed"])
    for link in every_link:
        if link["source"] == "link":
            assert link["origin"].startswith("✔ confirmé"), link
        else:
            assert link["origin"] == f"? suggestion à vérifier (score {link['score']})", link
    sol = next(link for link in every_link if link["source"] == "link" and link["list"] == "programme-solidarite")
    assert sol["origin"] == "✔ confirmé par équipe engagements (relecture) le 2026-11-23"

    (aec_q9,) = [link for link in links if link["request"] == "q9" and link["list"] == "aix-en-commun"]
    assert aec_q9["commitment"] == "aec-q9-01"
    assert (
        aec_q9["commitment_text"]
        == "Soutenir les associations de traduction, d’interprétariat et d’apprentissage du français."
    )
    assert (aec_q9["level"], aec_q9["source"], aec_q9["list_name"]) == ("covered", "link", "Aix en commun")
    assert aec_q9["provenance_title"].startswith("Lettre de la liste Aix en commun")
    assert aec_q9["provenance_section"].startswith("9- Sur l")
    assert aec_q9["provenance_line"] == "601"
    assert 0 <= int(aec_q9["score"]) <= 100

    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    assert [r["path"] for r in package["resources"]] == ["couverture.csv", "liens.csv"]
    for name, rows in (("couverture", matrix), ("liens", links)):
        resource = resources[name]
        assert [f["name"] for f in resource["schema"]["fields"]] == list(rows[0])
        assert all(f["description"] for f in resource["schema"]["fields"])
        assert (resource["encoding"], resource["dialect"]["delimiter"]) == ("utf-8", ",")
    assert resources["couverture"]["schema"]["primaryKey"] == ["id"]
    fields = {f["name"]: f for f in resources["liens"]["schema"]["fields"]}
    assert fields["score"]["type"] == "integer"
    assert fields["level"]["constraints"]["enum"] == ["covered", "partial"]
    assert "Texte de l’engagement" in fields["commitment_text"]["description"]


def test_csv_excel_has_a_bom_and_semicolons(bundled):
    files = exports.csv_files(bundled.export(), excel=True)
    assert list(files) == ["couverture.csv", "liens.csv", "datapackage.json"]
    matrix_bytes = files["couverture.csv"]
    assert matrix_bytes.startswith(b"\xef\xbb\xbfid;kind;number;axis;title;aix-en-commun_level;aix-en-commun_count;")
    matrix = _rows(matrix_bytes, excel=True)
    assert [r["id"] for r in matrix] == QUESTIONS
    assert matrix[8]["aix-en-commun_count"] == "1"
    links = _rows(files["liens.csv"], excel=True)
    assert any(link["commitment"] == "aec-q9-01" for link in links)
    package = json.loads(files["datapackage.json"])
    assert {r["dialect"]["delimiter"] for r in package["resources"]} == {";"}
    assert {r["encoding"] for r in package["resources"]} == {"utf-8-sig"}


def test_formulas_are_neutralised_in_csv(cli, small, tmp_path):
    for fmt, excel in (("csv", False), ("csv-excel", True)):
        result = cli("--data", str(small), "export", "-f", fmt, "-o", fmt)
        assert result.exit_code == 0, result
        texts = {
            r["commitment"]: r["commitment_text"]
            for r in _rows((tmp_path / fmt / "liens.csv").read_bytes(), excel=excel)
        }
        assert texts["a-01"] == "'" + HYPERLINK
        assert texts["a-02"] == "'" + DASH
        # Quoted, the newline stays inside its cell; the text does not begin with a formula sign.
        assert texts["a-03"] == SCRIPT


def test_level_and_lists_options(cli, small, tmp_path):
    result = cli("--data", str(small), "export", "-f", "csv", "-o", "out", "--list", "liste-b", "--level", "all")
    assert result.exit_code == 0, result
    matrix = _rows((tmp_path / "out" / "couverture.csv").read_bytes())
    assert list(matrix[0]) == ["id", "kind", "number", "axis", "title", "liste-b_level", "liste-b_count"]
    assert [(r["id"], r["liste-b_level"]) for r in matrix] == [("r1", "absent"), ("r2", "absent")]
    assert _rows((tmp_path / "out" / "liens.csv").read_bytes()) == []


# -- JSON and Markdown ----------------------------------------------------------------------------


def test_json_holds_the_coverage_and_its_links(bundled):
    export = bundled.export()
    payload = json.loads(exports.to_json(export))
    assert set(payload) == {"coverage", "links", "with_suggestions"}
    assert payload["coverage"] == export.coverage.to_dict()
    assert [r["id"] for r in payload["coverage"]["requests"]] == QUESTIONS
    (link,) = [x for x in payload["links"] if x["request"] == "q9" and x["list"] == "aix-en-commun"]
    assert link["commitment"] == "aec-q9-01" and link["level"] == "covered" and link["source"] == "link"
    assert link["provenance"]["line"] == 601 and isinstance(link["why"], list)
    assert link["confirmed"] is True and link["origin"].startswith("✔ confirmé")
    assert all(x["origin"].startswith("? suggestion") for x in payload["links"] if x["source"] == "matcher")


def test_markdown_of_the_bundled_data(bundled):
    text = exports.to_markdown(bundled.export())
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| id |"))
    rows = lines[header + 2 : header + 2 + len(QUESTIONS)]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == QUESTIONS
    assert rows[8].startswith("| q9 | 9 | Apprentissage du français | ● ✔ 1 confirmé | ")
    assert "| q9 | Aix en commun | aec-q9-01 | Soutenir les associations de traduction" in text
    assert "Légende : ● couvert · ◐ partiel · ○ absent" in text


def test_markdown_of_the_demands_has_an_axis_column(bundled):
    text = exports.to_markdown(bundled.export(level="demand"))
    # No fine demand has a confirmed link yet: the headers say so.
    assert "| id | n° | axe | Demande | Aix en commun (aucun lien confirmé) |" in text
    assert "| q1 |" not in text


def _handmade() -> Export:
    """An export built by hand, so that whole outputs do not move when the matcher is tuned."""
    from engagements.coverage import Cell, Column, Coverage, Row
    from engagements.exports import Link, Origin

    coverage = Coverage(
        "question",
        [
            Row("r1", "Hébergement d’urgence", "…", "question", "1", None, None),
            Row("r2", "Accès | droits", "…", "question", "2", None, None),
        ],
        [Column("liste-a", "Liste A & co", True, 3), Column("liste-b", "Liste <B>", False, 1)],
    )
    coverage.cells[("r1", "liste-a")] = Cell("r1", "liste-a", "covered", ("a-01",), (), ("a-01",))
    coverage.cells[("r2", "liste-a")] = Cell("r2", "liste-a", "covered", ("a-03",), (), ("a-03",))
    coverage.cells[("r2", "liste-b")] = Cell("r2", "liste-b", "partial", (), ("b-01",))
    prov = {
        "source": "lettre",
        "title": "Lettre <i>test</i>",
        "section": "1- Logement",
        "subsection": None,
        "item": "3",
        "line": 12,
    }
    links = [
        Link(
            "r1",
            "Hébergement d’urgence",
            "liste-a",
            "Liste A & co",
            "a-01",
            HYPERLINK,
            "covered",
            65,
            "link",
            ("hyperlink",),
            "Awa",
            "2026-03-20",
            prov,
        ),
        Link(
            "r2",
            "Accès | droits",
            "liste-a",
            "Liste A & co",
            "a-03",
            SCRIPT,
            "covered",
            100,
            "link",
            ("guichet", "[Accès aux droits]"),
        ),
        Link("r2", "Accès | droits", "liste-b", "Liste <B>", "b-01", DASH, "partial", 30, "matcher", ("accès",)),
    ]
    return Export(
        coverage,
        links,
        [Origin("Lettre <i>test</i>", "Liste A", "2026-03-08", "answer")],
        "Collectif <b>test</b>",
    )


def test_markdown_whole():
    assert exports.to_markdown(_handmade()) == (
        "# Couverture des questions du collectif\n"
        "\n"
        "Collectif : Collectif &lt;b&gt;test&lt;/b&gt;\n"
        "\n"
        "Liens confirmés par une personne (✔) et suggestions de l’appariement automatique à vérifier (?), "
        "chacun marqué.\n"
        "\n"
        "| id | n° | Demande | Liste A &amp; co | Liste &lt;B&gt; \\* (aucun lien confirmé) |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| r1 | 1 | Hébergement d’urgence | ● ✔ 1 confirmé | ○ |\n"
        "| r2 | 2 | Accès \\| droits | ● ✔ 1 confirmé | ◐ ? 1 à vérifier |\n"
        "|  |  | **Part couverte** | 2/2 (100 %) · ✔ 2 confirmées | 0/2 (0 %) · ✔ 0 confirmée |\n"
        "\n"
        "Légende : ● couvert · ◐ partiel · ○ absent · ✔ confirmé par une personne · "
        "? suggestion de l’appariement, à vérifier (le nombre est celui des engagements en cause ; "
        "\\* = liste qui n’a pas répondu au collectif)\n"
        "\n"
        "## Liens entre engagements et demandes\n"
        "\n"
        "| Demande | Liste | Engagement | Texte | Niveau | Score | Origine | Pourquoi | Source |\n"
        "| --- | --- | --- | --- | --- | ---: | --- | --- | --- |\n"
        '| r1 | Liste A &amp; co | a-01 | =HYPERLINK("http://example.com/x","clic") | ● couvert | 65 '
        "| ✔ confirmé par Awa le 2026-03-20 | hyperlink | Lettre &lt;i&gt;test&lt;/i&gt; › 1- Logement › article 3 › ligne 12 |\n"
        "| r2 | Liste A &amp; co | a-03 | Un guichet &lt;script&gt;document.title='pwned';alert(1)&lt;/script&gt; a \\| b "
        "| ● couvert | 100 | ✔ confirmé (qui et quand non notés) | guichet, \\[Accès aux droits\\] |  |\n"
        "| r2 | Liste &lt;B&gt; | b-01 | - Créer des places d’hébergement d’urgence. | ◐ partiel | 30 "
        "| ? suggestion à vérifier (score 30) | accès |  |\n"
        "\n"
        "## Sources des données\n"
        "\n"
        "- Lettre &lt;i&gt;test&lt;/i&gt; — Liste A, 2026-03-08 (réponse adressée au collectif)\n"
    )


def test_markdown_cell_text():
    assert exports.md_text("a | b\n<b>c</b> *d* [e](f) `g` \\") == (
        "a \\| b &lt;b&gt;c&lt;/b&gt; \\*d\\* \\[e\\](f) \\`g\\` \\\\"
    )
    assert exports.md_text(None) == ""


# -- xlsx -----------------------------------------------------------------------------------------


def test_xlsx_of_the_bundled_data(bundled):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(bundled.export())))
    assert book.sheetnames == ["Couverture", "Liens"]
    matrix, links = book["Couverture"], book["Liens"]
    for sheet in (matrix, links):
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 6
    header = [c.value for c in matrix[1]]
    assert header[:7] == [
        "id",
        "type",
        "n°",
        "axe",
        "intitulé",
        "Aix en commun : niveau",
        "Aix en commun : nombre",
    ]
    rows = list(matrix.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == QUESTIONS
    assert rows[8][:7] == ("q9", "question", "9", None, "Apprentissage du français", "covered", 1)
    assert any(r[4] == "aec-q9-01" and r[0] == "q9" for r in links.iter_rows(min_row=2, values_only=True))


def test_formulas_are_text_in_xlsx(cli, small, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    result = cli("--data", str(small), "export", "-o", "out.xlsx")
    assert result.exit_code == 0, result
    assert result.stderr == "out.xlsx : écrit.\n"
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Liens"]
    cells = {row[4].value: row[5] for row in sheet.iter_rows(min_row=2)}
    assert (cells["a-01"].value, cells["a-01"].data_type) == ("'" + HYPERLINK, "s")
    assert (cells["a-02"].value, cells["a-02"].data_type) == ("'" + DASH, "s")
    assert cells["a-03"].value == SCRIPT


def test_xlsx_without_openpyxl_says_what_to_install(cli, small, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # makes `import openpyxl` fail
    result = cli("--data", str(small), "export", "-f", "xlsx", "-o", "out.xlsx")
    assert result.exit_code == 1
    assert result.stderr == (
        "engagements: erreur: le format xlsx demande openpyxl ; installez l’extra : pip install 'engagements[xlsx]'\n"
    )
    assert not (tmp_path / "out.xlsx").exists()


# -- HTML -----------------------------------------------------------------------------------------


def test_html_is_accessible_escaped_and_self_contained(small_export):
    page = exports.to_html(small_export)
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<caption>Couverture des questions du collectif : une ligne par demande" in page
    assert page.count('<th scope="col"') == 3 and page.count('<th scope="row"') == 3
    assert '<th scope="col" data-list="liste-a">Liste A &amp; co</th>' in page
    # Colour plus symbol plus word, and the pledges behind the cell in a <details>.
    assert (
        '<td class="level-covered" data-list="liste-a"><details><summary>'
        '<span class="sym" aria-hidden="true">●</span> couvert <br><span class="ok">'
        '<span class="sym" aria-hidden="true">✔</span> 2 confirmés</span></summary>'
    ) in page
    assert (
        '<td class="level-absent" data-list="liste-b"><span class="sym" aria-hidden="true">○</span> absent</td>' in page
    )
    assert "<blockquote>« =HYPERLINK(&quot;http://example.com/x&quot;,&quot;clic&quot;) »</blockquote>" in page
    assert "Source : Lettre &lt;i&gt;test&lt;/i&gt; › 1- Logement › article 3" in page
    # Data text is escaped everywhere: the only script is ours.
    assert "Un guichet &lt;script&gt;document.title=&#x27;pwned&#x27;;alert(1)&lt;/script&gt;\na | b" in page
    assert "Accès | droits" in page and "Collectif &lt;b&gt;test&lt;/b&gt;" in page
    assert page.count("<script") == 1 and "<b>" not in page and "<i>" not in page
    # Works offline: nothing is fetched.
    for fetch in ("src=", "href=", "url(", "@import", "<link", "<img", "<iframe"):
        assert fetch not in page
    # The filter shows itself from the script; without it, nothing else is hidden.
    assert '<form id="filter" class="filter" hidden>' in page and page.count(" hidden") == 1
    assert '<input type="checkbox" name="list" value="liste-b" checked> Liste B' in page
    assert "@media print" in page and "details::details-content" in page
    assert '<svg id="chart" role="img"' in page
    assert "2 couvertes, 0 partielles, sur 2 (100 %)" in page
    assert (
        "<footer>" in page
        and "Lettre &lt;i&gt;test&lt;/i&gt; — Liste A, 2026-03-08 (réponse adressée au collectif)" in page
    )


def test_html_groups_demands_by_axis(bundled):
    page = exports.to_html(bundled.export(level="demand"))
    assert page.count('<th scope="rowgroup" class="axis"') == 3
    assert "<title>Couverture des demandes du collectif</title>" in page


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def test_html_in_a_headless_browser(small_export, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium introuvable (/usr/bin/chromium ou chromium dans le PATH) : page non rendue")
    page = tmp_path / "couverture.html"
    page.write_bytes(exports.to_html(small_export).encode("utf-8"))
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    # Our script ran: it marked the page and showed the filter...
    assert '<html lang="fr" data-filter="ready">' in dom
    assert '<form id="filter" class="filter">' in dom
    # ...and the fixture's did not: it is text, and the title it would have set is unchanged.
    assert "<title>Couverture des questions du collectif</title>" in dom and "pwned</title>" not in dom
    assert "Un guichet &lt;script&gt;document.title='pwned';alert(1)&lt;/script&gt;" in dom
    assert dom.count("<script") == 1
    # The matrix as the browser built it.
    assert dom.count('<tr id="demande-') == 2
    assert '<th scope="row"><span class="num">2</span> Accès | droits</th>' in dom
    assert dom.count('<td class="level-covered" data-list="liste-a">') == 2
    assert dom.count('<td class="level-absent" data-list="liste-b">') == 2


# -- usage and data errors ------------------------------------------------------------------------


def test_format_from_the_file_name(cli, small, tmp_path):
    result = cli("--data", str(small), "export", "-o", "couverture.html")
    assert result.exit_code == 0, result
    assert (tmp_path / "couverture.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = cli("--data", str(small), "export", "-o", "tableau")
    assert result.exit_code == 2
    assert "précisez --format" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "pdf", "-o", "x.pdf"], "valeur invalide « pdf » pour --format : au choix csv, csv-excel, md, json, html, xlsx"),
        (["-f", "md"], "option obligatoire manquante : --output"),
        (["-f", "md", "-o", "adir"], "adir est un dossier : avec --format md, -o désigne un fichier"),
        (
            ["-f", "csv", "-o", "afile.csv"],
            "afile.csv est un fichier : avec --format csv, -o désigne un dossier",
        ),
        (
            ["-f", "md", "-o", "x.md", "-l", "liste-bb"],
            "liste « liste-bb » inconnue ; vouliez-vous dire « liste-b » ?",
        ),
    ],
)
def test_usage_errors(cli, small, tmp_path, args, message):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile.csv").write_text("", encoding="utf-8")
    result = cli("--data", str(small), "export", *args)
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert not (tmp_path / "x.md").exists()


def test_invalid_data_exits_1_with_diagnostics(cli, small, tmp_path):
    (small / "commitments.yaml").write_text(
        SMALL_COMMITMENTS.replace("answers: [r2]", "answers: [r3]"), encoding="utf-8"
    )
    result = cli("--data", str(small), "export", "-f", "json", "-o", "out.json")
    assert result.exit_code == 1
    assert "commitments.yaml:" in result.stderr and "« r3 »" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_every_format_has_a_renderer(small_export, tmp_path):
    for fmt in ExportFormat:
        files = exports.render(small_export, fmt, tmp_path / "out")
        assert files and all(isinstance(content, bytes) and content for content in files.values())
        if fmt.writes_directory:
            assert sorted(p.name for p in files) == ["couverture.csv", "datapackage.json", "liens.csv"]
        else:
            assert list(files) == [tmp_path / "out"]


def test_without_links_the_footer_says_so(small):
    from engagements.matching import match

    data = _load(small).data
    suggestions = match(data, use_links=False)
    export = exports.prepare(data, build(data, suggestions), suggestions, use_links=False)
    assert all(link.source == "matcher" for link in export.links)
    assert "Niveaux établis par l’appariement automatique seul" in exports.to_html(export)
