"""Title search through the trigram index: folding, ranking, filters, sorts, paging."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movietui.errors import StoreError
from movietui.store import Store, fold


def ids(store: Store, query: str, **kw) -> list[int]:
    return store.filter_movie_ids(query, **kw).tolist()


def test_exact_then_prefix_then_substring(catalog_store: Store) -> None:
    # The Matrix (exact, 2 ratings) > The Matrix Reloaded (prefix, 3) > The Animatrix (substring).
    assert ids(catalog_store, "matrix") == [1, 4, 5]
    assert ids(catalog_store, "The Matrix") == [1, 4]  # "the matrix" is not inside "the animatrix"
    assert ids(catalog_store, "Matrix, The") == [1, 5]  # "animatrix, the" contains it
    assert ids(catalog_store, "  MATRIX  ") == [1, 4, 5]
    page, total = catalog_store.search_movies("matrix")
    assert [m.movie_id for m in page] == [1, 4, 5] and total == 3


def test_accents_case_and_brackets(catalog_store: Store) -> None:
    assert ids(catalog_store, "amelie") == [2]
    assert ids(catalog_store, "AMÉLIE") == [2]
    assert ids(catalog_store, "smorgas") == [8]
    assert ids(catalog_store, "[REC]") == [3]
    assert ids(catalog_store, "rec]") == [3]


def test_one_and_two_letter_queries_use_like(catalog_store: Store) -> None:
    assert ids(catalog_store, "ma") == [
        4,
        1,
        5,
    ]  # both Matrix films are prefix matches: count decides
    assert ids(catalog_store, "up") == [6]
    assert set(ids(catalog_store, "y")) == {7}
    found = catalog_store.get_movies(ids(catalog_store, "É"))  # folds to "e": every title with an e
    assert {m.movie_id for m in found} == {1, 2, 3, 4, 5, 8}


def test_like_wildcards_are_literal(catalog_store: Store) -> None:
    assert ids(catalog_store, "%") == [8]
    assert ids(catalog_store, "_") == [8]
    assert ids(catalog_store, "0%") == [8]
    assert ids(catalog_store, "50%") == [8]
    assert ids(catalog_store, "f_s") == [8]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "AND",
        "(",
        "OR (",
        "NEAR(a b)",
        'a"b',
        "'",
        "\\",
        '""""',
        "matrix*",
        "-matrix",
        "^mat",
        "col:x",
        "a AND b",
        "{x}",
        "\x00",
        "🎬🎬🎬",
    ],
)
def test_hostile_fts_syntax_never_raises(catalog_store: Store, text: str) -> None:
    catalog_store.filter_movie_ids(text)
    rows, total = catalog_store.search_movies(text)
    assert total == len(rows)


def test_query_with_quote_matches_literally(store: Store) -> None:
    store.replace_catalog(
        release="q",
        source="t",
        movies={"movie_id": [1, 2], "title": ['Say "Cheese"', "Cheese"]},
        user_id=[],
        movie_id=[],
        rating=[],
        timestamp=[],
    )
    assert ids(store, '"cheese"') == [1]
    assert ids(store, "cheese") == [2, 1]


def test_filters(catalog_store: Store) -> None:
    assert sorted(ids(catalog_store, "", genres=["Sci-Fi"])) == [1, 4, 5]
    assert ids(catalog_store, "", genres=["Sci-Fi", "Animation"]) == [5]
    assert ids(catalog_store, "", genres=["No Such Genre"]) == []
    assert sorted(ids(catalog_store, "", year_min=2003)) == [3, 4, 5, 6]
    assert sorted(ids(catalog_store, "", year_max=2000)) == [1, 7]
    assert sorted(ids(catalog_store, "", year_min=2001, year_max=2003)) == [2, 4, 5]
    assert sorted(ids(catalog_store, "", min_count=2)) == [1, 4, 6]
    assert ids(catalog_store, "matrix", genres=["Animation"]) == [5]
    assert ids(catalog_store, "") == [4, 1, 6, 3, 2, 5, 7, 8]  # no query: most rated first


def _sorted(store: Store, sort: str, descending: bool) -> list[int]:
    rows, total = store.search_movies(sort=sort, descending=descending, limit=100)
    assert total == 8
    return [m.movie_id for m in rows]


def test_sorts(catalog_store: Store) -> None:
    assert _sorted(catalog_store, "title", False) == [3, 2, 5, 1, 4, 8, 7, 6]
    assert _sorted(catalog_store, "title", True) == [6, 7, 8, 4, 1, 5, 2, 3]
    assert _sorted(catalog_store, "year", True) == [6, 3, 4, 5, 2, 1, 7, 8]
    assert _sorted(catalog_store, "year", False)[:2] == [8, 7]
    popular = catalog_store.get_movies(_sorted(catalog_store, "popularity", True))
    counts = [m.rating_count for m in popular]
    assert counts == sorted(counts, reverse=True) and popular[0].movie_id == 4
    for descending in (True, False):
        means = [
            m.mean_rating
            for m in catalog_store.get_movies(_sorted(catalog_store, "mean", descending))
        ]
        assert means[-1] is None  # unrated last either way
        assert means[:-1] == sorted(means[:-1], reverse=descending)
    assert _sorted(catalog_store, "relevance", True) == [4, 1, 6, 3, 2, 5, 7, 8]
    with pytest.raises(StoreError, match="unknown sort"):
        catalog_store.search_movies(sort="shuffle")


