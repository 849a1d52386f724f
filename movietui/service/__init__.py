"""The one facade the UI and CLI call: ties catalog, store and model together.

The UI imports only from here (and ``movietui.errors``): the Service, its records, and
the few model/catalog types that appear in its signatures.
"""

from movietui.catalog.progress import STAGE_NAMES, Progress
from movietui.model import EpochReport, Hyper
from movietui.model.blend import OBSCURE_BELOW
from movietui.model.evaluate import EvalReport
from movietui.model.evaluate import format_table as format_eval_table
from movietui.model.hyper import MAX_EPOCHS, MAX_FACTORS, MAX_LR, MAX_REG
from movietui.model.neural import NeuralHyper
from movietui.model.ranker import RankEpochReport, RankHyper
from movietui.service.core import Service
from movietui.service.demo import Demo, DemoFrame, DemoPick, DemoPoint, format_curve
from movietui.service.groups import GroupError, GroupList, GroupPick, MemberPick
from movietui.service.lists import ListMatch, ListMatchError
from movietui.service.personal import RatingsImportReport
from movietui.service.taste_map import TasteMapData
from movietui.service.titles import AmbiguousTitleError
from movietui.service.types import (
    HISTORY_COLUMNS,
    SORTS,
    CatalogInfo,
    Filters,
    ImportReport,
    ModelInfo,
    ModelRecord,
    MovieDetail,
    MovieView,
    Page,
    Profile,
    RatedMovie,
    RateResult,
    Recommendation,
    Similar,
    TrainResult,
)
from movietui.store import SavedModel
from movietui.store.lists import FilmList

__all__ = [
    "HISTORY_COLUMNS",
    "MAX_EPOCHS",
    "MAX_FACTORS",
    "MAX_LR",
    "MAX_REG",
    "OBSCURE_BELOW",
    "SORTS",
    "STAGE_NAMES",
    "AmbiguousTitleError",
    "CatalogInfo",
    "Demo",
    "DemoFrame",
    "DemoPick",
    "DemoPoint",
    "EpochReport",
    "EvalReport",
    "FilmList",
    "Filters",
    "GroupError",
    "GroupList",
    "GroupPick",
    "Hyper",
    "ImportReport",
    "ListMatch",
    "ListMatchError",
    "MemberPick",
    "ModelInfo",
    "ModelRecord",
    "MovieDetail",
    "MovieView",
    "NeuralHyper",
    "Page",
    "Profile",
    "Progress",
    "RankEpochReport",
    "RankHyper",
    "RateResult",
    "RatedMovie",
    "RatingsImportReport",
    "Recommendation",
    "SavedModel",
    "Service",
    "Similar",
    "TasteMapData",
    "TrainResult",
    "format_curve",
    "format_eval_table",
]
