"""The taste map widget: what it draws and what its keys do."""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult

from movietui.tui.widgets.taste_map import MARKER, MapData, TasteMapView, View, draw


def sample(n: int = 300, seed: int = 0) -> MapData:
    rng = np.random.default_rng(seed)
    xy = rng.normal(size=(n, 2)).astype(np.float32)
    xy[0] = (0.5, 0.5)  # the best-known film, labelled first
    return MapData(
        xy=xy,
        genre=rng.integers(-1, 3, n),
        genre_names=("Comedy", "Drama", "Horror"),
        titles=tuple(f"Film {k}" for k in range(n)),
        movie_ids=np.arange(1000, 1000 + n, dtype=np.int64),
        stars={5: 4.5, 6: 1.0},
        trail=((-1.0, 0.0), (0.0, 0.0)),
    )


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


def test_the_map_shows_dots_labels_marker_stars_and_a_legend() -> None:
    data = sample()
    lines = draw(data, View.fit(data.xy), 80, 24)
    text = plain(lines)
    assert len(text) == 24 and all(len(line) == 80 for line in text[:-1])
    body = "\n".join(text[:-1])
    assert body.count(MARKER) == 1 and "•" in body  # the profile now, and where it was
    assert "Film 0" in body  # the best-known film is labelled
    assert any("\u2800" < ch <= "\u28ff" for ch in body)  # braille dots
    assert "5" in body or "1" in body  # a rated film shows its stars
    assert text[-1].startswith("■ Comedy  ■ Drama  ■ Horror  ■ other")


def test_labels_never_overwrite_each_other() -> None:
    data = sample(2000)
    text = "\n".join(plain(draw(data, View.fit(data.xy), 60, 20)))
    labelled = [t for t in data.titles[:200] if t + " " in text or text.count(t) == 1]
    assert len(labelled) >= 3  # several fit
    for title in labelled:
        assert text.count(title) <= 1 or title == "Film 1"  # prefixes: Film 1 vs Film 10


def test_films_outside_the_view_are_not_drawn() -> None:
    data = sample()
    far = View(cx=100.0, cy=100.0, span=1.0)
    body = "".join(plain(draw(data, far, 40, 10))[:-1])
    assert set(body) <= {" "}


class MapApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[int] = []

    def compose(self) -> ComposeResult:
        yield TasteMapView(id="map")

    def on_mount(self) -> None:
        self.query_one(TasteMapView).show(sample())
        self.query_one(TasteMapView).focus()

    def on_taste_map_view_film_chosen(self, message: TasteMapView.FilmChosen) -> None:
        self.chosen.append(message.movie_id)


async def test_keys_zoom_pan_step_near_the_marker_and_open_a_film() -> None:
    app = MapApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TasteMapView)
        span = view.view.span
        await pilot.press("plus")
        assert view.view.span < span
        await pilot.press("0")
        assert view.view.span == span
        cx = view.view.cx
        await pilot.press("right")
        assert view.view.cx > cx
        await pilot.press("right_square_bracket")
        first = view.selected
        data = view.data
        assert first is not None and data is not None
        d = np.hypot(data.xy[:, 0], data.xy[:, 1])  # the marker is at (0, 0)
        assert first == int(np.argmin(d))  # the nearest film to the marker first
        await pilot.press("right_square_bracket")
        assert view.selected != first
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == [1000 + int(view.selected)]
        assert data.titles[int(view.selected)] in "\n".join(
            str(line) for line in view.render().split()
        )
