"""`movietui recommend --profile a --profile b` end to end on the real ml-latest-small."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from cli_support import in_home, ok, one_line_error, run

ANN = (
    ("toy story", "5"),
    ("finding nemo", "5"),
    ("monsters, inc.", "4.5"),
    ("godfather, the", "1"),
)
BOB = (("godfather, the", "5"), ("pulp fiction", "5"), ("fight club", "5"), ("toy story", "1"))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, ml_small_zip: Path) -> Path:
    path = tmp_path_factory.mktemp("groups-cli") / "home"
    ok(run(path, "import", str(ml_small_zip)))
    ok(run(path, "train", "--factors", "8", "--epochs", "3"))
    from movietui.cli import main

    with contextlib.redirect_stdout(io.StringIO()):  # the same commands, without a process each
        for name, ratings in (("ann", ANN), ("bob", BOB)):
            assert main(["--home", str(path), "profiles", "create", name]) == 0
            for title, stars in ratings:
                assert main(["--home", str(path), "rate", title, stars, "--profile", name]) == 0
    return path


def test_the_group_round_trip(home: Path) -> None:
    document = json.loads(
        ok(
            run(
                home,
                "recommend",
                "--profile",
                "ann",
                "--profile",
                "bob",
                "-n",
                "8",
                "--strategy",
                "least_misery",
                "--format",
                "json",
            )
        )
    )
    assert document["format"] == "movietui-group-recommendations" and document["version"] == 1
    assert document["members"] == ["ann", "bob"] and document["strategy"] == "least_misery"
    assert len(document["films"]) == 8
    rated = {1, 6377, 4886, 858, 296, 2959}
    for film in document["films"]:
        assert film["movie_id"] not in rated
        assert [m["profile"] for m in film["members"]] == ["ann", "bob"]
        assert all(0.5 <= m["predicted"] <= 5 for m in film["members"])
    table = ok(run(home, "recommend", "--profile", "ann", "--profile", "bob", "-n", "3"))
    assert table.startswith(
        "Movie night for 'ann' and 'bob': 3 films from the catalog, strategy turns"
    )
    assert document["films"][0]["title"] in ok(
        run(
            home,
            "recommend",
            "--profile",
            "ann",
            "--profile",
            "bob",
            "-n",
            "8",
            "--strategy",
            "least_misery",
        )
    )


def test_bad_groups_are_one_line(home: Path, capsys: pytest.CaptureFixture) -> None:
    cases = {
        ("--profile", "ann"): None,  # one profile alone: its own list, fine
        ("--profile", "ann", "--profile", "ann"): "profile 'ann' is named twice",
        ("--profile", "ann", "--strategy", "average"): "needs two or more profiles",
        ("--profile", "ann", "--profile", "zed"): "no profile named 'zed'",
        ("--profile", "ann", "--from", "watchlist"): "the watchlist of 'ann' is empty",
        ("--profile", "ann", "--profile", "bob", "--format", "csv"): "table or JSON",
    }
    for argv, message in cases.items():
        code, out, err = in_home(capsys, home, "recommend", *argv)
        if message is None:
            assert code == 0, err
        else:
            assert message in one_line_error(code, err) and not out
    from movietui.service import Service

    with Service.open(home) as service:
        assert service.store.get_setting("group_strategy") is None  # nothing was written


def test_filters_apply_to_the_group_list(home: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_home(
        capsys,
        home,
        "recommend",
        "--profile",
        "ann",
        "--profile",
        "bob",
        "--exclude-genre",
        "drama",
        "--decade",
        "1994",
        "--min-mean",
        "3.5",
        "--min-count",
        "20",
        "--format",
        "json",
    )
    assert code == 0, err
    films = json.loads(out)["films"]
    assert films and all("Drama" not in f["genres"] for f in films)
    assert all(1990 <= f["year"] <= 1999 and f["mean_rating"] >= 3.5 for f in films)
    assert all(f["rating_count"] >= 20 for f in films)


LIST = (
    "Letterboxd list export v7\n"
    "Date,Name,Tags,URL,Description\n"
    '2021-11-06,Friday faves,,https://boxd.it/dWPpg,"fun, really"\n'
    "\n"
    "Position,Name,Year,URL,Description\n"
    "1,The Royal Tenenbaums,2001,https://boxd.it/1YHU,\n"
    "2,Heat,1995,https://boxd.it/2bg,all timer\n"
    "3,Amélie,2001,https://boxd.it/2as,\n"
    "4,Star Wars,1977,https://boxd.it/x,\n"
    "5,No Such Film Ever,1999,https://boxd.it/y,\n"
)
IN_LIST = {4979, 6, 4973, 260}


def test_lists_import_rank_rename_delete(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "Friday faves.csv"
    path.write_text(LIST, encoding="utf-8")
    code, out, _ = in_home(capsys, home, "lists", "import", str(path))
    assert code == 1 and "not found:\n  line 10: 'No Such Film Ever' (1999)" in out
    assert "nothing written" in out
    code, out, err = in_home(capsys, home, "recommend", "--profile", "ann", "--from", str(path))
    assert "rerun with --partial" in one_line_error(code, err.splitlines()[-1] + "\n")
    code, out, _ = in_home(capsys, home, "lists", "import", str(path), "--partial")
    assert code == 0 and "stored list 'Friday faves' with 4 films" in out
    code, out, _ = in_home(capsys, home, "lists")
    assert out.startswith("Friday faves") and "4 films" in out
    argv = ("recommend", "--profile", "ann", "--profile", "bob", "--from", "Friday faves")
    code, out, err = in_home(capsys, home, *argv, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["source"] == "list 'Friday faves'"
    assert document["films"] and {f["movie_id"] for f in document["films"]} <= IN_LIST
    code, out, err = in_home(
        capsys, home, "recommend", "--profile", "bob", "--from", str(path), "--partial"
    )
    assert code == 0 and out.startswith("4 films from the list 'Friday faves' for 'bob'")
    assert in_home(capsys, home, "lists", "rename", "Friday faves", "Tonight")[0] == 0
    assert in_home(capsys, home, "lists", "delete", "Tonight")[0] == 0
    code, _, err = in_home(capsys, home, "lists", "delete", "Tonight")
    assert "no list named 'Tonight'" in one_line_error(code, err)
