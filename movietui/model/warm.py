"""Compile (first run) or load (later runs) numba's kernels on a tiny made-up data set.

On a fresh install numba compiles the training, fold-in and ranker kernels on their first
call (~4 s on a 2-core machine; later processes load them from numba's disk cache in
~0.5 s). ``prepare_kernels`` makes those first calls with the argument types the real runs
use (the same functions, on 60 users x 40 films), so the cost is paid wherever the caller
chooses: the app does it while the welcome screen waits and the catalog imports.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np

from movietui.model.foldin import fold_in
from movietui.model.hyper import Hyper
from movietui.model.ranker import RankHyper, fit_ranker
from movietui.model.serve import similar_items
from movietui.model.train import train

_lock = threading.Lock()
_done = False


def kernels_ready() -> bool:
    """Whether ``prepare_kernels`` has run to the end in this process."""
    return _done


def prepare_kernels(hyper: Hyper | None = None, rank_hyper: RankHyper | None = None) -> None:
    """One tiny training (rating model and ranker) and one fold-in of each kind; a no-op once
    done in this process; a second caller waits for the first to finish."""
    global _done
    with _lock:
        if _done:
            return
        rng = np.random.default_rng(0)
        n_users, n_items, n = 60, 40, 900
        users = rng.integers(1, n_users + 1, n).astype(np.int64)
        items = rng.integers(1, n_items + 1, n).astype(np.int64)
        ratings = (rng.integers(1, 11, n) / 2).astype(np.float32)
        base = hyper if hyper is not None else Hyper()
        tiny = dataclasses.replace(base, factors=8, epochs=2, patience=2)
        model = train(users, items, ratings, tiny, all_item_ids=np.arange(1, n_items + 2))
        ranker_base = rank_hyper if rank_hyper is not None else RankHyper()
        ranker = fit_ranker(
            users,
            items,
            ratings,
            dataclasses.replace(ranker_base, factors=8, epochs=1),
            all_item_ids=np.arange(1, n_items + 2),
        )
        one_item, one_rating = np.zeros(1, np.int32), np.full(1, 4.0, np.float32)
        fold_in(model, one_item, one_rating)
        similar_items(model, 0, 1)
        ranker.scores(ranker.fold_in(one_item, one_rating))
        _done = True
