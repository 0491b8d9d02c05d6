"""The HTML page a journalist publishes: its introduction, its version stamp, no internal ids,
each pledge's status; and, in headless Chromium, its width on a phone and its printed length."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import DATA
from engagements import exports

REQUESTS = """\
collective:
  name: "Collectif test"
  members: ["Association Une", "Association Deux"]
  document: appel
sources:
  - id: appel
    title: "Appel du collectif"
    date: 2026-01-15
    kind: interpellation
requests:
  - id: hebergement-urgence
    title: Hébergement d’urgence
    text: "Assurer un hébergement d’urgence inconditionnel."
    kind: question
    number: "1"
  - id: acces-droits
    title: "Accès aux droits"
    text: "Ouvrir un guichet d’accès aux droits."
    kind: question
    number: "2"
"""
# A pledge whose status was recorded, with its evidence; a URL long enough to overflow a phone
# screen if nothing broke it.
COMMITMENTS = """\
sources:
  - id: lettre
    title: "Lettre de la liste"
    date: 2026-03-08
    kind: answer
lists:
  - id: liste-alpha
    name: "Liste Alpha pour une ville solidaire"
    head: "Camille Exemple"
    sources: [lettre]
    commitments:
      - id: alpha-guichet-01
        text: "Ouvrir un guichet unique d’accès aux droits, https://example.org/un-tres-long-chemin-sans-espace-aucun-qui-deborderait-de-l-ecran-d-un-telephone"
        answers: [{request: acces-droits, by: Awa, date: 2026-03-20}]
        history:
          - status: in_progress
            date: 2026-11-02
            evidence:
              source: "Délibération du conseil municipal"
              url: "https://example.org/deliberation"
              quote: "Le guichet ouvrira au printemps."
      - id: alpha-abri-02
        text: "Créer des places d’hébergement d’urgence."
        answers: [hebergement-urgence]
  - id: liste-beta
    name: "Liste Bêta"
    commitments:
      - id: beta-arbres-01
        text: "Planter des arbres."
