"""Headless commands end to end: `python -m movietui --home TMP ...` on the real ml-latest-small.

One import and one tiny training run per module. The main flows run in a subprocess; the
bad-input variants call main() in-process (same code path, without paying numba's import
for every case).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import REPO, in_home, ok, one_line_error, run

LETTERBOXD = "Date,Name,Year,Letterboxd URI,Rating\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, ml_small_zip: Path) -> Path:
    path = tmp_path_factory.mktemp("headless") / "home"
    ok(run(path, "import", str(ml_small_zip)))
    assert "model #1 saved: 8 factors" in ok(run(path, "train", "--factors", "8", "--epochs", "3"))
    from movietui.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--home", str(path), "profiles", "create", "alice"]) == 0
    assert printed.getvalue() == "created profile 'alice' (now current)\n"
    return path


def test_rate_recommend_and_similar(home: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        ok(run(home, "rate", "toy story", "4.5", "--profile", "alice"))
        == "rated Toy Story (1995): 4.5 for 'alice'\n"
    )

    document = json.loads(
        ok(
            run(
                home,
                "recommend",
                "-n",
                "5",
                "--format",
                "json",
                "--since",
                "1990",
                "--profile",
                "alice",
            )
        )
    )
    assert (document["format"], document["version"], document["profile"], document["model"]) == (
        "movietui-recommendations",
        1,
        "alice",
        True,
    )
    recs = document["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(
        r["year"] >= 1990 and r["movie_id"] != 1 and 0.5 <= r["predicted"] <= 5 for r in recs
    )
    assert set(recs[0]) == {
        "rank",
        "movie_id",
        "title",
        "year",
        "genres",
        "predicted",
        "mean_rating",
        "rating_count",
        "because",
    }

    code, out, _ = in_home(
        capsys,
        home,
        "recommend",
        "-n",
        "3",
        "--format",
        "csv",
        "--genre",
        "Comedy",
        "--profile",
        "alice",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["rank"] for r in rows] == ["1", "2", "3"]
    assert all("Comedy" in r["genres"].split("|") for r in rows)

    code, out, _ = in_home(capsys, home, "recommend", "-n", "4", "--profile", "alice")
    table = out.splitlines()
    assert table[0] == "4 recommendations for profile 'alice' (1 rating), from the model"
    assert sum(1 for line in table if line[:3].strip().isdigit()) == 4

    code, out, _ = in_home(capsys, home, "similar", "toy story", "-n", "5", "--format", "json")
    document = json.loads(out)
    assert document["movie"] == {"movie_id": 1, "title": "Toy Story", "year": 1995}
    assert len(document["similar"]) == 5 and all(s["movie_id"] != 1 for s in document["similar"])


def test_ambiguous_title_lists_candidates(home: Path) -> None:
    result = run(home, "similar", "hamlet")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "movietui: error: 'hamlet' matches 5 films; add --year YEAR"
    assert [line.split("  ")[1].strip() for line in lines[1:]] == [
        "Hamlet (1996)",
        "Hamlet (1990)",
        "Hamlet (2000)",
        "Hamlet (1948)",
        "Hamlet (1964)",
    ]


def test_ratings_import_export_round_trip(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert in_home(capsys, home, "profiles", "create", "source")[0] == 0
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        LETTERBOXD + "2023-01-02,Se7en,1995,u,4\n2023-01-03,The Godfather,1972,u,5\n"
        "2023-01-04,Never Made,2019,u,1\n",
        encoding="utf-8",
    )
    blocked = run(home, "ratings", "import", str(ratings), "--profile", "source")
    assert blocked.returncode == 1, blocked.stderr
    report = blocked.stdout.splitlines()
    assert report[0] == "ratings.csv: detected Letterboxd ratings.csv; 3 rows for profile 'source'"
    assert report[-1] == "nothing written; rerun with --partial to import the 2 matched rows"

    code, out, _ = in_home(capsys, home, "ratings", "import", str(ratings), "--partial")
    assert (
        code == 0
        and out.splitlines()[-1] == "wrote 2 ratings (0 unchanged); 1 unmatched rows left out"
    )
    assert in_home(capsys, home, "rate", "toy story", "3", "--profile", "source")[0] == 0
    exported = tmp_path / "mine.json"
    assert ok(run(home, "ratings", "export", str(exported), "--profile", "source")) == (
        f"wrote 3 ratings to {exported} (json)\n"
    )
    document = json.loads(exported.read_text())
    assert {e["movie_id"]: e["rating"] for e in document["ratings"]} == {1: 3.0, 47: 4.0, 858: 5.0}

    assert in_home(capsys, home, "profiles", "create", "copy")[0] == 0
    code, out, _ = in_home(capsys, home, "ratings", "import", str(exported))
    assert code == 0 and out.splitlines()[-1] == "wrote 3 ratings (0 unchanged)"
    code, out, _ = in_home(capsys, home, "profiles", "--format", "json")
    listing = json.loads(out)
    assert listing["current"] == "copy"
    counts = {p["name"]: p["ratings"] for p in listing["profiles"]}
    assert counts["source"] == counts["copy"] == 3

    # --profile acts as another profile for one command; the current one stays current.
    code, out, _ = in_home(
        capsys, home, "recommend", "-n", "2", "--format", "json", "--profile", "source"
    )
    assert code == 0 and json.loads(out)["profile"] == "source"
    code, out, _ = in_home(capsys, home, "profiles", "--format", "json")
    assert json.loads(out)["current"] == "copy"


def test_bad_inputs_fail_with_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run(home, "ratings", "import", str(binary))
    assert one_line_error(result.returncode, result.stderr) == (
        f"movietui: error: {binary}: looks like a binary file, not a ratings CSV; pass the exported .csv or .zip"
    )

    cases = {
        "empty.csv": (b"", "the file is empty"),
        "unknown.csv": (b"foo,bar\n1,2\n", "line 1: unknown format"),
        "columns.csv": (
            b"Const,Your Rating\ntt0114709,8\n",
            "line 1: IMDb Your Ratings export is missing column(s)",
        ),
        "scale.csv": (
            (LETTERBOXD + "2023-01-02,Se7en,1995,u,7\n").encode(),
            "line 2: rating '7' is outside the scale",
        ),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, out, err = in_home(capsys, home, "ratings", "import", str(path))
        assert message in one_line_error(code, err) and out == ""
    for argv, message in [
        (("rate", "toy story", "7"), "rating '7' is not allowed"),
        (("rate", "zzqqxx nothing", "4"), "no film matches 'zzqqxx nothing'"),
        (("recommend", "--profile", "nobody"), "no profile named 'nobody'"),
        (("recommend", "--genre", "NotAGenre"), "NotAGenre"),
        (("ratings", "import", str(tmp_path / "missing.csv")), "cannot read the file"),
        (("ratings", "export", str(tmp_path / "no-dir" / "x.csv")), "cannot write"),
    ]:
        code, out, err = in_home(capsys, home, *argv)
        assert message in one_line_error(code, err), err


def test_mark_from_the_shell(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, _ = in_home(capsys, home, "profiles", "create", "marker")
    assert code == 0
    try:
        assert ok(run(home, "mark", "toy story", "--seen", "--profile", "marker")) == (
            "seen, no rating: Toy Story (1995) for 'marker'\n"
        )
        code, out, _ = in_home(
            capsys, home, "rate", "heat", "4", "--year", "1995", "--profile", "marker"
        )
        assert code == 0
        code, out, _ = in_home(capsys, home, "mark", "heat", "--year", "1995", "--not-interested")
        assert (
            code == 0
            and out == "not interested: Heat (1995) for 'marker' (your 4 rating removed)\n"
        )
        export = tmp_path / "marks.json"
        code, out, _ = in_home(
            capsys, home, "ratings", "export", str(export), "--profile", "marker"
        )
        document = json.loads(export.read_text())
        assert code == 0 and document["ratings"] == []
        assert {(m["movie_id"], m["mark"]) for m in document["marks"]} == {
            (1, "seen"),
            (6, "not_interested"),
        }
        code, out, _ = in_home(capsys, home, "mark", "toy story", "--clear")
        assert code == 0 and out == "cleared Toy Story (1995) for 'marker' (was seen, no rating)\n"
        code, out, _ = in_home(capsys, home, "mark", "toy story", "--clear")
        assert code == 0 and out == "Toy Story (1995) had no mark for 'marker'\n"

        code, out, err = in_home(capsys, home, "mark", "zzqqxx nothing", "--seen")
        assert "no film matches 'zzqqxx nothing'" in one_line_error(code, err) and out == ""
        code, out, err = in_home(
            capsys, home, "mark", "heat", "--seen", "--year", "1995", "--profile", "nobody"
        )
        assert "no profile named 'nobody'" in one_line_error(code, err)
        for argv in (("mark", "heat"), ("mark", "heat", "--seen", "--clear")):
            with pytest.raises(SystemExit) as exit_info:
                in_home(capsys, home, *argv)
            assert exit_info.value.code == 2
            assert "--not-interested" in capsys.readouterr().err
    finally:
        in_home(capsys, home, "profiles", "delete", "marker")
        in_home(capsys, home, "profiles", "use", "alice")


def test_recommend_to_a_file_computes_the_list_once(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`recommend -o` writes the list it computed, not a second one (it used to compute two)."""
    from movietui.service import Service

    computed: list[int] = []
    real = Service.recommendations

    def counted(self: Service, *args: object, **kwargs: object) -> list:
        out = real(self, *args, **kwargs)  # type: ignore[arg-type]
        computed.append(len(out))
        return out

    monkeypatch.setattr(Service, "recommendations", counted)
    target = tmp_path / "picks.json"
    code, _, err = in_home(capsys, home, "recommend", "-n", "7", "-o", str(target))
    assert code == 0, err
    assert computed == [7]
    assert len(json.loads(target.read_text())["recommendations"]) == 7


