"""The promise meter: history entries validated with positions, recorded through the checked write
path, counted per list, shown as a timeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engagements import editing, meter
from engagements.loading import load_directory
from engagements.models import Evidence, HistoryEntry

REQUESTS = "requests:\n  - id: q1\n    title: Logement\n    text: Un toit pour chacun.\n"
SOURCE_TEXT = "Conseil municipal du 12 mai 2026.\nLa délibération crée 40 places\nd’hébergement d’urgence.\n"
HEAD = """\
# suivi
sources:
  - id: cm
    title: "Délibération du conseil municipal"
    file: sources/cm.txt
lists:
  - id: l1
    name: "Liste un"
    commitments:
      - id: p1
        text: "Créer des places d'hébergement."
"""
TAIL = """\
      - id: p2
        text: "Ouvrir une maison des associations."  # la plus attendue
        deadline: 2027-01-01
  - id: l2
    name: "Liste deux"
    commitments:
      - id: p3
        text: "Un guichet unique."
"""


def make(tmp_path: Path, p1_extra: str = "") -> Path:
    directory = tmp_path / "d"
    (directory / "sources").mkdir(parents=True)
    (directory / "sources" / "cm.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (directory / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    (directory / "commitments.yaml").write_text(HEAD + p1_extra + TAIL, encoding="utf-8")
    return directory


def errors(cli, directory: Path) -> list[str]:
    result = cli("--data", str(directory), "validate")
    return [line.split("commitments.yaml:", 1)[1] for line in result.stderr.splitlines() if "commitments.yaml:" in line]


# --- Validation ------------------------------------------------------------------------------------


def test_a_valid_history_passes_and_gives_the_current_status(cli, tmp_path):
    directory = make(
        tmp_path,
        """\
        history:
          - status: in_progress
            date: 2026-05-12
            evidence: {source: "Délibération du conseil municipal", document: cm, quote: "crée 40 places d'hébergement"}
          - status: kept
            date: 2026-09-01
            evidence: {source: "Ouest-Provence", url: "https://example.org/article"}
            note: "Les places sont ouvertes."
            by: Awa
""",
    )
    result = cli("--data", str(directory), "validate")
    assert result.exit_code == 0, result
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    p1, p2 = loaded.dataset.commitments.lists[0].commitments
    assert (meter.current(p1), meter.current(p2)) == ("kept", "not_rated")


def test_each_broken_rule_is_reported_at_its_line_and_column(cli, tmp_path):
    directory = make(
        tmp_path,
        """\
        status: kept
        history:
          - status: kept
            date: 2026-05-12
          - status: in_progress
            date: 2026-05-01
            evidence: {source: "Délibération", document: cm, quote: "crée 400 places"}
          - status: broken
            date: 2999-01-01
            evidence: {source: "Un article"}
            corrects: 4
          - status: stalled
            date: 2999-01-02
            evidence: {source: "x", document: cmm, quote: "y"}
