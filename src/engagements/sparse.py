"""The matcher's one sparse product, with numpy alone.

The matcher multiplies the pledges' weight vectors (sparse rows over its vocabulary) by the
requests' profiles (sparse too). scipy.sparse did it until December 2026; importing it cost a
cold `engagements coverage` about 0.2 s (scipy 1.17's array-API layer loads numpy.f2py,
numpy.testing…), a third of the command's own time. This module does the same product with the
same float32 operations in the same order, so the same scores to the last bit
(tests/test_sparse.py compares both wherever scipy is installed):

- a row's entries are kept in ascending column order (scipy's canonical CSR);
- a cell (pledge i, request j) is the float32 sum, in ascending term order, of the float32
  products `pledge weight × profile weight` (scipy's `csr_matmat`: `sums[j] += v * b`);
- the product is returned dense (rows × requests, a chunk at a time): a cell that nothing adds
  to, or whose sum is exactly 0, is 0, the cells scipy leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Rows:
    """A sparse matrix by rows (CSR): row r's columns are `indices[indptr[r]:indptr[r + 1]]`,
    ascending, with their float32 `data`."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_triples(cls, rows: Any, cols: Any, values: Any, shape: tuple[int, int]) -> Rows:
        """From (row, column, value) triples, at most one per cell; values become float32."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        order = np.lexsort((cols, rows))
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
        data = np.asarray(values, dtype=np.float32)[order]
        return cls(indptr, cols[order], data, shape)

    @classmethod
    def from_dicts(cls, vectors: Sequence[Mapping[str, float]], vocabulary: Mapping[str, int]) -> Rows:
        """One row per vector, a column per vocabulary term (terms outside it are left out)."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, vec in enumerate(vectors):
            for t, v in vec.items():
                j = vocabulary.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(v)
        return cls.from_triples(rows, cols, vals, (len(vectors), len(vocabulary)))

    def transposed(self) -> Rows:
        """The same matrix by columns: row k of the result is column k of this one."""
        rows = np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))
        return Rows.from_triples(self.indices, rows, self.data, (self.shape[1], self.shape[0]))

    def toarray(self) -> np.ndarray:
        """The dense float32 matrix."""
        out = np.zeros(self.shape, dtype=np.float32)
        rows = np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out


def product(a: Rows, b: Rows) -> np.ndarray:
    """`a @ b` as a dense float32 array, summed as scipy.sparse sums it (see the module's text).

    Every product `a[i, k] * b[k, j]` is made at once (as many as scipy makes), then added into
    its cell by `np.add.at`, which adds in array order: the products come ordered by row, then
    ascending k, so each cell is summed in ascending k, like scipy's.
    """
    n_rows, n_cols = a.shape[0], b.shape[1]
    a_rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(a.indptr))
    starts = b.indptr[a.indices]
    lengths = b.indptr[a.indices + 1] - starts
    total = int(lengths.sum())
    out = np.zeros(n_rows * n_cols, dtype=np.float32)
    if total:
        # Position in b of each product: its a entry's row start in b, plus its rank there.
        first = np.cumsum(lengths) - lengths
        where = np.repeat(starts - first, lengths) + np.arange(total, dtype=np.int64)
        values = np.repeat(a.data, lengths) * b.data[where]
        np.add.at(out, np.repeat(a_rows * n_cols, lengths) + b.indices[where], values)
    return out.reshape(n_rows, n_cols)
