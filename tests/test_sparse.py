"""The numpy sparse product gives scipy.sparse's scores to the last bit.

scipy left the dependencies in December 2026 (`sparse.py` says why); wherever it is still
installed, these tests check every product the matcher makes on the bundled data and on the
external corpus (texts the matcher was not built around) against scipy's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA
from engagements import sparse
from engagements.loading import load_directory
from engagements.matching import match
from engagements.models import Request

EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "external"


def _scipy(rows: sparse.Rows):  # type: ignore[no-untyped-def]
    scipy_sparse = pytest.importorskip("scipy.sparse")
    return scipy_sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """Every `sparse.product` the matcher makes is compared with scipy's; the counts of cells."""
    pytest.importorskip("scipy.sparse")
    monkeypatch.setenv("ENGAGEMENTS_CACHE_DIR", str(tmp_path))  # every list matched, none read
    seen: list[int] = []
    plain = sparse.product

    def compared(a: sparse.Rows, b: sparse.Rows) -> np.ndarray:
        got = plain(a, b)
        expected = (_scipy(a) @ _scipy(b)).toarray()
        assert got.dtype == expected.dtype == np.float32
        # Bit for bit: the same float32 bits in every cell (not merely close values).
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))
        seen.append(int(np.count_nonzero(got)))
        return got

    monkeypatch.setattr(sparse, "product", compared)
    return seen


def test_every_product_on_the_bundled_data_is_scipys(checked: list[int]) -> None:
    data = load_directory(DATA).dataset
    assert data is not None
    match(data, semantic=False)
    match(data)  # the blend reads the dense products of every pair
    assert len(checked) >= 2 * len(data.commitments.lists) and sum(checked) > 10_000


@pytest.mark.skipif(not EXTERNAL.is_dir(), reason="the external corpus is not beside the project")
def test_every_product_on_the_external_corpus_is_scipys(checked: list[int]) -> None:
    from engagements.matching import Matcher

    programmes = [
        [item["text"] for item in json.loads(p.read_text(encoding="utf-8"))["items"]]
        for p in sorted(EXTERNAL.glob("pledges_*.json"))
    ]
    demand_files = sorted(EXTERNAL.glob("demands_*.json"))
    assert programmes and demand_files
    for path in demand_files:
        items = json.loads(path.read_text(encoding="utf-8"))["items"]
        requests = [
            Request(id=f"d{k}", title=item["text"][:40], text=item["text"], kind="demand")
            for k, item in enumerate(items)
        ]
        for texts in programmes:
            matcher = Matcher(requests)
            matcher.score_all([matcher.analyze(t) for t in texts])
    assert len(checked) >= 2 * 5 * 3 and sum(checked) > 10_000


def test_rows_keep_one_entry_per_cell_in_column_order() -> None:
    rows = sparse.Rows.from_dicts([{"b": 0.5, "a": 0.25}, {}, {"c": 1.0, "x": 2.0}], {"a": 0, "b": 1, "c": 2})
    assert rows.indptr.tolist() == [0, 2, 2, 3]
    assert rows.indices.tolist() == [0, 1, 2]
    assert rows.data.dtype == np.float32 and rows.data.tolist() == [0.25, 0.5, 1.0]
    assert rows.transposed().toarray().tolist() == rows.toarray().T.tolist()


def test_a_cell_is_summed_in_ascending_term_order_in_float32() -> None:
    # 1 + 2**-24 + 2**-24 in float32: left to right each small term is lost (1.0), the other way
    # round they add up (1 + 2**-23): the order is visible in the result.
    tiny = float(np.float32(2.0**-24))
    a = sparse.Rows.from_triples([0, 0, 0], [2, 0, 1], [tiny, 1.0, tiny], (1, 3))
    b = sparse.Rows.from_triples([0, 1, 2], [0, 0, 0], [1.0, 1.0, 1.0], (3, 1))
    assert sparse.product(a, b)[0, 0] == np.float32(1.0)
    reordered = sparse.Rows.from_triples([0, 0, 0], [0, 1, 2], [tiny, tiny, 1.0], (1, 3))
    assert sparse.product(reordered, b)[0, 0] == np.float32(1.0) + np.float32(2.0**-23)
