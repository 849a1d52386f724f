"""Property tests: readers, importers, store and model functions raise only MovietuiError.

Random bytes, random zip members, random CSVs in random encodings and line endings, mutated
real files, random JSON, random hyperparameters, array shapes and ratings. Any exception
that is not a movietui.errors.MovietuiError subclass fails the test with the input that
caused it (hypothesis shrinks it). Examples run are counted into the figures.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rel_harness import Figures

from movietui.catalog.personal import parse_personal_ratings, read_personal_ratings
from movietui.catalog.readers import read_release
from movietui.errors import MovietuiError
from movietui.model import (
    Hyper,
    MFModel,
    explain,
    fold_in,
    fold_in_exact,
    popularity_scores,
    scores,
    similar_items,
    top_n,
    train,
)
from movietui.store import open_store

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
SMALL_FUZZ = settings(FUZZ, max_examples=50)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf-32", "ascii"]
NEWLINES = ["\n", "\r\n", "\r"]
RELEASE_FILES = [
    "movies.csv",
    "ratings.csv",
    "links.csv",
    "tags.csv",
    "movies.dat",
    "ratings.dat",
    "users.dat",
    "u.data",
    "u.item",
    "u.user",
    "README.txt",
]
HEADERS = {
    "movies.csv": "movieId,title,genres",
    "ratings.csv": "userId,movieId,rating,timestamp",
    "links.csv": "movieId,imdbId,tmdbId",
    "tags.csv": "userId,movieId,tag,timestamp",
}

cells = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.integers(-5, 200_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "null",
            "4.5",
            "0.5",
            "5",
            "1e308",
            "-0",
            "0x1F",
            '"',
            '""',
            "a,b",
            "Toy Story (1995)",
            "Amélie (2001)",
            "Comedy|Drama",
            "(no genres listed)",
            "tt0114709",
            "\t",
            "\\N",
            "９",
        ]
    ),
    st.text(max_size=12),
)


def csv_text(header: str, draw_rows: list[list[str]], newline: str) -> str:
    lines = [header] + [",".join(row) for row in draw_rows]
    return newline.join(lines) + newline


@st.composite
def random_csv(draw, name: str) -> bytes:
    header = HEADERS.get(name, "a,b,c")
    if draw(st.booleans()):
        header = ",".join(draw(st.permutations(header.split(",")))[: draw(st.integers(0, 5))])
    width = max(1, header.count(",") + 1)
    rows = draw(
        st.lists(st.lists(cells, min_size=max(0, width - 1), max_size=width + 1), max_size=8)
    )
    text = csv_text(header, rows, draw(st.sampled_from(NEWLINES)))
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@st.composite
def dat_text(draw) -> bytes:
    rows = draw(st.lists(st.lists(cells, min_size=2, max_size=5), max_size=8))
    sep = draw(st.sampled_from(["::", "\t", "|", ","]))
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    return text.encode(draw(st.sampled_from(["latin-1", "utf-8"])), errors="replace")


VALID = {
    "movies.csv": 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,"Matrix, The (1999)",Action\n'
    "3,Amélie (2001),Comedy|Romance\n",
    "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964981247\n2,3,3.5,964982224\n",
    "links.csv": "movieId,imdbId,tmdbId\n1,0114709,862\n2,0133093,603\n3,0211915,194\n",
    "tags.csv": "userId,movieId,tag,timestamp\n",
}


@st.composite
def mutated_valid(draw, name: str) -> bytes:
    data = bytearray(VALID[name].encode())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete" and data:
            del data[pos]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


def member_content(name: str) -> st.SearchStrategy[bytes]:
    """Mostly the valid file or a light mutation of it, so the parsers behind the layout
    checks get exercised; sometimes random CSV rows, .dat text or plain bytes."""
    if name not in HEADERS:
        return st.one_of(st.binary(max_size=300), dat_text())
    return st.sampled_from(["valid", "valid", "mutated", "mutated", "csv", "dat", "bytes"]).flatmap(
        lambda kind: {
            "valid": st.just(VALID[name].encode()),
            "mutated": mutated_valid(name),
            "csv": random_csv(name),
            "dat": dat_text(),
            "bytes": st.binary(max_size=300),
        }[kind]
    )


@st.composite
def release_files(draw) -> dict[str, bytes]:
    names = draw(st.lists(st.sampled_from(RELEASE_FILES), min_size=1, max_size=5, unique=True))
    if draw(st.booleans()):  # most draws look like a release, so the parsers get exercised
        names = sorted(set(names) | {"movies.csv", "ratings.csv"})
    return {n: draw(member_content(n)) for n in names}


def must_only_raise_ours(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run ``call``; MovietuiError is an answer, anything else escapes and fails the test."""
    try:
        return call(*args, **kwargs)
    except MovietuiError as exc:
        message = str(exc)
        assert message and "\n" not in message, f"error message is not one line: {message!r}"
        return None


