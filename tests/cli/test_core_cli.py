"""The core commands end to end: `python -m movietui --home TMP ...` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_support import REPO, assert_one_line_error, in_process, run
from cli_support import one_line_error as one_line


@pytest.fixture(scope="module")
def imported_home(tmp_path_factory: pytest.TempPathFactory, ml_small_zip: Path) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    result = run(home, "import", str(ml_small_zip))
    assert result.returncode == 0, result.stderr
    assert "imported ml-latest-small: 9,742 movies, 100,836 ratings" in result.stdout
    assert {"reading...", "writing...", "indexing..."} <= set(result.stderr.splitlines())
    return home


def test_locate_works_with_a_broken_database_and_info_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "movietui.db").write_bytes(b"this is not sqlite" * 20)
    result = run(home, "locate")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["home"] == str(home)
    assert lines["database"] == str(home / "movietui.db")
    assert lines["cache"] == str(home / "cache")
    broken = one_line(*in_process(capsys, "--home", str(home), "info")[::2])
    assert "movietui.db" in broken and "not a SQLite database" in broken
    assert (home / "movietui.db").read_bytes() == b"this is not sqlite" * 20  # never overwritten


def test_info_train_and_info_again(imported_home: Path) -> None:
    info = run(imported_home, "info")
    assert info.returncode == 0, info.stderr
    assert "9,742" in info.stdout and "100,836" in info.stdout
    assert "ml-latest-small" in info.stdout and "none yet" in info.stdout  # no model yet

    # Both models train to their end (the ranker compiles its kernels on a fresh clone).
    train = run(
        imported_home, "train", "--factors", "8", "--epochs", "3", "--seed", "1", timeout=900
    )
    assert train.returncode == 0, train.stderr
    epochs = [line for line in train.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 3 and "val RMSE" in epochs[0]
    rank_epochs = [line for line in train.stdout.splitlines() if line.startswith("ranker epoch ")]
    assert rank_epochs and all("val Recall@20 0." in line for line in rank_epochs)
    assert "model #1 saved: 8 factors, 3 epochs, 100,836 ratings" in train.stdout
    assert f"ranker: {len(rank_epochs)} epochs, validation Recall@20 0." in train.stdout

    info = run(imported_home, "info")
    assert "#1 trained" in info.stdout and "8 factors" in info.stdout


def test_a_bad_path_is_one_line_and_exit_1(imported_home: Path, tmp_path: Path) -> None:
    missing = assert_one_line_error(run(imported_home, "import", str(tmp_path / "no-such.zip")))
    assert "no-such.zip" in missing


def test_bad_inputs_in_process(
    imported_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    home = str(imported_home)
    not_zip = tmp_path / "ml-fake.zip"
    not_zip.write_text("hello")
    one_line(*in_process(capsys, "--home", home, "import", str(not_zip))[::2])
    bad_hyper = one_line(
        *in_process(capsys, "--home", home, "train", "--factors", "0", "--epochs", "1")[::2]
    )
    assert "factors" in bad_hyper
    no_catalog = one_line(
        *in_process(capsys, "--home", str(tmp_path / "fresh"), "train", "--epochs", "1")[::2]
    )
    assert "import" in no_catalog
    # The failed import left the catalog as it was; --home also works after the command.
    code, out, _ = in_process(capsys, "info", "--home", home)
    assert code == 0 and "100,836" in out


def test_help_lists_the_commands() -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "movietui", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert helped.returncode == 0
    for command in ("locate", "info", "import", "train", "eval"):
        assert command in helped.stdout


def small_release(folder: Path, n_users: int = 120, n_movies: int = 90, seed: int = 0) -> Path:
    """A MovieLens-layout folder with two taste groups, each watching (and liking) its half."""
    rng = np.random.default_rng(seed)
    movies = ["movieId,title,genres"] + [
        f"{m},Film {m} ({1950 + m}),Drama" for m in range(1, n_movies + 1)
    ]
    ratings = ["userId,movieId,rating,timestamp"]
    for user in range(1, n_users + 1):
        half = np.arange(1, n_movies // 2 + 1) + (user % 2) * (n_movies // 2)
        for movie in rng.choice(half, 25, replace=False):
            ratings.append(
                f"{user},{movie},{rng.choice([2.0, 3.5, 4.0, 4.5, 5.0])},{1_000_000 + user}"
            )
    folder.mkdir(parents=True)
    (folder / "movies.csv").write_text("\n".join(movies) + "\n")
    (folder / "ratings.csv").write_text("\n".join(ratings) + "\n")
    return folder


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A home holding the small two-taste catalog: eval runs in seconds on it (the ranker's
    seven fits at its default 128 factors take a minute on ml-latest-small under load)."""
    from movietui.cli import main

    base = tmp_path_factory.mktemp("eval")
    home = str(base / "home")
    assert main(["--home", home, "import", str(small_release(base / "ml-synth"))]) == 0
    return home