"""


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    directory = tmp_path / "small"
    directory.mkdir()
    (directory / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    (directory / "commitments.yaml").write_text(COMMITMENTS, encoding="utf-8")
    return directory


def _page(cli, data: Path, target: Path, *args: str) -> str:
    result = cli("--data", str(data), "export", "-f", "html", "-o", str(target), *args)
    assert result.exit_code == 0, result
    return target.read_text(encoding="utf-8")


def _visible(page: str) -> str:
    """The text a reader sees (and a screen reader reads): no style, script or tag."""
    body = re.sub(r"<(style|script)>.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_page_introduces_itself(cli, small, tmp_path):
    page = _page(cli, small, tmp_path / "page.html")
    text = " ".join(_visible(page).split())
    # Who asked what, when; how to read; how links are made.
    assert "Qui demande Collectif test 2 organisations signataires : Association Une, Association Deux." in text
    assert "Quoi 2 questions posées aux listes candidates dans le document « Appel du collectif »." in text
    assert "Quand 15 janvier 2026." in text
    assert "Comment lire le tableau Une ligne par demande du collectif" in text
    assert "Comment les liens sont établis Un programme rapproche les mots" in text
    assert "Cette page ne compte que les liens confirmés par une personne (✔)." in text
    # When it was made, from which data (not in git here: a hash of the content).
    stamp = re.search(
        r"Page produite le (\d{1,2}|1er) \w+ 20\d\d · données : empreinte du contenu ([0-9a-f]{12})\.", text
    )
    assert stamp, text[:400]
    # Each list by its full name and its head of list.
    assert (
        '<th scope="col" data-list="l1">Liste Alpha pour une ville solidaire '
        '<span class="head">tête de liste : Camille Exemple</span></th>'
    ) in page
    # The pledge's status and its evidence, in its cell.
    assert (
        "Suivi : en cours, constaté le 2 novembre 2026 — « Le guichet ouvrira au printemps. » "
        "(Délibération du conseil municipal)"
    ) in text


def test_no_internal_token_in_the_page(cli, small, tmp_path):
    for args in ([], ["--suggestions"]):
        page = _page(cli, small, tmp_path / "page.html", *args)
        for token in (
            "hebergement-urgence",
            "acces-droits",
            "liste-alpha",
            "liste-beta",
            "alpha-guichet-01",
            "alpha-abri-02",
            "beta-arbres-01",
            "lettre",  # a source id ("Lettre de la liste" is its title)
        ):
            assert token not in page, (args, token)
        assert "≈" not in page and not re.search(r"\[[^\]]+\]", _visible(page)), args
        assert "engagements export" not in page  # no command line for the page's readers


def test_no_internal_token_in_the_bundled_page(cli, tmp_path):
    from engagements.loading import load_directory

    page = _page(cli, DATA, tmp_path / "page.html", "--suggestions", "--level", "all")
    data = load_directory(DATA).dataset
    ids = {r.id for r in data.requests.requests} | {a.id for a in data.requests.axes}
    ids |= {lst.id for lst in data.commitments.lists}
    ids |= {c.id for lst in data.commitments.lists for c in lst.commitments}
    ids |= {s.id for s in (*data.requests.sources, *data.commitments.sources)}
    text = _visible(page)
    for token in ids:
        if "-" in token:
            assert token not in page, token
        else:  # short ids (q1, a1, d3.13) as words of the visible text
            assert not re.search(rf"(?<![\w.-]){re.escape(token)}(?![\w-])", text), token
    # The notions and themes the matcher names are for maintainers.
    assert "≈" not in page and "[Logement]" not in page
    assert "Qui demande Les organisations humanitaires d’Aix en Provence" in " ".join(text.split())
    assert "tête de liste : Julie Boronad" in text


def _git(directory: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(directory), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git introuvable")
def test_data_version_is_the_git_revision_or_a_hash(small, tmp_path):
    digest = exports.data_version(small)
    assert re.fullmatch(r"empreinte du contenu [0-9a-f]{12}", digest)
    assert exports.data_version(small) == digest  # stable
    (small / "commitments.yaml").write_text(COMMITMENTS.replace("Planter", "Semer"), encoding="utf-8")
    assert exports.data_version(small) != digest  # follows the content

    _git(small, "init", "-q")
    _git(small, "add", "requests.yaml", "commitments.yaml")
    _git(small, "commit", "-q", "-m", "data")
    head = subprocess.run(
        ["git", "-C", str(small), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert exports.data_version(small) == f"révision git {head}"
    (small / "requests.yaml").write_text(REQUESTS.replace("Collectif test", "Collectif"), encoding="utf-8")
    assert exports.data_version(small) == f"révision git {head}, avec des modifications non enregistrées"


def test_the_content_hash_reads_the_data_files_only_and_never_blocks(small):
    # Outside git, the page's version is a hash: a stranger's folder may hold a FIFO named like
    # YAML (a read would wait forever) or a symlink to /dev/zero (a read would never end).
    digest = exports.data_version(small)
    os.mkfifo(small / "notes.yaml")
    (small / "zero.yaml").symlink_to("/dev/zero")

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("data_version read a FIFO or a device")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        assert exports.data_version(small) == digest  # the data files alone
        (small / "lists").mkdir()
        os.mkfifo(small / "lists" / "extra.yaml")  # a data file now, refused by the bounded read
        assert re.fullmatch(r"empreinte du contenu [0-9a-f]{12}", exports.data_version(small))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_folder_named_like_an_option_is_only_a_folder(small, tmp_path):
    # The folder reaches git as the value of -C, made absolute: never as an option.
    odd = tmp_path / "--exec-path=x"
    shutil.copytree(small, odd)
    assert exports.data_version(odd).startswith("empreinte du contenu ")


# -- in a headless browser ---------------------------------------------------------------------


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium introuvable (/usr/bin/chromium ou chromium dans le PATH) : page non rendue")
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# Headless Chromium will not make its window narrower than about 500 px, so the page is measured
# in a frame of the phone's width: its media queries see that width, as on the phone.
HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{src}" width="{width}" height="844" style="border:0"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {{
  var root = this.contentDocument.documentElement, widest = 0;
  this.contentDocument.querySelectorAll("body *").forEach(function (el) {{
    widest = Math.max(widest, el.getBoundingClientRect().right);
  }});
  document.body.setAttribute("data-result", JSON.stringify({{
    scroll: root.scrollWidth, client: root.clientWidth, widest: Math.ceil(widest),
    ready: root.getAttribute("data-filter")
  }}));
}});
</script></body></html>
"""


def _measure(tmp_path: Path, page: Path, width: int, *, opened: bool = False) -> dict:
    if opened:  # every cell open, as a reader who opened them all
        text = page.read_text(encoding="utf-8").replace("<details>", "<details open>")
        page = page.with_name("opened-" + page.name)
        page.write_text(text, encoding="utf-8")
    harness = tmp_path / f"harness-{width}.html"
    harness.write_text(HARNESS.format(src=page.name, width=width), encoding="utf-8")
    result = _browser(
        tmp_path, "--allow-file-access-from-files", "--window-size=1280,900", "--dump-dom", harness.as_uri()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-result="([^"]+)"', result.stdout)
    assert found, result.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("args", [["--suggestions"], ["--level", "demand"]])
def test_the_page_fits_a_phone_and_a_desktop(cli, tmp_path, args):
    page = tmp_path / "page.html"
    _page(cli, DATA, page, *args)
    for width, opened in ((390, False), (390, True), (1280, False)):
        got = _measure(tmp_path, page, width, opened=opened)
        assert got["ready"] == "ready"  # our script ran under its own policy
        # No horizontal scrolling: the document, and every element in it, within the viewport.
        assert got["scroll"] <= got["client"] <= width, (width, opened, got)
        assert got["widest"] <= got["client"], (width, opened, got)


