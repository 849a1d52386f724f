"""The neural model in the evaluation protocol: beside MF on the same split, or alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.model.evaluate import evaluate, format_table
from movietui.model.neural import NeuralHyper
from movietui.model.ranker import RankHyper

RANK_FAST = RankHyper(factors=8, epochs=4, seed=3)
NEURAL_FAST = NeuralHyper(factors=8, hidden=6, epochs=10, lr=0.01, batch_size=64, seed=7)


def test_neural_beside_mf_on_the_same_split(synth, fast):
    u, i, r = synth
    steps = []
    report = evaluate(
        u,
        i,
        r,
        fast,
        progress=lambda *s: steps.append(s),
        cold_ns=(1, 5),
        rank_hyper=RANK_FAST,
        models=("mf", "neural"),
        neural_hyper=NEURAL_FAST,
    )
    acc = report.accuracy
    assert list(acc) == ["global mean", "bias baseline", "model", "neural"]
    assert acc["neural"]["rmse"] < acc["global mean"]["rmse"]
    assert 0 < acc["neural"]["ndcg@10"] <= 1
    assert "neural stars" in report.ranking and "served" in report.ranking
    curve = {(c["n"], c["method"]) for c in report.cold_start}
    assert {(1, "neural fold-in"), (5, "neural fold-in"), (5, "SGD fold-in")} <= curve
    # the same evaluation users and ratings for every method
    assert len({(c["users"], c["ratings"]) for c in report.cold_start}) == 1
    assert [c["n"] for c in report.cold_start] == sorted(c["n"] for c in report.cold_start)
    assert {(5, "neural stars"), (5, "served")} <= {
        (c["n"], c["method"]) for c in report.cold_ranking
    }
    assert steps[-1][1:] == (8, 8) and [s[1] for s in steps] == list(range(9))
    text = format_table(report)
    assert "neural" in text and "neural fold-in" in text and "neural stars" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["models"] == ["mf", "neural"] and data["neural_metrics"]["best_epoch"] >= 1


def test_neural_alone_keeps_the_baselines(synth):
    u, i, r = synth
    report = evaluate(u, i, r, cold_ns=(1, 5), models=("neural",), neural_hyper=NEURAL_FAST)
    assert list(report.accuracy) == ["global mean", "bias baseline", "neural"]
    assert set(report.ranking) == {"most popular", "neural stars"}
    methods = {c["method"] for c in report.cold_start}
    assert methods == {"bias baseline", "neural fold-in"}
    assert {c["method"] for c in report.cold_ranking} == {"most popular", "neural stars"}
    assert "neural model at epoch" in format_table(report)
    assert np.isfinite(report.accuracy["neural"]["rmse"])


def test_default_report_has_no_neural_keys(synth, fast):
    u, i, r = synth
    report = evaluate(u, i, r, fast, cold_ns=(), rank_hyper=RANK_FAST)
    assert "neural" not in report.accuracy
    assert "models" not in report.to_dict() and "neural_hyper" not in report.to_dict()


@pytest.mark.parametrize("models", [(), ("svd",), ("mf", "transformer")])
def test_unknown_models_are_a_clear_error(synth, models):
    u, i, r = synth
    with pytest.raises(ModelError, match="choose from mf, neural"):
        evaluate(u, i, r, models=models)
