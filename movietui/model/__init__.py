"""The learning core: biased matrix factorisation by SGD (numba), the neural model (CollabFNet),
fold-in, serving, evaluation.

Imports numpy, numba and the standard library only (plus movietui.errors).
"""

from movietui.model.foldin import FoldIn, fold_in, fold_in_exact
from movietui.model.hyper import EpochReport, Hyper
from movietui.model.itemsim import similar_items_blend
from movietui.model.mf import MFModel
from movietui.model.neural import NeuralHyper, NeuralModel, fit_neural
from movietui.model.serve import explain, popularity_scores, predict, scores, similar_items, top_n
from movietui.model.train import train

__all__ = [
    "EpochReport",
    "FoldIn",
    "Hyper",
    "MFModel",
    "NeuralHyper",
    "NeuralModel",
    "explain",
    "fit_neural",
    "fold_in",
    "fold_in_exact",
    "popularity_scores",
    "predict",
    "scores",
    "similar_items",
    "similar_items_blend",
    "top_n",
    "train",
]