def test_paging(catalog_store: Store) -> None:
    seen = []
    for offset in range(0, 9, 3):
        page, total = catalog_store.search_movies(
            sort="title", descending=False, limit=3, offset=offset
        )
        assert total == 8
        seen += [m.movie_id for m in page]
    assert seen == [3, 2, 5, 1, 4, 8, 7, 6]
    assert catalog_store.search_movies(limit=5, offset=50) == ([], 8)
    assert catalog_store.search_movies("zzzz") == ([], 0)
    with pytest.raises(StoreError):
        catalog_store.search_movies(limit=-1)


def _synthetic_store(store: Store) -> Store:
    """600 look-alike titles (few distinct words, so many matches per query), skewed counts."""
    rng = np.random.default_rng(4)
    words = ["Night", "River", "Ghost", "Storm", "Matrix", "Amélie", "Dream", "City"]
    n = 600
    titles = [
        f"{words[a]} {words[b]} {k}" for k, (a, b) in enumerate(rng.integers(0, len(words), (n, 2)))
    ]
    titles = [f"{t}, The" if k % 7 == 0 else t for k, t in enumerate(titles)]
    genre_names = ["Comedy", "Drama", "Romance", "Horror"]
    genres = [
        "|".join(g for b, g in enumerate(genre_names) if mask >> b & 1)
        for mask in rng.integers(0, 16, n)
    ]
    n_ratings = 8_000
    movies = (rng.zipf(1.3, n_ratings) % n + 1).astype(np.int32)
    store.replace_catalog(
        release="syn",
        source="test",
        movies={
            "movie_id": np.arange(1, n + 1),
            "title": titles,
            "display_title": [f"The {t[:-5]}" if t.endswith(", The") else t for t in titles],
            "year": rng.integers(1930, 2020, n),
            "genres": genres,
        },
        user_id=rng.integers(1, 300, n_ratings),
        movie_id=movies,
        rating=rng.integers(1, 11, n_ratings) / 2,
        timestamp=np.zeros(n_ratings, np.int64),
    )
    return store


QUERIES = [
    "matrix",
    "amelie",
    "night river",
    "the",
    "e 1",
    "ri",
    "x",
    "c",  # prefix "c" must not take in "Dream City" (a title starting with the next letter)
    "",
    "storm 1",
    "zzz",
    "the ghost",
]
FILTERS = [
    {},
    {"genres": ["Drama"]},
    {"genres": ["Comedy", "Romance"], "year_min": 1980},
    {"year_max": 1970, "min_count": 3},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_fast_paths_agree_with_plain_sql(store: Store, filters: dict) -> None:
    """The tiered FTS pages and the numpy filters give exactly what one ORDER BY gives."""
    _synthetic_store(store)
    for query in QUERIES:
        every = store.filter_movie_ids(query, **filters).tolist()
        assert len(set(every)) == len(every)
        paged = []
        for offset in range(0, len(every) + 60, 60):
            page, total = store.search_movies(query, **filters, limit=60, offset=offset)
            assert total == len(every)
            paged += [m.movie_id for m in page]
        assert paged == every, query
        backwards, total = store.search_movies(query, **filters, descending=False, limit=100_000)
        assert [m.movie_id for m in backwards] == every[::-1], query  # the general ORDER BY path
        if every:
            rows = store.get_movies(every)
            counts = [m.rating_count for m in rows]
            if not query:
                assert counts == sorted(counts, reverse=True)


TITLE_CHARS = "abcdeilmnortx ,.'-[]()\"*%_^:éÉæ"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(alphabet=TITLE_CHARS, max_size=8))
def test_matches_are_exactly_the_folded_substrings(catalog_store: Store, query: str) -> None:
    """Whatever is typed, FTS or LIKE returns exactly the titles containing it, folded."""
    folded = fold(query)
    expected = {
        m.movie_id
        for m in catalog_store.get_movies(range(1, 9))
        if folded in fold(m.display_title) or folded in fold(m.title)
    }
    found = catalog_store.filter_movie_ids(query).tolist()
    assert set(found) == expected and len(found) == len(expected)
    assert catalog_store.search_movies(query, limit=3)[1] == len(expected)


def test_bad_filter_values_are_store_errors(catalog_store: Store) -> None:
    with pytest.raises(StoreError, match="year_min"):
        catalog_store.search_movies(year_min="nineties")
    with pytest.raises(StoreError, match="limit"):
        catalog_store.search_movies(limit=None)


@pytest.mark.parametrize("walk", [True, False])
def test_relevance_pages_do_not_depend_on_the_query_plan(
    store: Store, monkeypatch: pytest.MonkeyPatch, walk: bool
) -> None:
    """Walking the popularity index or fetching and sorting every match (chosen by how many
    match): the same pages as the general ORDER BY, for FTS and LIKE queries alike."""
    _synthetic_store(store)
    monkeypatch.setattr(Store, "_walks", staticmethod(lambda *_: walk))
    for query in QUERIES:
        for filters in FILTERS:
            backwards, _ = store.search_movies(query, **filters, descending=False, limit=100_000)
            every = [m.movie_id for m in reversed(backwards)]  # the general ORDER BY path
            for offset in (0, 7, 60):
                page, _ = store.search_movies(query, **filters, limit=25, offset=offset)
                assert [m.movie_id for m in page] == every[offset : offset + 25], (query, filters)