class Count:
    def __init__(self, figures: Figures, key: str) -> None:
        self.figures, self.key, self.n, self.errors = figures, key, 0, 0

    def __call__(self, result: object) -> None:
        self.n += 1
        self.errors += result is None

    def done(self) -> None:
        self.figures.add("fuzz_examples", self.n)
        self.figures.add(f"fuzz_{self.key}", self.n)
        self.figures.note(f"fuzz_{self.key}_accepted", self.n - self.errors)
        assert self.n > 0


# ------------------------------------------------------------ catalog release reader


@pytest.mark.slow
def test_fuzz_read_release_random_bytes(figures: Figures) -> None:
    count = Count(figures, "read_release_bytes")

    @FUZZ
    @given(
        data=st.one_of(
            st.binary(max_size=2000), st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b)
        ),
        suffix=st.sampled_from([".zip", ".csv", ""]),
    )
    def run(data: bytes, suffix: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"ml-fuzz{suffix}"
            path.write_bytes(data)
            count(must_only_raise_ours(read_release, path))

    run()
    count.done()


@pytest.mark.slow
def test_fuzz_read_release_zip_members(figures: Figures) -> None:
    count = Count(figures, "read_release_zip")

    @FUZZ
    @given(files=release_files(), nested=st.booleans(), compress=st.booleans())
    def run(files: dict[str, bytes], nested: bool, compress: bool) -> None:
        buf = io.BytesIO()
        mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        with zipfile.ZipFile(buf, "w", mode) as zf:
            for name, content in files.items():
                zf.writestr(f"ml-fuzz/{name}" if nested else name, content)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ml-fuzz.zip"
            path.write_bytes(buf.getvalue())
            count(must_only_raise_ours(read_release, path))

    run()
    count.done()


@pytest.mark.slow
def test_fuzz_read_release_folders(figures: Figures) -> None:
    count = Count(figures, "read_release_folder")

    @FUZZ
    @given(files=release_files())
    def run(files: dict[str, bytes]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ml-fuzz"
            root.mkdir()
            for name, content in files.items():
                (root / name).write_bytes(content)
            data = must_only_raise_ours(read_release, root)
            count(data)
            if data is not None:  # what it accepts is sound enough to store
                assert (
                    len(data.user_id)
                    == len(data.movie_id)
                    == len(data.rating)
                    == len(data.timestamp)
                )
                assert np.isfinite(data.rating).all()
                assert ((data.rating >= 0.5) & (data.rating <= 5)).all()

    run()
    count.done()


# ------------------------------------------------------------ personal ratings exports

PERSONAL_HEADERS = [
    "Date,Name,Year,Letterboxd URI,Rating",
    "Date,Name,Year,Letterboxd URI",
    "Title,Year,imdbID,tmdbID,Rating,WatchedDate",
    (
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,"
        "Release Date,Directors"
    ),
    "movie_id,imdb_id,tmdb_id,rating,average_rating,title",
    "movie_id,rating,rated_at,title,year,imdb_id,tmdb_id",
    "userId,movieId,rating,timestamp",
]


def plausible(column: str) -> st.SearchStrategy[str]:
    """A sound value for ``column`` as an export writes it, so most rows parse and the
    deeper code (dates, scales, ids) is reached; garbage cells are mixed in by the caller."""
    c = column.lower()
    if c in ("rated_at", "timestamp"):
        return st.integers(800_000_000, 1_800_000_000).map(str)
    if "date" in c:
        return st.integers(8_000, 20_000).map(lambda d: str(date.fromordinal(719_163 + d)))
    if c == "your rating":
        return st.integers(1, 10).map(str)
    if c == "average_rating":
        return st.sampled_from(["3.5", "4.1", ""])
    if "rating" in c:
        return st.integers(1, 10).map(lambda k: str(k / 2))
    if c in ("const", "imdb_id", "imdbid"):
        return st.integers(1, 9_999_999).map(lambda k: f"tt{k:07d}")
    if c == "year":
        return st.integers(1900, 2025).map(str)
    if c in ("movie_id", "movieid", "tmdb_id", "tmdbid", "userid", "num votes", "runtime (mins)"):
        return st.integers(1, 1500).map(str)
    if c == "letterboxd uri":
        return st.text("abcdef0123", min_size=1, max_size=6).map(lambda t: f"https://boxd.it/{t}")
    return st.one_of(
        st.sampled_from(["Night River 12", "Toy Story", "Matrix, The", "Amélie", "Se7en"]),
        st.text(min_size=1, max_size=15).filter(lambda t: t.strip() and t.isprintable()),
    )


@st.composite
def personal_csv(draw) -> bytes:
    header = draw(st.sampled_from(PERSONAL_HEADERS))
    columns = header.split(",")
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(plausible(c)) if draw(st.integers(0, 60)) else draw(cells) for c in columns]
        row = [f'"{v}"' if ("," in v or '"' in v) and not v.startswith('"') else v for v in row]
        if not draw(st.integers(0, 9)):
            row = row[: draw(st.integers(0, len(row)))]  # a short row now and then
        rows.append(row)
    text = csv_text(header, rows, draw(st.sampled_from(NEWLINES)))
    return text.encode(draw(st.sampled_from(["utf-8"] * 10 + ENCODINGS)), errors="replace")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def personal_json(draw) -> bytes:
    entry = st.fixed_dictionaries(
        {},
        optional={
            "movie_id": json_values,
            "title": json_values,
            "year": json_values,
            "imdb_id": json_values,
            "tmdb_id": json_values,
            "rating": json_values,
            "rated_at": json_values,
        },
    )
    doc = {
        "format": draw(st.sampled_from(["movietui-ratings", "other", 3])),
        "version": draw(st.sampled_from([1, 2, "1", None])),
        "ratings": draw(st.one_of(st.lists(entry, max_size=5), json_values)),
    }
    return json.dumps(doc).encode()


@st.composite
def personal_zip(draw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in draw(
            st.lists(
                st.sampled_from(["ratings.csv", "watchlist.csv", "x/ratings.csv", "diary.csv"]),
                max_size=3,
                unique=True,
            )
        ):
            zf.writestr(name, draw(st.one_of(personal_csv(), st.binary(max_size=100))))
    return buf.getvalue()


@pytest.mark.slow
def test_fuzz_personal_ratings_parsers(figures: Figures) -> None:
    count = Count(figures, "personal_parsers")

    @settings(FUZZ, max_examples=150)
    @given(data=st.one_of(st.binary(max_size=500), personal_csv(), personal_json(), personal_zip()))
    def run(data: bytes) -> None:
        export = must_only_raise_ours(parse_personal_ratings, data, "fuzz.csv")
        count(export)
        if export is not None:
            for row in export.ratings:
                assert (
                    row.rating is not None
                    and 0.5 <= row.rating <= 5
                    and row.rating * 2 == int(row.rating * 2)
                )

    run()
    count.done()
    with tempfile.TemporaryDirectory() as tmp:  # the file entry point: folders and missing files
        assert must_only_raise_ours(read_personal_ratings, Path(tmp)) is None
        assert must_only_raise_ours(read_personal_ratings, Path(tmp) / "missing.csv") is None


@pytest.mark.slow
def test_fuzz_service_import_ratings(catalog_home: Path, figures: Figures) -> None:
    """The whole importer (parse, match, write) on random exports, dry run and real."""
    from movietui.service import Service

    count = Count(figures, "service_import_ratings")
    with Service.open(catalog_home) as service, tempfile.TemporaryDirectory() as tmp:
        me = service.current_profile
        assert me is not None
        before = {r.movie.movie_id: r.rating for r in service.my_ratings()}
        service.create_profile("fuzzed")
        service.switch_profile(me.id)

        @SMALL_FUZZ
        @given(
            data=st.one_of(personal_csv(), personal_json()),
            dry=st.booleans(),
            partial=st.booleans(),
        )
        def run(data: bytes, dry: bool, partial: bool) -> None:
            path = Path(tmp) / "export.csv"
            path.write_bytes(data)
            count(
                must_only_raise_ours(
                    service.import_ratings, path, profile="fuzzed", dry_run=dry, partial=partial
                )
            )

        run()
        assert service.current_profile.id == me.id  # type: ignore[union-attr]
        assert {r.movie.movie_id: r.rating for r in service.my_ratings()} == before, (
            "another profile was touched"
        )
    count.done()


# ------------------------------------------------------------ store inputs


@pytest.mark.slow
def test_fuzz_store_search_and_rating_inputs(catalog_home: Path, figures: Figures) -> None:
    count = Count(figures, "store_inputs")
    with open_store(catalog_home / "movietui.db") as store:
        pid = store.list_profiles()[0].id
        genres = store.genres()
        before = {r.movie_id: r.rating for r in store.profile_ratings(pid)}

        @settings(FUZZ, max_examples=150)
        @given(
            query=st.text(max_size=30)
            | st.sampled_from(['"', "*", "NEAR(a b)", "a OR b", "-x", "^", "'", "%", "_"]),
            genre=st.sampled_from([*genres, "Nope", ""]),
            year=st.one_of(st.none(), st.integers(-(10**6), 10**6)),
            sort=st.sampled_from(["relevance", "title", "year", "popularity", "mean", "bogus"]),
            limit=st.integers(-5, 200),
            offset=st.integers(-5, 10**6),
            rating=st.one_of(
                st.floats(allow_nan=True), st.sampled_from([None, "4", "x", 0, 6, 2.25])
            ),
        )
        def run(query, genre, year, sort, limit, offset, rating) -> None:  # type: ignore[no-untyped-def]
            count(
                must_only_raise_ours(
                    store.search_movies,
                    query,
                    genres=(genre,) if genre else (),
                    year_min=year,
                    sort=sort,
                    limit=limit,
                    offset=offset,
                )
            )
            count(must_only_raise_ours(store.filter_movie_ids, query, year_max=year))
            count(must_only_raise_ours(store.create_profile, query))
            if must_only_raise_ours(store.set_rating, pid, 10**9, rating) is None:
                assert store.get_rating(pid, 10**9) in (None, *[r / 2 for r in range(1, 11)])

        run()
        after = {r.movie_id: r.rating for r in store.profile_ratings(pid)}
        after.pop(10**9, None)
        assert after == before
    count.done()


# ------------------------------------------------------------ model functions

id_arrays = st.sampled_from(["small", "negative", "huge", "mixed"])


@st.composite
def training_input(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(0, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(id_arrays)
    span = {
        "small": (1, 30),
        "negative": (-30, 30),
        "huge": (2**40, 2**40 + 50),
        "mixed": (-(2**62), 2**62),
    }[kind]
    users = rng.integers(*span, n)
    items = rng.integers(*span, n)
    ratings = draw(st.sampled_from(["half-stars", "equal", "wild"]))
    if ratings == "half-stars":
        r = rng.integers(1, 11, n) / 2
    elif ratings == "equal":
        r = np.full(n, 3.0)
    else:
        r = rng.choice(np.array([np.nan, np.inf, -1.0, 0.0, 6.0, 1e30, 2.5]), n)
    return users, items, r.astype(draw(st.sampled_from([np.float32, np.float64])))


sound_hypers = st.builds(
    Hyper,
    factors=st.integers(1, 6),
    epochs=st.integers(1, 3),
    lr=st.sampled_from([0.001, 0.007, 0.05]),
    reg=st.sampled_from([0.0, 0.06]),
    val_fraction=st.sampled_from([0.0, 0.05, 0.3]),
    threads=st.sampled_from([1, 2]),
    seed=st.integers(0, 10),
    patience=st.integers(1, 3),
)
wild_hypers = st.builds(
    Hyper,
    factors=st.integers(0, 6),
    epochs=st.integers(0, 3),
    lr=st.sampled_from([0.0, 0.007, 1.0, 2.0, float("nan")]),
    reg=st.sampled_from([0.0, 0.06, -1.0, float("inf")]),
    val_fraction=st.sampled_from([0.0, 0.05, 0.3, 0.6]),
    threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(-1, 10),
    patience=st.integers(0, 3),
)
hypers = st.one_of(sound_hypers, sound_hypers, sound_hypers, wild_hypers)


@pytest.mark.slow
def test_fuzz_model_train_and_serve(figures: Figures) -> None:
    count = Count(figures, "model")

    @settings(FUZZ, max_examples=60)
    @given(inp=training_input(), hyper=hypers, extra=st.booleans(), n=st.integers(-3, 40))
    def run(inp, hyper: Hyper, extra: bool, n: int) -> None:  # type: ignore[no-untyped-def]
        users, items, ratings = inp
        all_items = np.array([7_777_777]) if extra else None
        model = must_only_raise_ours(train, users, items, ratings, hyper, all_item_ids=all_items)
        count(model)
        if model is None:
            return
        assert np.isfinite(model.item_factors).all() and np.isfinite(model.user_factors).all()
        rng = np.random.default_rng(n + 10)
        idx = rng.integers(-2, model.n_items + 2, max(n, 0))
        vals = rng.choice(np.array([0.5, 3.0, 5.0, np.nan, 9.0]), idx.size)
        for fold in (fold_in, fold_in_exact):
            f = must_only_raise_ours(fold, model, idx, vals)
            count(f)
            if f is not None:
                s = scores(model, f.factors, f.bias)
                assert np.isfinite(s).all()
                count(must_only_raise_ours(top_n, s, n, exclude_idx=idx))
                count(
                    must_only_raise_ours(
                        explain, model, int(idx[0]) if idx.size else 0, idx, vals, f.bias
                    )
                )
        count(must_only_raise_ours(similar_items, model, n, abs(n)))
        count(must_only_raise_ours(scores, model, rng.normal(size=max(n, 0)), float("nan")))
        count(
            must_only_raise_ours(
                popularity_scores,
                rng.integers(-1, 5, 4),
                rng.normal(size=max(n % 5, 0)),
                float("nan"),
            )
        )

    run()
    count.done()


@pytest.mark.slow
def test_fuzz_model_from_arrays(figures: Figures) -> None:
    count = Count(figures, "model_from_arrays")
    base_model = train(
        np.arange(40) % 7, np.arange(40) % 11, np.full(40, 4.0), Hyper(factors=3, epochs=1)
    )
    base_arrays, base_meta = base_model.to_arrays()

    @settings(FUZZ, max_examples=100)
    @given(
        drop=st.sets(st.sampled_from(sorted(base_arrays))),
        reshape=st.sets(st.sampled_from(sorted(base_arrays))),
        dtype=st.sampled_from(["<f4", "<f8", "<i8", "|u1", ">f4", "<c8"]),
        meta=st.dictionaries(
            st.sampled_from(["mu", "format", "hyper", "history", "metrics"]), json_values
        ),
        keep_meta=st.booleans(),
    )
    @example(
        drop=set(), reshape=set(), dtype="<f4", meta={"hyper": None, "mu": 1.0}, keep_meta=False
    )
    def run(drop, reshape, dtype, meta, keep_meta) -> None:  # type: ignore[no-untyped-def]
        arrays = {k: v for k, v in base_arrays.items() if k not in drop}
        for k in reshape & set(arrays):
            arrays[k] = (
                np.resize(arrays[k], (3, 2)).astype(np.dtype(dtype), copy=False)
                if dtype != "<c8"
                else arrays[k].astype(np.complex64)
            )
        full_meta = dict(base_meta, **meta) if keep_meta else meta
        model = must_only_raise_ours(MFModel.from_arrays, arrays, full_meta)
        count(model)
        if model is not None:
            s = must_only_raise_ours(scores, model, np.zeros(model.factors), 0.0)
            assert s is None or (np.isfinite(s).all() and not math.isnan(float(s.sum())))

    run()
    count.done()


# ------------------------------------------------------------ the facade the UI calls


@pytest.mark.slow
def test_fuzz_service_inputs(catalog_home: Path, figures: Figures) -> None:
    """What a person can type or click: queries, filters, sorts, pages, ids, star values."""
    from movietui.model import Hyper as ModelHyper
    from movietui.service import Filters, Service

    count = Count(figures, "service_inputs")
    with Service.open(catalog_home) as service:
        service.train(ModelHyper(factors=4, epochs=2))
        genres = service.genres()
        before = {r.movie.movie_id: r.rating for r in service.my_ratings()}

        @settings(FUZZ, max_examples=100)
        @given(
            query=st.text(max_size=20)
            | st.sampled_from(['"', "*", "NEAR(", "the", "ámelie", "%_"]),
            genre=st.lists(st.sampled_from([*genres, "Nope"]), max_size=2),
            years=st.tuples(st.none() | st.integers(-5, 3000), st.none() | st.integers(-5, 3000)),
            min_count=st.integers(-3, 10**9),
            sort=st.sampled_from(
                ["relevance", "title", "year", "popularity", "mean", "predicted", "nope"]
            ),
            limit=st.integers(-3, 500),
            offset=st.integers(-3, 10**7),
            movie=st.integers(-(2**63), 2**63 - 1) | st.integers(0, 1400),
            n=st.integers(-3, 60),
            value=st.floats(allow_nan=True, allow_infinity=True)
            | st.sampled_from([0.5, 4.5, 5.0, 0.0, 5.5]),
        )
        def run(query, genre, years, min_count, sort, limit, offset, movie, n, value) -> None:  # type: ignore[no-untyped-def]
            filters = Filters(
                genres=tuple(genre), year_min=years[0], year_max=years[1], min_count=min_count
            )
            page = must_only_raise_ours(service.browse, query, filters, sort, True, limit, offset)
            count(page)
            if page is not None:
                assert all(v.predicted is None or math.isfinite(v.predicted) for v in page.items)
            count(must_only_raise_ours(service.recommendations, n, filters))
            count(must_only_raise_ours(service.find_titles, query, years[0], n))
            count(must_only_raise_ours(service.movie, movie))
            count(must_only_raise_ours(service.similar, movie, n))
            if must_only_raise_ours(service.rate, movie, value) is not None:
                count(must_only_raise_ours(service.undo))

        run()
        after = {r.movie.movie_id: r.rating for r in service.my_ratings()}
        assert after == before, "fuzzed rate+undo pairs left the profile changed"
    count.done()
