"""Small synthetic data shared by the model tests (fast: a few thousand ratings)."""

from __future__ import annotations

import numpy as np
import pytest

from movietui.catalog.synthetic import generate_ratings
from movietui.model import Hyper, MFModel, train

FAST = Hyper(
    factors=8,
    epochs=15,
    lr=0.02,
    reg=0.05,
    init_std=0.1,
    val_fraction=0.1,
    patience=3,
    threads=2,
    seed=7,
)


@pytest.fixture(scope="session")
def fast() -> Hyper:
    return FAST


@pytest.fixture(scope="session")
def synth():
    data = generate_ratings(6000, n_users=150, n_items=300, rank=4, noise=0.4, seed=3)
    return data.users.astype(np.int64), data.items.astype(np.int64), data.ratings


@pytest.fixture(scope="session")
def small_model(synth) -> MFModel:
    u, i, r = synth
    return train(u, i, r, FAST)
