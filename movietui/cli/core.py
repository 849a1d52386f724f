"""Core commands: locate, info, import, train, eval.

``train`` and ``eval`` take ``--model``: matrix factorisation (``mf``, with the ranker), the
neural model (``neural``), or for eval both (``all``) on the same split.

``ProgressBar`` and ``epoch_line`` are public so other command modules print the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from movietui.config import get_paths
from movietui.errors import MovietuiError, NotFoundError
from movietui.service import STAGE_NAMES
from movietui.text import human_size

if TYPE_CHECKING:  # the service pulls in numba; keep `movietui locate` and --help instant
    from movietui.service import EpochReport, Progress, RankEpochReport, Service


class NoCatalog(NotFoundError):
    """A command needs an imported catalog and there is none."""


class UsageError(MovietuiError):
    """Options that do not go together."""


class ProgressBar:
    """A one-line text bar on stderr: ``\\r`` redraws on a terminal, one line per stage otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.min_interval = min_interval
        self._stage: str | None = None
        self._last = 0.0
        self._width = 0
        self._started = time.perf_counter()

    def __call__(self, progress: Progress) -> None:
        if progress.stage != self._stage:
            self.finish()
            self._stage = progress.stage
            self._started = time.perf_counter()
            if not self.tty:
                self.stream.write(f"{STAGE_NAMES.get(progress.stage, progress.stage)}...\n")
                self.stream.flush()
        now = time.perf_counter()
        complete = progress.total is not None and progress.done >= progress.total
        if self.tty and (complete or now - self._last >= self.min_interval):
            self._last = now
            line = self.render(progress)
            self.stream.write("\r" + line.ljust(self._width))  # pad over a longer previous line
            self._width = len(line)
            self.stream.flush()

    def render(self, progress: Progress) -> str:
        label = f"{STAGE_NAMES.get(progress.stage, progress.stage):<12}"
        if progress.total:
            frac = min(1.0, max(0.0, progress.done / progress.total))
            filled = int(frac * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            amount = _amount(progress.stage, progress.done, progress.total)
            return f"{label}[{bar}] {frac:4.0%}  {amount}{' ' + progress.message if progress.message else ''}"
        return f"{label}{_amount(progress.stage, progress.done, None)} {progress.message}".rstrip()

    def finish(self) -> None:
        """End the current stage's line."""
        if self._stage is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self._stage = None
        self._width = 0


def _amount(stage: str, done: int, total: int | None) -> str:
    if stage == "download":
        return f"{done / 1e6:.1f}" + (f"/{total / 1e6:.1f} MB" if total else " MB")
    return f"{done:,}" + (f"/{total:,}" if total else "")


def epoch_line(report: EpochReport) -> str:
    val = f"{report.val_rmse:.4f}" if report.val_rmse is not None else "  -   "
    width = len(str(report.epochs))
    return (
        f"epoch {report.epoch:>{width}}/{report.epochs}  train RMSE {report.train_rmse:.4f}  "
        f"val RMSE {val}  {report.seconds:6.2f} s  {report.updates_per_s / 1e6:5.2f} M updates/s"
    )


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


# --- commands ---------------------------------------------------------------------
def cmd_locate(args: argparse.Namespace, service: None) -> int:
    paths = get_paths(args.home)
    for label, value in (
        ("home", paths.home),
        ("database", paths.db),
        ("cache", paths.cache),
        ("backups", paths.backups),
        ("settings", paths.settings),
    ):
        print(f"{label:<9} {value}")
    return 0


def cmd_info(args: argparse.Namespace, service: Service) -> int:
    info = service.catalog_info()
    rows: list[tuple[str, str]] = []
    if info is None:
        rows.append(
            ("catalog", "none yet: run `movietui import ml-latest-small` or `movietui import PATH`")
        )
    else:
        rows += [
            ("release", info.release),
            ("source", info.source),
            ("imported", _when(info.imported_at)),
            ("movies", f"{info.n_movies:,}"),
            ("ratings", f"{info.n_ratings:,}"),
            ("users", f"{info.n_users:,}"),
            ("size", f"{human_size(info.db_bytes)} on disk"),
        ]
    model = service.model_info()
    if model is None:
        why = f" ({service.load_warning})" if service.load_warning else ""
        rows.append(("model", f"none yet{why}: run `movietui train`"))
    elif service.load_warning:
        rows.append(("warning", service.load_warning))
    if model is not None:
        val = f", validation RMSE {model.val_rmse:.4f}" if model.val_rmse is not None else ""
        rows.append(
            (
                "model",
                f"#{model.model_id} trained {_when(model.trained_at)}: {model.hyper.factors} factors, "
                f"{len(model.history)} epochs, {model.n_ratings:,} ratings{val}",
            )
        )
    neural = service.neural_info()
    if neural is not None:
        val = f", validation RMSE {neural.val_rmse:.4f}" if neural.val_rmse is not None else ""
        rows.append(
            (
                "neural",
                f"#{neural.model_id} trained {_when(neural.trained_at)}: width "
                f"{neural.hyper.factors}, {len(neural.history)} epochs{val}",
            )
        )
    if model is not None or neural is not None:
        rows.append(("stars", STAR_NAMES[service.star_model()]))
    profiles = service.profiles()
    current = service.current_profile
    text = f"{len(profiles)}" + (
        f" (current: {current.name}, {current.n_ratings:,} ratings)" if current else ""
    )
    rows.append(("profiles", text))
    rows.append(("database", str(service.paths.db)))
    for label, value in rows:
        print(f"{label:<9} {value}")
    return 0


def cmd_import(args: argparse.Namespace, service: Service) -> int:
    bar = ProgressBar()
    try:
        report = service.import_catalog(args.source, progress=bar)
    finally:
        bar.finish()
    print(
        f"imported {report.release}: {report.n_movies:,} movies, {report.n_ratings:,} ratings "
        f"in {report.seconds:.1f} s"
    )
    for note in report.notes:
        print(f"note: {note}")
    if service.model_info() is None:
        print("next: `movietui train` to fit a model (or open the app: `movietui`)")
    return 0


STAR_NAMES = {
    "mf": "matrix factorisation predicts the stars",
    "neural": "the neural model predicts the stars",
}
NEURAL_FLAGS = ("factors", "epochs", "lr", "seed")  # the flags that map onto NeuralHyper


def _given(args: argparse.Namespace, names) -> dict:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _neural_hyper_for(verb: str, args: argparse.Namespace, service: Service):
    """NeuralHyper from --factors/--epochs/--lr/--seed; --reg is MF's only."""
    if getattr(args, "reg", None) is not None:
        raise UsageError(
            "--reg is a matrix factorisation option; the neural model takes --factors, "
            "--epochs, --lr (and --seed)"
        )
    hyper = replace(service.default_neural_hyper(), **_given(args, NEURAL_FLAGS)).validate()
    if not service.has_catalog():
        raise NoCatalog(
            f"there is no catalog to {verb} on; import one first (movietui import ml-latest-small)"
        )
    return hyper


def _hyper_for(verb: str, args: argparse.Namespace, service: Service):
    """The hyperparameters asked for, once there is a catalog to `verb` on."""
    given = _given(args, ("factors", "epochs", "lr", "reg", "seed"))
    hyper = replace(service.default_hyper(), **given).validate()
    if not service.has_catalog():
        raise NoCatalog(
            f"there is no catalog to {verb} on; import one first (movietui import ml-latest-small)"
        )
    return hyper


def cmd_train(args: argparse.Namespace, service: Service) -> int:
    if args.model == "neural":
        return _train_neural(args, service)
    hyper = _hyper_for("train", args, service)
    print(
        f"training {hyper.factors} factors, up to {hyper.epochs} epochs, lr {hyper.lr:g}, reg {hyper.reg:g}, "
        f"seed {hyper.seed}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    result = service.train(
        hyper,
        on_epoch=lambda report: print(epoch_line(report), flush=True),
        on_rank_epoch=lambda report: print(rank_epoch_line(report), flush=True),
        make_current=args.make_current,
    )
    info = result.new_model
    seconds = time.perf_counter() - started
    if info is None:
        print("training stopped before the first epoch; no model saved")
        return 1
    how = " (stopped early: validation RMSE stopped improving)" if result.stopped_early else ""
    val = f", validation RMSE {info.val_rmse:.4f}" if info.val_rmse is not None else ""
    ranker = (
        f"; ranker: {len(info.ranker_history)} epochs, validation Recall@20 {info.val_recall:.4f}"
        if info.val_recall is not None
        else ""
    )
    print(
        f"model #{info.model_id} saved: {info.hyper.factors} factors, {len(info.history)} epochs{how}, "
        f"{info.n_ratings:,} ratings, {info.n_users:,} users x {info.n_items:,} movies{val}{ranker}, "
        f"{seconds:.1f} s"
    )
    print(current_line(result))
    return 0


def current_line(result) -> str:
    """Whether the run's model became current, and why (service/history.py's rule)."""
    new_id = result.new_model.model_id
    return result.decision_line(
        f"`movietui models use {new_id}` makes it current (or train with --make-current)"
    )


def _train_neural(args: argparse.Namespace, service: Service) -> int:
    hyper = _neural_hyper_for("train", args, service)
    print(
        f"training the neural model: width {hyper.factors}, hidden {hyper.hidden}, up to "
        f"{hyper.epochs} epochs, lr {hyper.lr:g}, seed {hyper.seed}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    result = service.train_neural(
        hyper,
        on_epoch=lambda report: print(epoch_line(report), flush=True),
        make_current=args.make_current,
    )
    info = result.new_model
    seconds = time.perf_counter() - started
    if info is None:
        print("training stopped before the first epoch; no model saved")
        return 1
    how = " (stopped early: validation RMSE stopped improving)" if result.stopped_early else ""
    val = f", validation RMSE {info.val_rmse:.4f}" if info.val_rmse is not None else ""
    print(
        f"neural model #{info.model_id} saved: width {info.hyper.factors}, "
        f"{len(info.history)} epochs{how}, {info.n_ratings:,} ratings, {info.n_users:,} users x "
        f"{info.n_items:,} movies{val}, {seconds:.1f} s"
    )
    print(current_line(result))
    if service.star_model() != "neural":
        print("stars still come from matrix factorisation: `movietui models use neural` to switch")
    return 0


def rank_epoch_line(report: RankEpochReport) -> str:
    """One line per ranker epoch: its loss and validation Recall@20."""
    val = f"{report.val_recall:.4f}" if report.val_recall is not None else "n/a"
    return (
        f"ranker epoch {report.epoch:>3}/{report.epochs}  loss {report.loss:.4f}  "
        f"val Recall@20 {val}  {report.seconds:.2f} s"
    )


def cmd_eval(args: argparse.Namespace, service: Service) -> int:
    from movietui.service import format_eval_table

    models = ("mf", "neural") if args.model == "all" else (args.model,)
    hyper, neural_hyper = None, None
    if args.model == "all" and _given(args, ("factors", "epochs", "lr", "reg")):
        raise UsageError(
            "hyperparameter flags apply to one model: add --model mf or --model neural "
            "(--model all uses both models' defaults)"
        )
    if args.model == "neural":
        neural_hyper = _neural_hyper_for("evaluate", args, service)
        what = f"the neural model (width {neural_hyper.factors}, {neural_hyper.epochs} epochs)"
    else:
        hyper = _hyper_for("evaluate", args, service)
        what = f"{hyper.factors} factors, {hyper.epochs} epochs" + (
            " and the neural model" if args.model == "all" else ""
        )
    print(f"evaluating on a 90/10 split (seed {args.split_seed}) with {what}...", file=sys.stderr)

    def step(progress: Progress) -> None:
        if progress.done < (progress.total or 0):
            print(
                f"[{progress.done + 1}/{progress.total}] {progress.message}",
                file=sys.stderr,
                flush=True,
            )

    report = service.evaluate(
        hyper, seed=args.split_seed, progress=step, models=models, neural_hyper=neural_hyper
    )
    if args.format == "json":  # shape documented in docs/cli-json.md
        json.dump(
            {"format": "movietui-eval", "version": 1, **report.to_dict()},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
        sys.stdout.write("\n")
    else:
        print(format_eval_table(report))
    return 0


def _add_hyper_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--factors", type=int, help="latent factors (default from the model room's tuning)"
    )
    parser.add_argument("--epochs", type=int, help="maximum epochs (early stopping may end sooner)")
    parser.add_argument("--lr", type=float, help="SGD learning rate")
    parser.add_argument("--reg", type=float, help="L2 regularisation of the factor rows")


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("locate", help="print where the database and downloads live")
    p.set_defaults(func=cmd_locate, needs_service=False)

    p = commands.add_parser("info", help="what the catalog holds, the current model, the profiles")
    p.set_defaults(func=cmd_info)

    p = commands.add_parser(
        "import", help="import a MovieLens release (a release name to download, or a zip/folder)"
    )
    p.add_argument(
        "source",
        help="release name from the manifest (e.g. ml-latest-small), or a path to a zip or folder",
    )
    p.set_defaults(func=cmd_import)

    p = commands.add_parser(
        "train", help="train the model on the catalog and every profile's ratings"
    )
    p.add_argument(
        "--model",
        choices=("mf", "neural"),
        default="mf",
        help="matrix factorisation with the ranker (default) or the neural model "
        "(--factors, --epochs, --lr, --seed apply to it)",
    )
    _add_hyper_options(p)
    p.add_argument("--seed", type=int, help="random seed (same seed, same model)")
    p.add_argument(
        "--make-current",
        action="store_true",
        help="use the new model even if it validates worse than the current one (by default "
        "it is then kept in the history only: `movietui models`)",
    )
    p.set_defaults(func=cmd_train)

    p = commands.add_parser(
        "eval", help="offline evaluation: baselines, the model, ranking, cold start"
    )
    p.add_argument(
        "--model",
        choices=("mf", "neural", "all"),
        default="mf",
        help="matrix factorisation (default), the neural model, or all: both on the same split",
    )
    _add_hyper_options(p)
    p.add_argument(
        "--seed",
        dest="split_seed",
        type=int,
        default=42,
        help="seed of the 90/10 split (default 42)",
    )
    p.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="plain tables (default) or JSON (docs/cli-json.md)",
    )
    p.set_defaults(func=cmd_eval)
