"""The bundled data holds every pledge of the seed documents, with provenance.

The pledges are counted from the seed texts themselves (not from the YAML), then each one
is looked up among the bundled pledges.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import DATA, SEEDS
from engagements.checks import find_quote, quote_pattern, read_source
from engagements.loading import load_directory

LETTER = SEEDS / "000_1d5eca14aae107d3.txt"
PROGRAMME = SEEDS / "001_3d18f1cd15f82665.txt"


def letter_bullets(path: Path) -> list[tuple[int, str]]:
    """Every non-empty "- " bullet of the letter, with the lines that continue it.

    A bullet goes on over the following lines; after blank lines (the PDF extraction inserts
    them mid-sentence), a line starting in lower case still continues it.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    bullets: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("- ") and line[2:].strip():
            start, parts = i + 1, [line[2:].strip()]
            j = i + 1
            while j < len(lines):
                nxt = lines[j].strip()
                if not nxt:
                    k = j
                    while k < len(lines) and not lines[k].strip():
                        k += 1
                    if k < len(lines) and lines[k].strip()[:1].islower():
                        j = k
                        continue
                    break
                if nxt.startswith("-") or re.match(r"^\d+-", nxt) or nxt.startswith("Pour "):
                    break
                parts.append(nxt)
                j += 1
            bullets.append((start, " ".join(parts)))
            i = j
        else:
            i += 1
    return bullets


def programme_measures(path: Path) -> list[tuple[int, str]]:
    """Every sentence of the numbered items 12 to 23 of the programme chapter."""
    measures: list[tuple[int, str]] = []
    in_items = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        match = re.match(r"^(\d+)\.\s+(.*)$", line)
        if match:
            in_items, line = True, match.group(2)
        if not in_items or not line:
            continue
        for sentence in re.split(r"(?<=[.!])\s+(?=[A-ZÉÀ])", line):
            if sentence.strip():
                measures.append((number, sentence.strip()))
    return measures


@pytest.fixture(scope="module")
def dataset():
    loaded = load_directory(DATA)
    assert loaded.dataset is not None, loaded.diagnostics
    return loaded.dataset


def pledges_of(dataset, list_id: str) -> list:
    (lst,) = [lst for lst in dataset.commitments.lists if lst.id == list_id]
    return lst.commitments


def test_every_bullet_of_the_letter_is_a_pledge(dataset):
    bullets = letter_bullets(LETTER)
    assert len(bullets) == 91  # 90 distinct bullets, one of them repeated
    pledges = pledges_of(dataset, "aix-en-commun")
    for line, bullet in bullets:
        matches = [p for p in pledges if _same(bullet, p.text)]
        assert matches, f"bullet of line {line} missing: {bullet[:60]}"


def _same(source_text: str, clean_text: str) -> bool:
    """The cleaned pledge is the source bullet with ligature artefacts repaired."""
    from engagements.french import unify

    compact = "".join(unify(source_text).split())
    return quote_pattern(clean_text).fullmatch(compact) is not None


def test_the_repeated_bullet_is_kept_once_with_a_note(dataset):
    bullets = letter_bullets(LETTER)
    texts = [text for _line, text in bullets]
    repeated = [t for t in set(texts) if texts.count(t) > 1]
    assert len(repeated) == 1
    pledges = [p for p in pledges_of(dataset, "aix-en-commun") if _same(repeated[0], p.text)]
    assert len(pledges) == 1
    assert "répétée" in (pledges[0].note or "")


def test_prose_measures_of_the_letter_are_kept(dataset):
    texts = " ".join(p.text for p in pledges_of(dataset, "aix-en-commun"))
    for phrase in ("conférence permanente sur un nouveau projet de ville", "reprendre les locaux du LIGOURES"):
        assert phrase in texts


def test_every_measure_of_the_programme_is_a_pledge(dataset):
    measures = programme_measures(PROGRAMME)
    assert len(measures) == 42
    pledges = pledges_of(dataset, "programme-solidarite")
    items = {p.provenance.item for p in pledges if p.provenance and p.provenance.item}
    assert items == {str(n) for n in range(12, 24)}
    for line, sentence in measures:
        pattern = quote_pattern(sentence)
        hits = [p for p in pledges if pattern.search("".join(p.text.split()).replace("’", "'"))]
        assert hits, f"measure of line {line} missing: {sentence[:60]}"


def test_every_pledge_has_provenance_found_in_its_source(dataset):
    sources = {s.id: s for s in dataset.commitments.sources}
    for lst in dataset.commitments.lists:
        for pledge in lst.commitments:
            prov = pledge.provenance
            assert prov is not None and prov.line is not None, pledge.id
            source = sources[prov.source]
            assert source.title and source.file, source.id
            text = read_source(DATA / source.file)
            assert text is not None
            # The rule `validate` applies: the quote is found AT the stated line, even when it also
            # appears earlier (a title of the Contrat de ville first appears in its table of contents).
            assert find_quote(pledge.text, text, prov.line) == prov.line, pledge.id
            if lst.kind != "institution":
                # the candidates' letters and programmes have no table of contents: their first
                # occurrence is the stated line, as before the Contrat de ville was read
                assert find_quote(pledge.text, text) == prov.line, pledge.id


def test_letter_links_follow_the_letter_headings(dataset):
    for pledge in pledges_of(dataset, "aix-en-commun"):
        section = pledge.provenance.section
        if section.startswith("Introduction"):
            assert pledge.answers == []
            continue
        number = section.split("-")[0]
        (link,) = pledge.answers
        assert link.request.removeprefix("q").rstrip("ab") == number, pledge.id


def test_requests_hold_twelve_questions_and_the_fine_demands(dataset):
    requests = dataset.requests.requests
    questions = [r for r in requests if r.kind == "question"]
    demands = [r for r in requests if r.kind == "demand"]
    assert [q.number for q in questions] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "10", "11"]
    assert len({q.id for q in questions}) == 12
    assert {d.axis for d in demands} == {"a1", "a2", "a3"}
    assert 25 <= len(demands) <= 35
    texts = [d.text for d in demands]
    for demand in ("aide alimentaire", "hébergement d’urgence", "secourir les femmes victimes de violence"):
        assert any(demand in t for t in texts), demand
    assert len(dataset.requests.collective.members) == 20


def test_data_files_point_at_their_schema():
    for name in ("requests", "commitments"):
        first = (DATA / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=schema/{name}.schema.json"


def test_committed_schemas_match_the_models():
    from engagements.schema import schema_text

    for name in ("requests", "commitments"):
        committed = (DATA / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name), f"run: engagements schema {name} -o data/schema/{name}.schema.json"


def test_yaml_has_no_tabs_and_loads_plainly():
    for name in ("requests.yaml", "commitments.yaml"):
        text = (DATA / name).read_text(encoding="utf-8")
        assert "\t" not in text
        assert YAML(typ="safe").load(text)
