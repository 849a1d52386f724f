"""Title parsing: years, display order of articles, genres; hypothesis for robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.catalog.titles import display_title, parse_genres, split_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Toy Story (1995)", ("Toy Story", 1995)),
        ("Seven (a.k.a. Se7en) (1995)", ("Seven (a.k.a. Se7en)", 1995)),
        ("Babylon 5", ("Babylon 5", 0)),
        ("Lost (2004-2010)", ("Lost", 2004)),
        ("Fargo (2014–)", ("Fargo", 2014)),
        ("Toy Story (1995) ", ("Toy Story", 1995)),
        ("  Heat (1995)  ", ("Heat", 1995)),
        ("Heat(1995)", ("Heat", 1995)),
        ("1984 (1956)", ("1984", 1956)),
        ("2001: A Space Odyssey (1968)", ("2001: A Space Odyssey", 1968)),
        ("(500) Days of Summer (2009)", ("(500) Days of Summer", 2009)),
        ("Blade Runner 2049", ("Blade Runner 2049", 0)),
        ("(2019)", ("(2019)", 0)),  # nothing but a year: keep the text
        ("", ("", 0)),
    ],
)
def test_split_title(raw: str, expected: tuple[str, int]) -> None:
    assert split_title(raw) == expected


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Shawshank Redemption, The", "The Shawshank Redemption"),
        ("Walk in the Clouds, A", "A Walk in the Clouds"),
        ("American in Paris, An", "An American in Paris"),
        ("Cité des enfants perdus, La", "La Cité des enfants perdus"),
        ("Misérables, Les", "Les Misérables"),
        ("Mariachi, El", "El Mariachi"),
        ("Boot, Das (Boat, The)", "Das Boot (The Boat)"),
        ("Atalante, L'", "L'Atalante"),
        (
            "Vitelloni, I (a.k.a. The Young and the Passionate)",
            "I Vitelloni (a.k.a. The Young and the Passionate)",
        ),
        ("Matrix, The (a.k.a. X)", "The Matrix (a.k.a. X)"),
        (
            "City of Lost Children, The (Cité des enfants perdus, La)",
            "The City of Lost Children (La Cité des enfants perdus)",
        ),
        ("Macbeth (a.k.a. Tragedy of Macbeth, The)", "Macbeth (a.k.a. The Tragedy of Macbeth)"),
        ("Seven (a.k.a. Se7en)", "Seven (a.k.a. Se7en)"),
        ("Vidocq  (Vidocq)", "Vidocq (Vidocq)"),
        # commas that are not articles stay put
        ("I, Robot", "I, Robot"),
        ("Paris, Texas", "Paris, Texas"),
        ("Monsters, Inc.", "Monsters, Inc."),
        ("Good Morning, Vietnam", "Good Morning, Vietnam"),
        ("The Matrix", "The Matrix"),
        (", The", ", The"),
        ("", ""),
    ],
)
def test_display_title(title: str, shown: str) -> None:
    assert display_title(title) == shown


@pytest.mark.parametrize(
    ("raw", "genres"),
    [
        ("Adventure|Animation|Children", "Adventure|Animation|Children"),
        ("(no genres listed)", ""),
        ("", ""),
        (" Drama | |Comedy ", "Drama|Comedy"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_parse_genres(raw: object, genres: str) -> None:
    assert parse_genres(raw) == genres


# A plain title: text without brackets, not blank, no trailing comma-article form.
plain = (
    st.text(
        alphabet=st.characters(
            blacklist_characters="()\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
            blacklist_categories=("Cs",),
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parsers_never_raise(raw: str) -> None:
    title, year = split_title(raw)
    assert isinstance(title, str) and isinstance(year, int)
    assert year == 0 or 1000 <= year <= 9999
    assert isinstance(display_title(raw), str)
    assert isinstance(parse_genres(raw), str)


@settings(max_examples=300, deadline=None)
@given(plain, st.integers(min_value=1000, max_value=9999))
def test_split_round_trip(title: str, year: int) -> None:
    assert split_title(f"{title} ({year})") == (title, year)
    assert split_title(f"  {title}  ({year}) ") == (title, year)


@settings(max_examples=200, deadline=None)
@given(
    plain.filter(lambda t: "," not in t),
    st.sampled_from(["The", "A", "An", "La", "Les", "Der", "El"]),
)
def test_article_moves_to_front(body: str, article: str) -> None:
    assert display_title(f"{body}, {article}") == f"{article} {body}"
    assert display_title(f"{body}, {article} (Alt)") == f"{article} {body} (Alt)"
    # a title already in reading order is left as it is
    assert display_title(f"{article} {body}") == f"{article} {body}"
