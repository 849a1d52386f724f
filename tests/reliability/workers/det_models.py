"""Models rebuilt bit-for-bit from a sequence number, so parent and worker agree on them.

One random base model is shifted by ``seq``: cheap to rebuild, so a saving loop spends its
time saving, and every array of model ``seq`` differs from those of every other ``seq``.
``payload`` lays the arrays out as ``MFModel.to_arrays`` does without importing the model
room (numba costs seconds per worker start); ``make_model`` builds the real MFModel, and the
tests check that the two agree.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

N_USERS, N_ITEMS, FACTORS = 2_000, 6_000, 48  # about 1.6 MB of float32 per model


@lru_cache(maxsize=1)
def _base() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1_000)
    return {
        "user_bias": rng.normal(0, 0.3, N_USERS).astype(np.float32),
        "item_bias": rng.normal(0, 0.3, N_ITEMS).astype(np.float32),
        "user_factors": rng.normal(0, 0.1, (N_USERS, FACTORS)).astype(np.float32),
        "item_factors": rng.normal(0, 0.1, (N_ITEMS, FACTORS)).astype(np.float32),
    }


def arrays_for(seq: int) -> dict[str, np.ndarray]:
    shift = np.float32(seq * 1e-3)
    base = _base()
    return {
        "user_bias": base["user_bias"] + shift,
        "item_bias": base["item_bias"] - shift,
        "user_factors": base["user_factors"] + shift,
        "item_factors": base["item_factors"] * np.float32(1 + seq * 1e-3),
        "user_keys": np.arange(1, N_USERS + 1, dtype=np.int64),
        "item_ids": np.arange(1, N_ITEMS + 1, dtype=np.int64) * 3,
        "item_counts": np.full(N_ITEMS, seq % 1000, dtype=np.int32),
    }


def make_model(seq: int):  # -> movietui.model.MFModel
    from movietui.model import Hyper, MFModel

    return MFModel(
        mu=3.5 + seq * 1e-3, hyper=Hyper(factors=FACTORS), metrics={"seq": seq}, **arrays_for(seq)
    )


def payload(seq: int, meta_template: dict) -> tuple[dict[str, np.ndarray], dict]:
    """What Store.save_model receives for model ``seq``; meta_template comes from to_arrays()."""
    meta = dict(meta_template, mu=3.5 + seq * 1e-3, metrics={"seq": seq}, seq=seq)
    return arrays_for(seq), meta