def test_eval_prints_the_table(small_home: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_process(
        capsys, "--home", small_home, "eval", "--factors", "4", "--epochs", "5"
    )
    assert code == 0, err
    assert "2,700 train / 300 test ratings" in out
    for method in (
        "global mean",
        "bias baseline",
        "model",
        "SGD fold-in",
        "full retrain",
        "most popular",
        "predicted stars",
        "ranker",
        "served",
    ):
        assert method in out
    assert "Recall@20" in out and "cold start, ranking" in out and "nan" not in out
    assert "[1/9] train on 90% of ratings" in err


def test_eval_json_has_the_ranking_sections(small_home: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_process(
        capsys, "--home", small_home, "eval", "--factors", "4", "--epochs", "5", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)  # stdout holds the JSON alone; progress went to stderr
    assert data["format"] == "movietui-eval" and data["version"] == 1
    assert data["n_train"] + data["n_test"] == 120 * 25 and "[1/9]" in err
    assert data["ranking_protocol"] == {"k": 20, "hit_k": 10, "relevant_min_rating": 4.0}
    assert set(data["ranking"]) == {
        "most popular",
        "predicted stars",
        "ranker",
        "served",
        "served, hide obscure",
    }
    for row in data["ranking"].values():
        assert set(row) == {"recall@20", "ndcg@20", "hr@10", "coverage", "median_count", "users"}
        assert row["users"] > 0 and row["median_count"] >= 0
        assert all(0 <= row[m] <= 1 for m in ("recall@20", "ndcg@20", "hr@10", "coverage"))
    cold = data["cold_start_ranking"]
    assert {c["n"] for c in cold} == {1, 3, 5, 10, 20}
    assert {c["method"] for c in cold} == {
        "most popular",
        "predicted stars",
        "ranker",
        "served",
        "full retrain",
    }
    assert all(0 <= c["recall@20"] <= 1 and 0 <= c["ndcg@20"] <= 1 for c in cold)
    assert {"model", "bias baseline", "global mean"} == set(data["accuracy"])
    assert data["cold_start"] and data["seconds"] > 0


def test_progress_bar_redraws_on_a_terminal_and_prints_stages_otherwise() -> None:
    import io

    from movietui.catalog.progress import Progress
    from movietui.cli.core import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    bar = ProgressBar(term, min_interval=0)
    for done in (0, 500_000, 1_000_000):
        bar(Progress("download", done, 1_000_000))
    bar(Progress("write", 1, 2))
    bar.finish()
    text = term.getvalue()
    assert "\r" in text and "100%" in text and "1.0/1.0 MB" in text and " 50%" in text
    assert text.count("\n") == 2  # one line per finished stage

    plain = io.StringIO()
    bar = ProgressBar(plain)
    bar(Progress("read", 1, 10))
    bar(Progress("read", 10, 10))
    bar(Progress("index", 0, 1))
    bar.finish()
    assert plain.getvalue() == "reading...\nindexing...\n"
