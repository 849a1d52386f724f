"""The folding shared by titles and queries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from movietui.text import fold_text as fold
from movietui.text import fold_unicode, without_article


def test_examples() -> None:
    assert fold("Amélie") == "amelie"
    assert fold("  The   MATRIX ") == "the matrix"
    assert fold("Smörgåsbord") == "smorgasbord"
    assert fold("Ærøskøbing Straße") == "aeroskobing strasse"
    assert fold("Łódź") == "lodz"
    assert fold("[REC]²") == "[rec]2"
    assert fold("Matrix, The") == "matrix, the"
    assert without_article("the matrix") == "matrix"
    assert without_article("the") == "the"
    assert without_article("theory") == "theory"


@given(st.text())
def test_fold_is_idempotent_and_single_spaced(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip() and "  " not in once and "\n" not in once


@given(st.text(), st.text(), st.text())
def test_substrings_survive_folding(before: str, middle: str, after: str) -> None:
    # If the user types part of a title, its folded form is inside the folded title
    # (given word boundaries, which is how people type: by whole characters).
    core = fold(middle)
    whole = fold(f"{before} {middle} {after}")
    assert core in whole


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_general_path(text: str) -> None:
    assert fold(text) == fold_unicode(text)


def test_human_size_reads_like_a_file_manager() -> None:
    from movietui.text import human_size

    assert human_size(None) == "size unknown"
    assert human_size(512) == "512 B"
    assert human_size(3 * 1024) == "3.0 KB"
    assert human_size(int(3.25 * (1 << 20))) == "3.2 MB"
    assert human_size(5 << 30) == "5.0 GB"
    assert human_size(int(227.9 * (1 << 20))) == "228 MB"


def test_catalog_matching_and_search_fold_text_alike() -> None:
    """One folding rule: the ratings-import matcher keys a title as search folds it."""
    from movietui.catalog.matching import title_key
    from movietui.text import fold_text

    assert title_key("Æon Flux (2005)") == title_key("Aeon Flux (2005)")
    assert fold_text("Æon Flux") == "aeon flux"
