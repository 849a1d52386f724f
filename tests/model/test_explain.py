"""explain() names only films the profile liked, strongest first (never a low rating)."""

from __future__ import annotations

import numpy as np

from movietui.model import Hyper, MFModel, explain
from movietui.model.serve import explain_list

MU = 3.5
# item: (factor row, item bias). The target points along x.
ITEMS = {
    "target": ((1.0, 0.0, 0.0), 0.0),
    "liked_close": ((1.0, 0.1, 0.0), 0.0),  # rated 5: strongest reason
    "liked_halfway": ((0.5, 0.5, 0.0), 0.0),  # rated 4.5: weaker (cos 0.71)
    "disliked_opposite": ((-1.0, 0.0, 0.0), 0.0),  # rated 1: (1 - 3.5) * (-1) > 0, yet disliked
    "meh_but_above_its_mean": (
        (1.0, 0.0, 0.0),
        -1.5,
    ),  # rated 3: above 2.0, below the profile's 3.5
    "liked_unrelated": ((0.0, 0.0, 1.0), 0.0),  # rated 5 but orthogonal: no reason
}
NAMES = list(ITEMS)


def model() -> MFModel:
    q = np.array([row for row, _ in ITEMS.values()], dtype=np.float32)
    bias = np.array([b for _, b in ITEMS.values()], dtype=np.float32)
    return MFModel(
        mu=MU,
        user_bias=np.zeros(1, np.float32),
        item_bias=bias,
        user_factors=np.zeros((1, 3), np.float32),
        item_factors=q,
        user_keys=np.array([1], np.int64),
        item_ids=np.arange(1, len(ITEMS) + 1, dtype=np.int64),
        hyper=Hyper(factors=3),
    )


def reasons(ratings: dict[str, float], user_bias: float = 0.0, n: int = 5) -> list[str]:
    idx = [NAMES.index(name) for name in ratings]
    got, contrib = explain(
        model(), NAMES.index("target"), idx, list(ratings.values()), user_bias, n=n
    )
    assert np.all(contrib > 0) and np.all(np.diff(contrib) <= 0), "strongest first, all positive"
    return [NAMES[i] for i in got]


def test_only_liked_films_are_named_strongest_first() -> None:
    ratings = {
        "disliked_opposite": 1.0,
        "liked_halfway": 4.5,
        "meh_but_above_its_mean": 3.0,
        "liked_close": 5.0,
        "liked_unrelated": 5.0,
    }
    assert reasons(ratings) == ["liked_close", "liked_halfway"]
    assert reasons(ratings, n=1) == ["liked_close"]


def test_a_profile_that_disliked_everything_gets_no_reason() -> None:
    assert reasons({"disliked_opposite": 1.0, "liked_close": 2.0, "liked_halfway": 0.5}) == []


def test_liked_means_above_the_profiles_own_baseline() -> None:
    # A generous profile (bias +1.2: baseline 4.7): a 4.5 is below its norm even for a film
    # whose own baseline is 3.2, so it is no reason; a 5 is.
    assert reasons({"meh_but_above_its_mean": 4.5, "liked_close": 5.0}, user_bias=1.2) == [
        "liked_close"
    ]


def test_a_list_names_what_sets_each_film_apart_not_the_film_like_all_of_them() -> None:
    """Two targets listed together: the hub (liked, close to both) was the first reason for
    both alone; in the list each gets the liked film that resembles it in particular."""
    q = np.array(
        [
            (1.0, 0.0, 0.0),  # 0: target A
            (0.0, 1.0, 0.0),  # 1: target B
            (1.0, 1.0, 0.0),  # 2: hub, as close to A as to B
            (1.0, -0.2, 0.3),  # 3: like A in particular
            (-0.2, 1.0, 0.3),  # 4: like B in particular
        ],
        dtype=np.float32,
    )
    m = MFModel(
        mu=MU,
        user_bias=np.zeros(1, np.float32),
        item_bias=np.zeros(5, np.float32),
        user_factors=np.zeros((1, 3), np.float32),
        item_factors=q,
        user_keys=np.array([1], np.int64),
        item_ids=np.arange(1, 6, dtype=np.int64),
        hyper=Hyper(factors=3),
    )
    rated, stars = [2, 3, 4], [5.0, 4.5, 4.5]
    alone = [explain(m, t, rated, stars, 0.0, n=1)[0].tolist() for t in (0, 1)]
    assert alone == [[2], [2]]  # the hub is each film's strongest single reason
    listed = explain_list(m, [0, 1], rated, stars, 0.0, n=1)
    assert [named.tolist() for named, _ in listed] == [[3], [4]]
    assert explain_list(m, [0, 1, -1], rated, stars, 0.0)[2][0].size == 0  # unknown film
    assert explain_list(m, [-1], rated, stars, 0.0)[0][0].size == 0


def test_explain_list_of_one_film_is_explain() -> None:
    rated, stars = [1, 2, 3, 5], [5.0, 4.5, 3.0, 5.0]
    got = explain_list(model(), [0], rated, stars, 0.0, n=3)[0]
    want = explain(model(), 0, rated, stars, 0.0, n=3)
    assert got[0].tolist() == want[0].tolist() == [1, 2]
