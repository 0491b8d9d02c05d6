"""Competence (issue 13): which level of government is responsible for a request or a pledge,
and on whose word. Bundled data: every request has one, each either stated by a seed (its quote
found at its line) or marked as the team's assessment. Reports group by it without hiding
anything; bad values get one positioned diagnostic each."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DATA
from engagements import competence, models
from engagements.checks import find_quote, read_source
from engagements.loading import load_directory

# What the seeds state, transcribed in data/requests.yaml: request -> (level, between, source, line)
STATED = {
    "q2": ("partagee", ["commune", "etat"], "aec-lettre-2026-03-08", 182),
    "q5": ("partagee", ["commune", "metropole"], "aec-lettre-2026-03-08", 394),
    "q8": ("commune", [], "aec-lettre-2026-03-08", 515),
    "q10b": ("partagee", ["commune", "metropole", "etat"], "contrat-de-ville-2015-2020", 1020),
    "q11": ("partagee", ["commune", "etat"], "contrat-de-ville-2015-2020", 1523),
    "d1.1": ("commune", [], "interpellation-2026", 11),
    "d2.1": ("commune", [], "contrat-de-ville-2015-2020", 479),
    "d2.2": ("commune", [], "interpellation-2026", 6),
    "d2.4": ("commune", [], "interpellation-2026", 6),
    "d2.6": ("partagee", ["commune", "metropole", "etat"], "contrat-de-ville-2015-2020", 1020),
    "d3.11": ("partagee", ["commune", "etat"], "contrat-de-ville-2015-2020", 1523),
}


def _bundled() -> models.Dataset:
    loaded = load_directory(DATA)
    assert loaded.dataset is not None
    return loaded.dataset


def _json(cli, *args: str) -> dict:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_vocabulary_is_the_models():
    assert competence.LEVELS == models.COMPETENCE_LEVELS
    assert competence.TEAM == models.TEAM
    assert set(competence.LABELS) == set(models.COMPETENCE_LEVELS)


def test_every_bundled_request_says_who_is_responsible_and_on_whose_word():
    data = _bundled()
    sources = {s.id: s for s in data.requests.sources}
    stated, team = {}, []
    for r in data.requests.requests:
        c = r.competence
        assert c is not None, r.id
        if c.by_team:
            assert c.quote is None and c.line is None, r.id
            team.append(r.id)
            continue
        stated[r.id] = (c.level, c.between, c.source, c.line)
        # The quote is the source's own words, found where the data says.
        assert c.quote and c.line, r.id
        text = read_source(DATA / sources[c.source].file)
        assert find_quote(c.quote, text, c.line) == c.line, r.id
    assert stated == STATED
    assert len(team) == 38 - len(STATED) == 27
    by_id = {r.id: r.competence for r in data.requests.requests}
    assert (by_id["d3.4"].level, by_id["d3.4"].source) == ("etat", "equipe")
    assert by_id["q8"].quote == "C’est une compétence majeure de la municipalité."


def test_bundled_pledges_may_state_their_own():
    data = _bundled()
    pledges = {c.id: c for lst in data.commitments.lists for c in lst.commitments}
    own = {pid: c.competence for pid, c in pledges.items() if c.competence is not None}
    assert sorted(own) == ["aec-q5-08", "aec-q5-16"]
    assert (own["aec-q5-16"].level, own["aec-q5-16"].line) == ("etat", 440)


def test_schema_has_the_field_on_requests_and_pledges(cli):
    for which, holder in (("requests", "Request"), ("commitments", "Commitment")):
        schema = json.loads(cli("schema", which).stdout)
        assert schema["$defs"][holder]["properties"]["competence"]["anyOf"][0] == {"$ref": "#/$defs/Competence"}
        assert schema["$defs"]["Competence"]["required"] == ["level", "source"]
        assert "competence" not in schema["$defs"][holder].get("required", [])
        levels = schema["$defs"]["Competence"]["properties"]["level"]["enum"]
        assert levels == list(models.COMPETENCE_LEVELS)


DOC = "Titre\nLa commune est compétente pour les crèches.\nLe Département verse le RSA.\n"
BROKEN_REQUESTS = """\
sources:
  - id: doc
    title: Document
    file: doc.txt
  - id: sansfichier
    title: Sans fichier
