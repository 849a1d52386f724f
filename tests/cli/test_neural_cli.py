"""`movietui train --model neural`, `movietui models` and `movietui eval --model ...` end to
end: one real subprocess, the rest through main() in process (numba imported once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_support import REPO, in_process
from cli_support import one_line_error as one_line


def two_taste_release(folder: Path, n_users: int = 120, n_movies: int = 90) -> Path:
    """MovieLens layout: two taste groups, each rating films of its own half."""
    rng = np.random.default_rng(0)
    movies = ["movieId,title,genres"] + [
        f"{m},Film {m} ({1950 + m}),Drama" for m in range(1, n_movies + 1)
    ]
    ratings = ["userId,movieId,rating,timestamp"]
    for user in range(1, n_users + 1):
        half = np.arange(1, n_movies // 2 + 1) + (user % 2) * (n_movies // 2)
        for movie in rng.choice(half, 25, replace=False):
            stars = rng.choice([2.0, 3.5, 4.0, 4.5, 5.0])
            ratings.append(f"{user},{movie},{stars},{1_000_000 + user}")
    folder.mkdir(parents=True)
    (folder / "movies.csv").write_text("\n".join(movies) + "\n")
    (folder / "ratings.csv").write_text("\n".join(ratings) + "\n")
    return folder


@pytest.fixture(scope="module")
def small_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_taste_release(tmp_path_factory.mktemp("neural-cli") / "ml-synth")


@pytest.fixture
def home(small_release: Path, tmp_path: Path) -> str:
    from movietui.cli import main

    home = str(tmp_path / "home")
    assert main(["--home", home, "import", str(small_release)]) == 0
    return home


def test_train_neural_in_a_subprocess_then_make_it_predict_stars(home: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MOVIETUI_HOME"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "movietui", "--home", home, *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
            env=env,
        )

    trained = run("train", "--model", "neural", "--epochs", "3", "--factors", "8", "--lr", "0.01")
    assert trained.returncode == 0, trained.stderr
    assert "training the neural model: width 8" in trained.stderr
    lines = trained.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("epoch")] == ["1/3", "2/3", "3/3"]
    assert "neural model #1 saved: width 8, 3 epochs" in trained.stdout
    assert "movietui models use neural" in trained.stdout  # no MF yet: stars stay with mf

    info = run("info")
    assert info.returncode == 0, info.stderr
    assert "neural    #1 trained" in info.stdout
    used = run("models", "use", "neural")
    assert used.returncode == 0 and "the neural model predicts the stars" in used.stdout
    listed = run("models")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[:3] for line in listed.stdout.splitlines()[1:2]] == [["*", "1", "neural"]]
    assert "the neural model predicts the stars" in listed.stdout


def test_train_mf_then_neural_and_switch_back(home: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_process(capsys, "--home", home, "train", "--factors", "4", "--epochs", "3")
    assert code == 0, err
    assert "model #1 saved" in out
    code, out, err = in_process(
        capsys, "--home", home, "train", "--model", "neural", "--epochs", "2", "--seed", "3"
    )
    assert code == 0, err
    assert "neural model #2 saved: width 100, 2 epochs" in out
    code, out, err = in_process(capsys, "--home", home, "models", "use", "neural")
    assert code == 0 and "neural model predicts" in out
    code, out, err = in_process(capsys, "--home", home, "models")
    rows = [line.split()[:3] for line in out.splitlines()[1:3]]
    assert rows == [["*", "2", "neural"], ["*", "1", "MF"]]
    code, out, err = in_process(capsys, "--home", home, "models", "use", "mf")
    assert code == 0 and "matrix factorisation predicts the stars" in out
    code, out, err = in_process(capsys, "--home", home, "info")
    assert "stars     matrix factorisation predicts the stars" in out


def test_bad_neural_options_are_one_line(home: str, capsys: pytest.CaptureFixture) -> None:
    line = one_line(
        *in_process(capsys, "--home", home, "train", "--model", "neural", "--reg", "1")[::2]
    )
    assert "--reg is a matrix factorisation option" in line
    line = one_line(
        *in_process(capsys, "--home", home, "train", "--model", "neural", "--epochs", "0")[::2]
    )
    assert "epochs=0" in line
    line = one_line(*in_process(capsys, "--home", home, "models", "use", "neural")[::2])
    assert "no neural model" in line
    line = one_line(
        *in_process(capsys, "--home", home, "eval", "--model", "all", "--lr", "0.1")[::2]
    )
    assert "--model mf or --model neural" in line


def test_eval_model_all_prints_both(home: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_process(capsys, "--home", home, "eval", "--model", "all")
    assert code == 0, err
    assert "model stopped at epoch" in out and "neural model at epoch" in out
    for method in ("model", "neural", "SGD fold-in", "neural fold-in", "served", "neural stars"):
        assert method in out
    assert "nan" not in out


def test_eval_json_neural_only_and_all(home: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = in_process(
        capsys, "--home", home, "eval", "--model", "neural", "--epochs", "3", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["format"] == "movietui-eval" and data["version"] == 1
    assert data["models"] == ["neural"] and data["neural_hyper"]["epochs"] == 3
    assert data["neural_metrics"]["epochs_run"] <= 3
    assert {"neural", "bias baseline", "global mean"} == set(data["accuracy"])
    assert {"most popular", "neural stars"} == set(data["ranking"])
    assert {c["method"] for c in data["cold_start"]} == {"bias baseline", "neural fold-in"}
    assert {c["method"] for c in data["cold_start_ranking"]} == {"most popular", "neural stars"}

    code, out, err = in_process(
        capsys, "--home", home, "eval", "--model", "all", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["models"] == ["mf", "neural"]
    assert {"model", "neural"} <= set(data["accuracy"])
    assert {"served", "neural stars"} <= set(data["ranking"])
    assert {"SGD fold-in", "neural fold-in"} <= {c["method"] for c in data["cold_start"]}
    assert {"served", "neural stars"} <= {c["method"] for c in data["cold_start_ranking"]}


def test_models_history_round_trip(home: str, capsys: pytest.CaptureFixture) -> None:
    """Two runs listed (table and JSON), the older made current again by id. (Whether a worse
    run is kept is the service's rule: tests/service/test_model_history.py; these random
    ratings hold no signal to make one run reliably worse.)"""
    code, out, err = in_process(capsys, "--home", home, "train", "--factors", "2", "--epochs", "3")
    assert code == 0 and "model #1 is now current: the first model" in out, err
    code, out, err = in_process(
        capsys, "--home", home, "train", "--factors", "8", "--epochs", "4", "--make-current"
    )
    assert code == 0 and "model #2 is now current: made current as asked" in out, err
    code, out, err = in_process(capsys, "--home", home, "models", "--format", "json")
    data = json.loads(out)
    assert data["format"] == "movietui-models" and data["star_model"] == "mf"
    assert [(m["model_id"], m["current"]) for m in data["models"]] == [(2, True), (1, False)]
    first = data["models"][1]
    assert first["hyper"]["factors"] == 2 and first["catalog"] == "ml-synth"
    assert first["epochs"] == 3 and first["n_ratings"] == 3000 and first["val_rmse"] > 0
    code, out, err = in_process(capsys, "--home", home, "models", "use", "1")
    assert code == 0 and "model #1 is now current" in out, err
    code, out, err = in_process(capsys, "--home", home, "models")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["#", "Model", "Trained", "Data"]
    assert [line.split()[:2] for line in lines[1:3]] == [["2", "MF"], ["*", "1"]]
    code, out, err = in_process(capsys, "--home", home, "info")
    assert "#1" in out
    line = one_line(*in_process(capsys, "--home", home, "models", "use", "7")[::2])
    assert "no saved model #7" in line
    line = one_line(*in_process(capsys, "--home", home, "models", "use", "best")[::2])
    assert "neither a model id nor mf/neural" in line
