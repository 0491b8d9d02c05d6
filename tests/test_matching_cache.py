"""Each list's suggestions are cached on their own: editing one list matches that list again,
and what is read from the cache is always what matching again would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA
from engagements import matching
from engagements.loading import load_directory
from engagements.models import Dataset, Decision


def _data() -> Dataset:
    data = load_directory(DATA).dataset
    assert data is not None
    return data


def _entries(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("list-suggestions-*.json")}


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """A fresh cache; the lists each `match` scored again (not read from the cache)."""
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ENGAGEMENTS_NO_CACHE", raising=False)
    calls: list[list[str]] = []
    plain = matching._score_lists

    def recorded(data, **kw):  # type: ignore[no-untyped-def]
        wanted = kw["lists"]
        for scored in plain(data, **kw):
            calls[-1].append(scored.candidate.id)
            yield scored
        assert wanted is None or calls[-1] == list(wanted)

    def counted(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append([])
        return recorded(*args, **kw)

    monkeypatch.setattr(matching, "_score_lists", counted)
    return calls


def _uncached(data: Dataset, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    with monkeypatch.context() as m:
        m.setenv("ENGAGEMENTS_NO_CACHE", "1")
        return [s.as_dict() for s in matching.match(data)]


def test_a_second_run_reads_every_list_and_gives_the_same(scored, tmp_path, monkeypatch):
    data = _data()
    first = [s.as_dict() for s in matching.match(data)]
    assert scored == [[lst.id for lst in data.commitments.lists]]
    assert len(_entries(tmp_path)) == len(data.commitments.lists) == 3
    again = [s.as_dict() for s in matching.match(data)]
    assert len(scored) == 1  # nothing scored the second time
    assert again == first == _uncached(data, monkeypatch)


def test_editing_one_list_scores_that_list_alone(scored, tmp_path, monkeypatch):
    data = _data()
    matching.match(data)
    before = _entries(tmp_path)
    # A pledge nobody linked leaves one candidate list: the others' inputs are unchanged.
    target = data.commitments.lists[0]
    pledge = next(c for c in reversed(target.commitments) if not c.answers and not c.rejects)
    target.commitments.remove(pledge)
    got = [s.as_dict() for s in matching.match(data)]
    assert scored[-1] == [target.id]
    assert len(_entries(tmp_path) - before) == 1
    assert got == _uncached(data, monkeypatch)
    assert not any(s["commitment"] == pledge.id for s in got)


def test_a_confirmed_link_anywhere_scores_every_list_again(scored, monkeypatch):
    """A confirmed pledge teaches its request for every list: no list's cached result survives it."""
    data = _data()
    matching.match(data)
    lst = data.commitments.lists[1]
    pledge = next(c for c in lst.commitments if not c.answers and not c.rejects)
    request = next(r.id for r in data.requests.requests if r.id not in {link.request for link in pledge.answers})
    pledge.answers.append(Decision(request=request))
    got = [s.as_dict() for s in matching.match(data)]
    assert scored[-1] == [x.id for x in data.commitments.lists]
    assert got == _uncached(data, monkeypatch)
    assert {"list": lst.id, "commitment": pledge.id, "request": request, "source": "link"}.items() <= next(
        s for s in got if s["commitment"] == pledge.id and s["request"] == request
    ).items()


def test_filtered_calls_and_no_cache_never_touch_the_cache(scored, tmp_path, monkeypatch):
    data = _data()
    matching.match(data, requests=["q1"])
    matching.match(data, lists=[data.commitments.lists[0].id])
    assert _entries(tmp_path) == set()
    monkeypatch.setenv("ENGAGEMENTS_NO_CACHE", "1")
    matching.match(data)
    assert _entries(tmp_path) == set()


def test_a_constant_changed_at_run_time_is_never_answered_from_the_cache(scored, monkeypatch):
    """Studies change the matcher's constants in the process (benchmarks/match_quality.py)."""
    data = _data()
    matching.match(data)
    monkeypatch.setattr(matching, "FEEDBACK", 0)
    got = [s.as_dict() for s in matching.match(data)]
    assert scored[-1] == [lst.id for lst in data.commitments.lists]
    assert got == _uncached(data, monkeypatch)