requests:
  - id: r1
    title: Crèches
    text: Crèches
    competence: {level: commune, source: doc, line: 2, quote: "La commune est compétente pour les crèches."}
  - id: r2
    title: RSA
    text: RSA
    competence: {level: departement, source: doc, line: 2, quote: "Le Département verse le RSA."}
  - id: r3
    title: Tout
    text: Tout
    competence: {level: etat, source: doc, quote: "L’État paie tout."}
  - id: r4
    title: Sans citation
    text: Sans citation
    competence: {level: etat, source: doc}
  - id: r5
    title: Équipe citée
    text: Équipe citée
    competence: {level: etat, source: equipe, quote: "x"}
  - id: r6
    title: Partagée seule
    text: Partagée seule
    competence: {level: partagee, between: [commune], source: equipe}
  - id: r7
    title: Pas partagée
    text: Pas partagée
    competence: {level: commune, between: [etat], source: equipe}
  - id: r8
    title: Faute
    text: Faute
    competence: {level: etat, source: equipes}
  - id: r9
    title: Source sans fichier
    text: Source sans fichier
    competence: {level: etat, source: sansfichier, quote: "x"}
"""
BROKEN_COMMITMENTS = """\
lists:
  - id: l1
    name: Liste
    commitments:
      - id: c1
        text: Construire
        answers: [r1]
        competence: {level: region, source: equipe}
      - id: c2
        text: Exiger
        competence: {level: etat, source: doc, quote: "x"}
