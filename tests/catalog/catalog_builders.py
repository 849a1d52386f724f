"""Small fixture releases in every GroupLens layout, written by the tests themselves."""

from __future__ import annotations

import zipfile
from pathlib import Path

CSV_MOVIES = (
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
    '2,"Shawshank Redemption, The (1994)",Crime|Drama\n'
    '3,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy\n'
    "4,Babylon 5,(no genres listed)\n"
    "5,Seven (a.k.a. Se7en) (1995),Mystery|Thriller\n"
)
CSV_LINKS = "movieId,imdbId,tmdbId\n1,0114709,862\n2,0111161,278\n3,0112682,\n5,0114369,807\n"
CSV_RATINGS = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,964982703\n"
    "1,2,5.0,964981247\n"
    "1,5,3.5,964982224\n"
    "2,1,0.5,964983815\n"
    "2,3,2.5,964982931\n"
    "3,2,4.5,964982400\n"
)
# (user, movie, rating, timestamp) in CSV_RATINGS, for assertions
CSV_ROWS = [
    (1, 1, 4.0, 964982703),
    (1, 2, 5.0, 964981247),
    (1, 5, 3.5, 964982224),
    (2, 1, 0.5, 964983815),
    (2, 3, 2.5, 964982931),
    (3, 2, 4.5, 964982400),
]

DAT_MOVIES = (
    "1::Toy Story (1995)::Animation|Children's|Comedy\n"
    "2::Misérables, Les (1995)::Drama|Musical\n"
    "3::Seven (Se7en) (1995)::Crime|Thriller\n"
)
DAT_RATINGS_1M = "1::1::5::978300760\n1::3::3::978302109\n2::2::4::978298709\n2::1::1::978299026\n"
DAT_RATINGS_10M = "1::1::5::838985046\n1::2::3.5::838983525\n2::3::0.5::838983392\n"

ML100K_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]


def _item_line(movie_id: int, title: str, date: str, genres: set[str]) -> str:
    flags = ["1" if g in genres else "0" for g in ML100K_GENRES]
    url = "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)"
    return "|".join([str(movie_id), title, date, "", url, *flags])


U_ITEM = (
    "\n".join(
        [
            _item_line(1, "Toy Story (1995)", "01-Jan-1995", {"Animation", "Children's", "Comedy"}),
            _item_line(2, "Shawshank Redemption, The (1994)", "01-Jan-1994", {"Drama"}),
            _item_line(3, "Misérables, Les (1995)", "01-Jan-1995", {"Drama", "Musical"}),
            _item_line(4, "unknown", "", {"unknown"}),
            _item_line(5, "Nénette et Boni", "01-Jan-1996", {"Drama"}),
        ]
    )
    + "\n"
)
U_DATA = "196\t1\t3\t881250949\n186\t2\t3\t891717742\n22\t3\t1\t878887116\n196\t5\t2\t880606923\n"
U_GENRE = "".join(f"{g}|{i}\n" for i, g in enumerate(ML100K_GENRES)) + "\n"


def write_files(folder: Path, files: dict[str, str | bytes], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode(encoding)
        (folder / name).write_bytes(data)
    return folder


def csv_files(**overrides: str | bytes | None) -> dict[str, str | bytes]:
    """The CSV release's files; pass name=None to leave one out, or new text to replace it."""
    files: dict[str, str | bytes | None] = {
        "movies.csv": CSV_MOVIES,
        "ratings.csv": CSV_RATINGS,
        "links.csv": CSV_LINKS,
        "tags.csv": "userId,movieId,tag,timestamp\n",
        "README.txt": "fixture\n",
    }
    files.update({k.replace("_", "."): v for k, v in overrides.items()})
    return {k: v for k, v in files.items() if v is not None}


def layout_files(kind: str) -> tuple[str, dict[str, str | bytes]]:
    """(folder name, files) for one layout: csv, 1m, 10m or 100k (in each release's own encoding)."""
    if kind == "csv":
        return "ml-latest-small", csv_files()
    if kind == "1m":
        return "ml-1m", {
            "movies.dat": DAT_MOVIES.encode("latin-1"),
            "ratings.dat": DAT_RATINGS_1M,
            "users.dat": "1::F::1::10::48067\n",
        }
    if kind == "10m":
        return "ml-10M100K", {
            "movies.dat": DAT_MOVIES,
            "ratings.dat": DAT_RATINGS_10M,
            "tags.dat": "15::4973::excellent!::1215184630\n",
        }
    if kind == "100k":
        return "ml-100k", {
            "u.item": U_ITEM.encode("latin-1"),
            "u.data": U_DATA,
            "u.genre": U_GENRE,
            "u.user": "1|24|M|technician|85711\n",
        }
    raise ValueError(kind)


def write_zip(zip_path: Path, folder_name: str, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{folder_name}/", "")
        for name, content in files.items():
            zf.writestr(
                f"{folder_name}/{name}", content if isinstance(content, bytes) else content.encode()
            )
    return zip_path


def csv_zip(tmp_path: Path, name: str = "ml-test", **overrides: str | bytes | None) -> Path:
    return write_zip(tmp_path / f"{name}.zip", name, csv_files(**overrides))
