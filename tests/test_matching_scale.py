"""The shortcuts taken for large data give exactly what the plain code gives (to the last bit)."""

from __future__ import annotations

import numpy as np

from conftest import DATA
from engagements.loading import load_directory
from engagements.matching import Matcher, rejected_texts, teaching_texts
from engagements.sparse import Rows


def _matchers():
    data = load_directory(DATA).dataset
    assert data is not None
    teach, push, shared = teaching_texts(data), rejected_texts(data), {}
    for lst in data.commitments.lists:
        matcher = Matcher(data.requests.requests, teaching=teach, rejected=push, shared=shared)
        yield matcher, [matcher.analyze(c.text) for c in lst.commitments]


def test_request_profiles_with_numpy_are_those_of_profile_to_the_last_bit():
    checked = taught = 0
    for matcher, analyses in _matchers():
        matcher.fit(analyses)
        # Some requests learn by feedback from the list's first pledges, as `score_all` does.
        feedback = {rid: analyses[k : k + 2] for k, rid in enumerate(matcher.request_ids[::5]) if analyses[k:]}
        for fb in ({}, feedback):
            matcher._set_profiles(fb)
            taught += len(matcher._profiles.made)  # made by `profile` (taught, fed or rejected)
            plain = matcher.profiles(fb)
            assert len(matcher._profiles) == len(plain)
            for i, profile in enumerate(plain):
                assert list(matcher._profiles[i].items()) == list(profile.items())
            expected = Rows.from_dicts(plain, matcher.vocabulary).transposed()
            got = matcher._r_matrix
            assert got.shape == expected.shape
            assert np.array_equal(got.toarray(), expected.toarray())
            checked += len(plain)
    assert checked > 0 and taught > 0  # the bundled data has confirmed links: both paths ran


def test_the_shared_document_frequencies_are_those_of_a_matcher_alone():
    for matcher, analyses in _matchers():
        alone = Matcher(matcher.requests, teaching=matcher.teaching, rejected=matcher.rejected)
        matcher.fit(analyses)
        alone.fit(analyses)
        assert matcher.df == alone.df and matcher.n_docs == alone.n_docs
        assert matcher.vocabulary == alone.vocabulary
