"""Metrics, the evaluation protocol on synthetic data, and one run on real ml-latest-small."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.model import Hyper, MFModel, train
from movietui.model.evaluate import evaluate, fit_baseline, format_table, split
from movietui.model.metrics import mae, ndcg_at_k, precision_at_k, rmse
from movietui.model.ranker import RankHyper
from movietui.model.serve import predict

RANK_FAST = RankHyper(factors=8, epochs=6, seed=3)


def test_metrics_on_hand_computed_cases():
    assert rmse([1, 3], [2, 3]) == pytest.approx(np.sqrt(0.5))
    assert mae([1, 3], [2, 5]) == pytest.approx(1.5)
    users = np.array([1, 1, 1, 2, 2])
    true = np.array([5.0, 3.0, 4.0, 1.0, 4.5])
    assert ndcg_at_k(users, true, true) == pytest.approx(1.0)
    assert precision_at_k(users, true, true, k=1) == pytest.approx(1.0)
    worst = -true
    assert ndcg_at_k(users, worst, true) < 1.0
    assert precision_at_k(users, worst, true, k=1) == pytest.approx(0.0)
    # user 1's top-2 by prediction holds 1 of its 2 relevant items; user 2's holds its one
    pred = np.array([1.0, 3.0, 2.0, 0.0, 1.0])
    assert precision_at_k(users, pred, true, k=2) == pytest.approx((1 / 2 + 1 / 2) / 2)


def test_split_is_deterministic_and_disjoint():
    a_tr, a_te = split(1000, 0.1, 42)
    _b_tr, b_te = split(1000, 0.1, 42)
    assert a_te.size == 100 and np.array_equal(a_te, b_te)
    assert np.intersect1d(a_tr, a_te).size == 0 and a_tr.size + a_te.size == 1000


def test_evaluate_reports_baselines_model_and_cold_start(synth, fast):
    u, i, r = synth
    steps = []
    report = evaluate(
        u, i, r, fast, progress=lambda *s: steps.append(s), cold_ns=(1, 5, 10), rank_hyper=RANK_FAST
    )
    acc = report.accuracy
    assert acc["model"]["rmse"] < acc["bias baseline"]["rmse"] < acc["global mean"]["rmse"]
    assert 0 < acc["model"]["ndcg@10"] <= 1 and 0 <= acc["model"]["precision@10"] <= 1
    curve = {(c["n"], c["method"]): c["rmse"] for c in report.cold_start}
    assert len(curve) == 3 * 4
    assert curve[10, "SGD fold-in"] < curve[10, "bias baseline"]
    assert curve[10, "SGD fold-in"] < curve[1, "SGD fold-in"]
    assert abs(curve[10, "SGD fold-in"] - curve[10, "exact fold-in"]) < 0.01
    assert steps[-1][1:] == (7, 7) and [s[1] for s in steps] == list(range(8))
    assert set(report.ranking) == {
        "most popular",
        "predicted stars",
        "ranker",
        "served",
        "served, hide obscure",
    }
    for row in report.ranking.values():
        assert row["users"] > 0 and row["median_count"] >= 0
        for name in ("recall@20", "ndcg@20", "hr@10", "coverage"):
            assert 0 <= row[name] <= 1
    cold_rank = {(c["n"], c["method"]): c for c in report.cold_ranking}
    assert len(cold_rank) == 3 * 5
    assert all(0 <= c["recall@20"] <= 1 and 0 <= c["ndcg@20"] <= 1 for c in cold_rank.values())
    assert (
        cold_rank[1, "most popular"]["median_count"] > 1
    )  # counts of the 80%, not of the revealed
    assert cold_rank[1, "most popular"]["recall@20"] == cold_rank[10, "most popular"]["recall@20"]
    table = format_table(report)
    assert "bias baseline" in table and "full retrain" in table and "nan" not in table
    assert "Recall@20" in table and "served" in table
    data = report.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["ranking"] == report.ranking and data["cold_start_ranking"] == report.cold_ranking
    with pytest.raises(ModelError):
        evaluate(u[:5], i[:5], r[:5], fast)


def test_real_ml_latest_small_beats_the_baseline_and_loads_fast(ml_small_zip):
    pd = pytest.importorskip("pandas")  # tests only: the model room itself never imports pandas
    with zipfile.ZipFile(ml_small_zip) as z:
        df = pd.read_csv(z.open(next(n for n in z.namelist() if n.endswith("ratings.csv"))))
    u, i = df["userId"].to_numpy(), df["movieId"].to_numpy()
    r = df["rating"].to_numpy(np.float32)
    tr, te = split(r.size, 0.1, 42)
    model = train(u[tr], i[tr], r[tr], Hyper(), all_item_ids=np.unique(i))
    ours = rmse(predict(model, u[te], i[te]), r[te])
    base = rmse(fit_baseline(u[tr], i[tr], r[tr]).predict(u[te], i[te]), r[te])
    assert ours < 0.850 and ours < base - 0.02  # measured 0.842; tuned Surprise SVD 0.848 here
    arrays, meta = model.to_arrays()  # load speed: bench/bench_store.py, not a timed test
    again = MFModel.from_arrays(arrays, meta)
    assert rmse(predict(again, u[te], i[te]), r[te]) == ours
