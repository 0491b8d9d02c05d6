"""The public partners' commitments (lists of kind `institution`) are shown apart from the
candidate lists and never counted with them.

The fixture is the bundled candidate lists (commitments.yaml) plus part of the transcribed
Contrat de ville (its health volet, seed 004) as `lists/contrat-de-ville.yaml`, with one link
confirmed by a person; the last tests read the bundled data itself, the whole Contrat included.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from conftest import DATA, copy_candidate_data

CONTRAT = DATA / "lists" / "contrat-de-ville.yaml"
HEALTH = ("cdv-d-v2-a1.1", "cdv-d-v2-a2.2")  # access to health rights, care close to home


def _health_records() -> dict:
    document = yaml.safe_load(CONTRAT.read_text(encoding="utf-8"))
    records = document["lists"][0]["commitments"]
    by_id = {c["id"]: c for c in records}
    keep: set[str] = set()
    for c in records:
        node = c
        while node is not None:
            if node["id"] in HEALTH:
                keep.add(c["id"])
                keep.update(_ancestors(by_id, c))
                break
            node = by_id.get(node.get("parent", ""))
    document["lists"][0]["commitments"] = [c for c in records if c["id"] in keep]
    return document


def _ancestors(by_id: dict, record: dict) -> list[str]:
    found = []
    while record.get("parent") in by_id:
        record = by_id[record["parent"]]
        found.append(record["id"])
    return found


@pytest.fixture(scope="module")
def directories(tmp_path_factory):
    plain = copy_candidate_data(tmp_path_factory.mktemp("plain") / "data")
    made = []
    for name, link in (("partners", True), ("unlinked", False)):
        target = tmp_path_factory.mktemp(name) / "data"
        shutil.copytree(plain, target)
        document = _health_records()
        if link:
            axis = next(c for c in document["lists"][0]["commitments"] if c["id"] == "cdv-d-v2-a1.1")
            axis["answers"] = [{"request": "q11", "by": "test", "date": "2026-11-30"}]
        (target / "lists").mkdir()
        (target / "lists" / "contrat-de-ville.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        made.append(target)
    return plain, *made


def test_the_fixture_reads_a_third_list_of_kind_institution(cli, directories):
    _, partners, _ = directories
    result = cli("--data", str(partners), "lists", "--format", "json")
    assert result.exit_code == 0, result
    assert "contrat-de-ville" in result.stdout
    assert cli("--data", str(partners), "validate").exit_code == 0


def test_candidate_figures_do_not_change_when_partners_are_added(cli, directories):
    # A partner's record confirmed by a person teaches the matcher what q11 is about, as any
    # confirmed link does (suggestions may move, never a confirmed figure); without links,
    # adding the partners changes no candidate number.
    plain, partners, unlinked = directories
    before = json.loads(cli("--data", str(plain), "coverage", "--format", "json").stdout)
    bare = json.loads(cli("--data", str(unlinked), "coverage", "--format", "json").stdout)
    assert "institutions" not in before
    bare.pop("institutions")
    assert bare == before
    after = json.loads(cli("--data", str(partners), "coverage", "--format", "json").stdout)
    institutions = after.pop("institutions")
    for old, new in zip(before["cells"], after["cells"], strict=True):
        assert (old["request"], old["list"], old["confirmed"]) == (new["request"], new["list"], new["confirmed"])
    assert [c["id"] for c in institutions["lists"]] == ["contrat-de-ville"]
    assert all(c["kind"] == "institution" for c in institutions["lists"])
    q11 = next(c for c in institutions["cells"] if c["request"] == "q11")
    assert q11["confirmed_count"] >= 1 and "cdv-d-v2-a1.1" in q11["records"]
    assert q11["records"][0] == "cdv-d-v2-a1.1"  # the record a person confirmed comes first
    assert q11["level"] == "covered"


def test_coverage_shows_the_partners_in_their_own_table(cli, directories):
    plain, partners, unlinked = directories
    shown = cli("--data", str(partners), "coverage").stdout
    assert "Ce à quoi les partenaires publics s’étaient déjà engagés" in shown
    head, _, partners_part = shown.partition("Ce à quoi les partenaires publics")
    assert "Contrat de ville" not in head  # not a column of the candidate matrix
    assert "✔ 1 confirmé" in partners_part
    assert "ne comptent pas dans la part" in " ".join(partners_part.split())
    # the candidate matrix is the same as without partners
    bare = cli("--data", str(unlinked), "coverage").stdout.partition("Ce à quoi les partenaires publics")[0]
    assert bare.rstrip() == cli("--data", str(plain), "coverage").stdout.rstrip()
    hidden = cli("--data", str(partners), "coverage", "--no-institutions").stdout
    assert "partenaires publics" not in hidden


def test_gaps_and_show_keep_institutions_apart(cli, directories):
    plain, partners, unlinked = directories
    assert cli("--data", str(unlinked), "gaps").stdout == cli("--data", str(plain), "gaps").stdout
    assert "Contrat de ville" not in cli("--data", str(partners), "gaps").stdout
    found = json.loads(cli("--data", str(partners), "show", "q11", "--format", "json").stdout)
    assert [lst["list"] for lst in found["lists"]] == ["aix-en-commun", "programme-solidarite"]
    assert [lst["list"] for lst in found["institutions"]] == ["contrat-de-ville"]
    shown = cli("--data", str(partners), "show", "q11").stdout
    assert shown.index("Ce à quoi les partenaires publics") > shown.index("Liste non identifiée")


@pytest.fixture(scope="module")
def candidates(tmp_path_factory):
    """The bundled data without lists/: what the commands read before the Contrat de ville was."""
    return copy_candidate_data(tmp_path_factory.mktemp("candidates") / "data")


def test_the_bundled_data_reads_the_contrat_de_ville_as_an_institution(cli):
    rows = json.loads(cli("--data", str(DATA), "lists", "--format", "json").stdout)
    document = yaml.safe_load(CONTRAT.read_text(encoding="utf-8"))
    (contrat,) = document["lists"]
    found = next(row for row in rows if row["id"] == contrat["id"])
    assert found["kind"] == "institution"
    assert [row["kind"] for row in rows if row["id"] != contrat["id"]] == ["candidate", "candidate"]


def test_the_bundled_contrat_de_ville_changes_no_candidate_figure(cli, candidates):
    # The bundled Contrat de ville carries no confirmed link: the candidate lists' matrix, gaps and
    # the candidate lists of `show` are those of the data without it, to the byte.
    assert "answers:" not in CONTRAT.read_text(encoding="utf-8")
    whole = json.loads(cli("--data", str(DATA), "coverage", "--format", "json").stdout)
    institutions = whole.pop("institutions")
    assert whole == json.loads(cli("--data", str(candidates), "coverage", "--format", "json").stdout)
    assert [c["id"] for c in institutions["lists"]] == ["contrat-de-ville"]
    for command in (["gaps", "--format", "json"], ["gaps"]):
        assert cli("--data", str(DATA), *command).stdout == cli("--data", str(candidates), *command).stdout
    shown = json.loads(cli("--data", str(DATA), "show", "q1", "--format", "json").stdout)
    alone = json.loads(cli("--data", str(candidates), "show", "q1", "--format", "json").stdout)
    assert [lst["list"] for lst in shown.pop("institutions")] == ["contrat-de-ville"]
    alone.pop("institutions", None)
    assert shown == alone


def test_every_partner_record_is_told_apart_by_its_label(cli):
    """The coverage table names a partner's records by their place in the document: pillar, volet
    where axes are numbered within volets, axis, objective, then an unnumbered action's rank."""
    from engagements.coverage import record_labels
    from engagements.loading import load_directory

    loaded = load_directory(DATA)
    labels = record_labels(loaded.dataset)
    (contrat,) = [lst for lst in loaded.dataset.commitments.lists if lst.kind == "institution"]
    assert set(labels) == {c.id for c in contrat.commitments}
    assert labels["cdv-b-v2-a2.3"] == "B › AXE 2.3"  # the pillar's axes are numbered once
    assert labels["cdv-d-v2-a1.1"] == "D › 2) › AXE 1.1"  # each volet of pillar D has its AXE 1.1
    assert labels["cdv-d-v3-a1.1"] == "D › 3) › AXE 1.1"
    assert labels["cdv-b-v2-a2.3-oo1-03"] == "B › AXE 2.3 › Objectif opérationnel 1 › action 3"
    # Two records share a label only where the document repeats a number (the importer's "-bis").
    by_label: dict[str, list[str]] = {}
    for pledge, label in labels.items():
        by_label.setdefault(label, []).append(pledge)
    for label, pledges in by_label.items():
        assert sum("-bis" not in p for p in pledges) == 1, (label, pledges)
    found = json.loads(cli("--data", str(DATA), "coverage", "--format", "json").stdout)
    for cell in found["institutions"]["cells"]:
        assert cell["labels"] == [labels[p] for p in cell["records"]]
