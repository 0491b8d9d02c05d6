"""The spreadsheet round-trip: `sheet status` writes the sheet, `apply` reads it back filled, all
rows in one checked write or none, each bad row named as the spreadsheet numbers it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagements import sheet
from engagements.loading import load_directory
from engagements.safety import visible
from engagements.tables import neutralise
from test_meter import make
from test_terminal_safety import RAW, hostile_copy

HEADER = "id;liste;engagement;statut actuel;nouveau statut;date;source;lien;citation;explication"


def history(directory: Path, pledge: str) -> list[tuple[str, dt.date]]:
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    found = {c.id: c for lst in loaded.dataset.commitments.lists for c in lst.commitments}
    return [(e.status, e.date) for e in found[pledge].history]


def test_sheet_status_csv_is_french_excel(cli, tmp_path):
    directory = make(tmp_path)
    result = cli("--data", str(directory), "sheet", "status", "-o", "suivi.csv")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "suivi.csv : 3 engagement(s) à suivre.\n")
    raw = (tmp_path / "suivi.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").split("\r\n") == [
        HEADER,
        "p1;Liste un;Créer des places d'hébergement.;non évalué;;;;;;",
        "p2;Liste un;Ouvrir une maison des associations.;non évalué;;;;;;",
        "p3;Liste deux;Un guichet unique.;non évalué;;;;;;",
        "",
    ]
    assert cli("--data", str(directory), "sheet", "status", "-o", "suivi.ods").exit_code == 2


def test_filled_french_csv_with_one_bad_row_changes_nothing_then_applies_once(cli, tmp_path):
    directory = make(tmp_path)
    data_file = directory / "commitments.yaml"
    before = data_file.read_bytes()
    rows = [
        HEADER,
        "p1;Liste un;…;non évalué;tenu;12/05/2026;Délibération;;crée 40 places;Votée.",
        "p2;Liste un;…;non évalué;;;;;;",
        "p3;Liste deux;…;non évalué;tenu-ish;2026-05-12;Article;https://example.org/a;;",
    ]
    filled = tmp_path / "suivi.csv"
    filled.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    result = cli("--data", str(directory), "apply", "suivi.csv")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "suivi.csv:4: erreur: statut inconnu « tenu-ish » ; vouliez-vous dire « tenu » ?\n"
        "engagements: erreur: 1 ligne(s) en erreur : rien n’a été enregistré\n"
    )
    assert data_file.read_bytes() == before

    filled.write_bytes(filled.read_bytes().replace(b"tenu-ish", b"en cours"))
    result = cli("--data", str(directory), "apply", "suivi.csv", "--dry-run")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "ligne 2 : « p1 » : tenu le 2026-05-12",
        "ligne 4 : « p3 » : en cours le 2026-05-12",
        "--dry-run : 2 constat(s) seraient enregistrés ; rien n’a été écrit.",
    ]
    assert data_file.read_bytes() == before

    result = cli("--data", str(directory), "apply", "suivi.csv")
    assert result.exit_code == 0, result
    assert result.stderr.endswith("commitments.yaml : 2 constat(s) enregistré(s).\n")
    assert history(directory, "p1") == [("kept", dt.date(2026, 5, 12))]
    assert history(directory, "p3") == [("in_progress", dt.date(2026, 5, 12))]
    applied = data_file.read_bytes()

    result = cli("--data", str(directory), "apply", "suivi.csv")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "rien à changer : la feuille ne contient aucun nouveau constat."
    assert data_file.read_bytes() == applied


def test_filled_xlsx_round_trip(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    directory = make(tmp_path)
    assert cli("--data", str(directory), "sheet", "status", "-o", "suivi.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "suivi.xlsx")
    page = book.active
    assert [c.value for c in page[1]] == HEADER.split(";")
    assert [c.value for c in page[3]][:4] == ["p2", "Liste un", "Ouvrir une maison des associations.", "non évalué"]
    # As a volunteer fills it: the drop-down's label, a date typed as a date, a link.
    page["E3"], page["F3"], page["G3"], page["H3"] = "rompu", dt.datetime(2026, 10, 1), "Le Journal", "https://example.org/j"
    page["J3"] = "Le projet est abandonné."
    book.save(tmp_path / "suivi.xlsx")
    result = cli("--data", str(directory), "apply", "suivi.xlsx")
    assert result.exit_code == 0, result
    assert result.stderr.splitlines()[0] == "ligne 3 : « p2 » : rompu le 2026-10-01"
    assert history(directory, "p2") == [("broken", dt.date(2026, 10, 1))]
    text = (directory / "commitments.yaml").read_text(encoding="utf-8")
    assert '            note: "Le projet est abandonné."\n' in text
    assert "# la plus attendue" in text
    # Written again from the new data, the sheet shows the current status.
    assert cli("--data", str(directory), "sheet", "status", "-o", "suivi2.xlsx").exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "suivi2.xlsx").active["D3"].value == "rompu"


def test_every_bad_row_is_reported_at_its_row(cli, tmp_path):
    directory = make(tmp_path)
    before = (directory / "commitments.yaml").read_bytes()
    # English headers, commas, Windows-1252 (as Excel saves « CSV » on Windows), columns in another order.
    rows = [
        "new status,id,date,source,quote,link,explanation",
        "kept,p9,2026-05-12,Article,,https://example.org,",
        "kept,p1,2026-02-30,Article,,https://example.org,",
        "kept,p1,2026-05-12,,,,sans preuve",
        "broken,p1,2999-01-01,Article,,https://example.org,",
        "kept,p2,2026-05-12,Délibération,crée 40 places,,",
        ",p3,2026-05-12,,,,",
        "stalled,p3,,Article,,https://example.org,",
    ]
    (tmp_path / "suivi.csv").write_bytes("\r\n".join(rows).encode("cp1252"))
    result = cli("--data", str(directory), "apply", "suivi.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "suivi.csv:2: erreur: engagement « p9 » inconnu",
        "suivi.csv:3: erreur: date impossible « 2026-02-30 » : ce jour n’existe pas au calendrier",
        "suivi.csv:4: erreur: statut « tenu » sans preuve : indiquez une source et une citation ou un lien",
        "suivi.csv:5: erreur: date 2999-01-01 dans le futur : un constat se date du jour où il est fait",
        "suivi.csv:7: erreur: « nouveau statut » vide alors que la ligne est remplie : indiquez le statut",
        "suivi.csv:8: erreur: date manquante : indiquez le jour du constat (AAAA-MM-JJ)",
        "engagements: erreur: 6 ligne(s) en erreur : rien n’a été enregistré",
    ]
    assert (directory / "commitments.yaml").read_bytes() == before


def test_a_sheet_without_its_columns_is_refused(cli, tmp_path):
    directory = make(tmp_path)
    (tmp_path / "suivi.csv").write_text("identifiant;statut\np1;tenu\n", encoding="utf-8")
    result = cli("--data", str(directory), "apply", "suivi.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "suivi.csv:1: erreur: colonne(s) manquante(s) : « id », « nouveau statut » ; en-têtes attendus : "
        + ", ".join(HEADER.split(";"))
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-05-12", dt.date(2026, 5, 12)), ("12/05/2026", dt.date(2026, 5, 12)), ("1/5/2026", dt.date(2026, 5, 1)),
     (dt.datetime(2026, 5, 12, 0, 0), dt.date(2026, 5, 12)), ("31/02/2026", "date impossible « 31/02/2026 » : ce jour n’existe pas au calendrier"),
     ("mai 2026", "date « mai 2026 » illisible : attendu AAAA-MM-JJ ou JJ/MM/AAAA")],
)
def test_cell_dates(value, expected):
    assert sheet.parse_cell_date(value) == expected


def test_review_sheet_round_trip_on_the_bundled_data(cli, data_copy, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    result = cli("--data", str(data_copy), "sheet", "review", "-o", "relecture.xlsx", "--list", "programme-solidarite")
    assert result.exit_code == 0, result
    book = openpyxl.load_workbook(tmp_path / "relecture.xlsx")
    page = book.active
    assert [c.value for c in page[1]] == ["id", "engagement", "demande", "score", "pourquoi", "décision"]
    rows = [[c.value for c in row] for row in page.iter_rows(min_row=2)]
    assert rows and all(r[0].startswith("sol-") and r[5] is None for r in rows)
    assert [int(r[3]) for r in rows] == sorted((int(r[3]) for r in rows), reverse=True)
    (first_pledge, _text, first_request, *_rest), second = rows[0], rows[1]
    page["F2"], page["F3"], page["F4"] = "o", "r", "peut-être"
    book.save(tmp_path / "relecture.xlsx")
    before = (data_copy / "commitments.yaml").read_bytes()
    result = cli("--data", str(data_copy), "apply", "relecture.xlsx")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "relecture.xlsx:4: erreur: décision « peut-être » inconnue : o (confirmer) ou r (rejeter)"
    )
    assert (data_copy / "commitments.yaml").read_bytes() == before

    page["F4"] = None
    book.save(tmp_path / "relecture.xlsx")
    result = cli("--data", str(data_copy), "apply", "relecture.xlsx")
    assert result.exit_code == 0, result
    request_id = first_request.split(" : ")[0]
    assert result.stderr.splitlines()[:2] == [
        f"ligne 2 : « {first_pledge} » répond à « {request_id} »",
        f"ligne 3 : « {second[2].split(' : ')[0]} » écartée pour « {second[0]} »",
    ]
    loaded = load_directory(data_copy)
    pledges = {c.id: c for lst in loaded.dataset.commitments.lists for c in lst.commitments}
    assert request_id in {link.request for link in pledges[first_pledge].answers}
    assert second[2].split(" : ")[0] in {link.request for link in pledges[second[0]].rejects}
    applied = (data_copy / "commitments.yaml").read_bytes()
    result = cli("--data", str(data_copy), "apply", "relecture.xlsx")
    assert result.stderr.splitlines()[-1] == "rien à changer : la feuille ne contient aucune nouvelle décision."
    assert (data_copy / "commitments.yaml").read_bytes() == applied


# --- Properties: any cell survives the CSV round trip; no cell makes `plan` raise -----------------

CELLS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
BOUNDED = settings(
    max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@BOUNDED
@given(st.lists(st.lists(CELLS, min_size=10, max_size=10), min_size=1, max_size=4))
def test_any_text_survives_the_french_excel_csv(tmp_path, cells):
    rows = [sheet.headers(), *cells]
    path = tmp_path / "suivi.csv"
    path.write_bytes(sheet.to_csv(rows))
    found = sheet.read_sheet(path, "suivi.csv")
    keys = [key for key, _french, _english in sheet.COLUMNS]
    # The csv module reads a lone carriage return as a line end, as spreadsheets do; control and
    # bidi characters are written as visible escapes (a lone carriage return too), as in every export.
    expected = [[str(neutralise(visible(c))).replace("\r\n", "\n").replace("\r", "\n") for c in row] for row in cells]
    got = [[row.cells.get(k, "").replace("\r\n", "\n").replace("\r", "\n") for k in keys] for row in found.rows]
    assert got == expected


@BOUNDED
@given(st.lists(st.tuples(st.sampled_from(["p1", "p2", "p9", ""]), CELLS, CELLS, CELLS, CELLS), max_size=5))
def test_plan_reports_bad_cells_and_never_raises(tmp_path_factory, filled):
    directory = make(tmp_path_factory.mktemp("d"))
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    rows = [
        sheet.Row(n, {"id": pid, "status": status, "date": day, "source": source, "quote": quote})
        for n, (pid, status, day, source, quote) in enumerate(filled, start=2)
    ]
    result = sheet.plan(loaded.dataset, directory, rows, "suivi.csv", dt.date(2026, 6, 1))
    assert all(d.file == "suivi.csv" and 2 <= (d.line or 0) <= len(rows) + 1 for d in result.diagnostics)
    assert len(result.entries) + len({d.line for d in result.diagnostics}) + result.blank == len(rows)


# --- The rules every output follows (issue 11) ------------------------------------------------------


def test_sheet_follows_the_output_rules(cli, tmp_path):
    directory = make(tmp_path)
    filled = tmp_path / "suivi.csv"
    filled.write_text("p1;Liste un;…;non évalué;tenu;12/05/2026\n", encoding="utf-8")  # a volunteer's work
    result = cli("--data", str(directory), "sheet", "status", "-o", "suivi.csv")
    assert result.exit_code == 2 and "existe déjà : ajoutez --force" in result.stderr, result
    assert filled.read_text(encoding="utf-8").startswith("p1;Liste un;…;non évalué;tenu")
    assert cli("--data", str(directory), "sheet", "status", "-o", "suivi.csv", "--force").exit_code == 0
    assert filled.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    # A data file is never replaced, under another name (a hard link) and even with --force.
    data_file = directory / "commitments.yaml"
    before = data_file.read_bytes()
    (tmp_path / "lien.csv").hardlink_to(data_file)
    result = cli("--data", str(directory), "sheet", "review", "-o", "lien.csv", "--force")
    assert result.exit_code == 2 and "fichier du dossier de données" in result.stderr, result
    assert data_file.read_bytes() == before
    # A symlink is not followed; a missing folder needs --parents.
    (tmp_path / "ailleurs.csv").symlink_to(data_file)
    result = cli("--data", str(directory), "sheet", "status", "-o", "ailleurs.csv", "--force")
    assert result.exit_code == 2 and "lien symbolique" in result.stderr, result
    assert data_file.read_bytes() == before
    assert cli("--data", str(directory), "sheet", "status", "-o", "neuf/suivi.csv").exit_code == 2
    assert cli("--data", str(directory), "sheet", "status", "-o", "neuf/suivi.csv", "--parents").exit_code == 0
    assert (tmp_path / "neuf" / "suivi.csv").is_file()


def test_sheets_hold_no_raw_control_or_bidi_character(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    data = hostile_copy(tmp_path / "hostile")
    for name in ("suivi.csv", "suivi.xlsx"):
        result = cli("--data", str(data), "sheet", "status", "-o", name)
        assert result.exit_code == 0, result
    text = (tmp_path / "suivi.csv").read_text(encoding="utf-8-sig")
    assert RAW.search(text) is None, RAW.search(text)
    assert "Aix en commun\\x1b]0;pwned\\x07" in text
    cells = [str(c.value) for row in openpyxl.load_workbook(tmp_path / "suivi.xlsx").active.iter_rows() for c in row]
    assert not [c for c in cells if RAW.search(c)]
    assert any("Aix en commun\\x1b]0;pwned\\x07" in c and "\\u202eRTL" in c for c in cells)