"""


def _fixture(tmp_path: Path, requests: str = BROKEN_REQUESTS, commitments: str = BROKEN_COMMITMENTS) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    (d / "doc.txt").write_text(DOC, encoding="utf-8")
    (d / "requests.yaml").write_text(requests, encoding="utf-8")
    (d / "commitments.yaml").write_text(commitments, encoding="utf-8")
    return Path("d")  # the cli fixture runs in tmp_path: diagnostics show paths as typed


def test_each_bad_competence_gets_one_positioned_diagnostic(cli, tmp_path):
    result = cli("--data", str(_fixture(tmp_path)), "validate")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = [
        # a pledge cites the sources of its own file: `doc` is declared in requests.yaml only
        "d/commitments.yaml:11:43: erreur: source « doc » inconnue : déclarez-la dans « sources: », ou écrivez "
        "« equipe » pour une appréciation de l’équipe",
        "d/requests.yaml:15:57: avertissement: la citation commence ligne 3 de doc.txt, pas ligne 2",
        "d/requests.yaml:19:51: erreur: citation introuvable dans la source doc.txt : recopiez-la telle qu’elle y figure",
        "d/requests.yaml:23:39: erreur: une compétence attribuée à une source cite ses mots (quote) : sans citation, "
        "c’est une appréciation de l’équipe (source: equipe)",
        "d/requests.yaml:27:54: erreur: une appréciation de l’équipe (source: equipe) ne cite pas de source : "
        "ôtez line et quote, ou nommez la source",
        "d/requests.yaml:31:44: erreur: une compétence partagée nomme dans « between » au moins deux niveaux "
        "distincts (hors « partagee »)",
        "d/requests.yaml:35:43: erreur: « between » ne sert qu’à une compétence partagée (level: partagee)",
        "d/requests.yaml:39:39: erreur: source « equipes » inconnue : déclarez-la dans « sources: », ou écrivez "
        "« equipe » pour une appréciation de l’équipe ; vouliez-vous dire « equipe » ?",
        "d/requests.yaml:43:59: erreur: citation non vérifiée : la source « sansfichier » n’a pas de fichier lisible "
        "(file:) dans le dossier de données",
    ]
    assert [line for line in lines if line.startswith("d/")] == expected
    codes = [d["code"] for d in json.loads(cli("--data", "d", "validate", "--format", "json").stdout)]
    assert codes == [
        "unknown-source",
        "wrong-line",
        "quote-not-found",
        "competence-without-quote",
        "bad-competence",
        "bad-competence",
        "bad-competence",
        "unknown-source",
        "unchecked-quote",
    ]


def test_an_unknown_level_is_a_schema_error_with_a_suggestion(cli, tmp_path):
    requests = "requests:\n  - id: r1\n    title: T\n    text: T\n    competence:\n      level: metropol\n      source: equipe\n"
    result = cli("--data", str(_fixture(tmp_path, requests, "lists: []\n")), "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "d/requests.yaml:6:14: erreur: « level » : valeur 'metropol' invalide, attendu : 'commune', 'ccas', "
        "'metropole', 'departement', 'region', 'etat', 'securite_sociale', 'partagee' ; "
        "vouliez-vous dire « metropole » ?"
    )


def test_a_bare_level_is_not_enough(cli, tmp_path):
    # On whose word is never implied: the short form is refused.
    requests = "requests:\n  - id: r1\n    title: T\n    text: T\n    competence: commune\n"
    result = cli("--data", str(_fixture(tmp_path, requests, "lists: []\n")), "validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("d/requests.yaml:5:17: erreur: « competence » doit être une table (clé : valeur)")


def test_coverage_json_carries_each_requests_competence_and_groups_with_the_flag(cli):
    plain = _json(cli, "coverage")
    assert "by_competence" not in plain
    q8 = next(r for r in plain["requests"] if r["id"] == "q8")
    assert q8["competence"] == {
        "level": "commune",
        "label": "Commune",
        "between": [],
        "source": "aec-lettre-2026-03-08",
        "by_team": False,
        "line": 515,
        "quote": "C’est une compétence majeure de la municipalité.",
        "note": "Selon la liste Aix en commun, en réponse à la question sur les crèches, le coût de l’école "
        "et le périscolaire.",
    }
    grouped = _json(cli, "coverage", "--par-competence")
    assert {k: v for k, v in grouped.items() if k != "by_competence"} == plain
    groups = {g["competence"]: g for g in grouped["by_competence"]}
    assert list(groups) == [
        "commune",
        "partagee:commune,metropole",
        "partagee:commune,metropole,etat",
        "partagee:commune,departement,etat",
        "partagee:commune,etat",
        "partagee:commune,etat,securite_sociale",
        "partagee:ccas,departement,etat,securite_sociale",
    ]
    assert groups["commune"]["requests"] == ["q3", "q4", "q8"]
    assert groups["partagee:commune,etat"]["label"] == "Partagée : Commune, État"
    # Every request is in one group: nothing is hidden.
    assert sorted(i for g in grouped["by_competence"] for i in g["requests"]) == sorted(r["id"] for r in plain["requests"])
    # Per group, the list's counts add up to its summary.
    for summary in plain["summary"]:
        per_group = [next(s for s in g["lists"] if s["list"] == summary["list"]) for g in grouped["by_competence"]]
        for key in ("covered", "partial", "absent", "confirmed"):
            assert sum(s[key] for s in per_group) == summary[key]
    unidentified = next(s for s in groups["commune"]["lists"] if s["list"] == "programme-solidarite")
    assert (unidentified["covered"], unidentified["partial"], unidentified["absent"]) == (2, 1, 0)


def test_coverage_table_groups_and_says_on_whose_word(cli):
    plain = cli("coverage").stdout
    assert "appréciation de l’équipe" not in plain
    table = cli("coverage", "--by-competence").stdout
    assert "Commune (3)" in table
    assert "selon aec-lettre-2026-03-08," in table  # wrapped: "ligne 515" on the next line
    assert "appréciation de l’équipe" in table
    assert "Part couverte, par niveau compétent" in table


def test_gaps_by_competence_shows_every_gap_under_who_is_responsible(cli):
    plain = _json(cli, "gaps", "--level", "demand")
    assert set(plain["lists"][0]) == {"list", "answered_collective", "unanswered", "partial", "unconfirmed"}
    d34 = next(r for r in plain["requests"] if r["request"] == "d3.4")
    assert (d34["competence"]["level"], d34["competence"]["by_team"]) == ("etat", True)
    grouped = _json(cli, "gaps", "--level", "demand", "--par-competence")
    for entry in grouped["lists"]:
        for kind in ("unanswered", "partial", "unconfirmed"):
            flat = [rid for ids in entry["by_competence"][kind].values() for rid in ids]
            assert sorted(flat) == sorted(entry[kind])
    aec = grouped["lists"][0]["by_competence"]
    assert aec["unanswered"] == {"commune": ["d2.7"], "ccas": ["d3.2"], "etat": ["d3.9"]}
    assert "broken" not in aec  # no verdict recorded: the form is unchanged
    text = cli("gaps", "--level", "demand", "--par-competence").stdout
    assert "    État (1)\n      ○ Prendre soin des étudiants" in text
    md = cli("gaps", "--level", "demand", "--format", "md", "--par-competence").stdout
    assert "#### État (1)" in md
    assert "Prendre soin des étudiants** : des étudiants _(appréciation de l’équipe)_" in md
    assert "####" not in cli("gaps", "--format", "md").stdout


def _rate(cli, data: Path, pledge: str, status: str, date: str) -> None:
    result = cli(
        "--data", str(data), "rate", pledge, status, "--date", date,
        "--source", "Conseil municipal", "--url", "https://example.org/cm",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_broken_pledges_are_grouped_under_their_own_competence_or_their_requests(cli, data_copy):
    _rate(cli, data_copy, "aec-q1-01", "rompu", "2026-10-01")  # on q1: shared (team's assessment)
    _rate(cli, data_copy, "aec-q5-16", "rompu", "2026-10-02")  # its own: the State (stated by the letter)
    # A recorded verdict keeps the pledge's competence (round-trip write).
    assert "          quote: \"Exiger de l’État plus d’accompagnant.es d’élèves en situation de handicap\"" in (
        data_copy / "commitments.yaml"
    ).read_text(encoding="utf-8")
    gaps = _json(cli, "--data", str(data_copy), "gaps", "--par-competence")
    aec = next(e for e in gaps["lists"] if e["list"] == "aix-en-commun")
    assert {b["pledge"]: b["competence"]["level"] for b in aec["broken"]} == {
        "aec-q1-01": "partagee",
        "aec-q5-16": "etat",
    }
    assert aec["by_competence"]["broken"] == {
        "etat": [{"request": "q5", "pledge": "aec-q5-16"}],
        "partagee:commune,metropole,etat": [{"request": "q1", "pledge": "aec-q1-01"}],
    }
    text = cli("--data", str(data_copy), "gaps", "--par-competence").stdout
    assert "  Promis puis rompus (2) :\n    État (1)\n" in text
    assert "Partagée : Commune, Métropole, État (1)" in text
    md = cli("--data", str(data_copy), "gaps", "--format", "md", "--par-competence").stdout
    assert "aec-q5-16 : rompu le 2026-10-02 (Conseil municipal · https://example.org/cm) _(selon aec-lettre-2026-03-08, ligne 440)_" in md
    cov = _json(cli, "--data", str(data_copy), "coverage")
    assert cov["pledge_competences"]["aec-q5-16"]["level"] == "etat"


def test_show_says_who_is_responsible(cli):
    found = _json(cli, "show", "d3.4")
    assert found["competence"]["level"] == "etat"
    assert "Compétence : État (appréciation de l’équipe)" in cli("show", "d3.4").stdout
    pledge = _json(cli, "show", "aec-q5-16")
    assert pledge["competence"]["source"] == "aec-lettre-2026-03-08"


def test_english_labels():
    from engagements.i18n import set_language

    set_language("en")
    try:
        assert competence.label("partagee:commune,etat") == "Shared: City (commune), State"
        assert competence.CompetenceInfo("etat", "equipe").origin() == "the team’s assessment"
    finally:
        set_language("fr")


def test_status_counts_and_broken_pledges_by_competence(cli, data_copy):
    plain = _json(cli, "--data", str(data_copy), "status")
    assert all("by_competence" not in m for m in plain["lists"])
    _rate(cli, data_copy, "aec-q5-16", "rompu", "2026-10-02")  # its own competence: the State
    _rate(cli, data_copy, "aec-q8-01", "tenu", "2026-10-03")  # on q8: the commune, by the letter
    status = _json(cli, "--data", str(data_copy), "status", "--par-competence")
    aec = next(m for m in status["lists"] if m["list"] == "aix-en-commun")
    assert aec["broken_by_competence"] == {"etat": ["aec-q5-16"]}
    assert aec["by_competence"]["etat"]["broken"] == 1
    assert aec["by_competence"]["commune"]["kept"] == 1
    # Each pledge is counted once: the groups add up to the list's counts.
    for status_id, count in aec["counts"].items():
        assert sum(g[status_id] for g in aec["by_competence"].values()) == count
    text = cli("--data", str(data_copy), "status", "--par-competence").stdout
    assert "  Par niveau compétent :\n" in text
    assert "    État : 1 rompu sur 1" in text
    assert "      ✘ aec-q5-16" in text
    csv = cli("--data", str(data_copy), "status", "--par-competence", "--format", "csv").stdout
    assert csv.splitlines()[0] == "list,name,competence,status,label,count,share"
    assert "aix-en-commun,Aix en commun,etat,broken,rompu,1,1.0" in csv.splitlines()


def test_diff_reports_a_competence_set_changed_or_removed(cli, data_copy):
    path = data_copy / "requests.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "      level: etat\n      source: equipe\n      note: \"L’hébergement d’urgence (115, SIAO) relève de l’État.\"\n",
        "      level: partagee\n      between: [ccas, etat]\n      source: equipe\n",
    )
    removed = "    competence:\n      level: ccas\n      source: equipe\n  - id: d3.13\n"
    assert removed in text  # d3.12's
    text = text.replace(removed, "  - id: d3.13\n")
    path.write_text(text, encoding="utf-8")
    result = cli("diff", str(DATA), str(data_copy), "--format", "json")
    assert result.exit_code == 0, result
    changed = {c["id"]: c for c in json.loads(result.stdout)["competences_changed"]}
    assert changed["d3.4"]["old"]["level"] == "etat"
    assert changed["d3.4"]["new"]["between"] == ["ccas", "etat"]
    assert (changed["d3.12"]["old"]["level"], changed["d3.12"]["new"]) == ("ccas", None)
    assert set(changed) == {"d3.4", "d3.12"}
    text_out = cli("diff", str(DATA), str(data_copy)).stdout
    assert "d3.4 (Hébergement d’urgence) : État (appréciation de l’équipe) → Partagée : CCAS, État" in text_out
    assert "d3.12 (Soutien des personnes isolées) : CCAS (appréciation de l’équipe) → Compétence non renseignée" in text_out
