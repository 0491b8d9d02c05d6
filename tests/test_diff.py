"""engagements diff: what changed between two versions of the data, and its coverage effect."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from conftest import DATA


def two_versions(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DATA, old)
    shutil.copytree(DATA, new)
    path = new / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    # Unlink the only pledge answering q9: Aix en commun's q9 cell loses its link.
    text = text.replace("answers: [q9]", "rejects: [q9]")
    text = text.replace("      - id: sol-23-2\n", "      - id: sol-23-2-bis\n")
    path.write_text(text, encoding="utf-8")
    return old, new


def test_diff_reports_pledges_links_and_coverage(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    old, new = two_versions(tmp_path)
    result = cli("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result
    d = json.loads(result.stdout)
    assert [p["commitment"] for p in d["pledges_added"]] == ["sol-23-2-bis"]
    assert [p["commitment"] for p in d["pledges_removed"]] == ["sol-23-2"]
    assert d["links_removed"] == [{"commitment": "aec-q9-01", "request": "q9"}]
    assert d["links_rejected"] == [{"commitment": "aec-q9-01", "request": "q9"}]
    changes = {(c["list"], c["request"]): (c["old"], c["new"]) for c in d["coverage_changes"]}
    assert changes[("aix-en-commun", "q9")][0] == "covered"
    assert changes[("aix-en-commun", "q9")][1] != "covered"


def test_diff_markdown_for_a_pull_request(cli, tmp_path):
    old, new = two_versions(tmp_path)
    md = cli("diff", str(old), str(new), "--format", "md", "--title", "v2").stdout
    assert md.startswith("## v2\n")
    assert "### Liens retirés (1)\n\n- aec-q9-01 → q9" in md
    assert "### Changements de couverture" in md


def test_diff_against_git(cli, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(DATA, repo / "data")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    path = repo / "data" / "commitments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("answers: [q9]", "answers: [q9, q7]"), encoding="utf-8")
    monkeypatch.chdir(repo)
    result = cli("diff", "--git", "HEAD", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["links_confirmed"] == [{"commitment": "aec-q9-01", "request": "q7"}]
    same = cli("--data", str(repo / "data"), "diff", "--git", "HEAD~0")
    assert "aec-q9-01 → q7" in same.stdout


def test_diff_usage_errors(cli, tmp_path):
    assert cli("diff").exit_code == 2
    bad = cli("--data", str(DATA), "diff", "--git", "nope")
    assert bad.exit_code == 2


def test_a_new_list_is_shown_as_a_new_list_and_other_lists_count_changes_and_notes(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DATA, old)
    shutil.copytree(DATA, new)
    letter = tmp_path / "lettre.txt"
    letter.write_text("1- Sur le logement\n- Construire des logements sociaux.\n", encoding="utf-8")
    assert cli("--data", str(new), "import", str(letter), "--list", "nouvelle", "--append").exit_code == 0
    path = new / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'note: "Mesure rédigée en prose, hors puce."' in text
    path.write_text(text.replace('note: "Mesure rédigée en prose, hors puce."', 'note: "Mesure en prose."', 1), "utf-8")
    # One more confirmed pledge behind an Aix en commun cell that is already covered.
    assert cli("--data", str(new), "link", "aec-q1-01", "q2").exit_code == 0
    d = json.loads(cli("diff", str(old), str(new), "--format", "json").stdout)
    assert [a["list"] for a in d["lists_added"]] == ["nouvelle"]
    assert not any(c["list"] == "nouvelle" for c in d["coverage_changes"])
    assert not any(s["list"] == "nouvelle" for s in d["shares"])
    assert not any(p["list"] == "nouvelle" for p in d["pledges_added"])
    q2 = next(c for c in d["coverage_changes"] if c["list"] == "aix-en-commun" and c["request"] == "q2")
    assert q2["old"] == q2["new"] == "covered"
    assert q2["new_confirmed"] == q2["old_confirmed"] + 1
    assert d["notes_edited"][0]["new"] == "Mesure en prose."
    text_out = cli("diff", str(old), str(new)).stdout
    assert "Listes ajoutées (1)\n  nouvelle (nouvelle) : 1 engagements ; couvre 1/12 demandes\n" in text_out
    assert "absent →" not in text_out  # no cell of the new list shown as going from absent to covered
    assert "Notes modifiées (1)" in text_out
    counts = re.search(r"q2 Proximité[^:]*: ● ✔ (\d+) confirmés.*\(couvert\) → ● ✔ (\d+) confirmés", text_out)
    assert counts and int(counts.group(2)) == int(counts.group(1)) + 1 == q2["new_confirmed"], text_out


def test_the_public_partners_list_is_added_and_removed_like_a_list_never_counted(cli, tmp_path, monkeypatch):
    """The bundled data holds the Contrat de ville (kind institution) in lists/: diffed with itself
    nothing changed; from the candidate lists alone, it is one list added, said to be a partner's."""
    from conftest import copy_candidate_data, data_counts

    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))
    candidates = copy_candidate_data(tmp_path / "candidates")
    n = data_counts(DATA)[2] - data_counts(candidates)[2]  # the Contrat de ville's records
    same = json.loads(cli("diff", str(DATA), str(DATA), "--format", "json").stdout)
    assert same["lists_added"] == same["lists_removed"] == []
    assert cli("diff", str(DATA), str(DATA)).stdout.strip() == "Aucun changement."
    added = json.loads(cli("diff", str(candidates), str(DATA), "--format", "json").stdout)
    assert [(a["list"], a["pledges"], a.get("kind")) for a in added["lists_added"]] == [
        ("contrat-de-ville", n, "institution")
    ]
    assert added["coverage_changes"] == added["shares"] == added["pledges_added"] == []
    removed = json.loads(cli("diff", str(DATA), str(candidates), "--format", "json").stdout)
    assert removed["lists_removed"] == [{"list": "contrat-de-ville", "pledges": n, "kind": "institution"}]
    text = cli("diff", str(candidates), str(DATA)).stdout
    assert f"(contrat-de-ville) : {n} engagements ; couvre" in text
    assert "partenaire public, hors part couverte des listes" in text
