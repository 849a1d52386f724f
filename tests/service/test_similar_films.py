"""Similar films: the blend of both models' cosines, and the rating model's alone without a ranker."""

from __future__ import annotations

from movietui.model import similar_items, similar_items_blend
from movietui.service import Service

MATRIX = 2571


def test_similar_blends_both_models_and_falls_back_without_a_ranker(service: Service) -> None:
    live = service._live
    model, ranker = live.model, live.ranker
    assert model is not None and ranker is not None
    item = int(model.item_index([MATRIX])[0])
    blended = model.item_ids[
        similar_items_blend(model, ranker, item, 10, model.counts())[0]
    ].tolist()
    shown = service.similar(MATRIX)
    assert [s.movie.movie_id for s in shown] == blended
    assert all(s.movie.rating_count >= 5 for s in shown)
    live.loaded.ranker = None  # a model saved before the ranker existed: today's rule
    alone = model.item_ids[similar_items(model, item, 10, model.counts())[0]].tolist()
    assert [s.movie.movie_id for s in service.similar(MATRIX)] == alone
    assert alone != blended  # the ranker's cosine does move the list
