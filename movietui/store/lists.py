"""Named film lists (issue 15): imported from a Letterboxd list export or a plain CSV, shared by
every profile, ranked for one profile or a movie night. A list keeps its films in the file's
order; names are unique (trimmed, at most MAX_NAME characters)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from movietui.errors import NotFoundError, StoreError

from .base import StoreBase, _row_id, locked

MAX_LIST_NAME = 80


@dataclass(frozen=True)
class FilmList:
    id: int
    name: str
    created_at: float
    n_films: int


def check_list_name(name: object) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise StoreError("a list needs a name; type at least one letter")
    if len(text) > MAX_LIST_NAME:
        raise StoreError(f"list name is {len(text)} characters long; use at most {MAX_LIST_NAME}")
    return text


class ListsMixin(StoreBase):
    @locked
    def film_lists(self) -> list[FilmList]:
        rows = self.conn.execute(
            "SELECT l.list_id, l.name, l.created_at, "
            "(SELECT count(*) FROM film_list_items i WHERE i.list_id = l.list_id) "
            "FROM film_lists l ORDER BY l.name COLLATE NOCASE, l.list_id"
        )
        return [FilmList(*row) for row in rows]

    @locked
    def film_list(self, name: str) -> FilmList:
        """The list called ``name``; the error names the lists there are."""
        text = " ".join(str(name or "").split())
        for found in self.film_lists():
            if found.name == text:
                return found
        known = ", ".join(repr(f.name) for f in self.film_lists()) or "none"
        raise NotFoundError(
            f"no list named {text!r} (lists: {known}); import one with `movietui lists import FILE`"
        )

    @locked
    def list_movie_ids(self, list_id: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT movie_id FROM film_list_items WHERE list_id = ? ORDER BY position",
            (int(list_id),),
        )
        return [m for (m,) in rows]

    @locked
    def create_film_list(self, name: str, movie_ids: Iterable[int]) -> FilmList:
        """A new list of these films (duplicates keep their first place), in one transaction."""
        text = check_list_name(name)
        ids = list(dict.fromkeys(int(m) for m in movie_ids))
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM film_lists WHERE name = ?", (text,)).fetchone():
                raise StoreError(
                    f"a list named {text!r} already exists; choose another name with --name"
                )
            now = time.time()
            cur = conn.execute(
                "INSERT INTO film_lists(name, created_at) VALUES (?, ?)", (text, now)
            )
            list_id = _row_id(cur)
            conn.executemany(
                "INSERT INTO film_list_items(list_id, movie_id, position) VALUES (?, ?, ?)",
                [(list_id, movie, pos) for pos, movie in enumerate(ids)],
            )
        return FilmList(list_id, text, now, len(ids))

    @locked
    def rename_film_list(self, list_id: int, name: str) -> None:
        text = check_list_name(name)
        with self.transaction() as conn:
            clash = conn.execute(
                "SELECT list_id FROM film_lists WHERE name = ?", (text,)
            ).fetchone()
            if clash and clash[0] != int(list_id):
                raise StoreError(f"a list named {text!r} already exists; choose another name")
            if not conn.execute(
                "UPDATE film_lists SET name = ? WHERE list_id = ?", (text, int(list_id))
            ).rowcount:
                raise NotFoundError(f"list {list_id} does not exist; see `movietui lists`")

    @locked
    def delete_film_list(self, list_id: int) -> None:
        """Delete the list and its films (ON DELETE CASCADE)."""
        with self.transaction() as conn:
            if not conn.execute(
                "DELETE FROM film_lists WHERE list_id = ?", (int(list_id),)
            ).rowcount:
                raise NotFoundError(f"list {list_id} does not exist; see `movietui lists`")
