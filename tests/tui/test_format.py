"""Text helpers of the UI: map labels that tell films apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from movietui.tui.format import short_label

SERIES = [
    "The Lord of the Rings: The Fellowship of the Ring",
    "The Lord of the Rings: The Two Towers",
    "The Lord of the Rings: The Return of the King",
    "Harry Potter and the Sorcerer's Stone",
    "Harry Potter and the Chamber of Secrets",
    "Harry Potter and the Prisoner of Azkaban",
    "Star Wars: Episode IV - A New Hope",
    "Star Wars: Episode V - The Empire Strikes Back",
]


def test_films_of_a_series_keep_different_labels() -> None:
    labels = [short_label(title, 22) for title in SERIES]
    assert len(set(labels)) == len(labels), labels
    assert all(len(label) <= 22 for label in labels)
    assert short_label("Pulp Fiction", 22) == "Pulp Fiction"


@given(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
    st.integers(0, 40),
)
def test_a_label_fits_its_width_and_a_title_that_fits_is_kept(title: str, width: int) -> None:
    label = short_label(title, width)
    assert len(label) <= width
    normal = " ".join(title.split())
    if len(normal) <= width:
        assert label == normal