""",
    )
    assert errors(cli, directory) == [
        "12:9: avertissement: « status » est remplacé par « history » (entrées datées, avec leur preuve)",
        "14:21: erreur: statut « tenu » sans preuve : indiquez une source et une citation ou un lien",
        "17:19: erreur: date 2026-05-01 antérieure à celle de l’entrée précédente (2026-05-12) : l’historique va"
        " dans l’ordre ; pour corriger une entrée, ajoutez-en une avec « corrects »",
        "18:69: erreur: citation introuvable dans la source sources/cm.txt : recopiez-la telle qu’elle y figure",
        "20:19: erreur: date 2999-01-01 dans le futur : un constat se date du jour où il est fait",
        "21:23: erreur: preuve sans citation ni lien : ajoutez « quote » ou « url »",
        "22:23: erreur: « corrects » désigne une entrée antérieure (de 1 à 2)",
        "24:19: erreur: date 2999-01-02 dans le futur : un constat se date du jour où il est fait",
        "25:47: erreur: source « cmm » inconnue : déclarez-la dans « sources: » ; vouliez-vous dire « cm » ?",
    ]


def test_impossible_dates_and_unknown_statuses_are_positioned(cli, tmp_path):
    directory = make(tmp_path, "        history:\n          - status: tenu\n            date: 2026-02-30\n")
    assert errors(cli, directory) == [
        "14:19: erreur: date impossible « 2026-02-30 » : ce jour n’existe pas (attendu AAAA-MM-JJ ; "
        "mettez-la entre guillemets si c’est un texte)"
    ]
    directory = make(tmp_path / "b", "        history:\n          - status: tenu\n            date: 2026-02-03\n")
    (line,) = errors(cli, directory)
    assert line.startswith("13:21: erreur: « status » : valeur 'tenu' invalide, attendu : 'not_rated', 'in_progress'")


def test_not_rated_needs_no_evidence(cli, tmp_path):
    directory = make(tmp_path, "        history:\n          - status: not_rated\n            date: 2026-04-01\n")
    assert cli("--data", str(directory), "validate").exit_code == 0


# --- Labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [("tenu", "kept"), ("Au point mort", "stalled"), ("kept", "kept"), ("not rated", "not_rated"),
     ("NON ÉVALUÉ", "not_rated"), ("non evalue", "not_rated"), ("in_progress", "in_progress"), ("rompu", "broken")],
)
def test_status_is_read_from_id_french_or_english_label(text, status):
    assert meter.parse_status(text) == status


def test_unknown_status_suggests_the_closest_label():
    assert meter.parse_status("tenu-ish") is None
    assert meter.unknown_status("tenu-ish") == "statut inconnu « tenu-ish » ; vouliez-vous dire « tenu » ?"


# --- Recording -------------------------------------------------------------------------------------

KEPT = HistoryEntry(
    status="kept",
    date=dt.date(2026, 5, 12),
    evidence=Evidence(source="Délibération du conseil municipal", document="cm", quote="crée 40 places"),
    by="Awa",
)


def test_rate_appends_a_block_entry_keeps_comments_and_is_idempotent(tmp_path):
    directory = make(tmp_path)
    path = directory / "commitments.yaml"
    before = path.read_text(encoding="utf-8")
    assert meter.rate(directory, [("p2", KEPT)], today=dt.date(2026, 6, 1)) == [True]
    after = path.read_text(encoding="utf-8")
    added = """\
        history:
          - status: kept
            date: 2026-05-12
            evidence:
              source: "Délibération du conseil municipal"
              document: cm
              quote: "crée 40 places"
            by: Awa
