"""`engagements brief LIST`: the meeting document, its questions, and its printed length."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DATA
from engagements.brief import question_for
from engagements.coverage import Row

LISTS = ["aix-en-commun", "programme-solidarite"]


def row(rid: str, title: str, text: str, kind: str = "demand") -> Row:
    return Row(rid, title, text, kind, None, "a3", None)


@pytest.mark.parametrize(
    ("title", "text", "kind", "question"),
    [
        # Elliptic fragments of an enumeration are asked through their spelled-out title.
        ("Aide vestimentaire", "vestimentaire", "demand", "Que proposez-vous en matière d’aide vestimentaire ?"),
        (
            "Hébergement d’urgence",
            "hébergement d’urgence",
            "demand",
            "Que proposez-vous en matière d’hébergement d’urgence ?",
        ),
        ("Logements sociaux", "logements sociaux", "demand", "Que proposez-vous en matière de logements sociaux ?"),
        ("Prendre soin des enfants", "des enfants", "demand", "Comment comptez-vous prendre soin des enfants ?"),
        (
            "Soutien des personnes migrantes",
            "des personnes migrantes",
            "demand",
            "Que proposez-vous en matière de soutien des personnes migrantes ?",
        ),
        # The collective's own words when they make a phrase.
        ("Accès au sport", "l’accès au sport", "demand", "Que proposez-vous pour l’accès au sport ?"),
        (
            "Une ville innovante et accueillante",
            "faire d’Aix en Provence une ville innovante et accueillante",
            "demand",
            "Comment comptez-vous faire d’Aix en Provence une ville innovante et accueillante ?",
        ),
        (
            "Apprentissage du français",
            "Sur l’’offre d’apprentissage et de formation au français ne répond pas à la demande.",
            "question",
            "Que proposez-vous en matière d’apprentissage du français ?",
        ),
    ],
)
def test_each_gap_is_asked_as_a_full_sentence(title, text, kind, question):
    assert question_for(row("x", title, text, kind)) == question


def test_no_question_repeats_an_elliptic_fragment(cli):
    """Every question of every bundled request is a sentence: capitalised verb, ends with '?',
    and never the bare "Title : fragment" of the old sheet."""
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    for r in data.requests.requests:
        q = question_for(row(r.id, r.title, r.text, r.kind or "demand"))
        assert q.startswith(("Que proposez-vous ", "Comment comptez-vous ")) and q.endswith(" ?"), (r.id, q)
        assert len(q.split()) >= 5, (r.id, q)


def test_brief_in_markdown_of_the_bundled_lists(cli, tmp_path):
    aix = cli("--data", str(DATA), "brief", "aix-en-commun", "--format", "md")
    assert aix.exit_code == 0, aix
    text = aix.stdout
    assert text.startswith("# Rencontre avec Aix en commun\n")
    assert "Document du collectif : Les organisations humanitaires d’Aix en Provence." in text
    assert "tête de liste : Julie Boronad" in text
    assert "D’après : Lettre de la liste Aix en commun" in text and "8 mars 2026" in text
    assert "## Ce à quoi la liste s’est engagée (liens confirmés) (12)" in text
    assert "- ● **9 — Apprentissage du français** — ✔ 1 confirmé ; par exemple « Soutenir les associations" in text
    assert "Aide vestimentaire : vestimentaire" not in text
    assert "- ○ **Aide vestimentaire** — Que proposez-vous en matière d’aide vestimentaire ?" in text
    other = cli("--data", str(DATA), "brief", "programme-solidarite", "-o", "brief.md")
    assert other.exit_code == 0 and other.stderr == "brief.md : écrit.\n"
    written = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert "Cette liste n’a pas répondu au collectif" in written
    assert "État des données : 23 novembre 2026." in written
    # A partial answer quotes the pledge, marked as a suggestion to check.
    partial = written.split("## Réponse partielle")[1].split("\n## ")[0]
    assert "Ce que la liste en dit (? à vérifier) : « " in partial


def test_brief_counts_are_those_of_the_matrix(cli):
    """The brief reads the one matrix: what it files where is what `gaps` files there."""
    from engagements.brief import brief
    from engagements.coverage import compute
    from engagements.loading import load_directory

    data = load_directory(DATA).dataset
    findings = compute(data)
    for list_id in LISTS:
        b = brief(data, findings, list_id)
        for level in ("question", "demand"):
            gaps = json.loads(
                cli("--data", str(DATA), "gaps", "--level", level, "--list", list_id, "--format", "json").stdout
            )["lists"][0]
            assert [i.request for i in b.unanswered if i.kind == level] == gaps["unanswered"]
            assert [i.request for i in b.partial if i.kind == level] == gaps["partial"]
            assert [i.request for i in b.to_confirm if i.kind == level] == gaps["unconfirmed"]
            covered = [i for i in b.committed if i.kind == level]
            assert all(i.confirmed >= 1 for i in covered)


def test_brief_usage_errors(cli):
    result = cli("--data", str(DATA), "brief", "aix-en-comun")
    assert result.exit_code == 2
    assert "liste « aix-en-comun » inconnue" in result.stderr and "aix-en-commun" in result.stderr


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.mark.parametrize("list_id", LISTS)
def test_brief_prints_on_at_most_two_a4_pages(cli, tmp_path, list_id):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium introuvable (/usr/bin/chromium ou chromium dans le PATH) : impression non vérifiée")
    page = tmp_path / f"{list_id}.html"
    result = cli("--data", str(DATA), "brief", list_id, "-o", str(page))
    assert result.exit_code == 0, result
    html = page.read_text(encoding="utf-8")
    assert "@page { size: A4;" in html and "<script" not in html
    pdf, shot = tmp_path / f"{list_id}.pdf", tmp_path / f"{list_id}.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    subprocess.run([*common, f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120, check=False)
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=900,1300", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pdf.exists() and shot.exists() and shot.stat().st_size > 10_000
    assert 1 <= _pages(pdf) <= 2, f"{list_id}: {_pages(pdf)} pages"


def _pages(pdf: Path) -> int:
    """Page count of a PDF: pdfinfo when present, else the page objects of Chromium's output."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def test_brief_of_a_small_hostile_data_set_is_escaped(cli, tmp_path):
    from test_exports import SMALL_COMMITMENTS, SMALL_REQUESTS

    directory = tmp_path / "small"
    directory.mkdir()
    (directory / "requests.yaml").write_text(SMALL_REQUESTS, encoding="utf-8")
    (directory / "commitments.yaml").write_text(SMALL_COMMITMENTS, encoding="utf-8")
    page = cli("--data", str(directory), "brief", "liste-a")
    assert page.exit_code == 0, page
    html = page.stdout
    assert "<title>Rencontre avec Liste A &amp; co</title>" in html
    assert "Document du collectif : Collectif &lt;b&gt;test&lt;/b&gt;." in html
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "État des données : 20 mars 2026." in html  # the latest of the letter and of its links
    md = cli("--data", str(directory), "brief", "liste-b", "--format", "md").stdout
    # Nothing confirmed, nothing found: every question is asked.
    assert "Aucun engagement confirmé par une personne pour l’instant." in md
    assert "## Sans réponse : les questions à poser (2)" in md
    assert "- ○ **1 — Hébergement d’urgence** — Que proposez-vous en matière d’hébergement d’urgence ?" in md
    assert "  Demande du collectif : « Assurer un hébergement d’urgence inconditionnel. »" in md