def test_dash_is_standard_output_and_input_and_a_first_import_creates_a_profile(
    home: Path, tmp_path: Path, ml_small_zip: Path
) -> None:
    """Issue 12 #12 and #13: `ratings export -` writes to stdout, `ratings import -` reads
    stdin, an import into a home without profiles creates one and says so, and exports name
    films as the app does ("The Godfather") with the ids Letterboxd matches on."""
    ok(run(home, "rate", "godfather", "5", "--profile", "alice"))
    out = run(home, "ratings", "export", "-", "--format", "letterboxd", "--profile", "alice")
    text = ok(out)
    assert not (REPO / "-").exists()
    assert "to standard output" in out.stderr
    rows = list(csv.DictReader(io.StringIO(text)))
    godfather = next(r for r in rows if r["imdbID"] == "tt0068646")
    assert godfather["Title"] == "The Godfather" and godfather["Year"] == "1972"
    assert godfather["Rating"] == "5" and godfather["Rating10"] == "10"

    fresh = tmp_path / "fresh"
    ok(run(fresh, "import", str(ml_small_zip)))
    imported = subprocess.run(
        [sys.executable, "-m", "movietui", "--home", str(fresh), "ratings", "import", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "MOVIETUI_HOME"},
    )
    assert imported.returncode == 0, imported.stderr
    assert "created 'me'" in imported.stderr
    assert imported.stdout.splitlines()[0].startswith("standard input: detected Letterboxd")
    listing = json.loads(ok(run(fresh, "profiles", "--format", "json")))
    assert listing["current"] == "me" and listing["profiles"][0]["ratings"] == len(rows)
