"""The City's record (seed 003) as transcribed in data/record/: every row found in its source.

These tests hold the transcription to the document (every row, text, line and figure); how the
commands read it (model, validate, show, bilan) is tested in tests/test_record.py."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
import yaml

from engagements.checks import find_quote, read_source

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RECORD = DATA / "record" / "bilan-politique-de-la-ville.yaml"
SOURCE = DATA / "sources" / "003_598897ab6a862be5.txt"
NEIGHBOURHOODS = {"beisson", "corsy", "encagnane", "jas-de-bouffan", "pinette"}


@pytest.fixture(scope="module")
def record() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(RECORD.read_text(encoding="utf-8"))


def _extraction():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("record_extraction", ROOT / "benchmarks" / "record_extraction.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_text_starts_at_its_line(record: dict) -> None:  # type: ignore[type-arg]
    source = read_source(SOURCE)
    assert not isinstance(source, Exception)
    wrong = [
        (a["id"], a["provenance"]["line"], find_quote(a["text"], source, a["provenance"]["line"]))
        for a in record["actions"]
        if find_quote(a["text"], source, a["provenance"]["line"]) != a["provenance"]["line"]
    ]
    assert wrong == []


def test_figures_are_printed_in_the_row(record: dict) -> None:  # type: ignore[type-arg]
    source = read_source(SOURCE)
    assert not isinstance(source, Exception)
    for action in record["actions"]:
        for figure in action.get("figures", []):
            assert figure in action["text"] or figure in action["action"], (action["id"], figure)
            assert find_quote(figure, source) is not None, (action["id"], figure)


def test_links_name_existing_ids(record: dict) -> None:  # type: ignore[type-arg]
    requests = {r["id"] for r in yaml.safe_load((DATA / "requests.yaml").read_text(encoding="utf-8"))["requests"]}
    contrat = next(DATA.glob("*/contrat-de-ville.yaml"))
    pledges = {c["id"] for lst in yaml.safe_load(contrat.read_text(encoding="utf-8"))["lists"] for c in lst["commitments"]}
    ids = [a["id"] for a in record["actions"]]
    assert len(ids) == len(set(ids))
    for action in record["actions"]:
        assert set(action["neighbourhoods"]) <= NEIGHBOURHOODS
        assert action["provenance"]["source"] == record["sources"][0]["id"]
        for link in action.get("implements", []):
            assert link["commitment"] in pledges, (action["id"], link)
        for link in action.get("answers", []):
            assert link["request"] in requests, (action["id"], link)


def test_every_table_row_is_recorded(record: dict) -> None:  # type: ignore[type-arg]
    """As many entries per neighbourhood as the document's table has rows, each under its table's caption."""
    module = _extraction()
    rows = module.rows(SOURCE.read_text(encoding="utf-8"))
    recorded = Counter(a["neighbourhoods"][0] for a in record["actions"])
    assert recorded == Counter(r["quartier"] for r in rows)
    assert sorted(recorded.items()) == [
        ("beisson", 40), ("corsy", 32), ("encagnane", 50), ("jas-de-bouffan", 66), ("pinette", 19)
    ]  # fmt: skip
    captions = {q: caption for q, _, _, _, caption in module.TABLES}
    text = SOURCE.read_text(encoding="utf-8")
    for action in record["actions"]:
        assert action["provenance"]["section"] == captions[action["neighbourhoods"][0]]
        assert action["provenance"]["section"] in text
