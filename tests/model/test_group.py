"""Movie night strategies: sound lists for any group, and each strategy doing what it says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from movietui.errors import ModelError
from movietui.model.group import STRATEGIES, group_top_n


def opposite_tastes(n: int = 100) -> np.ndarray:
    """Member 0 loves films 0..49 in order, member 1 films 50..98; both like film 99 a lot."""
    s = np.full((2, n), -1.0, np.float32)
    s[0, :50] = np.linspace(1.0, 0.5, 50)
    s[1, 50:] = np.linspace(1.0, 0.5, 50)
    s[:, 99] = 0.97  # third best of each member
    return s


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_gives_n_distinct_candidates(strategy: str) -> None:
    s = opposite_tastes()
    mask = np.ones(100, bool)
    mask[[0, 50]] = False  # rated by a member: never listed
    got = group_top_n(s, 10, strategy, mask)
    assert len(got) == 10 == len(set(got.tolist()))
    assert not {0, 50} & set(got.tolist())


def test_shared_serves_both_members_and_prefers_the_film_both_like() -> None:
    got = group_top_n(opposite_tastes(), 6, "shared").tolist()
    assert sum(f < 50 for f in got) >= 2 and sum(f >= 50 for f in got) >= 2
    assert got[0] == 99  # among the first turn's choices, the film both like wins


def test_least_misery_ranks_by_the_unhappiest_member_and_average_by_the_mean() -> None:
    s = np.array([[1.0, 0.9, 0.0, 0.5], [0.0, 0.6, 1.0, 0.5]], np.float32)
    assert group_top_n(s, 1, "least_misery").tolist() == [1]
    assert group_top_n(s, 1, "average").tolist() == [1]  # 0.75 beats 0.5 and 0.5


def test_turns_interleaves_the_members_own_lists_and_is_the_default() -> None:
    assert group_top_n(opposite_tastes(), 4, "turns").tolist() == [0, 50, 1, 51]
    assert group_top_n(opposite_tastes(), 4).tolist() == [0, 50, 1, 51]


def test_bad_input_is_a_clear_error_or_an_empty_list() -> None:
    with pytest.raises(ModelError, match="unknown group strategy"):
        group_top_n(opposite_tastes(), 5, "dictator")
    assert group_top_n(np.full((3, 10), np.nan), 5).size == 0
    assert group_top_n(opposite_tastes(), 0).size == 0


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 5), st.integers(1, 300)),
        elements=st.one_of(st.floats(-5, 5, width=32), st.just(np.nan), st.just(-np.inf)),
    ),
    st.sampled_from(STRATEGIES),
    st.integers(0, 30),
)
def test_any_scores_give_distinct_finite_films(scores: np.ndarray, strategy: str, n: int) -> None:
    got = group_top_n(scores, n, strategy)
    assert len(got) == len(set(got.tolist())) <= n
    finite_somewhere = np.isfinite(scores).any(axis=0)
    assert all(finite_somewhere[f] for f in got)
    assert len(got) == min(n, int(finite_somewhere.sum())) or strategy != "average"