def test_a_page_wider_than_the_phone_is_caught(tmp_path):
    # The harness itself: a page that does not fit is measured as such.
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width:600px">x</div></body></html>', encoding="utf-8")
    got = _measure(tmp_path, page, 390)
    assert got["scroll"] > got["client"]


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF, from its page tree (`/Type /Page` objects), without any PDF library."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize(("args", "most"), [(["--suggestions"], 4), (["--level", "demand", "--suggestions"], 5)])
def test_the_page_prints_on_a_few_a4_pages(cli, tmp_path, args, most):
    page = tmp_path / "page.html"
    text = _page(cli, DATA, page, *args)
    pdf = tmp_path / "page.pdf"
    result = _browser(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    pages = _pdf_pages(pdf.read_bytes())
    # Cells collapsed: the matrix, its legend and the chart in a few pages (all cells open, the
    # same page printed on 99).
    assert 2 <= pages <= most, pages
    assert "A4" in text and "ul.pledges { display: none; }" in text
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(printed.split())
        # The printed caption says where the pledges are; the screen one is not printed.
        assert "sont dans la version en ligne de cette page" in flat
        assert "ouvrez-la pour les lire" not in flat
        assert "Légende" in flat and "Part couverte" in flat
        # No pledge text printed (cells collapsed): a pledge of the bundled data is absent.
        assert "réquisition des bâtiments vacants" not in flat


def test_screenshots_at_phone_and_desktop_width(cli, tmp_path):
    page = tmp_path / "page.html"
    _page(cli, DATA, page, "--suggestions")
    for width, height in ((390, 844), (1280, 900)):
        shot = tmp_path / f"page-{width}.png"
        result = _browser(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri())
        assert result.returncode == 0, result.stderr[-2000:]
        png = shot.read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        # The IHDR chunk gives the image's width: the window's.
        assert int.from_bytes(png[16:20], "big") == width


def test_every_export_carries_the_recorded_status(cli, small, tmp_path):
    import csv
    import io

    def export(fmt: str, name: str) -> Path:
        result = cli("--data", str(small), "export", "-f", fmt, "-o", name)
        assert result.exit_code == 0, result
        return tmp_path / name

    md = export("md", "x.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "| alpha-guichet-01 |" in line)
    assert row.endswith("| en cours (2026-11-02, Délibération du conseil municipal) |")
    assert next(line for line in md.splitlines() if "| alpha-abri-02 |" in line).endswith("| non évalué |")

    links = json.loads(export("json", "x.json").read_text(encoding="utf-8"))["links"]
    guichet = next(link for link in links if link["commitment"] == "alpha-guichet-01")
    assert guichet["status"] == "in_progress"
    assert guichet["verdict"]["quote"] == "Le guichet ouvrira au printemps."
    assert guichet["verdict"]["url"] == "https://example.org/deliberation"

    plain = list(csv.DictReader(io.StringIO((export("csv", "plain") / "liens.csv").read_text("utf-8"), newline="")))
    row = next(r for r in plain if r["commitment"] == "alpha-guichet-01")
    assert (row["status"], row["status_date"], row["status_source"], row["status_quote"]) == (
        "in_progress",
        "2026-11-02",
        "Délibération du conseil municipal",
        "Le guichet ouvrira au printemps.",
    )
    # The new columns come after the ones scripts already read.
    assert list(plain[0])[-7:] == [
        "status", "status_date", "status_source", "status_url", "status_quote", "status_note", "status_by",
    ]  # fmt: skip
    text = (export("csv-excel", "people") / "liens.csv").read_text("utf-8-sig")
    people = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    row = next(r for r in people if r["Réf. engagement"] == "alpha-guichet-01")
    assert (row["Statut"], row["Preuve : lien"]) == ("en cours", "https://example.org/deliberation")
    assert next(r for r in people if r["Réf. engagement"] == "alpha-abri-02")["Statut"] == "non évalué"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_have_enough_contrast():
    # WCAG AA for normal text (4.5:1), for every coloured cell and the page's grey texts.
    css = exports._CSS
    for level in ("covered", "partial", "absent"):
        rule = re.search(rf"\.level-{level} \{{ background: (#[0-9a-f]{{6}}); color: (#[0-9a-f]{{6}}); \}}", css)
        assert rule, level
        assert _contrast(rule.group(1), rule.group(2)) >= 4.5, level
        # The pledges inside an open cell are dark text on the cell's colour.
        assert _contrast(rule.group(1), "#1a1a1a") >= 4.5, level
    for grey in re.findall(r"color: (#[0-9a-f]{3,6});", css):
        full = grey if len(grey) == 7 else "#" + "".join(ch * 2 for ch in grey[1:])
        assert _contrast(full, "#ffffff") >= 4.5, grey
