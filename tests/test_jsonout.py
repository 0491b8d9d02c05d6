"""The fast indented JSON writer gives json.dumps(..., ensure_ascii=False, indent=2) byte for byte."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum

import pytest

from conftest import DATA
from engagements import coverage
from engagements.jsonout import pieces
from engagements.loading import load_directory


class Color(StrEnum):
    red = "rouge"


class Rank(IntEnum):
    one = 1


def _same(value: object) -> None:
    assert "".join(pieces(value)) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        "é\u2028\x7f\"\\\n",
        None,
        True,
        0,
        -3,
        1.5,
        float("nan"),
        float("inf"),
        -float("inf"),
        1e300,
        {"a": [], "b": {}, "c": [[], {}, [1, [2, {"d": (3, "x")}]]]},
        {7: "int key", 2.5: "float key", True: "t", None: "n", "s": Color.red, "r": Rank.one},
        [{"deep": {"deeper": {"deepest": [1, 2, {"k": ["v"]}]}}}] * 3,
    ],
)
def test_same_text_as_json_dumps(value: object) -> None:
    _same(value)


def test_bundled_coverage_same_text() -> None:
    data = load_directory(DATA).dataset
    assert data is not None
    found = coverage.compute(data)
    cov = coverage.build(data, found.matched())
    _same(cov.to_dict())
    _same(found.to_dict())


def test_unknown_type_raises_like_json() -> None:
    with pytest.raises(TypeError):
        "".join(pieces({"a": [{"b": {"c": object()}}]}))


def test_an_iterator_is_written_as_its_list() -> None:
    items = [{"a": [1, {"b": 2}]}, {"c": []}, 3]
    assert "".join(pieces({"x": iter(items), "y": iter([])})) == json.dumps(
        {"x": items, "y": []}, ensure_ascii=False, indent=2
    )
    assert "".join(pieces(iter(items))) == json.dumps(items, ensure_ascii=False, indent=2)


def test_streamed_coverage_writes_the_same_text() -> None:
    from engagements import cache

    data = load_directory(DATA).dataset
    assert data is not None
    found = coverage.compute(data)
    listed, streamed = found.to_dict(), found.to_dict(stream=True)
    assert not isinstance(streamed["coverage"]["cells"], list)
    assert "".join(cache._json_pieces(found.to_dict(stream=True))) == json.dumps(listed, ensure_ascii=False)
    cov = coverage.build(data, found.matched())
    assert "".join(pieces(cov.to_dict(stream=True))) == json.dumps(cov.to_dict(), ensure_ascii=False, indent=2)