"""
    assert after == before.replace("        deadline: 2027-01-01\n", "        deadline: 2027-01-01\n" + added)
    assert meter.rate(directory, [("p2", KEPT)], today=dt.date(2026, 6, 1)) == [False]
    assert path.read_text(encoding="utf-8") == after

    later = KEPT.model_copy(update={"status": "broken", "date": dt.date(2026, 5, 20), "corrects": 1})
    assert meter.rate(directory, [("p2", later)], today=dt.date(2026, 6, 1)) == [True]
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    assert meter.current(loaded.dataset.commitments.lists[0].commitments[1]) == "broken"
    assert "# la plus attendue" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (HistoryEntry(status="kept", date=dt.date(2026, 5, 1)),
         "engagement « p1 » : statut « tenu » sans preuve : indiquez une source et une citation ou un lien"),
        (KEPT.model_copy(update={"evidence": Evidence(source="cm", document="cm", quote="crée 41 places")}),
         "engagement « p1 » : citation introuvable dans la source sources/cm.txt : recopiez-la telle qu’elle y figure"),
        (KEPT.model_copy(update={"date": dt.date(2026, 7, 1)}),
         "engagement « p1 » : date 2026-07-01 dans le futur : un constat se date du jour où il est fait"),
    ],
)
def test_rate_refuses_a_bad_entry_and_writes_nothing(tmp_path, entry, message):
    directory = make(tmp_path)
    before = (directory / "commitments.yaml").read_bytes()
    with pytest.raises(editing.EditError) as caught:
        meter.rate(directory, [("p3", KEPT), ("p1", entry)], today=dt.date(2026, 6, 1))
    assert caught.value.message == message
    assert (directory / "commitments.yaml").read_bytes() == before


def test_rate_names_an_unknown_pledge(tmp_path):
    directory = make(tmp_path)
    with pytest.raises(editing.EditError) as caught:
        meter.rate(directory, [("p4", KEPT)], today=dt.date(2026, 6, 1))
    assert caught.value.message.startswith("engagement « p4 » inconnu dans ")


# --- The meter and the timeline --------------------------------------------------------------------


def test_meter_counts_shares_changes_and_overdue(tmp_path):
    directory = make(tmp_path)
    progress = KEPT.model_copy(update={"status": "in_progress", "date": dt.date(2026, 4, 2)})
    meter.rate(directory, [("p1", progress), ("p1", KEPT), ("p3", progress)], today=dt.date(2026, 6, 1))
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    result = meter.meter(loaded.dataset, dt.date(2027, 3, 1))
    one, two = result.lists
    assert (one.list, one.total, one.counts["kept"], one.counts["not_rated"], one.share("kept")) == ("l1", 2, 1, 1, 0.5)
    assert (two.counts["in_progress"], two.share("in_progress")) == (1, 1.0)
    assert [(c.pledge, c.status, c.previous, c.number) for c in result.changes] == [
        ("p1", "kept", "in_progress", 2),
        ("p3", "in_progress", "not_rated", 1),
        ("p1", "in_progress", "not_rated", 1),
    ]
    assert [(o.pledge, o.deadline, o.status) for o in result.overdue] == [("p2", dt.date(2027, 1, 1), "not_rated")]
    # Before its deadline a pledge is not overdue; a list can be chosen.
    assert meter.meter(loaded.dataset, dt.date(2026, 12, 31)).overdue == []
    assert [m.list for m in meter.meter(loaded.dataset, dt.date(2027, 3, 1), lists=["l2"]).lists] == ["l2"]
    as_json = result.as_dict()
    assert as_json["lists"][0]["shares"]["kept"] == 0.5
    assert as_json["overdue"] == [{"list": "l1", "pledge": "p2", "deadline": "2027-01-01", "status": "not_rated"}]


def test_timeline_numbers_entries_and_marks_corrections(tmp_path):
    directory = make(tmp_path)
    wrong = KEPT.model_copy(update={"date": dt.date(2026, 5, 12)})
    fix = HistoryEntry(
        status="compromise",
        date=dt.date(2026, 5, 13),
        evidence=Evidence(source="Délibération du conseil municipal", url="https://example.org/cm"),
        note="20 places seulement",
        corrects=1,
    )
    meter.rate(directory, [("p1", wrong), ("p1", fix)], today=dt.date(2026, 6, 1))
    loaded = load_directory(directory)
    assert loaded.dataset is not None
    line = meter.timeline(loaded.dataset, "p1")
    assert line is not None
    assert (line["status"], line["label"], line["list"]) == ("compromise", "compromis", "l1")
    assert [(e["number"], e["status"], e["corrects"], e["corrected_by"]) for e in line["history"]] == [
        (1, "kept", None, [2]),
        (2, "compromise", 1, []),
    ]
    assert meter.timeline(loaded.dataset, "nope") is None


# --- Commands --------------------------------------------------------------------------------------


def test_rate_command_records_refuses_without_evidence_and_says_so(cli, tmp_path):
    directory = make(tmp_path)
    path = directory / "commitments.yaml"
    before = path.read_bytes()
    result = cli("--data", str(directory), "rate", "p1", "tenu", "--date", "2026-05-12")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "engagements: erreur: engagement « p1 » : statut « tenu » sans preuve : "
        "indiquez une source et une citation ou un lien\n"
    )
    result = cli("--data", str(directory), "rate", "p1", "tenu-ish", "--date", "2026-05-12")
    assert result.exit_code == 2
    assert result.stderr == "engagements: erreur: statut inconnu « tenu-ish » ; vouliez-vous dire « tenu » ?\n"
    result = cli("--data", str(directory), "rate", "p1", "kept", "--url", "https://example.org")
    assert (result.exit_code, result.stderr) == (1, "engagements: erreur: une preuve nomme sa source : ajoutez --source TITRE\n")
    assert path.read_bytes() == before

    args = ("--data", str(directory), "rate", "p1", "tenu", "--date", "2026-05-12", "--source", "Délibération",
            "--document", "cm", "--quote", "crée 40 places", "--note", "Votée à l’unanimité.", "--by", "Awa")
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.endswith("commitments.yaml : « p1 » : tenu le 2026-05-12.\n")
    assert cli(*args).stderr == "rien à changer : ce constat est déjà enregistré pour « p1 ».\n"
    assert path.read_text(encoding="utf-8").count("status: kept") == 1


def test_status_and_timeline_commands(cli, tmp_path):
    directory = make(tmp_path)
    meter.rate(directory, [("p1", KEPT)])
    result = cli("--data", str(directory), "status", "--format", "json")
    assert result.exit_code == 0
    found = __import__("json").loads(result.stdout)
    assert [(m["list"], m["counts"]["kept"], m["shares"]["kept"]) for m in found["lists"]] == [("l1", 1, 0.5), ("l2", 0, 0.0)]
    assert [(c["pledge"], c["status"], c["source"]) for c in found["changes"]] == [
        ("p1", "kept", "Délibération du conseil municipal")
    ]
    result = cli("--data", str(directory), "status", "--format", "csv", "--list", "l1")
    assert result.stdout.splitlines()[:3] == [
        "list,name,status,label,count,share",
        "l1,Liste un,not_rated,non évalué,1,0.5",
        "l1,Liste un,in_progress,en cours,0,0.0",
    ]
    result = cli("--data", str(directory), "status", "--list", "l1")
    assert "  tenu             1  50 % ██████████░░░░░░░░░░" in result.stdout
    assert "Derniers changements" in result.stdout
    assert cli("--data", str(directory), "status", "--list", "l9").exit_code == 2

    result = cli("--data", str(directory), "timeline", "p1", "--format", "json")
    line = __import__("json").loads(result.stdout)
    assert (line["status"], line["history"][0]["quote"], line["history"][0]["by"]) == ("kept", "crée 40 places", "Awa")
    result = cli("--data", str(directory), "timeline", "p1")
    assert result.stdout.splitlines()[2:5] == [
        "Statut actuel : tenu",
        "",
        "1. 2026-05-12 · tenu · par Awa",
    ]
    result = cli("--data", str(directory), "timeline", "p11")
    assert (result.exit_code, result.stderr) == (2, "engagements: erreur: engagement « p11 » inconnu ; vouliez-vous dire « p1 » ?\n")


def test_show_carries_the_current_status_and_its_evidence(cli, tmp_path):
    directory = make(tmp_path)
    result = cli("--data", str(directory), "show", "p1", "--format", "json")
    found = __import__("json").loads(result.stdout)
    assert (found["status"], found["verdict"]) == ("not_rated", None)
    meter.rate(directory, [("p1", KEPT)])
    found = __import__("json").loads(cli("--data", str(directory), "show", "p1", "--format", "json").stdout)
    assert (found["status"], found["status_label"]) == ("kept", "tenu")
    assert found["verdict"]["source"] == "Délibération du conseil municipal"
    assert found["verdict"]["quote"] == "crée 40 places"
    result = cli("--data", str(directory), "show", "p1")
    assert "Statut : tenu le 2026-05-12 (Délibération du conseil municipal)" in " ".join(result.stdout.split())


def test_rate_on_the_bundled_data_checks_a_quote_against_the_letter(cli, data_copy):
    path = data_copy / "commitments.yaml"
    original = path.read_text(encoding="utf-8")
    common = ("--data", str(data_copy), "rate", "aec-q1-01", "en cours", "--date", "2026-04-01",
              "--source", "Lettre d’Aix en commun", "--document", "aec-lettre-2026-03-08")
    result = cli(*common, "--quote", "Construire 900 logements sociaux")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "citation introuvable dans la source sources/000_1d5eca14aae107d3.txt : recopiez-la telle qu’elle y figure\n"
    )
    assert path.read_text(encoding="utf-8") == original
    result = cli(*common, "--quote", "Construire 450 logements sociaux /an")
    assert result.exit_code == 0, result
    assert cli("--data", str(data_copy), "validate").exit_code == 0
    # Only the new entry was written (after the pledge's provenance), nothing else moved.
    added = [line for line in path.read_text(encoding="utf-8").splitlines() if line not in original.splitlines()]
    assert added == [
        "        history:",
        "          - status: in_progress",
        "            date: 2026-04-01",
        "            evidence:",
        '              source: "Lettre d’Aix en commun"',
        "              document: aec-lettre-2026-03-08",
        '              quote: "Construire 450 logements sociaux /an"',
    ]
    found = __import__("json").loads(cli("--data", str(data_copy), "status", "--format", "json").stdout)
    assert found["lists"][0]["counts"]["in_progress"] == 1


def test_diff_shows_new_findings_and_flags_rewritten_history(cli, tmp_path):
    import shutil

    old = make(tmp_path / "a")
    meter.rate(old, [("p1", KEPT)])
    new = tmp_path / "new"
    shutil.copytree(old, new)
    later = HistoryEntry(
        status="broken", date=dt.date(2026, 5, 20), evidence=Evidence(source="Article", url="https://example.org/a")
    )
    meter.rate(new, [("p1", later), ("p3", later)])
    result = cli("diff", str(old), str(new), "--format", "json")
    found = __import__("json").loads(result.stdout)
    assert found["statuses_recorded"] == [
        {"list": "l1", "commitment": "p1", "number": 2, "date": "2026-05-20", "status": "broken"},
        {"list": "l2", "commitment": "p3", "number": 1, "date": "2026-05-20", "status": "broken"},
    ]
    assert found["history_rewritten"] == []
    text = cli("diff", str(old), str(new)).stdout
    assert "Constats enregistrés (2)\n  p1 (Liste un) : n° 2, 2026-05-20, rompu\n" in text

    # Editing the first verdict in place is reported: a correction is a new entry.
    path = new / "commitments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: kept", "status: compromise"), encoding="utf-8")
    found = __import__("json").loads(cli("diff", str(old), str(new), "--format", "json").stdout)
    assert found["history_rewritten"] == [{"list": "l1", "commitment": "p1", "number": 1}]
